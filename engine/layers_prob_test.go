package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// probExpectMatrix checks a matrix against rows of expected numbers.
func probExpectMatrix(t *testing.T, name string, got *mat.Dense, want [][]float64) {
	t.Helper()
	r, c := got.Dims()
	if r != len(want) || c != len(want[0]) {
		t.Errorf("%s is %d×%d, want %d×%d", name, r, c, len(want), len(want[0]))
		return
	}
	for i := range want {
		for j := range want[i] {
			if math.Abs(got.At(i, j)-want[i][j]) > 1e-9 {
				t.Errorf("%s[%d,%d] = %v, want %v", name, i, j, got.At(i, j), want[i][j])
			}
		}
	}
}

func denseRows(d *mat.Dense) [][]float64 {
	r, _ := d.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = mat.Row(nil, i, d)
	}
	return out
}

func probRandom(rng *rand.Rand, r, c int, lo, hi float64) *mat.Dense {
	d := mat.NewDense(r, c, nil)
	d.Apply(func(_, _ int, _ float64) float64 { return lo + (hi-lo)*rng.Float64() }, d)
	return d
}

func TestSigmoidValues(t *testing.T) {
	y := SigmoidForward(mat.NewDense(1, 3, []float64{0, 2, -2}))
	want := []float64{0.5, 1 / (1 + math.Exp(-2)), math.Exp(-2) / (1 + math.Exp(-2))}
	probExpectMatrix(t, "σ", y, [][]float64{want})
	// BCE at Z = 0 is ln 2 whatever the target; at Z = 2 against 1 it is ln(1 + e^−2).
	l, dz := BCEWithLogits(mat.NewDense(1, 2, []float64{0, 0}), mat.NewDense(1, 2, []float64{0, 1}))
	if math.Abs(l-2*math.Ln2) > 1e-15 {
		t.Errorf("BCE(0) = %v, want 2 ln 2", l)
	}
	probExpectMatrix(t, "∂L/∂Z", dz, [][]float64{{0.5, -0.5}})
	l, _ = BCEWithLogits(mat.NewDense(1, 1, []float64{2}), mat.NewDense(1, 1, []float64{1}))
	if math.Abs(l-math.Log1p(math.Exp(-2))) > 1e-15 {
		t.Errorf("BCE(2, 1) = %v", l)
	}
}

// The sigmoid and the cross-entropy never turn a finite input into NaN or
// ±Inf, however large.
func TestSigmoidBCEFiniteForExtremes(t *testing.T) {
	for _, z := range []float64{1e308, -1e308, math.MaxFloat64, -math.MaxFloat64, 745, -745, 1e-308, -1e-308, 0, 40, -40} {
		for _, target := range []float64{0, 1} {
			zm := mat.NewDense(1, 1, []float64{z})
			y := SigmoidForward(zm).At(0, 0)
			l, dz := BCEWithLogits(zm, mat.NewDense(1, 1, []float64{target}))
			if !(y >= 0 && y <= 1) || math.IsNaN(l) || math.IsInf(l, 0) || l < 0 || !allFinite(dz) {
				t.Errorf("z = %v, target %v: σ = %v, loss %v, ∂L/∂Z %v", z, target, y, l, dz.At(0, 0))
			}
			if d := dz.At(0, 0); d < -1 || d > 1 {
				t.Errorf("z = %v: ∂L/∂Z = %v outside [−1, 1]", z, d)
			}
		}
	}
	// A confident right answer costs nothing, a confident wrong one costs |Z|.
	l, _ := BCEWithLogits(mat.NewDense(1, 2, []float64{1e308, -1e308}), mat.NewDense(1, 2, []float64{1, 0}))
	if l != 0 {
		t.Errorf("confident right answers cost %v", l)
	}
	l, _ = BCEWithLogits(mat.NewDense(1, 1, []float64{1e308}), mat.NewDense(1, 1, []float64{0}))
	if l != 1e308 {
		t.Errorf("a confident wrong answer costs %v, want 1e308", l)
	}
}

func TestBCEGradientFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	z := probRandom(rng, 2, 4, -4, 4)
	target := mat.NewDense(2, 4, []float64{0, 1, 0, 1, 1, 0, 0.3, 1})
	_, dz := BCEWithLogits(z, target)
	checkFD(t, "∂BCE/∂Z", z, func() float64 { l, _ := BCEWithLogits(z, target); return l }, dz)
	// ∂L/∂Z = Y − target.
	y := SigmoidForward(z)
	want := mat.NewDense(2, 4, nil)
	want.Sub(y, target)
	probExpectMatrix(t, "Y − target", dz, denseRows(want))
}

func TestHalfSquaredErrorGradient(t *testing.T) {
	y := mat.NewDense(1, 3, []float64{1, 2, -1})
	x := mat.NewDense(1, 3, []float64{0, 2, 1})
	l, dy := HalfSquaredError(y, x)
	if l != 2.5 { // ½(1 + 0 + 4)
		t.Errorf("½Σ(Y − X)² = %v, want 2.5", l)
	}
	probExpectMatrix(t, "Y − X", dy, [][]float64{{1, 0, -2}})
	rng := rand.New(rand.NewPCG(7, 8))
	y, x = probRandom(rng, 3, 2, -2, 2), probRandom(rng, 3, 2, -2, 2)
	_, dy = HalfSquaredError(y, x)
	checkFD(t, "∂L/∂Y", y, func() float64 { l, _ := HalfSquaredError(y, x); return l }, dy)
}

func TestKLGradientFiniteDifferences(t *testing.T) {
	// One cell by hand: μ = 1, σ = 2 gives ½(1 + 4 − 1 − ln 4) = 2 − ln 2,
	// ∂/∂μ = 1 and ∂/∂σ = 2 − ½ = 1.5.
	kl := KLDivergence(mat.NewDense(1, 1, []float64{1}), mat.NewDense(1, 1, []float64{2}))
	if math.Abs(kl-(2-math.Ln2)) > 1e-15 {
		t.Errorf("KL = %v, want 2 − ln 2", kl)
	}
	dmu, dsig := KLBackward(mat.NewDense(1, 1, []float64{1}), mat.NewDense(1, 1, []float64{2}))
	if dmu.At(0, 0) != 1 || dsig.At(0, 0) != 1.5 {
		t.Errorf("∂KL/∂μ = %v, ∂KL/∂σ = %v; want 1, 1.5", dmu.At(0, 0), dsig.At(0, 0))
	}
	// At μ = 0, σ = 1 the distribution is the prior: no loss, no gradient.
	if kl := KLDivergence(mat.NewDense(1, 1, []float64{0}), mat.NewDense(1, 1, []float64{1})); kl != 0 {
		t.Errorf("KL(N(0,1) ‖ N(0,1)) = %v", kl)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	mu, sigma := probRandom(rng, 2, 3, -2, 2), probRandom(rng, 2, 3, 0.2, 3)
	dmu, dsig = KLBackward(mu, sigma)
	f := func() float64 { return KLDivergence(mu, sigma) }
	checkFD(t, "∂KL/∂μ", mu, f, dmu)
	checkFD(t, "∂KL/∂σ", sigma, f, dsig)
	// A σ ≤ 0 leaves the KL term undefined.
	for _, s := range []float64{0, -1} {
		sm := mat.NewDense(1, 1, []float64{s})
		_, d := KLBackward(mat.NewDense(1, 1, []float64{0}), sm)
		if !math.IsNaN(KLDivergence(mat.NewDense(1, 1, []float64{0}), sm)) || !math.IsNaN(d.At(0, 0)) {
			t.Errorf("σ = %v: KL and its gradient should be undefined", s)
		}
	}
}

func TestReparameterizationGradient(t *testing.T) {
	z := Reparameterize(mat.NewDense(1, 2, []float64{1, 0}), mat.NewDense(1, 2, []float64{2, 1}), mat.NewDense(1, 2, []float64{-0.5, 0.3}))
	probExpectMatrix(t, "z", z, [][]float64{{0, 0.3}}) // 1 + 2·(−0.5), 0 + 1·0.3
	rng := rand.New(rand.NewPCG(11, 12))
	mu, sigma, eps := probRandom(rng, 2, 3, -2, 2), probRandom(rng, 2, 3, 0.2, 3), probRandom(rng, 2, 3, -2, 2)
	g := probRandom(rng, 2, 3, -2, 2) // L = Σ g ⊙ z, so ∂L/∂z = g
	loss := func() float64 { return mat.Sum(probMulElem(g, Reparameterize(mu, sigma, eps))) }
	dmu, dsig := ReparamBackward(g, eps)
	checkFD(t, "∂L/∂μ", mu, loss, dmu)
	checkFD(t, "∂L/∂σ", sigma, loss, dsig)
}

func probMulElem(a, b *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	d := mat.NewDense(r, c, nil)
	d.MulElem(a, b)
	return d
}

// Reciprocal marks itself undefined for a σ ≤ 0, and what reads it waits.
func TestReciprocalUndefinedSigma(t *testing.T) {
	for _, s := range []float64{0, -2} {
		tr := NewTrace("test", Hand)
		sigma := (&Var{ID: "s", Name: "σ", Data: mat.NewDense(1, 2, []float64{2, s})}).Matrix()
		inv := tr.Reciprocal("inv", sigma, Out{ID: "inv", Name: "1/σ"})
		tr.Elementwise("diff", sigma, "−", inv, Out{ID: "d", Name: "σ − 1/σ"}, func(a, b float64) float64 { return a - b })
		if st := tr.Step("inv"); st.Undefined != "undefined.sigma" {
			t.Errorf("σ = %v: step undefined %q", s, st.Undefined)
		}
		if st := tr.Step("diff"); st.WaitsOn != "inv" {
			t.Errorf("σ = %v: next step waits on %q", s, st.WaitsOn)
		}
	}
	tr := NewTrace("test", Hand)
	sigma := (&Var{ID: "s", Name: "σ", Data: mat.NewDense(1, 2, []float64{2, 0.5})}).Matrix()
	inv := tr.Reciprocal("inv", sigma, Out{ID: "inv", Name: "1/σ"})
	probExpectMatrix(t, "1/σ", inv.Data, [][]float64{{0.5, 2}})
	if !tr.Defined() {
		t.Error("positive σ marked undefined")
	}
}
