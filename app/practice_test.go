package ui

import (
	"math"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Practice mode as the page's session has it, on the autoencoder's
// default exercise (Hand mode), whose first layer is worked by hand in
// engine/practice_test.go: H₁[1,1] = 2, and Z[1,1] = 3 from it (4 when
// H₁[1,1] is 3).

var (
	aeH11 = engine.CellRef{Matrix: "H1", Row: 0, Col: 0}
	aeH21 = engine.CellRef{Matrix: "H1", Row: 1, Col: 0}
	aeH31 = engine.CellRef{Matrix: "H1", Row: 2, Col: 0}
	aeZ11 = engine.CellRef{Matrix: "Z", Row: 0, Col: 0}
)

func practiceSession(t *testing.T, scope engine.Scope) *Session {
	t.Helper()
	s := aeSession(t)
	s.SetPractice(scope)
	if !s.Practising() {
		t.Fatal("SetPractice did not turn practice on")
	}
	return s
}

// cellIn is cell ref as step shows it.
func cellIn(t *testing.T, s *Session, step string, ref engine.CellRef) CellView {
	t.Helper()
	for _, v := range s.Views {
		if v.ID != step {
			continue
		}
		for _, m := range v.Matrices {
			if m.ID == ref.Matrix {
				return m.Cells[ref.Row][ref.Col]
			}
		}
	}
	t.Fatalf("step %s does not show %s", step, ref.Matrix)
	return CellView{}
}

func viewOf(s *Session, step string) *StepView {
	for i := range s.Views {
		if s.Views[i].ID == step {
			return &s.Views[i]
		}
	}
	return nil
}

func enter(t *testing.T, s *Session, ref engine.CellRef, text string) {
	t.Helper()
	if err := s.Enter(ref, text); err != nil {
		t.Fatalf("Enter(%v, %q): %v", ref, text, err)
	}
}

// plainAE is the autoencoder's default exercise worked through without
// practice.
func plainAE() *engine.Trace {
	m := engine.Lookup("autoencoder")
	return m.Run(m.Exercise(), engine.Hand)
}

func TestPracticeRightEntries(t *testing.T) {
	s := practiceSession(t, engine.ScopeForward)
	// Forward: Y′ 4×4, H₁ 3×4, Z 2×4, H₃ 3×4, Y 4×4.
	if s.Tally.Blanks != 64 || s.Tallies["enc1"].Blanks != 12 || viewOf(s, "enc1").Tally.Blanks != 12 {
		t.Fatalf("tallies %+v, enc1 %+v", s.Tally, s.Tallies["enc1"])
	}
	if c := cellIn(t, s, "enc1", aeH11); !c.Blank || c.Text != "" || c.Entry != "" || c.Status != "" {
		t.Fatalf("an empty blank is drawn as %+v", c)
	}
	enter(t, s, aeH11, "2")
	if got := s.Tallies["enc1"]; got.Right != 1 || got.Wrong != 0 || s.Tally.Right != 1 || s.Tally.Left() != 63 {
		t.Errorf("after a right entry: enc1 %+v, all %+v", got, s.Tally)
	}
	if c := cellIn(t, s, "enc1", aeH11); !c.Blank || c.Entry != "2" || c.Status != "right" || c.Text != "" {
		t.Errorf("a right entry is drawn as %+v", c)
	}
	// The whole step, right: every cell right, the step done.
	h1 := plainAE().Matrix("H1")
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			enter(t, s, engine.CellRef{Matrix: "H1", Row: i, Col: j}, strings.ReplaceAll(engine.Format(h1.At(i, j)), "−", "-"))
		}
	}
	if got := viewOf(s, "enc1").Tally; got.Right != 12 || got.Left() != 0 {
		t.Errorf("every cell of H₁ right: the step's tally is %+v", got)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if c := cellIn(t, s, "enc1", engine.CellRef{Matrix: "H1", Row: i, Col: j}); c.Status != "right" {
				t.Errorf("H₁[%d,%d] is %q", i+1, j+1, c.Status)
			}
		}
	}
	// Refused text changes nothing; empty text takes an entry back.
	before := s.Page.Practice.Clone()
	undo := s.CanUndo()
	for _, bad := range []string{"abc", "1e400", "NaN", "2 3"} {
		if err := s.Enter(aeH11, bad); err == nil {
			t.Errorf("Enter accepted %q", bad)
		}
	}
	if !s.Page.Practice.Equal(before) || s.CanUndo() != undo {
		t.Error("a refused entry changed the work")
	}
	enter(t, s, aeH11, " ")
	if _, ok := s.Page.Practice.Entries[aeH11]; ok || s.Tallies["enc1"].Right != 11 {
		t.Errorf("an emptied blank is still entered: %+v", s.Tallies["enc1"])
	}
	if c := cellIn(t, s, "enc1", aeH11); c.Entry != "" || c.Status != "" {
		t.Errorf("an emptied blank is drawn as %+v", c)
	}
}

// TestPracticeWrongEntry: a wrong entry is marked, counted, and what
// reads it is computed from it; with carry, from the right number, and
// the page still shows the entry and never the answer.
func TestPracticeWrongEntry(t *testing.T) {
	s := practiceSession(t, engine.ScopeForward)
	enter(t, s, aeH11, "3")
	if c := cellIn(t, s, "enc1", aeH11); c.Status != "wrong" || c.Entry != "3" {
		t.Errorf("a wrong entry is drawn as %+v", c)
	}
	if got := s.Tally; got.Wrong != 1 || got.Right != 0 {
		t.Errorf("a wrong entry is counted as %+v", got)
	}
	// The next step reads H₁: it shows the entry.
	if c := cellIn(t, s, "enc2", aeH11); c.Blank || c.Text != "3" {
		t.Errorf("the next step shows H₁[1,1] as %+v, want the entry 3", c)
	}
	// Z[1,1] reads column 1 of H₁: (3, 0, 2) with the others right.
	if c := cellIn(t, s, "enc2", aeZ11); !c.Blank || c.Entry != "" || c.Status != "" {
		t.Errorf("Z[1,1], still empty, is drawn as %+v", c)
	}
	enter(t, s, aeZ11, "4")
	if c := cellIn(t, s, "enc2", aeZ11); c.Status != "waiting" || s.Tally.Waiting != 1 {
		t.Errorf("Z[1,1] entered before H₁'s column is %q (%+v), want waiting", c.Status, s.Tally)
	}
	enter(t, s, aeH21, "0")
	enter(t, s, aeH31, "2")
	// 1·3 + 0·0 + 1·2 + (−1) = 4: right from the student's H₁.
	if c := cellIn(t, s, "enc2", aeZ11); c.Status != "right" {
		t.Errorf("Z[1,1] = 4 after H₁[1,1] = 3 is %q, want right", c.Status)
	}
	// With carry, Z reads the right H₁[1,1] = 2: 4 is wrong now, 3 right.
	s.SetCarry(true)
	if c := cellIn(t, s, "enc2", aeZ11); c.Status != "wrong" {
		t.Errorf("with carry, Z[1,1] = 4 is %q, want wrong", c.Status)
	}
	enter(t, s, aeZ11, "3")
	if c := cellIn(t, s, "enc2", aeZ11); c.Status != "right" {
		t.Errorf("with carry, Z[1,1] = 3 is %q, want right", c.Status)
	}
	if c := cellIn(t, s, "enc2", aeH11); c.Text != "2" || !c.Carried {
		t.Errorf("with carry, the next step shows H₁[1,1] as %+v, not the right 2 it computes from, marked carried", c)
	}
	if c := cellIn(t, s, "enc1", aeH11); c.Status != "wrong" {
		t.Errorf("carry made a wrong entry %q", c.Status)
	}
	s.SetCarry(false)
	if c := cellIn(t, s, "enc2", aeZ11); c.Status != "wrong" {
		t.Errorf("carry off again: Z[1,1] = 3 is %q, want wrong", c.Status)
	}
}

// TestPracticeCarryDownstream fills every forward blank with its right
// number but one wrong H₁[1,1]: without carry the backward steps are
// computed from the wrong entry, with carry from the right numbers, and
// both as the engine's practice run has them.
func TestPracticeCarryDownstream(t *testing.T) {
	m := engine.Lookup("autoencoder")
	plain := plainAE()
	p := pagestate.Default(m)
	p.Practice.Scope, p.Practice.Entries = engine.ScopeForward, engine.Entries{}
	blanks := engine.Blanks(plain, engine.ScopeForward, 1)
	for _, ref := range blanks {
		p.Practice.Entries[ref] = plain.Matrix(ref.Matrix).At(ref.Row, ref.Col)
	}
	p.Practice.Entries[aeH11] = 3
	s := OpenSession(m, p)
	shown := map[bool]string{}
	for _, carry := range []bool{false, true} {
		s.SetCarry(carry)
		want := engine.Practice(m, m.Exercise(), engine.Hand, blanks, p.Practice.Entries, carry)
		for _, v := range s.Views {
			st := want.Step(v.ID)
			if st == nil || !st.Backward {
				continue
			}
			for _, mv := range v.Matrices {
				tm := want.Matrix(mv.ID)
				if !slices.Contains(st.Produces, mv.ID) || tm.ViewOf() != "" {
					continue
				}
				for i, row := range mv.Cells {
					for j, c := range row {
						if w := engine.Format(tm.At(i, j)); c.Text != w || c.Unknown || c.Blank {
							t.Fatalf("carry %v: %s %s[%d,%d] shows %+v, the engine %s", carry, v.ID, mv.ID, i+1, j+1, c, w)
						}
					}
				}
			}
		}
		// [H₁ ; 1]ᵀ beside it shows what the step computes from: the
		// entry, or with carry the right number, marked.
		h := map[bool]string{false: "3", true: "2"}[carry]
		if c := cellIn(t, s, "enc2.dw", engine.CellRef{Matrix: "H1ᵀ1", Row: 0, Col: 0}); c.Text != h || c.Carried != carry {
			t.Errorf("carry %v: [H₁ ; 1]ᵀ[1,1] shows %+v, want %s", carry, c, h)
		}
		shown[carry] = cellIn(t, s, "enc2.dw", engine.CellRef{Matrix: "dW2", Row: 0, Col: 0}).Text
		if want := plain.Matrix("dW2").At(0, 0); carry && shown[carry] != engine.Format(want) {
			t.Errorf("with carry, ∂L/∂W₂[1,1] is %s, not the right %s", shown[carry], engine.Format(want))
		}
	}
	if shown[false] == shown[true] {
		t.Errorf("∂L/∂W₂[1,1] is %s with carry and without: it reads H₁[1,1]", shown[true])
	}
}

func TestPracticeReveal(t *testing.T) {
	s := practiceSession(t, engine.ScopeForward)
	// Z[1,1] reads the empty H₁[1,1]: it cannot be revealed yet.
	if n := s.Reveal(aeZ11); n != 0 {
		t.Errorf("revealed %d cells computed from an empty one", n)
	}
	if n := s.Reveal(aeH11); n != 1 {
		t.Fatalf("Reveal(H₁[1,1]) = %d", n)
	}
	if c := cellIn(t, s, "enc1", aeH11); c.Status != "revealed" || c.Entry != "2" {
		t.Errorf("a revealed cell is drawn as %+v", c)
	}
	if got := s.Tally; got.Revealed != 1 || got.Right != 0 || s.Tallies["enc1"].Revealed != 1 {
		t.Errorf("a revealed cell is counted as %+v", got)
	}
	// Cells revealed together are filled in as they become known: Z,
	// listed first, follows H₁, which it reads.
	var z, h1 []engine.CellRef
	for _, ref := range s.Practice.Blanks() {
		switch ref.Matrix {
		case "Z":
			z = append(z, ref)
		case "H1":
			h1 = append(h1, ref)
		}
	}
	if n := s.Reveal(append(z, h1...)...); n != 8+11 {
		t.Errorf("revealing Z and H₁ gave %d cells, want 19", n)
	}
	plain := plainAE()
	for _, ref := range append(z, h1...) {
		want := engine.Format(plain.Matrix(ref.Matrix).At(ref.Row, ref.Col))
		if c := cellIn(t, s, map[string]string{"H1": "enc1", "Z": "enc2"}[ref.Matrix], ref); c.Status != "revealed" || c.Entry != want {
			t.Errorf("%v revealed as %+v, want %s", ref, c, want)
		}
	}
	if got := s.Tally; got.Revealed != 20 || got.Right != 0 || s.Tallies["enc2"].Revealed != 8 {
		t.Errorf("20 revealed cells counted as %+v", got)
	}
	// Another number in a revealed cell is the student's own again.
	enter(t, s, aeH11, "5")
	if c := cellIn(t, s, "enc1", aeH11); c.Status != "wrong" || s.Page.Practice.Revealed[aeH11] {
		t.Errorf("a revealed cell typed over is %q, revealed %v", c.Status, s.Page.Practice.Revealed[aeH11])
	}
	// Practice off: nothing to reveal.
	s.SetPractice(engine.ScopeOff)
	if n := s.Reveal(aeH11); n != 0 {
		t.Errorf("revealed %d cells with practice off", n)
	}
}

// TestPracticeRevealStepKeepsRightEntries: revealing a step reveals the
// cells not yet right; the student's right entries stay theirs.
func TestPracticeRevealStepKeepsRightEntries(t *testing.T) {
	s := practiceSession(t, engine.ScopeForward)
	enter(t, s, aeH11, "2") // right
	enter(t, s, aeH21, "5") // wrong
	var step []engine.CellRef
	for _, ref := range s.Practice.Blanks() {
		if ref.Matrix == "H1" {
			step = append(step, ref)
		}
	}
	if n := s.Reveal(step...); n != 11 {
		t.Errorf("revealing H₁ with one right entry revealed %d cells, want 11", n)
	}
	if got := s.Tallies["enc1"]; got.Right != 1 || got.Revealed != 11 || got.Wrong != 0 {
		t.Errorf("after Reveal this step: %+v, want 1 right and 11 revealed", got)
	}
	if c := cellIn(t, s, "enc1", aeH11); c.Status != "right" {
		t.Errorf("the right entry is %q after revealing its step", c.Status)
	}
	if c := cellIn(t, s, "enc1", aeH21); c.Status != "revealed" || c.Entry != "0" {
		t.Errorf("the wrong entry is %+v after revealing its step", c)
	}
}

func TestPracticeUndoRedo(t *testing.T) {
	s := aeSession(t)
	type state struct {
		scope  engine.Scope
		status string
	}
	at := func() state {
		if !s.Practising() {
			return state{scope: s.Page.Practice.Scope}
		}
		return state{s.Page.Practice.Scope, cellIn(t, s, "enc1", aeH11).Status}
	}
	var states []state
	do := func(f func()) {
		f()
		states = append(states, at())
	}
	states = append(states, at())
	do(func() { s.SetPractice(engine.ScopeAll) })
	do(func() { enter(t, s, aeH11, "3") })
	do(func() { enter(t, s, aeH11, "2") })
	do(func() {
		if s.Reveal(aeH21) != 1 {
			t.Fatal("H₁[2,1] not revealed")
		}
	})
	do(func() { enter(t, s, aeH11, "") })
	want := []state{{engine.ScopeOff, ""}, {engine.ScopeAll, ""}, {engine.ScopeAll, "wrong"}, {engine.ScopeAll, "right"},
		{engine.ScopeAll, "right"}, {engine.ScopeAll, ""}}
	if !slices.Equal(states, want) {
		t.Fatalf("states %v, want %v", states, want)
	}
	for i := len(states) - 2; i >= 0; i-- {
		if !s.Undo() {
			t.Fatalf("nothing to undo back to %d", i)
		}
		if got := at(); got != states[i] {
			t.Errorf("undo to %d: %+v, want %+v", i, got, states[i])
		}
	}
	if s.CanUndo() {
		t.Error("more to undo than was done")
	}
	for i := 1; i < len(states); i++ {
		s.Redo()
		if got := at(); got != states[i] {
			t.Errorf("redo to %d: %+v, want %+v", i, got, states[i])
		}
	}
	if !s.Page.Practice.Revealed[aeH21] || s.Tally.Revealed != 1 {
		t.Errorf("redo lost the revealed H₁[2,1]: %+v", s.Tally)
	}
}

func TestPracticeNewNumbers(t *testing.T) {
	m := engine.Lookup("autoencoder")
	s := practiceSession(t, engine.ScopeRandom)
	blanks0 := slices.Clone(s.Practice.Blanks())
	enter(t, s, s.Practice.Blanks()[0], "1")
	if !s.NewNumbers(7) {
		t.Fatal("NewNumbers(7) refused")
	}
	want, err := engine.Draw(m, 7)
	if err != nil {
		t.Fatal(err)
	}
	if s.Page.Numbers != 7 || !s.Page.Exercise.Equal(want) {
		t.Fatal("New numbers 7 is not engine.Draw's exercise 7")
	}
	if len(s.Page.Practice.Entries) != 0 || s.Tally.Right+s.Tally.Wrong+s.Tally.Waiting != 0 || s.Page.Practice.Scope != engine.ScopeRandom {
		t.Errorf("after New numbers: %+v, %+v", s.Page.Practice, s.Tally)
	}
	x := want.Get("X")
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			if got := cellIn(t, s, "given", engine.CellRef{Matrix: "X", Row: i, Col: j}).Text; got != engine.Format(x.At(i, j)) {
				t.Fatalf("X[%d,%d] shows %s, exercise 7 has %s", i+1, j+1, got, engine.Format(x.At(i, j)))
			}
		}
	}
	// Random blanks are drawn from the exercise number.
	if slices.Equal(blanks0, s.Practice.Blanks()) {
		t.Error("exercise 7 has the same random blanks as the walkthrough's own numbers")
	}
	if !s.Undo() || s.Page.Numbers != 0 || !s.Page.Exercise.Equal(m.Exercise()) || len(s.Page.Practice.Entries) != 1 {
		t.Errorf("undoing New numbers: numbers %d, %d entries", s.Page.Numbers, len(s.Page.Practice.Entries))
	}
	if !slices.Equal(blanks0, s.Practice.Blanks()) {
		t.Error("undoing New numbers did not bring back its blanks")
	}
	if !s.Redo() || s.Page.Numbers != 7 || !s.Page.Exercise.Equal(want) {
		t.Error("redoing New numbers")
	}
	// An edit over drawn numbers, then Reset: back to exercise 7.
	if err := s.Edit("X", 0, 0, "9"); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	if !s.Page.Exercise.Equal(want) {
		t.Error("Reset does not go back to exercise 7")
	}
	if !s.NewNumbers(0) || s.Page.Numbers != 0 || !s.Page.Exercise.Equal(m.Exercise()) {
		t.Error("New numbers 0 is not the walkthrough's own")
	}
}

func TestPracticeHidesTheLoss(t *testing.T) {
	s := aeSession(t)
	if _, ok := s.Loss(); !ok {
		t.Fatal("no loss before practice")
	}
	s.SetPractice(engine.ScopeForward)
	if _, ok := s.Loss(); ok {
		t.Error("the loss is shown while practising")
	}
	s.SetPractice(engine.ScopeOff)
	if _, ok := s.Loss(); !ok || s.Practising() {
		t.Error("practice off: no loss")
	}
}

var (
	tdRE   = regexp.MustCompile(`<td [^>]*>`)
	attrRE = regexp.MustCompile(`\b(data-v|data-full|title)=`)
)

// TestPracticeNoAnswerInViews: with every step blank and nothing entered,
// in both modes of every walkthrough, no blank and no cell not known yet
// carries a number (text, strike, full number, entry), every blank is
// drawn as an input where its step computes it, no matrix with such a
// cell draws a picture, no blank explains itself, the loss is hidden, and
// the cards drawn have no data-v, data-full or title on those cells.
// Under Node, several times slower, Hand mode only (it says so).
func TestPracticeNoAnswerInViews(t *testing.T) {
	modes := []engine.Mode{engine.Hand, engine.Exact}
	if runtime.GOOS == "js" {
		modes = modes[:1]
		t.Logf("UNDER NODE: HAND MODE ONLY (natively, both)")
	}
	for _, m := range testModels(t) {
		for _, mode := range modes {
			s := NewSession(m, mode)
			s.SetPractice(engine.ScopeAll)
			name := m.Info().Slug + "/" + mode.String()
			if s.Tally.Blanks == 0 || s.Tally.Blanks != len(s.Practice.Blanks()) {
				t.Fatalf("%s: %d blanks, tally %+v", name, len(s.Practice.Blanks()), s.Tally)
			}
			drawn := map[engine.CellRef]bool{}
			for i, v := range s.Views {
				for _, mv := range v.Matrices {
					hidden := false
					for r, row := range mv.Cells {
						for c, cv := range row {
							ref := engine.CellRef{Matrix: mv.ID, Row: r, Col: c}
							if !cv.Blank && !cv.Unknown {
								continue
							}
							hidden = true
							if cv.Blank {
								drawn[ref] = true
								if _, _, ok := s.explainText(cellKey{ref.Matrix, r, c}); ok {
									t.Errorf("%s: blank %v explains itself", name, ref)
								}
							}
							if cv.Text != "" || cv.Full != "" || cv.Struck != "" || cv.StruckFull != "" || cv.Entry != "" || cv.Status != "" {
								t.Fatalf("%s: step %s draws %v as %+v", name, v.ID, ref, cv)
							}
						}
					}
					if hidden && mv.Picture != nil {
						t.Errorf("%s: step %s draws a picture of %s, which has blanks", name, v.ID, mv.ID)
					}
				}
				html := app.HTMLString(&StepCard{Index: i, Shape: v.Shape, Lang: i18n.EN, Session: s, Current: true})
				for _, td := range tdRE.FindAllString(html, -1) {
					if (strings.Contains(td, " blank") || strings.Contains(td, " unknown")) && attrRE.MatchString(td) {
						t.Fatalf("%s: step %s draws %s", name, v.ID, td)
					}
				}
			}
			for _, ref := range s.Practice.Blanks() {
				if !drawn[ref] {
					t.Errorf("%s: blank %v is drawn nowhere", name, ref)
				}
			}
			if _, ok := s.Loss(); ok {
				t.Errorf("%s: the loss is shown", name)
			}
		}
	}
}

// TestPracticeCarryShowsWhatItUses: with carry, the steps after a wrong
// entry are computed from the right number, and wherever the page shows
// a blank's cell again, in a later step or in a view of it (a transpose),
// it shows that right number, marked as carried; a blank left empty is
// shown as not known, never with its answer, and none is explained. Every
// other blank of every walkthrough is entered wrong, the rest left empty.
func TestPracticeCarryShowsWhatItUses(t *testing.T) {
	for _, m := range testModels(t) {
		name := m.Info().Slug
		p := pagestate.Default(m)
		plain := m.Run(p.Exercise.Clone(), p.Mode)
		p.Practice = pagestate.Practice{Scope: engine.ScopeAll, Carry: true, Entries: engine.Entries{}}
		answers := map[engine.CellRef]float64{}
		for k, ref := range engine.Blanks(plain, engine.ScopeAll, 1) {
			if v := plain.Matrix(ref.Matrix).At(ref.Row, ref.Col); !math.IsNaN(v) && !math.IsInf(v, 0) {
				answers[ref] = v
				if k%2 == 0 {
					p.Practice.Entries[ref] = v + 1 + math.Abs(v) // wrong, and written differently
				}
			}
		}
		s := OpenSession(m, p)
		carried, unknown := 0, 0
		for _, v := range s.Views {
			for _, mv := range v.Matrices {
				tm := s.Trace.Matrix(mv.ID)
				for r, row := range mv.Cells {
					for c, cv := range row {
						// The blank this cell shows: its own, or the one a
						// view's cell is.
						ref := engine.CellRef{Matrix: mv.ID, Row: r, Col: c}
						if tm != nil && tm.ViewOf() != "" {
							if e, ok := tm.Explain(r, c); ok && len(e.Sources) == 1 {
								ref = e.Sources[0]
							}
						}
						want, blank := answers[ref]
						if !blank || cv.Blank {
							continue
						}
						if _, entered := p.Practice.Entries[ref]; !entered {
							unknown++
							if !cv.Unknown || cv.Text != "" {
								t.Errorf("%s: step %s shows %s[%d,%d] (blank %v, empty) as %+v, not as unknown", name, v.ID, mv.ID, r+1, c+1, ref, cv)
							}
						} else if w := s.Trace.Matrix(ref.Matrix).At(ref.Row, ref.Col); engine.Format(w) != "" {
							carried++
							if cv.Text != engine.Format(w) || !cv.Carried {
								t.Errorf("%s: step %s shows %s[%d,%d] (blank %v, entered %s) as %+v, not the carried %s (the answer is %s)",
									name, v.ID, mv.ID, r+1, c+1, ref, engine.Format(p.Practice.Entries[ref]), cv, engine.Format(w), engine.Format(want))
							}
						}
						if text, _, ok := s.explainText(cellKey{mv.ID, r, c}); ok && ref != (engine.CellRef{Matrix: mv.ID, Row: r, Col: c}) {
							t.Errorf("%s: step %s explains %s[%d,%d], a view of blank %v: %q", name, v.ID, mv.ID, r+1, c+1, ref, text)
						}
					}
				}
			}
		}
		if carried == 0 || unknown == 0 {
			t.Errorf("%s: %d cells carried and %d unknown were shown again: the check checked nothing", name, carried, unknown)
		}
	}
}
