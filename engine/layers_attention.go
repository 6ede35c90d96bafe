package engine

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// This file holds the layers CLIP and the diffusion transformer add to the
// shared ones: mean pooling, softmax, cross-entropy, Query–Key attention
// scores, adaptive scale-and-shift, and cutting pictures into patches. Each
// is a forward and a backward side by side, as plain functions over gonum
// matrices. The step builders that show them on a sheet follow below.

// Axis says which lines of a matrix a softmax, a sum or a cross-entropy
// runs along.
type Axis int

const (
	// EachRow treats every row on its own (a row's probabilities sum to 1).
	EachRow Axis = iota
	// EachColumn treats every column on its own.
	EachColumn
)

// lines returns how many lines a matrix has along axis and how long each is,
// and an accessor from (line, position) to (row, column).
func lines(x *mat.Dense, axis Axis) (n, length int, at func(l, k int) (int, int)) {
	r, c := x.Dims()
	if axis == EachRow {
		return r, c, func(l, k int) (int, int) { return l, k }
	}
	return c, r, func(l, k int) (int, int) { return k, l }
}

// MeanPoolForward averages each group of adjacent columns into one column:
// a 3×6 matrix with group 2 becomes 3×3, column j the mean of columns 2j
// and 2j+1.
func MeanPoolForward(x *mat.Dense, group int) *mat.Dense {
	r, c := x.Dims()
	if group <= 0 || c%group != 0 {
		panic("engine: mean pooling group does not divide the columns")
	}
	y := mat.NewDense(r, c/group, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c/group; j++ {
			s := 0.0
			for k := 0; k < group; k++ {
				s += x.At(i, j*group+k)
			}
			y.Set(i, j, s/float64(group))
		}
	}
	return y
}

// MeanPoolBackward gives each pooled column's gradient, divided by the
// group size, to every column that was averaged into it.
func MeanPoolBackward(dy *mat.Dense, group int) *mat.Dense {
	r, c := dy.Dims()
	dx := mat.NewDense(r, c*group, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c*group; j++ {
			dx.Set(i, j, dy.At(i, j/group)/float64(group))
		}
	}
	return dx
}

// LineExtremes returns each line's largest value along axis (its
// smallest when largest is false). A line holding NaN gives NaN.
func LineExtremes(x *mat.Dense, axis Axis, largest bool) []float64 {
	n, length, at := lines(x, axis)
	out := make([]float64, n)
	for l := 0; l < n; l++ {
		ref := x.At(at(l, 0))
		for k := 1; k < length; k++ {
			v := x.At(at(l, k))
			if v != v || (largest && v > ref) || (!largest && v < ref) {
				ref = v
			}
			if ref != ref {
				break
			}
		}
		out[l] = ref
	}
	return out
}

// SoftmaxForward returns base^(scale·x), normalised along axis. It subtracts
// each line's largest (for a negative scale, smallest) value first, so it
// gives finite probabilities for every finite input, however large: the
// largest cell of a line becomes base^0 = 1 and the others at most 1. A scale
// of 0 gives equal probabilities. NaN in, NaN out.
func SoftmaxForward(x *mat.Dense, base, scale float64, axis Axis) *mat.Dense {
	r, c := x.Dims()
	p := mat.NewDense(r, c, nil)
	n, length, at := lines(x, axis)
	lnb := math.Log(base)
	e := make([]float64, length)
	refs := LineExtremes(x, axis, scale >= 0)
	for l := 0; l < n; l++ {
		ref := refs[l]
		sum := 0.0
		for k := 0; k < length; k++ {
			d := x.At(at(l, k)) - ref // ≤ 0 for scale ≥ 0, ≥ 0 otherwise; may be ±Inf
			var z float64
			switch {
			case scale == 0:
				z = 0
			case d == 0:
				z = 0 // the reference cell, even for an infinite scale
			default:
				z = scale * d * lnb // ≤ 0: never overflows upward
			}
			e[k] = math.Exp(z)
			sum += e[k]
		}
		for k := 0; k < length; k++ {
			i, j := at(l, k)
			p.Set(i, j, e[k]/sum)
		}
	}
	return p
}

// SoftmaxBackward carries ∂L/∂P back through P = softmax(base^(scale·x))
// along axis: ∂L/∂x = scale·ln(base)·P ⊙ (∂L/∂P − Σ_line P ⊙ ∂L/∂P).
func SoftmaxBackward(p, dp *mat.Dense, base, scale float64, axis Axis) *mat.Dense {
	r, c := p.Dims()
	dx := mat.NewDense(r, c, nil)
	n, length, at := lines(p, axis)
	k := scale * math.Log(base)
	for l := 0; l < n; l++ {
		dot := 0.0
		for q := 0; q < length; q++ {
			i, j := at(l, q)
			dot += p.At(i, j) * dp.At(i, j)
		}
		for q := 0; q < length; q++ {
			i, j := at(l, q)
			dx.Set(i, j, k*p.At(i, j)*(dp.At(i, j)-dot))
		}
	}
	return dx
}

// CrossEntropyForward treats each line of logits (along axis) as the scores
// of one sample, turned into probabilities by P = base^z / Σ base^z, and
// targets[l] as the index of the right answer of line l. It returns each
// line's loss −ln P[target], computed without forming P (so it stays finite
// as long as the logits' differences do), and the gradient of their sum,
// ∂L/∂z = ln(base)·(P − one-hot target).
func CrossEntropyForward(logits *mat.Dense, targets []int, base float64, axis Axis) (losses []float64, dz *mat.Dense) {
	n, length, at := lines(logits, axis)
	if len(targets) != n {
		panic("engine: cross-entropy needs one target per line")
	}
	lnb := math.Log(base)
	losses = make([]float64, n)
	for l := 0; l < n; l++ {
		m := logits.At(at(l, 0))
		for k := 1; k < length; k++ {
			m = math.Max(m, logits.At(at(l, k)))
		}
		s := 0.0
		for k := 0; k < length; k++ {
			d := logits.At(at(l, k)) - m
			if d != 0 {
				s += math.Exp(d * lnb)
			} else {
				s++
			}
		}
		losses[l] = lnb*(m-logits.At(at(l, targets[l]))) + math.Log(s)
	}
	dz = SoftmaxForward(logits, base, 1, axis)
	for l := 0; l < n; l++ {
		i, j := at(l, targets[l])
		dz.Set(i, j, dz.At(i, j)-1)
	}
	dz.Scale(lnb, dz)
	return losses, dz
}

// AttentionScoresForward computes Q = Wq·H, K = Wk·H and the scores
// S = Kᵀ·Q: S[i, j] says how much column j of H (as a query) matches
// column i (as a key).
func AttentionScoresForward(wq, wk, h *mat.Dense) (q, k, s *mat.Dense) {
	q, k = product(wq, h), product(wk, h)
	return q, k, product(k.T(), q)
}

// AttentionScoresBackward carries ∂L/∂S back through S = (Wk·H)ᵀ·(Wq·H):
// ∂L/∂Q = K·∂L/∂S, ∂L/∂K = Q·∂L/∂Sᵀ, ∂L/∂Wq = ∂L/∂Q·Hᵀ, ∂L/∂Wk = ∂L/∂K·Hᵀ,
// ∂L/∂H = Wqᵀ·∂L/∂Q + Wkᵀ·∂L/∂K.
func AttentionScoresBackward(wq, wk, h, ds *mat.Dense) (dWq, dWk, dH *mat.Dense) {
	q, k, _ := AttentionScoresForward(wq, wk, h)
	dq, dk := product(k, ds), product(q, ds.T())
	dWq, dWk = product(dq, h.T()), product(dk, h.T())
	dH = product(wq.T(), dq)
	dH.Add(dH, product(wk.T(), dk))
	return dWq, dWk, dH
}

// MatMulBackward carries ∂L/∂Y back through Y = A·B:
// ∂L/∂A = ∂L/∂Y·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂Y.
func MatMulBackward(a, b, dy *mat.Dense) (dA, dB *mat.Dense) {
	return product(dy, b.T()), product(a.T(), dy)
}

// ScaleShiftForward applies adaptive scale and shift: ss stacks a scale γ
// over a shift β (2r×1 for an r-row x), and y[i, j] = γ[i]·x[i, j] + β[i].
func ScaleShiftForward(x, ss *mat.Dense) *mat.Dense {
	r, c := x.Dims()
	if n, _ := ss.Dims(); n != 2*r {
		panic("engine: scale and shift must stack two values per row")
	}
	y := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			y.Set(i, j, ss.At(i, 0)*x.At(i, j)+ss.At(r+i, 0))
		}
	}
	return y
}

// ScaleShiftBackward carries ∂L/∂Y back through y = γ ⊙ x + β, row by row:
// ∂L/∂x = γ ⊙ ∂L/∂Y, ∂L/∂γ[i] = Σ_j ∂L/∂Y[i, j]·x[i, j] and
// ∂L/∂β[i] = Σ_j ∂L/∂Y[i, j], stacked like ss.
func ScaleShiftBackward(x, ss, dy *mat.Dense) (dx, dss *mat.Dense) {
	r, c := x.Dims()
	dx = mat.NewDense(r, c, nil)
	dss = mat.NewDense(2*r, 1, nil)
	for i := 0; i < r; i++ {
		g, b := 0.0, 0.0
		for j := 0; j < c; j++ {
			dx.Set(i, j, ss.At(i, 0)*dy.At(i, j))
			g += dy.At(i, j) * x.At(i, j)
			b += dy.At(i, j)
		}
		dss.Set(i, 0, g)
		dss.Set(r+i, 0, b)
	}
	return dx, dss
}

// patchCell maps cell k of patch p to its pixel: the picture is cut into
// tiles of ph×pw, numbered row of tiles by row of tiles, left to right, and
// each tile is read row by row.
func patchCell(p, k, ph, pw, cols int) (r, c int) {
	across := cols / pw
	tr, tc := p/across, p%across
	return tr*ph + k/pw, tc*pw + k%pw
}

// PatchifyForward cuts a picture into ph×pw patches and lays each out as a
// column of ph·pw values, read row by row; patches are numbered left to
// right, then top to bottom. Frames drawn side by side are cut frame by
// frame, so a video of frames ph rows high gives its space-time patches in
// time order.
func PatchifyForward(img *mat.Dense, ph, pw int) *mat.Dense {
	rows, cols := img.Dims()
	if rows%ph != 0 || cols%pw != 0 {
		panic("engine: patches do not tile the picture")
	}
	n := (rows / ph) * (cols / pw)
	p := mat.NewDense(ph*pw, n, nil)
	for j := 0; j < n; j++ {
		for k := 0; k < ph*pw; k++ {
			p.Set(k, j, img.At(patchCell(j, k, ph, pw, cols)))
		}
	}
	return p
}

// PatchifyBackward puts each patch cell's gradient back on its pixel: the
// inverse rearrangement, UnpatchifyForward.
func PatchifyBackward(dp *mat.Dense, ph, pw, rows, cols int) *mat.Dense {
	return UnpatchifyForward(dp, ph, pw, rows, cols)
}

// UnpatchifyForward puts patches, one per column, back into a rows×cols
// picture: the inverse of PatchifyForward.
func UnpatchifyForward(p *mat.Dense, ph, pw, rows, cols int) *mat.Dense {
	img := mat.NewDense(rows, cols, nil)
	_, n := p.Dims()
	for j := 0; j < n; j++ {
		for k := 0; k < ph*pw; k++ {
			r, c := patchCell(j, k, ph, pw, cols)
			img.Set(r, c, p.At(k, j))
		}
	}
	return img
}

// UnpatchifyBackward cuts the picture's gradient back into patches.
func UnpatchifyBackward(dimg *mat.Dense, ph, pw int) *mat.Dense {
	return PatchifyForward(dimg, ph, pw)
}

// ——— Step builders ———
