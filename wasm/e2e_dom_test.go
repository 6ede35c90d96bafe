//go:build !wasm

package main

// End-to-end tests of the pages' DOM contract: every step, explanations, language, pages, preferences, presentation, screenshots; and the helpers that read cells.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// uiTest opens the page of a model at the root site in a fresh browser
// and returns the browser, the model and the page's arithmetic mode.
func uiTest(t *testing.T, slug string) (context.Context, engine.Model, engine.Mode) {
	t.Helper()
	needBrowser(t)
	m := engine.Lookup(slug)
	if m == nil {
		t.Skipf("no model %q in the engine yet", slug)
	}
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	open(t, ctx, pageURL(srv, rootSite, "/"+slug), slug)
	return ctx, m, pageMode(t, ctx)
}

func pageMode(t *testing.T, ctx context.Context) engine.Mode {
	if evalJS[bool](t, ctx, `!!document.querySelector('button[data-mode="exact"][aria-pressed="true"]')`) {
		return engine.Exact
	}
	return engine.Hand
}

// showAll presses End so that every step is rendered, and waits for it.
func showAll(t *testing.T, ctx context.Context, steps int) {
	t.Helper()
	evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
	if err := within(ctx, 30*time.Second, chromedp.KeyEvent(kb.End)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 10*time.Second, "every step to be shown",
		fmt.Sprintf(`document.querySelectorAll("section.step[data-step]").length >= %d`, steps))
	settle(t, ctx)
}

// settle waits for go-app's batched rendering (two frames and a little
// more) and for any smooth scrolling (the page scrolls to the current step)
// to stop: the scroll position must hold for five frames.
func settle(t testing.TB, ctx context.Context) {
	evalJS[bool](t, ctx, `new Promise(r => {
		const end = performance.now() + 3000;
		let last = -1, still = 0;
		const tick = () => {
			const y = window.scrollY + 1e6 * window.scrollX;
			still = y === last ? still + 1 : 0;
			last = y;
			if (still >= 5 || performance.now() > end) setTimeout(() => r(true), 60);
			else requestAnimationFrame(tick);
		};
		requestAnimationFrame(tick);
	})`)
}

// settlePatched settles, then waits until every number is written: those
// of steps out of sight are sent and written while the page is idle.
func settlePatched(t testing.TB, ctx context.Context) {
	settle(t, ctx)
	waitJS(t, ctx, 20*time.Second, "every number written", `window.byhandPatched()`)
}

// click scrolls an element into view at once, waits for the page to be
// still, and clicks it with the mouse.
func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if !evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.scrollIntoView({block: "center", behavior: "instant"}); return true; })()`, sel)) {
		t.Fatalf("no %s", sel)
	}
	settle(t, ctx)
	if err := within(ctx, 5*time.Second, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

type cellKey struct {
	M    string
	R, C int
}

// pageCells reads every td.cell's data-v. A matrix shown in several steps
// must show the same value each time.
func pageCells(t *testing.T, ctx context.Context) map[cellKey]string {
	t.Helper()
	// Cells out of sight are written once the reader pauses: wait for them
	// (a page still training never pauses; then read what it shows).
	_ = pollJS(ctx, 10*time.Second, `!window.byhandPatched || window.byhandPatched()`)
	var raw [][]string
	b := evalJS[[]byte](t, ctx, `JSON.stringify([...document.querySelectorAll("td.cell[data-m][data-r][data-c]")].map(td =>
		[td.dataset.m, td.dataset.r, td.dataset.c, td.hasAttribute("data-v") ? td.dataset.v : ""]))`)
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		t.Fatal(err)
	}
	out := map[cellKey]string{}
	for _, c := range raw {
		var k cellKey
		k.M = c[0]
		fmt.Sscan(c[1], &k.R)
		fmt.Sscan(c[2], &k.C)
		if v, seen := out[k]; seen && v != c[3] {
			t.Errorf("cell %v shows %q and %q", k, v, c[3])
		}
		out[k] = c[3]
	}
	if len(out) == 0 {
		t.Fatal("no td.cell on the page")
	}
	return out
}

// engineCells is what the engine's trace says each of the page's cells
// holds.
func engineCells(t *testing.T, tr *engine.Trace, keys map[cellKey]string) map[cellKey]string {
	t.Helper()
	out, bad := engineCellsOf(tr, keys)
	for _, b := range bad {
		t.Error(b)
	}
	return out
}

// engineCellsOf is engineCells, with the cells the trace has not as
// messages.
func engineCellsOf(tr *engine.Trace, keys map[cellKey]string) (map[cellKey]string, []string) {
	out := map[cellKey]string{}
	var bad []string
	for k := range keys {
		m := tr.Matrix(k.M)
		if m == nil {
			bad = append(bad, fmt.Sprintf("the page shows matrix %q, which the trace does not have", k.M))
			continue
		}
		rows, cols := m.Dims()
		switch {
		case k.R == rows && k.C < cols:
			out[k] = "1" // the row of 1s under a folded-bias product
		case k.R < 0 || k.C < 0 || k.R >= rows || k.C >= cols:
			bad = append(bad, fmt.Sprintf("cell %v is outside %s's %d×%d", k, k.M, rows, cols))
		default:
			out[k] = engine.Format(m.At(k.R, k.C))
		}
	}
	return out, bad
}

// pageMatches waits until every cell on the page shows what trace tr
// says, and returns the page's cells (and the engine's for them); after
// 20 s it reports the cells that differ. The page writes the numbers of
// steps out of sight when it is next idle, and redraws a step whose shape
// changed after the edit itself: on a busy machine that can take a
// while, but it must come. Cells of steps waiting on an undefined one
// show no numbers and are left out.
func pageMatches(t *testing.T, ctx context.Context, what string, tr *engine.Trace) (page, want map[cellKey]string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		settlePatched(t, ctx)
		page = pageCells(t, ctx)
		var bad []string
		want, bad = engineCellsOf(tr, page)
		for k := range want {
			if s := stepOf(tr, k.M); s != nil && s.WaitsOn != "" {
				delete(want, k)
				delete(page, k)
			}
		}
		same := len(bad) == 0
		for k, w := range want {
			if page[k] != w {
				same = false
				break
			}
		}
		if same || time.Now().After(deadline) {
			for _, b := range bad {
				t.Errorf("%s: %s", what, b)
			}
			diffCells(t, what, page, want)
			return page, want
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stepOf returns the first step that shows matrix id.
func stepOf(tr *engine.Trace, id string) *engine.Step {
	for _, s := range tr.Steps {
		for _, m := range s.Matrices {
			if m.ID == id {
				return s
			}
		}
	}
	return nil
}

func diffCells(t *testing.T, what string, page, want map[cellKey]string) {
	t.Helper()
	n := 0
	for k, w := range want {
		if g := page[k]; g != w {
			if n < 10 {
				t.Errorf("%s: cell %s[%d,%d] shows %q, engine says %q", what, k.M, k.R, k.C, g, w)
			}
			n++
		}
	}
	if n > 10 {
		t.Errorf("%s: %d cells differ in all", what, n)
	}
}

func changedKeys(a, b map[cellKey]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, fmt.Sprintf("%s[%d,%d]", k.M, k.R, k.C))
		}
	}
	slices.Sort(out)
	return out
}

func cellSel(m string, r, c int) string {
	return fmt.Sprintf(`td.cell[data-m=%q][data-r="%d"][data-c="%d"]`, m, r, c)
}

// TestUIAllSteps: pressing End shows every step of the walkthrough.
func TestUIAllSteps(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	tr := m.Run(m.Exercise(), mode)
	showAll(t, ctx, len(tr.Steps))
	ids := evalJS[[]string](t, ctx, `[...document.querySelectorAll("section.step[data-step]")].map(s => s.dataset.step)`)
	for _, s := range tr.Steps {
		if !slices.Contains(ids, s.ID) {
			t.Errorf("no section.step[data-step=%q] after End (page has %v)", s.ID, ids)
		}
	}
}

// TestUIExplain: hovering, then focusing, a computed cell shows its
// formula in #explain and marks its source cells.
func TestUIExplain(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	tr := m.Run(m.Exercise(), mode)
	showAll(t, ctx, len(tr.Steps))
	check := func(how, id string, r, c int) {
		e, ok := tr.Explain(id, r, c)
		if !ok {
			t.Fatalf("the engine does not explain %s[%d,%d]", id, r, c)
		}
		js := fmt.Sprintf(`(() => { const e = document.getElementById("explain"); return !!e && e.textContent.replace(/\s+/g, " ").includes(%q); })()`,
			strings.Join(strings.Fields(e.Formula), " "))
		if err := pollJS(ctx, 5*time.Second, js); err != nil {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("explain") || {}).textContent || "(no #explain)"`))
			t.Errorf("%s %s[%d,%d]: #explain shows %q, want it to contain %q", how, id, r, c, got, e.Formula)
			return
		}
		for _, src := range e.Sources {
			if rows, _ := tr.Matrix(src.Matrix).Dims(); src.Row >= rows {
				continue // the row of 1s
			}
			if !evalJS[bool](t, ctx, fmt.Sprintf(`!!document.querySelector(%q)`, cellSel(src.Matrix, src.Row, src.Col)+".source")) {
				t.Errorf("%s %s[%d,%d]: source %s[%d,%d] not marked .source", how, id, r, c, src.Matrix, src.Row, src.Col)
			}
		}
	}
	// Hover H1[0,0].
	x, y := center(t, ctx, cellSel("H1", 0, 0))
	if err := within(ctx, 5*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	check("hovering", "H1", 0, 0)
	// Move away, then focus Y[1,2] from the keyboard's point of view.
	within(ctx, 5*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1))
	if !evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false; el.scrollIntoView({block: "center", behavior: "instant"}); el.focus(); return document.activeElement === el; })()`, cellSel("Y", 1, 2))) {
		t.Fatal("Y[1,2] cannot take focus (tabindex=0 expected)")
	}
	check("focusing", "Y", 1, 2)
}

// center scrolls an element into view and returns its centre.
func center(t *testing.T, ctx context.Context, sel string) (float64, float64) {
	t.Helper()
	// Scroll at once (the stylesheet may ask for smooth scrolling) and
	// measure after the next frame.
	xy := evalJS[[]float64](t, ctx, fmt.Sprintf(`(async () => { const el = document.querySelector(%q); if (!el) return null;
		el.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
		let last = null, still = 0;
		while (still < 3) {
			await new Promise(r => requestAnimationFrame(r));
			const b = el.getBoundingClientRect(), k = b.left + "," + b.top;
			still = k === last ? still + 1 : 0;
			last = k;
		}
		const r = el.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2]; })()`, sel))
	if len(xy) != 2 {
		t.Fatalf("no %s", sel)
	}
	return xy[0], xy[1]
}

// TestUILanguage: choosing 简体中文 shows the Chinese catalog's texts.
func TestUILanguage(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	tr := m.Run(m.Exercise(), mode)
	title, step := i18n.T(i18n.ZH, m.Info().Title), i18n.T(i18n.ZH, tr.Steps[0].Title)
	setInput(t, ctx, "select#lang", "zh")
	js := fmt.Sprintf(`(() => { const h = document.querySelector("h1"); return !!h && h.textContent.includes(%q) && document.body.innerText.includes(%q); })()`, title, step)
	if err := pollJS(ctx, 5*time.Second, js); err != nil {
		h1 := evalJS[string](t, ctx, `(document.querySelector("h1") || {}).textContent || ""`)
		t.Errorf("after choosing zh, h1 is %q; want %q in it and step title %q on the page", h1, title, step)
	}
}

// TestUIPages: the sampled pages of both sites load, become ready and
// have a title (every catalogue page of the root site is loaded, edited
// and trained by TestCatalogueLoadsEditsTrains).
func TestUIPages(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		ctx := newBrowser(t)
		for _, p := range sampledPaths(t, s) {
			open(t, ctx, pageURL(srv, s, p), readyName(p))
			if title := evalJS[string](t, ctx, `document.title`); strings.TrimSpace(title) == "" {
				t.Errorf("%s: empty document.title", p)
			}
		}
	})
}

// TestScreenshots writes full-page PNGs of every page in the light and
// dark themes into $BYHAND_SHOTS.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("BYHAND_SHOTS")
	if dir == "" {
		t.Skip("set BYHAND_SHOTS=dir to write screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	if err := within(ctx, 5*time.Second, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	for _, p := range rootSite.Paths {
		for _, theme := range []string{"light", "dark"} {
			open(t, ctx, pageURL(srv, rootSite, p), readyName(p))
			setInput(t, ctx, "select#theme", theme)
			if isModelPath(p) {
				evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
				within(ctx, 5*time.Second, chromedp.KeyEvent(kb.End))
			}
			settle(t, ctx)
			time.Sleep(300 * time.Millisecond)
			c, cancel := context.WithTimeout(ctx, 30*time.Second)
			img, err := chromedp.Run(c, chromedp.FullScreenshot(100))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(dir, readyName(p)+"-"+theme+".png")
			if err := os.WriteFile(f, img, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", f)
		}
	}
}

// TestUIPrefsRemembered: the language and theme chosen on one page are
// there on the next; stored values that mean nothing are ignored.
func TestUIPrefsRemembered(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	open(t, ctx, pageURL(srv, rootSite, "/autoencoder"), "autoencoder")
	setInput(t, ctx, "select#lang", "zh")
	setInput(t, ctx, "select#theme", "dark")
	open(t, ctx, pageURL(srv, rootSite, "/vae"), "vae")
	title := i18n.T(i18n.ZH, engine.Lookup("vae").Info().Title)
	waitJS(t, ctx, 5*time.Second, "the VAE page in Chinese and dark",
		fmt.Sprintf(`document.querySelector("h1").textContent === %q && document.documentElement.dataset.theme === "dark" && document.querySelector("select#theme").value === "dark"`, title))

	// Junk in storage: the page opens in its defaults and says nothing odd.
	evalJS[bool](t, ctx, `localStorage.setItem("byhand.lang", "{not json"), localStorage.setItem("byhand.theme", JSON.stringify("<b>x</b>")), true`)
	open(t, ctx, pageURL(srv, rootSite, "/gan"), "gan")
	if th := evalJS[string](t, ctx, `document.documentElement.dataset.theme || "system"`); th != "system" {
		t.Errorf("junk theme gave %q", th)
	}
	if v := evalJS[string](t, ctx, `document.querySelector("select#theme").value`); v != "system" {
		t.Errorf("theme switch shows %q", v)
	}
}

// TestUIPresent: the presentation mode shows the current step alone, in
// larger type, and ← → still step.
func TestUIPresent(t *testing.T) {
	t.Parallel()
	ctx, _, _ := uiTest(t, "autoencoder")
	before := evalJS[float64](t, ctx, `parseFloat(getComputedStyle(document.documentElement).fontSize)`)
	evalJS[bool](t, ctx, `document.getElementById("present").click(), true`)
	waitJS(t, ctx, 5*time.Second, "presentation mode", `document.documentElement.hasAttribute("data-present")`)
	if after := evalJS[float64](t, ctx, `parseFloat(getComputedStyle(document.documentElement).fontSize)`); !(after > before) {
		t.Errorf("type is %v px in presentation mode, %v px before", after, before)
	}
	if err := within(ctx, 5*time.Second, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 5*time.Second, "step 2 alone on screen", `(() => {
		const shown = [...document.querySelectorAll("section.step")].filter(s => getComputedStyle(s).display !== "none");
		return shown.length === 1 && shown[0].dataset.step === "target";
	})()`)
}
