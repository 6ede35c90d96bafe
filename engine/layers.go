package engine

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// This file holds the layers every walkthrough shares, each a forward and
// a backward side by side, as plain functions over gonum matrices.

// LinearForward computes Y = W·X + b for every column of X, with W and b
// kept together as one out×(in+1) matrix [W | b], as the sheets draw it.
func LinearForward(wb, x *mat.Dense) *mat.Dense {
	out, in1 := wb.Dims()
	in, n := x.Dims()
	if in1 != in+1 {
		panic("engine: linear layer shape mismatch")
	}
	y := product(wb.Slice(0, out, 0, in), x)
	for i := 0; i < out; i++ {
		b := wb.At(i, in)
		for j := 0; j < n; j++ {
			y.Set(i, j, y.At(i, j)+b)
		}
	}
	return y
}

// LinearBackward carries ∂L/∂Y back through Y = [W | b]·[X ; 1]:
// ∂L/∂[W | b] = ∂L/∂Y·[X ; 1]ᵀ and ∂L/∂X = Wᵀ·∂L/∂Y.
func LinearBackward(wb, x, dy *mat.Dense) (dWb, dX *mat.Dense) {
	out, in1 := wb.Dims()
	dWb = product(dy, ones(x).T())
	dX = product(wb.Slice(0, out, 0, in1-1).T(), dy)
	return dWb, dX
}

// product returns a·b. Each cell adds up its terms in order, each term
// rounded before it is added (never fused into one multiply–add), so that
// every platform gets the same number; and every term counts, as on
// paper: a cell that reads a cell that is not a number is not a number
// (gonum's Mul skips a's zeros, which would make 0·NaN a number and a
// cell computed from an empty practice cell look known).
func product(a, b mat.Matrix) *mat.Dense {
	r, n := a.Dims()
	n2, c := b.Dims()
	if n != n2 {
		panic("engine: product shape mismatch")
	}
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s := 0.0
			for k := 0; k < n; k++ {
				s += float64(a.At(i, k) * b.At(k, j))
			}
			out.Set(i, j, s)
		}
	}
	return out
}

// ones returns [X ; 1]: X with a row of 1s appended.
func ones(x *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	a := mat.NewDense(r+1, c, nil)
	a.Slice(0, r, 0, c).(*mat.Dense).Copy(x)
	for j := 0; j < c; j++ {
		a.Set(r, j, 1)
	}
	return a
}

// ReLUForward returns max(0, x) cell by cell. NaN stays NaN, so that an
// undefined input is not mistaken for a zero.
func ReLUForward(x *mat.Dense) *mat.Dense {
	y := mat.DenseCopyOf(x)
	y.Apply(func(_, _ int, v float64) float64 {
		if v < 0 {
			return 0
		}
		return v
	}, y)
	return y
}

// reluMask returns [X > 0] cell by cell: 1 where x is positive, 0 where
// it is not, NaN where it is NaN.
func reluMask(pre *mat.Dense) *mat.Dense {
	m := mat.DenseCopyOf(pre)
	m.Apply(func(_, _ int, v float64) float64 {
		if v > 0 {
			return 1
		}
		if math.IsNaN(v) {
			return v
		}
		return 0
	}, m)
	return m
}

// SquaredError returns L = Σ (Y − T)² over all cells and ∂L/∂Y = 2(Y − T).
func SquaredError(y, target *mat.Dense) (loss float64, dy *mat.Dense) {
	r, c := y.Dims()
	dy = mat.NewDense(r, c, nil)
	dy.Sub(y, target)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			loss += dy.At(i, j) * dy.At(i, j)
		}
	}
	dy.Scale(2, dy)
	return loss, dy
}

// SGD moves a parameter against its gradient: p ← p − lr·∂L/∂p.
func SGD(p, grad *mat.Dense, lr float64) {
	p.Apply(func(i, j int, v float64) float64 { return v - lr*grad.At(i, j) }, p)
}
