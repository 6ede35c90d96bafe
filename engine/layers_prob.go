package engine

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// This file holds the layers of the two generative walkthroughs (the
// variational autoencoder and the GAN), each a forward and a backward side
// by side as plain functions over gonum matrices, and the few step builders
// those walkthroughs need beyond the shared ones in steps.go.

// sigmoid is 1/(1 + e^−z), written so that no finite z overflows: for a
// negative z it uses the equal form e^z/(1 + e^z).
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// SigmoidForward returns Y = σ(Z) = 1/(1 + e^−Z) cell by cell: the
// probability that a column is real. It is finite for every finite Z.
func SigmoidForward(z *mat.Dense) *mat.Dense {
	y := mat.DenseCopyOf(z)
	y.Apply(func(_, _ int, v float64) float64 { return sigmoid(v) }, y)
	return y
}

// BCEWithLogits is the binary cross-entropy of Y = σ(Z) against the
// targets, summed over all cells:
//
//	L = Σ −[t·ln Y + (1 − t)·ln(1 − Y)] = Σ [ln(1 + e^Z) − t·Z],
//
// computed from Z itself so that it stays finite for every finite Z. With
// the sigmoid and the cross-entropy taken together the gradient simplifies
// to ∂L/∂Z = Y − target.
func BCEWithLogits(z, target *mat.Dense) (loss float64, dz *mat.Dense) {
	r, c := z.Dims()
	dz = mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v, t := z.At(i, j), target.At(i, j)
			// ln(1 + e^v) − t·v, with max(v, 0) − t·v grouped so that a
			// huge v and a target of 1 cancel exactly.
			loss += (math.Max(v, 0) - t*v) + math.Log1p(math.Exp(-math.Abs(v)))
			dz.Set(i, j, sigmoid(v)-t)
		}
	}
	return loss, dz
}

// Reparameterize returns z = μ + σ ⊙ ε: a sample from N(μ, σ²) written so
// that the randomness sits in ε and the gradient can reach μ and σ.
func Reparameterize(mu, sigma, eps *mat.Dense) *mat.Dense {
	r, c := mu.Dims()
	z := mat.NewDense(r, c, nil)
	z.MulElem(sigma, eps)
	z.Add(z, mu)
	return z
}

// ReparamBackward carries ∂L/∂z back through z = μ + σ ⊙ ε: since
// ∂z/∂μ = 1 and ∂z/∂σ = ε, ∂L/∂μ = ∂L/∂z and ∂L/∂σ = ∂L/∂z ⊙ ε.
func ReparamBackward(dz, eps *mat.Dense) (dMu, dSigma *mat.Dense) {
	dMu = mat.DenseCopyOf(dz)
	r, c := dz.Dims()
	dSigma = mat.NewDense(r, c, nil)
	dSigma.MulElem(dz, eps)
	return dMu, dSigma
}

// KLDivergence is the KL divergence of N(μ, σ²) from N(0, 1), summed over
// all cells: Σ ½(μ² + σ² − 1 − ln σ²). A σ ≤ 0 is not a standard
// deviation: the result is then NaN.
func KLDivergence(mu, sigma *mat.Dense) float64 {
	r, c := mu.Dims()
	kl := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			kl += klTerm(mu.At(i, j), sigma.At(i, j))
		}
	}
	return kl
}

func klTerm(m, s float64) float64 {
	if !(s > 0) {
		return math.NaN()
	}
	return 0.5 * (m*m + s*s - 1 - 2*math.Log(s))
}

// KLBackward returns the gradients of KLDivergence: ∂KL/∂μ = μ (pulling μ
// towards 0) and ∂KL/∂σ = σ − 1/σ (pulling σ towards 1). A cell with σ ≤ 0
// gets NaN.
func KLBackward(mu, sigma *mat.Dense) (dMu, dSigma *mat.Dense) {
	dMu = mat.DenseCopyOf(mu)
	dSigma = mat.DenseCopyOf(sigma)
	dSigma.Apply(func(_, _ int, s float64) float64 {
		if !(s > 0) {
			return math.NaN()
		}
		return s - 1/s
	}, dSigma)
	return dMu, dSigma
}

// HalfSquaredError returns L = ½ Σ (Y − X)² over all cells and its
// gradient ∂L/∂Y = Y − X (the ½ cancels the 2 of the square): half of
// SquaredError's.
func HalfSquaredError(y, x *mat.Dense) (loss float64, dy *mat.Dense) {
	loss, dy = SquaredError(y, x)
	dy.Scale(0.5, dy)
	return loss / 2, dy
}

// sigmaUndefined reports whether a σ matrix holds a value ≤ 0, which no
// standard deviation can be.
func sigmaUndefined(sigma *mat.Dense) bool {
	r, c := sigma.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if sigma.At(i, j) <= 0 {
				return true
			}
		}
	}
	return false
}

// ---- Step builders -------------------------------------------------------

// Hadamard adds the step out = a ⊙ b, cell by cell products.
func (t *Trace) Hadamard(id string, a, b *Matrix, out Out) *Matrix {
	r, c := a.Dims()
	data := mat.NewDense(r, c, nil)
	data.MulElem(a.Data, b.Data)
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{
			Formula: paren(a.At(i, j)) + "·" + paren(b.At(i, j)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{a.ID, i, j}, {b.ID, i, j}},
		}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, b, m}
	s.Ops = []string{"", "⊙", "="}
	s.Reads = []string{a.ID, b.ID}
	s.Formula = binaryFormula(m.Name, a.Name, "⊙", b.Name)
	t.Add(s)
	return m
}

// Reciprocal adds the step out = 1/σ for a standard deviation σ. A σ ≤ 0
// makes the step undefined ("undefined.sigma"), and the steps after it that
// read its result wait on it.
func (t *Trace) Reciprocal(id string, sigma *Matrix, out Out) *Matrix {
	r, c := sigma.Dims()
	data := mat.NewDense(r, c, nil)
	data.Apply(func(i, j int, _ float64) float64 {
		s := sigma.At(i, j)
		if !(s > 0) {
			return math.NaN()
		}
		return 1 / s
	}, data)
	if out.ColLabels == nil {
		out.ColLabels = sigma.ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{
			Formula: "1/" + paren(sigma.At(i, j)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{sigma.ID, i, j}},
		}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{sigma, m}
	s.Ops = []string{"", "1/ →"}
	s.Reads = []string{sigma.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mn("1"), mo("/"), mi(sigma.Name))
	if plain(m.Name) == plain("1/"+sigma.Name) {
		s.Formula = mrow(indexed(m.Name), mo("="), mn("1"), mo("/"), indexed(sigma.Name))
	}
	if sigmaUndefined(sigma.Data) {
		s.Undefined = "undefined.sigma"
	}
	t.Add(s)
	return m
}

// LossValue adds a step that states a loss as a 1×1 matrix: its cell
// explains itself with formula (ending in "= value") and sources. If the
// value overflows, the step is undefined like any other.
func (t *Trace) LossValue(id string, out Out, value float64, formula string, sources []CellRef, reads []string) *Matrix {
	out.Role = RoleActivation
	m := out.matrix(mat.NewDense(1, 1, []float64{value}), func(int, int) Explanation {
		return Explanation{Formula: formula, Sources: sources}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{m}
	s.Reads = reads
	s.Formula = mrow(mi(out.Name), mo("="), mn(Format(value)))
	t.Add(s)
	return m
}
