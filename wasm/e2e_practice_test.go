//go:build !wasm

package main

// End-to-end tests of practice mode on the autoencoder (Hand mode): the
// Practice panel, blanks checked as they are entered, hints, carry,
// revealing, the count, what the page never shows, and practice state
// across a reload, a link and New numbers. What the page should show is
// worked out by the engine (engine.Run, engine.Practice, Check).

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
)

// domCell is one td.cell of a step as the page draws it.
type domCell struct {
	Step   string `json:"step"`
	M      string `json:"m"`
	R      int    `json:"r"`
	C      int    `json:"c"`
	Kind   string `json:"kind"`   // "blank", "unknown" or "cell"
	Value  string `json:"value"`  // a blank's input text, a cell's data-v
	HasV   bool   `json:"hasV"`   // the td has a data-v
	Status string `json:"status"` // right, wrong, revealed, waiting or ""
	Source bool   `json:"source"` // highlighted as a source
}

func (c domCell) key() string { return fmt.Sprintf("%s/%s[%d,%d]", c.Step, c.M, c.R, c.C) }

// readCells reads every td.cell of every step on the page.
func readCells(t *testing.T, ctx context.Context) []domCell {
	t.Helper()
	return evalJS[[]domCell](t, ctx, `[...document.querySelectorAll("section.step[data-step] td.cell[data-m]")].map(td => {
		const blank = td.classList.contains("blank"), inp = td.querySelector("input");
		return {step: td.closest("section.step").dataset.step, m: td.dataset.m, r: +td.dataset.r, c: +td.dataset.c,
			kind: blank ? "blank" : td.classList.contains("unknown") ? "unknown" : "cell",
			value: blank ? (inp ? inp.value : "<no input>") : (inp ? inp.value : (td.dataset.v ?? "")),
			hasV: td.hasAttribute("data-v"),
			status: ["right", "wrong", "revealed", "waiting"].find(s => td.classList.contains(s)) || "",
			source: td.classList.contains("source")};
	})`)
}

// practice is what the test knows of the page's practice: the exercise,
// the scope's blanks, the student's entries and reveals, and carry. Its
// expectations come from the engine.
type practice struct {
	m        engine.Model
	st       *engine.State
	blanks   []engine.CellRef
	entries  engine.Entries
	revealed map[engine.CellRef]bool
	carry    bool
}

func newPractice(m engine.Model, st *engine.State, scope engine.Scope) *practice {
	return &practice{m: m, st: st, blanks: engine.Blanks(m.Run(st.Clone(), engine.Hand), scope, 1),
		entries: engine.Entries{}, revealed: map[engine.CellRef]bool{}}
}

func (p *practice) run() *engine.PracticeTrace {
	return engine.Practice(p.m, p.st.Clone(), engine.Hand, p.blanks, p.entries, p.carry)
}

// reveal does what Reveal does: the answers of the cells not right yet,
// in order, again while any becomes known.
func (p *practice) reveal(refs []engine.CellRef) {
	for progress := true; progress; {
		progress = false
		pt := p.run()
		for _, ref := range refs {
			want, ok := pt.Expected(ref)
			if e, entered := p.entries[ref]; !ok || p.revealed[ref] || entered && engine.Agrees(e, want) {
				continue
			}
			p.entries[ref], p.revealed[ref], progress = want, true, true
		}
	}
}

// expect is every td.cell the page should draw: a blank where its step
// computes it (its entry and status), a blank's cell shown again or in a
// view (its entry, with carry the right number, or unknown while it is
// empty), and every other cell as the practice run
// has it (unknown when it is not a number).
func (p *practice) expect(cells []domCell) (map[string]domCell, string) {
	pt := p.run()
	isBlank := map[engine.CellRef]bool{}
	for _, ref := range pt.Blanks() {
		isBlank[ref] = true
	}
	out := map[string]domCell{}
	for _, c := range cells {
		w := domCell{Step: c.Step, M: c.M, R: c.R, C: c.C, Kind: "cell", HasV: true, Source: c.Source}
		ref := engine.CellRef{Matrix: c.M, Row: c.R, Col: c.C}
		mx := pt.Matrix(c.M)
		if mx == nil {
			return nil, "the engine has no matrix " + c.M
		}
		if mx.ViewOf() != "" {
			if e, ok := mx.Explain(c.R, c.C); ok && len(e.Sources) == 1 && isBlank[e.Sources[0]] {
				ref = e.Sources[0]
			}
		}
		switch e, entered := p.entries[ref]; {
		case isBlank[ref] && ref.Matrix == c.M && slices.Contains(pt.Step(c.Step).Produces, c.M):
			w.Kind, w.HasV = "blank", false
			if entered {
				w.Value = engine.Format(e)
				switch v := pt.Check(ref, e); {
				case v.Unknown:
					w.Status = "waiting"
				case !v.Right:
					w.Status = "wrong"
				case p.revealed[ref]:
					w.Status = "revealed"
				default:
					w.Status = "right"
				}
			}
		case isBlank[ref] && !entered:
			w.Kind, w.HasV = "unknown", false
		case isBlank[ref] && p.carry:
			// Carried: the right number the later steps compute from.
			if x := pt.Matrix(ref.Matrix).At(ref.Row, ref.Col); math.IsNaN(x) {
				w.Kind, w.HasV = "unknown", false
			} else {
				w.Value = engine.Format(x)
			}
		case isBlank[ref]:
			w.Value = engine.Format(e)
		default:
			if x := mx.At(c.R, c.C); math.IsNaN(x) {
				w.Kind, w.HasV = "unknown", false
			} else {
				w.Value = engine.Format(x)
			}
		}
		out[w.key()] = w
	}
	return out, ""
}

// progressText is the Practice panel's count as the engine has it.
func (p *practice) progressText() string {
	_, t := p.run().Progress(p.revealed)
	return strings.NewReplacer("{right}", strconv.Itoa(t.Right), "{blanks}", strconv.Itoa(t.Blanks),
		"{wrong}", strconv.Itoa(t.Wrong), "{revealed}", strconv.Itoa(t.Revealed), "{left}", strconv.Itoa(t.Left()+t.Waiting)).
		Replace(i18n.T(i18n.EN, "practice.progress"))
}

// pageMatchesPractice waits until every cell on the page and the count
// are as the engine has them (20 s), then reports what differs; it
// returns the page's cells.
func pageMatchesPractice(t *testing.T, ctx context.Context, what string, p *practice) []domCell {
	t.Helper()
	deadline := time.Now().Add(patience * 20 * time.Second)
	for {
		settle(t, ctx)
		cells := readCells(t, ctx)
		want, bad := p.expect(cells)
		var diffs []string
		if bad != "" {
			diffs = append(diffs, bad)
		}
		for _, c := range cells {
			if w := want[c.key()]; c != w {
				diffs = append(diffs, fmt.Sprintf("%s is %+v, want %+v", c.key(), c, w))
			}
		}
		progress := evalJS[string](t, ctx, `(document.getElementById("practice-progress") || {}).textContent || ""`)
		if wp := p.progressText(); progress != wp {
			diffs = append(diffs, fmt.Sprintf("the count reads %q, want %q", progress, wp))
		}
		if len(diffs) == 0 {
			return cells
		}
		if time.Now().After(deadline) {
			for i, d := range diffs {
				if i == 10 {
					t.Errorf("%s: %d differences in all", what, len(diffs))
					break
				}
				t.Errorf("%s: %s", what, d)
			}
			t.FailNow()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// selectScope chooses a scope in the Practice panel.
func selectScope(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById("practice-scope");
		s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, name))
	// The count is shown while practising.
	waitJS(t, ctx, 5*time.Second, "practice "+name+" to be on", fmt.Sprintf(`document.getElementById("practice-scope").value === %q &&
		(%q === "off") === !document.getElementById("practice-progress")`, name, name))
}

// blankSel is the input of blank ref in the step that computes it.
func blankSel(step string, ref engine.CellRef) string {
	return fmt.Sprintf(`section[data-step=%q] td.cell.blank[data-m=%q][data-r="%d"][data-c="%d"] input.practice-input`, step, ref.Matrix, ref.Row, ref.Col)
}

// enterBlank types an entry into a blank and presses Enter, and waits
// until the page has checked it.
func enterBlank(t *testing.T, ctx context.Context, p *practice, step string, ref engine.CellRef, v float64) {
	t.Helper()
	typeInto(t, ctx, blankSel(step, ref), strings.ReplaceAll(engine.Format(v), "−", "-"))
	p.entries[ref] = v
	delete(p.revealed, ref)
	waitJS(t, ctx, 10*time.Second, fmt.Sprintf("%v = %v to be checked", ref, v), fmt.Sprintf(
		`(() => { const td = document.querySelector(%q).closest("td"); return ["right", "wrong", "revealed", "waiting"].some(s => td.classList.contains(s)); })()`,
		blankSel(step, ref)))
}

// stepOfMatrix is the id of the step that computes matrix id.
func stepOfMatrix(tr *engine.Trace, id string) string {
	for _, s := range tr.Steps {
		if slices.Contains(s.Produces, id) {
			return s.ID
		}
	}
	return ""
}

// TestUIPractice drives practice mode on the autoencoder in one browser
// (a second one opens the link): no answer on a fresh page with every
// step blank; a step filled in right; a wrong entry, its hint, its sum
// and where it leads, with and without carry; Reveal this step; the
// count; the work across a reload and a link; New numbers typed, its
// undo, and the New numbers button. About 25 s alone, 50 s beside
// another browser test.
func TestUIPractice(t *testing.T) {
	t.Parallel()
	start := time.Now()
	ctx, m, mode := uiTest(t, "autoencoder")
	if mode != engine.Hand {
		t.Fatalf("the autoencoder opens in %v mode", mode)
	}
	st := m.Exercise()
	plain := m.Run(st.Clone(), engine.Hand)
	n := len(plain.Steps)

	// Every step blank, nothing entered: no answer on the page.
	selectScope(t, ctx, "all")
	showAll(t, ctx, n)
	checkNoAnswer(t, ctx, m, plain)
	checkNoWorkedInBlanks(t, ctx, "every step blank")

	// The forward steps.
	selectScope(t, ctx, "forward")
	p := newPractice(m, st, engine.ScopeForward)
	pageMatchesPractice(t, ctx, "practice on", p)
	checkNoWorkedInBlanks(t, ctx, "the forward steps blank")

	// The first step with blanks, filled in right: every cell right, its
	// tally all right, the count counts them.
	first := stepOfMatrix(plain, p.blanks[0].Matrix)
	var firstCells []engine.CellRef
	for _, ref := range p.blanks {
		if stepOfMatrix(plain, ref.Matrix) == first {
			firstCells = append(firstCells, ref)
			enterBlank(t, ctx, p, first, ref, plain.Matrix(ref.Matrix).At(ref.Row, ref.Col))
		}
	}
	pageMatchesPractice(t, ctx, "step "+first+" filled in right", p)
	tally := fmt.Sprintf("%d/%d right", len(firstCells), len(firstCells))
	if got := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector('section[data-step=%q] .step-tally').textContent`, first)); !strings.Contains(got, tally) {
		t.Errorf("step %s's tally reads %q, want %q", first, got, tally)
	}
	if evalJS[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('section[data-step=%q] .reveal-step')`, first)) {
		t.Errorf("step %s, all right, still offers Reveal this step", first)
	}
	// Ctrl+Z in the blank just entered is the page's undo: it takes the
	// entry back, its text too; redo brings it back.
	last := firstCells[len(firstCells)-1]
	if !evalJS[bool](t, ctx, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, blankSel(first, last))) {
		t.Fatal("the blank just entered lost the focus")
	}
	if err := within(ctx, 5*time.Second, chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		t.Fatal(err)
	}
	delete(p.entries, last)
	pageMatchesPractice(t, ctx, "the last entry undone", p)
	pressKey(t, ctx, "z", chromedp.ModifierCtrl, chromedp.ModifierShift)
	p.entries[last] = plain.Matrix(last.Matrix).At(last.Row, last.Col)
	pageMatchesPractice(t, ctx, "the last entry redone", p)
	t.Logf("%s: %d cells entered right by %v", first, len(firstCells), time.Since(start).Round(time.Millisecond))

	// A wrong entry: H₁[1,1] = 3 (it is 2).
	h11, h21, h31 := engine.CellRef{Matrix: "H1", Row: 0, Col: 0}, engine.CellRef{Matrix: "H1", Row: 1, Col: 0}, engine.CellRef{Matrix: "H1", Row: 2, Col: 0}
	z11 := engine.CellRef{Matrix: "Z", Row: 0, Col: 0}
	enterBlank(t, ctx, p, "enc1", h11, 3)
	checkHint(t, ctx, p, "enc1", h11, 3)
	// Each step with an entry has its hint: every id on the page is its
	// own.
	if dup := evalJS[[]string](t, ctx, `(() => { const seen = new Set(), dup = [];
		for (const el of document.querySelectorAll("[id]")) { if (seen.has(el.id)) dup.push(el.id); seen.add(el.id); }
		return dup; })()`); len(dup) > 0 {
		t.Errorf("ids used twice on the page: %v", dup)
	}
	// Undone, the entry takes its hint and its highlights with it; redone,
	// they come back.
	sources := `document.querySelectorAll('section[data-step="enc1"] td.cell.source').length`
	hinted := `!!document.querySelector('section[data-step="enc1"] .practice-hint')`
	pressKey(t, ctx, "z", chromedp.ModifierCtrl)
	delete(p.entries, h11)
	pageMatchesPractice(t, ctx, "the wrong entry undone", p)
	if n, hint := evalJS[int](t, ctx, sources), evalJS[bool](t, ctx, hinted); n != 0 || hint {
		t.Errorf("the wrong entry undone: %d sources still highlighted, hint shown %v", n, hint)
	}
	pressKey(t, ctx, "z", chromedp.ModifierCtrl, chromedp.ModifierShift)
	p.entries[h11] = 3
	pageMatchesPractice(t, ctx, "the wrong entry redone", p)
	waitJS(t, ctx, 5*time.Second, "the hint and its highlights back", fmt.Sprintf(`%s && %s > 0`, hinted, sources))
	// Its column, right, and the next step reads the entry: Z[1,1] is 4
	// from it (1·3 + 0·0 + 1·2 − 1).
	enterBlank(t, ctx, p, "enc1", h21, plain.Matrix("H1").At(1, 0))
	enterBlank(t, ctx, p, "enc1", h31, plain.Matrix("H1").At(2, 0))
	if v, ok := p.run().Expected(z11); !ok || v != 4 {
		t.Fatalf("the engine says Z[1,1] should be %v (%v), want 4", v, ok)
	}
	enterBlank(t, ctx, p, "enc2", z11, 4)
	pageMatchesPractice(t, ctx, "after H₁[1,1] = 3 and Z[1,1] = 4", p)
	if got := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).dataset.v`, `section[data-step="enc2"] `+cellSel("H1", 0, 0))); got != "3" {
		t.Errorf("step enc2 shows H₁[1,1] as %q, not the entry 3", got)
	}
	// Carry: Z reads the right H₁[1,1], and 4 is wrong; then back.
	for _, carry := range []bool{true, false} {
		click(t, ctx, "#practice-carry")
		p.carry = carry
		pageMatchesPractice(t, ctx, fmt.Sprintf("carry %v", carry), p)
		if want := map[bool]string{true: "wrong", false: "right"}[carry]; !evalJS[bool](t, ctx,
			fmt.Sprintf(`document.querySelector(%q).closest("td").classList.contains(%q)`, blankSel("enc2", z11), want)) {
			t.Errorf("carry %v: Z[1,1] = 4 is not %s", carry, want)
		}
		// Step enc2 shows the H₁[1,1] it computes from: with carry the
		// right number, marked as carried over the wrong entry.
		want := map[bool]string{true: engine.Format(plain.Matrix("H1").At(0, 0)) + " carried", false: "3 "}[carry]
		if got := evalJS[string](t, ctx, fmt.Sprintf(`(() => { const td = document.querySelector(%q); return td.dataset.v + " " + (td.classList.contains("carried") ? "carried" : ""); })()`,
			`section[data-step="enc2"] `+cellSel("H1", 0, 0))); got != want {
			t.Errorf("carry %v: step enc2 shows H₁[1,1] as %q, want %q", carry, got, want)
		}
	}

	// Reveal this step: the cells not right are revealed, counted as
	// revealed and not as right; the right entries stay right.
	var enc1 []engine.CellRef
	for _, ref := range p.blanks {
		if ref.Matrix == "H1" {
			enc1 = append(enc1, ref)
		}
	}
	click(t, ctx, `section[data-step="enc1"] button.reveal-step`)
	p.reveal(enc1)
	cells := pageMatchesPractice(t, ctx, "after Reveal this step", p)
	if got := evalJS[int](t, ctx, `document.querySelectorAll('section[data-step="enc1"] td.cell.source').length`); got != 0 {
		t.Errorf("after Reveal this step, %d sources of the wrong entry's hint are still highlighted", got)
	}
	revealed, right := 0, 0
	for _, c := range cells {
		if c.Step == "enc1" && c.M == "H1" {
			revealed += map[bool]int{true: 1}[c.Status == "revealed"]
			right += map[bool]int{true: 1}[c.Status == "right"]
		}
	}
	if revealed != 10 || right != 2 {
		t.Errorf("Reveal this step: %d revealed and %d right in H₁, want 10 and 2", revealed, right)
	}
	// The step's own tally counts them apart too: revealed is not solved.
	if got := evalJS[string](t, ctx, `document.querySelector('section[data-step="enc1"] .tally-text').textContent`); got != "2/12 right, 10 revealed" {
		t.Errorf("the step's tally reads %q after Reveal, want %q", got, "2/12 right, 10 revealed")
	}
	if got := evalJS[string](t, ctx, `document.getElementById("practice-progress").textContent`); !strings.Contains(got, "10 revealed") ||
		!strings.HasPrefix(got, strconv.Itoa(len(firstCells)+2)+" of ") {
		t.Errorf("the count reads %q", got)
	}
	t.Logf("wrong entry, carry and reveal done by %v", time.Since(start).Round(time.Millisecond))

	// The work survives a reload (saved work)...
	waitJS(t, ctx, 5*time.Second, "the work to be saved", `(() => { const w = localStorage.getItem("byhand.work.autoencoder") || "";
		return w.includes("practice=forward") && w.includes("shown.H1") && !w.includes("carry=1"); })()`)
	if err := within(ctx, 30*time.Second, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx, "autoencoder")
	showAll(t, ctx, n)
	if got := evalJS[string](t, ctx, `document.getElementById("practice-scope").value`); got != "forward" {
		t.Errorf("after a reload the scope is %q", got)
	}
	samePractice(t, "after a reload", cells, pageMatchesPractice(t, ctx, "after a reload", p))

	// ... and a link, in another browser, with carry.
	click(t, ctx, "#practice-carry")
	p.carry = true
	cells = pageMatchesPractice(t, ctx, "carry on", p)
	link := copyLink(t, ctx, "carry=1")
	for _, want := range []string{"practice=forward", "carry=1", "e.H1=1.1:2,", "e.Z=1.1:4", "shown.H1=1.1,"} {
		if !strings.Contains(link, want) {
			t.Errorf("the link %q has no %s", link, want)
		}
	}
	fresh := newBrowser(t)
	open(t, fresh, link, "autoencoder")
	showAll(t, fresh, n)
	if got := evalJS[string](t, fresh, `document.getElementById("practice-scope").value + " " + document.getElementById("practice-carry").checked`); got != "forward true" {
		t.Errorf("the link opens practice as %q", got)
	}
	samePractice(t, "from the link", cells, pageMatchesPractice(t, fresh, "from the link", p))
	t.Logf("reload and link done by %v", time.Since(start).Round(time.Millisecond))

	// New numbers: exercise 7 is engine.Draw's, its entries start empty,
	// it is in the link, and undo brings the work back.
	setInput(t, ctx, "#numbers", "7")
	drawn, err := engine.Draw(m, 7)
	if err != nil {
		t.Fatal(err)
	}
	x := drawn.Get("X")
	waitJS(t, ctx, 10*time.Second, "exercise 7's X", fmt.Sprintf(`document.querySelector(%q).value === %q`,
		cellSel("X", 0, 0)+" input.cell-input", engine.Format(x.At(0, 0))))
	p7 := newPractice(m, drawn, engine.ScopeForward)
	p7.carry = true
	for _, c := range pageMatchesPractice(t, ctx, "exercise 7", p7) {
		if c.M == "X" && c.Kind == "cell" && c.Value != engine.Format(x.At(c.R, c.C)) {
			t.Errorf("X[%d,%d] shows %s, exercise 7 has %s", c.R+1, c.C+1, c.Value, engine.Format(x.At(c.R, c.C)))
		}
	}
	if link := copyLink(t, ctx, "num=7"); strings.Contains(link, "e.H1") {
		t.Errorf("exercise 7's link %q keeps the old entries", link)
	}
	pressKey(t, ctx, "z", chromedp.ModifierCtrl)
	samePractice(t, "New numbers undone", cells, pageMatchesPractice(t, ctx, "New numbers undone", p))
	if got := evalJS[string](t, ctx, `document.getElementById("numbers").value`); got != "0" {
		t.Errorf("New numbers undone: the exercise number reads %q", got)
	}
	// The New numbers button draws a number of its own.
	click(t, ctx, "#new-numbers")
	waitJS(t, ctx, 10*time.Second, "a drawn exercise number", `document.getElementById("numbers").value !== "0"`)
	num, err := strconv.ParseUint(evalJS[string](t, ctx, `document.getElementById("numbers").value`), 10, 64)
	if err != nil || num == 0 {
		t.Fatalf("New numbers drew %d (%v)", num, err)
	}
	if drawn, err = engine.Draw(m, num); err != nil {
		t.Fatal(err)
	}
	pn := newPractice(m, drawn, engine.ScopeForward)
	pn.carry = true
	pageMatchesPractice(t, ctx, fmt.Sprintf("exercise %d", num), pn)
	t.Logf("done in %v", time.Since(start).Round(time.Millisecond))
}

// samePractice checks that the page shows every cell as it did before
// (highlights aside).
func samePractice(t *testing.T, what string, before, after []domCell) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("%s: the page shows %d cells, before %d", what, len(after), len(before))
	}
	for i := range before {
		a, b := before[i], after[i]
		a.Source, b.Source = false, false
		if a != b {
			t.Errorf("%s: %s is %+v, was %+v", what, b.key(), b, a)
		}
	}
}

// copyLink clicks Copy link and returns the link once it holds want.
func copyLink(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	click(t, ctx, "#copy-link")
	waitJS(t, ctx, 5*time.Second, "a link with "+want, fmt.Sprintf(`(document.getElementById("share-text") || {}).value?.includes(%q)`, want))
	return evalJS[string](t, ctx, `document.getElementById("share-text").value`)
}

// checkHint checks the hint of a wrong entry: it names the row and the
// column the engine's Check names, highlights its sources, shows the sum
// without its total, and offers to reveal the cell.
func checkHint(t *testing.T, ctx context.Context, p *practice, step string, ref engine.CellRef, v float64) {
	t.Helper()
	ver := p.run().Check(ref, v)
	if ver.Right || ver.Unknown || ver.Row == nil || ver.Col == nil {
		t.Fatalf("the engine's Check of %v = %v: %+v", ref, v, ver)
	}
	hintSel := fmt.Sprintf(`section[data-step=%q] .practice-hint`, step)
	waitJS(t, ctx, 10*time.Second, "a hint", fmt.Sprintf(`!!document.querySelector(%q)`, hintSel+".wrong"))
	hint := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, hintSel))
	for _, l := range []string{ver.Row.Text("en"), ver.Col.Text("en")} {
		if !strings.Contains(strings.ToLower(hint), strings.ToLower(l)) {
			t.Errorf("the hint %q does not name %q", hint, l)
		}
	}
	// The sources, in the entry's step: the cells of the page, and the 1
	// under X that stands for the bias.
	var want []string
	ones := 0
	for _, s := range ver.Sources {
		if mx := p.run().Matrix(s.Matrix); mx != nil {
			if rows, _ := mx.Dims(); s.Row == rows {
				ones++
				continue
			}
		}
		want = append(want, fmt.Sprintf("%s[%d,%d]", s.Matrix, s.Row, s.Col))
	}
	got := evalJS[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('section[data-step=%q] td.cell.source[data-m]')].map(td => td.dataset.m + "[" + td.dataset.r + "," + td.dataset.c + "]")`, step))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("highlighted %v, want the sources %v", got, want)
	}
	if n := evalJS[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('section[data-step=%q] td.cell.ones.source').length`, step)); n != ones {
		t.Errorf("%d 1s under X highlighted, want %d", n, ones)
	}
	if !evalJS[bool](t, ctx, fmt.Sprintf(`!!document.querySelector(%q)`, hintSel+" button.reveal-cell")) {
		t.Error("the hint offers no Reveal this cell")
	}
	click(t, ctx, hintSel+" button.show-sum")
	waitJS(t, ctx, 5*time.Second, "the sum", fmt.Sprintf(`!!document.querySelector(%q)`, hintSel+" .sum"))
	if got, want := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, hintSel+" .sum")), ver.Sum+" = ?"; got != want {
		t.Errorf("the sum reads %q, want %q", got, want)
	}
}

// checkNoAnswer: with every step blank and nothing entered, no blank's
// answer is anywhere in its cell (no data-v, title or data-full, an
// empty input, a name that is only its place), no cell that shows a blank
// again has a number, no picture of a blank matrix is drawn, the loss is
// hidden and training is off.
// checkNoWorkedInBlanks: no step with blanks shows a worked example (it
// works the default numbers through, so it would give their answers).
func checkNoWorkedInBlanks(t *testing.T, ctx context.Context, when string) {
	t.Helper()
	if bad := evalJS[[]string](t, ctx, `[...document.querySelectorAll("section.step[data-step]")]
		.filter(s => s.querySelector("td.cell.blank") && [...s.querySelectorAll(".step-worked")].some(p => !p.classList.contains("off") || p.textContent !== "")).map(s => s.dataset.step)`); len(bad) > 0 {
		t.Errorf("%s: steps %v have blanks and show a worked example", when, bad)
	}
}

func checkNoAnswer(t *testing.T, ctx context.Context, m engine.Model, plain *engine.Trace) {
	t.Helper()
	blanks := engine.Blanks(plain, engine.ScopeAll, 1)
	pt := engine.Practice(m, m.Exercise(), engine.Hand, blanks, nil, false)
	isBlank := map[string]bool{}
	matrices := map[string]bool{}
	for _, ref := range blanks {
		isBlank[fmt.Sprintf("%s/%d/%d", ref.Matrix, ref.Row, ref.Col)] = true
		matrices[ref.Matrix] = true
	}
	type td struct {
		Step, M     string
		R, C        int
		Blank       bool
		Attrs       [][2]string // every attribute of the td and of what it holds
		Text, Value string
		Label       string
	}
	tds := evalJS[[]td](t, ctx, `[...document.querySelectorAll("section.step[data-step] td.cell[data-m]")].map(td => {
		const attrs = [];
		for (const el of [td, ...td.querySelectorAll("*")]) for (const a of el.attributes) attrs.push([a.name, a.value]);
		const inp = td.querySelector("input");
		return {Step: td.closest("section.step").dataset.step, M: td.dataset.m, R: +td.dataset.r, C: +td.dataset.c,
			Blank: td.classList.contains("blank"), Attrs: attrs, Text: td.textContent.trim(),
			Value: inp ? inp.value : "", Label: inp ? inp.getAttribute("aria-label") : ""};
	})`)
	structural := []string{"id", "class", "data-m", "data-r", "data-c", "tabindex", "type", "inputmode", "autocomplete",
		"spellcheck", "aria-invalid", "aria-hidden", "aria-label"}
	seen := 0
	for _, c := range tds {
		ref := engine.CellRef{Matrix: c.M, Row: c.R, Col: c.C}
		if mx := pt.Matrix(c.M); mx != nil && mx.ViewOf() != "" {
			if e, ok := mx.Explain(c.R, c.C); ok && len(e.Sources) == 1 {
				ref = e.Sources[0]
			}
		}
		if !isBlank[fmt.Sprintf("%s/%d/%d", ref.Matrix, ref.Row, ref.Col)] {
			continue
		}
		answer := engine.Format(plain.Matrix(ref.Matrix).At(ref.Row, ref.Col))
		for _, a := range c.Attrs {
			if a[0] == "data-v" || a[0] == "data-full" || a[0] == "title" && c.Blank || a[0] == "value" && a[1] != "" ||
				!slices.Contains(structural, a[0]) && a[1] == answer {
				t.Errorf("%s %s[%d,%d] (answer %s) has %s=%q", c.Step, c.M, c.R, c.C, answer, a[0], a[1])
			}
		}
		if !c.Blank {
			if c.Text != "?" {
				t.Errorf("%s %s[%d,%d], not known yet, shows %q", c.Step, c.M, c.R, c.C, c.Text)
			}
			continue
		}
		seen++
		place := fmt.Sprintf("%s [%d,%d], %s", pt.Matrix(c.M).Name, c.R+1, c.C+1, i18n.T(i18n.EN, "practice.blank"))
		if c.Text != "" || c.Value != "" || c.Label != place {
			t.Errorf("%s %s[%d,%d] shows %q, holds %q, is named %q (want %q)", c.Step, c.M, c.R, c.C, c.Text, c.Value, c.Label, place)
		}
	}
	if seen != len(blanks) {
		t.Errorf("%d blanks drawn as inputs, the engine has %d", seen, len(blanks))
	}
	for id := range matrices {
		if n := evalJS[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('.picture[data-pm=%q]').length`, id)); n > 0 {
			t.Errorf("%d pictures of %s, which has blanks", n, id)
		}
	}
	loss := evalJS[[]string](t, ctx, `(() => { const l = document.getElementById("loss"); return [l.textContent, l.dataset.v ?? ""]; })()`)
	if loss[0] != i18n.T(i18n.EN, "loss.practice") || loss[1] != "" {
		t.Errorf("the loss shows %q (data-v %q)", loss[0], loss[1])
	}
	if !evalJS[bool](t, ctx, `document.getElementById("apply").disabled && document.getElementById("train").disabled`) {
		t.Error("training is on while practising")
	}
	t.Logf("%d blanks, %d cells that show them again, no answer", seen, len(tds))
}
