package engine

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The ops of the frontier walkthroughs (AlphaFold, DeepSeek): the triangle
// product and the pair bias of AlphaFold's pair representation, the rotary
// position embedding (RoPE) of DeepSeek's latent attention, and the top-k
// gate and gated sum of its mixture of experts.
//
// The pair representation is laid out the way the sheets put Z₁, Z₂, Z₃
// side by side: a matrix with one row per channel and one column per pair
// (i, j), in the order (1,1), (1,2), …, (1,N), (2,1), …, (N,N). A linear
// layer then works on every pair at once (it mixes the channels of each
// column), and row i of the pair grid is the i-th block of N columns.

var _ = RegisterOps(opFroTriangle, opFroPairBias, opFroRoPE, opFroTopK, opFroGateSum)

// froSide returns N for a matrix of N·N pair columns, or 0.
func froSide(cols int) int {
	n := int(math.Round(math.Sqrt(float64(cols))))
	if n < 1 || n*n != cols {
		return 0
	}
	return n
}

// froTriangle computes o[c, (i,j)] = Σ_k a[c, (i,k)]·b[c, (j,k)].
func froTriangle(a, b *mat.Dense) *mat.Dense {
	r, cols := a.Dims()
	n := froSide(cols)
	o := mat.NewDense(r, cols, nil)
	for c := 0; c < r; c++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for k := 0; k < n; k++ {
					s += a.At(c, i*n+k) * b.At(c, j*n+k)
				}
				o.Set(c, i*n+j, s)
			}
		}
	}
	return o
}

// froTriangleBack returns da[c,(i,k)] = Σ_j g[c,(i,j)]·b[c,(j,k)] and
// db[c,(j,k)] = Σ_i g[c,(i,j)]·a[c,(i,k)].
func froTriangleBack(a, b, g *mat.Dense) (da, db *mat.Dense) {
	r, cols := a.Dims()
	n := froSide(cols)
	da, db = mat.NewDense(r, cols, nil), mat.NewDense(r, cols, nil)
	for c := 0; c < r; c++ {
		for x := 0; x < n; x++ {
			for k := 0; k < n; k++ {
				sa, sb := 0.0, 0.0
				for y := 0; y < n; y++ {
					sa += g.At(c, x*n+y) * b.At(c, y*n+k)
					sb += g.At(c, y*n+x) * a.At(c, y*n+k)
				}
				da.Set(c, x*n+k, sa)
				db.Set(c, x*n+k, sb)
			}
		}
	}
	return da, db
}

// froPairShape checks that a matrix has N·N pair columns.
func froPairShape(n *Node, k int, s Shape) (int, error) {
	side := froSide(s.Cols)
	if side == 0 {
		return 0, fmt.Errorf("%s is %v: a pair representation has one column per pair (i, j), so its columns should be a square number (4, 9, 16…), not %d",
			n.In[k], s, s.Cols)
	}
	return side, nil
}

// froSumOf writes a sum of products "x·y + x·y + … = r".
func froSumOf(terms []string, v float64) string {
	return strings.Join(terms, " + ") + " = " + result(v)
}

var opFroTriangle = &Op{
	Name: "triangle_product", In: []string{"A", "B"}, Out: []string{"O"}, Integral: always,
	Formula: "O[c; i,j] = Σₖ A[c; i,k]·B[c; j,k], channel by channel; a pair matrix has a row per channel and a column per pair (1,1), (1,2), …, (N,N)",
	Grad:    "∂L/∂A[c; i,k] = Σⱼ G[c; i,j]·B[c; j,k], ∂L/∂B[c; j,k] = Σᵢ G[c; i,j]·A[c; i,k]",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0] != in[1] {
			return nil, fmt.Errorf("%s is %v but %s is %v: the triangle product pairs the edges of A and B channel by channel, so they need one shape", n.In[0], in[0], n.In[1], in[1])
		}
		if _, err := froPairShape(n, 0, in[0]); err != nil {
			return nil, err
		}
		return []Shape{in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		a, b := in[0], in[1]
		data := froTriangle(a.Data, b.Data)
		_, cols := a.Dims()
		side := froSide(cols)
		o := c.Out(0)
		if o.ColLabels == nil {
			o.ColLabels = a.ColLabels
		}
		m := Computed(o, data, func(r, col int) Explanation {
			i, j := col/side, col%side
			terms := make([]string, side)
			src := make([]CellRef, 0, 2*side)
			for k := 0; k < side; k++ {
				terms[k] = paren(a.At(r, i*side+k)) + "·" + paren(b.At(r, j*side+k))
				src = append(src, CellRef{a.ID, r, i*side + k}, CellRef{b.ID, r, j*side + k})
			}
			return Explanation{Formula: froSumOf(terms, data.At(r, col)), Sources: src}
		})
		s := c.Step("")
		s.Matrices = []*Matrix{a, b, m}
		s.Ops = []string{"", "and", "→"}
		s.Reads = []string{a.ID, b.ID}
		s.Formula = mrow(cell(m.Name, "c;ij"), mo("="), munder(mo("Σ"), mi("k")), cell(a.Name, "c;ik"), mo("·"), cell(b.Name, "c;jk"))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		a, b, g := in[0], in[1], dOut[0]
		da, db := froTriangleBack(a.Data, b.Data, g.Data)
		_, cols := a.Dims()
		side := froSide(cols)
		res := make([]*Matrix, 2)
		for k, x := range []*Matrix{a, b} {
			if !want[k] {
				continue
			}
			other, data, suffix := b, da, "da"
			if k == 1 {
				other, data, suffix = a, db, "db"
			}
			o := c.GradOut(x)
			o.ColLabels = x.ColLabels
			m := Computed(o, data, func(r, col int) Explanation {
				x, kk := col/side, col%side
				terms := make([]string, side)
				src := make([]CellRef, 0, 2*side)
				for y := 0; y < side; y++ {
					gc := x*side + y // A: G[c; x,y]·B[c; y,k]
					if k == 1 {
						gc = y*side + x // B: G[c; y,x]·A[c; y,k]
					}
					terms[y] = paren(g.At(r, gc)) + "·" + paren(other.At(r, y*side+kk))
					src = append(src, CellRef{g.ID, r, gc}, CellRef{other.ID, r, y*side + kk})
				}
				return Explanation{Formula: froSumOf(terms, data.At(r, col)), Sources: src}
			})
			s := c.Step(suffix)
			s.Matrices = []*Matrix{g, other, m}
			s.Ops = []string{"", "and", "→"}
			s.Reads = []string{g.ID, other.ID}
			if k == 0 {
				s.Formula = mrow(cell(m.Name, "c;ik"), mo("="), munder(mo("Σ"), mi("j")), cell(g.Name, "c;ij"), mo("·"), cell(b.Name, "c;jk"))
			} else {
				s.Formula = mrow(cell(m.Name, "c;jk"), mo("="), munder(mo("Σ"), mi("i")), cell(g.Name, "c;ij"), mo("·"), cell(a.Name, "c;ik"))
			}
			c.T.Add(s)
			res[k] = m
		}
		return res
	},
	Texts: map[string]Text{
		"da.title": {"en": "Gradient of {in0} through the triangle product", "zh": "经由三角乘积求 {in0} 的梯度"},
		"da.text": {"en": "Edge (i,k) of {in0} was multiplied by edge (j,k) of {in1} for every pair (i,j) of the row, so its gradient adds, over j, the gradient arriving at (i,j) times that edge of {in1}, channel by channel.",
			"zh": "{in0} 的边 (i,k) 在这一行的每个对 (i,j) 里都乘过 {in1} 的边 (j,k)，所以它的梯度是对 j 求和：到达 (i,j) 的梯度乘以 {in1} 的那条边，逐通道计算。"},
		"db.title": {"en": "Gradient of {in1} through the triangle product", "zh": "经由三角乘积求 {in1} 的梯度"},
		"db.text": {"en": "Edge (j,k) of {in1} met edge (i,k) of {in0} in every pair (i,j) of its column, so its gradient adds, over i, the gradient arriving at (i,j) times that edge of {in0}.",
			"zh": "{in1} 的边 (j,k) 在这一列的每个对 (i,j) 里都遇到过 {in0} 的边 (i,k)，所以它的梯度是对 i 求和：到达 (i,j) 的梯度乘以 {in0} 的那条边。"},
	},
}

var opFroPairBias = &Op{
	Name: "pair_bias", In: []string{"w", "Z"}, Out: []string{"B"}, Integral: always,
	Formula: "B[j, i] = Σ over c of w[c]·Z[c; i,j]: one bias per pair, laid out with keys j down the rows and queries i across, like Kᵀ·Q",
	Grad:    "∂L/∂w[c] = Σᵢⱼ G[j, i]·Z[c; i,j], ∂L/∂Z[c; i,j] = w[c]·G[j, i]",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		side, err := froPairShape(n, 1, in[1])
		if err != nil {
			return nil, err
		}
		if in[0].Rows != 1 || in[0].Cols != in[1].Rows {
			return nil, fmt.Errorf("%s is %v: the pair bias weights are one row with a weight per channel of %s, so 1×%d", n.In[0], in[0], n.In[1], in[1].Rows)
		}
		return []Shape{{side, side}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		w, z := in[0], in[1]
		ch, cols := z.Dims()
		side := froSide(cols)
		data := mat.NewDense(side, side, nil)
		for i := 0; i < side; i++ {
			for j := 0; j < side; j++ {
				s := 0.0
				for k := 0; k < ch; k++ {
					s += w.At(0, k) * z.At(k, i*side+j)
				}
				data.Set(j, i, s)
			}
		}
		m := Computed(c.Out(0), data, func(j, i int) Explanation {
			terms := make([]string, ch)
			src := make([]CellRef, 0, 2*ch)
			for k := 0; k < ch; k++ {
				terms[k] = paren(w.At(0, k)) + "·" + paren(z.At(k, i*side+j))
				src = append(src, CellRef{w.ID, 0, k}, CellRef{z.ID, k, i*side + j})
			}
			return Explanation{Formula: froSumOf(terms, data.At(j, i)), Sources: src}
		})
		s := c.Step("")
		s.Matrices = []*Matrix{w, z, m}
		s.Ops = []string{"", "·", "→"}
		s.Reads = []string{w.ID, z.ID}
		s.Formula = mrow(cell(m.Name, "ji"), mo("="), munder(mo("Σ"), mi("c")), cell(w.Name, "c"), mo("·"), cell(z.Name, "c;ij"))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		w, z, g := in[0], in[1], dOut[0]
		ch, cols := z.Dims()
		side := froSide(cols)
		res := make([]*Matrix, 2)
		if want[0] {
			data := mat.NewDense(1, ch, nil)
			for k := 0; k < ch; k++ {
				s := 0.0
				for col := 0; col < cols; col++ {
					s += g.At(col%side, col/side) * z.At(k, col)
				}
				data.Set(0, k, s)
			}
			m := Computed(c.GradOut(w), data, func(_, k int) Explanation {
				terms := make([]string, cols)
				src := make([]CellRef, 0, 2*cols)
				for col := 0; col < cols; col++ {
					j, i := col%side, col/side
					terms[col] = paren(g.At(j, i)) + "·" + paren(z.At(k, col))
					src = append(src, CellRef{g.ID, j, i}, CellRef{z.ID, k, col})
				}
				return Explanation{Formula: froSumOf(terms, data.At(0, k)), Sources: src}
			})
			s := c.Step("dw")
			s.Matrices = []*Matrix{g, z, m}
			s.Ops = []string{"", "and", "→"}
			s.Reads = []string{g.ID, z.ID}
			s.Formula = mrow(cell(m.Name, "c"), mo("="), munder(mo("Σ"), mi("ij")), cell(g.Name, "ji"), mo("·"), cell(z.Name, "c;ij"))
			c.T.Add(s)
			res[0] = m
		}
		if want[1] {
			data := mat.NewDense(ch, cols, nil)
			for k := 0; k < ch; k++ {
				for col := 0; col < cols; col++ {
					data.Set(k, col, w.At(0, k)*g.At(col%side, col/side))
				}
			}
			o := c.GradOut(z)
			o.ColLabels = z.ColLabels
			m := Computed(o, data, func(k, col int) Explanation {
				j, i := col%side, col/side
				return Explanation{Formula: paren(w.At(0, k)) + "·" + paren(g.At(j, i)) + " = " + result(data.At(k, col)),
					Sources: []CellRef{{w.ID, 0, k}, {g.ID, j, i}}}
			})
			s := c.Step("dz")
			s.Matrices = []*Matrix{w, g, m}
			s.Ops = []string{"", "and", "→"}
			s.Reads = []string{w.ID, g.ID}
			s.Formula = mrow(cell(m.Name, "c;ij"), mo("="), cell(w.Name, "c"), mo("·"), cell(g.Name, "ji"))
			c.T.Add(s)
			res[1] = m
		}
		return res
	},
	Texts: map[string]Text{
		"dw.title": {"en": "Gradient of the pair-bias weights {in0}", "zh": "成对偏置权重 {in0} 的梯度"},
		"dw.text": {"en": "Each weight multiplied one channel of every pair, so its gradient adds, over all pairs, the gradient arriving at that pair's bias times the pair's value in that channel.",
			"zh": "每个权重乘过每个对的一个通道，所以它的梯度是对所有对求和：到达该对偏置的梯度乘以该对在这个通道上的值。"},
		"dz.title": {"en": "Gradient flowing into the pairs {in1}", "zh": "传回成对表示 {in1} 的梯度"},
		"dz.text": {"en": "Each pair's channel was multiplied by one weight, so its gradient is that weight times the gradient arriving at the pair's bias.",
			"zh": "每个对的每个通道乘以一个权重，所以它的梯度是这个权重乘以到达该对偏置的梯度。"},
	},
}

// froTrig returns cos and sin of an angle in degrees, exact where
// they are 0, ±½ or ±1 (at the multiples of 30° and 90°).
func froTrig(deg float64) (cos, sin float64) {
	rad := deg * math.Pi / 180
	cos, sin = math.Cos(rad), math.Sin(rad)
	snap := func(v float64) float64 {
		for _, s := range []float64{0, 0.5, -0.5, 1, -1} {
			if math.Abs(v-s) < 1e-12 {
				return s
			}
		}
		return v
	}
	return snap(cos), snap(sin)
}

// froSubscripts writes a position as subscript digits (R₁, R₂).
var froSubscripts = strings.NewReplacer("0", "₀", "1", "₁", "2", "₂", "3", "₃", "4", "₄", "5", "₅", "6", "₆", "7", "₇", "8", "₈", "9", "₉", "−", "₋", ".", ".")

// froRoPEAngle is the angle, in degrees, by which the op turns row pair k
// at column p (0-based): position p+start times the pair's angle.
func froRoPEAngle(n *Node, k, p int) float64 {
	return (float64(p) + n.Num("start")) * n.Num("angle") * math.Pow(n.Num("ratio"), float64(k))
}

// froRoPEIntegral: RoPE keeps whole numbers whole when every angle it
// turns by is a multiple of 90°, whose cos and sin are 0, 1 or −1: a whole
// angle per position that is a multiple of 90, whole positions and a whole
// ratio.
func froRoPEIntegral(n *Node) bool {
	whole := func(x float64) bool { return x == math.Trunc(x) }
	return whole(n.Num("angle")/90) && whole(n.Num("start")) && whole(n.Num("ratio"))
}

// froRoPE rotates each pair of rows of x, column by column, by the 2×2
// blocks of rot (rows 2k, 2k+1 and columns 2p, 2p+1: [cos −sin; sin cos]
// for pair k at column p), as the step shows them; with back set it
// applies the transposed rotations (the gradient).
func froRoPE(rot, x *mat.Dense, back bool) *mat.Dense {
	r, cols := x.Dims()
	y := mat.NewDense(r, cols, nil)
	for k := 0; k < r/2; k++ {
		for p := 0; p < cols; p++ {
			r00, r01, r10, r11 := rot.At(2*k, 2*p), rot.At(2*k, 2*p+1), rot.At(2*k+1, 2*p), rot.At(2*k+1, 2*p+1)
			if back {
				r01, r10 = r10, r01
			}
			a, b := x.At(2*k, p), x.At(2*k+1, p)
			y.Set(2*k, p, r00*a+r01*b+0) // +0: no −0 on the page
			y.Set(2*k+1, p, r10*a+r11*b+0)
		}
	}
	return y
}

var opFroRoPE = &Op{
	Name: "rope", In: []string{"X"}, Out: []string{"Y"}, Integral: froRoPEIntegral,
	Params: []Param{
		{Name: "angle", Kind: KindNumber, Default: NumParam(90), Doc: "the angle in degrees the first pair of rows turns by per position (90 keeps every cos and sin at 0 or ±1)"},
		{Name: "ratio", Kind: KindNumber, Default: NumParam(1), Doc: "each next pair of rows turns this many times as far (RoPE uses a ratio below 1)"},
		{Name: "start", Kind: KindNumber, Default: NumParam(1), Doc: "the position of the first column (1 on the sheets)"},
	},
	Formula: "Y column p = Rₚ·(X column p): each pair of rows (2k−1, 2k) is turned by the angle p·angle·ratioᵏ⁻¹, [cos −sin; sin cos]",
	Grad:    "∂L/∂X column p = Rₚᵀ·(∂L/∂Y column p): the same pairs turned back",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0].Rows%2 != 0 {
			return nil, fmt.Errorf("%s is %v: RoPE turns pairs of rows, so it needs an even number of rows", n.In[0], in[0])
		}
		return []Shape{in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		x := in[0]
		r, cols := x.Dims()
		o := c.Out(0)
		// The rotations: for pair k and position p, the 2×2 block
		// [cos −sin; sin cos] at rows 2k, 2k+1 and columns 2p, 2p+1.
		rot := mat.NewDense(r, 2*cols, nil)
		for k := 0; k < r/2; k++ {
			for p := 0; p < cols; p++ {
				cs, sn := froTrig(froRoPEAngle(n, k, p))
				rot.Set(2*k, 2*p, cs)
				rot.Set(2*k, 2*p+1, -sn+0)
				rot.Set(2*k+1, 2*p, sn)
				rot.Set(2*k+1, 2*p+1, cs)
			}
		}
		labels := make([]string, 2*cols)
		for p := 0; p < cols; p++ {
			pos := froSubscripts.Replace(Format(float64(p) + n.Num("start")))
			labels[2*p], labels[2*p+1] = "R"+pos, "R"+pos+"′"
		}
		rm := Computed(Out{ID: o.ID + ".R", Name: "R", Hue: o.Hue, ColLabels: labels}, rot, func(i, j int) Explanation {
			k, p := i/2, j/2
			deg := Format(froRoPEAngle(n, k, p)) + "°"
			f := "cos(" + deg + ")"
			switch {
			case i%2 == 0 && j%2 == 1:
				f = "−sin(" + deg + ")"
			case i%2 == 1 && j%2 == 0:
				f = "sin(" + deg + ")"
			}
			return Explanation{Formula: f + " = " + result(rot.At(i, j))}
		})
		c.T.ready(rm) // the turn reads R as the step shows it
		data := froRoPE(rm.Data, x.Data, false)
		if o.ColLabels == nil {
			o.ColLabels = x.ColLabels
		}
		m := Computed(o, data, func(i, p int) Explanation {
			k := i / 2
			r0, r1 := rot.At(i, 2*p), rot.At(i, 2*p+1)
			return Explanation{
				Formula: paren(r0) + "·" + paren(x.At(2*k, p)) + " + " + paren(r1) + "·" + paren(x.At(2*k+1, p)) + " = " + result(data.At(i, p)),
				Sources: []CellRef{{rm.ID, i, 2 * p}, {x.ID, 2 * k, p}, {rm.ID, i, 2*p + 1}, {x.ID, 2*k + 1, p}},
			}
		})
		s := c.Step("")
		s.Matrices = []*Matrix{rm, x, m}
		s.Ops = []string{"", "turns", "→"}
		s.Reads = []string{x.ID}
		s.Formula = mrow(cell(m.Name, "p"), mo("="), msub(mi("R"), mi("p")), mo("·"), cell(x.Name, "p"))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		x, g := in[0], dOut[0]
		rm := c.T.Matrix(out[0].ID + ".R")
		data := froRoPE(rm.Data, g.Data, true)
		o := c.GradOut(x)
		o.ColLabels = x.ColLabels
		m := Computed(o, data, func(i, p int) Explanation {
			k := i / 2
			// Row i of Rₚᵀ is column i of Rₚ.
			r0, r1 := rm.At(2*k, 2*p+i%2), rm.At(2*k+1, 2*p+i%2)
			return Explanation{
				Formula: paren(r0) + "·" + paren(g.At(2*k, p)) + " + " + paren(r1) + "·" + paren(g.At(2*k+1, p)) + " = " + result(data.At(i, p)),
				Sources: []CellRef{{rm.ID, 2 * k, 2*p + i%2}, {g.ID, 2 * k, p}, {rm.ID, 2*k + 1, 2*p + i%2}, {g.ID, 2*k + 1, p}},
			}
		})
		s := c.Step("grad")
		s.Matrices = []*Matrix{rm, g, m}
		s.Ops = []string{"", "turns back", "→"}
		s.Reads = []string{rm.ID, g.ID}
		s.Formula = mrow(cell(m.Name, "p"), mo("="), msup(msub(mi("R"), mi("p")), mi("T")), mo("·"), cell(g.Name, "p"))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Back through the rotation of {in0}", "zh": "反向穿过 {in0} 的旋转"},
		"grad.text": {"en": "A rotation is undone by its transpose, the same turn backwards: each pair of rows of the arriving gradient is turned back by its position's angle.",
			"zh": "旋转的逆就是它的转置，也就是往回转同样的角度：到达的梯度每一对行都按它所在位置的角度转回去。"},
	},
}

// froRanked returns, for column j of s, the row indices in order of value,
// largest first (ties: the upper row first).
func froRanked(s *mat.Dense, j int) []int {
	r, _ := s.Dims()
	idx := make([]int, r)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.At(idx[a], j) > s.At(idx[b], j) })
	return idx
}

// froKept returns 1 where a cell is among the k largest of its column,
// 0 where it is not, and NaN down a column that holds a value that is not
// a number: which cells are kept there is not known.
func froKept(s *mat.Dense, k int) *mat.Dense {
	r, cols := s.Dims()
	m := mat.NewDense(r, cols, nil)
	for j := 0; j < cols; j++ {
		for i := 0; i < r; i++ {
			if v := s.At(i, j); v != v {
				for i := 0; i < r; i++ {
					m.Set(i, j, v)
				}
				break
			}
		}
		if v := m.At(0, j); v != v {
			continue
		}
		for _, i := range froRanked(s, j)[:k] {
			m.Set(i, j, 1)
		}
	}
	return m
}

// froColumn lists column j of s, for an explanation.
func froColumn(s *Matrix, j int) (string, []CellRef) {
	r, _ := s.Dims()
	parts := make([]string, r)
	src := make([]CellRef, r)
	for i := 0; i < r; i++ {
		parts[i] = Format(s.At(i, j))
		src[i] = CellRef{s.ID, i, j}
	}
	return "(" + strings.Join(parts, ", ") + ")", src
}

var opFroTopK = &Op{
	Name: "top_k", In: []string{"S"}, Out: []string{"G"}, Integral: always,
	Params:  []Param{{Name: "k", Kind: KindNumber, Default: NumParam(2), Doc: "how many rows (experts) each column (token) keeps"}},
	Formula: "G = S where S is among the k largest of its column, else 0 (ties: the upper row wins)",
	Grad:    "∂L/∂S = ∂L/∂G ⊙ [kept]; nothing flows through the ranking itself",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		k := n.Num("k")
		if k != math.Trunc(k) || k < 1 || int(k) > in[0].Rows {
			return nil, fmt.Errorf("k = %s, but %s has %d rows: k should be a whole number from 1 to %d", Format(k), n.In[0], in[0].Rows, in[0].Rows)
		}
		return []Shape{in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		s := in[0]
		k := n.Int("k")
		kept := froKept(s.Data, k)
		data := mat.NewDense(s.Data.RawMatrix().Rows, s.Data.RawMatrix().Cols, nil)
		data.MulElem(s.Data, kept)
		o := c.Out(0)
		if o.ColLabels == nil {
			o.ColLabels = s.ColLabels
		}
		if o.RowLabels == nil {
			o.RowLabels = s.RowLabels
		}
		m := Computed(o, data, func(i, j int) Explanation {
			col, src := froColumn(s, j)
			terms := Format(s.At(i, j)) + " if among the " + strconv.Itoa(k) + " largest of " + col + ", else 0"
			if kept.At(i, j) == 1 {
				return Explanation{Formula: Format(s.At(i, j)) + " is among the " + strconv.Itoa(k) + " largest of " + col + ", kept → " + result(data.At(i, j)), Sources: src, terms: terms}
			}
			return Explanation{Formula: Format(s.At(i, j)) + " is not among the " + strconv.Itoa(k) + " largest of " + col + " → 0", Sources: src, terms: terms}
		})
		st := c.Step("")
		st.Matrices = []*Matrix{s, m}
		st.Ops = []string{"", "top " + strconv.Itoa(k) + " →"}
		st.Reads = []string{s.ID}
		st.Formula = mrow(indexed(m.Name), mo("="), indexed(s.Name), mo("·"), mo("["), msub(mi("rank"), mi("j")), mo("("), indexed(s.Name), mo(")"), mo("≤"), mn(strconv.Itoa(k)), mo("]"))
		c.T.Add(st)
		return []*Matrix{m}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		s, g := in[0], dOut[0]
		k := n.Int("k")
		kept := froKept(s.Data, k)
		// Which rows were kept is the ranking of the scores' column.
		mask := Computed(Out{ID: out[0].ID + ".kept" + c.prefix, Name: "[kept]", RowLabels: s.RowLabels, ColLabels: s.ColLabels}, kept, func(i, j int) Explanation {
			col, src := froColumn(s, j)
			terms := "[" + Format(s.At(i, j)) + " among the " + strconv.Itoa(k) + " largest of " + col + "]"
			if kept.At(i, j) == 1 {
				return Explanation{Formula: "row " + strconv.Itoa(i+1) + " was kept → 1", Sources: src, terms: terms}
			}
			return Explanation{Formula: "row " + strconv.Itoa(i+1) + " was dropped → 0", Sources: src, terms: terms}
		})
		c.T.ready(mask) // the gradient is multiplied by the mask as the step shows it
		data := mat.NewDense(kept.RawMatrix().Rows, kept.RawMatrix().Cols, nil)
		data.MulElem(g.Data, mask.Data)
		o := c.GradOut(s)
		o.ColLabels, o.RowLabels = s.ColLabels, s.RowLabels
		m := Computed(o, data, func(i, j int) Explanation {
			return Explanation{Formula: paren(g.At(i, j)) + "·" + result(kept.At(i, j)) + " = " + result(data.At(i, j)),
				Sources: []CellRef{{g.ID, i, j}, {mask.ID, i, j}}}
		})
		st := c.Step("grad")
		st.Matrices = []*Matrix{g, mask, m}
		st.Ops = []string{"", "⊙", "="}
		st.Reads = []string{s.ID, g.ID}
		st.Formula = mrow(mi(m.Name), mo("="), mi(g.Name), mo("⊙"), mi(mask.Name))
		c.T.Add(st)
		return []*Matrix{m}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Back through the top-k gate", "zh": "反向穿过 top-k 门"},
		"grad.text": {"en": "A kept gate passed its score on unchanged, so its gradient passes too; a dropped gate was set to 0 whatever its score, so nothing flows back to it. The ranking itself has no gradient.",
			"zh": "被保留的门把分数原样传下去，所以梯度也原样传回；被丢弃的门不管分数是多少都变成 0，所以没有梯度传回。排序本身没有梯度。"},
	},
}

var opFroGateSum = &Op{
	Name: "gate_sum", In: []string{"G", "E"}, Out: []string{"Y"}, Variadic: true, Integral: always,
	Formula: "Y = Σᵢ gᵢ ⊙ Eᵢ: column t of expert Eᵢ's output weighted by the gate G[i, t], added up over the experts",
	Grad:    "∂L/∂G[i, t] = Σᵣ ∂L/∂Y[r, t]·Eᵢ[r, t], ∂L/∂Eᵢ[r, t] = G[i, t]·∂L/∂Y[r, t]",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		experts := len(in) - 1
		if in[0].Rows != experts {
			return nil, fmt.Errorf("%s is %v but %d experts follow it: the gates need one row per expert", n.In[0], in[0], experts)
		}
		for k := 1; k < len(in); k++ {
			if in[k] != in[1] {
				return nil, fmt.Errorf("%s is %v but %s is %v: every expert's output needs one shape", n.In[1], in[1], n.In[k], in[k])
			}
			if in[k].Cols != in[0].Cols {
				return nil, fmt.Errorf("%s has %d columns but %s has %d: one gate per token (column)", n.In[k], in[k].Cols, n.In[0], in[0].Cols)
			}
		}
		return []Shape{in[1]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		g, es := in[0], in[1:]
		r, cols := es[0].Dims()
		data := mat.NewDense(r, cols, nil)
		for i := 0; i < r; i++ {
			for t := 0; t < cols; t++ {
				s := 0.0
				for k, e := range es {
					s += g.At(k, t) * e.At(i, t)
				}
				data.Set(i, t, s)
			}
		}
		o := c.Out(0)
		if o.ColLabels == nil {
			o.ColLabels = es[0].ColLabels
		}
		m := Computed(o, data, func(i, t int) Explanation {
			terms := make([]string, len(es))
			src := make([]CellRef, 0, 2*len(es))
			for k, e := range es {
				terms[k] = paren(g.At(k, t)) + "·" + paren(e.At(i, t))
				src = append(src, CellRef{g.ID, k, t}, CellRef{e.ID, i, t})
			}
			return Explanation{Formula: froSumOf(terms, data.At(i, t)), Sources: src}
		})
		s := c.Step("")
		s.Matrices = append(append([]*Matrix{}, in...), m)
		s.Ops = []string{""}
		for k := range es {
			if k == 0 {
				s.Ops = append(s.Ops, "weigh")
			} else {
				s.Ops = append(s.Ops, "+")
			}
		}
		s.Ops = append(s.Ops, "→")
		for _, x := range in {
			s.Reads = append(s.Reads, x.ID)
		}
		s.Formula = mrow(cell(m.Name, "rt"), mo("="), munder(mo("Σ"), mi("i")), cell(g.Name, "it"), mo("·"), msub(mrow(msub(mi("E"), mi("i"))), mi("rt")))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		g, es, dy := in[0], in[1:], dOut[0]
		r, cols := dy.Dims()
		res := make([]*Matrix, len(in))
		if want[0] {
			data := mat.NewDense(len(es), cols, nil)
			for k, e := range es {
				for t := 0; t < cols; t++ {
					s := 0.0
					for i := 0; i < r; i++ {
						s += dy.At(i, t) * e.At(i, t)
					}
					data.Set(k, t, s)
				}
			}
			o := c.GradOut(g)
			o.ColLabels, o.RowLabels = g.ColLabels, g.RowLabels
			m := Computed(o, data, func(k, t int) Explanation {
				terms := make([]string, r)
				src := make([]CellRef, 0, 2*r)
				for i := 0; i < r; i++ {
					terms[i] = paren(dy.At(i, t)) + "·" + paren(es[k].At(i, t))
					src = append(src, CellRef{dy.ID, i, t}, CellRef{es[k].ID, i, t})
				}
				return Explanation{Formula: froSumOf(terms, data.At(k, t)), Sources: src}
			})
			s := c.Step("dg")
			s.Matrices = append(append([]*Matrix{dy}, es...), m)
			s.Ops = []string{""}
			for k := range es {
				if k == 0 {
					s.Ops = append(s.Ops, "and")
				} else {
					s.Ops = append(s.Ops, ",")
				}
			}
			s.Ops = append(s.Ops, "→")
			s.Reads = []string{dy.ID}
			for _, e := range es {
				s.Reads = append(s.Reads, e.ID)
			}
			s.Formula = mrow(cell(m.Name, "it"), mo("="), munder(mo("Σ"), mi("r")), cell(dy.Name, "rt"), mo("·"), msub(mrow(msub(mi("E"), mi("i"))), mi("rt")))
			c.T.Add(s)
			res[0] = m
		}
		for k, e := range es {
			if !want[k+1] {
				continue
			}
			data := mat.NewDense(r, cols, nil)
			for i := 0; i < r; i++ {
				for t := 0; t < cols; t++ {
					data.Set(i, t, g.At(k, t)*dy.At(i, t))
				}
			}
			o := c.GradOut(e)
			o.ColLabels = e.ColLabels
			kk := k
			m := Computed(o, data, func(i, t int) Explanation {
				return Explanation{Formula: paren(g.At(kk, t)) + "·" + paren(dy.At(i, t)) + " = " + result(data.At(i, t)),
					Sources: []CellRef{{g.ID, kk, t}, {dy.ID, i, t}}}
			})
			s := c.Step("de" + strconv.Itoa(k+1))
			s.Matrices = []*Matrix{g, dy, m}
			s.Ops = []string{"", "row " + strconv.Itoa(k+1) + " ×", "→"}
			s.Reads = []string{g.ID, dy.ID}
			s.Formula = mrow(cell(m.Name, "rt"), mo("="), cell(g.Name, strconv.Itoa(k+1)+"t"), mo("·"), cell(dy.Name, "rt"))
			c.T.Add(s)
			res[k+1] = m
		}
		return res
	},
	Texts: froGateSumTexts(),
}

// froGateSumTexts are the texts of gate_sum's backward steps, one per
// expert (up to 8).
func froGateSumTexts() map[string]Text {
	t := map[string]Text{
		"dg.title": {"en": "Gradient of the gates {in0}", "zh": "门 {in0} 的梯度"},
		"dg.text": {"en": "Gate (i, t) weighted every value of expert i's column t, so its gradient is that column times the gradient arriving at column t of {out0}, added up.",
			"zh": "门 (i, t) 给专家 i 第 t 列的每个值加了权，所以它的梯度是这一列与到达 {out0} 第 t 列的梯度逐格相乘再相加。"},
	}
	for k := 1; k <= 8; k++ {
		in := "{in" + strconv.Itoa(k) + "}"
		t["de"+strconv.Itoa(k)+".title"] = Text{"en": "Gradient flowing into " + in, "zh": "传回 " + in + " 的梯度"}
		t["de"+strconv.Itoa(k)+".text"] = Text{
			"en": "Each column of " + in + " was weighted by its token's gate, so its gradient is the gradient arriving at {out0} times that gate: a dropped expert (gate 0) gets none.",
			"zh": in + " 的每一列都乘过该词元的门，所以它的梯度是到达 {out0} 的梯度乘以这个门：被丢弃的专家（门为 0）得不到梯度。"}
	}
	return t
}
