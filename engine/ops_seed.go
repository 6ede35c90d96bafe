package engine

import (
	"fmt"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The ops the generative walkthroughs need beyond the common ones: the KL
// loss of a variational autoencoder, which pulls each code distribution
// N(μ, σ²) towards the standard normal N(0, 1), and a constant matrix
// written into a step (a GAN's targets, which a reader does not edit).

var _ = RegisterOps(opKLNormal, opConstant)

// opConstant is a matrix the step itself writes down, such as a fixed row
// of targets: not a variable of the exercise, so a reader does not edit
// it, and with show = false not a step of its own either (it then first
// appears in the step that reads it).
var opConstant = &Op{
	Name: "constant", Out: []string{"Y"}, Integral: constantIntegral,
	Params: []Param{
		{Name: "data", Kind: KindNumber, Matrix: true, Doc: "the matrix, as a list of rows of numbers"},
		{Name: "show", Kind: KindBool, Default: BoolParam(true), Doc: "show the matrix as a step of its own"},
	},
	Formula: "Y = the numbers written in the step (a fixed matrix, not one the reader edits)",
	Grad:    "none: nothing is computed, so no gradient flows through it",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		r, c := n.Matrix("data").Dims()
		return []Shape{{r, c}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		// Like a variable, the matrix is given, not computed: its role is
		// the step's (role = "target"), or else that of an input.
		o := c.Out(0)
		m := &Matrix{ID: o.ID, Name: o.Name, Role: o.Role, Hue: o.Hue, RowLabels: o.RowLabels, ColLabels: o.ColLabels,
			Picture: o.Picture, Data: mat.DenseCopyOf(n.Matrix("data"))}
		if n.Bool("show") {
			s := c.Step("")
			s.Matrices = []*Matrix{m}
			c.T.Add(s)
		}
		return []*Matrix{m}
	},
}

// constantIntegral: a constant is whole when its numbers are.
func constantIntegral(n *Node) bool { return isWhole(n.Matrix("data")) }

// opKLNormal is the KL divergence of N(μ, σ²) from N(0, 1), summed over
// the cells: L = Σ ½(μ² + σ² − 1 − ln σ²). σ is the standard deviation
// itself (not its logarithm), so a σ ≤ 0 has no value: the loss step then
// says so ("undefined.sigma"), and so does the step that needs 1/σ.
var opKLNormal = &Op{
	Name: "kl_normal", In: []string{"μ", "σ"}, Out: []string{"L"}, Loss: true,
	Formula: "L = Σ ½(μ² + σ² − 1 − ln σ²), the KL divergence of N(μ, σ²) from N(0, 1), cell by cell and summed; undefined for a σ ≤ 0",
	Grad:    "∂L/∂μ = μ; ∂L/∂σ = σ − 1/σ (1/σ as a step of its own)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0] != in[1] {
			return nil, fmt.Errorf("the means %s are %v but the standard deviations %s are %v: the KL loss pairs each mean with one standard deviation",
				n.In[0], in[0], n.In[1], in[1])
		}
		return []Shape{{1, 1}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		mu, sigma := in[0], in[1]
		kl := KLDivergence(mu.Data, sigma.Data)
		var b strings.Builder
		var src []CellRef
		rows, cols := mu.Dims()
		b.WriteString("½·(")
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				if i+j > 0 {
					b.WriteString(" + ")
				}
				m, s := paren(mu.At(i, j)), paren(sigma.At(i, j))
				b.WriteString(m + "² + " + s + "² − 1 − ln " + s + "²")
				src = append(src, CellRef{mu.ID, i, j}, CellRef{sigma.ID, i, j})
			}
		}
		b.WriteString(") = " + result(kl))
		f := b.String()
		o := c.Out(0)
		lm := Computed(o, mat.NewDense(1, 1, []float64{kl}),
			func(int, int) Explanation { return Explanation{Formula: f, Sources: src} })
		s := c.Step("")
		s.Matrices = []*Matrix{lm}
		s.Reads = []string{mu.ID, sigma.ID}
		sq := func(x string) string { return msup(mi(x), mn("2")) }
		s.Formula = mrow(mi(lm.Name), mo("="), mo("Σ"), mn("½"), mo("("), sq(mu.Name), mo("+"), sq(sigma.Name),
			mo("−"), mn("1"), mo("−"), mi("ln"), sq(sigma.Name), mo(")"))
		if sigmaUndefined(sigma.Data) {
			s.Undefined = "undefined.sigma"
		}
		c.T.Add(s)
		return []*Matrix{lm}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		mu, sigma := in[0], in[1]
		// ∂L/∂μ and ∂L/∂σ, named after the loss (∂Lᴷᴸ/∂μ) when it has a name.
		named := func(o Out, x *Matrix) Out {
			if l := out[0].Name; l != "" && l != "L" {
				o.Name = "∂" + l + "/∂" + group(x.Name)
			}
			return o
		}
		g := make([]*Matrix, 2)
		if want[0] {
			g[0] = c.T.Copied(c.ID("mu"), mu, named(c.GradOut(mu), mu))
		}
		if want[1] {
			inv := c.T.Reciprocal(c.ID("inv"), sigma, Out{ID: c.prefix + "inv" + sigma.ID, Name: "1/" + group(sigma.Name), Hue: sigma.Hue})
			g[1] = c.T.Elementwise(c.ID("sigma"), sigma, "−", inv, named(c.GradOut(sigma), sigma),
				func(a, b float64) float64 { return a - b })
		}
		return g
	},
	Texts: map[string]Text{
		"mu.title": {"en": "KL gradient with respect to {in0}", "zh": "KL 损失对 {in0} 的梯度"},
		"mu.text": {"en": "The KL loss wants each code distribution to look like a standard normal one. Its gradient with respect to the mean is simply {in0} itself, which pulls {in0} towards 0.",
			"zh": "KL 损失希望每个编码的分布接近标准正态分布。它对均值的梯度就是 {in0} 本身，会把 {in0} 往 0 拉。"},
		"inv.title": {"en": "KL gradient with respect to {in1}: first 1/{in1}", "zh": "KL 损失对 {in1} 的梯度：先算 1/{in1}"},
		"inv.text": {"en": "The gradient with respect to {in1} needs 1/{in1}, so compute it cell by cell. This is only possible for a positive {in1}.",
			"zh": "对 {in1} 的梯度需要用到 1/{in1}，所以先逐格算出它。只有 {in1} 为正时才能这样算。"},
		"sigma.title": {"en": "KL gradient with respect to {in1}: {in1} − 1/{in1}", "zh": "KL 损失对 {in1} 的梯度：{in1} − 1/{in1}"},
		"sigma.text": {"en": "Subtract 1/{in1} from {in1}. The result is zero exactly when {in1} is 1, so this gradient pulls every {in1} towards 1.",
			"zh": "用 {in1} 减去 1/{in1}。只有当 {in1} 等于 1 时结果才为零，所以这个梯度会把每个 {in1} 往 1 拉。"},
	},
}
