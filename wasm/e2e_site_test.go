//go:build !wasm

package main

// End-to-end tests of the built site without the UI: routes, precache, manifest and icons, versions, offline.

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRoutesPrerendered checks that every route answers 200 with a
// pre-rendered <title> and body, and that GitHub Pages' redirects and 404s
// hold.
func TestRoutesPrerendered(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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

// TestOffline visits the home page, waits for the service worker to be
// active with its cache filled, stops the server, and then reloads the
// page and opens another page never visited.
func TestOffline(t *testing.T) {
	t.Parallel()
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
		paths := s.Paths[1:]
		if s != rootSite {
			paths = sampledPaths(t, s)[1:] // the root site opens every page offline
		}
		for _, p := range paths {
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
