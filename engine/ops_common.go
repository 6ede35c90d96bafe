package engine

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The ops many walkthroughs share: sigmoid, tanh and e^x cell by cell,
// the cross-entropy and binary cross-entropy losses, stacking and slicing,
// and the transpose.

var _ = RegisterOps(
	cellMap("sigmoid", "σ", "Y = σ(A) = 1/(1 + e^−A), cell by cell", "∂L/∂A = ∂L/∂Y ⊙ Y(1 − Y)", sigmoid,
		func(x, y float64) float64 { return y * (1 - y) },
		func(x, y float64) string { return paren(y) + "·(1 − " + paren(y) + ")" }, "Y(1 − Y)"),
	cellMap("tanh", "tanh", "Y = tanh A, cell by cell", "∂L/∂A = ∂L/∂Y ⊙ (1 − Y²)", math.Tanh,
		func(x, y float64) float64 { return 1 - y*y },
		func(x, y float64) string { return "1 − " + paren(y) + "²" }, "1 − Y²"),
	cellMap("exp", "exp", "Y = eᴬ, cell by cell", "∂L/∂A = ∂L/∂Y ⊙ Y", math.Exp,
		func(x, y float64) float64 { return y },
		func(x, y float64) string { return power(math.E, x) }, "Y"),
	opCrossEntropy, opBCE, opConcatRows, opConcatCols, opRows, opCols, opTranspose,
)

// cellMap makes an op that applies f to every cell; df is its derivative
// at x, given y = f(x), and dText writes that derivative with numbers.
func cellMap(name, fname, formula, grad string, f func(float64) float64, df func(x, y float64) float64,
	dText func(x, y float64) string, dName string) *Op {
	return &Op{
		Name: name, In: []string{"A"}, Out: []string{"Y"}, Formula: formula, Grad: grad, Shape: sameShape,
		Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
			return []*Matrix{c.T.Map(c.ID(""), in[0], fname, c.Out(0), f)}
		},
		Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
			a, y := in[0], out[0]
			r, cl := y.Dims()
			d := mat.NewDense(r, cl, nil)
			d.Apply(func(i, j int, _ float64) float64 { return df(a.At(i, j), y.At(i, j)) }, d)
			dm := Computed(Out{ID: c.prefix + y.ID + ".deriv", Name: strings.ReplaceAll(dName, "Y", group(y.Name)), Hue: y.Hue,
				RowLabels: y.RowLabels, ColLabels: y.ColLabels}, d,
				func(i, j int) Explanation {
					return Explanation{Formula: dText(a.At(i, j), y.At(i, j)) + " = " + result(d.At(i, j)),
						Sources: []CellRef{{y.ID, i, j}, {a.ID, i, j}}}
				})
			c.T.ready(dm) // the gradient is multiplied by the slopes as the step shows them
			return []*Matrix{c.T.Hadamard(c.ID("grad"), dOut[0], dm, c.GradOut(a))}
		},
		Texts: map[string]Text{
			"grad.title": {"en": "Back through " + fname + " to {in0}", "zh": "反向穿过 " + fname + " 到 {in0}"},
			"grad.text": {"en": "Multiply the arriving gradient, cell by cell, by the slope of " + fname + " at each cell, which here is " + dName + " with Y = {out0}.",
				"zh": "把到达的梯度逐格乘以 " + fname + " 在每一格的斜率；这里斜率是 " + dName + "，其中 Y = {out0}。"},
		},
	}
}

// softmaxSteps adds the steps of a softmax of z along the node's axis,
// shared by the softmax op and the cross-entropy loss: in Exact mode each
// line's largest score is subtracted first. The first step gets the
// node's own id when first is set.
func softmaxSteps(c *Ctx, n *Node, z *Matrix, o Out, first bool) *Matrix {
	base, scale := softmaxBase(c, n)
	axis := axisOf(n)
	arrow := "↓"
	if axis == EachRow {
		arrow = "→"
	}
	mk := func(suffix, name string) Out {
		return Out{ID: o.ID + "." + suffix, Name: name, Hue: o.Hue, RowLabels: o.RowLabels, ColLabels: o.ColLabels}
	}
	next := func(s string) string {
		if first {
			first = false
			return c.ID("")
		}
		return c.ID(s)
	}
	if scale != 1 {
		z = c.T.Scale(next("scaled"), scale, z, mk("s", Format(scale)+"·"+group(z.Name)))
	}
	if c.Mode == Exact {
		_, z = c.T.shiftStep(next("shift"), z, axis, Out{ID: o.ID + ".max", Name: "max" + arrow, Hue: o.Hue},
			mk("d", group(z.Name)+" − max"+arrow))
	}
	e := c.T.powerStep(next("exp"), z, base, mk("e", "E"))
	sums := c.T.sumsStep(c.ID("sum"), e, axis, Out{ID: o.ID + ".sum", Name: "Σ" + arrow, Hue: o.Hue})
	return c.T.normalizeStep(c.ID("div"), e, sums, axis, o)
}

// crossEntropy returns −Σ Y⊙ln P over every line of logits z, and each
// cell's −ln P. It reads the probabilities p (the softmax base^(scale·z)
// along axis) as the page shows them, so that practice's entries count;
// where a probability is too small to tell from 0, it takes −ln P from the
// log-softmax of z, which stays a number.
func crossEntropy(p, z, y *mat.Dense, base, scale float64, axis Axis) (loss float64, negLog *mat.Dense) {
	r, cl := z.Dims()
	negLog = mat.NewDense(r, cl, nil)
	n, length, at := lines(z, axis)
	lnb := math.Log(base)
	for l := 0; l < n; l++ {
		m := math.Inf(-1)
		for k := 0; k < length; k++ {
			m = math.Max(m, scale*z.At(at(l, k)))
		}
		sum := 0.0
		for k := 0; k < length; k++ {
			sum += math.Exp((scale*z.At(at(l, k)) - m) * lnb)
		}
		lse := math.Log(sum)
		for k := 0; k < length; k++ {
			i, j := at(l, k)
			v := lse - (scale*z.At(i, j)-m)*lnb
			if pv := p.At(i, j); pv != 0 {
				v = -math.Log(pv)
			}
			negLog.Set(i, j, v)
			if t := y.At(i, j); t != 0 {
				loss += t * v
			}
		}
	}
	return loss, negLog
}

var softmaxParams = []Param{
	{Name: "axis", Kind: KindString, Default: StrParam("columns"), Choices: []string{"columns", "rows"}, Doc: "normalise down each column or along each row"},
	{Name: "scale", Kind: KindNumber, Default: NumParam(1), Doc: "a factor on the scores before e^x in Exact mode, e.g. 0.577 for 1/√3"},
	{Name: "hand_base", Kind: KindNumber, Default: NumParam(3), Doc: "the base of the powers in Hand mode (3 on the sheets)"},
	{Name: "hand_scale", Kind: KindNumber, Default: NumParam(1), Doc: "a factor on the scores in Hand mode"},
}

var opCrossEntropy = &Op{
	Name: "cross_entropy", In: []string{"Z", "Y"}, Out: []string{"L", "P"}, Loss: true,
	Params:  softmaxParams,
	Formula: "P = softmax of the scores Z along each column (or row); L = −Σ Y ⊙ ln P against the targets Y (one-hot)",
	Grad:    "∂L/∂Z = scale·ln(base)·(P − Y); ∂L/∂Y = −ln P",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0] != in[1] {
			return nil, fmt.Errorf("the scores %s are %v but the targets %s are %v: give one target per score", n.In[0], in[0], n.In[1], in[1])
		}
		if n.Has("hand_base") && n.Num("hand_base") <= 1 {
			return nil, fmt.Errorf("hand_base should be larger than 1")
		}
		return []Shape{{1, 1}, in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		z, y := in[0], in[1]
		base, scale := softmaxBase(c, n)
		p := softmaxSteps(c, n, z, c.Out(1), true)
		loss, negLog := crossEntropy(p.Data, z.Data, y.Data, base, scale, axisOf(n))
		var b strings.Builder
		var src []CellRef
		r, cl := y.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < cl; j++ {
				t := y.At(i, j)
				if t == 0 {
					continue
				}
				if b.Len() > 0 {
					b.WriteString(" + ")
				}
				if t != 1 {
					b.WriteString(paren(t) + "·")
				}
				if pv := p.At(i, j); pv >= 1e-3 {
					b.WriteString("(−ln " + Format(pv) + ")")
				} else {
					b.WriteString(paren(negLog.At(i, j)))
				}
				src = append(src, CellRef{p.ID, i, j}, CellRef{y.ID, i, j})
			}
		}
		if b.Len() == 0 {
			b.WriteString("0")
		}
		b.WriteString(" = " + result(loss))
		o := c.Out(0)
		o.Hue = HueGradient
		lm := c.T.LossValue(c.ID("loss"), o, loss, b.String(), src, []string{p.ID, y.ID, z.ID})
		c.T.Step(c.ID("loss")).Formula = mrow(mi(o.Name), mo("="), mo("−"), mo("Σ"), mi(y.Name), mo("⊙"), mi("ln"), mi(p.Name))
		return []*Matrix{lm, p}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		z, y, p := in[0], in[1], out[1]
		base, scale := softmaxBase(c, n)
		k, kName := softmaxFactor(base, scale)
		// With targets adding up to s on a line, ∂L/∂z = κ·(P·s − Y): for
		// one-hot targets (s = 1), P − Y.
		r, cl := p.Dims()
		axis := axisOf(n)
		tot := LineSums(y.Data, axis)
		sum := func(i, j int) float64 {
			if axis == EachRow {
				return tot[i]
			}
			return tot[j]
		}
		d := mat.NewDense(r, cl, nil)
		d.Apply(func(i, j int, _ float64) float64 { return k * (p.At(i, j)*sum(i, j) - y.At(i, j)) }, d)
		o := c.GradOut(z)
		o.Role, o.Hue = RoleGradient, HueGradient
		if o.ColLabels == nil {
			o.ColLabels = p.ColLabels
		}
		g := Computed(o, d, func(i, j int) Explanation {
			pv := paren(p.At(i, j))
			if sv := sum(i, j); sv != 1 {
				pv += "·" + paren(sv)
			}
			f := "(" + pv + " − " + paren(y.At(i, j)) + ") = " + result(d.At(i, j))
			if kName != "1" {
				f = kName + "·" + f
			}
			return Explanation{Formula: f, Sources: []CellRef{{p.ID, i, j}, {y.ID, i, j}}}
		})
		s := c.Step("grad")
		s.Matrices = []*Matrix{p, y, g}
		s.Ops = []string{"", "−", "→"}
		if kName != "1" {
			s.Ops[0] = kName + " × ("
			s.Ops[2] = ") ="
		}
		s.Reads = []string{p.ID, y.ID}
		f := []string{mi(g.Name), mo("=")}
		if kName != "1" {
			f = append(f, mi(kName), mo("·"))
		}
		s.Formula = mrow(append(f, mo("("), mi(p.Name), mo("−"), mi(y.Name), mo(")"))...)
		c.T.Add(s)
		grads := []*Matrix{g, nil}
		if want[1] {
			_, negLog := crossEntropy(p.Data, z.Data, y.Data, base, scale, axisOf(n))
			grads[1] = Computed(c.GradOut(y), negLog, func(i, j int) Explanation {
				return Explanation{Formula: "−ln " + Format(p.At(i, j)) + " = " + result(negLog.At(i, j)), Sources: []CellRef{{p.ID, i, j}}}
			})
			s := c.Step("dy")
			s.Matrices = []*Matrix{p, grads[1]}
			s.Ops = []string{"", "−ln →"}
			s.Reads = []string{p.ID, z.ID}
			s.Formula = mrow(mi(grads[1].Name), mo("="), mo("−"), mi("ln"), mi(p.Name))
			c.T.Add(s)
		}
		return grads
	},
	Texts: withSoftmaxTexts("{out1}", map[string]Text{
		"loss.title": {"en": "The loss: −ln of the right answers' probabilities", "zh": "损失：正确答案概率的 −ln"},
		"loss.text": {"en": "Where the target {in1} is 1, take −ln of the probability there and add them all up: a sure, right answer costs 0, a doubtful one costs more.",
			"zh": "在目标 {in1} 为 1 的位置，取那里概率的 −ln，再全部加起来：有把握的正确答案代价为 0，犹豫的答案代价更大。"},
		"grad.title": {"en": "Loss gradient: {out1} − {in1}", "zh": "损失梯度：{out1} − {in1}"},
		"grad.text": {"en": "Softmax and cross-entropy together have the simplest gradient: each probability minus its target. With 3ˣ on paper, the true gradient carries a factor ln 3, which is shown.",
			"zh": "softmax 与交叉熵合在一起，梯度最简单：每个概率减去它的目标。纸上用 3ˣ 时，真实梯度多一个因子 ln 3，这里也写出来了。"},
		"dy.title": {"en": "Gradient of the targets {in1}", "zh": "目标 {in1} 的梯度"},
		"dy.text":  {"en": "Each target cell multiplies −ln of its probability, so that is its gradient.", "zh": "每个目标格乘的是它概率的 −ln，所以那就是它的梯度。"},
	}),
}

// LineSums returns the sum of each line of x along axis.
func LineSums(x *mat.Dense, axis Axis) []float64 {
	n, length, at := lines(x, axis)
	out := make([]float64, n)
	for l := 0; l < n; l++ {
		for k := 0; k < length; k++ {
			out[l] += x.At(at(l, k))
		}
	}
	return out
}

// softmaxFactor is the constant the gradient of base^(scale·z) carries,
// scale·ln(base), and how a step writes it.
func softmaxFactor(base, scale float64) (float64, string) {
	k := scale * math.Log(base)
	switch {
	case base == 3 && scale == 1:
		return k, "ln 3"
	case base == math.E && scale == 1:
		return k, "1"
	case base == math.E && math.Abs(scale-1/math.Sqrt2) < 1e-15:
		return k, "1/√2"
	}
	return k, Format(k)
}

// withSoftmaxTexts adds to texts those of the softmax's steps, whose
// result is named p ("{out0}" or "{out1}").
func withSoftmaxTexts(p string, texts map[string]Text) map[string]Text {
	for k, t := range map[string]Text{
		"shift.title": {"en": "Subtract each line's largest score", "zh": "减去每条线上的最大分数"},
		"shift.text": {"en": "Subtracting the same number from a whole line leaves its softmax unchanged, and keeps every power between 0 and 1, so none overflows.",
			"zh": "整条线减去同一个数不改变 softmax 的结果，又让每个幂都在 0 和 1 之间，不会溢出。"},
		"scaled.title": {"en": "Scale the scores of {in0}", "zh": "缩放 {in0} 的分数"},
		"scaled.text":  {"en": "Every score is multiplied by the same factor before the powers are taken.", "zh": "在取幂之前，每个分数乘以同一个因子。"},
		"exp.title":    {"en": "Raise to powers", "zh": "取幂"},
		"exp.text":     {"en": "Each score becomes a positive power: larger scores give much larger powers.", "zh": "每个分数变成一个正的幂：分数越大，幂大得越多。"},
		"sum.title":    {"en": "Add up each line", "zh": "每条线求和"},
		"sum.text":     {"en": "The sum of each line is what its powers will be divided by.", "zh": "每条线的和，就是这条线上的幂要除以的数。"},
		"div.title":    {"en": "Divide: the probabilities @P@", "zh": "相除：概率 @P@"},
		"div.text":     {"en": "Each power divided by its line's sum: every line of @P@ now adds up to 1.", "zh": "每个幂除以所在线的和：@P@ 的每条线加起来都等于 1。"},
	} {
		out := Text{}
		for l, s := range t {
			out[l] = strings.ReplaceAll(s, "@P@", p)
		}
		texts[k] = out
	}
	return texts
}

var opBCE = &Op{
	Name: "bce", In: []string{"Z", "T"}, Out: []string{"L", "Y"}, Loss: true,
	Formula: "Y = σ(Z); L = Σ −[T·ln Y + (1 − T)·ln(1 − Y)] = Σ ln(1 + e^Z) − T·Z",
	Grad:    "∂L/∂Z = Y − T; ∂L/∂T = −Z",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0] != in[1] {
			return nil, fmt.Errorf("the scores %s are %v but the targets %s are %v: give one target per score", n.In[0], in[0], n.In[1], in[1])
		}
		return []Shape{{1, 1}, in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		z, t := in[0], in[1]
		y := c.T.Map(c.ID(""), z, "σ", c.Out(1), sigmoid)
		loss, _ := BCEWithLogits(z.Data, t.Data)
		var b strings.Builder
		var src []CellRef
		r, cl := z.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < cl; j++ {
				if b.Len() > 0 {
					b.WriteString(" + ")
				}
				v, tv := z.At(i, j), t.At(i, j)
				switch tv {
				case 0:
					b.WriteString("ln(1 + " + power(math.E, v) + ")")
				case 1:
					b.WriteString("ln(1 + " + power(math.E, -v) + ")")
				default:
					b.WriteString("ln(1 + " + power(math.E, v) + ") − " + paren(tv) + "·" + paren(v))
				}
				src = append(src, CellRef{z.ID, i, j}, CellRef{t.ID, i, j})
			}
		}
		b.WriteString(" = " + result(loss))
		o := c.Out(0)
		o.Hue = HueGradient
		lm := c.T.LossValue(c.ID("loss"), o, loss, b.String(), src, []string{z.ID, t.ID})
		zj := msub(mi(z.Name), mi("j"))
		c.T.Step(c.ID("loss")).Formula = mrow(mi(o.Name), mo("="), munder(mo("Σ"), mi("j")), mo("["), mi("ln"), mo("("), mn("1"), mo("+"),
			msup(mi("e"), zj), mo(")"), mo("−"), msub(mi(t.Name), mi("j")), mo("·"), zj, mo("]"))
		return []*Matrix{lm, y}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		z, t, y := in[0], in[1], out[1]
		g := []*Matrix{c.T.Elementwise(c.ID("grad"), y, "−", t, c.GradOut(z), func(a, b float64) float64 { return a - b }), nil}
		if want[1] {
			g[1] = c.T.Scale(c.ID("dt"), -1, z, c.GradOut(t))
		}
		return g
	},
	Texts: map[string]Text{
		"loss.title": {"en": "The loss: binary cross-entropy", "zh": "损失：二元交叉熵"},
		"loss.text": {"en": "Each score costs ln(1 + e⁻ᶻ) when its target is 1 and ln(1 + eᶻ) when it is 0: small when the probability agrees with the target.",
			"zh": "目标为 1 时每个分数的代价是 ln(1 + e⁻ᶻ)，目标为 0 时是 ln(1 + eᶻ)：概率与目标一致时代价小。"},
		"grad.title": {"en": "Loss gradient: {out1} − {in1}", "zh": "损失梯度：{out1} − {in1}"},
		"grad.text": {"en": "Sigmoid and binary cross-entropy together have the simplest gradient: each probability minus its target.",
			"zh": "sigmoid 与二元交叉熵合在一起，梯度最简单：每个概率减去它的目标。"},
		"dt.title": {"en": "Gradient of the targets {in1}", "zh": "目标 {in1} 的梯度"},
		"dt.text":  {"en": "Each target multiplies −z in the loss, so its gradient is −z.", "zh": "每个目标在损失中乘的是 −z，所以它的梯度是 −z。"},
	},
}

// stackStep adds the step that puts matrices one under another
// (vertical) or side by side.
func stackStep(c *Ctx, id string, out Out, vertical bool, parts ...*Matrix) *Matrix {
	type src struct {
		m    *Matrix
		r, c int
	}
	rows, cols := parts[0].Dims()
	if vertical {
		rows = 0
	} else {
		cols = 0
	}
	for _, p := range parts {
		r, cl := p.Dims()
		if vertical {
			rows += r
		} else {
			cols += cl
		}
	}
	data := mat.NewDense(rows, cols, nil)
	from := make([][]src, rows)
	for i := range from {
		from[i] = make([]src, cols)
	}
	off := 0
	for _, p := range parts {
		r, cl := p.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < cl; j++ {
				oi, oj := i, j
				if vertical {
					oi += off
				} else {
					oj += off
				}
				data.Set(oi, oj, p.At(i, j))
				from[oi][oj] = src{p, i, j}
			}
		}
		if vertical {
			off += r
		} else {
			off += cl
		}
	}
	if vertical && out.ColLabels == nil {
		out.ColLabels = parts[0].ColLabels
	}
	if !vertical && out.RowLabels == nil {
		out.RowLabels = parts[0].RowLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		s := from[i][j]
		return Explanation{Formula: cellName(s.m.Name, s.r, s.c) + " = " + result(data.At(i, j)), Sources: []CellRef{{s.m.ID, s.r, s.c}}}
	})
	s := c.T.NewStep(id)
	sep := ";"
	if !vertical {
		sep = "|"
	}
	s.Matrices = append(append([]*Matrix{}, parts...), m)
	for _, p := range parts {
		s.Reads = append(s.Reads, p.ID)
	}
	s.Formula = joinParts(s, parts, sep, "→", mi(m.Name), mo("="), mo("[")) + mrow(mo("]"))
	c.T.Add(s)
	return m
}

// sliceStep adds the step that takes rows [r0, r1) and columns [c0, c1)
// of a.
func sliceStep(c *Ctx, id string, a *Matrix, r0, r1, c0, c1 int, out Out) *Matrix {
	data := mat.DenseCopyOf(a.Data.Slice(r0, r1, c0, c1))
	if out.ColLabels == nil && a.ColLabels != nil {
		out.ColLabels = a.ColLabels[c0:c1]
	}
	if out.RowLabels == nil && a.RowLabels != nil {
		out.RowLabels = a.RowLabels[r0:r1]
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{Formula: cellName(a.Name, r0+i, c0+j) + " = " + result(data.At(i, j)), Sources: []CellRef{{a.ID, r0 + i, c0 + j}}}
	})
	s := c.T.NewStep(id)
	s.Matrices = []*Matrix{a, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{a.ID}
	s.Formula = mrow(mi(m.Name), mo("⊂"), mi(a.Name))
	c.T.Add(s)
	return m
}

// padStep adds the step that puts the gradient of a slice back into a
// matrix of zeros the shape of the whole.
func padStep(c *Ctx, id string, g *Matrix, rows, cols, r0, c0 int, out Out) *Matrix {
	gr, gc := g.Dims()
	data := mat.NewDense(rows, cols, nil)
	data.Slice(r0, r0+gr, c0, c0+gc).(*mat.Dense).Copy(g.Data)
	out.Role, out.Hue = RoleGradient, HueGradient
	m := out.matrix(data, func(i, j int) Explanation {
		if i >= r0 && i < r0+gr && j >= c0 && j < c0+gc {
			return Explanation{Formula: cellName(g.Name, i-r0, j-c0) + " = " + result(data.At(i, j)), Sources: []CellRef{{g.ID, i - r0, j - c0}}}
		}
		return Explanation{Formula: "not in the slice → 0", terms: "not in the slice"}
	})
	s := c.T.NewStep(id)
	s.Matrices = []*Matrix{g, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{g.ID}
	s.Formula = mrow(mi(m.Name), mo("⊃"), mi(g.Name))
	c.T.Add(s)
	return m
}

func stackShape(vertical bool) func(n *Node, in []Shape) ([]Shape, error) {
	return func(n *Node, in []Shape) ([]Shape, error) {
		out := in[0]
		for i := 1; i < len(in); i++ {
			if vertical {
				if in[i].Cols != in[0].Cols {
					return nil, fmt.Errorf("%s has %d columns but %s has %d: matrices stacked one under another need the same number of columns", n.In[0], in[0].Cols, n.In[i], in[i].Cols)
				}
				out.Rows += in[i].Rows
			} else {
				if in[i].Rows != in[0].Rows {
					return nil, fmt.Errorf("%s has %d rows but %s has %d: matrices set side by side need the same number of rows", n.In[0], in[0].Rows, n.In[i], in[i].Rows)
				}
				out.Cols += in[i].Cols
			}
		}
		return []Shape{out}, nil
	}
}

func stackOp(name string, vertical bool) *Op {
	formula, grad := "Y = [A ; B ; …], one under another", "each part's gradient is its rows of ∂L/∂Y"
	if !vertical {
		formula, grad = "Y = [A | B | …], side by side", "each part's gradient is its columns of ∂L/∂Y"
	}
	return &Op{
		Name: name, In: []string{"A", "B"}, Out: []string{"Y"}, Variadic: true, Formula: formula, Grad: grad, Integral: always,
		Shape: stackShape(vertical),
		Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
			return []*Matrix{stackStep(c, c.ID(""), c.Out(0), vertical, in...)}
		},
		Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
			g := make([]*Matrix, len(in))
			off := 0
			for k, p := range in {
				r, cl := p.Dims()
				if want[k] {
					gr, gc := dOut[0].Dims()
					if vertical {
						g[k] = sliceStep(c, c.ID(fmt.Sprintf("d%d", k+1)), dOut[0], off, off+r, 0, gc, c.GradOut(p))
					} else {
						g[k] = sliceStep(c, c.ID(fmt.Sprintf("d%d", k+1)), dOut[0], 0, gr, off, off+cl, c.GradOut(p))
					}
				}
				if vertical {
					off += r
				} else {
					off += cl
				}
			}
			return g
		},
		Texts: stackTexts,
	}
}

var stackTexts = func() map[string]Text {
	m := map[string]Text{}
	for k := 1; k <= 8; k++ {
		m[fmt.Sprintf("d%d.title", k)] = Text{"en": fmt.Sprintf("Gradient of {in%d}: its part of the gradient", k-1), "zh": fmt.Sprintf("{in%d} 的梯度：梯度中属于它的部分", k-1)}
		m[fmt.Sprintf("d%d.text", k)] = Text{"en": fmt.Sprintf("{in%d} was copied into {out0}, so its gradient is the part of {out0}'s gradient where it was copied to.", k-1),
			"zh": fmt.Sprintf("{in%d} 被复制进了 {out0}，所以它的梯度就是 {out0} 的梯度中它被复制到的那一部分。", k-1)}
	}
	return m
}()

var opConcatRows = stackOp("concat_rows", true)
var opConcatCols = stackOp("concat_cols", false)

func sliceOp(name string, rows bool) *Op {
	what := "rows"
	if !rows {
		what = "columns"
	}
	return &Op{
		Name: name, In: []string{"A"}, Out: []string{"Y"}, Integral: always,
		Params: []Param{
			{Name: "from", Kind: KindNumber, Doc: "the first of the " + what + " taken, counting from 1"},
			{Name: "count", Kind: KindNumber, Doc: "how many " + what + " are taken"},
		},
		Formula: "Y = the " + what + " from, …, from + count − 1 of A",
		Grad:    "∂L/∂A is ∂L/∂Y in those " + what + " and 0 elsewhere",
		Shape: func(n *Node, in []Shape) ([]Shape, error) {
			from, count := n.Num("from"), n.Num("count")
			size := in[0].Rows
			if !rows {
				size = in[0].Cols
			}
			if from != math.Trunc(from) || count != math.Trunc(count) || from < 1 || count < 1 || int(from)+int(count)-1 > size {
				return nil, fmt.Errorf("%s has %d %s: from = %g and count = %g should be whole numbers that stay within them", n.In[0], size, what, from, count)
			}
			if rows {
				return []Shape{{int(count), in[0].Cols}}, nil
			}
			return []Shape{{in[0].Rows, int(count)}}, nil
		},
		Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
			r, cl := in[0].Dims()
			f, k := n.Int("from")-1, n.Int("count")
			if rows {
				return []*Matrix{sliceStep(c, c.ID(""), in[0], f, f+k, 0, cl, c.Out(0))}
			}
			return []*Matrix{sliceStep(c, c.ID(""), in[0], 0, r, f, f+k, c.Out(0))}
		},
		Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
			r, cl := in[0].Dims()
			f := n.Int("from") - 1
			if rows {
				return []*Matrix{padStep(c, c.ID("grad"), dOut[0], r, cl, f, 0, c.GradOut(in[0]))}
			}
			return []*Matrix{padStep(c, c.ID("grad"), dOut[0], r, cl, 0, f, c.GradOut(in[0]))}
		},
		Texts: map[string]Text{
			"grad.title": {"en": "Gradient of {in0}: zeros outside the slice", "zh": "{in0} 的梯度：切片之外为 0"},
			"grad.text": {"en": "Only the " + what + " taken into {out0} reach the loss through it: they get {out0}'s gradient, the rest get 0.",
				"zh": "只有被取进 {out0} 的部分经由它影响损失：它们得到 {out0} 的梯度，其余为 0。"},
		},
	}
}

var opRows = sliceOp("rows", true)
var opCols = sliceOp("cols", false)

var opTranspose = &Op{
	Name: "transpose", In: []string{"A"}, Out: []string{"Y"}, Integral: always,
	Formula: "Y = Aᵀ, rows become columns (as a step of its own; A.T in an input is the same without a step)",
	Grad:    "∂L/∂A = (∂L/∂Y)ᵀ",
	Shape:   func(n *Node, in []Shape) ([]Shape, error) { return []Shape{{in[0].Cols, in[0].Rows}}, nil },
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		a := in[0]
		o := c.Out(0)
		if o.RowLabels == nil {
			o.RowLabels = a.ColLabels
		}
		if o.ColLabels == nil {
			o.ColLabels = a.RowLabels
		}
		data := mat.DenseCopyOf(a.Data.T())
		m := o.matrix(data, func(i, j int) Explanation {
			return Explanation{Formula: cellName(a.Name, j, i) + " = " + result(a.At(j, i)), Sources: []CellRef{{a.ID, j, i}}}
		})
		s := c.Step("")
		s.Matrices = []*Matrix{a, m}
		s.Ops = []string{"", "ᵀ →"}
		s.Reads = []string{a.ID}
		s.Formula = mrow(mi(m.Name), mo("="), msup(mi(a.Name), mi("T")))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		g := dOut[0]
		o := c.GradOut(in[0])
		o.Role, o.Hue = RoleGradient, HueGradient
		data := mat.DenseCopyOf(g.Data.T())
		m := o.matrix(data, func(i, j int) Explanation {
			return Explanation{Formula: cellName(g.Name, j, i) + " = " + result(g.At(j, i)), Sources: []CellRef{{g.ID, j, i}}}
		})
		s := c.Step("grad")
		s.Matrices = []*Matrix{g, m}
		s.Ops = []string{"", "ᵀ →"}
		s.Reads = []string{g.ID}
		s.Formula = mrow(mi(m.Name), mo("="), msup(mi(g.Name), mi("T")))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of {in0}: transpose it back", "zh": "{in0} 的梯度：再转置回来"},
		"grad.text":  {"en": "A transpose only moves cells, so the gradient moves back the same way.", "zh": "转置只是移动格子，所以梯度按同样的方式移回去。"},
	},
}
