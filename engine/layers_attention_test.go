package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestMeanPoolBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, g := randDense(rng, 3, 6), randDense(rng, 3, 3)
	y := MeanPoolForward(x, 2)
	if y.At(1, 2) != (x.At(1, 4)+x.At(1, 5))/2 {
		t.Fatalf("pooling averages the wrong columns")
	}
	checkFD(t, "∂/∂x", x, func() float64 { return weighted(g, MeanPoolForward(x, 2)) }, MeanPoolBackward(g, 2))
}

func TestSoftmaxBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, axis := range []Axis{EachRow, EachColumn} {
		for _, base := range []float64{math.E, 3} {
			for _, scale := range []float64{1, 1 / math.Sqrt2, -0.7} {
				x, g := randDense(rng, 3, 4), randDense(rng, 3, 4)
				p := SoftmaxForward(x, base, scale, axis)
				checkSumsToOne(t, p, axis)
				checkFD(t, "softmax ∂/∂x", x, func() float64 { return weighted(g, SoftmaxForward(x, base, scale, axis)) },
					SoftmaxBackward(p, g, base, scale, axis))
			}
		}
	}
}

// 3^x on paper: the row [2, 1, 1] gives 9, 3, 3 out of 15.
func TestSoftmaxBase3ByHand(t *testing.T) {
	p := SoftmaxForward(dense([]float64{2, 1, 1}), 3, 1, EachRow)
	want := dense([]float64{0.6, 0.2, 0.2})
	if !mat.EqualApprox(p, want, 1e-15) {
		t.Fatalf("softmax₃[2 1 1] = %v", mat.Formatted(p))
	}
}

func TestSoftmaxFiniteForExtremeInputs(t *testing.T) {
	x := dense(
		[]float64{1e308, -1e308, 0, 1e308},
		[]float64{-1e308, -1e308, -1e308, -1e308},
		[]float64{1e308, 1e308, 1e308, -1e308},
		[]float64{5e-324, -5e-324, 1e-308, 745})
	for _, axis := range []Axis{EachRow, EachColumn} {
		for _, base := range []float64{math.E, 3} {
			for _, scale := range []float64{1, 1 / math.Sqrt2, 1e308, -1e308, -1, 0} {
				p := SoftmaxForward(x, base, scale, axis)
				if !allFinite(p) {
					t.Fatalf("axis %d base %g scale %g: not finite:\n%v", axis, base, scale, mat.Formatted(p))
				}
				checkSumsToOne(t, p, axis)
			}
		}
	}
}

func TestCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	targets := []int{0, 1, 2}
	for _, axis := range []Axis{EachRow, EachColumn} {
		for _, base := range []float64{math.E, 3} {
			z := randDense(rng, 3, 3)
			_, dz := CrossEntropyForward(z, targets, base, axis)
			total := func() float64 {
				l, _ := CrossEntropyForward(z, targets, base, axis)
				return l[0] + l[1] + l[2]
			}
			checkFD(t, "cross-entropy ∂/∂z", z, total, dz)
			// The loss is −ln of the target's probability.
			p := SoftmaxForward(z, base, 1, axis)
			l, _ := CrossEntropyForward(z, targets, base, axis)
			if math.Abs(l[1]+math.Log(p.At(1, 1))) > 1e-12 {
				t.Errorf("loss %g is not −ln %g", l[1], p.At(1, 1))
			}
		}
	}
	// Huge logits of one size still give a finite loss.
	l, dz := CrossEntropyForward(dense([]float64{1e300, 9e299}, []float64{-1e300, -1e300}), []int{0, 1}, 3, EachRow)
	if math.IsInf(l[0], 0) || math.IsNaN(l[0]) || l[0] != 0 || math.IsNaN(l[1]) || !allFinite(dz) {
		t.Fatalf("cross-entropy of huge logits: %v %v", l, mat.Formatted(dz))
	}
}

func TestAttentionScoresBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	wq, wk, h := randDense(rng, 2, 2), randDense(rng, 2, 2), randDense(rng, 2, 4)
	g := randDense(rng, 4, 4)
	f := func() float64 { _, _, s := AttentionScoresForward(wq, wk, h); return weighted(g, s) }
	dWq, dWk, dH := AttentionScoresBackward(wq, wk, h, g)
	checkFD(t, "∂/∂Wq", wq, f, dWq)
	checkFD(t, "∂/∂Wk", wk, f, dWk)
	checkFD(t, "∂/∂H", h, f, dH)
}

func TestMatMulBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	a, b, g := randDense(rng, 2, 3), randDense(rng, 3, 4), randDense(rng, 2, 4)
	f := func() float64 { var y mat.Dense; y.Mul(a, b); return weighted(g, &y) }
	da, db := MatMulBackward(a, b, g)
	checkFD(t, "∂/∂A", a, f, da)
	checkFD(t, "∂/∂B", b, f, db)
}

func TestScaleShiftBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x, ss, g := randDense(rng, 2, 4), randDense(rng, 4, 1), randDense(rng, 2, 4)
	// By hand: γ = [2, −1], β = [−1, 5] on the row [1, 0]: 2·1 − 1 = 1, −1·0 + 5 = 5.
	y := ScaleShiftForward(dense([]float64{1}, []float64{0}), dense([]float64{2}, []float64{-1}, []float64{-1}, []float64{5}))
	if y.At(0, 0) != 1 || y.At(1, 0) != 5 {
		t.Fatalf("scale and shift: %v", mat.Formatted(y))
	}
	f := func() float64 { return weighted(g, ScaleShiftForward(x, ss)) }
	dx, dss := ScaleShiftBackward(x, ss, g)
	checkFD(t, "∂/∂x", x, f, dx)
	checkFD(t, "∂/∂[γ; β]", ss, f, dss)
}

func TestPatchifyRoundTripAndBackward(t *testing.T) {
	v := dense(
		[]float64{2, 1, 1, 1, 0, 2, 0, 1},
		[]float64{1, 0, 1, 2, 2, 0, 1, 1})
	p := PatchifyForward(v, 2, 2)
	// Patch ② is the right half of frame 1, read row by row: [1 1; 1 2].
	if got := []float64{p.At(0, 1), p.At(1, 1), p.At(2, 1), p.At(3, 1)}; got[0] != 1 || got[1] != 1 || got[2] != 1 || got[3] != 2 {
		t.Fatalf("patch ② = %v", got)
	}
	if back := UnpatchifyForward(p, 2, 2, 2, 8); !mat.Equal(back, v) {
		t.Fatalf("round trip changed the video:\n%v", mat.Formatted(back))
	}
	rng := rand.New(rand.NewPCG(7, 7))
	img := randDense(rng, 4, 6)
	if back := UnpatchifyForward(PatchifyForward(img, 2, 3), 2, 3, 4, 6); !mat.Equal(back, img) {
		t.Fatalf("round trip over two rows of tiles changed the picture")
	}
	g := randDense(rng, 6, 4)
	checkFD(t, "patchify ∂/∂img", img, func() float64 { return weighted(g, PatchifyForward(img, 2, 3)) },
		PatchifyBackward(g, 2, 3, 4, 6))
	pt := randDense(rng, 6, 4)
	gi := randDense(rng, 4, 6)
	checkFD(t, "unpatchify ∂/∂p", pt, func() float64 { return weighted(gi, UnpatchifyForward(pt, 2, 3, 4, 6)) },
		UnpatchifyBackward(gi, 2, 3))
}

func TestDiTResampleDeterministic(t *testing.T) {
	m := Lookup("dit")
	r, ok := m.(Resampler)
	if !ok {
		t.Fatal("the DiT's noise cannot be resampled")
	}
	a, b, c := m.Exercise(), m.Exercise(), m.Exercise()
	r.Resample(a, 42)
	r.Resample(b, 42)
	r.Resample(c, 43)
	if a.Seed != 42 || !a.Equal(b) {
		t.Fatalf("the same seed drew different noise")
	}
	if mat.Equal(a.Get("eps"), c.Get("eps")) {
		t.Fatalf("different seeds drew the same noise")
	}
	if !mat.Equal(a.Get("eps"), Gaussian(42, 2, 4)) {
		t.Fatalf("noise not drawn with Gaussian")
	}
	// Every noise cell stays an editable cell.
	if err := a.Set("eps", 1, 3, 0.5); err != nil || a.Get("eps").At(1, 3) != 0.5 {
		t.Fatalf("noise cell not editable: %v", err)
	}
}

// checkSumsToOne fails unless every row (or column) of p sums to 1.
func checkSumsToOne(t *testing.T, p *mat.Dense, axis Axis) {
	t.Helper()
	n, length, at := lines(p, axis)
	for l := 0; l < n; l++ {
		s := 0.0
		for k := 0; k < length; k++ {
			s += p.At(at(l, k))
		}
		if math.Abs(s-1) > 1e-12 {
			t.Fatalf("axis %d: line %d sums to %g:\n%v", axis, l, s, mat.Formatted(p))
		}
	}
}

// LineExtremes of [[1, 3, −2], [4, 0, 5]]: rows 3 and 5 (smallest −2 and
// 0), columns 4, 3, 5; a NaN makes its line NaN.
func TestLineExtremes(t *testing.T) {
	x := dense([]float64{1, 3, -2}, []float64{4, 0, 5})
	for _, c := range []struct {
		axis    Axis
		largest bool
		want    []float64
	}{
		{EachRow, true, []float64{3, 5}},
		{EachRow, false, []float64{-2, 0}},
		{EachColumn, true, []float64{4, 3, 5}},
		{EachColumn, false, []float64{1, 0, -2}},
	} {
		got := LineExtremes(x, c.axis, c.largest)
		if len(got) != len(c.want) {
			t.Fatalf("%v", got)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("axis %v largest %v: %v, want %v", c.axis, c.largest, got, c.want)
				break
			}
		}
	}
	x.Set(0, 1, math.NaN())
	if got := LineExtremes(x, EachRow, true); !math.IsNaN(got[0]) || got[1] != 5 {
		t.Errorf("with a NaN in row 1: %v", got)
	}
}
