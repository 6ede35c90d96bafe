package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Helpers for the layers' tests: each backward is checked against central
// finite differences of its forward.

// randDense returns an r×c matrix of numbers in [−2, 2].
func randDense(rng *rand.Rand, r, c int) *mat.Dense {
	d := mat.NewDense(r, c, nil)
	d.Apply(func(_, _ int, _ float64) float64 { return rng.Float64()*4 - 2 }, d)
	return d
}

// weighted returns Σ g ⊙ y: a scalar loss whose gradient with respect to y
// is g, to test a backward against finite differences.
func weighted(g, y *mat.Dense) float64 {
	var p mat.Dense
	p.MulElem(g, y)
	return mat.Sum(&p)
}

// checkFD compares got with central finite differences of f with respect
// to every cell of x.
func checkFD(t *testing.T, name string, x *mat.Dense, f func() float64, got *mat.Dense) {
	t.Helper()
	const h = 1e-6
	r, c := x.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			orig := x.At(i, j)
			x.Set(i, j, orig+h)
			up := f()
			x.Set(i, j, orig-h)
			down := f()
			x.Set(i, j, orig)
			want := (up - down) / (2 * h)
			if math.Abs(got.At(i, j)-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("%s[%d,%d]: backward %g, finite differences %g", name, i, j, got.At(i, j), want)
			}
		}
	}
}
