package engine

import (
	"math"
	"strconv"
	"strings"

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

// LinearInputGrad adds the step ∂L/∂X = Wᵀ·∂L/∂Y for a linear layer
// Y = [W | b]·[X ; 1], without its weight gradient: for a layer whose
// weights this phase does not train (frozen: drawn with a blue frame), or
// whose input gradient needs an id of its own (two heads on one input).
// wtID is the id of the shown Wᵀ.
func (t *Trace) LinearInputGrad(id string, wb, dy *Matrix, wtID string, frozen bool, out Out) *Matrix {
	rows, in1 := wb.Dims()
	wName := strings.TrimSpace(strings.Split(wb.Name, "|")[0])
	w := &Matrix{ID: wb.ID, Name: wName, Role: wb.Role, Hue: wb.Hue,
		Trainable: wb.Trainable && !frozen, Frozen: wb.Frozen || frozen,
		Data: wb.Data.Slice(0, rows, 0, in1-1).(*mat.Dense)}
	wt := Transposed(w, wtID, wName+"ᵀ")
	_, n := dy.Dims()
	gx := mat.NewDense(in1-1, n, nil)
	gx.Mul(wt.Data, dy.Data)
	out.Role, out.Hue = RoleGradient, HueGradient
	if out.ColLabels == nil {
		out.ColLabels = dy.ColLabels
	}
	dX := out.matrix(gx, productExplain(wt, dy, gx))
	s := t.NewStep(id)
	s.Layout = Product
	s.Matrices = []*Matrix{wt, dy, dX}
	s.Reads = []string{wb.ID, dy.ID}
	s.Formula = mrow(mi(out.Name), mo("="), msup(mi(wName), mi("T")), mo("·"), mi(dy.Name))
	t.Add(s)
	return dX
}

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

// ColumnsOf adds nothing: it returns columns [from, to) of a computed
// matrix as a matrix of its own whose cells point back to where they came
// from (and keeps the values before a ReLU, for the ReLU's gradient).
func ColumnsOf(a *Matrix, from, to int, out Out) *Matrix {
	r, _ := a.Dims()
	if out.ColLabels == nil && a.ColLabels != nil {
		out.ColLabels = a.ColLabels[from:to]
	}
	if out.Hue == HueNeutral {
		out.Hue = a.Hue
	}
	if out.Role == RoleInput {
		out.Role = a.Role
	}
	m := out.matrix(mat.DenseCopyOf(a.Data.Slice(0, r, from, to)), func(i, j int) Explanation {
		return Explanation{Formula: cellName(a.Name, i, from+j) + " = " + result(a.At(i, from+j)), Sources: []CellRef{{a.ID, i, from + j}}}
	})
	if a.Before != nil {
		m.Before = mat.DenseCopyOf(a.Before.Slice(0, r, from, to))
	}
	return m
}

// SideBySide adds the step out = [a | b]: b's columns to the right of a's.
func (t *Trace) SideBySide(id string, a, b *Matrix, out Out) *Matrix {
	r, ac := a.Dims()
	_, bc := b.Dims()
	data := mat.NewDense(r, ac+bc, nil)
	data.Slice(0, r, 0, ac).(*mat.Dense).Copy(a.Data)
	data.Slice(0, r, ac, ac+bc).(*mat.Dense).Copy(b.Data)
	if out.ColLabels == nil && a.ColLabels != nil && b.ColLabels != nil {
		out.ColLabels = append(append([]string{}, a.ColLabels...), b.ColLabels...)
	}
	m := out.matrix(data, func(i, j int) Explanation {
		if j < ac {
			return Explanation{Formula: cellName(a.Name, i, j) + " = " + result(a.At(i, j)), Sources: []CellRef{{a.ID, i, j}}}
		}
		return Explanation{Formula: cellName(b.Name, i, j-ac) + " = " + result(b.At(i, j-ac)), Sources: []CellRef{{b.ID, i, j - ac}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, b, m}
	s.Ops = []string{"", "|", "="}
	s.Reads = []string{a.ID, b.ID}
	// [F | X] = [F₁ F₂ F₃ F₄ | X₁ X₂ X₃ X₄]: the columns, side by side.
	f := []string{mi(m.Name), mo("="), mo("[")}
	for k := 0; k < ac; k++ {
		f = append(f, msub(mi(a.Name), mn(strconv.Itoa(k+1))))
	}
	f = append(f, mo("|"))
	for k := 0; k < bc; k++ {
		f = append(f, msub(mi(b.Name), mn(strconv.Itoa(k+1))))
	}
	s.Formula = mrow(append(f, mo("]"))...)
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
