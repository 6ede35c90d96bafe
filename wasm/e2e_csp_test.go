//go:build !wasm

package main

// End-to-end test of the site under a strict Content-Security-Policy: no
// eval, no new Function, no inline script. The built site is served with
// the policy as a header; every page loads, an edit works on every model's
// page, and the page reports no violation.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// strictCSP is the policy the site must run under: scripts from the site
// only, and the compilation of WebAssembly.
const strictCSP = "script-src 'self' 'wasm-unsafe-eval'"

// inlineScript matches a script element with content, or an event handler
// attribute: what the policy refuses.
var (
	inlineScript  = regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s][^<]*</script>`)
	inlineHandler = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
)

// TestCSPPages: the built pages hold no inline script and no event
// handler attribute (go-app writes none; the site's scripts are files).
func TestCSPPages(t *testing.T) {
	t.Parallel()
	sites(t, func(t *testing.T, s *site) {
		files, err := filepath.Glob(filepath.Join(s.Dir, "*.html"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no pages in %s (%v)", s.Dir, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if m := inlineScript.Find(b); m != nil {
				t.Errorf("%s has an inline script, which %q refuses: %.120s", filepath.Base(f), strictCSP, m)
			}
			if m := inlineHandler.Find(b); m != nil {
				t.Errorf("%s has an event handler attribute, which %q refuses: %.120s", filepath.Base(f), strictCSP, m)
			}
		}
	})
}

// TestUIStrictCSP serves the site with the policy as a header (around the
// GitHub-Pages-like handler), opens every page, edits the first weight of
// every model, and listens for violations in the page (the
// securitypolicyviolation event, from before any script runs) and in the
// console. A deliberate inline script first proves that the policy is in
// force and that violations are heard.
func TestUIStrictCSP(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	pages := pagesHandler(rootSite.Dir, rootSite.Base)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", strictCSP)
		pages.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		window.__cspViolations = [];
		document.addEventListener("securitypolicyviolation", (e) =>
			window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sourceFile || "") + ":" + e.lineNumber));`}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var console []string
	c, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	messages := chromedp.Console(c)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Source == "security" ||
				strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				console = append(console, m.String()+" ("+m.URL+")")
				mu.Unlock()
			}
		}
	}()
	heard := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := append([]string(nil), console...)
		console = nil
		return out
	}
	violations := func() string { return evalJS[string](t, ctx, `(window.__cspViolations || ["no listener"]).join("; ")`) }

	// The policy is in force: an inline script is refused and reported.
	open(t, ctx, pageURL(srv, rootSite, "/"), "home")
	evalJS[bool](t, ctx, `(() => { const s = document.createElement("script"); s.textContent = "window.__inlineRan = true";
		document.head.appendChild(s); return true; })()`)
	time.Sleep(200 * time.Millisecond)
	if evalJS[bool](t, ctx, `!!window.__inlineRan`) || !strings.Contains(violations(), "script-src") {
		t.Fatalf("an inline script ran or went unreported (%q): the policy is not in force, or violations are not heard", violations())
	}
	time.Sleep(200 * time.Millisecond)
	heard()

	for _, p := range sampledPaths(t, rootSite) {
		t.Run(readyName(p), func(t *testing.T) {
			c, cancel := context.WithTimeout(ctx, 60*time.Second)
			resp, err := chromedp.Run(c, chromedp.NavigateResponse(pageURL(srv, rootSite, p)))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(resp.Headers["Content-Security-Policy"]); resp.Status != 200 || got != strictCSP {
				t.Fatalf("%s answered %d with the policy %q", p, resp.Status, got)
			}
			waitReady(t, ctx, readyName(p))
			if isModelPath(p) {
				editUnderCSP(t, ctx, strings.TrimPrefix(p, "/"))
			}
			settle(t, ctx)
			if v := violations(); v != "" {
				t.Errorf("%s: the page reported violations of %q: %s", p, strictCSP, v)
			}
			for _, l := range heard() {
				t.Errorf("%s: console: %s", p, l)
			}
		})
	}
}

// editUnderCSP types a new value into the first weight and waits for the
// steps after it to follow: the wasm runs and the numbers are patched.
func editUnderCSP(t *testing.T, ctx context.Context, slug string) {
	t.Helper()
	m := engine.Lookup(slug)
	mode := pageMode(t, ctx)
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
	showAll(t, ctx, len(m.Run(st.Clone(), mode).Steps))
	before := pageCells(t, ctx)
	value := w.Data.At(0, 0) + 2
	typeInto(t, ctx, cellSel(w.ID, 0, 0)+" input.cell-input", strings.ReplaceAll(engine.Format(value), "−", "-"))
	if err := st.Set(w.ID, 0, 0, value); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 5*time.Second, "the edit to reach the page",
		fmt.Sprintf(`document.querySelector(%q).dataset.v === %q`, cellSel(w.ID, 0, 0), engine.Format(value)))
	after, _ := pageMatches(t, ctx, "after the edit under the policy", m.Run(st, mode))
	if len(changedKeys(before, after)) < 2 {
		t.Errorf("the edit of %s[0,0] changed %v: the steps after it did not follow", w.ID, changedKeys(before, after))
	}
}
