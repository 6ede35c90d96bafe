package engine

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The ops CLIP is written in: words looked up in a table, pictures cut
// into patches, mean pooling, a matrix scaled by a 1×1 matrix (the
// temperature), and CLIP's contrastive loss, a cross-entropy taken both
// ways over a square matrix of logits.

var _ = RegisterOps(opLookup, opMeanPool, opScaleBy, opContrastiveLoss)

// clipWhole reports whether x is a whole number from lo to hi.
func clipWhole(x float64, lo, hi int) bool {
	return x == math.Trunc(x) && x >= float64(lo) && x <= float64(hi)
}

// clipWordIndex returns the node's words as 0-based column numbers.
func clipWordIndex(n *Node) []int {
	ws := n.Nums("words")
	out := make([]int, len(ws))
	for i, w := range ws {
		out[i] = int(w) - 1
	}
	return out
}

var opLookup = &Op{
	Name: "lookup", In: []string{"E"}, Out: []string{"X"}, Integral: always,
	Params: []Param{{Name: "words", Kind: KindNumber, List: true,
		Doc: "the words looked up, one per column of the result, as 1-based numbers of E's columns (the vocabulary)"}},
	Formula: "X = E[:, words]: column j of X is column words[j] of the table E",
	Grad:    "∂L/∂E: each column of E collects the columns of ∂L/∂X where it was looked up; a word not looked up gets 0",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		words := n.Nums("words")
		if len(words) == 0 || len(words) > 64 {
			return nil, fmt.Errorf("words should list from 1 to 64 words")
		}
		for i, w := range words {
			if !clipWhole(w, 1, in[0].Cols) {
				return nil, fmt.Errorf("word %d is %g, but %s has %d columns (one per word): a word is a whole number from 1 to %d",
					i+1, w, n.In[0], in[0].Cols, in[0].Cols)
			}
		}
		return []Shape{{in[0].Rows, len(words)}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.lookupStep(c.ID(""), in[0], clipWordIndex(n), c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		e, dx := in[0], dOut[0]
		idx := clipWordIndex(n)
		r, v := e.Dims()
		data := mat.NewDense(r, v, nil)
		for j, k := range idx {
			for i := 0; i < r; i++ {
				data.Set(i, k, data.At(i, k)+dx.At(i, j))
			}
		}
		g := Computed(c.GradOut(e), data, func(i, k int) Explanation {
			var parts []string
			var src []CellRef
			for j, w := range idx {
				if w == k {
					parts = append(parts, paren(dx.At(i, j)))
					src = append(src, CellRef{dx.ID, i, j})
				}
			}
			switch len(parts) {
			case 0:
				return Explanation{Formula: fmt.Sprintf("word %d is not looked up → 0", k+1)}
			case 1:
				return Explanation{Formula: cellName(dx.Name, src[0].Row, src[0].Col) + " = " + result(data.At(i, k)), Sources: src}
			}
			return Explanation{Formula: strings.Join(parts, " + ") + " = " + result(data.At(i, k)), Sources: src}
		})
		s := c.Step("grad")
		s.Matrices = []*Matrix{dx, g}
		s.Ops = []string{"", "→"}
		s.Reads = []string{dx.ID}
		s.Formula = mrow(cell(g.Name, "ik"), mo("="), munder(mo("Σ"), mrow(mi("j"), mo(":"), msub(mi("w"), mi("j")), mo("="), mi("k"))),
			cell(dx.Name, "ij"))
		c.T.Add(s)
		return []*Matrix{g}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of the table {in0}", "zh": "表 {in0} 的梯度"},
		"grad.text": {"en": "Each column of {out0} is a copy of a column of {in0}, so each column of {in0} collects the gradient of every column it was copied to. A word that was not looked up gets 0.",
			"zh": "{out0} 的每一列都是 {in0} 某一列的副本，所以 {in0} 的每一列收集它被复制到的每一列的梯度。没有被查到的词得到 0。"},
	},
}

var opMeanPool = &Op{
	Name: "mean_pool", In: []string{"X"}, Out: []string{"Y"},
	Params:  []Param{{Name: "group", Kind: KindNumber, Default: NumParam(2), Doc: "how many adjacent columns are averaged into one"}},
	Formula: "Y = the mean of each group of adjacent columns of X: column j of Y averages columns group·j + 1, …, group·(j + 1)",
	Grad:    "∂L/∂X: each column gets the gradient of its group's column, divided by group",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		g := n.Num("group")
		if !clipWhole(g, 1, 64) || in[0].Cols%int(g) != 0 {
			return nil, fmt.Errorf("%s has %d columns: group = %g should be a whole number that divides them", n.In[0], in[0].Cols, g)
		}
		return []Shape{{in[0].Rows, in[0].Cols / int(g)}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.poolStep(c.ID(""), in[0], n.Int("group"), c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		return []*Matrix{c.T.poolGradStep(c.ID("grad"), dOut[0], n.Int("group"), c.GradOut(in[0]))}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Back through the mean pooling to {in0}", "zh": "反向穿过均值池化到 {in0}"},
		"grad.text": {"en": "Each column of {out0} is the mean of a group of columns of {in0}, so each of those columns gets the group's gradient divided by the size of the group.",
			"zh": "{out0} 的每一列是 {in0} 中一组列的平均，所以这组里的每一列得到该组的梯度除以组的大小。"},
	},
}

var opScaleBy = &Op{
	Name: "scale_by", In: []string{"k", "A"}, Out: []string{"Y"}, Integral: always,
	Formula: "Y = k·A, k the one cell of a 1×1 matrix (a temperature, a number the reader can edit or train)",
	Grad:    "∂L/∂A = k·∂L/∂Y; ∂L/∂k = Σ A ⊙ ∂L/∂Y",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0] != (Shape{1, 1}) {
			return nil, fmt.Errorf("%s is %v: the factor k should be a 1×1 matrix, one number", n.In[0], in[0])
		}
		return []Shape{in[1]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.scalarStep(c.ID(""), in[0], in[1], c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		k, a, dy := in[0], in[1], dOut[0]
		g := make([]*Matrix, 2)
		if want[1] {
			g[1] = c.T.scalarStep(c.ID("grad"), k, dy, c.GradOut(a))
		}
		if want[0] {
			r, cl := a.Dims()
			sum := 0.0
			var parts []string
			var src []CellRef
			for i := 0; i < r; i++ {
				for j := 0; j < cl; j++ {
					sum += a.At(i, j) * dy.At(i, j)
					parts = append(parts, paren(a.At(i, j))+"·"+paren(dy.At(i, j)))
					src = append(src, CellRef{a.ID, i, j}, CellRef{dy.ID, i, j})
				}
			}
			o := c.GradOut(k)
			o.RowLabels, o.ColLabels = nil, nil
			g[0] = Computed(o, mat.NewDense(1, 1, []float64{sum}), func(_, _ int) Explanation {
				return Explanation{Formula: strings.Join(parts, " + ") + " = " + result(sum), Sources: src}
			})
			s := c.Step("dk")
			s.Matrices = []*Matrix{a, dy, g[0]}
			s.Ops = []string{"", "⊙", "Σ →"}
			s.Reads = []string{a.ID, dy.ID}
			s.Formula = mrow(mi(g[0].Name), mo("="), mo("Σ"), mi(a.Name), mo("⊙"), mi(dy.Name))
			c.T.Add(s)
		}
		return g
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of {in1}", "zh": "{in1} 的梯度"},
		"grad.text": {"en": "{out0} is {in1} times the number {in0}, so the gradient of {in1} is the gradient arriving at {out0} times {in0}.",
			"zh": "{out0} 是 {in1} 乘以数 {in0}，所以 {in1} 的梯度是到达 {out0} 的梯度乘以 {in0}。"},
		"dk.title": {"en": "Gradient of the factor {in0}", "zh": "因子 {in0} 的梯度"},
		"dk.text": {"en": "{in0} multiplies every cell of {in1}, so its gradient adds up every cell of {in1} times the gradient arriving at that cell of {out0}.",
			"zh": "{in0} 乘上了 {in1} 的每一格，所以它的梯度把 {in1} 的每一格乘以到达 {out0} 对应格的梯度，再全部加起来。"},
	},
}

// clipPowerBase is the base of the contrastive loss's powers: hand_base
// (3) on paper, e exactly.
func clipPowerBase(c *Ctx, n *Node) float64 {
	if c.Mode == Hand {
		return n.Num("hand_base")
	}
	return math.E
}

// clipBoth is what the loss's explanation reads of a softmax worked
// both ways: the probabilities, the sums, and the exponents of the powers
// (Z on paper; exactly, Z less each line's largest).
type clipBoth struct {
	prow, pcol     *Matrix
	sumRow, sumCol *Matrix
	expRow, expCol *Matrix
}

// negLog writes and computes −ln P[i,i] for the direction axis, reading
// the matrices as the page shows them: as −ln p where p can be shown, and
// otherwise through the line's sum, −ln p = ln Σ − x·ln(base) with x the
// power's exponent (ln e = 1 left out), which stays a number where p is
// too small to tell from 0. Whether p can be shown is read from the sum
// and the exponent, so that a p not known yet is read as p.
func (sm clipBoth) negLog(base float64, axis Axis, i int) (string, float64, []CellRef) {
	p, sums, x := sm.prow, sm.sumRow, sm.expRow
	si, sj := i, 0
	if axis == EachColumn {
		p, sums, x = sm.pcol, sm.sumCol, sm.expCol
		si, sj = 0, i
	}
	if Format(math.Exp(x.At(i, i)*math.Log(base)-math.Log(sums.At(si, sj)))) != "0" {
		pv := p.At(i, i)
		text := Format(pv)
		if text == "" {
			text = "?"
		}
		return "−ln " + text, -math.Log(pv), []CellRef{{p.ID, i, i}}
	}
	exp := paren(x.At(i, i))
	if base != math.E {
		exp += "·ln " + Format(base)
	}
	return "(ln " + paren(sums.At(si, sj)) + " − " + exp + ")", math.Log(sums.At(si, sj)) - x.At(i, i)*math.Log(base),
		[]CellRef{{sums.ID, si, sj}, {x.ID, i, i}}
}

// clipDirGradFormula says what one direction's gradient is: the gradient of
// its cross-entropy Σᵢ −ln Pᵢᵢ with respect to the logits.
func clipDirGradFormula(name, p, z string) string {
	return mrow(mi(name), mo("="), mfrac(mo("∂"), mrow(mo("∂"), mi(z))),
		mrow(munder(mo("Σ"), mi("i")), mo("("), mo("−"), mi("ln"), cell(p, "ii"), mo(")")))
}

var opContrastiveLoss = &Op{
	Name: "contrastive_loss", In: []string{"Z"}, Out: []string{"L", "Prow", "Pcol"}, Loss: true,
	Params: []Param{{Name: "hand_base", Kind: KindNumber, Default: NumParam(3), Doc: "the base of the powers in Hand mode (3 on the sheets)"}},
	Formula: "Z square, row i an image and column i its text: Prow = softmax of each row of Z (image → text), Pcol = softmax of each column (text → image); " +
		"L = Σᵢ ½(−ln Prow[i,i] − ln Pcol[i,i]): pair i belongs together. Exact mode subtracts each line's largest logit first",
	Grad: "∂L/∂Z = ½·κ(Prow − 𝟙) + ½·κ(Pcol − 𝟙), κ = ln(base): ln 3 on paper, 1 with eˣ",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0].Rows != in[0].Cols {
			return nil, fmt.Errorf("%s is %v: the logits should be square, one row per image and one column per text, pair i on the diagonal", n.In[0], in[0])
		}
		if n.Num("hand_base") <= 1 {
			return nil, fmt.Errorf("hand_base should be larger than 1")
		}
		return []Shape{{1, 1}, in[0], in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		z := in[0]
		base := clipPowerBase(c, n)
		oL, oR, oC := c.Out(0), c.Out(1), c.Out(2)
		hue := oR.Hue
		pre := oL.ID + "."
		mk := func(id, name string) Out { return Out{ID: pre + id, Name: name, Hue: hue} }
		first := true
		next := func(s string) string {
			if first {
				first = false
				return c.ID("")
			}
			return c.ID(s)
		}
		// On paper: the powers as they are, shared by both directions, the
		// sums, the divisions. Exactly: each row's (each column's) largest
		// logit is subtracted first, which leaves the probabilities as they
		// are but keeps every power between 0 and 1, so none overflows and
		// no sum falls to 0.
		var sm clipBoth
		if c.Mode == Hand {
			ex := c.T.powerStep(next("exp"), z, base, mk("Ex", "E"))
			sm.sumRow = c.T.sumsStep(next("sums.row"), ex, EachRow, mk("Sr", "Σ→"))
			sm.sumCol = c.T.sumsStep(next("sums.col"), ex, EachColumn, mk("Sc", "Σ↓"))
			sm.prow = c.T.normalizeStep(next("prob.row"), ex, sm.sumRow, EachRow, oR)
			sm.pcol = c.T.normalizeStep(next("prob.col"), ex, sm.sumCol, EachColumn, oC)
			sm.expRow, sm.expCol = z, z
		} else {
			_, dr := c.T.shiftStep(next("shift.row"), z, EachRow, mk("Mr", "max→"), mk("Dr", group(z.Name)+" − max→"))
			_, dc := c.T.shiftStep(next("shift.col"), z, EachColumn, mk("Mc", "max↓"), mk("Dc", group(z.Name)+" − max↓"))
			exr := c.T.powerStep(next("exp.row"), dr, base, mk("Exr", "E→"))
			exc := c.T.powerStep(next("exp.col"), dc, base, mk("Exc", "E↓"))
			sm.sumRow = c.T.sumsStep(next("sums.row"), exr, EachRow, mk("Sr", "Σ→"))
			sm.sumCol = c.T.sumsStep(next("sums.col"), exc, EachColumn, mk("Sc", "Σ↓"))
			sm.prow = c.T.normalizeStep(next("prob.row"), exr, sm.sumRow, EachRow, oR)
			sm.pcol = c.T.normalizeStep(next("prob.col"), exc, sm.sumCol, EachColumn, oC)
			sm.expRow, sm.expCol = dr, dc
		}
		prow, pcol := sm.prow, sm.pcol

		// ℓᵢ = ½(−ln P(I→T)[i,i] − ln P(T→I)[i,i]), each −ln P read as
		// the explanation writes it (see negLog).
		size, _ := z.Dims()
		pair := mat.NewDense(1, size, nil)
		for i := 0; i < size; i++ {
			_, lr, _ := sm.negLog(base, EachRow, i)
			_, lc, _ := sm.negLog(base, EachColumn, i)
			pair.Set(0, i, 0.5*(lr+lc))
		}
		lm := Computed(Out{ID: pre + "pair", Name: "ℓ", Hue: hue, ColLabels: z.ColLabels}, pair,
			func(_, j int) Explanation {
				row, _, rsrc := sm.negLog(base, EachRow, j)
				col, _, csrc := sm.negLog(base, EachColumn, j)
				if strings.HasPrefix(col, "−") {
					col = "− " + strings.TrimPrefix(col, "−")
				} else {
					col = "+ " + col
				}
				return Explanation{
					Formula: "½·(" + row + " " + col + ") = " + result(pair.At(0, j)),
					Sources: append(rsrc, csrc...),
				}
			})
		s := c.Step("loss")
		s.Matrices, s.Ops, s.Reads = []*Matrix{prow, pcol, lm}, []string{"", ",", "→"}, []string{prow.ID, pcol.ID}
		s.Formula = mrow(msub(mi("ℓ"), mi("i")), mo("="), mn("½"), mo("("), mo("−"), mi("ln"), cell(prow.Name, "ii"),
			mo("−"), mi("ln"), cell(pcol.Name, "ii"), mo(")"))
		c.T.Add(s)

		// The loss itself, the sum of the pairs' losses, is what the
		// training panel shows.
		loss := 0.0
		for i := 0; i < size; i++ {
			loss += pair.At(0, i)
		}
		oL.Hue = HueGradient
		total := Computed(oL, mat.NewDense(1, 1, []float64{loss}), func(_, _ int) Explanation {
			parts := make([]string, size)
			src := make([]CellRef, size)
			for i := range parts {
				parts[i] = paren(pair.At(0, i))
				src[i] = CellRef{lm.ID, 0, i}
			}
			return Explanation{Formula: strings.Join(parts, " + ") + " = " + result(loss), Sources: src}
		})
		return []*Matrix{total, prow, pcol}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		z, prow, pcol := in[0], out[1], out[2]
		kappa, kName := softmaxFactor(clipPowerBase(c, n), 1)
		r, cl := z.Dims()
		one := mat.NewDense(r, cl, nil)
		for i := 0; i < r; i++ {
			one.Set(i, i, 1)
		}
		target := &Matrix{ID: c.prefix + out[0].ID + ".one", Name: "𝟙", Role: RoleTarget, Hue: prow.Hue,
			RowLabels: prow.RowLabels, ColLabels: prow.ColLabels, Data: one}
		// Each direction's cross-entropy Σᵢ −ln Pᵢᵢ has the gradient
		// κ·(P − 𝟙) with respect to Z: on paper κ = ln 3, the factor the
		// powers of 3 carry (3ᶻ = e^(z·ln 3)); exactly κ = 1.
		dir := func(suffix string, p *Matrix) *Matrix {
			name := p.Name + " − 𝟙"
			if kName != "1" {
				name = kName + "·(" + name + ")"
			}
			data := mat.NewDense(r, cl, nil)
			data.Apply(func(i, j int, _ float64) float64 { return kappa * (p.At(i, j) - one.At(i, j)) }, data)
			g := Computed(Out{ID: c.prefix + "d" + z.ID + "." + p.ID, Name: name, Role: RoleGradient, Hue: HueGradient,
				RowLabels: p.RowLabels, ColLabels: p.ColLabels}, data, func(i, j int) Explanation {
				f := paren(p.At(i, j)) + " − " + paren(one.At(i, j))
				if kName != "1" {
					f = kName + "·(" + f + ")"
				}
				return Explanation{Formula: f + " = " + result(data.At(i, j)), Sources: []CellRef{{p.ID, i, j}, {target.ID, i, j}}}
			})
			s := c.Step(suffix)
			s.Matrices = []*Matrix{p, target, g}
			s.Ops = []string{"", "−", "="}
			if kName != "1" {
				s.Ops = []string{kName + " × (", "−", ") ="}
			}
			s.Reads = []string{p.ID, target.ID}
			s.Formula = clipDirGradFormula(name, p.Name, z.Name)
			c.T.Add(s)
			return g
		}
		grow := dir("grad.row", prow)
		gcol := dir("grad.col", pcol)
		// The loss weighs both directions by one half.
		return []*Matrix{c.T.halfSumStep(c.ID("grad"), grow, gcol, c.GradOut(z))}
	},
	Texts: map[string]Text{
		"exp.title": {"en": "Softmax: powers", "zh": "Softmax：求幂"},
		"exp.text": {"en": "Each logit becomes a positive power; the larger the logit, the much larger its power. Both directions share these powers.",
			"zh": "每个 logit 变成一个正的幂；logit 越大，幂大得越多。两个方向共用这些幂。"},
		"shift.row.title": {"en": "Softmax: subtract each row's largest", "zh": "Softmax：每行减去最大值"},
		"shift.row.text": {"en": "Subtracting the same number from a whole row leaves its softmax unchanged, and keeps every power between 0 and 1, so none overflows.",
			"zh": "整行减去同一个数不改变这一行的 softmax，又让每个幂都在 0 和 1 之间，不会溢出。"},
		"shift.col.title": {"en": "Softmax: subtract each column's largest", "zh": "Softmax：每列减去最大值"},
		"shift.col.text": {"en": "The other direction divides by column sums, so it gets its own shift: each column's largest logit is subtracted from every cell of that column.",
			"zh": "另一个方向要除以列和，所以它有自己的平移：把每一列的每个单元格都减去该列最大的 logit。"},
		"exp.row.title": {"en": "Softmax: powers, along the rows", "zh": "Softmax：求幂，按行"},
		"exp.row.text": {"en": "Each row-shifted logit becomes a power; the largest cell of each row becomes exactly 1.",
			"zh": "每个按行平移后的 logit 变成一个幂；每一行最大的单元格恰好变成 1。"},
		"exp.col.title": {"en": "Softmax: powers, down the columns", "zh": "Softmax：求幂，按列"},
		"exp.col.text": {"en": "Each column-shifted logit becomes a power; the largest cell of each column becomes exactly 1.",
			"zh": "每个按列平移后的 logit 变成一个幂；每一列最大的单元格恰好变成 1。"},
		"sums.row.title": {"en": "Softmax: row sums", "zh": "Softmax：行和"},
		"sums.row.text":  {"en": "The sum of each row is what the powers of that row will be divided by.", "zh": "每一行的和，就是这一行的幂要除以的数。"},
		"sums.col.title": {"en": "Softmax: column sums", "zh": "Softmax：列和"},
		"sums.col.text":  {"en": "The sum of each column is what the powers of that column will be divided by.", "zh": "每一列的和，就是这一列的幂要除以的数。"},
		"prob.row.title": {"en": "Divide: the probabilities {out1}", "zh": "相除：概率 {out1}"},
		"prob.row.text": {"en": "Each power divided by its row's sum: every row of {out1} now adds up to 1.",
			"zh": "每个幂除以所在行的和：{out1} 的每一行加起来都等于 1。"},
		"prob.col.title": {"en": "Divide: the probabilities {out2}", "zh": "相除：概率 {out2}"},
		"prob.col.text": {"en": "Each power divided by its column's sum: every column of {out2} now adds up to 1.",
			"zh": "每个幂除以所在列的和：{out2} 的每一列加起来都等于 1。"},
		"loss.title": {"en": "The loss: both directions, averaged", "zh": "损失：两个方向取平均"},
		"loss.text": {"en": "Pair i sits on the diagonal. Its loss is half of −ln of its probability in {out1} plus half of −ln of its probability in {out2}; the loss adds up the pairs.",
			"zh": "第 i 对在对角线上。它的损失是它在 {out1} 中概率的 −ln 的一半，加上它在 {out2} 中概率的 −ln 的一半；总损失把各对加起来。"},
		"grad.row.title": {"en": "Loss gradient along the rows", "zh": "按行的损失梯度"},
		"grad.row.text": {"en": "Softmax and cross-entropy together have the simplest gradient: each probability of {out1} minus the target 𝟙, which is 1 on the diagonal. With 3ˣ on paper, the true gradient carries a factor ln 3, which is shown.",
			"zh": "softmax 与交叉熵合在一起，梯度最简单：{out1} 的每个概率减去目标 𝟙（对角线上为 1）。纸上用 3ˣ 时，真实梯度多一个因子 ln 3，这里也写出来了。"},
		"grad.col.title": {"en": "Loss gradient down the columns", "zh": "按列的损失梯度"},
		"grad.col.text": {"en": "The same rule for the other direction: each probability of {out2} minus 𝟙.",
			"zh": "另一个方向用同样的规则：{out2} 的每个概率减去 𝟙。"},
		"grad.title": {"en": "Loss gradient: both directions", "zh": "损失梯度：两个方向"},
		"grad.text": {"en": "The loss weighs each direction by one half, so the gradient of {in0} is the average of the two.",
			"zh": "损失给每个方向一半的权重，所以 {in0} 的梯度是两者的平均。"},
	},
}
