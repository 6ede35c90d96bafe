package engine

import (
	"math"
	"testing"
)

// The default VAE exercise, worked by hand. X's columns are
// X₁ = (1,0,1,0), X₂ = (0,1,1,1), X₃ = (1,1,0,1).
//
// Encoder, row by row of [W₁ | b₁]:
//
//	row 1 (1,−1,0,1 | 1): X₁ 1+0+0+0+1 = 2, X₂ −1+0+1+1 = 1, X₃ 1−1+0+1+1 = 2
//	row 2 (0,−1,0,1 | 1): X₁ 0+1 = 1, X₂ −1+1+1 = 1, X₃ −1+1+1 = 1
//	row 3 (1,0,−1,1 | −1): X₁ 1−1−1 = −1 → 0, X₂ −1+1−1 = −1 → 0, X₃ 1+1−1 = 1
//
// so H's columns are (2,1,0), (1,1,0), (2,1,1).
//
//	μ row 1 (1,0,−1 | −1): 2−1 = 1, 1−1 = 0, 2−1−1 = 0
//	μ row 2 (−1,1,0 | 1):  −2+1+1 = 0, −1+1+1 = 1, −2+1+1 = 0
//	σ row 1 (0,0,1 | 1):   0+1 = 1, 0+1 = 1, 1+1 = 2
//	σ row 2 (1,−1,−1 | 1): 2−1+1 = 2, 1−1+1 = 1, 2−1−1+1 = 1
//
// ε (seed 371751059) = [−0.5 −0.3 1; 1 −0.3 0.5], so σ⊙ε = [−0.5 −0.3 2;
// 2 −0.3 0.5] and z = μ + σ⊙ε = [0.5 −0.3 2; 2 0.7 0.5].
//
// Decoder: [W₂ | b₂] = [1 0|0; 0 1|0; −1 1|0] gives the rows z₁, z₂ and
// z₂ − z₁ = (1.5, 1, −1.5); ReLU strikes −0.3 and −1.5, so
// H₂ = [0.5 0 2; 2 0.7 0.5; 1.5 1 0]. [W₃ | b₃] picks row 1 of H₂, row 2 −
// row 3, row 3, and row 2 − 1: Y = [0.5 0 2; 0.5 −0.3 0.5; 1.5 1 0; 1 −0.3 −0.5].
//
// Gradients (derived from the file's steps): from the KL loss, ∂KL/∂μ = μ
// (matrix dmu.kl); 1/σ = [1 1 ½; ½ 1 1]; σ − 1/σ = [0 0 1.5; 1.5 0 0]
// (dsigma.kl); from half the squared error,
// ∂L/∂Y = Y − X = [−0.5 0 1; 0.5 −1.3 −0.5; 0.5 0 0; 1 −1.3 −1.5].
//
// Losses: ½Σ(Y − X)² = ½(0.25+0+1+0.25+1.69+0.25+0.25+0+0+1+1.69+2.25) =
// ½·8.63 = 4.315; KL = ½(Σμ² + Σσ² − 6 − Σ ln σ²) = ½(2 + 12 − 6 − 2 ln 4)
// = 4 − ln 4.
func TestVAEDefaultByHand(t *testing.T) {
	m := Lookup("vae")
	if m == nil {
		t.Fatal("vae not registered")
	}
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
		pin("eps", [][]float64{{-0.5, -0.3, 1}, {1, -0.3, 0.5}})
		pin("H", [][]float64{{2, 1, 2}, {1, 1, 1}, {0, 0, 1}})
		pin("mu", [][]float64{{1, 0, 0}, {0, 1, 0}})
		pin("sigma", [][]float64{{1, 1, 2}, {2, 1, 1}})
		pin("se", [][]float64{{-0.5, -0.3, 2}, {2, -0.3, 0.5}})
		pin("z", [][]float64{{0.5, -0.3, 2}, {2, 0.7, 0.5}})
		pin("H2", [][]float64{{0.5, 0, 2}, {2, 0.7, 0.5}, {1.5, 1, 0}})
		pin("Y", [][]float64{{0.5, 0, 2}, {0.5, -0.3, 0.5}, {1.5, 1, 0}, {1, -0.3, -0.5}})
		pin("dmu.kl", [][]float64{{1, 0, 0}, {0, 1, 0}})
		pin("invsigma", [][]float64{{1, 1, 0.5}, {0.5, 1, 1}})
		pin("dsigma.kl", [][]float64{{0, 0, 1.5}, {1.5, 0, 0}})
		pin("dY", [][]float64{{-0.5, 0, 1}, {0.5, -1.3, -0.5}, {0.5, 0, 0}, {1, -1.3, -1.5}})
		// ∂L/∂[W₃ | b₃] = ∂L/∂Y·[H₂ ; 1]ᵀ; row 1: (−0.5)·0.5 + 0·0 + 1·2 = 1.75,
		// (−0.5)·2 + 0·0.7 + 1·0.5 = −0.5, (−0.5)·1.5 + 0·1 + 1·0 = −0.75,
		// bias −0.5 + 0 + 1 = 0.5.
		pin("dW3", [][]float64{
			{1.75, -0.5, -0.75, 0.5},
			{-0.75, -0.16, -0.55, -1.3},
			{0.25, 1, 0.75, 0.5},
			{-2.5, 0.34, 0.2, -1.8}})
		// ∂L/∂z = W₂ᵀ·∂L/∂(W₂·z+b₂): H₂'s struck cells (0,1) and (2,2) stop
		// their gradient; column 1: row 1 = −0.5 − 0 = −0.5, row 2 = 1.5 + 0 = 1.5.
		pin("dz", [][]float64{{-0.5, -1.3, 1}, {1.5, -1.3, -2}})
		// ∂L/∂μ = μ + ∂L/∂z; ∂L/∂σ = σ − 1/σ + ∂L/∂z⊙ε, e.g. 0 + (−0.5)·(−0.5) = 0.25.
		pin("dmu", [][]float64{{0.5, -1.3, 1}, {1.5, -0.3, -2}})
		pin("dsigma", [][]float64{{0.25, 0.39, 2.5}, {3, 0.39, -1}})
		pin("dWsig", [][]float64{{5.89, 3.14, 2.5, 3.14}, {4.39, 2.39, -1, 2.39}})
		pin("dH", [][]float64{{2, -0.61, 2}, {-1.5, -0.69, -1}, {-3.25, 1.3, 2.5}})
		pin("dW1", [][]float64{
			{4, 1.39, 1.39, 1.39, 3.39},
			{-2.5, -1.69, -2.19, -1.69, -3.19},
			{2.5, 2.5, 0, 2.5, 2.5}})

		if len(tr.Losses) != 2 || tr.Losses[0].Name != "vae.recon.label" || tr.Losses[1].Name != "vae.kl.label" {
			t.Fatalf("losses %+v", tr.Losses)
		}
		if got := tr.Losses[0].Value; math.Abs(got-4.315) > 1e-12 {
			t.Errorf("%s: reconstruction loss %v, want 4.315", mode, got)
		}
		if got, want := tr.Losses[1].Value, 4-math.Log(4); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: KL loss %v, want 4 − ln 4 = %v", mode, got, want)
		}
		if len(tr.Phases) != 1 || len(tr.Phases[0]) != 5 {
			t.Fatalf("want one phase with the five W|b gradients")
		}
	}
}

func TestVAEExplanations(t *testing.T) {
	m := Lookup("vae")
	tr := m.Run(m.Exercise(), Hand)
	cases := []struct {
		id      string
		r, c    int
		formula string
	}{
		{"H", 0, 0, "1·1 + (−1)·0 + 0·1 + 1·0 + 1 = 2"},
		{"H", 2, 0, "1·1 + 0·0 + (−1)·1 + 1·0 + (−1) = −1; ReLU → 0"},
		{"se", 0, 0, "1·(−0.5) = −0.5"},
		{"z", 1, 1, "1 + (−0.3) = 0.7"},
		{"invsigma", 0, 2, "1/2 = 0.5"},
		{"dsigma.kl", 1, 0, "2 − 0.5 = 1.5"},
		// The KL loss's share comes first, then the code's.
		{"dsigma", 0, 2, "1.5 + 1 = 2.5"},
		{"dmu.kl", 0, 0, "μ[1,1] = 1"}, // names the cell it copies (was "μ = 1")
		{"Lkl", 0, 0, "½·(1² + 1² − 1 − ln 1² + 0² + 1² − 1 − ln 1² + 0² + 2² − 1 − ln 2² + 0² + 2² − 1 − ln 2² + 1² + 1² − 1 − ln 1² + 0² + 1² − 1 − ln 1²) = 2.61"},
	}
	for _, c := range cases {
		e, ok := tr.Explain(c.id, c.r, c.c)
		if !ok || e.Formula != c.formula {
			t.Errorf("%s[%d,%d] explains %q, want %q", c.id, c.r, c.c, e.Formula, c.formula)
		}
	}
	// The bias term of a folded product names the virtual row of 1s.
	e, _ := tr.Explain("mu", 0, 0)
	last := e.Sources[len(e.Sources)-1]
	if last != (CellRef{"H", 3, 0}) {
		t.Errorf("μ's bias source %+v, want the row of 1s under H", last)
	}
}

func TestVAETrainingLowersLoss(t *testing.T) {
	m := Lookup("vae")
	st := m.Exercise()
	first := TotalLoss(m.Run(st, Exact))
	prev := first
	for i := 0; i < 100; i++ {
		if _, ok := Update(m, st, Exact, 0.01); !ok {
			t.Fatalf("update %d refused", i)
		}
		l := TotalLoss(m.Run(st, Exact))
		if i < 10 && l >= prev {
			t.Errorf("update %d: loss %v did not fall below %v", i, l, prev)
		}
		prev = l
	}
	if !(prev < 0.5*first) {
		t.Errorf("100 updates took the loss from %v only to %v", first, prev)
	}
}

// A σ ≤ 0 is no standard deviation: the first step needing 1/σ and the
// KL loss's step say so, the steps computed from them wait, and no update
// is taken; the forward pass and the decoder's gradients stay defined.
func TestVAESigmaNotPositive(t *testing.T) {
	m := Lookup("vae")
	for _, bias := range []float64{-1, -2} { // σ row 1 becomes (0, 0, 1), then (−1, −1, 0)
		st := m.Exercise()
		if err := st.Set("Wsig", 0, 3, bias); err != nil {
			t.Fatal(err)
		}
		tr := m.Run(st, Hand)
		for _, id := range []string{"kl.inv", "kl"} {
			if s := tr.Step(id); s.Undefined != "undefined.sigma" || s.WaitsOn != "" {
				t.Errorf("bias %v: step %s undefined %q waits %q, want undefined.sigma", bias, id, s.Undefined, s.WaitsOn)
			}
		}
		for _, id := range []string{"kl.sigma", "sigma.grad", "sigma.dw", "sigma.dx", "H.grad", "enc1.relu", "enc1.dw"} {
			if s := tr.Step(id); s.WaitsOn != "kl.inv" || s.Undefined != "" {
				t.Errorf("bias %v: step %s waits on %q (undefined %q), want kl.inv", bias, id, s.WaitsOn, s.Undefined)
			}
		}
		for _, id := range []string{"sigma", "scale", "z", "dec2", "recon", "kl.mu", "recon.diff", "dec2.dw", "dec1.dx", "scale.da", "mu.grad", "mu.dw"} {
			if s := tr.Step(id); s.Undefined != "" || s.WaitsOn != "" {
				t.Errorf("bias %v: step %s should stay defined (undefined %q, waits %q)", bias, id, s.Undefined, s.WaitsOn)
			}
		}
		before := st.Clone()
		if _, ok := Update(m, st, Hand, 0.1); ok || !st.Equal(before) {
			t.Errorf("bias %v: an update went ahead with σ ≤ 0", bias)
		}
	}
}

// seedVAESeed is the seed the default ε was drawn with: the file writes the
// draw out (all tenths, four of them halves or ones).
const seedVAESeed = 371751059

func TestVAEResample(t *testing.T) {
	m := Lookup("vae")
	r, ok := m.(Resampler)
	if !ok {
		t.Fatal("the VAE cannot resample its noise")
	}
	a, b := m.Exercise(), m.Exercise()
	def := a.Clone()
	// The default ε is the draw of seedVAESeed, written into the file by
	// hand. (The file format has no field for the seed yet, so the default
	// exercise's Seed is 0, "written by hand"; the Go walkthrough said 371751059.)
	probExpectMatrix(t, "default ε", def.Get("eps"), denseRows(Gaussian(seedVAESeed, 2, 3)))
	if def.Seed != 0 && def.Seed != seedVAESeed {
		t.Errorf("the default exercise says it was drawn with seed %d, not %d", def.Seed, seedVAESeed)
	}
	r.Resample(a, 42)
	r.Resample(b, 42)
	if a.Seed != 42 {
		t.Fatalf("seed %d after Resample(42)", a.Seed)
	}
	if !a.Equal(b) {
		t.Fatal("the same seed drew different ε")
	}
	if sameNumbers(a.Get("eps"), def.Get("eps")) {
		t.Fatal("resampling did not change ε")
	}
	probExpectMatrix(t, "ε", a.Get("eps"), denseRows(Gaussian(42, 2, 3)))
	for _, v := range def.Vars {
		if v.ID != "eps" && !sameNumbers(v.Data, a.Get(v.ID)) {
			t.Errorf("resampling changed %s", v.ID)
		}
	}
	r.Resample(b, 43)
	if sameNumbers(a.Get("eps"), b.Get("eps")) {
		t.Fatal("seeds 42 and 43 drew the same ε")
	}
	// Back to the default's seed: back to the default numbers.
	r.Resample(a, seedVAESeed)
	if a.Seed != seedVAESeed {
		t.Fatalf("seed %d after Resample(%d)", a.Seed, seedVAESeed)
	}
	for _, v := range def.Vars {
		if !sameNumbers(v.Data, a.Get(v.ID)) {
			t.Errorf("resampling with seed %d did not restore the default %s", seedVAESeed, v.ID)
		}
	}
}
