package engine

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The basic ops: presenting the given matrices, linear layers, products,
// ReLU, cell-by-cell arithmetic, softmax and the squared error.

var _ = RegisterOps(opGiven, opCopy, opLinear, opMatMul, opReLU, opAdd, opSub, opHadamard, opScale, opSoftmax, opSquaredError)

// sameShape is the Shape of an op whose inputs and output all have one shape.
func sameShape(n *Node, in []Shape) ([]Shape, error) {
	for i := 1; i < len(in); i++ {
		if in[i] != in[0] {
			return nil, fmt.Errorf("%s is %v but %s is %v: op %s works cell by cell and needs one shape", n.In[0], in[0], n.In[i], in[i], n.Op.Name)
		}
	}
	return []Shape{in[0]}, nil
}

// preName is the name of a linear layer's result before its activation:
// W₁·X+b₁ for [W₁ | b₁] and X.
func preName(wb, x *Matrix) string {
	parts := strings.SplitN(wb.Name, "|", 2)
	w := strings.TrimSpace(parts[0])
	if len(parts) == 2 {
		return w + "·" + x.Name + "+" + strings.TrimSpace(parts[1])
	}
	return w + "·" + x.Name
}

var opGiven = &Op{
	Name: "given", In: []string{"M"}, Variadic: true,
	Formula: "shows the matrices the walkthrough starts from",
	Shape:   func(*Node, []Shape) ([]Shape, error) { return nil, nil },
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		s := c.Step("")
		s.Matrices = in
		c.T.Add(s)
		return nil
	},
}

var opCopy = &Op{
	Name: "copy", In: []string{"A"}, Out: []string{"Y"}, Integral: always,
	Formula: "Y = A, cell by cell (a target that is the input itself)",
	Grad:    "∂L/∂A = ∂L/∂Y",
	Shape:   sameShape,
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.Copied(c.ID(""), in[0], c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		return []*Matrix{dOut[0]}
	},
}

var opLinear = &Op{
	Name: "linear", In: []string{"W|b", "X"}, Out: []string{"Y"}, Integral: always,
	Params:  []Param{{Name: "relu", Kind: KindBool, Default: BoolParam(false), Doc: "apply ReLU to the result"}},
	Formula: "Y = [W | b]·[X ; 1], then ReLU when relu = true; the bias is W's last column",
	Grad:    "∂L/∂[W | b] = ∂L/∂Y·[X ; 1]ᵀ, ∂L/∂X = Wᵀ·∂L/∂Y (after the ReLU's mask)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0].Cols != in[1].Rows+1 {
			return nil, fmt.Errorf("%s is %v, so it takes %d inputs and a bias, but %s has %d rows: [W | b] needs one column more than X has rows",
				n.In[0], in[0], in[0].Cols-1, n.In[1], in[1].Rows)
		}
		return []Shape{{in[0].Rows, in[1].Cols}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.Linear(c.ID(""), in[0], in[1], c.Out(0), n.Bool("relu"))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		wb, x, y, dy := in[0], in[1], out[0], dOut[0]
		if n.Bool("relu") {
			o := c.GradOut(y)
			o.ID += "pre"
			o.Name = "∂L/∂(" + preName(wb, x) + ")"
			dy = c.T.ReLUGrad(c.ID("relu"), c.prefix, y, dy, o)
		}
		dw, dx := c.T.linearGrad(c.ID("dw"), c.ID("dx"), wb, x, dy, want[0], want[1], c.GradOut(wb), c.GradOut(x))
		if dw != nil {
			dw.Name = "∂L/∂[" + wb.Name + "]"
		}
		return []*Matrix{dw, dx}
	},
	Texts: map[string]Text{
		"relu.title": {"en": "Back through the ReLU of {out0}", "zh": "反向穿过 {out0} 的 ReLU"},
		"relu.text": {"en": "Where ReLU struck a value out, nothing flows back: the gradient is multiplied by 1 where the value before ReLU was positive and by 0 elsewhere.",
			"zh": "ReLU 划掉的地方没有梯度流回：在 ReLU 之前为正的位置梯度乘以 1，其余位置乘以 0。"},
		"dw.title": {"en": "Gradient of {in0}", "zh": "{in0} 的梯度"},
		"dw.text": {"en": "Each cell of the weights' gradient is one row of the gradient arriving at {out0} times one column of [{in1} ; 1]ᵀ: how much that weight moved the loss, summed over the samples. The last column, from the 1s, is the bias's gradient.",
			"zh": "权重梯度的每一格，是到达 {out0} 的梯度的一行乘以 [{in1} ; 1]ᵀ 的一列：这个权重对损失的影响，对所有样本求和。最后一列来自那一行 1，是偏置的梯度。"},
		"dx.title": {"en": "Gradient passed back to {in1}", "zh": "传回 {in1} 的梯度"},
		"dx.text": {"en": "Multiply the transposed weights (without the bias) by the gradient arriving at {out0}: each input cell collects the gradient of every output it fed, weighted by the weight that joined them.",
			"zh": "用转置后的权重（不含偏置）乘以到达 {out0} 的梯度：每个输入格收集它所影响的每个输出的梯度，按连接它们的权重加权。"},
	},
}

var opMatMul = &Op{
	Name: "matmul", In: []string{"A", "B"}, Out: []string{"Y"}, Integral: always,
	Formula: "Y = A·B, laid out by hand (A.T for a transposed input)",
	Grad:    "∂L/∂A = ∂L/∂Y·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂Y",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0].Cols != in[1].Rows {
			return nil, fmt.Errorf("%s is %v and %s is %v: A·B needs A's columns (%d) to match B's rows (%d)",
				n.In[0], in[0], n.In[1], in[1], in[0].Cols, in[1].Rows)
		}
		return []Shape{{in[0].Rows, in[1].Cols}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.MatMul(c.ID(""), in[0], in[1], c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		a, b, dy := in[0], in[1], dOut[0]
		g := make([]*Matrix, 2)
		// The transpose of an input read as a view ("K.T") is the matrix
		// it views.
		tr := func(k int, m *Matrix) *Matrix {
			if base, ok := strings.CutSuffix(n.In[k], ".T"); ok {
				return c.m[base]
			}
			return Transposed(m, m.ID+"ᵀ."+c.node.ID, transposeName(m.Name))
		}
		if want[0] {
			g[0] = c.T.MatMul(c.ID("da"), dy, tr(1, b), c.GradOut(a))
		}
		if want[1] {
			g[1] = c.T.MatMul(c.ID("db"), tr(0, a), dy, c.GradOut(b))
		}
		return g
	},
	Texts: map[string]Text{
		"da.title": {"en": "Gradient of {in0}", "zh": "{in0} 的梯度"},
		"da.text": {"en": "{out0} = {in0}·{in1}, so the gradient of {in0} is the gradient arriving at {out0} times {in1} transposed: row by column, as in the forward product.",
			"zh": "{out0} = {in0}·{in1}，所以 {in0} 的梯度是到达 {out0} 的梯度乘以 {in1} 的转置：和正向的乘法一样，行乘列。"},
		"db.title": {"en": "Gradient of {in1}", "zh": "{in1} 的梯度"},
		"db.text": {"en": "{out0} = {in0}·{in1}, so the gradient of {in1} is {in0} transposed times the gradient arriving at {out0}.",
			"zh": "{out0} = {in0}·{in1}，所以 {in1} 的梯度是 {in0} 的转置乘以到达 {out0} 的梯度。"},
	},
}

// transposeName names the transpose of a matrix: Aᵀ, or A for a view
// already named Aᵀ.
func transposeName(name string) string {
	if n, ok := strings.CutSuffix(name, "ᵀ"); ok && n != "" {
		return n
	}
	return group(name) + "ᵀ"
}

var opReLU = &Op{
	Name: "relu", In: []string{"A"}, Out: []string{"Y"}, Integral: always,
	Formula: "Y = max(A, 0), cell by cell; negatives are struck out",
	Grad:    "∂L/∂A = ∂L/∂Y ⊙ [A > 0]",
	Shape:   sameShape,
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		s, y := c.T.mapStep(c.ID(""), in[0], "ReLU", c.Out(0), func(v float64) float64 { return math.Max(v, 0) })
		// Its own copy, in before the step is added: practice writes a
		// blank cell's entry into it, which the gradient's mask reads.
		y.Before = mat.DenseCopyOf(in[0].Data)
		c.T.Add(s)
		return []*Matrix{y}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		return []*Matrix{c.T.ReLUGrad(c.ID("grad"), c.prefix, out[0], dOut[0], c.GradOut(in[0]))}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Back through the ReLU of {out0}", "zh": "反向穿过 {out0} 的 ReLU"},
		"grad.text": {"en": "The gradient passes where {in0} was positive and stops where ReLU struck the value out.",
			"zh": "在 {in0} 为正的地方梯度通过，在 ReLU 划掉数值的地方梯度停止。"},
	},
}

// cellwise makes an op that combines two matrices cell by cell.
func cellwise(name, sym, formula, grad string, f func(a, b float64) float64,
	back func(c *Ctx, in []*Matrix, dy *Matrix, want []bool) []*Matrix, texts map[string]Text) *Op {
	return &Op{
		Name: name, In: []string{"A", "B"}, Out: []string{"Y"}, Formula: formula, Grad: grad, Shape: sameShape,
		Integral: always, // +, − and ⊙ of whole numbers
		Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
			if sym == "⊙" {
				return []*Matrix{c.T.Hadamard(c.ID(""), in[0], in[1], c.Out(0))}
			}
			return []*Matrix{c.T.Elementwise(c.ID(""), in[0], sym, in[1], c.Out(0), f)}
		},
		Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
			return back(c, in, dOut[0], want)
		},
		Texts: texts,
	}
}

var opAdd = cellwise("add", "+", "Y = A + B, cell by cell", "∂L/∂A = ∂L/∂B = ∂L/∂Y", func(a, b float64) float64 { return a + b },
	func(c *Ctx, in []*Matrix, dy *Matrix, want []bool) []*Matrix { return []*Matrix{dy, dy} }, nil)

var opSub = cellwise("sub", "−", "Y = A − B, cell by cell", "∂L/∂A = ∂L/∂Y, ∂L/∂B = −∂L/∂Y", func(a, b float64) float64 { return a - b },
	func(c *Ctx, in []*Matrix, dy *Matrix, want []bool) []*Matrix {
		g := []*Matrix{dy, nil}
		if want[1] {
			g[1] = c.T.Scale(c.ID("db"), -1, dy, c.GradOut(in[1]))
		}
		return g
	}, map[string]Text{
		"db.title": {"en": "Gradient of {in1}: the sign flips", "zh": "{in1} 的梯度：符号反过来"},
		"db.text": {"en": "{in1} is subtracted, so its gradient is the gradient arriving at {out0} with every sign flipped.",
			"zh": "{in1} 是被减去的，所以它的梯度是到达 {out0} 的梯度，每个符号都反过来。"},
	})

var opHadamard = cellwise("hadamard", "⊙", "Y = A ⊙ B, cell by cell", "∂L/∂A = ∂L/∂Y ⊙ B, ∂L/∂B = ∂L/∂Y ⊙ A", nil,
	func(c *Ctx, in []*Matrix, dy *Matrix, want []bool) []*Matrix {
		g := make([]*Matrix, 2)
		if want[0] {
			g[0] = c.T.Hadamard(c.ID("da"), dy, in[1], c.GradOut(in[0]))
		}
		if want[1] {
			g[1] = c.T.Hadamard(c.ID("db"), dy, in[0], c.GradOut(in[1]))
		}
		return g
	}, map[string]Text{
		"da.title": {"en": "Gradient of {in0}", "zh": "{in0} 的梯度"},
		"da.text": {"en": "Each cell of {in0} was multiplied by the matching cell of {in1}, so its gradient is the arriving gradient times that cell.",
			"zh": "{in0} 的每一格乘上了 {in1} 对应的格，所以它的梯度是到达的梯度乘以那一格。"},
		"db.title": {"en": "Gradient of {in1}", "zh": "{in1} 的梯度"},
		"db.text": {"en": "Each cell of {in1} was multiplied by the matching cell of {in0}, so its gradient is the arriving gradient times that cell.",
			"zh": "{in1} 的每一格乘上了 {in0} 对应的格，所以它的梯度是到达的梯度乘以那一格。"},
	})

var opScale = &Op{
	Name: "scale", In: []string{"A"}, Out: []string{"Y"}, Integral: wholeParam("k"),
	Params:  []Param{{Name: "k", Kind: KindNumber, Doc: "the number every cell is multiplied by"}},
	Formula: "Y = k·A",
	Grad:    "∂L/∂A = k·∂L/∂Y",
	Shape:   sameShape,
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.Scale(c.ID(""), n.Num("k"), in[0], c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		return []*Matrix{c.T.Scale(c.ID("grad"), n.Num("k"), dOut[0], c.GradOut(in[0]))}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of {in0}", "zh": "{in0} 的梯度"},
		"grad.text": {"en": "{out0} is {in0} times a fixed number, so the gradient of {in0} is the arriving gradient times the same number.",
			"zh": "{out0} 是 {in0} 乘以一个固定的数，所以 {in0} 的梯度是到达的梯度乘以同一个数。"},
	},
}

func axisOf(n *Node) Axis {
	if n.Str("axis") == "rows" {
		return EachRow
	}
	return EachColumn
}

// softmaxBase is the base and the factor a softmax raises to: on paper
// hand_base (3 unless the step says otherwise) with no scaling; exactly,
// e with the step's scale.
func softmaxBase(c *Ctx, n *Node) (base, scale float64) {
	if c.Mode == Hand {
		return n.Num("hand_base"), n.Num("hand_scale")
	}
	return math.E, n.Num("scale")
}

var opSoftmax = &Op{
	Name: "softmax", In: []string{"Z"}, Out: []string{"P"},
	Params:  softmaxParams,
	Formula: "P = base^z / Σ base^z along each column (or row); Exact mode subtracts each line's largest score first",
	Grad:    "∂L/∂Z = scale·ln(base)·P ⊙ (∂L/∂P − Σ P⊙∂L/∂P)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if n.Has("hand_base") && n.Num("hand_base") <= 1 {
			return nil, fmt.Errorf("hand_base should be larger than 1")
		}
		return []Shape{in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{softmaxSteps(c, n, in[0], c.Out(0), true)}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		base, scale := softmaxBase(c, n)
		axis := axisOf(n)
		p := out[0]
		arrow := "↓"
		if axis == EachRow {
			arrow = "→"
		}
		dot := c.T.softmaxDotStep(c.ID("dot"), p, dOut[0], axis, Out{ID: "dot." + p.ID + c.prefix, Name: "Σ" + arrow + " " + p.Name + "⊙" + dOut[0].Name})
		kappa, name := softmaxFactor(base, scale)
		return []*Matrix{c.T.softmaxGradStep(c.ID("grad"), p, dOut[0], dot, axis, kappa, name, c.GradOut(in[0]))}
	},
	Texts: withSoftmaxTexts("{out0}", map[string]Text{
		"dot.title": {"en": "Back through the softmax, part 1", "zh": "反向穿过 softmax，第 1 步"},
		"dot.text": {"en": "For each line, multiply {out0} by its arriving gradient cell by cell and add up: the part every cell of the line shares.",
			"zh": "对每条线，把 {out0} 和到达的梯度逐格相乘再求和：这是这条线上每一格共有的部分。"},
		"grad.title": {"en": "Back through the softmax, part 2", "zh": "反向穿过 softmax，第 2 步"},
		"grad.text": {"en": "Each cell's gradient is its probability times (its arriving gradient minus the line's shared part), times the constant from the base of the powers.",
			"zh": "每一格的梯度等于它的概率乘以（它到达的梯度减去这条线的共有部分），再乘以幂的底数带来的常数。"},
	}),
}

var opSquaredError = &Op{
	Name: "squared_error", In: []string{"Y", "T"}, Out: []string{"L"}, Loss: true,
	Params: []Param{
		{Name: "half", Kind: KindBool, Default: BoolParam(false), Doc: "L = ½ Σ (Y − T)², whose gradient is Y − T"},
		{Name: "show", Kind: KindBool, Default: BoolParam(true), Doc: "show the loss as a step of its own"},
	},
	Formula: "L = Σ (Y − T)² (or ½ Σ (Y − T)² with half = true)",
	Grad:    "∂L/∂Y = 2·(Y − T) (or Y − T); ∂L/∂T = −∂L/∂Y",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if _, err := sameShape(n, in); err != nil {
			return nil, err
		}
		return []Shape{{1, 1}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		y, t := in[0], in[1]
		var loss float64
		if n.Bool("half") {
			loss, _ = HalfSquaredError(y.Data, t.Data)
		} else {
			loss, _ = SquaredError(y.Data, t.Data)
		}
		o := c.Out(0)
		if !n.Bool("show") {
			return []*Matrix{o.matrix(mat.NewDense(1, 1, []float64{loss}), nil)}
		}
		var b strings.Builder
		var src []CellRef
		r, cl := y.Dims()
		if n.Bool("half") {
			b.WriteString("½·(")
		}
		for i := 0; i < r; i++ {
			for j := 0; j < cl; j++ {
				if i+j > 0 {
					b.WriteString(" + ")
				}
				b.WriteString("(" + paren(y.At(i, j)) + " − " + paren(t.At(i, j)) + ")²")
				src = append(src, CellRef{y.ID, i, j}, CellRef{t.ID, i, j})
			}
		}
		if n.Bool("half") {
			b.WriteString(")")
		}
		b.WriteString(" = " + result(loss))
		m := c.T.LossValue(c.ID(""), o, loss, b.String(), src, []string{y.ID, t.ID})
		f := []string{mi(o.Name), mo("=")}
		if n.Bool("half") {
			f = append(f, mn("½"))
		}
		c.T.Step(n.ID).Formula = mrow(append(f, mo("Σ"), msup(mrow(mo("("), mi(y.Name), mo("−"), mi(t.Name), mo(")")), mn("2")))...)
		return []*Matrix{m}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		y, t := in[0], in[1]
		diffName := y.Name + " − " + t.Name
		o := c.GradOut(y)
		if !n.Bool("half") {
			o = Out{ID: "diff." + c.prefix + n.ID, Name: diffName, Role: RoleGradient, Hue: HueGradient}
		}
		diff := c.T.Elementwise(c.ID("diff"), y, "−", t, o, func(a, b float64) float64 { return a - b })
		if n.Bool("half") {
			c.T.Step(c.ID("diff")).Formula = mrow(mi("L"), mo("="), mn("½"), mo("Σ"), msup(mrow(mo("("), mi(diffName), mo(")")), mn("2")))
		} else {
			c.T.Step(c.ID("diff")).Formula = squaredSumFormula(diffName)
		}
		dy := diff
		if !n.Bool("half") {
			dy = c.T.Scale(c.ID("grad"), 2, diff, c.GradOut(y))
		}
		g := []*Matrix{dy, nil}
		if want[1] {
			g[1] = c.T.Scale(c.ID("dt"), -1, dy, c.GradOut(t))
		}
		return g
	},
	Texts: map[string]Text{
		"diff.title": {"en": "Loss gradient, part 1: {in0} − {in1}", "zh": "损失梯度，第 1 步：{in0} − {in1}"},
		"diff.text": {"en": "Subtract the target from the output, cell by cell. A positive cell means the output is too large there; a negative cell, too small.",
			"zh": "把输出逐格减去目标。正数表示输出在那里偏大，负数表示偏小。"},
		"grad.title": {"en": "Loss gradient, part 2: × 2", "zh": "损失梯度，第 2 步：× 2"},
		"grad.text":  {"en": "The derivative of a square (y − t)² is 2·(y − t): double every difference.", "zh": "平方 (y − t)² 的导数是 2·(y − t)：把每个差乘以 2。"},
		"dt.title":   {"en": "Gradient of the target {in1}", "zh": "目标 {in1} 的梯度"},
		"dt.text":    {"en": "The target is subtracted, so its gradient is the output's with the sign flipped.", "zh": "目标是被减去的，所以它的梯度是输出梯度的相反数。"},
	},
}
