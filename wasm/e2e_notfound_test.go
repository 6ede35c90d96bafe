//go:build !wasm

package main

// The site's own not-found page (404.html, and the wasm's page for every
// path that names no page) and the per-page <title>, on the site at the
// root and under /byhand/. They use the sites and the browser of
// e2e_test.go, and skip (saying why) when those are skipped.

import (
	"context"
	"fmt"
	"html"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
)

// missingPage is an address that names no page of the site.
type missingPage struct {
	name   string
	path   string // below the prefix
	status int    // what GitHub Pages answers
}

// missingPages are the addresses that must show the not-found page. GitHub
// Pages answers 404 (with 404.html) for a path it has no file for, and for
// a page's path with a trailing slash (there is no directory); /x.html is
// a file, which it serves with 200: there the wasm shows the not-found
// page, since no route is /x.html.
var missingPages = []missingPage{
	{"unknown", "/no-such-page", 404},
	{"deep", "/no/such/page", 404},
	{"slash", "/autoencoder/", 404},
	{"html", "/autoencoder.html", 200},
}

// titleOf is what the <title> of a page says in lang: the model's name
// and the site's, or for the home page (key "") the site's title.
func titleOf(lang i18n.Lang, key string) string {
	if key == "" {
		return i18n.T(lang, "site.title")
	}
	return i18n.T(lang, key) + " · byhand"
}

// pageTitleKey is the title message key of page path p ("" for home).
func pageTitleKey(t testing.TB, p string) string {
	if p == "/" {
		return ""
	}
	if p == "/open" {
		return "open.title"
	}
	if p == "/print" {
		return "worksheet.title"
	}
	m := engine.Lookup(strings.TrimPrefix(p, "/"))
	if m == nil {
		t.Fatalf("no model for route %s", p)
	}
	return m.Info().Title
}

var titleTag = regexp.MustCompile(`<title>([^<]*)</title>`)

func prerenderedTitle(page string) string {
	if m := titleTag.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// ---------------------------------------------------------------------------
// Without a browser.

// TestNotFoundFileBuilt: the build writes 404.html, the site's own page
// pre-rendered (title, heading, links), whose every resource and link is
// an absolute URL under the site's prefix (GitHub Pages serves it at any
// depth), and the worker precaches it.
func TestNotFoundFileBuilt(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		b, err := os.ReadFile(filepath.Join(s.Dir, "404.html"))
		if err != nil {
			t.Fatalf("no 404.html: %v", err)
		}
		page := string(b)
		if got, want := prerenderedTitle(page), titleOf(i18n.EN, "notfound.doctitle"); got != want {
			t.Errorf("404.html: <title>%s</title>, want %q", got, want)
		}
		if !strings.Contains(page, html.EscapeString(i18n.T(i18n.EN, "notfound.heading"))) {
			t.Error("404.html does not say there is no such page")
		}
		if strings.Contains(page, "goapp-notfound-title") {
			t.Error("404.html is go-app's default not-found page")
		}
		attr := regexp.MustCompile(`\b(href|src)="([^"]*)"`)
		n := 0
		for _, m := range attr.FindAllStringSubmatch(page, -1) {
			n++
			u := html.UnescapeString(m[2])
			if !strings.HasPrefix(u, s.Prefix+"/") || strings.HasPrefix(u, "//") {
				t.Errorf("404.html: %s=%q is not an absolute path under %s", m[1], u, s.Base)
			}
		}
		if n < 8 {
			t.Errorf("404.html has only %d href/src attributes", n)
		}
		home := regexp.MustCompile(`<a\b[^>]*\bid="notfound-home"[^>]*>`).FindString(page)
		if !strings.Contains(home, `href="`+s.Base+`"`) {
			t.Errorf("404.html: the link home is %s, want href=%q", home, s.Base)
		}
		if !slices.Contains(s.Precache, s.Prefix+"/404.html") {
			t.Errorf("the worker does not precache %s/404.html", s.Prefix)
		}
		worker, err := os.ReadFile(filepath.Join(s.Dir, "app-worker.js"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(worker), `const notFoundPage = "`+s.Prefix+`/404.html"`) {
			t.Error("app-worker.js does not name 404.html as its not-found page")
		}
	})
}

// TestNotFoundServed: the GitHub-Pages-like server answers a path that
// names no page with 404.html and status 404, at any depth, and every
// resource 404.html names loads from there; 404.html itself answers 200.
func TestNotFoundServed(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		file, err := os.ReadFile(filepath.Join(s.Dir, "404.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range missingPages {
			res, body := get(t, srv.URL+s.Prefix+m.path)
			if res.StatusCode != m.status {
				t.Errorf("%s: HTTP %d, want %d", m.path, res.StatusCode, m.status)
			}
			if m.status == 404 {
				if body != string(file) {
					t.Errorf("%s: the 404 body is not 404.html (%.80q)", m.path, body)
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s: Content-Type %q", m.path, ct)
				}
			}
		}
		if res, _ := get(t, srv.URL+s.Prefix+"/404.html"); res.StatusCode != 200 {
			t.Errorf("%s/404.html: HTTP %d, want 200", s.Prefix, res.StatusCode)
		}
		// Resolved against a deep address, every resource loads.
		deep, _ := url.Parse(srv.URL + s.Prefix + "/no/such/page")
		src := regexp.MustCompile(`<(?:link|script|img)\b[^>]*\b(?:href|src)="([^"]+)"`)
		for _, m := range src.FindAllStringSubmatch(string(file), -1) {
			u, err := deep.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Errorf("%q: %v", m[1], err)
				continue
			}
			if res, _ := get(t, u.String()); res.StatusCode != 200 {
				t.Errorf("404.html at %s: %s answers %d", deep.Path, u.Path, res.StatusCode)
			}
		}
	})
}

// TestTitlePrerendered: the pre-rendered HTML of each model route has the
// model's English name in <title>, and the home page the site's title.
func TestTitlePrerendered(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		for _, p := range s.Paths {
			res, body := get(t, pageURL(srv, s, p))
			if res.StatusCode != 200 {
				t.Errorf("%s: HTTP %d", p, res.StatusCode)
				continue
			}
			if got, want := prerenderedTitle(body), titleOf(i18n.EN, pageTitleKey(t, p)); got != want {
				t.Errorf("%s: <title>%s</title>, want %q", p, got, want)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// In Chromium.

// setStoredLang stores the language preference as the pages do (go-app
// keeps local storage values as JSON: "\"zh\"").
func setStoredLang(t testing.TB, ctx context.Context, lang i18n.Lang) {
	t.Helper()
	evalJS[bool](t, ctx, fmt.Sprintf(`localStorage.setItem("byhand.lang", JSON.stringify(%q)), true`, string(lang)))
}

// navigate opens url and returns the HTTP status of the answer.
func navigate(t testing.TB, ctx context.Context, url string) int64 {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	resp, err := chromedp.Run(c, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	if resp == nil {
		t.Fatalf("opening %s: no response", url)
	}
	return resp.Status
}

// checkNotFoundShown checks that the page shows the not-found page in
// lang: heading, tab title, document language and language switch.
func checkNotFoundShown(t *testing.T, ctx context.Context, where string, lang i18n.Lang) {
	t.Helper()
	heading, title := i18n.T(lang, "notfound.heading"), titleOf(lang, "notfound.doctitle")
	htmlLang := map[i18n.Lang]string{i18n.EN: "en", i18n.ZH: "zh-Hans"}[lang]
	js := fmt.Sprintf(`(() => { const h = document.querySelector("main#notfound h1");
		return !!h && h.textContent === %q && document.title === %q && document.documentElement.lang === %q &&
			document.querySelector("select#lang").value === %q; })()`, heading, title, htmlLang, string(lang))
	if err := pollJS(ctx, 5*time.Second, js); err != nil {
		got := evalJS[string](t, ctx, `JSON.stringify({h1: (document.querySelector("h1") || {}).textContent, title: document.title,
			lang: document.documentElement.lang, ready: document.body.dataset.ready})`)
		t.Errorf("%s: want the %s not-found page (h1 %q, title %q), got %s", where, lang, heading, title, got)
	}
}

// TestNotFoundUI: an unknown path, a page's path with a trailing slash and
// with .html each show the site's not-found page, in English and in
// Chinese (the stored preference), with the status GitHub Pages gives and
// a link home that works; the page's language switch changes its text
// and title.
func TestNotFoundUI(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		for _, lang := range i18n.Langs {
			t.Run(string(lang), func(t *testing.T) {
				srv := serveSite(t, s)
				ctx := newBrowser(t)
				first := srv.URL + s.Prefix + missingPages[0].path
				navigate(t, ctx, first)
				waitReady(t, ctx, "notfound")
				setStoredLang(t, ctx, lang)
				for _, m := range missingPages {
					u := srv.URL + s.Prefix + m.path
					if status := navigate(t, ctx, u); status != int64(m.status) {
						t.Errorf("%s: HTTP %d, want %d", m.path, status, m.status)
					}
					waitReady(t, ctx, "notfound")
					checkNotFoundShown(t, ctx, m.path, lang)
					if href := evalJS[string](t, ctx, `document.getElementById("notfound-home").href`); href != srv.URL+s.Base {
						t.Errorf("%s: the link home goes to %q, want %q", m.path, href, srv.URL+s.Base)
					}
					// The link home works.
					evalJS[bool](t, ctx, `document.getElementById("notfound-home").click(), true`)
					waitReady(t, ctx, "home")
					if p := evalJS[string](t, ctx, `location.pathname`); p != s.Base {
						t.Errorf("%s: the link home led to %s, want %s", m.path, p, s.Base)
					}
				}
				// The page's own language switch.
				other := i18n.ZH
				if lang == i18n.ZH {
					other = i18n.EN
				}
				navigate(t, ctx, first)
				waitReady(t, ctx, "notfound")
				setInput(t, ctx, "select#lang", string(other))
				checkNotFoundShown(t, ctx, "after switching language", other)
			})
		}
	})
}

// TestNotFoundOffline: once the worker has precached the site, a path that
// names no page still shows the not-found page, with status 404, with the
// server gone.
func TestNotFoundOffline(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		srv := httptest.NewServer(pagesHandler(s.Dir, s.Base))
		defer srv.Close()
		ctx := newBrowser(t)
		open(t, ctx, pageURL(srv, s, "/"), "home")
		waitPrecached(t, ctx, s)
		srv.Close()
		for _, m := range missingPages {
			if status := navigate(t, ctx, srv.URL+s.Prefix+m.path); status != int64(m.status) {
				t.Errorf("offline %s: HTTP %d, want %d", m.path, status, m.status)
			}
			waitReady(t, ctx, "notfound")
			checkNotFoundShown(t, ctx, "offline "+m.path, i18n.EN)
		}
	})
}

// TestTitleUI: every page's tab title names its model (the home page: the
// site) in the page's language: English, then Chinese after switching,
// and Chinese again when the page opens with Chinese stored.
func TestTitleUI(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		srv := serveSite(t, s)
		ctx := newBrowser(t)
		waitTitle := func(p string, lang i18n.Lang, when string) {
			t.Helper()
			want := titleOf(lang, pageTitleKey(t, p))
			if err := pollJS(ctx, 5*time.Second, fmt.Sprintf(`document.title === %q`, want)); err != nil {
				t.Errorf("%s %s: document.title is %q, want %q", p, when, evalJS[string](t, ctx, `document.title`), want)
			}
		}
		// Titles come from one place for every page: the pages of each
		// kind (home, open, print, a founding and a catalogue walkthrough).
		var paths []string
		for _, p := range sampledPaths(t, s) {
			if !isModelPath(p) || p == "/autoencoder" || p == "/temperature" {
				paths = append(paths, p)
			}
		}
		t.Logf("titles of %v", paths)
		for _, p := range paths {
			open(t, ctx, pageURL(srv, s, p), readyName(p))
			setStoredLang(t, ctx, i18n.EN)
			open(t, ctx, pageURL(srv, s, p), readyName(p))
			waitTitle(p, i18n.EN, "in English")
			setInput(t, ctx, "select#lang", "zh")
			waitTitle(p, i18n.ZH, "after switching to 简体中文")
			open(t, ctx, pageURL(srv, s, p), readyName(p))
			waitTitle(p, i18n.ZH, "opened with 简体中文 stored")
		}
	})
}
