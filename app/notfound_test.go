package ui

import (
	htmlpkg "html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// TestNotFoundBodyBothLanguages: the not-found page says so in each
// language, and links home and every walkthrough by absolute address (it
// is served at any depth).
func TestNotFoundBodyBothLanguages(t *testing.T) {
	for _, lang := range i18n.Langs {
		html := app.HTMLString(notFoundBody(lang))
		for _, k := range []string{"notfound.heading", "notfound.text", "notfound.home", "notfound.list"} {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: no message %q", lang, k)
			}
			if !strings.Contains(html, htmlpkg.EscapeString(i18n.T(lang, k))) {
				t.Errorf("%s: the page lacks %q", lang, i18n.T(lang, k))
			}
		}
		if !regexp.MustCompile(`<a\b[^>]*\bhref="/"[^>]*>`).MatchString(html) ||
			!strings.Contains(html, `id="notfound-home"`) {
			t.Errorf("%s: no absolute link home in %s", lang, html)
		}
		for _, m := range engine.Models() {
			info := m.Info()
			if !strings.Contains(html, `href="/`+info.Slug+`"`) {
				t.Errorf("%s: no link to /%s", lang, info.Slug)
			}
			if !strings.Contains(html, htmlpkg.EscapeString(i18n.T(lang, info.Title))) {
				t.Errorf("%s: no name for %s", lang, info.Slug)
			}
		}
	}
	if i18n.T(i18n.EN, "notfound.heading") == i18n.T(i18n.ZH, "notfound.heading") {
		t.Error("the heading is not translated")
	}
}

// TestNotFoundPageHasTopBar: the page, like every other, has the brand
// link and the language and theme switches.
func TestNotFoundPageHasTopBar(t *testing.T) {
	n := &NotFound{}
	n.OnInit()
	html := app.HTMLString(n)
	for _, want := range []string{`class="topbar"`, `class="brand"`, `id="lang"`, `id="theme"`, `id="notfound"`} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in %s", want, html)
		}
	}
}

// TestDocumentTitle: a model's title names it in the page's language;
// the home page has the site's title.
func TestDocumentTitle(t *testing.T) {
	if got, want := documentTitle(i18n.EN, "ae.name"), "Autoencoder · byhand"; got != want {
		t.Errorf("EN autoencoder: %q, want %q", got, want)
	}
	if got, want := documentTitle(i18n.ZH, "ae.name"), "自编码器 · byhand"; got != want {
		t.Errorf("ZH autoencoder: %q, want %q", got, want)
	}
	for _, lang := range i18n.Langs {
		if got := documentTitle(lang, ""); !i18n.Has(lang, "site.title") || got != i18n.T(lang, "site.title") {
			t.Errorf("%s home: %q", lang, got)
		}
		if got := documentTitle(lang, notFoundTitleKey); !i18n.Has(lang, notFoundTitleKey) || !strings.HasPrefix(got, i18n.T(lang, notFoundTitleKey)) {
			t.Errorf("%s not-found: %q", lang, got)
		}
		for _, m := range engine.Models() {
			key := m.Info().Title
			if got := documentTitle(lang, key); !strings.HasPrefix(got, i18n.T(lang, key)+" ") || !strings.HasSuffix(got, "byhand") {
				t.Errorf("%s %s: %q", lang, key, got)
			}
		}
	}
	// Outside a browser there is no document: nothing happens.
	setDocumentTitle(i18n.ZH, "ae.name")
}

// TestPrerenderedPages serves the registered routes through go-app's
// handler, as the static builder does: each model page has its English
// title, the home page the site's, and every other path (unknown, with a
// trailing slash, with .html) is the not-found page, with its title.
func TestPrerenderedPages(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("SKIPPED under GOOS=js: httptest cannot listen in Node; the native run checks pre-rendering")
	}
	Register()
	srv := httptest.NewServer(&app.Handler{Name: "byhand", Title: "go-app's default title"})
	defer srv.Close()
	get := func(p string) string {
		t.Helper()
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 {
			t.Fatalf("%s: HTTP %d", p, res.StatusCode)
		}
		return string(b)
	}
	title := func(page string) string {
		m := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(page)
		if m == nil {
			return ""
		}
		return htmlpkg.UnescapeString(m[1])
	}
	if got, want := title(get("/")), documentTitle(i18n.EN, ""); got != want {
		t.Errorf("/: <title>%s</title>, want %q", got, want)
	}
	for _, m := range engine.Models() {
		info := m.Info()
		page := get("/" + info.Slug)
		if got, want := title(page), documentTitle(i18n.EN, info.Title); got != want {
			t.Errorf("/%s: <title>%s</title>, want %q", info.Slug, got, want)
		}
		if strings.Contains(page, `id="notfound"`) {
			t.Errorf("/%s renders the not-found page", info.Slug)
		}
	}
	for _, p := range []string{"/404", "/no-such-page", "/a/b/c", "/autoencoder/", "/autoencoder.html", "/index.html"} {
		page := get(p)
		if !strings.Contains(page, `id="notfound"`) || !strings.Contains(page, htmlpkg.EscapeString(i18n.T(i18n.EN, "notfound.heading"))) {
			t.Errorf("%s is not the not-found page", p)
		}
		if got, want := title(page), documentTitle(i18n.EN, notFoundTitleKey); got != want {
			t.Errorf("%s: <title>%s</title>, want %q", p, got, want)
		}
	}
}
