//go:build !wasm

package main

// End-to-end tests of the walkthroughs read from files: every catalogue
// page loads, edits and trains; a teacher's own file opens by the picker,
// by drag and drop and by link; a bad file lists its problems.

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
)

// TestCatalogueLoadsEditsTrains: on the page of every walkthrough besides
// the five founding ones (which get the deeper tests), every cell shows
// what the engine computes; editing a weight changes exactly the cells the
// engine changes; one update lowers the loss.
func TestCatalogueLoadsEditsTrains(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t) // one browser for every page: a fresh one each costs more than the check
	n := 0
	for _, m := range engine.Models() {
		slug := m.Info().Slug
		if slices.Contains(engine.Founding, slug) {
			continue
		}
		n++
		t.Run(slug, func(t *testing.T) {
			open(t, ctx, pageURL(srv, rootSite, "/"+slug), slug)
			checkEditWeightIn(t, ctx, slug)
			l0 := evalJS[string](t, ctx, `document.getElementById("loss").dataset.v || ""`)
			if l0 == "" {
				t.Fatal("no loss shown")
			}
			click(t, ctx, "button#apply")
			waitJS(t, ctx, 10*time.Second, "the loss to change after an update",
				fmt.Sprintf(`document.getElementById("loss").dataset.v !== %q`, l0))
			v0, _ := engine.ParseNumber(l0)
			v1, err := engine.ParseNumber(evalJS[string](t, ctx, `document.getElementById("loss").dataset.v`))
			if err != nil || !(v1 < v0) {
				t.Errorf("loss %v after one update, was %v", v1, v0)
			}
		})
	}
	t.Logf("%d catalogue walkthroughs checked", n)
}

// tinyFile is a teacher's walkthrough, as a teacher would write it.
const tinyFile = `# My first walkthrough
slug = "tiny"
group = "basics"
title = { en = "Tiny layer", zh = "一个小层" }
blurb = { en = "One layer.", zh = "一层。" }

[[var]]
id = "X"
data = [[1, 2], [0, 1]]

[[var]]
id = "W"
role = "parameter"
train = true
bias = true
data = [[1, -1, 0]]

[[var]]
id = "T"
role = "target"
data = [[1, 0]]

[[step]]
id = "layer"
op = "linear"
in = ["W", "X"]
out = "Y"
title = { en = "A layer", zh = "一层" }
text = { en = "Multiply the weights by the inputs.", zh = "用权重乘以输入。" }

[[step]]
id = "loss"
op = "squared_error"
in = ["Y", "T"]
label = { en = "squared error", zh = "平方误差" }
title = { en = "The loss", zh = "损失" }
text = { en = "Square the differences and add them up.", zh = "把差平方后加起来。" }
`

// openedTiny checks the page of tinyFile: its title, its layer's numbers
// (Y = [1 −1 | 0]·[X ; 1] = [1, 1]), and that an edit recomputes.
func openedTiny(t *testing.T, ctx context.Context) {
	t.Helper()
	waitReady(t, ctx, "open")
	if got := evalJS[string](t, ctx, `document.querySelector(".masthead, header").textContent`); !strings.Contains(got, "Tiny layer") {
		t.Errorf("the header says %q, not the file's title", got)
	}
	if got := evalJS[string](t, ctx, `[...document.querySelectorAll('td.cell[data-m="Y"]')].map(td => td.dataset.v).join(" ")`); got != "1 1" {
		t.Errorf("Y shows %q, want 1 1", got)
	}
	typeInto(t, ctx, cellSel("W", 0, 0)+" input.cell-input", "2")
	waitJS(t, ctx, 5*time.Second, "Y to be recomputed", `[...document.querySelectorAll('td.cell[data-m="Y"]')].map(td => td.dataset.v).join(" ") === "2 3"`)
}

// TestOpenFileByPicker: the home page's file picker opens a teacher's
// file; the page's link carries the file, and opens it again.
func TestOpenFileByPicker(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	path := filepath.Join(t.TempDir(), "tiny.toml")
	if err := os.WriteFile(path, []byte(tinyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, pageURL(srv, rootSite, "/"), "home")
	if err := within(ctx, 10*time.Second, chromedp.SetUploadFiles(chromedp.CSS("#open-file-input"), []string{path})); err != nil {
		t.Fatal(err)
	}
	openedTiny(t, ctx)
	u := evalJS[string](t, ctx, `location.href`)
	if !strings.Contains(u, "/open?file=") {
		t.Fatalf("the page's address %q does not carry the file", u)
	}
	// The link, opened in a fresh browser, brings back the file and the edit
	// (the edit is in the link the page copies).
	link := evalJS[string](t, ctx, `location.href`)
	ctx2 := newBrowser(t)
	open(t, ctx2, link, "open")
	if got := evalJS[string](t, ctx2, `[...document.querySelectorAll('td.cell[data-m="Y"]')].map(td => td.dataset.v).join(" ")`); got != "1 1" && got != "2 3" {
		t.Errorf("the link opened Y = %q", got)
	}
}

// TestOpenFileBySrc: /open?src= opens a file from the site's own origin;
// a URL on another origin is refused, with its message, before any
// request reaches that origin.
func TestOpenFileBySrc(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	pages := pagesHandler(rootSite.Dir, rootSite.Base)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/files/tiny.toml" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, tinyFile)
			return
		}
		pages.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var foreign atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreign.Add(1)
		_, _ = io.WriteString(w, tinyFile)
	}))
	t.Cleanup(other.Close)
	ctx := newBrowser(t)
	open(t, ctx, pageURL(srv, rootSite, "/open?src="+url.QueryEscape("/files/tiny.toml")), "open")
	openedTiny(t, ctx)
	if u := evalJS[string](t, ctx, `location.href`); !strings.Contains(u, "src=") {
		t.Errorf("the page's address %q does not carry the file's URL", u)
	}
	open(t, ctx, pageURL(srv, rootSite, "/open?src="+url.QueryEscape(other.URL+"/tiny.toml")), "open")
	want := i18n.T(i18n.EN, "open.fetch_origin")
	if got := evalJS[string](t, ctx, `(document.querySelector(".open-reason") || {textContent: ""}).textContent`); got != want {
		t.Errorf("another origin's file: the page says %q, want %q", got, want)
	}
	if n := foreign.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
	if evalJS[bool](t, ctx, `!!document.querySelector('td.cell[data-m="Y"]')`) {
		t.Error("a file from another origin was opened")
	}
}

// TestOpenFileByDrop: a file dropped on the home page's panel opens.
func TestOpenFileByDrop(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	open(t, ctx, pageURL(srv, rootSite, "/"), "home")
	drop(t, ctx, tinyFile)
	openedTiny(t, ctx)
}

// drop drops a file holding text on the home page's panel.
func drop(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	evalJS[bool](t, ctx, fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([%q], "walkthrough.toml", {type: "text/plain"}));
		const el = document.getElementById("open-file");
		el.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
		el.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true; })()`, text))
}

// TestOpenBadFile: a file with problems opens nothing and lists each
// problem with its line; no script in a file reaches the page.
func TestOpenBadFile(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	open(t, ctx, pageURL(srv, rootSite, "/"), "home")
	bad := strings.Replace(tinyFile, `op = "linear"`, `op = "lineer"`, 1)
	bad = strings.Replace(bad, `title = { en = "Tiny layer"`, `title = { en = "<img src=x onerror=alert(1)>"`, 1)
	drop(t, ctx, bad)
	waitJS(t, ctx, 10*time.Second, "the problems to be listed", `!!document.querySelector("#open-file ul.problems li")`)
	got := evalJS[string](t, ctx, `document.querySelector("#open-file ul.problems").textContent`)
	if !strings.Contains(got, `line 25: step "layer" › op: unknown op "lineer" (did you mean "linear"?)`) {
		t.Errorf("the problems say %q", got)
	}
	if !strings.HasSuffix(evalJS[string](t, ctx, `location.pathname`), "/") {
		t.Error("a bad file was opened")
	}
	if evalJS[bool](t, ctx, `!!document.querySelector("img[src=x]")`) {
		t.Error("markup from the file reached the page")
	}
	// The same file by link: the open page lists the problems.
	open(t, ctx, pageURL(srv, rootSite, "/open?file="+base64.RawURLEncoding.EncodeToString([]byte(bad))), "open")
	if got := evalJS[string](t, ctx, `(document.querySelector("ul.problems") || {textContent: ""}).textContent`); !strings.Contains(got, "lineer") {
		t.Errorf("the open page lists %q", got)
	}
}
