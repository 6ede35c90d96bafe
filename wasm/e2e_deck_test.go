//go:build !wasm

package main

// End-to-end tests of the reveal.js plugin and its example deck (web/deck).
// reveal.js 5 comes from npm at test time (never from a CDN) and is kept in
// the user's cache. The deck is served from another origin than the site
// and pointed at it with ?site=, Chromium drives it with the keyboard, and
// the test reads the embedded walkthrough's own step counter (#step-count,
// inside the iframe) as well as the events the walkthrough posts to the deck.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The walkthroughs of web/deck/example.html: the autoencoder's steps 2 to 5
// on slide 1, the VAE's steps 5 to 8 (one at a time) on slide 2.
const (
	deckAE, deckAEFirst, deckAELast, deckAESteps = "autoencoder", 2, 5, 18
	deckVAE, deckVAEFirst, deckVAELast           = "vae", 5, 8
	deckFragments                                = deckAELast - deckAEFirst + deckVAELast - deckVAEFirst
)

// TestDeckReveal serves the deck from a second origin, points it at the
// site with ?site=, and steps through it with ArrowRight, Space and
// ArrowLeft: the slide before goes to the embed slide at its range's first
// step, each key steps once, the last step goes on to the next slide, and
// going back re-enters at the last step. A step taken inside the
// walkthrough moves the deck along, and messages from anything but the
// deck's frames are ignored.
func TestDeckReveal(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		ctx := newBrowser(t)
		reveal := deckReveal(t)
		srv := serveSite(t, s)
		deck := httptest.NewServer(deckHandler("/talk/", reveal, nil))
		t.Cleanup(deck.Close)
		deckWatch(t, ctx)
		// A site that is not http(s) is refused: no script in the deck's origin.
		deckOpen(t, ctx, deck.URL+"/talk/example.html?site="+url.QueryEscape("javascript:alert(1)//"))
		if srcs := evalJS[string](t, ctx, `JSON.stringify([...document.querySelectorAll("iframe")].map(f => f.getAttribute("src")))`); srcs != "[null,null]" {
			t.Errorf("?site=javascript:… gave the frames the addresses %s, want none", srcs)
		}
		site := srv.URL + s.Base
		deckOpen(t, ctx, deck.URL+"/talk/example.html?site="+url.QueryEscape(site))

		// The frames point at the site, and tell it the deck's origin.
		srcs := evalJS[[]string](t, ctx, `[...document.querySelectorAll("iframe[data-byhand-src]")].map(f => f.src)`)
		if len(srcs) != 2 || !strings.HasPrefix(srcs[0], site+deckAE+"?embed=1&") || !strings.HasPrefix(srcs[1], site+deckVAE+"?embed=1&") {
			t.Fatalf("iframe addresses %q, want %s%s?embed=1&… and %s%s?embed=1&…", srcs, site, deckAE, site, deckVAE)
		}
		if u, err := url.Parse(srcs[0]); err != nil || u.Query().Get("origin") != deck.URL {
			t.Errorf("iframe %s: origin=%q, want the deck's %s", srcs[0], u.Query().Get("origin"), deck.URL)
		}
		deckFramesReady(t, ctx, srv.URL, deckFragments)
		var ready struct {
			Model, Mode, Link        string
			Step, Steps, First, Last int
		}
		raw := evalJS[string](t, ctx, fmt.Sprintf(`JSON.stringify(__byhandLog.find(x => x.origin === %q && x.data.byhand === "ready" && x.data.model === %q).data)`, srv.URL, deckAE))
		if err := json.Unmarshal([]byte(raw), &ready); err != nil {
			t.Fatalf("the ready event %s: %v", raw, err)
		}
		if ready.Step != deckAEFirst || ready.Steps != deckAESteps || ready.First != deckAEFirst || ready.Last != deckAELast ||
			ready.Mode == "" || !strings.HasPrefix(ready.Link, site+deckAE+"?") {
			t.Errorf("ready event %s: want step %d, steps %d, first %d, last %d, a mode, and a link under %s",
				raw, deckAEFirst, deckAESteps, deckAEFirst, deckAELast, site)
		}

		// Forwards: the title slide, then the autoencoder through its range.
		deckAt(t, ctx, srv.URL, 0, "", 0)
		for i, key := range []string{kb.ArrowRight, kb.ArrowRight, " ", kb.ArrowRight} {
			deckKey(t, ctx, key)
			deckAt(t, ctx, srv.URL, 1, deckAE, deckAEFirst+i)
		}
		// At the range's last step the deck moves on; the VAE starts at its first.
		deckKey(t, ctx, kb.ArrowRight)
		deckAt(t, ctx, srv.URL, 2, deckVAE, deckVAEFirst)
		deckAt(t, ctx, srv.URL, 2, deckAE, deckAELast)
		deckKey(t, ctx, kb.ArrowRight)
		deckAt(t, ctx, srv.URL, 2, deckVAE, deckVAEFirst+1)

		// Backwards: the VAE steps back, then the autoencoder's slide is
		// entered at its last step.
		deckKey(t, ctx, kb.ArrowLeft)
		deckAt(t, ctx, srv.URL, 2, deckVAE, deckVAEFirst)
		deckKey(t, ctx, kb.ArrowLeft)
		deckAt(t, ctx, srv.URL, 1, deckAE, deckAELast)
		deckKey(t, ctx, kb.ArrowLeft)
		deckAt(t, ctx, srv.URL, 1, deckAE, deckAELast-1)

		// A step taken inside the walkthrough (here its parent's "next",
		// as its own → button would) moves the deck's fragments: the next
		// key then leaves the slide.
		evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector('iframe[src*="/%s?"]').contentWindow.postMessage({byhand: "next"}, %q), true`, deckAE, srv.URL))
		deckAt(t, ctx, srv.URL, 1, deckAE, deckAELast)
		waitJS(t, ctx, 5*time.Second, "the deck to show every fragment of the slide", `Reveal.getIndices().f === `+fmt.Sprint(deckAELast-deckAEFirst-1))
		deckKey(t, ctx, kb.ArrowRight)
		deckAt(t, ctx, srv.URL, 2, deckVAE, deckVAEFirst)
		deckKey(t, ctx, kb.ArrowLeft)
		deckAt(t, ctx, srv.URL, 1, deckAE, deckAELast)

		// Messages from anything but the frames change nothing: one the
		// deck posts to itself, claiming to be the autoencoder.
		before := evalJS[string](t, ctx, `JSON.stringify(Reveal.getIndices())`)
		evalJS[bool](t, ctx, fmt.Sprintf(`(() => {
			const ev = {model: %q, steps: %d, first: 1, last: %d, mode: "hand", link: location.href};
			postMessage({...ev, byhand: "ready", step: 1}, "*");
			postMessage({...ev, byhand: "step", step: 2}, "*");
			return true;
		})()`, deckAE, deckAESteps, deckAESteps))
		time.Sleep(400 * time.Millisecond)
		if after := evalJS[string](t, ctx, `JSON.stringify(Reveal.getIndices())`); after != before {
			t.Errorf("a message from the deck itself moved the deck from %s to %s", before, after)
		}
		if n := evalJS[int](t, ctx, `document.querySelectorAll(".byhand-step").length`); n != deckFragments {
			t.Errorf("a message from the deck itself made %d step fragments, want %d", n, deckFragments)
		}
		deckAt(t, ctx, srv.URL, 1, deckAE, deckAELast)

		// Back to the title: the slide left backwards sends its walkthrough
		// to its first step.
		for step := deckAELast - 1; step >= deckAEFirst; step-- {
			deckKey(t, ctx, kb.ArrowLeft)
			deckAt(t, ctx, srv.URL, 1, deckAE, step)
		}
		deckKey(t, ctx, kb.ArrowLeft)
		deckAt(t, ctx, srv.URL, 0, "", 0)
		deckAt(t, ctx, srv.URL, 0, deckAE, deckAEFirst)
	})
}

// TestDeckSameOrigin serves the deck from the site itself (web/deck/):
// without reveal.js beside it, it says so; with it, its walkthroughs are
// found at ../../ (under / and under /byhand/), and a deck opened at its
// end enters them backwards at their last step.
func TestDeckSameOrigin(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		ctx := newBrowser(t)
		reveal := deckReveal(t)
		deckWatch(t, ctx)
		bare := serveSite(t, s)
		if err := within(ctx, 30*time.Second, chromedp.Navigate(bare.URL+s.Prefix+"/web/deck/example.html")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, 10*time.Second, "the deck to say reveal.js is missing",
			`/reveal\.js is missing/.test(document.body.textContent) && typeof Reveal === "undefined"`)

		// Opened at its last slide, the deck's walkthroughs announce
		// themselves on slides behind: going back enters them at their last
		// step.
		srv := httptest.NewServer(deckHandler(s.Prefix+"/web/deck/", reveal, pagesHandler(s.Dir, s.Base)))
		t.Cleanup(srv.Close)
		deckOpen(t, ctx, srv.URL+s.Prefix+"/web/deck/example.html#/3")
		site := srv.URL + s.Base
		if src := evalJS[string](t, ctx, `document.querySelector("iframe[data-byhand-src]").src`); !strings.HasPrefix(src, site+deckAE+"?embed=1&") {
			t.Fatalf("iframe address %s, want %s%s?embed=1&…", src, site, deckAE)
		}
		deckFramesReady(t, ctx, srv.URL, deckFragments)
		deckAt(t, ctx, srv.URL, 3, deckVAE, deckVAELast)
		deckKey(t, ctx, kb.ArrowLeft)
		deckAt(t, ctx, srv.URL, 2, deckVAE, deckVAELast)
		deckKey(t, ctx, kb.ArrowLeft)
		deckAt(t, ctx, srv.URL, 2, deckVAE, deckVAELast-1)
	})
}

// TestDeckTwoOnASlide puts two walkthroughs on one slide of a deck made
// here: the deck steps the first through its range, then the second, and
// back in the reverse order.
func TestDeckTwoOnASlide(t *testing.T) {
	t.Parallel()
	needSite(t)
	s := subSite
	ctx := newBrowser(t)
	reveal := deckReveal(t)
	deckWatch(t, ctx)
	srv := serveSite(t, s)
	const html = `<!doctype html><link rel="stylesheet" href="reveal/dist/reveal.css">
<div class="reveal"><div class="slides"><section>one</section><section>
<iframe data-byhand-src="autoencoder?embed=1&amp;from=2&amp;to=4" style="width:45%;height:400px"></iframe>
<iframe data-byhand-src="vae?embed=1&amp;from=5&amp;to=7" style="width:45%;height:400px"></iframe>
</section><section>three</section></div></div>
<script src="reveal/dist/reveal.js"></script><script src="byhand-reveal.js"></script>
<script>Reveal.initialize({plugins: [ByhandReveal]});</script>`
	mux := http.NewServeMux()
	mux.HandleFunc("/two/two.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, html)
	})
	mux.Handle("/two/", deckHandler("/two/", reveal, nil))
	deck := httptest.NewServer(mux)
	t.Cleanup(deck.Close)
	deckOpen(t, ctx, deck.URL+"/two/two.html?site="+url.QueryEscape(srv.URL+s.Base))
	deckFramesReady(t, ctx, srv.URL, 4)
	// ae and vae: the steps each shows after each key.
	type at struct{ h, ae, vae int }
	check := func(want at) {
		t.Helper()
		deckAt(t, ctx, srv.URL, want.h, deckAE, want.ae)
		deckAt(t, ctx, srv.URL, want.h, deckVAE, want.vae)
	}
	check(at{0, 2, 5})
	for _, want := range []at{{1, 2, 5}, {1, 3, 5}, {1, 4, 5}, {1, 4, 6}, {1, 4, 7}, {2, 4, 7}} {
		deckKey(t, ctx, kb.ArrowRight)
		check(want)
	}
	for _, want := range []at{{1, 4, 7}, {1, 4, 6}, {1, 4, 5}, {1, 3, 5}, {1, 2, 5}, {0, 2, 5}} {
		deckKey(t, ctx, kb.ArrowLeft)
		check(want)
	}
}

// TestDeckFrameOrigin checks the walkthrough's side of origin=: a parent of
// another origin than the one named is neither obeyed nor told anything,
// while a frame naming the parent's origin is.
func TestDeckFrameOrigin(t *testing.T) {
	t.Parallel()
	needSite(t)
	s := subSite
	ctx := newBrowser(t)
	deckWatch(t, ctx)
	srv := serveSite(t, s)
	site := srv.URL + s.Base
	var parent *httptest.Server
	parent = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		frame := func(id, origin string) string {
			return fmt.Sprintf(`<iframe id="%s" src="%s%s?embed=1&amp;origin=%s" style="width:900px;height:300px"></iframe>`,
				id, site, deckAE, url.QueryEscape(origin))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>parent</title>"+frame("mine", parent.URL)+frame("other", "https://deck.example"))
	}))
	t.Cleanup(parent.Close)
	if err := within(ctx, 30*time.Second, chromedp.Navigate(parent.URL+"/")); err != nil {
		t.Fatal(err)
	}
	// Both frames are interactive before anything is sent.
	for _, id := range []string{"mine", "other"} {
		deckPoll(t, 60*time.Second, "frame #"+id+" to be ready", func() (bool, string) {
			ok, err := deckFrameEval[bool](ctx, "#"+id, `document.body.getAttribute("data-ready") === `+fmt.Sprintf("%q", deckAE))
			return err == nil && ok, fmt.Sprint(err)
		})
	}
	evalJS[bool](t, ctx, `["mine", "other"].forEach(id => document.getElementById(id).contentWindow.postMessage({byhand: "goto", step: 4}, "*")), true`)
	deckPoll(t, 10*time.Second, "the frame naming this origin to go to step 4", func() (bool, string) {
		n, err := deckFrameStep(ctx, "#mine")
		return n == 4, fmt.Sprint(n, err)
	})
	time.Sleep(300 * time.Millisecond)
	if n, err := deckFrameStep(ctx, "#other"); n != 1 {
		t.Errorf("the frame naming another origin is at step %d (%v), want 1: it obeyed a parent it does not name", n, err)
	}
	if got := evalJS[string](t, ctx, `JSON.stringify(__byhandLog.map(x => x.data.link || "").filter(l => l.includes("deck.example")))`); got != "[]" {
		t.Errorf("the frame naming another origin posted to this parent: %s", got)
	}
}

// deckReveal installs reveal.js 5 from npm into the user cache once, and
// returns its directory (node_modules/reveal.js). Without npm, or when npm
// fails, the test fails.
func deckReveal(t *testing.T) string {
	t.Helper()
	return npmPackage(t, "reveal", "reveal.js@5", "reveal.js", deckRevealOK)
}

// deckRevealOK says whether dir holds reveal.js 5 with what the deck loads.
func deckRevealOK(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return err
	}
	var p struct{ Version string }
	if err := json.Unmarshal(b, &p); err != nil || !strings.HasPrefix(p.Version, "5.") {
		return fmt.Errorf("%s holds reveal.js %q, want 5.x (%v)", dir, p.Version, err)
	}
	for _, f := range []string{"dist/reveal.js", "dist/reveal.css", "dist/theme/white.css"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	return nil
}

// deckHandler serves reveal.js at prefix+"reveal/", and everything else
// with site, or when site is nil web/deck's files under prefix.
func deckHandler(prefix, reveal string, site http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(prefix+"reveal/", http.StripPrefix(prefix+"reveal/", http.FileServer(http.Dir(reveal))))
	if site != nil {
		mux.Handle("/", site)
	} else {
		mux.Handle(prefix, http.StripPrefix(prefix, http.FileServer(http.Dir("../web/deck"))))
	}
	return mux
}

// deckWatch keeps, in the top window of every page the browser opens, a log
// of the byhand events posted to it (window.__byhandLog: origin and data),
// and prints the console when the test fails.
func deckWatch(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		if (window === window.top) {
			window.__byhandLog = [];
			addEventListener("message", (e) => {
				const d = e.data;
				if (d && typeof d === "object" && typeof d.byhand === "string") window.__byhandLog.push({origin: e.origin, data: d});
			});
		}`})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
	c, cancel := context.WithCancel(ctx)
	messages := chromedp.Console(c)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			lines = append(lines, m.String()+" ("+m.URL+")")
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		if t.Failed() {
			mu.Lock()
			defer mu.Unlock()
			for _, l := range lines {
				t.Log("console:", l)
			}
		}
	})
}

// deckOpen opens the deck and waits for reveal.js to be ready.
func deckOpen(t *testing.T, ctx context.Context, u string) {
	t.Helper()
	if err := within(ctx, 30*time.Second, chromedp.Navigate(u)); err != nil {
		t.Fatalf("opening %s: %v", u, err)
	}
	if err := pollJS(ctx, 20*time.Second, `typeof Reveal !== "undefined" && Reveal.isReady()`); err != nil {
		msg := evalJS[string](t, ctx, `document.body ? document.body.innerText.slice(0, 300) : "no body"`)
		t.Fatalf("the deck at %s never became ready (%v); it says: %s", u, err, msg)
	}
}

// deckFramesReady waits until both walkthroughs (autoencoder and VAE) have
// announced themselves from origin and the plugin has made the deck's
// fragments for their steps.
func deckFramesReady(t *testing.T, ctx context.Context, origin string, fragments int) {
	t.Helper()
	js := fmt.Sprintf(`[%q, %q].every(m => __byhandLog.some(x => x.origin === %q && x.data.byhand === "ready" && x.data.model === m)) &&
		document.querySelectorAll(".byhand-step").length === %d`, deckAE, deckVAE, origin, fragments)
	if err := pollJS(ctx, 90*time.Second, js); err != nil {
		t.Fatalf("the walkthroughs never announced themselves to the deck (%v): fragments %d, events %s", err,
			evalJS[int](t, ctx, `document.querySelectorAll(".byhand-step").length`),
			evalJS[string](t, ctx, `JSON.stringify(__byhandLog.slice(-6))`))
	}
}

// deckKey presses a key on the deck page.
func deckKey(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	if err := within(ctx, 5*time.Second, chromedp.KeyEvent(key)); err != nil {
		t.Fatalf("pressing %q: %v", key, err)
	}
}

// deckAt waits until the deck shows slide h and, unless model is "", the
// walkthrough of model both shows step (its #step-count) and last told the
// deck so.
func deckAt(t *testing.T, ctx context.Context, origin string, h int, model string, step int) {
	t.Helper()
	what := fmt.Sprintf("slide %d", h)
	if model != "" {
		what += fmt.Sprintf(" with the %s at step %d", model, step)
	}
	told := fmt.Sprintf(`(() => {
		const l = __byhandLog.filter(x => x.origin === %q && x.data.model === %q && Number.isInteger(x.data.step));
		return l.length ? l[l.length - 1].data.step : -1;
	})()`, origin, model)
	deckPoll(t, 10*time.Second, what, func() (bool, string) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		at, err := chromedp.Run(c, chromedp.Evaluate[int](`Reveal.getIndices().h`))
		if err != nil || at != h || model == "" {
			return err == nil && at == h, fmt.Sprintf("slide %d (%v)", at, err)
		}
		shown, ferr := deckFrameStep(ctx, fmt.Sprintf(`iframe[src*="/%s?"]`, model))
		said, err := chromedp.Run(c, chromedp.Evaluate[int](told))
		return shown == step && said == step, fmt.Sprintf("slide %d, the frame shows step %d (%v) and last told step %d (%v)", at, shown, ferr, said, err)
	})
}

// deckPoll calls f until it says true, and fails the test after d with the
// last state f described.
func deckPoll(t *testing.T, d time.Duration, what string, f func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, state := f()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %v for %s: %s", d, what, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var deckStepCount = regexp.MustCompile(`(\d+)\s*/\s*(\d+)`)

// deckFrameStep reads the step a walkthrough frame shows in its
// #step-count ("Step 3 / 18"); -1 when there is none.
func deckFrameStep(ctx context.Context, frame string) (int, error) {
	text, err := deckFrameEval[string](ctx, frame, `(document.getElementById("step-count") || {}).textContent || ""`)
	if err != nil {
		return -1, err
	}
	m := deckStepCount.FindStringSubmatch(text)
	if m == nil {
		return -1, fmt.Errorf("#step-count reads %q", text)
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n, nil
}

// deckFrameEval evaluates js inside the iframe that the CSS selector frame
// finds in the page, in an isolated world of that frame (same DOM, its own
// globals). The frame may be of another origin: 127.0.0.1 on another port
// is the same site, so it runs in the page's own renderer.
func deckFrameEval[T any](ctx context.Context, frame, js string) (T, error) {
	var zero T
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	el, err := chromedp.Run(c, chromedp.Evaluate[*runtime.RemoteObject](fmt.Sprintf(`document.querySelector(%q)`, frame)))
	if err != nil || el == nil || el.ObjectID == "" {
		return zero, fmt.Errorf("no frame %s (%v)", frame, err)
	}
	node, err := chromedp.Call(c, dom.DescribeNode, dom.DescribeNodeParams{ObjectID: el.ObjectID})
	if err != nil || node.Node == nil || node.Node.FrameID == "" {
		return zero, fmt.Errorf("%s is not a frame (%v)", frame, err)
	}
	w, err := chromedp.Call(c, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: node.Node.FrameID, WorldName: "byhand-e2e"})
	if err != nil {
		return zero, err
	}
	return chromedp.Run(c, chromedp.Evaluate[T](js, func(p *runtime.EvaluateParams) { p.ContextID = w.ExecutionContextID }))
}
