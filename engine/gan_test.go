package engine

import (
	"math"
	"strings"
	"testing"
)

// The default GAN exercise, worked by hand. N's columns are (2,2), (1,2),
// (1,1), (0,−1).
//
//	G₁ row 1 (1,0 | 1):  2+1 = 3, 1+1 = 2, 1+1 = 2, 0+1 = 1
//	G₁ row 2 (1,1 | −1): 2+2−1 = 3, 1+2−1 = 2, 1+1−1 = 1, 0−1−1 = −2 → 0
//	G₁ row 3 (0,1 | 0):  2, 2, 1, −1 → 0
//
// so H₁'s columns are (3,3,2), (2,2,2), (2,1,1), (1,0,0), and
//
//	G₂ row 1 (1,−1,0 | 1): 3−3+1 = 1, 2−2+1 = 1, 2−1+1 = 2, 1+1 = 2
//	G₂ row 2 (1,0,−1 | 1): 3−2+1 = 2, 2−2+1 = 1, 2−1+1 = 2, 1+1 = 2
//	G₂ row 3 (1,−1,1 | 0): 3−3+2 = 2, 2−2+2 = 2, 2−1+1 = 2, 1 = 1
//	G₂ row 4 (0,1,−1 | 1): 3−2+1 = 2, 2−2+1 = 1, 1−1+1 = 1, 0+1 = 1
//
// Discriminator on [F | X], F₁ = (1,2,2,2) … X₁ = (1,0,1,1) …:
//
//	D₁ row 1 (1,−1,1,1 | 0): F₁ 1−2+2+2 = 3, … X₂ 0−1+1+1 = 1, …
//	D₁ row 2 (1,0,0,0 | 1):  the first value plus 1
//	D₁ row 3 (1,−1,1,0 | 1): F₁ 1−2+2+1 = 2, … X₄ 1−1+1+1 = 2
//	Z = row 1 − row 2 + row 3 − 2 = (1, 2, 1, −1 | 2, −1, −2, −1)
//
// With s₁ = σ(1) and s₂ = σ(2) (σ(−z) = 1 − σ(z)): Y = (s₁, s₂, s₁, 1−s₁ |
// s₂, 1−s₁, 1−s₂, 1−s₁). Against YD = (0,0,0,0,1,1,1,1), ∂L/∂Z = Y − YD;
// the loss, with softplus sp(z) = ln(1 + e^z) and sp(−z) = sp(z) − z, is
// L_D = sp(1)+sp(2)+sp(1)+sp(−1) + sp(−2)+sp(1)+sp(2)+sp(1) = 5 sp(1) + 3 sp(2) − 3.
// On the fakes against YG = 1: L_G = sp(−1)+sp(−2)+sp(−1)+sp(1) = 3 sp(1) + sp(2) − 4.
//
// The backward pass is derived from the file's steps: phase d's matrices
// are prefixed "d.", phase g's "g.". The generator's gradient goes back
// through all eight columns of the discriminator, with 0 in the real ones.
func TestGANDefaultByHand(t *testing.T) {
	m := Lookup("gan")
	if m == nil {
		t.Fatal("gan not registered")
	}
	s1, s2 := 1/(1+math.Exp(-1)), 1/(1+math.Exp(-2))
	sp1, sp2 := math.Log(1+math.E), math.Log(1+math.Exp(2))
	for _, mode := range []Mode{Hand, Exact} {
		tr := m.Run(m.Exercise(), mode)
		if !tr.Defined() {
			t.Fatalf("%s: default exercise undefined", mode)
		}
		pin := func(id string, want [][]float64) {
			t.Helper()
			mx := tr.Matrix(id)
			if mx == nil {
				t.Fatalf("%s: no matrix %s", mode, id)
			}
			probExpectMatrix(t, mode.String()+" "+id, mx.Data, want)
		}
		pin("A", [][]float64{{3, 2, 2, 1}, {3, 2, 1, -2}, {2, 2, 1, -1}})
		pin("H1", [][]float64{{3, 2, 2, 1}, {3, 2, 1, 0}, {2, 2, 1, 0}})
		pin("F", [][]float64{{1, 1, 2, 2}, {2, 1, 2, 2}, {2, 2, 2, 1}, {2, 1, 1, 1}})
		pin("FX", [][]float64{
			{1, 1, 2, 2, 1, 0, 1, 1},
			{2, 1, 2, 2, 0, 1, 1, 1},
			{2, 2, 2, 1, 1, 1, 0, 1},
			{2, 1, 1, 1, 1, 1, 1, 0}})
		pin("H2", [][]float64{{3, 3, 3, 2, 3, 1, 1, 1}, {2, 2, 3, 3, 2, 1, 2, 2}, {2, 3, 3, 2, 3, 1, 1, 2}})
		pin("Z", [][]float64{{1, 2, 1, -1, 2, -1, -2, -1}})
		pin("Y", [][]float64{{s1, s2, s1, 1 - s1, s2, 1 - s1, 1 - s2, 1 - s1}})
		pin("YD", [][]float64{{0, 0, 0, 0, 1, 1, 1, 1}})
		pin("d.dZ", [][]float64{{s1, s2, s1, 1 - s1, s2 - 1, -s1, -s2, -s1}})
		// ∂L/∂[D₂ | c₂] = ∂L/∂Z·[H₂ ; 1]ᵀ; with H₂'s row 1 (3,3,3,2,3,1,1,1):
		// 3s₁ + 3s₂ + 3s₁ + 2(1−s₁) + 3(s₂−1) − s₁ − s₂ − s₁ = 2s₁ + 5s₂ − 1;
		// row 2 gives −s₁ + 2s₂ + 1, row 3 5s₂ − 1, the bias Σ ∂L/∂Z = s₂ − s₁.
		pin("d.dD2", [][]float64{{2*s1 + 5*s2 - 1, -s1 + 2*s2 + 1, 5*s2 - 1, s2 - s1}})
		// The generator's phase: the fake columns only, against YG = 1.
		pin("Zf", [][]float64{{1, 2, 1, -1}})
		pin("Yf", [][]float64{{s1, s2, s1, 1 - s1}})
		pin("g.dZf", [][]float64{{s1 - 1, s2 - 1, s1 - 1, -s1}})
		// Back to all eight scores: the real columns get 0.
		pin("g.dZ", [][]float64{{s1 - 1, s2 - 1, s1 - 1, -s1, 0, 0, 0, 0}})
		// Back through D₂ = (1, −1, 1): rows g, −g, g (then the 0s).
		g := []float64{s1 - 1, s2 - 1, s1 - 1, -s1}
		neg := []float64{1 - s1, 1 - s2, 1 - s1, s1}
		zeros := func(r []float64) []float64 { return append(append([]float64{}, r...), 0, 0, 0, 0) }
		pin("g.dH2", [][]float64{zeros(g), zeros(neg), zeros(g)})
		// Back through D₁ (no ReLU struck on the fakes): D₁ᵀ's rows (1,1,1),
		// (−1,0,−1), (1,0,1), (1,0,0) give g, −2g, 2g, g.
		dF := [][]float64{g, {2 * neg[0], 2 * neg[1], 2 * neg[2], 2 * neg[3]},
			{2 * g[0], 2 * g[1], 2 * g[2], 2 * g[3]}, g}
		pin("g.dFX", [][]float64{zeros(dF[0]), zeros(dF[1]), zeros(dF[2]), zeros(dF[3])})
		pin("g.dF", dF)

		if len(tr.Losses) != 2 || tr.Losses[0].Name != "gan.sigmoid.label" || tr.Losses[1].Name != "gan.g.label" {
			t.Fatalf("losses %+v", tr.Losses)
		}
		if got, want := tr.Losses[0].Value, 5*sp1+3*sp2-3; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: L_D = %v, want 5 sp(1) + 3 sp(2) − 3 = %v", mode, got, want)
		}
		if got, want := tr.Losses[1].Value, 3*sp1+sp2-4; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: L_G = %v, want 3 sp(1) + sp(2) − 4 = %v", mode, got, want)
		}
	}
}

// Two phases: the discriminator's gradients only, then the generator's
// only. (The Go walkthrough drew the discriminator frozen in the
// generator's steps; the derived backward draws its weights as they are,
// trainable, until the engine marks a phase's untrained weights frozen.)
func TestGANPhases(t *testing.T) {
	m := Lookup("gan")
	tr := m.Run(m.Exercise(), Hand)
	if len(tr.Phases) != 2 {
		t.Fatalf("%d phases, want 2", len(tr.Phases))
	}
	params := func(p int) []string {
		var out []string
		for _, g := range tr.Phases[p] {
			out = append(out, g.Param)
		}
		return out
	}
	if got := params(0); len(got) != 2 || got[0] != "D1" || got[1] != "D2" {
		t.Errorf("phase 0 trains %v, want D1 D2", got)
	}
	if got := params(1); len(got) != 2 || got[0] != "G1" || got[1] != "G2" {
		t.Errorf("phase 1 trains %v, want G1 G2", got)
	}
	for _, id := range []string{"g.dis2.dx", "g.dis1.dx"} {
		if tr.Step(id) == nil {
			t.Errorf("no step %s: the generator's gradient should pass back through the discriminator", id)
		}
	}
	for _, id := range []string{"g.dis2.dw", "g.dis1.dw", "d.gen2.dw", "d.gen1.dw"} {
		if tr.Step(id) != nil {
			t.Errorf("step %s: a phase computes the gradient of weights it does not train", id)
		}
	}
	for _, id := range []string{"dis1", "dis2"} {
		if w := tr.Step(id).Matrices[0]; !w.Trainable || w.Frozen {
			t.Errorf("step %s: the discriminator should be trainable", id)
		}
	}
	for _, s := range tr.Steps {
		if len(s.ID) > 2 && s.ID[:2] == "g." {
			for _, id := range s.Produces {
				if strings.Contains(id, "dD1") || strings.Contains(id, "dD2") {
					t.Errorf("the generator's step %s computes %s", s.ID, id)
				}
			}
		}
	}
	exact := m.Run(m.Exercise(), Exact)
	if tr.Step("sigmoid").Note != "gan.sigmoid.hand_note" || exact.Step("sigmoid").Note != "" {
		t.Error("the sigmoid's hand-mode note is missing or shown in exact mode")
	}
}

// A discriminator step lowers the discriminator's loss; a generator step,
// from the default exercise, lowers the generator's loss.
func TestGANStepsLowerTheirLosses(t *testing.T) {
	m := Lookup("gan")
	for _, lr := range []float64{0.01, 0.02} {
		for _, p := range []int{0, 1} {
			st := m.Exercise()
			tr := m.Run(st, Exact)
			before := tr.PhaseLoss(p)
			for _, g := range tr.Phases[p] {
				SGD(st.Get(g.Param), g.Grad, lr)
			}
			after := m.Run(st, Exact).PhaseLoss(p)
			if !(after < before) {
				t.Errorf("lr %v, phase %d: loss went from %v to %v", lr, p, before, after)
			}
		}
	}
	// A full update moves both networks, each against its own loss.
	st := m.Exercise()
	def := st.Clone()
	if _, ok := Update(m, st, Exact, 0.01); !ok {
		t.Fatal("update refused")
	}
	for _, id := range []string{"D1", "D2", "G1", "G2"} {
		if sameNumbers(st.Get(id), def.Get(id)) {
			t.Errorf("update left %s unchanged", id)
		}
	}
	for _, id := range []string{"N", "X"} {
		if !sameNumbers(st.Get(id), def.Get(id)) {
			t.Errorf("update changed %s", id)
		}
	}
}

func TestGANExplanations(t *testing.T) {
	m := Lookup("gan")
	tr := m.Run(m.Exercise(), Hand)
	cases := []struct {
		id      string
		r, c    int
		formula string
	}{
		{"A", 1, 3, "1·0 + 1·(−1) + (−1) = −2"},
		{"H1", 1, 3, "ReLU(−2) = 0"},
		// Copied cells name the cell they copy (they used to say only "X: 1").
		{"FX", 0, 4, "X[1,1] = 1"},
		{"FX", 1, 0, "F[2,1] = 2"},
		{"Z", 0, 0, "1·3 + (−1)·2 + 1·2 + (−2) = 1"},
		{"Y", 0, 0, "σ(1) = 0.731"},
		{"d.dZ", 0, 4, "0.881 − 1 = −0.119"},
		{"Zf", 0, 3, "Z[1,4] = −1"},
		{"Yf", 0, 3, "σ(−1) = 0.269"},
		// The same arithmetic, with raised exponents in place of e^(−1).
		{"LG", 0, 0, "ln(1 + e⁻¹) + ln(1 + e⁻²) + ln(1 + e⁻¹) + ln(1 + e¹) = 2.07"},
	}
	for _, c := range cases {
		e, ok := tr.Explain(c.id, c.r, c.c)
		if !ok || e.Formula != c.formula {
			t.Errorf("%s[%d,%d] explains %q, want %q", c.id, c.r, c.c, e.Formula, c.formula)
		}
	}
	if h := tr.Matrix("H1"); h.Before == nil || h.Before.At(1, 3) != -2 {
		t.Error("the generator's ReLU does not keep the struck −2")
	}
}

// Scores far beyond what e^Z can hold still give finite probabilities and
// gradients; only a loss that truly exceeds the largest number is refused.
func TestGANHugeScores(t *testing.T) {
	m := Lookup("gan")
	st := m.Exercise()
	if err := st.Set("D2", 0, 3, 1e300); err != nil { // every Z ≈ 1e300
		t.Fatal(err)
	}
	tr := m.Run(st, Exact)
	for _, id := range []string{"sigmoid", "d.sigmoid.grad", "g.g.grad", "g.loss", "g.dis1.dx", "g.gen1.dw"} {
		if s := tr.Step(id); s.Undefined != "" || s.WaitsOn != "" {
			t.Errorf("step %s undefined %q waits %q", id, s.Undefined, s.WaitsOn)
		}
	}
	if got := tr.Matrix("Y").At(0, 0); got != 1 {
		t.Errorf("σ(1e300) = %v", got)
	}
	// The fakes alone cost 4e300 for D: finite. L_G is ≈ 0.
	if l := tr.Losses[1].Value; l != 0 {
		t.Errorf("L_G = %v for a fooled discriminator", l)
	}
	if s := tr.Step("sigmoid.loss"); s.Undefined != "" {
		t.Errorf("sigmoid.loss undefined %q", s.Undefined)
	}
	if err := st.Set("D2", 0, 3, 1e308); err != nil { // 4·1e308 overflows
		t.Fatal(err)
	}
	tr = m.Run(st, Exact)
	if s := tr.Step("sigmoid.loss"); s.Undefined != "undefined.overflow" {
		t.Errorf("an overflowing L_D is not marked: %q", s.Undefined)
	}
	if tr.Defined() {
		t.Error("a trace with an overflowing loss reports itself defined")
	}
}
