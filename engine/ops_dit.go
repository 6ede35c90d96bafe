package engine

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The ops of the diffusion transformer (DiT): cutting a picture (or a
// video of frames side by side) into patches and putting them back,
// splitting a column into two, and the adaptive scale and shift
// y = γ ⊙ x + β. Each runs the layer math of layers_attention.go through
// the step builders of steps_attention.go.

var _ = RegisterOps(opDitPatchify, opDitUnpatchify, opDitSplitRows, opDitScaleShift)

// ditWhole reads the whole-number parameters names of n, each at least 1.
func ditWhole(n *Node, names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, name := range names {
		v := n.Num(name)
		if v != math.Trunc(v) || v < 1 || v > 64 {
			return nil, fmt.Errorf("%s = %g should be a whole number from 1 to 64", name, v)
		}
		out[i] = int(v)
	}
	return out, nil
}

var ditPatchParams = []Param{
	{Name: "height", Kind: KindNumber, Default: NumParam(2), Doc: "the rows of one patch"},
	{Name: "width", Kind: KindNumber, Default: NumParam(2), Doc: "the columns of one patch"},
}

// ditTiles checks that patches of height×width tile a rows×cols picture
// named name.
func ditTiles(name string, rows, cols, ph, pw int) error {
	if rows%ph != 0 || cols%pw != 0 {
		return fmt.Errorf("%s is %d×%d, which patches of %d×%d do not tile: its rows must be a multiple of height and its columns of width",
			name, rows, cols, ph, pw)
	}
	return nil
}

var opDitPatchify = &Op{
	Name: "patchify", In: []string{"Img"}, Out: []string{"P"}, Integral: always,
	Params:  ditPatchParams,
	Formula: "P = patches(Img): Img cut into height×width tiles, left to right then top to bottom, each tile read row by row into one column of P",
	Grad:    "∂L/∂Img = each cell of ∂L/∂P put back on its pixel (the inverse rearrangement)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		hw, err := ditWhole(n, "height", "width")
		if err != nil {
			return nil, err
		}
		if err := ditTiles(n.In[0], in[0].Rows, in[0].Cols, hw[0], hw[1]); err != nil {
			return nil, err
		}
		return []Shape{{hw[0] * hw[1], (in[0].Rows / hw[0]) * (in[0].Cols / hw[1])}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.patchStep(c.ID(""), in[0], n.Int("height"), n.Int("width"), c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		rows, cols := in[0].Dims()
		return []*Matrix{c.T.unpatchStep(c.ID("grad"), dOut[0], n.Int("height"), n.Int("width"), rows, cols, c.GradOut(in[0]))}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of {in0}: patches back in place", "zh": "{in0} 的梯度：把补丁放回原位"},
		"grad.text": {"en": "Cutting into patches only moves pixels, so each cell of the gradient arriving at {out0} goes back to the pixel of {in0} it came from.",
			"zh": "切成补丁只是移动像素，所以到达 {out0} 的梯度的每一格回到它在 {in0} 中原来的像素上。"},
	},
}

var opDitUnpatchify = &Op{
	Name: "unpatchify", In: []string{"P"}, Out: []string{"Img"}, Integral: always,
	Params: append(append([]Param{}, ditPatchParams...),
		Param{Name: "rows", Kind: KindNumber, Doc: "the rows of the picture the patches are put back into"},
		Param{Name: "cols", Kind: KindNumber, Doc: "the columns of the picture the patches are put back into"}),
	Formula: "Img = patches⁻¹(P): each column of P, a height×width tile read row by row, put back in place (the inverse of patchify)",
	Grad:    "∂L/∂P = patches(∂L/∂Img)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		v, err := ditWhole(n, "height", "width", "rows", "cols")
		if err != nil {
			return nil, err
		}
		ph, pw, rows, cols := v[0], v[1], v[2], v[3]
		if err := ditTiles("the picture", rows, cols, ph, pw); err != nil {
			return nil, err
		}
		if tiles := (rows / ph) * (cols / pw); in[0].Rows != ph*pw || in[0].Cols != tiles {
			return nil, fmt.Errorf("%s is %v, but a %d×%d picture cut into %d×%d patches gives %d×%d: one column of %d values per patch",
				n.In[0], in[0], rows, cols, ph, pw, ph*pw, tiles, ph*pw)
		}
		return []Shape{{rows, cols}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.unpatchStep(c.ID(""), in[0], n.Int("height"), n.Int("width"), n.Int("rows"), n.Int("cols"), c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		return []*Matrix{c.T.patchStep(c.ID("grad"), dOut[0], n.Int("height"), n.Int("width"), c.GradOut(in[0]))}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of {in0}: cut into patches again", "zh": "{in0} 的梯度：再切成补丁"},
		"grad.text": {"en": "Putting patches in place only moves cells, so the gradient arriving at {out0} is cut into patches the same way to reach {in0}.",
			"zh": "把补丁放回原位只是移动格子，所以到达 {out0} 的梯度按同样的方式切成补丁，就回到了 {in0}。"},
	},
}

var opDitSplitRows = &Op{
	Name: "split_rows", In: []string{"V"}, Out: []string{"A", "B"}, Integral: always,
	Params:  []Param{{Name: "count", Kind: KindNumber, Doc: "how many rows of the column go into the first part; the rest go into the second"}},
	Formula: "A = the first count rows of the column V, B = the rest (e.g. a scale γ and a shift β from one column [γ; β])",
	Grad:    "∂L/∂V = [∂L/∂A ; ∂L/∂B], stacked",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0].Cols != 1 {
			return nil, fmt.Errorf("%s is %v: split_rows splits one column, so it needs a single column", n.In[0], in[0])
		}
		k := n.Num("count")
		if k != math.Trunc(k) || k < 1 || int(k) >= in[0].Rows {
			return nil, fmt.Errorf("%s has %d rows: count = %g should be a whole number from 1 to %d, so that both parts have rows", n.In[0], in[0].Rows, k, in[0].Rows-1)
		}
		return []Shape{{int(k), 1}, {in[0].Rows - int(k), 1}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		v := in[0]
		r, _ := v.Dims()
		k := n.Int("count")
		outs := []Out{c.Out(0), c.Out(1)}
		// Each part keeps its rows' labels (γ₁, γ₂ and β₁, β₂ of [γ; β]).
		for p, span := range [][2]int{{0, k}, {k, r}} {
			if outs[p].RowLabels == nil && v.RowLabels != nil {
				outs[p].RowLabels = v.RowLabels[span[0]:span[1]]
			}
		}
		return c.T.rowsStep(c.ID(""), v, outs, []int{k, r - k})
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		return []*Matrix{stackStep(c, c.ID("grad"), c.GradOut(in[0]), true, dOut[0], dOut[1])}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of {in0}: the two parts stacked again", "zh": "{in0} 的梯度：把两部分重新叠起来"},
		"grad.text": {"en": "{out0} and {out1} are the two parts of {in0}, so its gradient is their gradients stacked one under the other.",
			"zh": "{out0} 和 {out1} 是 {in0} 的两部分，所以它的梯度就是它们的梯度上下叠在一起。"},
	},
}

var opDitScaleShift = &Op{
	Name: "scale_shift", In: []string{"γ", "X", "β"}, Out: []string{"Y"}, Integral: always,
	Formula: "Y = γ ⊙ X + β, row by row: row i of X times γ[i], plus β[i] (adaptive layer norm's scale and shift)",
	Grad:    "∂L/∂γ[i] = Σⱼ ∂L/∂Y[i,j]·X[i,j], ∂L/∂β[i] = Σⱼ ∂L/∂Y[i,j], ∂L/∂X[i,j] = γ[i]·∂L/∂Y[i,j]",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		for _, k := range []int{0, 2} {
			if in[k] != (Shape{in[1].Rows, 1}) {
				return nil, fmt.Errorf("%s is %v and %s is %v: the scale and the shift are one column with one value per row of %s, so %d×1",
					n.In[k], in[k], n.In[1], in[1], n.In[1], in[1].Rows)
			}
		}
		return []Shape{in[1]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		return []*Matrix{c.T.scaleShiftStep(c.ID(""), in[0], in[1], in[2], c.Out(0))}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		gamma, x, beta, dy := in[0], in[1], in[2], dOut[0]
		r, cl := x.Dims()
		ss := mat.NewDense(2*r, 1, nil)
		ss.Slice(0, r, 0, 1).(*mat.Dense).Copy(gamma.Data)
		ss.Slice(r, 2*r, 0, 1).(*mat.Dense).Copy(beta.Data)
		dx, dss := ScaleShiftBackward(x.Data, ss, dy.Data)
		g := make([]*Matrix, 3)
		if want[0] || want[2] {
			// One step for the scale's and the shift's gradients: both sum
			// the arriving gradient along each row.
			s := c.Step("grad")
			s.Matrices = []*Matrix{dy, x}
			s.Ops = []string{"", ","}
			s.Reads = []string{dy.ID, x.ID}
			var f []string
			for _, k := range []int{0, 2} {
				if !want[k] {
					continue
				}
				from := 0
				if k == 2 {
					from = r
				}
				data := mat.DenseCopyOf(dss.Slice(from, from+r, 0, 1))
				scale := k == 0
				m := Computed(c.GradOut(in[k]), data, func(i, _ int) Explanation {
					var b strings.Builder
					var src []CellRef
					for j := 0; j < cl; j++ {
						if j > 0 {
							b.WriteString(" + ")
						}
						if scale {
							b.WriteString(paren(dy.At(i, j)) + "·" + paren(x.At(i, j)))
							src = append(src, CellRef{dy.ID, i, j}, CellRef{x.ID, i, j})
						} else {
							b.WriteString(paren(dy.At(i, j)))
							src = append(src, CellRef{dy.ID, i, j})
						}
					}
					b.WriteString(" = " + result(data.At(i, 0)))
					return Explanation{Formula: b.String(), Sources: src}
				})
				g[k] = m
				op := "→"
				if len(f) > 0 {
					op = ","
					f = append(f, mo(","))
				}
				s.Matrices = append(s.Matrices, m)
				s.Ops = append(s.Ops, op)
				if scale {
					f = append(f, mi(m.Name), mo("="), mo("Σ"), mi(dy.Name), mo("⊙"), mi(x.Name))
				} else {
					f = append(f, mi(m.Name), mo("="), mo("Σ"), mi(dy.Name))
				}
			}
			s.Formula = mrow(f...)
			c.T.Add(s)
		}
		if want[1] {
			m := Computed(c.GradOut(x), dx, func(i, j int) Explanation {
				return Explanation{Formula: paren(gamma.At(i, 0)) + "·" + paren(dy.At(i, j)) + " = " + result(dx.At(i, j)),
					Sources: []CellRef{{gamma.ID, i, 0}, {dy.ID, i, j}}}
			})
			s := c.Step("dx")
			s.Matrices = []*Matrix{gamma, dy, m}
			s.Ops = []string{"", "⊙", "="}
			s.Reads = []string{gamma.ID, dy.ID}
			s.Formula = mrow(mi(m.Name), mo("="), mi(gamma.Name), mo("⊙"), mi(dy.Name))
			c.T.Add(s)
			g[1] = m
		}
		return g
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of the scale {in0} and the shift {in2}", "zh": "缩放 {in0} 和平移 {in2} 的梯度"},
		"grad.text": {"en": "{in0} multiplied every cell of its row of {in1}, so its gradient adds up, along the row, the gradient arriving at {out0} times those cells; {in2} was added to every cell of its row, so its gradient simply adds up the row's arriving gradient.",
			"zh": "{in0} 乘过 {in1} 中它那一行的每一格，所以它的梯度是沿这一行把到达 {out0} 的梯度乘以这些格再加起来；{in2} 加到了它那一行的每一格上，所以它的梯度就是这一行到达的梯度之和。"},
		"dx.title": {"en": "Gradient of {in1}", "zh": "{in1} 的梯度"},
		"dx.text": {"en": "Each cell of {in1} was multiplied by its row's scale {in0}, so its gradient is the arriving gradient times that scale.",
			"zh": "{in1} 的每一格都乘上了所在行的缩放 {in0}，所以它的梯度是到达的梯度乘以这个缩放。"},
	},
}
