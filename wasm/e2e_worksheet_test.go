//go:build !wasm

package main

// End-to-end tests of the worksheets (app/worksheet.go): the print page
// printed to PDF by Chromium on both papers, its text read back with
// pdftotext (poppler-utils), and the model page's "Print worksheets…"
// dialog. With BYHAND_SHOTS=dir the PDFs are written there too.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// needPdftotext returns pdftotext's path, and fails the test loudly when
// it is missing: it is installed with Chromium (make chromium, .ci/run).
func needPdftotext(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: it reads the printed worksheets back. Install it as root with\n" +
			"  DEBIAN_FRONTEND=noninteractive apt-get update && apt-get install -y poppler-utils\n(or run make chromium)")
	}
	return p
}

// pdfText is the text of a PDF as pdftotext reads it keeping the layout
// (a row of a matrix is a line), one string per page.
func pdfText(t *testing.T, bin string, pdf []byte) []string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "sheets.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

var mediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]`)

// pdfPageSizes lists every page's MediaBox (width and height in points).
func pdfPageSizes(pdf []byte) [][2]float64 {
	var out [][2]float64
	for _, m := range mediaBox.FindAllSubmatch(pdf, -1) {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		out = append(out, [2]float64{w, h})
	}
	return out
}

// printCSSPDF prints the page with the paper size its CSS asks for.
func printCSSPDF(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, patience*60*time.Second)
	defer cancel()
	pdf, err := chromedp.Run(c, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatalf("printing to PDF: %v", err)
	}
	return pdf
}

// hasRun reports whether want appears as consecutive words of one of the
// lines.
func hasRun(lines [][]string, want []string) bool {
	for _, words := range lines {
		for i := 0; i+len(want) <= len(words); i++ {
			ok := true
			for j := range want {
				if words[i+j] != want[j] {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// TestWorksheetPrint prints the autoencoder's worksheets 1 to 3 and their
// keys to PDF on A4 and on Letter: every page is of the paper asked for;
// each worksheet says its exercise number and has a line for a name; the
// keys hold the answers (each row of each matrix a forward step computes,
// as the engine works exercise n out); no blank of a worksheet carries a
// number in the page; every sheet starts a page. A link with bad values
// prints nothing and says why.
func TestWorksheetPrint(t *testing.T) {
	t.Parallel()
	bin := needPdftotext(t)
	needBrowser(t)
	m := engine.Lookup("autoencoder")
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	shots := os.Getenv("BYHAND_SHOTS")
	// The print dialog is counted, not opened (PrintToPDF does not call it).
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__prints = 0; window.print = () => { window.__prints++; };`}); err != nil {
		t.Fatal(err)
	}

	const from, to = 1, 3
	for _, paper := range []struct {
		name string
		w, h float64
	}{{"a4", 595, 842}, {"letter", 612, 792}} {
		t.Run(paper.name, func(t *testing.T) {
			start := time.Now()
			open(t, ctx, pageURL(srv, rootSite, "/print")+fmt.Sprintf("?m=autoencoder&from=%d&to=%d&keys=1&paper=%s", from, to, paper.name), "print")
			ready := time.Since(start)

			// The page: the worksheets, then the keys, in order; no blank
			// of a worksheet holds a number, and there are blanks.
			order := evalJS[string](t, ctx, `[...document.querySelectorAll("section.sheet")].map(s => (s.classList.contains("key") ? "k" : "w") + s.dataset.n).join(" ")`)
			if want := "w1 w2 w3 k1 k2 k3"; order != want {
				t.Fatalf("sheets %q, want %q", order, want)
			}
			var dom struct{ Blanks, Valued, Keyed, Dotted int }
			evalJSON(t, ctx, `(() => {
				const work = [...document.querySelectorAll("section.sheet.worksheet td.cell.blank")];
				const before = [...document.querySelectorAll("section.sheet.worksheet td.cell")].filter(td => td.classList.contains("blank") || td.classList.contains("unknown"));
				return JSON.stringify({
					Blanks: work.length,
					Valued: before.filter(td => td.hasAttribute("data-v") || td.hasAttribute("data-full") || /\d/.test(td.textContent) || /\d/.test((td.getAttribute("aria-label") || "").replace(/\[\d+,\d+\]/g, ""))).length,
					Keyed: document.querySelectorAll("section.sheet.key td.cell.source[data-v]").length,
					Dotted: document.querySelectorAll("section.sheet.worksheet td.cell.unknown").length,
				});
			})()`, &dom)
			if dom.Blanks == 0 || dom.Keyed == 0 {
				t.Fatalf("%d blanks on the worksheets, %d answers marked on the keys", dom.Blanks, dom.Keyed)
			}
			if dom.Valued > 0 {
				t.Errorf("%d blank or dotted cells of the worksheets carry a number (data-v, data-full, text or name)", dom.Valued)
			}
			if n := evalJS[int](t, ctx, `document.querySelectorAll("section.sheet.worksheet .ws-step").length - [...document.querySelectorAll("section.sheet.worksheet .ws-step")].filter(s => getComputedStyle(s).breakInside === "avoid").length`); n > 0 {
				t.Errorf("%d steps may split across pages (break-inside is not avoid)", n)
			}

			start = time.Now()
			pdf := printCSSPDF(t, ctx)
			printed := time.Since(start)
			if shots != "" {
				f := filepath.Join(shots, "worksheets-"+paper.name+".pdf")
				if err := os.WriteFile(f, pdf, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", f)
			}
			sizes := pdfPageSizes(pdf)
			pages := pdfText(t, bin, pdf)
			if len(pages) < 2*(to-from+1) || len(sizes) != len(pages) {
				t.Fatalf("%d pages (%d MediaBoxes), want at least %d", len(pages), len(sizes), 2*(to-from+1))
			}
			for i, s := range sizes {
				if s[0] < paper.w-1 || s[0] > paper.w+1 || s[1] < paper.h-1 || s[1] > paper.h+1 {
					t.Errorf("page %d is %.1f×%.1f pt, want %s %v×%v", i+1, s[0], s[1], paper.name, paper.w, paper.h)
				}
			}
			// Every page says which exercise it belongs to (each step's head
			// carries it, and a page starts with a step or a sheet's header).
			tagged := regexp.MustCompile(`(Exercise|Key) \d+`)
			for i, p := range pages {
				if strings.TrimSpace(p) != "" && !tagged.MatchString(p) {
					t.Errorf("page %d names no exercise: %.200q", i+1, p)
				}
			}
			// Each sheet starts a page: its page begins with its header.
			starts := map[string]int{}
			for i, p := range pages {
				for n := from; n <= to; n++ {
					if regexp.MustCompile(fmt.Sprintf(`Exercise number %d(\D|$)`, n)).MatchString(p) {
						starts[fmt.Sprintf("w%d", n)] = i + 1
					}
					if regexp.MustCompile(fmt.Sprintf(`Answer key — exercise number %d(\D|$)`, n)).MatchString(p) {
						starts[fmt.Sprintf("k%d", n)] = i + 1
					}
				}
			}
			firstKey := starts[fmt.Sprintf("k%d", from)]
			if firstKey == 0 {
				t.Fatalf("no answer key in the PDF's text: %.400q", pages[len(pages)-1])
			}
			work := strings.Join(pages[:firstKey-1], "\f")
			for n := from; n <= to; n++ {
				w, k := starts[fmt.Sprintf("w%d", n)], starts[fmt.Sprintf("k%d", n)]
				if w == 0 || w >= firstKey {
					t.Errorf("worksheet %d: no page before the keys says “Exercise number %d”", n, n)
					continue
				}
				if !strings.Contains(pages[w-1], "Name:") || !strings.Contains(pages[w-1], "Date:") {
					t.Errorf("worksheet %d's first page (%d) has no Name: and Date: lines", n, w)
				}
				if k == 0 {
					t.Errorf("no answer key for exercise %d", n)
					continue
				}
				// The key's text: from its page up to the next key's.
				end := len(pages)
				if next := starts[fmt.Sprintf("k%d", n+1)]; next > 0 {
					end = next - 1
				}
				lines := func(from, to int) [][]string {
					var out [][]string
					for _, l := range strings.Split(strings.Join(pages[from-1:to], "\n"), "\n") {
						out = append(out, strings.Fields(l))
					}
					return out
				}
				key := lines(k, end)
				// The worksheet's own text, as a control: the check tells
				// a sheet with the answers from one without.
				wend := firstKey - 1
				if next := starts[fmt.Sprintf("w%d", n+1)]; next > 0 {
					wend = next - 1
				}
				sheet := lines(w, wend)
				inSheet := 0
				st, err := engine.Draw(m, uint64(n))
				if err != nil {
					t.Fatal(err)
				}
				tr := m.Run(st, engine.Hand)
				rows, found := 0, 0
				var missing []string
				for _, s := range tr.Steps {
					if s.Backward {
						continue
					}
					for _, id := range s.Produces {
						mt := tr.Matrix(id)
						r, c := mt.Dims()
						for i := 0; i < r; i++ {
							row := make([]string, c)
							for j := range row {
								row[j] = engine.Format(mt.At(i, j))
							}
							rows++
							if hasRun(sheet, row) {
								inSheet++
							}
							if hasRun(key, row) {
								found++
							} else if len(missing) < 4 {
								missing = append(missing, fmt.Sprintf("%s row %d (%s)", id, i+1, strings.Join(row, " ")))
							}
						}
					}
				}
				if rows < 10 || found < rows {
					t.Errorf("key %d: %d of the %d rows the forward steps compute are in its text; missing %v", n, found, rows, missing)
				}
				if inSheet > rows/2 {
					t.Errorf("worksheet %d: %d of the %d rows the forward steps compute are in its text", n, inSheet, rows)
				}
				if n == from {
					t.Logf("exercise %d: %d of %d computed rows in the key's text, %d in the worksheet's (copies of given rows, zeros)", n, found, rows, inSheet)
				}
			}
			if strings.Contains(work, "Answer key") {
				t.Errorf("a worksheet page speaks of the answer key")
			}
			t.Logf("%s: %d sheets ready in %v, printed to a %d-page, %d-byte PDF in %v", paper.name, 2*(to-from+1),
				ready.Round(time.Millisecond), len(pages), len(pdf), printed.Round(time.Millisecond))
		})
	}

	// auto=1: the print dialog opens once, when every sheet is drawn.
	open(t, ctx, pageURL(srv, rootSite, "/print")+"?m=autoencoder&from=4&to=5&auto=1", "print")
	waitJS(t, ctx, 5*time.Second, "the print dialog", `window.__prints > 0`)
	settle(t, ctx)
	if n := evalJS[int](t, ctx, `window.__prints`); n != 1 || evalJS[int](t, ctx, `document.querySelectorAll("section.sheet").length`) != 4 {
		t.Errorf("auto=1 opened the print dialog %d times, over %d sheets", n, evalJS[int](t, ctx, `document.querySelectorAll("section.sheet").length`))
	}

	// Bad values: a message on the page, no sheet, nothing to print.
	open(t, ctx, pageURL(srv, rootSite, "/print")+"?m=nope&from=5&to=1&paper=a5&blanks=some&auto=1", "print")
	probs := evalJS[string](t, ctx, `(document.getElementById("print-problems") || {}).innerText || ""`)
	for _, want := range []string{"m: no walkthrough", "to: the first exercise number is after the last", "paper:", "blanks:"} {
		if !strings.Contains(probs, want) {
			t.Errorf("bad link: the page says %q, want %q in it", probs, want)
		}
	}
	settle(t, ctx)
	if n, p := evalJS[int](t, ctx, `document.querySelectorAll("section.sheet").length`), evalJS[int](t, ctx, `window.__prints`); n > 0 || p > 0 {
		t.Errorf("bad link: %d sheets drawn, %d print dialogs", n, p)
	}
	open(t, ctx, pageURL(srv, rootSite, "/print")+"?m=autoencoder&from=1&to=61", "print")
	if probs := evalJS[string](t, ctx, `(document.getElementById("print-problems") || {}).innerText || ""`); !strings.Contains(probs, "more than 60") {
		t.Errorf("61 sheets: the page says %q", probs)
	}
}

// TestWorksheetDialog: the Practice panel's "Print worksheets…" opens a
// dialog whose defaults are the page's (its exercise number and practice
// scope, the paper of the browser's locale, keys included), and whose
// Print opens the print page with the options chosen and auto=1, by a
// relative link that also works on the site under a sub-path.
func TestWorksheetDialog(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	for _, s := range []*site{rootSite, subSite} {
		srv := serveSite(t, s)
		ctx := newBrowser(t)
		open(t, ctx, pageURL(srv, s, "/autoencoder")+"?num=7&practice=all", "autoencoder")
		if evalJS[string](t, ctx, `document.getElementById("numbers").value`) != "7" {
			t.Fatalf("the page did not open on exercise number 7: num= is not the link's exercise number")
		}
		click(t, ctx, "#worksheet-open")
		waitJS(t, ctx, 5*time.Second, "the dialog to open", `document.getElementById("worksheet-dialog").open`)
		var got struct {
			From, To, Paper, Blanks, Mode, Lang string
			Keys                                bool
		}
		evalJSON(t, ctx, `JSON.stringify({From: document.getElementById("worksheet-from").value, To: document.getElementById("worksheet-to").value,
			Paper: document.getElementById("worksheet-paper").value, Blanks: document.getElementById("worksheet-blanks").value,
			Mode: document.getElementById("worksheet-mode").value,
			Keys: document.getElementById("worksheet-keys").checked, Lang: navigator.language})`, &got)
		paper := "a4"
		if l := strings.ToLower(got.Lang); l == "en-us" || l == "en-ca" || l == "es-us" || l == "fr-ca" {
			paper = "letter"
		}
		if got.From != "7" || got.To != "7" || got.Blanks != "all" || got.Mode != "hand" || !got.Keys || got.Paper != paper {
			t.Errorf("the dialog opened on %+v; want 7 to 7, blanks all, hand, keys, paper %s (the locale %s's)", got, paper, got.Lang)
		}

		setInput(t, ctx, "#worksheet-from", "1")
		setInput(t, ctx, "#worksheet-to", "30")
		setInput(t, ctx, "#worksheet-paper", "a4")
		setInput(t, ctx, "#worksheet-blanks", "forward")
		setInput(t, ctx, "#worksheet-mode", "exact")
		evalJS[bool](t, ctx, `(() => { const k = document.getElementById("worksheet-keys"); k.checked = false; k.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
		waitJS(t, ctx, 5*time.Second, "the count of 30 worksheets", `document.getElementById("worksheet-count").textContent.startsWith("30 worksheets,")`)
		// Print: the link the browser would open in a new tab.
		evalJS[bool](t, ctx, `document.addEventListener("click", e => { const a = e.target.closest && e.target.closest("a#worksheet-go");
			if (a) { e.preventDefault(); window.__opened = {href: a.href, target: a.target}; } }, true), true`)
		click(t, ctx, "a#worksheet-go")
		waitJS(t, ctx, 5*time.Second, "Print to be clicked", `!!window.__opened`)
		var opened struct{ Href, Target string }
		evalJSON(t, ctx, `JSON.stringify(window.__opened)`, &opened)
		u, err := url.Parse(opened.Href)
		if err != nil {
			t.Fatal(err)
		}
		want := url.Values{"m": {"autoencoder"}, "from": {"1"}, "to": {"30"}, "keys": {"0"}, "paper": {"a4"},
			"blanks": {"forward"}, "mode": {"exact"}, "auto": {"1"}}
		if u.Path != s.Prefix+"/print" || u.Query().Encode() != want.Encode() || opened.Target != "_blank" {
			t.Errorf("Print opens %s (target %q); want %s/print?%s in a new tab", opened.Href, opened.Target, s.Prefix, want.Encode())
		}
		if !evalJS[bool](t, ctx, fmt.Sprintf(`fetch(%q).then(r => r.status === 200)`, opened.Href)) {
			t.Errorf("%s does not answer 200", opened.Href)
		}
		waitJS(t, ctx, 5*time.Second, "the dialog to close", `!document.getElementById("worksheet-dialog").open`)

		// A range the print page refuses: no link to print.
		click(t, ctx, "#worksheet-open")
		waitJS(t, ctx, 5*time.Second, "the dialog to open again", `document.getElementById("worksheet-dialog").open`)
		setInput(t, ctx, "#worksheet-from", "5")
		setInput(t, ctx, "#worksheet-to", "70")
		waitJS(t, ctx, 5*time.Second, "Print to be refused", `!document.querySelector("a#worksheet-go") && document.querySelector("button#worksheet-go").disabled`)
	}
}
