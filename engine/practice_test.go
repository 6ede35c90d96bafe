package engine

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// Worked examples of practice, pinned by hand on the autoencoder's default
// exercise (Hand mode, all integers) and the softmax walkthrough (powers
// of 3).
//
// The autoencoder's first layer, H₁ = ReLU([W₁ | b₁]·[X ; 1]), by hand:
//
//	row 1 of W₁ | b₁ = (1, 0, 1, −1 | 0), column 1 of X = (1, 0, 1, 0):
//	1·1 + 0·0 + 1·1 + (−1)·0 + 0 = 2, so H₁[1,1] = 2;
//	H₁ = [[2, 0, 0, 2], [0, 1, 1, 0], [2, 0, 1, 3]].
//
// Its second, Z = ReLU([W₂ | b₂]·[H₁ ; 1]), column 1 from H₁'s (2, 0, 2):
//
//	row 1 (1, 0, 1 | −1): 1·2 + 0·0 + 1·2 + (−1) = 3,
//	row 2 (0, 1, −1 | 0): 0·2 + 1·0 + (−1)·2 + 0 = −2 → 0.

var (
	aeH = CellRef{"H1", 0, 0} // H₁[1,1] = 2
	aeZ = CellRef{"Z", 0, 0}  // Z[1,1] = 3
)

func aePractice(t *testing.T, e Entries, carry bool) *PracticeTrace {
	t.Helper()
	m := Lookup("autoencoder")
	return Practice(m, m.Exercise(), Hand, []CellRef{aeH, aeZ}, e, carry)
}

func expect(t *testing.T, pt *PracticeTrace, ref CellRef, want float64) {
	t.Helper()
	got, ok := pt.Expected(ref)
	if !ok || got != want {
		t.Errorf("Expected(%v) = %g, %v; want %g", ref, got, ok, want)
	}
}

func TestPracticeRightEntryAccepted(t *testing.T) {
	pt := aePractice(t, Entries{aeH: 2}, false)
	expect(t, pt, aeH, 2)
	if v := pt.Check(aeH, 2); !v.Right || v.Unknown || v.Sum != "" || v.Sources != nil {
		t.Errorf("Check(H₁[1,1], 2) = %+v, want right and no hint", v)
	}
	if got := pt.Matrix("H1").At(0, 0); got != 2 {
		t.Errorf("the trace shows %g where 2 was entered", got)
	}
	steps, total := pt.Progress(nil)
	want := []Tally{{Step: "enc1", Blanks: 1, Right: 1}, {Step: "enc2", Blanks: 1}}
	if !reflect.DeepEqual(steps, want) || total != (Tally{Blanks: 2, Right: 1}) || total.Left() != 1 {
		t.Errorf("Progress = %+v, %+v; want %+v and 2 blanks, 1 right", steps, total, want)
	}
	// Revealed: the page enters the expected number and marks the cell.
	steps, total = pt.Progress(map[CellRef]bool{aeH: true})
	if steps[0].Revealed != 1 || steps[0].Right != 0 || total.Revealed != 1 {
		t.Errorf("a revealed cell counts as revealed, not solved: %+v, %+v", steps, total)
	}
}

func TestPracticeWrongEntryGetsAHint(t *testing.T) {
	pt := aePractice(t, Entries{aeH: 3}, false)
	v := pt.Check(aeH, 3)
	if v.Right || v.Unknown {
		t.Fatalf("Check(H₁[1,1], 3) = %+v, want wrong", v)
	}
	if want := (&Line{Key: "practice.row", Matrix: "W1", Name: "W₁ | b₁", N: 1}); !reflect.DeepEqual(v.Row, want) {
		t.Errorf("Row = %+v, want %+v", v.Row, want)
	}
	if want := (&Line{Key: "practice.column", Matrix: "X", Name: "X", N: 1}); !reflect.DeepEqual(v.Col, want) {
		t.Errorf("Col = %+v, want %+v", v.Col, want)
	}
	if got := v.Row.Text("en") + " / " + v.Col.Text("en"); got != "row 1 of W₁ | b₁ / column 1 of X" {
		t.Errorf("the lines read %q", got)
	}
	if got := v.Row.Text("zh") + " / " + v.Col.Text("zh"); got != "W₁ | b₁ 的第 1 行 / X 的第 1 列" {
		t.Errorf("the lines read %q in Chinese", got)
	}
	wantSrc := []CellRef{{"W1", 0, 0}, {"X", 0, 0}, {"W1", 0, 1}, {"X", 1, 0}, {"W1", 0, 2}, {"X", 2, 0},
		{"W1", 0, 3}, {"X", 3, 0}, {"W1", 0, 4}, {"X", 4, 0}} // X's row 4: the row of 1s under it
	if !reflect.DeepEqual(v.Sources, wantSrc) {
		t.Errorf("Sources = %v, want %v", v.Sources, wantSrc)
	}
	if v.Sum != "ReLU(1·1 + 0·0 + 1·1 + (−1)·0 + 0)" {
		t.Errorf("Sum = %q", v.Sum)
	}
	if e, _ := pt.Explain("H1", 0, 0); e.Formula != "" || e.Sources != nil {
		t.Errorf("a blank cell explains itself in the trace: %+v", e)
	}
	if _, total := pt.Progress(nil); total != (Tally{Blanks: 2, Wrong: 1}) {
		t.Errorf("Progress total = %+v, want 2 blanks, 1 wrong", total)
	}
}

func TestPracticeWrongEntryLeadsOn(t *testing.T) {
	// With 3 in H₁[1,1], Z[1,1] is 1·3 + 0·0 + 1·2 + (−1) = 4: the right
	// answer given what the student has, and the true 3 is wrong.
	pt := aePractice(t, Entries{aeH: 3}, false)
	expect(t, pt, aeH, 2) // its own entry does not change what it should be
	expect(t, pt, aeZ, 4)
	if got := pt.Matrix("H1").At(0, 0); got != 3 {
		t.Errorf("H₁[1,1] shows %g, not the 3 entered", got)
	}
	if !pt.Check(aeZ, 4).Right || pt.Check(aeZ, 3).Right {
		t.Errorf("Z[1,1]: 4 should be right and 3 wrong after H₁[1,1] = 3")
	}
	if v := pt.Check(aeZ, 3); v.Sum != "ReLU(1·3 + 0·0 + 1·2 + (−1))" {
		t.Errorf("the sum reads the student's numbers: %q", v.Sum)
	}
	// Z[2,1] = ReLU(0·3 + 1·0 + (−1)·2 + 0) = 0 whatever H₁[1,1] is.
	if got := pt.Matrix("Z").At(1, 0); got != 0 {
		t.Errorf("Z[2,1] = %g, want 0", got)
	}
}

func TestPracticeCarryKeepsTheRightValues(t *testing.T) {
	pt := aePractice(t, Entries{aeH: 3}, true)
	expect(t, pt, aeH, 2)
	expect(t, pt, aeZ, 3)
	if got := pt.Matrix("H1").At(0, 0); got != 2 {
		t.Errorf("with carry, H₁[1,1] holds %g, not the right 2", got)
	}
	if v := pt.Check(aeH, 3); v.Right {
		t.Errorf("carry does not make a wrong entry right")
	}
	if !pt.Check(aeZ, 3).Right {
		t.Errorf("with carry, Z[1,1] = 3 is right")
	}
}

func TestPracticeEmptyCellWaits(t *testing.T) {
	m := Lookup("autoencoder")
	plain := m.Run(m.Exercise(), Hand)
	pt := aePractice(t, nil, false)
	if _, ok := pt.Expected(aeZ); ok {
		t.Errorf("Z[1,1] reads the empty H₁[1,1] but has an expected number")
	}
	if v := pt.Check(aeZ, 3); !v.Unknown || v.Right {
		t.Errorf("Check(Z[1,1]) = %+v, want unknown", v)
	}
	expect(t, pt, aeH, 2)
	// Column 1 of Z reads H₁[1,1] (row 2 with the weight 0: 0·? is not
	// known either); the other columns do not.
	z, pz := plain.Matrix("Z"), pt.Matrix("Z")
	for i := 0; i < 2; i++ {
		for j := 0; j < 4; j++ {
			if got := pz.At(i, j); (j == 0) != math.IsNaN(got) || j > 0 && got != z.At(i, j) {
				t.Errorf("Z[%d,%d] = %g (plain %g)", i+1, j+1, got, z.At(i, j))
			}
		}
	}
	if e, _ := pt.Explain("Z", 1, 0); e.Formula != "ReLU(0·? + 1·0 + (−1)·2 + 0) = ?" {
		t.Errorf("an unknown cell explains itself as %q", e.Formula)
	}
	for _, s := range pt.Steps {
		if s.Undefined != "" || s.WaitsOn != "" {
			t.Errorf("step %s is undefined (%q) or waits (%q) because a cell is empty", s.ID, s.Undefined, s.WaitsOn)
		}
	}
	if _, total := pt.Progress(nil); total.Left() != 2 {
		t.Errorf("Progress: %+v, want 2 left", total)
	}
}

// The softmax in Hand mode: 3ˣ of x = (2, 0, 3, 1, 2, 0) is (9, 1, 27, 3,
// 9, 1), which add up to 50, so P₁ = 9/50 = 0.18.
func TestPracticeHandSoftmaxTolerance(t *testing.T) {
	m := Lookup("softmax")
	e, p := CellRef{"P.e", 0, 0}, CellRef{"P", 0, 0}
	pt := Practice(m, m.Exercise(), Hand, []CellRef{e, p}, Entries{e: 9}, false)
	expect(t, pt, e, 9)
	expect(t, pt, p, 0.18)
	for _, c := range []struct {
		ref   CellRef
		entry float64
		right bool
	}{
		{p, 0.18, true}, {p, 0.189, true}, {p, 0.171, true}, // within 0.01
		{p, 0.191, false}, {p, 0.169, false}, // just outside
		{e, 9, true}, {e, 9.001, false}, {e, 8.999, false}, // a whole number is exact
	} {
		if got := pt.Check(c.ref, c.entry).Right; got != c.right {
			t.Errorf("Check(%v, %g) right = %v, want %v", c.ref, c.entry, got, c.right)
		}
	}
	if v := pt.Check(p, 0.2); v.Sum != "9 / 50" {
		t.Errorf("the sum of P₁ reads %q, want 9 / 50", v.Sum)
	}
}

func TestPracticeAgrees(t *testing.T) {
	for _, c := range []struct {
		entry, want float64
		right       bool
	}{
		{2, 2, true}, {2.001, 2, false}, {2, 2 + 1e-12, true}, // a sum off by rounding is still 2
		{1235, 1234.5, true}, {1246, 1234.5, true}, {1247, 1234.5, false}, // 1% of a large answer
		{0.08, 1.0 / 13, true}, {0.09, 1.0 / 13, false},
		{math.NaN(), 0.5, false}, {0.5, math.NaN(), false},
	} {
		if got := Agrees(c.entry, c.want); got != c.right {
			t.Errorf("Agrees(%g, %g) = %v, want %v", c.entry, c.want, got, c.right)
		}
	}
}

func TestPracticeBlanksScopes(t *testing.T) {
	m := Lookup("autoencoder")
	tr := m.Run(m.Exercise(), Hand)
	if got := Blanks(tr, ScopeOff, 1); got != nil {
		t.Errorf("ScopeOff blanks %d cells", len(got))
	}
	fwd, all := Blanks(tr, ScopeForward, 1), Blanks(tr, ScopeAll, 1)
	// Forward: Y′ (4×4), H₁ (3×4), Z (2×4), H₃ (3×4) and Y (4×4); never
	// X and the weights (variables); Y − Y′ begins the backward pass.
	if len(fwd) != 16+12+8+12+16 {
		t.Errorf("ScopeForward blanks %d cells", len(fwd))
	}
	for _, ref := range all {
		m := tr.Matrix(ref.Matrix)
		if m == nil || !m.Computed() || m.from != "" {
			t.Fatalf("%v is not a cell a step computes", ref)
		}
	}
	if len(all) <= len(fwd) || !reflect.DeepEqual(all[:len(fwd)], fwd) {
		t.Errorf("ScopeAll should be the forward cells, then the backward ones")
	}
	r1, r2 := Blanks(tr, ScopeRandom, 7), Blanks(tr, ScopeRandom, 7)
	if !reflect.DeepEqual(r1, r2) {
		t.Errorf("ScopeRandom is not the same for the same seed")
	}
	if reflect.DeepEqual(r1, Blanks(tr, ScopeRandom, 8)) {
		t.Errorf("ScopeRandom is the same for seeds 7 and 8")
	}
	// About half of every step's cells, at least one.
	for _, s := range tr.Steps {
		n, k := len(stepCells(tr, s)), 0
		for _, ref := range r1 {
			if tr.producer[ref.Matrix] == s.ID {
				k++
			}
		}
		if n > 0 && k != (n+1)/2 {
			t.Errorf("step %s: %d of %d cells blank", s.ID, k, n)
		}
	}
	// Pinned: the draw is the same on every platform.
	if got, want := Blanks(tr, ScopeRandom, 1)[:3], []CellRef{{"Yt", 0, 0}, {"Yt", 0, 2}, {"Yt", 1, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("ScopeRandom seed 1 starts %v, want %v", got, want)
	}
	for _, ref := range all {
		// The autoencoder's backward pass computes gradients and the ReLUs'
		// masks; its forward pass neither.
		if m := tr.Matrix(ref.Matrix); tr.Step(tr.producer[ref.Matrix]).Backward != (m.Role == RoleGradient || strings.HasSuffix(ref.Matrix, ".mask")) {
			t.Errorf("%v: its step's Backward is %v", ref, !tr.Step(tr.producer[ref.Matrix]).Backward)
		}
	}
}

// BenchmarkPractice works the autoencoder and the DiT through with every
// cell blank (ScopeAll) and every other one entered: what the page does
// on each entry.
func BenchmarkPractice(b *testing.B) {
	for _, slug := range []string{"autoencoder", "dit"} {
		b.Run(slug, func(b *testing.B) {
			m := Lookup(slug)
			st := m.Exercise()
			tr := m.Run(st, Hand)
			blanks := Blanks(tr, ScopeAll, 0)
			e := Entries{}
			for i, ref := range blanks {
				if i%2 == 0 {
					e[ref] = tr.Matrix(ref.Matrix).At(ref.Row, ref.Col)
				}
			}
			for b.Loop() {
				Practice(m, st, Hand, blanks, e, false)
			}
		})
	}
}
