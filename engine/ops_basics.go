package engine

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// The ops of the "basics" walkthroughs (softmax, leaky ReLU, temperature):
// the leaky ReLU with its gate shown, the sums of a matrix's lines (the
// check that probabilities add up to 1), and sampling a word from a
// column of probabilities with a given random number r.

var _ = RegisterOps(opBasLeakyReLU, opBasLineSums, opBasSample)

// basGateStep adds the step that writes the gate of a leaky ReLU: 1 where
// a cell of a is positive, alpha elsewhere (0 included, as on the sheet).
func basGateStep(t *Trace, id string, a *Matrix, alpha float64, out Out) *Matrix {
	r, c := a.Dims()
	data := mat.NewDense(r, c, nil)
	data.Apply(func(i, j int, _ float64) float64 {
		switch v := a.At(i, j); {
		case v > 0:
			return 1
		case v != v:
			return v // not known yet: neither gate
		}
		return alpha
	}, data)
	if out.RowLabels == nil {
		out.RowLabels = a.RowLabels
	}
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	g := out.matrix(data, func(i, j int) Explanation {
		v := a.At(i, j)
		rel := " > 0 → 1"
		if !(v > 0) {
			rel = " ≤ 0 → α = " + Format(alpha)
		}
		return Explanation{Formula: paren(v) + rel, Sources: []CellRef{{a.ID, i, j}},
			terms: "1 if " + paren(v) + " > 0, else α"}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, g}
	s.Ops = []string{"", "→"}
	s.Reads = []string{a.ID}
	s.Formula = mrow(indexed(g.Name), mo("="), mn("1"), mi("if"), indexed(a.Name), mo(">"), mn("0"), mo(","),
		mi("else"), mi("α"), mo("="), mn(Format(alpha)))
	t.Add(s)
	return g
}

var opBasLeakyReLU = &Op{
	Name: "leaky_relu", In: []string{"A"}, Out: []string{"Y"}, Integral: wholeParam("alpha"),
	Params: []Param{{Name: "alpha", Kind: KindNumber, Default: NumParam(0.1),
		Doc: "the gate where A ≤ 0: negatives are multiplied by it (0 gives the plain ReLU)"}},
	Formula: "gate = 1 where A > 0, else α; Y = A ⊙ gate",
	Grad:    "∂L/∂A = ∂L/∂Y ⊙ gate",
	Shape:   sameShape,
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		a, alpha, o := in[0], n.Num("alpha"), c.Out(0)
		g := basGateStep(c.T, c.ID(""), a, alpha, Out{ID: o.ID + ".gate", Name: "gate", Hue: o.Hue})
		if o.RowLabels == nil {
			o.RowLabels = a.RowLabels
		}
		y := c.T.Hadamard(c.ID("mul"), a, g, o)
		if alpha == 0 {
			// The plain ReLU: the negatives are struck out, as on the sheets.
			y.Before = mat.DenseCopyOf(a.Data) // its own: practice writes into it
		}
		return []*Matrix{y}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		g := c.T.Matrix(out[0].ID + ".gate")
		return []*Matrix{c.T.Hadamard(c.ID("grad"), dOut[0], g, c.GradOut(in[0]))}
	},
	Texts: map[string]Text{
		"mul.title": {"en": "Multiply {in0} by its gate: {out0}", "zh": "{in0} 乘以它的门：{out0}"},
		"mul.text": {"en": "Each value is multiplied by its gate, cell by cell: positive values pass unchanged, the others shrink to α times themselves.",
			"zh": "每个值逐格乘以它的门：正数原样通过，其余的缩小为自身的 α 倍。"},
		"grad.title": {"en": "Back through the gate to {in0}", "zh": "反向穿过门，回到 {in0}"},
		"grad.text": {"en": "{out0} is {in0} times a gate of fixed numbers, so the gradient of {in0} is the arriving gradient times the same gate: all of it where the value was positive, α of it elsewhere.",
			"zh": "{out0} 是 {in0} 乘以一个由固定数组成的门，所以 {in0} 的梯度是到达的梯度乘以同一个门：原值为正的地方全部通过，其余地方只通过 α 倍。"},
	},
}

// basSpreadStep adds the step back through line sums: every cell of a
// line gets the gradient of that line's sum.
func basSpreadStep(t *Trace, id string, ds *Matrix, rows, cols int, axis Axis, out Out) *Matrix {
	at := func(i, j int) (int, int) {
		if axis == EachRow {
			return i, 0
		}
		return 0, j
	}
	data := mat.NewDense(rows, cols, nil)
	data.Apply(func(i, j int, _ float64) float64 { return ds.At(at(i, j)) }, data)
	out.Role, out.Hue = RoleGradient, HueGradient
	m := out.matrix(data, func(i, j int) Explanation {
		si, sj := at(i, j)
		return Explanation{Formula: cellName(ds.Name, si, sj) + " = " + result(data.At(i, j)), Sources: []CellRef{{ds.ID, si, sj}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{ds, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{ds.ID}
	line := "j"
	if axis == EachRow {
		line = "i"
	}
	s.Formula = mrow(indexed(m.Name), mo("="), cell(ds.Name, line))
	t.Add(s)
	return m
}

var opBasLineSums = &Op{
	Name: "line_sums", In: []string{"A"}, Out: []string{"S"}, Integral: always,
	Params: []Param{{Name: "axis", Kind: KindString, Default: StrParam("columns"), Choices: []string{"columns", "rows"},
		Doc: "add up each column (a row of sums) or each row (a column of sums)"}},
	Formula: "S = the sum of each column of A (or of each row)",
	Grad:    "∂L/∂A = the gradient of each line's sum, copied to every cell of the line",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if axisOf(n) == EachRow {
			return []Shape{{in[0].Rows, 1}}, nil
		}
		return []Shape{{1, in[0].Cols}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.sumsStep(c.ID(""), in[0], axisOf(n), c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		r, cl := in[0].Dims()
		o := c.GradOut(in[0])
		return []*Matrix{basSpreadStep(c.T, c.ID("grad"), dOut[0], r, cl, axisOf(n), o)}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of {in0}: each sum's gradient, spread over its line", "zh": "{in0} 的梯度：每个和的梯度铺满它的那条线"},
		"grad.text": {"en": "Every cell of a line adds into that line's sum with weight 1, so each cell gets the gradient of its sum unchanged.",
			"zh": "一条线上的每一格都以权重 1 加进这条线的和，所以每一格原样得到它那个和的梯度。"},
	},
}

// basLabels returns a matrix's row labels, or 1, 2, … where it has none.
func basLabels(m *Matrix) []string {
	if m.RowLabels != nil {
		return m.RowLabels
	}
	r, _ := m.Dims()
	out := make([]string, r)
	for i := range out {
		out[i] = strconv.Itoa(i + 1)
	}
	return out
}

// basSortDesc returns the rows of column vector p, largest value first;
// rows of equal value keep their order. known is false when a value is
// not a number: where it would go is not known, and the order returned is
// the rows' own.
func basSortDesc(p *mat.Dense) (order []int, known bool) {
	r, _ := p.Dims()
	order = make([]int, r)
	for i := range order {
		order[i] = i
		if v := p.At(i, 0); v != v {
			return order, false
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return p.At(order[a], 0) > p.At(order[b], 0) })
	return order, true
}

// basIntervals fills out (r×2) with each sorted probability's interval
// [a, b): the first starts at 0, each starts where the one before ends,
// and each is as wide as its probability. The last ends at the sum of all
// of them, not at a hard-coded 1. It calls ready on each cell once it is
// computed and reads it back before computing from it (practice may put
// an entry there; see Trace.readyCell).
func basIntervals(sorted, out *mat.Dense, ready func(i, j int)) {
	r, _ := sorted.Dims()
	from := 0.0
	for i := 0; i < r; i++ {
		out.Set(i, 0, from)
		ready(i, 0)
		out.Set(i, 1, out.At(i, 0)+sorted.At(i, 0))
		ready(i, 1)
		from = out.At(i, 1)
	}
}

var opBasSample = &Op{
	Name: "sample", In: []string{"P", "r"}, Out: []string{"S"},
	Grad:    "none: the pick is shown only, nothing trains through it",
	Formula: "sort P largest first, give each word the interval [a, b) of its cumulative probabilities, and pick the word whose interval holds r: S is 1 there and 0 elsewhere",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0].Cols != 1 {
			return nil, fmt.Errorf("%s is %v: sampling needs one column of probabilities, one per word", n.In[0], in[0])
		}
		if in[1] != (Shape{1, 1}) {
			return nil, fmt.Errorf("%s is %v: the random number r is one number, 1×1", n.In[1], in[1])
		}
		return []Shape{{in[0].Rows, 1}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		p, rv := in[0], in[1]
		o := c.Out(0)
		words := basLabels(p)
		order, known := basSortDesc(p.Data)
		rows := len(order)
		pos := make([]int, rows) // pos[k]: where word k stands once sorted
		sortedLabels := make([]string, rows)
		sdata := mat.NewDense(rows, 1, nil)
		for i, k := range order {
			pos[k] = i
			sortedLabels[i] = words[k]
			sdata.Set(i, 0, p.At(k, 0))
			if !known {
				sdata.Set(i, 0, math.NaN()) // which value comes i-th is not known
			}
		}
		sorted := Computed(Out{ID: o.ID + ".sorted", Name: "sort(" + p.Name + ")", Hue: o.Hue, RowLabels: sortedLabels}, sdata,
			func(i, _ int) Explanation {
				// The i-th largest is compared with every value.
				src := []CellRef{{p.ID, order[i], 0}}
				for k := 0; k < rows; k++ {
					if k != order[i] {
						src = append(src, CellRef{p.ID, k, 0})
					}
				}
				return Explanation{Formula: cellName(p.Name, order[i], 0) + " = " + result(sdata.At(i, 0)), Sources: src}
			})
		s := c.Step("")
		s.Matrices = []*Matrix{p, sorted}
		s.Ops = []string{"", "→"}
		s.Reads = []string{p.ID}
		// The cells of P, largest first: sort(P)₁ ≥ sort(P)₂ ≥ …
		s.Formula = mrow(cell(sorted.Name, "1"), mo("≥"), cell(sorted.Name, "2"), mo("≥"), mo("…"))
		c.T.Add(s)

		idata := mat.NewDense(rows, 2, nil)
		var iv *Matrix
		iv = Computed(Out{ID: o.ID + ".cum", Name: "[a,b)", Hue: o.Hue, RowLabels: sortedLabels, ColLabels: []string{"a", "b"}}, idata,
			func(i, j int) Explanation {
				switch {
				case j == 0 && i == 0:
					return Explanation{Formula: "a[1] = 0"}
				case j == 0:
					return Explanation{Formula: cellName(iv.Name, i-1, 1) + " = " + result(idata.At(i, 0)), Sources: []CellRef{{iv.ID, i - 1, 1}}}
				}
				return Explanation{Formula: paren(idata.At(i, 0)) + " + " + paren(sdata.At(i, 0)) + " = " + result(idata.At(i, 1)),
					Sources: []CellRef{{iv.ID, i, 0}, {sorted.ID, i, 0}}}
			})
		basIntervals(sdata, idata, func(i, j int) { c.T.readyCell(iv, i, j) })
		s = c.Step("cum")
		s.Matrices = []*Matrix{sorted, iv}
		s.Ops = []string{"", "→"}
		s.Reads = []string{sorted.ID}
		k := mi("k")
		s.Formula = mrow(msub(mi("b"), k), mo("="), munder(mo("Σ"), mrow(mi("i"), mo("≤"), k)), msub(mi(sorted.Name), mi("i")), mo(","),
			msub(mi("a"), k), mo("="), msub(mi("b"), mrow(k, mo("−"), mn("1"))))
		c.T.Add(s)

		r := rv.At(0, 0)
		hit := func(i int) bool { return idata.At(i, 0) <= r && r < idata.At(i, 1) }
		pdata := mat.NewDense(rows, 1, nil)
		for kk := 0; kk < rows; kk++ {
			switch i := pos[kk]; {
			case hit(i):
				pdata.Set(kk, 0, 1)
			case math.IsNaN(idata.At(i, 0) + idata.At(i, 1) + r):
				pdata.Set(kk, 0, math.NaN()) // an end of the interval, or r, is not known yet
			}
		}
		if o.RowLabels == nil {
			o.RowLabels = p.RowLabels
		}
		picked := Computed(o, pdata, func(kk, _ int) Explanation {
			i := pos[kk]
			lo, hi := idata.At(i, 0), idata.At(i, 1)
			rel := " ∉ ["
			if hit(i) {
				rel = " ∈ ["
			}
			return Explanation{Formula: Format(r) + rel + Format(lo) + ", " + Format(hi) + ") → " + result(pdata.At(kk, 0)),
				Sources: []CellRef{{rv.ID, 0, 0}, {iv.ID, i, 0}, {iv.ID, i, 1}},
				terms:   "[" + Format(r) + " ∈ [" + Format(lo) + ", " + Format(hi) + ")]"}
		})
		s = c.Step("pick")
		s.Matrices = []*Matrix{iv, rv, picked}
		s.Ops = []string{"", ",", "→"}
		s.Reads = []string{iv.ID, rv.ID}
		s.Formula = mrow(msub(mi(picked.Name), k), mo("="), mn("1"), mi("if"), msub(mi("a"), k), mo("≤"), mi(rv.Name), mo("<"),
			msub(mi("b"), k), mo(","), mi("else"), mn("0"))
		c.T.Add(s)
		return []*Matrix{picked}
	},
	Texts: map[string]Text{
		"cum.title": {"en": "Give each word an interval", "zh": "给每个词一个区间"},
		"cum.text": {"en": "Lay the probabilities end to end along the line from 0 to 1, largest first: each word's interval starts where the one before it ends and is as wide as its probability.",
			"zh": "把概率从大到小首尾相接地排在 0 到 1 的线段上：每个词的区间从前一个词的区间结束处开始，宽度等于它的概率。"},
		"pick.title": {"en": "Pick the word whose interval holds {in1}", "zh": "选出区间包含 {in1} 的词"},
		"pick.text": {"en": "The random number {in1} falls in exactly one interval; that word is the one sampled, marked 1 in {out0}. A wider interval is more likely to catch {in1}, so likelier words are picked more often, but not always. An {in1} below 0, or at the end of the last interval and beyond, falls in none, and nothing is picked.",
			"zh": "随机数 {in1} 恰好落在一个区间里；那个词就是被抽中的词，在 {out0} 中记为 1。区间越宽，越容易接住 {in1}，所以概率大的词更常被选中，但不总是它。小于 0、或不小于最后一个区间终点的 {in1} 不落在任何区间里，这时什么也不选。"},
	},
}
