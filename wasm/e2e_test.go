//go:build !wasm

package main

// End-to-end tests: the wasm and the static site are built once (at the
// root and under /byhand/), served like GitHub Pages by httptest, and
// driven in headless Chromium with chromedp. The UI tests follow the DOM
// contract of the pages (data-ready, section.step, td.cell, #explain, …).
//
// The tests are split by concern: the built site and offline
// (e2e_site_test.go), the DOM contract (e2e_dom_test.go), editing
// (e2e_edit_test.go), training (e2e_train_test.go), the page state
// (e2e_state_test.go), embeds and deck messages (e2e_embed_test.go), the
// reveal.js deck (e2e_deck_test.go), exports (e2e_export_test.go) and the
// not-found page and titles (e2e_notfound_test.go); this file builds the
// site and holds the helpers they share.
//
// They run when Chromium is installed (BYHAND_E2E=1 makes a missing
// Chromium an error) and are skipped with -short.

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ui "github.com/byhand/byhand/app"
	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
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

// patience stretches every time limit of the browser tests: they run two
// at a time, each with its own Chromium, and on a 2-core machine that is
// busy with something else a page can take several times longer than
// usual. A limit only matters when something never happens, so waiting
// longer costs a passing test nothing.
const patience = 3

// within runs actions with a time limit.
func within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	c, cancel := context.WithTimeout(ctx, patience*d)
	defer cancel()
	return chromedp.Do(c, steps...)
}

// evalJS evaluates a JavaScript expression (awaiting a promise) in the page.
func evalJS[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, patience*30*time.Second)
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
		t.Fatalf("waiting %v for %s: %v", patience*d, what, err)
	}
}

func pollJS(ctx context.Context, d time.Duration, js string) error {
	deadline := time.Now().Add(patience * d)
	var last error
	for {
		c, cancel := context.WithTimeout(ctx, patience*5*time.Second)
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

// npmPackage installs an npm package (spec, e.g. "reveal.js@5") into the
// user cache once, under byhand-e2e/<cacheName>, and returns the
// package's directory (node_modules/<name>). ok checks an install. A
// missing npm or a failed install fails the test: it is never skipped.
func npmPackage(t *testing.T, cacheName, spec, name string, ok func(dir string) error) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	root := filepath.Join(cache, "byhand-e2e", cacheName)
	dir := filepath.Join(root, "node_modules", name)
	if ok(dir) == nil {
		return dir
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("this test installs %s with npm, and npm is missing (apt-get install npm): %v", spec, err)
	}
	if err := os.MkdirAll(filepath.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	// Install beside the cache and rename it into place: a run stopped
	// half-way, or another one at the same time, leaves no half install.
	tmp, err := os.MkdirTemp(filepath.Dir(root), cacheName+"-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), []byte(`{"private": true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(c, npm, "install", "--no-audit", "--no-fund", spec)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install %s failed: %v\n%s", spec, err, out)
	}
	if err := ok(filepath.Join(tmp, "node_modules", name)); err != nil {
		t.Fatalf("npm install %s: %v", spec, err)
	}
	os.RemoveAll(root)
	if err := os.Rename(tmp, root); err != nil && ok(dir) != nil {
		t.Fatalf("moving %s into %s: %v", spec, root, err)
	}
	t.Logf("installed %s from npm into %s in %v", spec, root, time.Since(start).Round(time.Millisecond))
	return dir
}

// foundingModels are the five walkthroughs of the founding article, which
// the deep end-to-end tests (hundreds of updates, every step in present
// mode, every cell's round trip) drive; every other walkthrough shares
// their components and gets the lighter TestCatalogueLoadsEditsTrains.
// The test says so in its log.
func foundingModels(t *testing.T) []engine.Model {
	t.Helper()
	var out []engine.Model
	for _, slug := range engine.Founding {
		m := engine.Lookup(slug)
		if m == nil {
			t.Fatalf("founding walkthrough %q is not registered", slug)
		}
		out = append(out, m)
	}
	t.Logf("deep checks on the %d founding walkthroughs; the other %d walkthroughs get TestCatalogueLoadsEditsTrains", len(out), len(engine.Models())-len(out))
	return out
}

// isModelPath reports whether page path p is a walkthrough's page (not the
// home page, the page that opens a teacher's file, nor the print page of
// worksheets).
func isModelPath(p string) bool { return p != "/" && p != "/open" && p != "/print" }

// sampleCatalogue are the catalogue pages the costlier browser checks
// (axe in every theme, tables, titles in two languages, the strict CSP,
// the sub-path site) visit besides the founding walkthroughs: the pages
// whose ops draw differently (sampling, a scan, the largest page, pairs). Every page is loaded, edited and
// trained by TestCatalogueLoadsEditsTrains, and its pre-rendered HTML
// checked by TestTitlePrerendered.
var sampleCatalogue = []string{"temperature", "mamba", "transformer-stack", "alphafold-triangle"}

// sampledPaths are the home page, the open page, the print page, the
// founding walkthroughs and sampleCatalogue, in the site's order; on the
// sub-path site, whose pages differ from the root site's only in their
// prefix, the home, open and print pages and the autoencoder's. The test
// log says so.
func sampledPaths(t *testing.T, s *site) []string {
	t.Helper()
	var out []string
	for _, p := range s.Paths {
		slug := strings.TrimPrefix(p, "/")
		switch {
		case !isModelPath(p), slug == "autoencoder":
			out = append(out, p)
		case s != rootSite:
		case slices.Contains(engine.Founding, slug), slices.Contains(sampleCatalogue, slug):
			out = append(out, p)
		}
	}
	t.Logf("%d of %d pages (home, open, print, the founding walkthroughs and %v); the others share their components", len(out), len(s.Paths), sampleCatalogue)
	return out
}
