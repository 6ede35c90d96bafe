package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// The sequence ops: one whole LSTM cell as a single op, for walkthroughs
// that chain several cells (an encoder and a decoder) and would be too
// long with every gate spelled out as ops of its own. The LSTM walkthrough
// itself spells the gates out with sigmoid, tanh, hadamard and add.
//
// One cell, with h hidden units, reads the weights of its four gates
// stacked in one matrix, rows in the order F, C̃, I, O (as on the sheets,
// "each gate one whole-matrix product"):
//
//	S = [X ; H]                     the input stacked on the old hidden state
//	Z = [W | b]·[S ; 1]             4h pre-activations
//	G = [σ(Z_F) ; tanh(Z_C̃) ; σ(Z_I) ; σ(Z_O)] = [F ; C̃ ; I ; O]
//	C′ = C ⊙ F + C̃ ⊙ I              the new cell state
//	H′ = tanh(C′) ⊙ O               the new hidden state

var _ = RegisterOps(opSeqLSTMCell)

// seqGateNames are the four gates of an LSTM cell, in the order of the
// rows of its weights.
var seqGateNames = []string{"F", "C̃", "I", "O"}

// seqIsTanh reports whether row r of an LSTM cell's gates (h hidden units)
// is the candidate C̃, which takes tanh; the other gates take σ.
func seqIsTanh(r, h int) bool { return r/h == 1 }

// seqSubscript writes k (counting from 1) as a subscript.
func seqSubscript(k int) string {
	var b strings.Builder
	for _, d := range strconv.Itoa(k) {
		b.WriteRune('₀' + d - '0')
	}
	return b.String()
}

// seqGateLabels are the row labels of an LSTM cell's gates: F₁, F₂, C̃₁, …
func seqGateLabels(h int) []string {
	out := make([]string, 0, 4*h)
	for _, g := range seqGateNames {
		for k := 1; k <= h; k++ {
			out = append(out, g+seqSubscript(k))
		}
	}
	return out
}

// seqTail is a matrix's name without its first letter ("₁" of "H₁",
// "′₂" of "H′₂"), to name the cell's inner matrices after its output.
func seqTail(name string) string {
	_, size := utf8.DecodeRuneInString(name)
	return name[size:]
}

// LSTMGates returns G = [σ(Z_F) ; tanh(Z_C̃) ; σ(Z_I) ; σ(Z_O)] for the
// 4h pre-activations Z of an LSTM cell with h hidden units.
func LSTMGates(z *mat.Dense, h int) *mat.Dense {
	g := mat.DenseCopyOf(z)
	g.Apply(func(i, _ int, v float64) float64 {
		if seqIsTanh(i, h) {
			return math.Tanh(v)
		}
		return sigmoid(v)
	}, g)
	return g
}

// LSTMCellState returns the new cell state C′ = C ⊙ F + C̃ ⊙ I from the
// old cell state and the gates G.
func LSTMCellState(c, g *mat.Dense) *mat.Dense {
	h, n := c.Dims()
	cNew := mat.NewDense(h, n, nil)
	for i := 0; i < h; i++ {
		for j := 0; j < n; j++ {
			cNew.Set(i, j, c.At(i, j)*g.At(i, j)+g.At(h+i, j)*g.At(2*h+i, j))
		}
	}
	return cNew
}

// LSTMHidden returns the new hidden state H′ = tanh(C′) ⊙ O from the new
// cell state and the gates G.
func LSTMHidden(cNew, g *mat.Dense) *mat.Dense {
	h, n := cNew.Dims()
	hNew := mat.NewDense(h, n, nil)
	for i := 0; i < h; i++ {
		for j := 0; j < n; j++ {
			hNew.Set(i, j, math.Tanh(cNew.At(i, j))*g.At(3*h+i, j))
		}
	}
	return hNew
}

// The backward of a cell, one step at a time, each from the steps before
// it as the page shows them: dC, the whole gradient of C′ (the part
// through H′ added); dG, the gradient of the gates; dZ, that of the
// pre-activations; and dCPrev, that of the old cell state.

// LSTMGradC returns dC = dC′ + dH′ ⊙ O ⊙ (1 − tanh²C′).
func LSTMGradC(g, cNew, dH, dCNew *mat.Dense) *mat.Dense {
	h, n := cNew.Dims()
	dC := mat.NewDense(h, n, nil)
	for i := 0; i < h; i++ {
		for j := 0; j < n; j++ {
			th := math.Tanh(cNew.At(i, j))
			dC.Set(i, j, dCNew.At(i, j)+dH.At(i, j)*g.At(3*h+i, j)*(1-th*th))
		}
	}
	return dC
}

// LSTMGradGates returns dG = [dC ⊙ C ; dC ⊙ I ; dC ⊙ C̃ ; dH′ ⊙ tanh C′].
func LSTMGradGates(dC, c, g, cNew, dH *mat.Dense) *mat.Dense {
	h, n := c.Dims()
	dG := mat.NewDense(4*h, n, nil)
	for i := 0; i < h; i++ {
		for j := 0; j < n; j++ {
			d := dC.At(i, j)
			dG.Set(i, j, d*c.At(i, j))
			dG.Set(h+i, j, d*g.At(2*h+i, j))
			dG.Set(2*h+i, j, d*g.At(h+i, j))
			dG.Set(3*h+i, j, dH.At(i, j)*math.Tanh(cNew.At(i, j)))
		}
	}
	return dG
}

// LSTMGradZ returns dZ = dG times the slope of each gate's squashing
// function: y(1 − y) for σ, 1 − y² for tanh, y the gate's value.
func LSTMGradZ(dG, g *mat.Dense) *mat.Dense {
	r, n := g.Dims()
	h := r / 4
	dZ := mat.NewDense(r, n, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < n; j++ {
			y := g.At(i, j)
			slope := y * (1 - y)
			if seqIsTanh(i, h) {
				slope = 1 - y*y
			}
			dZ.Set(i, j, dG.At(i, j)*slope)
		}
	}
	return dZ
}

// LSTMGradCPrev returns dC ⊙ F, the gradient of the old cell state.
func LSTMGradCPrev(dC, g *mat.Dense) *mat.Dense {
	h, n := dC.Dims()
	out := mat.NewDense(h, n, nil)
	for i := 0; i < h; i++ {
		for j := 0; j < n; j++ {
			out.Set(i, j, dC.At(i, j)*g.At(i, j))
		}
	}
	return out
}

// seqStep adds a step of the cell that shows ms in a row, computing the
// last, with formula f.
func seqStep(c *Ctx, id string, reads []string, f string, ops []string, ms ...*Matrix) {
	s := c.T.NewStep(id)
	s.Matrices = ms
	s.Ops = ops
	s.Reads = reads
	s.Formula = f
	c.T.Add(s)
}

// seqGatesFormula writes G = [F ; C̃ ; I ; O] = [σ ; tanh ; σ ; σ](Z):
// each block of rows of Z through its own function.
func seqGatesFormula(g, z string) string {
	f := []string{mi(g), mo("="), mo("[")}
	for k, gate := range seqGateNames {
		if k > 0 {
			f = append(f, mo(";"))
		}
		f = append(f, mi(gate))
	}
	f = append(f, mo("]"), mo("="), mo("["))
	for k := range seqGateNames {
		if k > 0 {
			f = append(f, mo(";"))
		}
		fn := "σ"
		if k == 1 {
			fn = "tanh"
		}
		f = append(f, mi(fn))
	}
	return mrow(append(f, mo("]"), mo("("), mi(z), mo(")"))...)
}

// seqAbsent reports whether a gradient handed to the backward is the zero
// stand-in for an output nothing used (see Ctx.backward): it is named "0"
// and computed by no step.
func seqAbsent(d *Matrix) bool { return !d.Computed() && d.Name == "0" }

var opSeqLSTMCell = &Op{
	Name: "lstm_cell", In: []string{"W|b", "X", "H", "C"}, Out: []string{"H", "C"},
	Formula: "S = [X ; H]; [F ; C̃ ; I ; O] = [σ ; tanh ; σ ; σ]([W | b]·[S ; 1]) with W's rows in that order; " +
		"C′ = C ⊙ F + C̃ ⊙ I; H′ = tanh(C′) ⊙ O",
	Grad: "∂L/∂C′ += ∂L/∂H′ ⊙ O ⊙ (1 − tanh²C′); ∂L/∂F = ∂L/∂C′ ⊙ C, ∂L/∂C̃ = ∂L/∂C′ ⊙ I, ∂L/∂I = ∂L/∂C′ ⊙ C̃, " +
		"∂L/∂O = ∂L/∂H′ ⊙ tanh C′; ∂L/∂Z = ∂L/∂G ⊙ σ′ or tanh′; ∂L/∂[W | b] = ∂L/∂Z·[S ; 1]ᵀ; " +
		"[∂L/∂X ; ∂L/∂H] = Wᵀ·∂L/∂Z; ∂L/∂C = ∂L/∂C′ ⊙ F",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		w, x, h, c := in[0], in[1], in[2], in[3]
		if h != c {
			return nil, fmt.Errorf("the hidden state %s is %v but the cell state %s is %v: they need one shape", n.In[2], h, n.In[3], c)
		}
		if x.Cols != h.Cols {
			return nil, fmt.Errorf("the input %s has %d columns but the hidden state %s has %d: give one state per sequence", n.In[1], x.Cols, n.In[2], h.Cols)
		}
		if w.Rows != 4*h.Rows {
			return nil, fmt.Errorf("%s has %d rows, but a cell of %d hidden units has 4 gates (F, C̃, I, O) of %d rows each: %d rows",
				n.In[0], w.Rows, h.Rows, h.Rows, 4*h.Rows)
		}
		if w.Cols != x.Rows+h.Rows+1 {
			return nil, fmt.Errorf("%s is %v, but it reads %s (%d rows), %s (%d rows) and a bias: it needs %d columns",
				n.In[0], w, n.In[1], x.Rows, n.In[2], h.Rows, x.Rows+h.Rows+1)
		}
		return []Shape{h, c}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		wb, x, hPrev, cPrev := in[0], in[1], in[2], in[3]
		oh, oc := c.Out(0), c.Out(1)
		h, _ := hPrev.Dims()
		tail := seqTail(oh.Name)
		labels := seqGateLabels(h)
		s := stackStep(c, c.ID(""), Out{ID: oh.ID + ".s", Name: "S" + tail, Hue: x.Hue}, true, x, hPrev)
		z := c.T.Linear(c.ID("gates"), wb, s, Out{ID: oh.ID + ".z", Name: "Z" + tail, Hue: oh.Hue, RowLabels: labels}, false)

		gd := LSTMGates(z.Data, h)
		g := Computed(Out{ID: oh.ID + ".g", Name: "G" + tail, Hue: oh.Hue, RowLabels: labels, ColLabels: z.ColLabels}, gd,
			func(i, j int) Explanation {
				fn := "σ"
				if seqIsTanh(i, h) {
					fn = "tanh"
				}
				return Explanation{Formula: fn + "(" + result(z.At(i, j)) + ") = " + result(gd.At(i, j)), Sources: []CellRef{{z.ID, i, j}}}
			})
		seqStep(c, c.ID("act"), []string{z.ID}, seqGatesFormula(g.Name, z.Name), []string{"", "σ, tanh →"}, z, g)

		cd := LSTMCellState(cPrev.Data, g.Data)
		if oc.ColLabels == nil {
			oc.ColLabels = x.ColLabels
		}
		cNew := oc.matrix(cd, func(i, j int) Explanation {
			return Explanation{
				Formula: paren(cPrev.At(i, j)) + "·" + paren(gd.At(i, j)) + " + " + paren(gd.At(h+i, j)) + "·" + paren(gd.At(2*h+i, j)) + " = " + result(cd.At(i, j)),
				Sources: []CellRef{{cPrev.ID, i, j}, {g.ID, i, j}, {g.ID, h + i, j}, {g.ID, 2*h + i, j}},
			}
		})
		seqStep(c, c.ID("cell"), []string{cPrev.ID, g.ID},
			mrow(mi(cNew.Name), mo("="), mi(cPrev.Name), mo("⊙"), mi("F"), mo("+"), mi("C̃"), mo("⊙"), mi("I")),
			[]string{"", ",", "→"}, cPrev, g, cNew)

		if oh.ColLabels == nil {
			oh.ColLabels = x.ColLabels
		}
		hd := LSTMHidden(cNew.Data, g.Data)
		hNew := oh.matrix(hd, func(i, j int) Explanation {
			return Explanation{
				Formula: "tanh(" + result(cd.At(i, j)) + ")·" + paren(gd.At(3*h+i, j)) + " = " + result(hd.At(i, j)),
				Sources: []CellRef{{cNew.ID, i, j}, {g.ID, 3*h + i, j}},
			}
		})
		seqStep(c, c.ID("hidden"), []string{cNew.ID, g.ID},
			mrow(mi(hNew.Name), mo("="), mi("tanh"), mo("("), mi(cNew.Name), mo(")"), mo("⊙"), mi("O")),
			[]string{"", ",", "→"}, cNew, g, hNew)
		return []*Matrix{hNew, cNew}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		wb, x, hPrev, cPrev := in[0], in[1], in[2], in[3]
		hNew, cNew := out[0], out[1]
		dH, dCNew := dOut[0], dOut[1]
		s, g := c.T.Matrix(hNew.ID+".s"), c.T.Matrix(hNew.ID+".g")
		h, _ := hPrev.Dims()
		xr, _ := x.Dims()
		tail := seqTail(hNew.Name)
		base := c.prefix + "d" + hNew.ID + "."
		grad := func(id, name string) Out {
			return Out{ID: base + id, Name: name, Role: RoleGradient, Hue: HueGradient}
		}
		dCd := LSTMGradC(g.Data, cNew.Data, dH.Data, dCNew.Data)
		hasDC := !seqAbsent(dCNew)

		// The whole gradient of C′: what arrives at it from later steps,
		// plus what arrives at H′ and goes back through tanh and O.
		dcOut := grad("c", "∂L/∂"+group(cNew.Name))
		dcOut.RowLabels, dcOut.ColLabels = cNew.RowLabels, cNew.ColLabels
		dC := dcOut.matrix(dCd, func(i, j int) Explanation {
			th := math.Tanh(cNew.At(i, j))
			f := paren(dH.At(i, j)) + "·" + paren(g.At(3*h+i, j)) + "·(1 − " + paren(th) + "²) = " + result(dCd.At(i, j))
			src := []CellRef{{dH.ID, i, j}, {g.ID, 3*h + i, j}, {cNew.ID, i, j}}
			if hasDC {
				f = paren(dCNew.At(i, j)) + " + " + f
				src = append(src, CellRef{dCNew.ID, i, j})
			}
			return Explanation{Formula: f, Sources: src}
		})
		path := mrow(mi(dH.Name), mo("⊙"), mi("O"), mo("⊙"), mo("("), mn("1"), mo("−"), msup(mi("tanh"), mn("2")), mi(cNew.Name), mo(")"))
		if hasDC {
			seqStep(c, c.ID("dc"), []string{dH.ID, dCNew.ID, g.ID, cNew.ID},
				mrow(mi(dC.Name), mo("="), mi(dCNew.Name), mo("+"), path), []string{"", ",", "→"}, dH, dCNew, dC)
		} else {
			seqStep(c, c.ID("dc"), []string{dH.ID, g.ID, cNew.ID},
				mrow(mi(dC.Name), mo("="), path), []string{"", "→"}, dH, dC)
		}

		// The gradient of each gate: what it was multiplied by.
		dGd := LSTMGradGates(dC.Data, cPrev.Data, g.Data, cNew.Data, dH.Data)
		dgOut := grad("g", "∂L/∂"+group(g.Name))
		dgOut.RowLabels, dgOut.ColLabels = g.RowLabels, g.ColLabels
		dG := dgOut.matrix(dGd, func(i, j int) Explanation {
			k := i % h
			switch i / h {
			case 0:
				return Explanation{Formula: paren(dCd.At(k, j)) + "·" + paren(cPrev.At(k, j)) + " = " + result(dGd.At(i, j)),
					Sources: []CellRef{{dC.ID, k, j}, {cPrev.ID, k, j}}}
			case 1:
				return Explanation{Formula: paren(dCd.At(k, j)) + "·" + paren(g.At(2*h+k, j)) + " = " + result(dGd.At(i, j)),
					Sources: []CellRef{{dC.ID, k, j}, {g.ID, 2*h + k, j}}}
			case 2:
				return Explanation{Formula: paren(dCd.At(k, j)) + "·" + paren(g.At(h+k, j)) + " = " + result(dGd.At(i, j)),
					Sources: []CellRef{{dC.ID, k, j}, {g.ID, h + k, j}}}
			}
			return Explanation{Formula: paren(dH.At(k, j)) + "·tanh(" + result(cNew.At(k, j)) + ") = " + result(dGd.At(i, j)),
				Sources: []CellRef{{dH.ID, k, j}, {cNew.ID, k, j}}}
		})
		seqStep(c, c.ID("dg"), []string{dC.ID, dH.ID, cPrev.ID, g.ID, cNew.ID},
			mrow(mi(dG.Name), mo("="), mo("["), mi(dC.Name), mo("⊙"), mi(cPrev.Name), mo(";"), mi(dC.Name), mo("⊙"), mi("I"), mo(";"),
				mi(dC.Name), mo("⊙"), mi("C̃"), mo(";"), mi(dH.Name), mo("⊙"), mi("tanh"), mi(cNew.Name), mo("]")),
			[]string{"", ",", "→"}, dC, dH, dG)

		// Back through σ and tanh.
		dZd := LSTMGradZ(dG.Data, g.Data)
		dzOut := grad("z", "∂L/∂Z"+tail)
		dzOut.RowLabels, dzOut.ColLabels = g.RowLabels, g.ColLabels
		dZ := dzOut.matrix(dZd, func(i, j int) Explanation {
			y := g.At(i, j)
			slope := paren(y) + "·(1 − " + paren(y) + ")"
			if seqIsTanh(i, h) {
				slope = "(1 − " + paren(y) + "²)"
			}
			return Explanation{Formula: paren(dGd.At(i, j)) + "·" + slope + " = " + result(dZd.At(i, j)),
				Sources: []CellRef{{dG.ID, i, j}, {g.ID, i, j}}}
		})
		seqStep(c, c.ID("dz"), []string{dG.ID, g.ID},
			mrow(mi(dZ.Name), mo("="), mi(dG.Name), mo("⊙"), mo("["), mi("F"), mo("("), mn("1"), mo("−"), mi("F"), mo(")"), mo(";"),
				mn("1"), mo("−"), msup(mi("C̃"), mn("2")), mo(";"), mi("I"), mo("("), mn("1"), mo("−"), mi("I"), mo(")"), mo(";"),
				mi("O"), mo("("), mn("1"), mo("−"), mi("O"), mo(")"), mo("]")),
			[]string{"", ",", "→"}, g, dG, dZ)

		grads := make([]*Matrix, 4)
		wantS := want[1] || want[2]
		if want[0] || wantS {
			var dwOut Out
			if want[0] {
				dwOut = c.GradOut(wb)
			}
			dS := grad("s", "∂L/∂"+group(s.Name))
			var dSm *Matrix
			grads[0], dSm = c.T.linearGrad(c.ID("dw"), c.ID("ds"), wb, s, dZ, want[0], wantS, dwOut, dS)
			_, cols := dZ.Dims()
			if want[1] {
				grads[1] = sliceStep(c, c.ID("dx"), dSm, 0, xr, 0, cols, c.GradOut(x))
			}
			if want[2] {
				grads[2] = sliceStep(c, c.ID("dh"), dSm, xr, xr+h, 0, cols, c.GradOut(hPrev))
			}
		}
		if want[3] {
			o := c.GradOut(cPrev)
			o.Name = "∂L/∂" + group(cPrev.Name) + " via " + group(cNew.Name)
			o.Role, o.Hue = RoleGradient, HueGradient
			dCPrevd := LSTMGradCPrev(dC.Data, g.Data)
			dcp := o.matrix(dCPrevd, func(i, j int) Explanation {
				return Explanation{Formula: paren(dCd.At(i, j)) + "·" + paren(g.At(i, j)) + " = " + result(dCPrevd.At(i, j)),
					Sources: []CellRef{{dC.ID, i, j}, {g.ID, i, j}}}
			})
			seqStep(c, c.ID("dcprev"), []string{dC.ID, g.ID},
				mrow(mi(dcp.Name), mo("="), mi(dC.Name), mo("⊙"), mi("F")), []string{"", ",", "→"}, dC, g, dcp)
			grads[3] = dcp
		}
		return grads
	},
	Texts: map[string]Text{
		"gates.title": {"en": "All four gates in one product", "zh": "一次乘法算出全部四个门"},
		"gates.text": {"en": "The weights of the four gates are stacked in one matrix, rows in the order F, C̃, I, O. Each row times the column [S ; 1] gives one gate's value before its squashing function.",
			"zh": "四个门的权重叠成一个矩阵，行的顺序是 F、C̃、I、O。每一行乘以列 [S ; 1]，得到一个门在压缩函数之前的值。"},
		"act.title": {"en": "Squash: σ for the gates, tanh for the candidate", "zh": "压缩：门用 σ，候选值用 tanh"},
		"act.text": {"en": "The forget, input and output gates take σ, a number between 0 and 1 that says how much passes. The candidate C̃ takes tanh, between −1 and 1: the new content that may be written.",
			"zh": "遗忘门、输入门和输出门用 σ，得到 0 到 1 之间的数，表示放过多少。候选值 C̃ 用 tanh，在 −1 和 1 之间：可能写进去的新内容。"},
		"cell.title": {"en": "The new cell state {out1}", "zh": "新的细胞状态 {out1}"},
		"cell.text": {"en": "Keep part of the old cell state, {in3} ⊙ F, and write part of the candidate, C̃ ⊙ I: {out1} = {in3} ⊙ F + C̃ ⊙ I.",
			"zh": "保留旧细胞状态的一部分 {in3} ⊙ F，再写入候选值的一部分 C̃ ⊙ I：{out1} = {in3} ⊙ F + C̃ ⊙ I。"},
		"hidden.title": {"en": "The new hidden state {out0}", "zh": "新的隐藏状态 {out0}"},
		"hidden.text": {"en": "Squash the cell state with tanh and let the output gate choose how much of it to show: {out0} = tanh({out1}) ⊙ O.",
			"zh": "用 tanh 压缩细胞状态，再由输出门决定露出多少：{out0} = tanh({out1}) ⊙ O。"},
		"dc.title": {"en": "Gradient of the cell state {out1}", "zh": "细胞状态 {out1} 的梯度"},
		"dc.text": {"en": "The gradient at {out0} goes back through ⊙ O and through tanh, whose slope is 1 − tanh². Any gradient {out1} gets from later steps is added.",
			"zh": "{out0} 处的梯度反向穿过 ⊙ O 和 tanh（斜率是 1 − tanh²）。{out1} 从后面的步骤得到的梯度也加进来。"},
		"dg.title": {"en": "Gradient of each gate", "zh": "每个门的梯度"},
		"dg.text": {"en": "Each gate's gradient is the gradient of what it made times what it was multiplied by: F by {in3}, C̃ by I, I by C̃, and O by tanh({out1}).",
			"zh": "每个门的梯度，是它参与算出的那个量的梯度乘以与它相乘的那个数：F 乘 {in3}，C̃ 乘 I，I 乘 C̃，O 乘 tanh({out1})。"},
		"dz.title": {"en": "Back through σ and tanh", "zh": "反向穿过 σ 和 tanh"},
		"dz.text": {"en": "Multiply each gate's gradient by the slope of its squashing function: y(1 − y) for σ, 1 − y² for tanh, with y the gate's value.",
			"zh": "把每个门的梯度乘以它压缩函数的斜率：σ 的是 y(1 − y)，tanh 的是 1 − y²，其中 y 是门的值。"},
		"dw.title": {"en": "Gradient of the gate weights [{in0}]", "zh": "门权重 [{in0}] 的梯度"},
		"dw.text": {"en": "As for any linear layer: the gradient of the pre-activations times [S ; 1]ᵀ. The last column is the biases' gradient.",
			"zh": "和任何线性层一样：预激活的梯度乘以 [S ; 1]ᵀ。最后一列是偏置的梯度。"},
		"ds.title": {"en": "Gradient passed back to the stacked input", "zh": "传回叠起来的输入的梯度"},
		"ds.text": {"en": "Multiply the transposed weights (without the biases) by the gradient of the pre-activations.",
			"zh": "用转置后的权重（不含偏置）乘以预激活的梯度。"},
		"dx.title": {"en": "Gradient of the input {in1}", "zh": "输入 {in1} 的梯度"},
		"dx.text":  {"en": "The top rows of the stacked gradient belong to {in1}.", "zh": "叠起来的梯度的上面几行属于 {in1}。"},
		"dh.title": {"en": "Gradient of the old hidden state {in2}", "zh": "旧隐藏状态 {in2} 的梯度"},
		"dh.text": {"en": "The bottom rows of the stacked gradient belong to {in2}: this is how the error travels back to the step before.",
			"zh": "叠起来的梯度的下面几行属于 {in2}：误差就是这样传回上一步的。"},
		"dcprev.title": {"en": "Gradient of the old cell state {in3}", "zh": "旧细胞状态 {in3} 的梯度"},
		"dcprev.text": {"en": "{out1} = {in3} ⊙ F + …, so {in3}'s gradient is {out1}'s times the forget gate: along the cell state the gradient only passes through ⊙ F, which lets it travel far back.",
			"zh": "{out1} = {in3} ⊙ F + …，所以 {in3} 的梯度是 {out1} 的梯度乘以遗忘门：沿着细胞状态，梯度只经过 ⊙ F，所以能传得很远。"},
	},
}
