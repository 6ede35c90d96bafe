//go:build !wasm

package main

// End-to-end tests of the pages on every surface: a phone held upright
// (390×844), a projector in present mode (1366×768) and paper (print media
// emulated, and a PDF printed by Chromium). web/surfaces.js and the
// surfaces rules of web/app.css are what they test.

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// surfaceModels runs f on three founding walkthroughs' pages (the
// autoencoder, CLIP and the DiT: the VAE and the GAN draw the same kinds of
// step as the autoencoder), each opened at step 1 in a fresh browser whose
// window is w×h, with the walkthrough's steps (in the page's mode).
func surfaceModels(t *testing.T, w, h int64, f func(t *testing.T, ctx context.Context, steps []*engine.Step)) {
	needBrowser(t)
	srv := serveSite(t, rootSite)
	t.Logf("CHECKING 3 OF THE %d FOUNDING WALKTHROUGHS: autoencoder, clip, dit", len(engine.Founding))
	for _, slug := range []string{"autoencoder", "clip", "dit"} {
		m := engine.Lookup(slug)
		t.Run(slug, func(t *testing.T) {
			ctx := surfaceOpen(t, srv, slug, w, h)
			tr := m.Run(m.Exercise(), pageMode(t, ctx))
			f(t, ctx, tr.Steps)
		})
	}
}

func surfaceOpen(t *testing.T, srv *httptest.Server, slug string, w, h int64) context.Context {
	t.Helper()
	ctx := newBrowser(t)
	if err := within(ctx, 10*time.Second, chromedp.EmulateViewport(w, h)); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, pageURL(srv, rootSite, "/"+slug), slug)
	return ctx
}

// evalJSON evaluates JavaScript that returns JSON text, into v.
func evalJSON(t *testing.T, ctx context.Context, js string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(evalJS[string](t, ctx, js)), v); err != nil {
		t.Fatalf("reading the page's answer: %v", err)
	}
}

// TestSurfacePhone: on a phone held upright, with every step shown, no
// matrix is cut off without a cue: each either fits its card or sits in
// a box that scrolls sideways and fades at the edge where more is hidden
// (data-more, and the fade moves to the other edge when the box is
// scrolled to its end). The header is two rows at most, nothing in the
// page is wider than the screen, and cells are at least 40 px each way.
func TestSurfacePhone(t *testing.T) {
	t.Parallel()
	surfaceModels(t, 390, 844, func(t *testing.T, ctx context.Context, steps []*engine.Step) {
		head := phoneHeader(t, ctx, "English")
		setInput(t, ctx, "select#lang", "zh")
		waitJS(t, ctx, 5*time.Second, "the page in Chinese", `document.documentElement.lang.startsWith("zh")`)
		settle(t, ctx)
		phoneHeader(t, ctx, "Chinese")
		setInput(t, ctx, "select#lang", "en")
		waitJS(t, ctx, 5*time.Second, "the page in English", `document.documentElement.lang === "en"`)

		showAll(t, ctx, len(steps))
		var got struct {
			Bad              []string
			Cards, Scrolling int
			CellW, CellH     float64
			DocWidth, Window float64
		}
		evalJSON(t, ctx, `(async () => {
			const frames = (n) => new Promise(r => { const f = () => --n > 0 ? requestAnimationFrame(f) : r(); requestAnimationFrame(f); });
			const cueOf = (box) => { const s = getComputedStyle(box); const m = s.maskImage || s.webkitMaskImage; return m && m !== "none" ? m : ""; };
			const bad = [], cards = [...document.querySelectorAll("#steps section.step")];
			let scrolling = 0, cellW = 1e9, cellH = 1e9;
			for (const card of cards) {
				// A card is laid out (and its boxes get their cue) as it comes into view.
				card.scrollIntoView({block: "start", behavior: "instant"});
				await frames(3);
				const id = card.dataset.step, cr = card.getBoundingClientRect();
				if (card.scrollWidth > card.clientWidth + 1) bad.push(id + ": the card is wider than the screen (" + card.scrollWidth + " > " + card.clientWidth + ")");
				for (const m of card.querySelectorAll(".matrix")) {
					const r = m.getBoundingClientRect(), name = id + ": matrix " + m.dataset.matrix;
					const box = m.parentElement.closest(".product, .sequence");
					const inCard = r.left >= cr.left - 0.5 && r.right <= cr.right + 0.5;
					if (!box) { if (!inCard) bad.push(name + " sticks out of its card, in no scrolling box"); continue; }
					const br = box.getBoundingClientRect();
					const cut = r.left < br.left - 0.5 || r.right > br.right + 0.5;
					if (!cut) { if (!inCard) bad.push(name + " sticks out of its card"); continue; }
					if (box.scrollWidth <= box.clientWidth + 1) bad.push(name + " is cut off and its box does not scroll");
					else if (!cueOf(box)) bad.push(name + " is cut off with no cue at the edge (data-more=" + (box.dataset.more || "") + ")");
				}
				for (const td of card.querySelectorAll("td.cell")) {
					const r = td.getBoundingClientRect();
					if (r.width > 0) { cellW = Math.min(cellW, r.width); cellH = Math.min(cellH, r.height); }
				}
				for (const box of card.querySelectorAll(".product, .sequence")) {
					if (box.scrollWidth <= box.clientWidth + 1) {
						if (cueOf(box)) bad.push(id + ": a box that fits fades out (data-more=" + (box.dataset.more || "") + ")");
						continue;
					}
					scrolling++;
					if (box.dataset.more !== "right" || !cueOf(box)) bad.push(id + ": a box with more on its right has data-more=" + (box.dataset.more || "") + ", mask " + (cueOf(box) || "none"));
					box.scrollLeft = box.scrollWidth;
					await frames(2);
					if (box.dataset.more !== "left" || !cueOf(box)) bad.push(id + ": a box scrolled to its end has data-more=" + (box.dataset.more || "") + ", mask " + (cueOf(box) || "none"));
					box.scrollLeft = 0;
					await frames(2);
				}
			}
			return JSON.stringify({Bad: bad, Cards: cards.length, Scrolling: scrolling, CellW: cellW, CellH: cellH,
				DocWidth: document.documentElement.scrollWidth, Window: document.documentElement.clientWidth});
		})()`, &got)
		if got.Cards < len(steps) {
			t.Fatalf("%d cards on the page, want %d", got.Cards, len(steps))
		}
		for _, b := range got.Bad {
			t.Error(b)
		}
		if got.DocWidth > got.Window+1 {
			t.Errorf("the page is %.0f px wide on a %.0f px screen", got.DocWidth, got.Window)
		}
		if got.CellW < 40 || got.CellH < 40 {
			t.Errorf("the smallest cell is %.1f×%.1f px, want at least 40×40 to tap", got.CellW, got.CellH)
		}
		t.Logf("%d cards, %d boxes scroll sideways with a cue; header %d rows, %.0f px; cells ≥ %.0f×%.0f px",
			got.Cards, got.Scrolling, head.Rows, head.Height, got.CellW, got.CellH)
	})
}

type headerRows struct {
	Rows     int
	Height   float64
	Sticking []string
	Title    float64
}

// phoneHeader checks the header of a model page on a phone: two rows at
// most, nothing sticking out, room for the page's name.
func phoneHeader(t *testing.T, ctx context.Context, lang string) headerRows {
	t.Helper()
	var head headerRows
	evalJSON(t, ctx, `(() => {
		window.scrollTo(0, 0);
		const bar = document.querySelector(".topbar"), b = bar.getBoundingClientRect();
		const shown = [...bar.children].filter(c => c.getClientRects().length && c.getBoundingClientRect().width > 0);
		const rows = [];
		for (const r of shown.map(c => c.getBoundingClientRect()).sort((x, y) => x.top - y.top)) {
			const row = rows.find(w => r.top < w.bottom - 1 && r.bottom > w.top + 1);
			if (row) { row.top = Math.min(row.top, r.top); row.bottom = Math.max(row.bottom, r.bottom); }
			else rows.push({top: r.top, bottom: r.bottom});
		}
		const h1 = bar.querySelector("h1");
		return JSON.stringify({
			Rows: rows.length, Height: b.height,
			Sticking: shown.filter(c => { const r = c.getBoundingClientRect(); return r.right > b.right + 0.5 || r.left < b.left - 0.5; })
				.map(c => c.tagName + "." + c.className + "#" + c.id),
			Title: h1 ? h1.getBoundingClientRect().width : 0,
		});
	})()`, &head)
	if head.Rows > 2 {
		t.Errorf("%s: the header takes %d rows (%.0f px high), want at most 2", lang, head.Rows, head.Height)
	}
	if len(head.Sticking) > 0 {
		t.Errorf("%s: the header's %v stick out of it", lang, head.Sticking)
	}
	if head.Title < 60 {
		t.Errorf("%s: the header leaves the page's name %.0f px", lang, head.Title)
	}
	return head
}

// TestSurfacePresent: in present mode on a 1366×768 projector, every step
// of every model fits the window after the fit: the current card's box is
// within 0..768, nothing in it scrolls sideways, and the page does not
// scroll. The zoom stays legible, and pointing at a number does not
// change it.
func TestSurfacePresent(t *testing.T) {
	t.Parallel()
	surfaceModels(t, 1366, 768, func(t *testing.T, ctx context.Context, steps []*engine.Step) {
		evalJS[bool](t, ctx, `document.getElementById("present").click(), true`)
		waitJS(t, ctx, 5*time.Second, "present mode", `document.documentElement.hasAttribute("data-present")`)
		least := 1.0
		for i, s := range steps {
			if i > 0 {
				evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
				if err := within(ctx, 5*time.Second, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
					t.Fatal(err)
				}
			}
			waitJS(t, ctx, 10*time.Second, fmt.Sprintf("step %d (%s) fitted", i+1, s.ID), fmt.Sprintf(
				`(() => { const c = document.querySelector("#steps section.step.current");
					return !!c && c.dataset.step === %q && (document.documentElement.getAttribute("data-present-fit") || "").startsWith(%q); })()`,
				s.ID, s.ID+" "))
			settle(t, ctx)
			var got struct {
				Top, Bottom, Height, ScrollY, Zoom float64
				Shown                              int
				Wide                               []string
			}
			evalJSON(t, ctx, `(() => {
				const c = document.querySelector("#steps section.step.current"), r = c.getBoundingClientRect();
				return JSON.stringify({Top: r.top, Bottom: r.bottom, Height: window.innerHeight, ScrollY: window.scrollY,
					Zoom: parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--present-fit")) || 1,
					Shown: [...document.querySelectorAll("#steps section.step")].filter(s => s.getClientRects().length).length,
					Wide: [...c.querySelectorAll(".product, .sequence, .formula")].filter(b => b.scrollWidth > b.clientWidth + 1)
						.map(b => b.className + " " + b.scrollWidth + " > " + b.clientWidth)});
			})()`, &got)
			if got.Top < 0 || got.Bottom > got.Height {
				t.Errorf("step %d (%s): the card spans %.0f..%.0f px of a %.0f px window (zoom %.3f, scrolled %.0f)",
					i+1, s.ID, got.Top, got.Bottom, got.Height, got.Zoom, got.ScrollY)
			}
			if len(got.Wide) > 0 {
				t.Errorf("step %d (%s): boxes still scroll sideways: %v", i+1, s.ID, got.Wide)
			}
			if got.Shown != 1 {
				t.Errorf("step %d (%s): %d steps shown, want the current one alone", i+1, s.ID, got.Shown)
			}
			if got.Zoom < 0.6 {
				t.Errorf("step %d (%s): zoomed to %.3f, too small for the back of a room", i+1, s.ID, got.Zoom)
			}
			least = min(least, got.Zoom)
		}
		// Pointing at a computed number shows its sum and moves nothing.
		before := evalJS[string](t, ctx, `getComputedStyle(document.documentElement).getPropertyValue("--present-fit")`)
		x, y := center(t, ctx, `#steps section.step.current td.cell[tabindex]`)
		if err := within(ctx, 5*time.Second, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, 5*time.Second, "the explanation", `!!document.getElementById("explain")`)
		settle(t, ctx)
		if after := evalJS[string](t, ctx, `getComputedStyle(document.documentElement).getPropertyValue("--present-fit")`); after != before {
			t.Errorf("pointing at a number changed the zoom from %s to %s", before, after)
		}
		t.Logf("%d steps fit 1366×768; the smallest zoom is %.3f", len(steps), least)
	})
}

// TestSurfacePrint: the Print button and Ctrl+P print the whole
// walkthrough: while the browser prints (window.print is replaced here by
// a function that looks at the page under print media), every step is
// laid out and visible, is kept whole on a page, its pictures' colours are
// printed exactly, and the hints, sliders, menus, side panels and buttons
// are left out; afterwards the page is as it was. A PDF printed by
// Chromium (without background graphics) has the pictures' grey pixels.
func TestSurfacePrint(t *testing.T) {
	t.Parallel()
	surfaceModels(t, 1366, 768, func(t *testing.T, ctx context.Context, steps []*engine.Step) {
		if err := within(ctx, 5*time.Second, emulateMedia("print")); err != nil {
			t.Fatal(err)
		}
		evalJS[bool](t, ctx, `(() => {
			const vis = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
			window.__prints = [];
			window.print = () => {
				const steps = [...document.querySelectorAll("#steps section.step")];
				const pics = [...document.querySelectorAll("#steps .picture span")];
				window.__prints.push(JSON.stringify({
					Steps: steps.map(s => s.dataset.step),
					Hidden: steps.filter(s => !vis(s) || s.getBoundingClientRect().height < 20).map(s => s.dataset.step),
					Split: steps.filter(s => getComputedStyle(s).breakInside !== "avoid").map(s => s.dataset.step),
					Hints: [...document.querySelectorAll(".explain, .sliders, .export, .sidebar, .more, .notice, .update, input[type=range], button:not(.seg[aria-pressed=true])")]
						.filter(vis).map(el => el.tagName + "." + el.className + "#" + el.id),
					Pictures: pics.length,
					Faint: pics.filter(p => { const s = getComputedStyle(p); return (s.printColorAdjust || s.webkitPrintColorAdjust) !== "exact"; }).length,
				}));
			};
			return true;
		})()`)
		type printed struct {
			Steps, Hidden, Split, Hints []string
			Pictures, Faint             int
		}
		check := func(how string, want int) {
			t.Helper()
			waitJS(t, ctx, 15*time.Second, how+" to print", fmt.Sprintf(`window.__prints.length >= %d`, want))
			var p printed
			if err := json.Unmarshal([]byte(evalJS[string](t, ctx, fmt.Sprintf(`window.__prints[%d]`, want-1))), &p); err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				if !strings.Contains(" "+strings.Join(p.Steps, " ")+" ", " "+s.ID+" ") {
					t.Errorf("%s: step %s is not on the page as it prints (%d steps are)", how, s.ID, len(p.Steps))
				}
			}
			if len(p.Hidden) > 0 {
				t.Errorf("%s: steps %v are not laid out in print", how, p.Hidden)
			}
			if len(p.Split) > 0 {
				t.Errorf("%s: steps %v may split across pages (break-inside is not avoid)", how, p.Split)
			}
			if len(p.Hints) > 0 {
				t.Errorf("%s: printed hints and controls: %v", how, p.Hints)
			}
			if p.Faint > 0 {
				t.Errorf("%s: %d of %d picture pixels may print blank (print-color-adjust is not exact)", how, p.Faint, p.Pictures)
			}
			// The print over, the page draws the steps up to the current one again.
			waitJS(t, ctx, 10*time.Second, how+": the page back as it was",
				`document.querySelectorAll("#steps section.step").length === 1 && !document.documentElement.hasAttribute("data-printing")`)
		}
		if !evalJS[bool](t, ctx, `!!document.getElementById("print")`) {
			t.Fatal("no #print button in the header (ModelPage.header calls p.printButton(): see app/surfaces.go)")
		}
		evalJS[bool](t, ctx, `document.getElementById("print").click(), true`)
		check("the Print button", 1)
		evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
		if err := within(ctx, 5*time.Second, chromedp.KeyEvent("p", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
			t.Fatal(err)
		}
		check("Ctrl+P", 2)

		// A PDF: the browser says it is about to print (as from its menu),
		// the page draws every step, and Chromium prints it.
		// The paper laid out at once, before Go could draw the other steps,
		// says that they are missing and how to print them.
		note := evalJS[string](t, ctx, `window.dispatchEvent(new Event("beforeprint")),
			getComputedStyle(document.querySelector(".steps-inner"), "::after").content`)
		if !strings.Contains(note, "Print button") {
			t.Errorf("printed from the browser's menu before every step was drawn, the paper says %s", note)
		}
		waitJS(t, ctx, 15*time.Second, "every step drawn for the paper",
			fmt.Sprintf(`document.querySelectorAll("#steps section.step").length === %d`, len(steps)))
		settle(t, ctx)
		if note := evalJS[string](t, ctx, `getComputedStyle(document.querySelector(".steps-inner"), "::after").content`); note != "none" && note != "normal" {
			t.Errorf("with every step drawn, the paper still says %s", note)
		}
		greys := evalJS[[]int](t, ctx, `[...new Set([...document.querySelectorAll("#steps .picture span")]
			.map(s => getComputedStyle(s).backgroundColor.match(/\d+/g).map(Number)).filter(c => c[0] === c[1] && c[1] === c[2] && c[0] < 255).map(c => c[0]))]`)
		pdf := printPDF(t, ctx)
		fills := pdfFills(t, pdf)
		for _, g := range greys {
			if !fills[pdfGrey(g)] {
				t.Errorf("the PDF has no grey %d (fill %q): the pictures' pixels print blank", g, pdfGrey(g))
			}
		}
		if len(greys) == 0 {
			t.Error("no grey pixels in the pictures to look for")
		}
		// The check can fail: left to the browser's economy, the same pixels are gone.
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#steps .picture span").length`); n == 0 {
			t.Fatal("no picture left on the page to print without print-color-adjust")
		}
		evalJS[bool](t, ctx, `(() => { const s = document.createElement("style"); s.id = "economy";
			s.textContent = "* { print-color-adjust: economy !important; -webkit-print-color-adjust: economy !important; }";
			document.head.append(s); return true; })()`)
		economy := pdfFills(t, printPDF(t, ctx))
		evalJS[bool](t, ctx, `document.getElementById("economy").remove(), window.dispatchEvent(new Event("afterprint")), true`)
		for _, g := range greys {
			if g < 200 && economy[pdfGrey(g)] {
				t.Errorf("grey %d is in the PDF even without print-color-adjust: the check above proves nothing", g)
			}
		}
		waitJS(t, ctx, 10*time.Second, "the page back as it was after the PDF", `document.querySelectorAll("#steps section.step").length === 1`)
		t.Logf("%d steps printed; %d-byte PDF with the pictures' greys %v", len(steps), len(pdf), greys)
	})
}

func emulateMedia(media string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return chromedp.Void{}, err
	}
}

func printPDF(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	pdf, err := chromedp.Run(c, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatalf("printing to PDF: %v", err)
	}
	return pdf
}

// pdfGrey is how Chromium's PDFs write the grey level g (0..255) as one
// component of a colour: four decimals at most, no leading zero.
func pdfGrey(g int) string {
	s := strconv.FormatFloat(math.Round(float64(g)/255*1e4)/1e4, 'f', -1, 64)
	if s != "0" {
		s = strings.TrimPrefix(s, "0")
	}
	return s
}

var pdfFillRe = regexp.MustCompile(`(?:^|\s)([\d.]+) ([\d.]+) ([\d.]+) rg\b`)

// pdfFills returns the grey fill colours (one component, as pdfGrey writes
// it) that the PDF's compressed content streams set.
func pdfFills(t *testing.T, pdf []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream"):]
		if bytes.HasPrefix(rest, []byte("\r\n")) {
			rest = rest[2:]
		} else if bytes.HasPrefix(rest, []byte("\n")) {
			rest = rest[1:]
		} else {
			continue // "endstream"
		}
		end := bytes.Index(rest, []byte("endstream"))
		if end < 0 {
			break
		}
		z, err := zlib.NewReader(bytes.NewReader(rest[:end]))
		if err != nil {
			continue
		}
		data, _ := io.ReadAll(z)
		for _, m := range pdfFillRe.FindAllSubmatch(data, -1) {
			if string(m[1]) == string(m[2]) && string(m[2]) == string(m[3]) {
				out[string(m[1])] = true
			}
		}
		rest = rest[end:]
	}
	if len(out) == 0 {
		t.Fatal("no fill colour found in the PDF")
	}
	return out
}
