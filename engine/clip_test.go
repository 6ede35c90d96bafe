package engine

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func expectMatrices(t *testing.T, tr *Trace, want map[string]*mat.Dense, tol float64) {
	t.Helper()
	for id, w := range want {
		got := tr.Matrix(id)
		if got == nil {
			t.Fatalf("no matrix %s", id)
		}
		if !mat.EqualApprox(got.Data, w, tol) {
			t.Errorf("%s =\n%v\nwant\n%v", id, mat.Formatted(got.Data), mat.Formatted(w))
		}
	}
}

// The default exercise, worked by hand in hand mode (3^x).
//
// Words: big = [0 2 1], table = [2 0 1], small = [2 1 1], chair = [0 0 1].
// Text encoder, row 1 ([−1 −1 1 | 1]) on "small": −2 − 1 + 1 + 1 = −1 → 0;
// on "chair": 0 + 0 + 1 + 1 = 2. Row 3 is the bias 1 for every word.
// Patches are the 2×2 halves of each 2×4 image read row by row, e.g. image
// 1 = [1 1 1 1; 0 1 0 1] gives [1 1 0 1] twice.
// Pooling averages word pairs: text 2 ("small chair") row 1 = (0 + 2)/2 = 1.
// Projections: T = Pₜ·H̄ₜ + cₜ, e.g. T₁ = [0·0 − 1·1 + 1·1 + 1, −1·0 + 1] = [1, 1].
// S = Iᵀ·T with I = [1 2 0; 1 −1 1], T = [1 1 0; 1 0 1]:
// S₁₁ = 1·1 + 1·1 = 2, S₂₃ = 2·0 + (−1)·1 = −1, and so on.
// 3^S = [9 3 3; 3 9 ⅓; 3 1 3]; row sums 15, 37/3, 7; column sums 15, 13, 19/3.
// Image→text: [9 3 3]/15 = [0.6 0.2 0.2], [3 9 ⅓]/(37/3) = [9 27 1]/37,
// [3 1 3]/7. Text→image: columns [9 3 3]/15, [3 9 1]/13, [3 ⅓ 3]/(19/3) = [9 1 9]/19.
//
// The gradient is the true one: with 3ˣ, P = 3ᶻ/Σ3ᶻ = e^(z·ln 3)/Σ…, so
// ∂(−ln Pᵢᵢ)/∂z = ln 3·(P − 𝟙) in each direction, and ∂L/∂Z averages the
// two: ∂L/∂Z[1,1] = ½·ln 3·(0.6 − 1) + ½·ln 3·(0.6 − 1) = −0.4·ln 3.
// With τ = 1, ∂L/∂S = ∂L/∂Z. Then ∂L/∂T = I·∂L/∂S; its cell [1,1] is
// 1·∂L/∂S[1,1] + 2·∂L/∂S[2,1] + 0·∂L/∂S[3,1]
// = ln 3·(−0.4 + 2·½(9/37 + 0.2)) = ln 3·(9/37 − 0.2) = ln 3·8/185.
func TestCLIPDefaultByHand(t *testing.T) {
	m := Lookup("clip")
	tr := m.Run(m.Exercise(), Hand)
	third := 1.0 / 3
	ln3 := math.Log(3)
	prow := dense(
		[]float64{0.6, 0.2, 0.2},
		[]float64{9.0 / 37, 27.0 / 37, 1.0 / 37},
		[]float64{3.0 / 7, 1.0 / 7, 3.0 / 7})
	pcol := dense(
		[]float64{0.6, 3.0 / 13, 9.0 / 19},
		[]float64{0.2, 9.0 / 13, 1.0 / 19},
		[]float64{0.2, 1.0 / 13, 9.0 / 19})
	id := dense([]float64{1, 0, 0}, []float64{0, 1, 0}, []float64{0, 0, 1})
	var grow, gcol, dz mat.Dense
	grow.Sub(prow, id)
	grow.Scale(ln3, &grow)
	gcol.Sub(pcol, id)
	gcol.Scale(ln3, &gcol)
	dz.Add(&grow, &gcol)
	dz.Scale(0.5, &dz)
	want := map[string]*mat.Dense{
		"Xt": dense([]float64{0, 2, 2, 0, 2, 2}, []float64{2, 0, 1, 0, 1, 0}, []float64{1, 1, 1, 1, 1, 1}),
		"Xi": dense([]float64{1, 1, 0, 2, 2, 2}, []float64{1, 1, 1, 1, 0, 2},
			[]float64{0, 0, 2, 2, 1, 1}, []float64{1, 1, 2, 2, 1, 0}),
		"Ht": dense([]float64{0, 0, 0, 2, 0, 0}, []float64{0, 2, 2, 0, 2, 2}, []float64{1, 1, 1, 1, 1, 1}),
		"Hi": dense([]float64{1, 1, 0, 0, 2, 0}, []float64{1, 1, 0, 2, 3, 1},
			[]float64{0, 0, 2, 0, 0, 0}, []float64{1, 1, 3, 1, 0, 0}),
		"Tp":   dense([]float64{0, 1, 0}, []float64{1, 1, 2}, []float64{1, 1, 1}),
		"Ip":   dense([]float64{1, 0, 1}, []float64{1, 1, 2}, []float64{0, 1, 0}, []float64{1, 2, 0}),
		"Te":   dense([]float64{1, 1, 0}, []float64{1, 0, 1}),
		"Ie":   dense([]float64{1, 2, 0}, []float64{1, -1, 1}),
		"S":    dense([]float64{2, 1, 1}, []float64{1, 2, -1}, []float64{1, 0, 1}),
		"Z":    dense([]float64{2, 1, 1}, []float64{1, 2, -1}, []float64{1, 0, 1}),
		"L.Ex": dense([]float64{9, 3, 3}, []float64{3, 9, third}, []float64{3, 1, 3}),
		"L.Sr": dense([]float64{15}, []float64{37.0 / 3}, []float64{7}),
		"L.Sc": dense([]float64{15, 13, 19.0 / 3}),
		"Prow": prow,
		"Pcol": pcol,
		// ln 3·(P − 𝟙) both ways, then ½ of each: e.g.
		// ½·ln 3·(0.6 − 1) + ½·ln 3·(0.6 − 1) = −0.4·ln 3.
		"dZ.Prow": &grow,
		"dZ.Pcol": &gcol,
		"dZ":      &dz,
		"dS":      &dz,
	}
	expectMatrices(t, tr, want, 1e-12)
	if got := tr.Matrix("Ht").Before.At(0, 2); got != -1 {
		t.Errorf("text encoder before ReLU on \"small\" = %v, want −1", got)
	}
	if got, w := tr.Matrix("dZ").At(0, 0), -0.4*ln3; math.Abs(got-w) > 1e-15 {
		t.Errorf("∂L/∂Z[1,1] = %v, want −0.4·ln 3 = %v", got, w)
	}
	if got, w := tr.Matrix("dTe").At(0, 0), ln3*8/185; math.Abs(got-w) > 1e-12 {
		t.Errorf("∂L/∂T[1,1] = %v, want ln 3·8/185 = %v", got, w)
	}
	// L = ½(−ln 0.6 − ln 0.6) + ½(−ln 27/37 − ln 9/13) + ½(−ln 3/7 − ln 9/19).
	wantLoss := 0.5*(-2*math.Log(0.6)) + 0.5*(-math.Log(27.0/37)-math.Log(9.0/13)) + 0.5*(-math.Log(3.0/7)-math.Log(9.0/19))
	if l := TotalLoss(tr); math.Abs(l-wantLoss) > 1e-12 {
		t.Errorf("loss = %v, want %v", l, wantLoss)
	}
	for _, c := range []struct {
		id   string
		r, c int
		want string
	}{
		{"L.Ex", 0, 0, "3² = 9"}, // a raised exponent, no longer "3^(2)": the arithmetic is the same
		{"L.Sr", 0, 0, "9 + 3 + 3 = 15"},
		{"Prow", 0, 0, "9 / 15 = 0.6"},
		{"S", 1, 2, "2·0 + (−1)·1 = −1"},
		{"Tp", 1, 1, "(2 + 0) / 2 = 1"},
		{"dZ.Prow", 0, 0, "ln 3·(0.6 − 1) = −0.439"},
		{"dZ", 0, 0, "½·(−0.439) + ½·(−0.439) = −0.439"},
		{"Z", 0, 0, "1·2 = 2"},
		{"L.pair", 0, 0, "½·(−ln 0.6 − ln 0.6) = 0.511"},
	} {
		if e, _ := tr.Explain(c.id, c.r, c.c); e.Formula != c.want {
			t.Errorf("%s[%d,%d] explains itself as %q, want %q", c.id, c.r, c.c, e.Formula, c.want)
		}
	}
	// On paper the first step of the softmax notes the 3ˣ; no step notes a
	// missing ln 3 any more, as every gradient shown is the true one.
	if tr.Step("softmax").Note != "clip.softmax.hand_note" {
		t.Errorf("hand mode must note 3ˣ on the powers, note %q", tr.Step("softmax").Note)
	}
	for _, mode := range []Mode{Hand, Exact} {
		tr := m.Run(m.Exercise(), mode)
		for _, s := range tr.Steps {
			if strings.Contains(s.Note, "ln3") {
				t.Errorf("%s: step %s still notes a missing ln 3 (%q)", mode, s.ID, s.Note)
			}
		}
	}
}

// In exact mode the numbers are those of e^x: row 1 of S is [2 1 1], so
// P(I→T)[1,1] = e²/(e² + 2e). Each row (column) is first shifted by its
// largest value, 2: Z − max→ row 1 = [0 −1 −1], whose powers are
// [1 1/e 1/e], summing to 1 + 2/e; the probabilities are the same. The
// gradient is P − 𝟙 in each direction, averaged: ∂L/∂Z[1,1] =
// ½·(e²/(e² + 2e) − 1) + ½·(e²/(e² + 2e) − 1) = e/(e + 2) − 1.
func TestCLIPExact(t *testing.T) {
	m := Lookup("clip")
	tr := m.Run(m.Exercise(), Exact)
	e := math.E
	if got, want := tr.Matrix("Prow").At(0, 0), e*e/(e*e+2*e); math.Abs(got-want) > 1e-12 {
		t.Errorf("exact P(I→T)[1,1] = %v, want %v", got, want)
	}
	if got, want := tr.Matrix("dZ").At(0, 0), e/(e+2)-1; math.Abs(got-want) > 1e-12 {
		t.Errorf("exact ∂L/∂Z[1,1] = %v, want %v", got, want)
	}
	expectMatrices(t, tr, map[string]*mat.Dense{
		"L.Mr":  dense([]float64{2}, []float64{2}, []float64{1}),
		"L.Mc":  dense([]float64{2, 2, 1}),
		"L.Dr":  dense([]float64{0, -1, -1}, []float64{-1, 0, -3}, []float64{0, -1, 0}),
		"L.Dc":  dense([]float64{0, -1, 0}, []float64{-1, 0, -2}, []float64{-1, -2, 0}),
		"L.Exr": dense([]float64{1, 1 / e, 1 / e}, []float64{1 / e, 1, 1 / (e * e * e)}, []float64{1, 1 / e, 1}),
		"L.Sr":  dense([]float64{1 + 2/e}, []float64{1 + 1/e + 1/(e*e*e)}, []float64{2 + 1/e}),
	}, 1e-12)
	for _, c := range []struct {
		id   string
		r, c int
		want string
	}{
		{"L.Mr", 1, 0, "max(1, 2, −1) = 2"},
		{"L.Dr", 1, 2, "(−1) − 2 = −3"},
		{"L.Exr", 0, 0, "e⁰ = 1"},
		{"L.Exr", 1, 2, "e⁻³ = " + Format(math.Exp(-3))},
	} {
		if e, _ := tr.Explain(c.id, c.r, c.c); e.Formula != c.want {
			t.Errorf("%s[%d,%d] explains itself as %q, want %q", c.id, c.r, c.c, e.Formula, c.want)
		}
	}
	var ids []string
	for _, s := range tr.Steps[10:20] {
		ids = append(ids, s.ID)
	}
	want := []string{"logits", "softmax", "softmax.shift.col", "softmax.exp.row", "softmax.exp.col",
		"softmax.sums.row", "softmax.sums.col", "softmax.prob.row", "softmax.prob.col", "softmax.loss"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("exact softmax steps %v, want %v", ids, want)
	}
}

// A logit far below the rest of its row and column gives a probability too
// small to tell from 0. Its loss, −ln p, is still a number: exact mode
// computes it as a log-softmax, (max − z) + ln Σ e^(z − max), and explains
// it that way. At τ = −1000, row 1 of Z is [−2000 −1000 −1000], so
// −ln P(I→T)[1,1] = 1000 + ln(2 + e^−1000) = 1000 + ln 2, and column 1 is
// the same.
func TestCLIPLossWhereAProbabilityUnderflows(t *testing.T) {
	m := Lookup("clip")
	st := m.Exercise()
	if err := st.Set("tau", 0, 0, -1000); err != nil {
		t.Fatal(err)
	}
	tr := m.Run(st, Exact)
	if !tr.Defined() {
		t.Fatalf("undefined: %s", firstUndefined(tr))
	}
	if p := tr.Matrix("Prow").At(0, 0); p != 0 {
		t.Fatalf("P(I→T)[1,1] = %v, want it to underflow to 0", p)
	}
	if got, want := tr.Matrix("L.pair").At(0, 0), 1000+math.Log(2); math.Abs(got-want) > 1e-9 {
		t.Errorf("ℓ₁ = %v, want 1000 + ln 2 = %v", got, want)
	}
	if e, _ := tr.Explain("L.pair", 0, 0); !strings.HasPrefix(e.Formula, "½·((ln 2 − (−1000)) + (ln 2 − (−1000))) = ") {
		t.Errorf("ℓ₁ explains itself as %q", e.Formula)
	}
	if l := TotalLoss(tr); math.IsInf(l, 0) || math.IsNaN(l) {
		t.Errorf("loss %v", l)
	}
}

// The forward steps are those of the Go walkthrough the file replaced; the
// backward pass is derived, in reverse order of the forward steps.
func TestCLIPStepsInOrder(t *testing.T) {
	m := Lookup("clip")
	tr := m.Run(m.Exercise(), Hand)
	var ids []string
	for _, s := range tr.Steps {
		ids = append(ids, s.ID)
	}
	want := []string{"given", "text.lookup", "image.patches", "text.encode", "image.encode",
		"text.pool", "image.pool", "text.project", "image.project", "similarity", "logits",
		"softmax", "softmax.sums.row", "softmax.sums.col", "softmax.prob.row", "softmax.prob.col", "softmax.loss",
		"softmax.grad.row", "softmax.grad.col", "softmax.grad", "logits.grad", "similarity.da", "similarity.db",
		"image.project.dw", "image.project.dx", "text.project.dw", "text.project.dx",
		"image.pool.grad", "text.pool.grad", "image.encode.relu", "image.encode.dw", "text.encode.relu", "text.encode.dw"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("steps %v\nwant %v", ids, want)
	}
}

// With 3^x in place of e^x the page shows the true gradient of the base-3
// loss, ln 3·(P − 𝟙) and what follows from it: finite differences agree
// with no factor.
func TestCLIPHandGradientIsTrue(t *testing.T) {
	m := Lookup("clip")
	if !checkGradientsIn(t, m, m.Exercise(), Hand) {
		t.Fatal("the default exercise is undefined")
	}
	forDefined(t, m, Hand, 3, rand.New(rand.NewPCG(11, 12)), randomize, func(st *State) {
		checkGradientsIn(t, m, st, Hand)
	})
}

func TestCLIPTrainingLowersLoss(t *testing.T) {
	m := Lookup("clip")
	for _, mode := range []Mode{Hand, Exact} {
		st := m.Exercise()
		first := TotalLoss(m.Run(st, mode))
		for k := 0; k < 50; k++ {
			if _, ok := Update(m, st, mode, 0.1); !ok {
				t.Fatalf("%s: update %d refused", mode, k)
			}
		}
		last := TotalLoss(m.Run(st, mode))
		if !(last < 0.8*first) {
			t.Errorf("%s: 50 steps took the loss from %v to %v", mode, first, last)
		}
	}
}

// A temperature so large that every power underflows or overflows leaves
// the softmax on paper undefined, says that exact mode computes it, and the
// gradient waits on it. Exact mode subtracts each line's largest logit
// first and stays defined, its loss and gradients finite.
func TestCLIPHugeTemperatureIsNamed(t *testing.T) {
	m := Lookup("clip")
	st := m.Exercise()
	if err := st.Set("tau", 0, 0, 1e6); err != nil {
		t.Fatal(err)
	}
	tr := m.Run(st, Hand)
	if tr.Step("softmax").Undefined != "undefined.overflow.hand" {
		t.Fatalf("powers step: %q", tr.Step("softmax").Undefined)
	}
	if tr.Step("softmax.grad").WaitsOn == "" {
		t.Fatalf("the gradient does not wait")
	}
	if ex := m.Run(st, Exact); !ex.Defined() || math.IsInf(TotalLoss(ex), 0) {
		t.Fatalf("exact mode: defined %v, loss %v", ex.Defined(), TotalLoss(ex))
	}
	if err := st.Set("tau", 0, 0, -1e6); err != nil {
		t.Fatal(err)
	}
	tr = m.Run(st, Hand)
	if tr.Defined() {
		t.Fatalf("a softmax of underflowed powers is defined")
	}
	for _, s := range tr.Steps {
		if s.Undefined != "" && s.Undefined != "clip.undefined.underflow" && s.Undefined != "undefined.overflow.hand" {
			t.Errorf("step %s: %q does not point to exact mode", s.ID, s.Undefined)
		}
	}
	if ex := m.Run(st, Exact); !ex.Defined() {
		t.Fatalf("exact mode is undefined at τ = −10⁶")
	}
}

func BenchmarkCLIPRun(b *testing.B) {
	m := Lookup("clip")
	st := m.Exercise()
	for b.Loop() {
		m.Run(st, Exact)
	}
}
