//go:build !wasm

package main

// End-to-end tests of accessibility: axe-core finds no serious or critical
// violation on any page, in both themes, with every step shown; every
// number and matrix label has 4.5:1 contrast, in the quieter steps before
// the current one too; matrices are data tables (caption, headers) and
// each is one Tab stop whose cells the arrow keys reach.
//
// axe-core 4 comes from npm at test time (never from a CDN) and is kept in
// the user cache (~/.cache/byhand-e2e/axe). Without npm, or when npm
// fails, the test fails.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axeSource installs axe-core 4 from npm into the user cache once, and
// returns axe.min.js.
func axeSource(t *testing.T) string {
	t.Helper()
	dir := npmPackage(t, "axe", "axe-core@4", "axe-core", axeOK)
	b, err := os.ReadFile(filepath.Join(dir, "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// axeOK says whether dir holds axe-core 4 with its axe.min.js.
func axeOK(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return err
	}
	var p struct{ Version string }
	if err := json.Unmarshal(b, &p); err != nil || !strings.HasPrefix(p.Version, "4.") {
		return fmt.Errorf("%s holds axe-core %q, want 4.x (%v)", dir, p.Version, err)
	}
	_, err = os.Stat(filepath.Join(dir, "axe.min.js"))
	return err
}

// layOutAll makes every step laid out and painted, so that the checks see
// every card as a reader who scrolls to it does (cards out of view are
// otherwise skipped by content-visibility), and waits for the flashes of
// changed cells to end.
func layOutAll(t *testing.T, ctx context.Context) {
	t.Helper()
	evalJS[bool](t, ctx, `(() => { if (!document.getElementById("e2e-lay-out-all")) {
		const st = document.createElement("style");
		st.id = "e2e-lay-out-all";
		st.textContent = "section.step { content-visibility: visible !important }";
		document.head.appendChild(st); } return true; })()`)
	settle(t, ctx)
	time.Sleep(800 * time.Millisecond)
}

// axeViolation is one serious or critical axe-core finding.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target         []any
		FailureSummary string
	}
}

// runAxe injects axe-core and returns its serious and critical violations.
func runAxe(t *testing.T, ctx context.Context, src string) []axeViolation {
	t.Helper()
	if !evalJS[bool](t, ctx, `typeof axe === "object"`) {
		evalJS[bool](t, ctx, src+"\n;typeof axe === \"object\"")
	}
	raw := evalJS[string](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")))`)
	var out []axeViolation
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// contrastJS measures the contrast of every number and matrix label on the
// page: a cell's value, its struck-out negative, an input's text, the row
// of 1s, the tables' labels and the matrices' names, roles and frames. A
// colour is read through a canvas (so any CSS colour syntax works),
// composited over the first opaque background behind it, with the
// opacities on the way (the struck-out negative's, a faded step's).
const contrastJS = `(() => {
	const cv = document.createElement("canvas");
	cv.width = cv.height = 1;
	const g = cv.getContext("2d", {willReadFrequently: true});
	const rgba = (c) => {
		g.clearRect(0, 0, 1, 1);
		g.fillStyle = "rgba(0,0,0,0)";
		g.fillStyle = c;
		g.fillRect(0, 0, 1, 1);
		const d = g.getImageData(0, 0, 1, 1).data;
		return [d[0], d[1], d[2], d[3] / 255];
	};
	const over = (f, b, a) => [0, 1, 2].map(i => f[i] * a + b[i] * (1 - a));
	const lum = (c) => { const l = c.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
		return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
	const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
	// The colour behind el: its own background, else its parent's, over
	// what lies behind them.
	const behind = (el) => {
		const chain = [];
		for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
			const c = rgba(getComputedStyle(n).backgroundColor);
			if (c[3] > 0) { chain.push(c); if (c[3] >= 1) break; }
		}
		let c = [255, 255, 255];
		for (let i = chain.length - 1; i >= 0; i--) c = over(chain[i], c, chain[i][3]);
		return c;
	};
	const opaque = (el) => { for (let n = el; n && n.nodeType === 1; n = n.parentElement) if (rgba(getComputedStyle(n).backgroundColor)[3] >= 1) return n; return null; };
	const sel = "td.cell .after, td.cell.struck s, td.cell input.cell-input, td.cell.ones, .cells th:not(.sr-h), .mname .mtitle, .mname .mrole, .mname .mframe, .op";
	const bad = [];
	let n = 0;
	for (const el of document.querySelectorAll(sel)) {
		if (!el.getClientRects().length || !el.textContent && !el.value) continue;
		const r = el.getBoundingClientRect();
		if (r.width < 1 || r.height < 1) continue;
		n++;
		const base = opaque(el.parentElement && el.tagName !== "TD" ? el.parentElement : el);
		let bg = behind(base), fg = rgba(getComputedStyle(el).color), alpha = fg[3];
		for (let m = el; m && m !== base; m = m.parentElement) alpha *= parseFloat(getComputedStyle(m).opacity);
		let f = over(fg, bg, alpha);
		for (let m = base; m && m.nodeType === 1; m = m.parentElement) {
			const o = parseFloat(getComputedStyle(m).opacity);
			if (o < 1) { const back = behind(m.parentElement); f = over(f, back, o); bg = over(bg, back, o); }
		}
		const cr = ratio(f, bg);
		if (cr < 4.5) {
			const td = el.closest("td, th") || el;
			const step = el.closest("section.step");
			bad.push((step ? step.dataset.step + (step.classList.contains("current") ? " (current)" : "") + " " : "") +
				(td.id || el.className || el.tagName) + " " + JSON.stringify(el.value || el.textContent) + ": " + cr.toFixed(2) + ":1");
		}
	}
	return JSON.stringify({n, bad});
})()`

// TestA11yAxe runs axe-core on the sampled pages (sampledPaths: the home
// page, the open page, the founding walkthroughs and a few of the
// catalogue's, every step shown): no serious or critical violation. The
// home page and the founding walkthroughs are checked in the light and the
// dark theme; the catalogue's pages in one theme each, in turn (a11yThemes). On the same pages every number and matrix label has a
// contrast of 4.5:1 or more, faded steps included.
func TestA11yAxe(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	src := axeSource(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	if err := within(ctx, 5*time.Second, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	for i, p := range sampledPaths(t, rootSite) {
		t.Run(readyName(p), func(t *testing.T) {
			if p == "/transformer-stack" {
				// The largest page (129 steps, 5,058 cells) draws with the
				// same components as the others, which are checked with
				// every step shown: its first 20 steps, at a sixth of the
				// cost.
				t.Logf("CHECKING %s WITH ITS FIRST 20 STEPS SHOWN, NOT ALL", p)
				open(t, ctx, pageURL(srv, rootSite, p)+"?step=20", readyName(p))
			} else {
				open(t, ctx, pageURL(srv, rootSite, p), readyName(p))
			}
			if isModelPath(p) && p != "/transformer-stack" {
				evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
				if err := within(ctx, 30*time.Second, chromedp.KeyEvent(kb.End)); err != nil {
					t.Fatal(err)
				}
				waitJS(t, ctx, 10*time.Second, "the last step to be current",
					`(() => { const s = [...document.querySelectorAll("section.step")]; return s.length > 1 && s[s.length - 1].classList.contains("current"); })()`)
			}
			for _, theme := range a11yThemes(i, p) {
				setInput(t, ctx, "select#theme", theme)
				evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
				waitJS(t, ctx, 5*time.Second, "the "+theme+" theme",
					fmt.Sprintf(`document.documentElement.dataset.theme === %q`, theme))
				layOutAll(t, ctx)
				for _, v := range runAxe(t, ctx, src) {
					var where []string
					for i, n := range v.Nodes {
						if i == 5 {
							where = append(where, fmt.Sprintf("… %d in all", len(v.Nodes)))
							break
						}
						where = append(where, fmt.Sprint(n.Target)+": "+strings.ReplaceAll(n.FailureSummary, "\n", " "))
					}
					t.Errorf("%s theme: axe: %s (%s): %s\n\t%s", theme, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
				}
				if !isModelPath(p) {
					continue
				}
				var c struct {
					N   int
					Bad []string
				}
				if err := json.Unmarshal([]byte(evalJS[string](t, ctx, contrastJS)), &c); err != nil {
					t.Fatal(err)
				}
				if c.N < 100 {
					t.Errorf("%s theme: only %d numbers and labels measured", theme, c.N)
				}
				for i, b := range c.Bad {
					if i == 10 {
						t.Errorf("%s theme: … %d below 4.5:1 in all", theme, len(c.Bad))
						break
					}
					t.Errorf("%s theme: contrast below 4.5:1: %s", theme, b)
				}
			}
		})
	}
}

// tablesJS checks every matrix's table: a caption, a header for every
// column and every row, exactly one Tab stop, and every cell under them.
const tablesJS = `(() => {
	const bad = [];
	let tables = 0, stops = 0;
	for (const t of document.querySelectorAll("table.cells")) {
		tables++;
		const name = t.closest("[data-matrix]") ? t.closest("[data-matrix]").dataset.matrix : "?";
		const cap = t.querySelector(":scope > caption");
		if (!cap || !cap.textContent.trim()) bad.push(name + ": no caption");
		const rows = [...t.tBodies[0].rows];
		const cols = rows.length ? rows[0].querySelectorAll("td.cell").length : 0;
		const colHeads = t.tHead ? t.tHead.querySelectorAll('th[scope="col"]') : [];
		if (colHeads.length !== cols) bad.push(name + ": " + colHeads.length + " column headers for " + cols + " columns");
		for (const h of colHeads) if (!h.textContent.trim()) bad.push(name + ": an empty column header");
		for (const r of rows) {
			const h = r.querySelector(':scope > th[scope="row"]');
			if (!h || !h.textContent.trim()) bad.push(name + ": a row without its header");
			if (r.querySelectorAll("td.cell").length !== cols) bad.push(name + ": rows of different lengths");
		}
		const mine = t.querySelectorAll('td.cell [tabindex="0"], td.cell[tabindex="0"]');
		stops += mine.length;
		if (mine.length !== 1) bad.push(name + ": " + mine.length + " Tab stops");
		if (t.getAttribute("role")) bad.push(name + ": role " + t.getAttribute("role") + " on a data table");
	}
	const cells = document.querySelectorAll("td.cell[data-m]").length;
	return JSON.stringify({tables, stops, cells, bad});
})()`

// TestA11yTables: on every model page, every matrix is a data table with a
// caption and headers, and one Tab stop; a crossed-out ReLU cell reads as
// "−1, ReLU gives 0".
func TestA11yTables(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	for _, p := range sampledPaths(t, rootSite) {
		if !isModelPath(p) {
			continue
		}
		t.Run(readyName(p), func(t *testing.T) {
			open(t, ctx, pageURL(srv, rootSite, p), readyName(p))
			evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
			if err := within(ctx, 30*time.Second, chromedp.KeyEvent(kb.End)); err != nil {
				t.Fatal(err)
			}
			settle(t, ctx)
			var r struct {
				Tables, Stops, Cells int
				Bad                  []string
			}
			if err := json.Unmarshal([]byte(evalJS[string](t, ctx, tablesJS)), &r); err != nil {
				t.Fatal(err)
			}
			for i, b := range r.Bad {
				if i == 10 {
					t.Errorf("… %d problems in all", len(r.Bad))
					break
				}
				t.Error(b)
			}
			if r.Tables == 0 || r.Stops != r.Tables {
				t.Errorf("%d Tab stops among %d cells of %d matrices, want one per matrix", r.Stops, r.Cells, r.Tables)
			}
			t.Logf("%d matrices, %d cells, %d Tab stops", r.Tables, r.Cells, r.Stops)
		})
	}
	// The autoencoder's first ReLU crosses out −1 at H₁[1,2].
	open(t, ctx, pageURL(srv, rootSite, "/autoencoder"), "autoencoder")
	showAll(t, ctx, 3)
	got := evalJS[[]string](t, ctx, fmt.Sprintf(`(() => { const td = document.querySelector(%q);
		return td ? [td.getAttribute("aria-label") || "", td.textContent] : []; })()`, cellSel("H1", 0, 1)))
	if len(got) != 2 || got[0] != "−1, ReLU gives 0" {
		t.Errorf("H1[0,1] (%q) is named %q, want %q", got, got, "−1, ReLU gives 0")
	}
	caption := evalJS[string](t, ctx, `document.querySelector('section[data-step="enc1"] [data-matrix="W1"] caption').textContent`)
	if caption != "W₁ | b₁, parameter, trainable" {
		t.Errorf("the caption of W₁ | b₁ is %q", caption)
	}
}

// focused describes the focused element: "m r c" for a cell or its input,
// else its tag and id.
const focusedJS = `(() => { const a = document.activeElement; if (!a) return "none";
	const td = a.closest("td.cell[data-m]");
	return td ? td.dataset.m + " " + td.dataset.r + " " + td.dataset.c + (a.tagName === "INPUT" ? " input" : "") : a.tagName + "#" + a.id; })()`

// TestA11yKeys: in a matrix of computed cells the arrow keys, Home, End,
// Ctrl+Home and Ctrl+End move the focus (and the explanation follows); in
// a matrix of inputs ↑ still steps the number and Alt+arrows move; Tab
// leaves a matrix and Shift+Tab comes back to the cell last visited; the
// page's own ← → do not step the walkthrough meanwhile.
func TestA11yKeys(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	showAll(t, ctx, len(m.Run(m.Exercise(), mode).Steps))
	counter := func() string { return evalJS[string](t, ctx, `document.getElementById("step-count").textContent`) }
	step0 := counter()
	press := func(key string, mods ...chromedp.Modifier) {
		t.Helper()
		if err := within(ctx, 5*time.Second, chromedp.KeyEvent(key, chromedp.KeyModifiers(mods...))); err != nil {
			t.Fatal(err)
		}
		settle(t, ctx)
	}
	expect := func(after, want string) {
		t.Helper()
		if got := evalJS[string](t, ctx, focusedJS); got != want {
			t.Errorf("after %s the focus is on %q, want %q", after, got, want)
		}
	}
	// H₁ of the first encoder layer is 3×4 (three features, four samples).
	h1 := `section[data-step="enc1"] ` + cellSel("H1", 0, 0)
	if !evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const td = document.querySelector(%q);
		td.scrollIntoView({block: "center", behavior: "instant"}); td.focus(); return document.activeElement === td && td.tabIndex === 0; })()`, h1)) {
		t.Fatal("H1[0,0] is not the Tab stop of its matrix")
	}
	press(kb.ArrowRight)
	expect("→", "H1 0 1")
	if ex := evalJS[string](t, ctx, `(document.getElementById("explain") || {}).textContent || ""`); !strings.HasPrefix(ex, "H₁ [1,2]") {
		t.Errorf("after → the explanation is %q, want H₁ [1,2]'s", ex)
	}
	press(kb.ArrowDown)
	expect("↓", "H1 1 1")
	press(kb.End)
	expect("End", "H1 1 3")
	press(kb.ArrowRight)
	expect("→ at the row's end", "H1 1 3")
	press(kb.Home)
	expect("Home", "H1 1 0")
	press(kb.End, chromedp.ModifierCtrl)
	expect("Ctrl+End", "H1 2 3")
	press(kb.Home, chromedp.ModifierCtrl)
	expect("Ctrl+Home", "H1 0 0")
	press(kb.ArrowLeft)
	expect("← at the first cell", "H1 0 0")
	press(kb.ArrowDown)
	press(kb.ArrowRight, chromedp.ModifierAlt)
	expect("↓ Alt+→", "H1 1 1")
	if c := counter(); c != step0 {
		t.Errorf("the arrow keys in a matrix moved the walkthrough from %q to %q", step0, c)
	}
	// One Tab stop per matrix, which remembers the cell last visited.
	if n := evalJS[int](t, ctx, `document.querySelector('section[data-step="enc1"] .result table').querySelectorAll('[tabindex="0"]').length`); n != 1 {
		t.Errorf("H₁'s table has %d Tab stops", n)
	}
	press(kb.Tab)
	if got := evalJS[string](t, ctx, focusedJS); strings.HasPrefix(got, "H1 ") {
		t.Errorf("Tab stayed in H₁ (%s)", got)
	}
	press(kb.Tab, chromedp.ModifierShift)
	expect("Tab, Shift+Tab", "H1 1 1")

	// Inputs: ↑ steps the number, Alt+arrows move.
	w := `section[data-step="enc1"] ` + cellSel("W1", 0, 0) + " input"
	if !evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		el.scrollIntoView({block: "center", behavior: "instant"}); el.focus(); return document.activeElement === el && el.tabIndex === 0; })()`, w)) {
		t.Fatal("W1[0,0] is not the Tab stop of its matrix")
	}
	before := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, w))
	press(kb.ArrowUp)
	expect("↑ on an input", "W1 0 0 input")
	if after := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, w)); before != "1" || after != "2" {
		t.Errorf("↑ on W1[0,0] took it from %q to %q, want 1 to 2", before, after)
	}
	press(kb.ArrowRight, chromedp.ModifierAlt)
	expect("Alt+→ on an input", "W1 0 1 input")
	press(kb.ArrowDown, chromedp.ModifierAlt)
	expect("Alt+↓ on an input", "W1 1 1 input")
	press(kb.End, chromedp.ModifierAlt)
	expect("Alt+End on an input", "W1 1 4 input")
	if v := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, w)); v != "2" {
		t.Errorf("moving on changed W1[0,0] to %q", v)
	}
	if c := counter(); c != step0 {
		t.Errorf("the keys in a matrix moved the walkthrough from %q to %q", step0, c)
	}
	// Out of the matrices, ← steps the walkthrough as before.
	evalJS[bool](t, ctx, `document.activeElement.blur(), true`)
	press(kb.ArrowLeft)
	if c := counter(); c == step0 {
		t.Errorf("← outside the matrices left the walkthrough at %q", c)
	}
}

// a11yThemes are the themes page p (the i-th path) is checked in.
func a11yThemes(i int, p string) []string {
	if !isModelPath(p) || slices.Contains(engine.Founding, strings.TrimPrefix(p, "/")) {
		return []string{"light", "dark"}
	}
	return []string{[]string{"light", "dark"}[i%2]}
}
