//go:build !wasm

package main

// End-to-end tests: the wasm and the static site are built once (at the
// root and under /byhand/), served like GitHub Pages by httptest, and
// driven in headless Chromium with chromedp. The UI tests follow the DOM
// contract of the pages (data-ready, section.step, td.cell, #explain, …).
//
// They run when Chromium is installed (BYHAND_E2E=1 makes a missing
// Chromium an error) and are skipped with -short.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ui "github.com/byhand/byhand/app"
	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var (
	rootSite, subSite *site  // built by TestMain
	wasmFile          string // the built app.wasm
	e2eTmp            string
	siteSkip          string // why the built-site tests are skipped
	browserSkip       string // why the browser tests are skipped
	chromiumPath      string
)

func TestMain(m *testing.M) {
	flag.Parse()
	ui.Register()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if testing.Short() {
		siteSkip, browserSkip = "-short", "-short"
		return m.Run()
	}
	chromiumPath = findChromium()
	if chromiumPath == "" {
		if os.Getenv("BYHAND_E2E") == "1" {
			fmt.Fprintln(os.Stderr, "e2e: Chromium not found: apt-get install -y chromium fonts-noto-cjk")
			return 1
		}
		browserSkip = "Chromium not found (apt-get install chromium)"
	}
	var err error
	e2eTmp, err = os.MkdirTemp("", "byhand-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(e2eTmp)
	start := time.Now()
	wasmFile = filepath.Join(e2eTmp, "app.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasmFile, ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the wasm:", err)
		return 1
	}
	for _, b := range []struct {
		s    **site
		base string
	}{{&rootSite, "/"}, {&subSite, "/byhand/"}} {
		s, err := buildSite(buildOptions{
			Out: filepath.Join(e2eTmp, strings.Trim(b.base, "/")+"site"), Base: b.base,
			Version: "e2e", Wasm: wasmFile, Web: "../web",
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building the site:", err)
			return 1
		}
		*b.s = s
	}
	fmt.Fprintf(os.Stderr, "e2e: built wasm and sites in %v\n", time.Since(start).Round(time.Millisecond))
	return m.Run()
}

func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

func needSite(t *testing.T) {
	t.Helper()
	if siteSkip != "" {
		t.Skip(siteSkip)
	}
}

func needBrowser(t *testing.T) {
	t.Helper()
	needSite(t)
	if browserSkip != "" {
		t.Skip(browserSkip)
	}
}

// sites runs f on the site at the root and on the one under /byhand/.
func sites(t *testing.T, f func(t *testing.T, s *site)) {
	needSite(t)
	t.Run("root", func(t *testing.T) { f(t, rootSite) })
	t.Run("byhand", func(t *testing.T) { f(t, subSite) })
}

// serveSite serves s like GitHub Pages until the test ends.
func serveSite(t *testing.T, s *site) *httptest.Server {
	srv := httptest.NewServer(pagesHandler(s.Dir, s.Base))
	t.Cleanup(srv.Close)
	return srv
}

// pageURL is the address of page path p ("/", "/vae") of s on srv.
func pageURL(srv *httptest.Server, s *site, p string) string {
	if p == "/" {
		return srv.URL + s.Base
	}
	return srv.URL + s.Prefix + p
}

// readyName is the data-ready value of page path p.
func readyName(p string) string {
	if p == "/" {
		return "home"
	}
	return strings.TrimPrefix(p, "/")
}

// newBrowser starts Chromium with a fresh profile for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	needBrowser(t)
	return startBrowser(t, t.TempDir())
}

func startBrowser(t testing.TB, profile string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// Start the browser before anything subscribes to its events.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// within runs actions with a time limit.
func within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(c, steps...)
}

// evalJS evaluates a JavaScript expression (awaiting a promise) in the page.
func evalJS[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %.200s: %v", js, err)
	}
	return v
}

// waitJS evaluates a boolean expression until it is true, across
// navigations, and fails the test after d.
func waitJS(t testing.TB, ctx context.Context, d time.Duration, what, js string) {
	t.Helper()
	if err := pollJS(ctx, d, js); err != nil {
		t.Fatalf("waiting %v for %s: %v", d, what, err)
	}
}

func pollJS(ctx context.Context, d time.Duration, js string) error {
	deadline := time.Now().Add(d)
	var last error
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("timed out (last error: %v)", last)
			}
			return fmt.Errorf("timed out")
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// waitReady waits until body has data-ready = name.
func waitReady(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	got := ""
	if err := pollJS(ctx, 30*time.Second, fmt.Sprintf(`!!document.body && document.body.getAttribute("data-ready") === %q`, name)); err != nil {
		got, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? String(document.body.getAttribute("data-ready")) : "no body"`))
		t.Fatalf("page never became ready as %q (data-ready=%q): %v", name, got, err)
	}
}

// open navigates to url, checks the answer is 200 and waits for data-ready.
func open(t testing.TB, ctx context.Context, url, ready string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	resp, err := chromedp.Run(c, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	if resp != nil && resp.Status != 200 {
		t.Fatalf("opening %s: HTTP %d", url, resp.Status)
	}
	waitReady(t, ctx, ready)
}

// ---------------------------------------------------------------------------
// The site, without a browser.

// TestRoutesPrerendered checks that every route answers 200 with a
// pre-rendered <title> and body, and that GitHub Pages' redirects and 404s
// hold.
func TestRoutesPrerendered(t *testing.T) {
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		title := regexp.MustCompile(`<title>([^<]+)</title>`)
		anchor := regexp.MustCompile(`<a\b[^>]*\bhref="([^"]*)"`)
		for _, p := range s.Paths {
			res, body := get(t, pageURL(srv, s, p))
			if res.StatusCode != 200 {
				t.Errorf("%s: HTTP %d", p, res.StatusCode)
				continue
			}
			if m := title.FindStringSubmatch(body); m == nil || strings.TrimSpace(m[1]) == "" {
				t.Errorf("%s: no pre-rendered <title>", p)
			}
			if !strings.Contains(body, "<main") && !strings.Contains(body, "<h1") {
				t.Errorf("%s: the body is not pre-rendered", p)
			}
			// Every link of the pre-rendered page leads somewhere.
			here, _ := url.Parse(pageURL(srv, s, p))
			for _, m := range anchor.FindAllStringSubmatch(body, -1) {
				u, err := here.Parse(html.UnescapeString(m[1]))
				if err != nil || u.Host != here.Host {
					continue
				}
				if res, err := http.Get(u.String()); err != nil || res.StatusCode != 200 {
					t.Errorf("%s: link href=%q (%s) is broken", p, m[1], u)
				} else {
					res.Body.Close()
				}
			}
		}
		if s.Prefix != "" {
			res, _ := get(t, srv.URL+s.Prefix)
			if res.StatusCode != 301 || res.Header.Get("Location") != s.Base {
				t.Errorf("%s: HTTP %d to %q, want 301 to %s", s.Prefix, res.StatusCode, res.Header.Get("Location"), s.Base)
			}
		}
		if res, _ := get(t, srv.URL+s.Prefix+"/no-such-page"); res.StatusCode != 404 {
			t.Errorf("/no-such-page: HTTP %d, want 404", res.StatusCode)
		}
	})
}

// get fetches url without following redirects.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, res.Body); err != nil {
		t.Fatal(err)
	}
	return res, b.String()
}

// TestPrecacheListServed checks that every URL the service worker
// precaches answers 200 without a redirect (one failure would make its
// install fail), that the worker lists them all and names its cache by
// version, and that every route is precached.
func TestPrecacheListServed(t *testing.T) {
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		_, worker := get(t, srv.URL+s.Prefix+"/app-worker.js")
		if !strings.Contains(worker, `const version = "`+s.Version+`"`) {
			t.Errorf("app-worker.js does not carry version %s", s.Version)
		}
		for _, u := range s.Precache {
			res, _ := get(t, srv.URL+u)
			if res.StatusCode != 200 {
				t.Errorf("precached %s: HTTP %d", u, res.StatusCode)
			}
			if !strings.Contains(worker, `"`+u+`"`) {
				t.Errorf("app-worker.js does not list %s", u)
			}
		}
		for _, p := range s.Paths {
			if !slices.Contains(s.Precache, s.Prefix+p) {
				t.Errorf("route %s is not precached", p)
			}
		}
	})
}

// TestManifestAndIcons checks the manifest (scope and start URL under the
// base, icons that exist at their stated size) and the links in each page,
// and that nothing in the site points at a remote URL.
func TestManifestAndIcons(t *testing.T) {
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		res, body := get(t, srv.URL+s.Prefix+"/manifest.webmanifest")
		if res.StatusCode != 200 {
			t.Fatalf("manifest: HTTP %d", res.StatusCode)
		}
		var m struct {
			Scope, StartURL string
			Icons           []struct{ Src, Sizes, Type, Purpose string }
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			t.Fatal(err)
		}
		m.Scope, _ = raw["scope"].(string)
		m.StartURL, _ = raw["start_url"].(string)
		icons, _ := json.Marshal(raw["icons"])
		json.Unmarshal(icons, &m.Icons)
		if m.Scope != s.Base || m.StartURL != s.Base {
			t.Errorf("manifest scope %q start_url %q, want %s", m.Scope, m.StartURL, s.Base)
		}
		var maskable bool
		for _, ic := range m.Icons {
			res, body := get(t, srv.URL+ic.Src)
			if res.StatusCode != 200 {
				t.Errorf("icon %s: HTTP %d", ic.Src, res.StatusCode)
				continue
			}
			if ic.Type != "image/png" {
				continue
			}
			cfg, err := png.DecodeConfig(strings.NewReader(body))
			if err != nil {
				t.Errorf("icon %s: %v", ic.Src, err)
				continue
			}
			if got := fmt.Sprintf("%dx%d", cfg.Width, cfg.Height); got != ic.Sizes {
				t.Errorf("icon %s is %s, manifest says %s", ic.Src, got, ic.Sizes)
			}
			maskable = maskable || ic.Purpose == "maskable"
		}
		if len(m.Icons) < 2 || !maskable {
			t.Errorf("manifest icons: %+v", m.Icons)
		}
		link := regexp.MustCompile(`<link\b[^>]*>`)
		rel := regexp.MustCompile(`\brel="([^"]+)"`)
		href := regexp.MustCompile(`\bhref="([^"]+)"`)
		for _, p := range s.Paths {
			_, page := get(t, pageURL(srv, s, p))
			found := map[string]bool{}
			for _, l := range link.FindAllString(page, -1) {
				r, h := rel.FindStringSubmatch(l), href.FindStringSubmatch(l)
				if r == nil || h == nil || (r[1] != "manifest" && r[1] != "icon" && r[1] != "apple-touch-icon") {
					continue
				}
				found[r[1]] = true
				if res, _ := get(t, srv.URL+h[1]); res.StatusCode != 200 {
					t.Errorf("%s: <link rel=%s href=%s>: HTTP %d", p, r[1], h[1], res.StatusCode)
				}
			}
			if len(found) != 3 {
				t.Errorf("%s: links found %v, want manifest, icon and apple-touch-icon", p, found)
			}
		}
		// No remote URL: only Go's comment in wasm_exec.js may name one.
		remote := regexp.MustCompile(`https?://[^\s"'<>)]*`)
		files, _ := filepath.Glob(filepath.Join(s.Dir, "*"))
		for _, f := range files {
			if ext := filepath.Ext(f); ext != ".html" && ext != ".js" && ext != ".webmanifest" && ext != ".css" {
				continue
			}
			b, _ := os.ReadFile(f)
			for i, line := range strings.Split(string(b), "\n") {
				if !remote.MatchString(line) {
					continue
				}
				if filepath.Base(f) == "wasm_exec.js" && strings.HasPrefix(strings.TrimSpace(line), "//") {
					continue
				}
				t.Errorf("%s:%d names a remote URL: %s", filepath.Base(f), i+1, strings.TrimSpace(line))
			}
		}
	})
}

// TestVersionPerBuild checks that a build whose wasm differs gets another
// version (and so another worker and cache), and that an identical build
// keeps its version.
func TestVersionPerBuild(t *testing.T) {
	needSite(t)
	same, err := buildSite(buildOptions{Out: t.TempDir(), Base: "/", Version: "e2e", Wasm: wasmFile, Web: "../web"})
	if err != nil {
		t.Fatal(err)
	}
	if same.Version != rootSite.Version {
		t.Errorf("identical builds: versions %s and %s", same.Version, rootSite.Version)
	}
	changed := filepath.Join(t.TempDir(), "app.wasm")
	b, err := os.ReadFile(wasmFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(changed, append(b, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := buildSite(buildOptions{Out: t.TempDir(), Base: "/", Version: "e2e", Wasm: changed, Web: "../web"})
	if err != nil {
		t.Fatal(err)
	}
	if other.Version == rootSite.Version {
		t.Errorf("a changed wasm kept version %s", other.Version)
	}
	w1, _ := os.ReadFile(filepath.Join(rootSite.Dir, "app-worker.js"))
	w2, _ := os.ReadFile(filepath.Join(other.Dir, "app-worker.js"))
	if string(w1) == string(w2) {
		t.Error("a changed wasm left app-worker.js unchanged: browsers would not update")
	}
	if rootSite.Version == subSite.Version {
		t.Errorf("root and /byhand/ builds share version %s", rootSite.Version)
	}
}

// ---------------------------------------------------------------------------
// Offline.

// TestOffline visits the home page, waits for the service worker to be
// active with its cache filled, stops the server, and then reloads the
// page and opens another page never visited.
func TestOffline(t *testing.T) {
	sites(t, func(t *testing.T, s *site) {
		srv := httptest.NewServer(pagesHandler(s.Dir, s.Base))
		defer srv.Close()
		ctx := newBrowser(t)
		open(t, ctx, pageURL(srv, s, "/"), "home")
		waitPrecached(t, ctx, s)
		srv.Close()
		if _, err := http.Get(srv.URL + s.Base); err == nil {
			t.Fatal("the server still answers after Close")
		}
		if err := within(ctx, 30*time.Second, chromedp.Reload()); err != nil {
			t.Fatalf("reloading offline: %v", err)
		}
		waitReady(t, ctx, "home")
		for _, p := range s.Paths[1:] {
			open(t, ctx, pageURL(srv, s, p), readyName(p))
		}
		// The bare prefix (/byhand, which GitHub Pages redirects to
		// /byhand/) cannot open offline: it lies outside the worker's scope.
	})
}

// waitPrecached waits until the page is controlled by an activated worker
// of this version whose cache holds exactly the precache list.
func waitPrecached(t *testing.T, ctx context.Context, s *site) {
	t.Helper()
	want, _ := json.Marshal(s.Precache)
	cache, _ := json.Marshal("byhand:" + s.Prefix + "/:" + s.Version)
	js := fmt.Sprintf(`(async () => {
		const reg = await navigator.serviceWorker.getRegistration();
		if (!reg || !reg.active || reg.active.state !== "activated" || !navigator.serviceWorker.controller) return false;
		if (!(await caches.has(%s))) return false;
		const c = await caches.open(%s);
		const got = (await c.keys()).map(r => new URL(r.url).pathname).sort();
		const want = %s.slice().sort();
		return JSON.stringify(got) === JSON.stringify(want);
	})()`, cache, cache, want)
	if err := pollJS(ctx, 60*time.Second, js); err != nil {
		state := evalJS[string](t, ctx, `(async () => {
			const reg = await navigator.serviceWorker.getRegistration();
			const out = {active: reg && reg.active && reg.active.state, controlled: !!navigator.serviceWorker.controller, caches: {}};
			for (const k of await caches.keys()) out.caches[k] = (await (await caches.open(k)).keys()).map(r => r.url);
			return JSON.stringify(out);
		})()`)
		t.Fatalf("the worker never precached %d files: %v; state %s", len(s.Precache), err, state)
	}
}

// ---------------------------------------------------------------------------
// UI tests against the DOM contract.

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
	if err := within(ctx, 10*time.Second, chromedp.KeyEvent(kb.End)); err != nil {
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
	out := map[cellKey]string{}
	for k := range keys {
		m := tr.Matrix(k.M)
		if m == nil {
			t.Errorf("the page shows matrix %q, which the trace does not have", k.M)
			continue
		}
		rows, cols := m.Dims()
		switch {
		case k.R == rows && k.C < cols:
			out[k] = "1" // the row of 1s under a folded-bias product
		case k.R < 0 || k.C < 0 || k.R >= rows || k.C >= cols:
			t.Errorf("cell %v is outside %s's %d×%d", k, k.M, rows, cols)
		default:
			out[k] = engine.Format(m.At(k.R, k.C))
		}
	}
	return out
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

// TestUIEditWeight types a new value into W1[0,0] and checks every cell on
// the page against the engine, and that exactly the cells the engine
// changes changed.
// TestUIEditWeight edits the first weight of every page's exercise (half a
// step up) and checks every number on the page against the engine, and
// that exactly the cells the engine changes changed.
func TestUIEditWeight(t *testing.T) {
	for _, model := range engine.Models() {
		t.Run(model.Info().Slug, func(t *testing.T) { checkEditWeight(t, model.Info().Slug) })
	}
}

func checkEditWeight(t *testing.T, slug string) {
	ctx, m, mode := uiTest(t, slug)
	st := m.Exercise()
	var w *engine.Var
	for _, v := range st.Vars {
		if v.Role == engine.RoleParameter {
			w = v
			break
		}
	}
	if w == nil {
		t.Fatalf("%s has no weight", slug)
	}
	// A trace shares its inputs' numbers with the state: run on a copy.
	before := m.Run(st.Clone(), mode)
	showAll(t, ctx, len(before.Steps))
	page0 := pageCells(t, ctx)
	diffCells(t, "before the edit", page0, engineCells(t, before, page0))

	value := w.Data.At(0, 0) + 0.5
	// Typed on a keyboard: an ASCII minus, not the "−" the page prints.
	typeInto(t, ctx, cellSel(w.ID, 0, 0)+" input.cell-input", strings.ReplaceAll(engine.Format(value), "−", "-"))
	if err := st.Set(w.ID, 0, 0, value); err != nil {
		t.Fatal(err)
	}
	after := m.Run(st, mode)
	waitJS(t, ctx, 5*time.Second, w.ID+"[0,0] to show the new value",
		fmt.Sprintf(`document.querySelector(%q).dataset.v === %q`, cellSel(w.ID, 0, 0), engine.Format(value)))
	settle(t, ctx)
	page1 := pageCells(t, ctx)
	want1 := engineCells(t, after, page1)
	diffCells(t, "after the edit", page1, want1)
	if got, want := changedKeys(page0, page1), changedKeys(engineCells(t, before, page1), want1); !slices.Equal(got, want) {
		t.Errorf("cells changed on the page:\n%v\nthe engine changes:\n%v", got, want)
	}
}

// typeInto focuses an input, selects its text, types text and presses Enter.
func typeInto(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	ok := evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.scrollIntoView({block: "center", behavior: "instant"}); el.focus(); el.select(); return document.activeElement === el; })()`, sel))
	if !ok {
		t.Fatalf("cannot focus %s", sel)
	}
	if err := within(ctx, 10*time.Second, chromedp.KeyEvent(text), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
}

// TestUIBadEntry: text that is not a finite number shows .cell-error and
// changes no number on the page.
func TestUIBadEntry(t *testing.T) {
	ctx, m, mode := uiTest(t, "autoencoder")
	showAll(t, ctx, len(m.Run(m.Exercise(), mode).Steps))
	sel := cellSel("W1", 0, 0) + " input.cell-input"
	original := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, sel))
	for _, bad := range []string{"abc", "1e400", "NaN"} {
		t.Run(bad, func(t *testing.T) {
			page0 := pageCells(t, ctx)
			// Set the whole text at once (as a paste does): typed key by key,
			// "1e400" passes through numbers such as 1e40 that do parse.
			setInput(t, ctx, sel, bad)
			waitJS(t, ctx, 5*time.Second, "a .cell-error with a message",
				`[...document.querySelectorAll(".cell-error")].some(e => e.textContent.trim() !== "")`)
			settle(t, ctx)
			if d := changedKeys(page0, pageCells(t, ctx)); len(d) > 0 {
				t.Errorf("%q changed %v", bad, d)
			}
			setInput(t, ctx, sel, original)
			settle(t, ctx)
		})
	}
}

// setInput sets an input's text at once and sends input and change events.
func setInput(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	ok := evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.focus(); el.value = %q;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return true; })()`, sel, text))
	if !ok {
		t.Fatalf("no %s", sel)
	}
}

// TestUIExplain: hovering, then focusing, a computed cell shows its
// formula in #explain and marks its source cells.
func TestUIExplain(t *testing.T) {
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

// TestUIPages: every page of both sites loads and becomes ready.
func TestUIPages(t *testing.T) {
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		ctx := newBrowser(t)
		for _, p := range s.Paths {
			open(t, ctx, pageURL(srv, s, p), readyName(p))
			if title := evalJS[string](t, ctx, `document.title`); strings.TrimSpace(title) == "" {
				t.Errorf("%s: empty document.title", p)
			}
		}
	})
}

// TestUIResample: on the VAE page, resampling the noise changes the
// reconstruction Y.
func TestUIResample(t *testing.T) {
	ctx, m, mode := uiTest(t, "vae")
	showAll(t, ctx, len(m.Run(m.Exercise(), mode).Steps))
	y := func() string {
		return evalJS[string](t, ctx, `[...document.querySelectorAll('td.cell[data-m="Y"]')].map(td => td.dataset.v).join(" ")`)
	}
	y0 := y()
	if y0 == "" {
		t.Fatal("no Y cells on the VAE page")
	}
	click(t, ctx, "button#resample")
	js := fmt.Sprintf(`[...document.querySelectorAll('td.cell[data-m="Y"]')].map(td => td.dataset.v).join(" ") !== %q`, y0)
	if err := pollJS(ctx, 5*time.Second, js); err != nil {
		t.Errorf("Y stayed %q after #resample", y0)
	}
}

// TestUITrain: training 50 steps lowers the loss on each trainable model.
func TestUITrain(t *testing.T) {
	for _, slug := range []string{"autoencoder", "vae", "clip", "dit"} {
		t.Run(slug, func(t *testing.T) {
			ctx, _, _ := uiTest(t, slug)
			loss := func() float64 {
				s := evalJS[string](t, ctx, `(document.querySelector("#loss") || {dataset: {}}).dataset.v || ""`)
				if s == "" {
					return math.NaN() // undefined: not a number
				}
				v, err := engine.ParseNumber(s)
				if err != nil {
					t.Fatalf("#loss data-v = %q: %v", s, err)
				}
				return v
			}
			l0 := loss()
			if math.IsNaN(l0) {
				t.Fatal("#loss has no data-v before training")
			}
			setInput(t, ctx, "input#train-n", "50")
			click(t, ctx, "button#train")
			l0s := engine.Format(l0)
			waitJS(t, ctx, 60*time.Second, "training to end", fmt.Sprintf(`(() => {
				const b = document.querySelector("button#train"), l = document.querySelector("#loss");
				return !document.body.hasAttribute("data-training") && b && !b.disabled && l && l.dataset.v !== %q; })()`, l0s))
			if l1 := loss(); math.IsNaN(l1) {
				t.Errorf("the loss (was %v) is undefined after 50 steps: training diverged", l0)
			} else if !(l1 < l0) {
				t.Errorf("loss %v after 50 steps, was %v", l1, l0)
			}
		})
	}
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
			if p != "/" {
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

// TestUIRoundTrip edits a weight through values that change only numbers,
// that strike out new negatives, and that overflow (steps undefined, then
// waiting), then back again. After each edit every cell's value and its
// visible text must agree with the engine: numbers patched in place and
// cards redrawn by go-app must never disagree.
func TestUIRoundTrip(t *testing.T) {
	ctx, m, mode := uiTest(t, "autoencoder")
	st := m.Exercise()
	showAll(t, ctx, len(m.Run(st.Clone(), mode).Steps))
	sel := cellSel("W1", 0, 0) + " input.cell-input"
	for _, v := range []float64{2, -3, 1e300, 1e308, 2.5, 1} {
		text := strconv.FormatFloat(v, 'g', -1, 64)
		setInput(t, ctx, sel, text)
		if err := st.Set("W1", 0, 0, v); err != nil {
			t.Fatal(err)
		}
		evalJS[bool](t, ctx, `document.activeElement.blur(), true`)
		settle(t, ctx)
		tr := m.Run(st.Clone(), mode)
		page := pageCells(t, ctx)
		want := engineCells(t, tr, page)
		for k := range want {
			// A step waiting on an undefined one shows no numbers.
			if s := stepOf(tr, k.M); s != nil && s.WaitsOn != "" {
				delete(want, k)
				delete(page, k)
			}
		}
		diffCells(t, "after W1[0,0] = "+text, page, want)
		// What a reader sees matches data-v: the value, "—" when undefined.
		bad := evalJS[string](t, ctx, `(() => {
			for (const td of document.querySelectorAll("td.cell[data-m]")) {
				const inp = td.querySelector("input");
				const shown = inp ? inp.value : (td.children.length === 2 ? td.children[1].textContent : td.textContent);
				const want = (td.dataset.v ?? "") === "" ? "—" : td.dataset.v;
				if (shown !== want && !(inp && want === "—" && shown === "")) return td.id + " shows " + shown + ", data-v " + td.dataset.v;
				if (!inp && td.children.length === 2 && (td.children[0].textContent !== "") !== td.classList.contains("struck"))
					return td.id + " strike and class disagree";
			}
			return "";
		})()`)
		if bad != "" {
			t.Errorf("after W1[0,0] = %s: %s", text, bad)
		}
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

// TestUIPrefsRemembered: the language and theme chosen on one page are
// there on the next; stored values that mean nothing are ignored.
func TestUIPrefsRemembered(t *testing.T) {
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

// TestUIScrub: dragging sideways on an input changes its value by one
// step per 12 pixels, and the steps after it follow.
func TestUIScrub(t *testing.T) {
	ctx, m, mode := uiTest(t, "autoencoder")
	st := m.Exercise()
	showAll(t, ctx, len(m.Run(st.Clone(), mode).Steps))
	sel := cellSel("W1", 0, 0) + " input.cell-input"
	got := evalJS[string](t, ctx, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		el.scrollIntoView({block: "center", behavior: "instant"});
		const r = el.getBoundingClientRect(), x = r.left + 5, y = r.top + r.height / 2;
		const ev = (type, dx) => el.dispatchEvent(new PointerEvent(type, {bubbles: true, clientX: x + dx, clientY: y, pointerId: 1, isPrimary: true}));
		ev("pointerdown", 0); ev("pointermove", 10); ev("pointermove", 30); ev("pointerup", 30);
		return el.value;
	})()`, sel))
	// Hand mode: 1 + trunc(30/12)·1 = 3.
	if got != "3" {
		t.Fatalf("after a 30 px drag W1[0,0] shows %q, want 3", got)
	}
	if err := st.Set("W1", 0, 0, 3); err != nil {
		t.Fatal(err)
	}
	settle(t, ctx)
	page := pageCells(t, ctx)
	diffCells(t, "after the drag", page, engineCells(t, m.Run(st, mode), page))
}

// TestUIModeSwitch: switching the DiT page to exact arithmetic adds its
// scaled-scores step and shows every number as the engine computes it in
// exact mode; switching back restores hand mode's.
func TestUIModeSwitch(t *testing.T) {
	ctx, m, _ := uiTest(t, "dit")
	for _, mode := range []engine.Mode{engine.Exact, engine.Hand} {
		evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector("button[data-mode=%s]").click(), true`, mode))
		waitJS(t, ctx, 5*time.Second, "the "+mode.String()+" button pressed",
			fmt.Sprintf(`document.querySelector("button[data-mode=%s]").getAttribute("aria-pressed") === "true"`, mode))
		tr := m.Run(m.Exercise(), mode)
		showAll(t, ctx, len(tr.Steps))
		settle(t, ctx)
		if n := evalJS[int](t, ctx, `document.querySelectorAll("section.step").length`); n != len(tr.Steps) {
			t.Errorf("%s: %d steps on the page, the engine has %d", mode, n, len(tr.Steps))
		}
		page := pageCells(t, ctx)
		diffCells(t, mode.String()+" mode", page, engineCells(t, tr, page))
	}
}

// TestUIPresent: the presentation mode shows the current step alone, in
// larger type, and ← → still step.
func TestUIPresent(t *testing.T) {
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
