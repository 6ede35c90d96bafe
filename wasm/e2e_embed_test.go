//go:build !wasm

package main

// End-to-end tests of the embed form and of the messages a parent page
// (a slide deck) exchanges with it.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestEmbedSmallFrame: at 480×320 the embed has one bar of one row with
// the step controls and the mode, no site chrome, and the current step
// readable below it; the range and the options hold.
func TestEmbedSmallFrame(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, subSite)
	ctx := newBrowser(t)
	if err := within(ctx, 5*time.Second, chromedp.EmulateViewport(480, 320)); err != nil {
		t.Fatal(err)
	}
	m := engine.Lookup("autoencoder")
	ids := []string{}
	for _, s := range m.Run(m.Exercise(), engine.Hand).Steps {
		ids = append(ids, s.ID)
	}
	base := pageURL(srv, subSite, "/autoencoder")
	open(t, ctx, base+"?embed=1&from=2&to=6&step=3", "autoencoder")
	settle(t, ctx)
	if evalJS[bool](t, ctx, `!!document.querySelector(".topbar, .sidebar, .brand, .update")`) {
		t.Error("the embed shows site chrome")
	}
	bar := evalJS[[]float64](t, ctx, `(() => { const b = document.querySelector(".embed-bar").getBoundingClientRect();
		const tops = [...document.querySelectorAll(".embed-bar > *")].filter(e => e.offsetParent).map(e => e.getBoundingClientRect());
		return [b.height, Math.max(...tops.map(r => r.top)) - Math.min(...tops.map(r => r.top)), Math.max(...tops.map(r => r.right)), document.documentElement.scrollWidth]; })()`)
	if bar[0] > 44 || bar[1] > 6 || bar[2] > 480 || bar[3] > 480 {
		t.Errorf("the bar is %.0f px high, its items span %.0f px vertically, reach x=%.0f, page width %.0f", bar[0], bar[1], bar[2], bar[3])
	}
	if got := evalJS[string](t, ctx, `document.getElementById("step-count").textContent`); got != "3 / 18" {
		t.Errorf("step count %q", got)
	}
	// The current step's title is on screen below the bar.
	if !evalJS[bool](t, ctx, `(() => { const h = document.querySelector("section.step.current h2").getBoundingClientRect();
		const b = document.querySelector(".embed-bar").getBoundingClientRect(); return h.top >= b.bottom - 1 && h.bottom <= innerHeight; })()`) {
		t.Error("the current step's title is not readable below the bar")
	}
	shown := evalJS[[]string](t, ctx, `[...document.querySelectorAll("section.step")].map(s => s.dataset.step)`)
	if strings.Join(shown, ",") != strings.Join(ids[1:3], ",") {
		t.Errorf("steps shown %v, want %v", shown, ids[1:3])
	}
	for i, want := range []string{"2 / 18", "2 / 18"} {
		pressKey(t, ctx, kb.ArrowLeft)
		if got := evalJS[string](t, ctx, `document.getElementById("step-count").textContent`); got != want {
			t.Errorf("after ← %d: %q, want %q (the range starts at 2)", i+1, got, want)
		}
	}
	pressKey(t, ctx, kb.End)
	pressKey(t, ctx, kb.ArrowRight)
	if got := evalJS[string](t, ctx, `document.getElementById("step-count").textContent`); got != "6 / 18" {
		t.Errorf("End then →: %q, want 6 / 18 (the range ends at 6)", got)
	}
	if !strings.Contains(evalJS[string](t, ctx, `location.search`), "step=6") {
		t.Error("the embed's URL does not follow its step")
	}

	// One step at a time, read-only, dark, in Chinese.
	open(t, ctx, base+"?embed=1&single=1&readonly=1&theme=dark&lang=zh&step=4", "autoencoder")
	settle(t, ctx)
	if n := evalJS[int](t, ctx, `document.querySelectorAll("section.step").length`); n != 1 {
		t.Errorf("single: %d steps shown", n)
	}
	if !evalJS[bool](t, ctx, `document.documentElement.dataset.theme === "dark" && document.documentElement.lang === "zh-Hans"`) {
		t.Error("theme=dark&lang=zh not applied")
	}
	pressKey(t, ctx, kb.ArrowRight)
	if got := evalJS[string](t, ctx, `document.querySelector("section.step").dataset.step`); got != ids[4] {
		t.Errorf("single, after →: step %q shown, want %q", got, ids[4])
	}
	pressKey(t, ctx, kb.ArrowLeft)
	pressKey(t, ctx, kb.ArrowLeft)
	pressKey(t, ctx, kb.ArrowLeft)
	if !evalJS[bool](t, ctx, `[...document.querySelectorAll("input.cell-input")].every(i => i.readOnly) && document.querySelectorAll("input.cell-input").length > 0`) {
		t.Fatal("readonly: cell inputs can be typed into")
	}
	sel := cellSel("X", 0, 0) + " input.cell-input"
	before := pageCells(t, ctx)
	typeInto(t, ctx, sel, "9")
	settle(t, ctx)
	if d := changedKeys(before, pageCells(t, ctx)); len(d) > 0 {
		t.Errorf("readonly: typing changed %v", d)
	}
	if evalJS[bool](t, ctx, `Object.keys(localStorage).some(k => k.startsWith("byhand.work."))`) {
		t.Error("an embed saved work over the reader's own")
	}
}

// deckServer serves the site under /byhand/ and, at /host.html, a parent
// page that embeds it and logs every message it gets in window.got.
func deckServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("/", pagesHandler(subSite.Dir, subSite.Base))
	mux.HandleFunc("/host.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body>
<iframe id="f" src="/byhand/autoencoder?embed=1&%s" width="800" height="450"></iframe>
<script>
window.got = [];
addEventListener("message", (e) => { if (e.source === document.getElementById("f").contentWindow) got.push(e.data); });
window.send = (m) => document.getElementById("f").contentWindow.postMessage(m, "*");
window.last = (name) => got.filter(e => e.byhand === name).pop() || null;
window.inner = () => document.getElementById("f").contentDocument;
</script></body></html>`, r.URL.Query().Get("q"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// openHost opens the parent page with the given embed options.
func openHost(t *testing.T, ctx context.Context, srv *httptest.Server, embedQuery string) {
	t.Helper()
	if err := within(ctx, 60*time.Second, chromedp.Navigate(srv.URL+"/host.html?q="+url.QueryEscape(embedQuery))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 10*time.Second, "the parent page", `typeof send === "function"`)
}

func innerStep(t *testing.T, ctx context.Context) string {
	return evalJS[string](t, ctx, `(inner().getElementById("step-count") || {}).textContent || ""`)
}

// TestDeckMessages drives an embedded page with every command of the
// postMessage API and checks its events; messages of the wrong shape and
// from untrusted origins are ignored.
func TestDeckMessages(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := deckServer(t)
	ctx := newBrowser(t)
	openHost(t, ctx, srv, "from=2&to=8")
	waitJS(t, ctx, 30*time.Second, "the ready event", `!!last("ready")`)
	ready := evalJS[map[string]any](t, ctx, `last("ready")`)
	if ready["model"] != "autoencoder" || ready["step"] != 2.0 || ready["steps"] != 18.0 || ready["first"] != 2.0 || ready["last"] != 8.0 || ready["mode"] != "hand" {
		t.Errorf("ready event %v", ready)
	}
	waitStep := func(n int) {
		t.Helper()
		waitJS(t, ctx, 5*time.Second, fmt.Sprintf("a step event for step %d", n), fmt.Sprintf(`(last("step") || {}).step === %d`, n))
		waitJS(t, ctx, 5*time.Second, "the frame to show it", fmt.Sprintf(`(inner().getElementById("step-count") || {}).textContent === "%d / 18"`, n))
	}
	evalJS[bool](t, ctx, `send({byhand: "next"}), true`)
	waitStep(3)
	evalJS[bool](t, ctx, `send({byhand: "goto", step: 6}), true`)
	waitStep(6)
	evalJS[bool](t, ctx, `send({byhand: "prev"}), true`)
	waitStep(5)
	evalJS[bool](t, ctx, `send({byhand: "goto", step: 99}), true`)
	waitStep(8)
	// Wrong shapes: ignored, never acted on.
	evalJS[bool](t, ctx, `["next", null, {byhand: "jump"}, {byhand: "goto", step: "2"}, {byhand: "goto", step: 0},
		{byhand: "next", extra: 1}, {byhand: "set", var: "X", row: 1, col: 1, value: "5"}, {byhand: "mode", mode: "fast"}]
		.forEach(send), true`)
	evalJS[bool](t, ctx, `send({byhand: "set", var: "X", row: 1, col: 1, value: 5}), true`)
	waitJS(t, ctx, 5*time.Second, "a state event with X[1,1] = 5", `((last("state") || {}).link || "").includes("x.X=1.1:5")`)
	if got := innerStep(t, ctx); got != "8 / 18" {
		t.Errorf("after ignored messages the frame is at %q", got)
	}
	// X's step is out of sight in the frame: its numbers are written when
	// the frame is idle.
	if err := pollJS(ctx, 5*time.Second, `inner().querySelector('td.cell[data-m="X"][data-r="0"][data-c="0"] input').value === "5"`); err != nil {
		t.Errorf("set: X[1,1] shows %q", evalJS[string](t, ctx, `inner().querySelector('td.cell[data-m="X"][data-r="0"][data-c="0"] input').value`))
	}
	evalJS[bool](t, ctx, `send({byhand: "mode", mode: "exact"}), true`)
	waitJS(t, ctx, 5*time.Second, "a state event in exact mode", `(last("state") || {}).mode === "exact"`)
	evalJS[bool](t, ctx, `send({byhand: "link"}), true`)
	waitJS(t, ctx, 5*time.Second, "the link event", `!!last("link")`)
	link := evalJS[string](t, ctx, `last("link").link`)
	if !strings.Contains(link, "/byhand/autoencoder?") || !strings.Contains(link, "mode=exact") || !strings.Contains(link, "x.X=1.1:5") {
		t.Errorf("link %q", link)
	}
	evalJS[bool](t, ctx, `send({byhand: "reset"}), true`)
	waitJS(t, ctx, 5*time.Second, "the reset", `inner().querySelector('td.cell[data-m="X"][data-r="0"][data-c="0"] input').value === "1"`)
	// Keys pressed inside the frame step the walkthrough.
	evalJS[bool](t, ctx, `inner().defaultView.focus(), inner().body.focus(), true`)
	evalJS[bool](t, ctx, `inner().defaultView.dispatchEvent(new (inner().defaultView.KeyboardEvent)("keydown", {key: "ArrowLeft", bubbles: true})), true`)
	waitStep(7)

	// A frame told to trust only another origin ignores this parent.
	srv2 := deckServer(t)
	ctx2 := newBrowser(t)
	openHost(t, ctx2, srv2, "origin=https://deck.example&step=3")
	waitJS(t, ctx2, 30*time.Second, "the frame to be ready", `!!inner() && !!inner().body && inner().body.getAttribute("data-ready") === "autoencoder"`)
	evalJS[bool](t, ctx2, `send({byhand: "next"}), send({byhand: "link"}), true`)
	time.Sleep(800 * time.Millisecond)
	if got := innerStep(t, ctx2); got != "3 / 18" {
		t.Errorf("a message from an untrusted origin moved the frame to %q", got)
	}
	if n := evalJS[int](t, ctx2, `got.length`); n != 0 {
		t.Errorf("the frame posted %d events to an untrusted parent", n)
	}
}

// TestEmbedNoUpdateBanner: two embeds loading at once on a first visit
// show no update banner.
func TestEmbedNoUpdateBanner(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	for i := 0; i < 3; i++ {
		srv := deckServer(t)
		ctx := newBrowser(t)
		openHost(t, ctx, srv, "")
		evalJS[bool](t, ctx, `(() => { const f = document.createElement("iframe"); f.id = "g"; f.src = "/byhand/vae?embed=1"; document.body.appendChild(f); return true; })()`)
		waitJS(t, ctx, 30*time.Second, "both frames to be ready", `["f", "g"].every(id => { const d = document.getElementById(id).contentDocument; return d && d.body && d.body.dataset.ready; })`)
		time.Sleep(1500 * time.Millisecond) // the worker installs and takes control meanwhile
		if evalJS[bool](t, ctx, `["f", "g"].some(id => !!document.getElementById(id).contentDocument.querySelector(".update"))`) {
			t.Fatalf("load %d: an embed shows an update banner", i+1)
		}
	}
}
