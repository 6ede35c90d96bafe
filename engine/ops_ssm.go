package engine

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The ops of the state-space and xLSTM walkthroughs: softplus, the
// zero-order-hold discretisation and the selective scan of Mamba, and the
// matrix memory and its normalised read-out of the mLSTM cell.
//
// Mamba's state for D channels and N states is laid out as a (D·N)×T
// matrix: row (d, n) is channel d's state n, column t is time step t. A′,
// B′ and the states H all have that shape, so every cell of the scan is one
// multiply-add a reader can follow along its row.

var _ = RegisterOps(opSsmSoftplus, opSsmDiscretize, opSsmScan, opSsmMemory, opSsmReadout)

// ssmSoftplus is ln(1 + eˣ), computed without overflow.
func ssmSoftplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// ssmPhi is φ(z) = (eᶻ − 1)/z, with its limit 1 at z = 0: the factor the
// zero-order hold puts on Δ·B.
func ssmPhi(z float64) float64 {
	if z == 0 {
		return 1
	}
	if math.Abs(z) < 1e-5 {
		return 1 + z/2 + z*z/6
	}
	return math.Expm1(z) / z
}

// ssmPhiPrime is φ′(z) = (eᶻ(z − 1) + 1)/z², with its limit ½ at z = 0
// (a series near 0, where the formula cancels).
func ssmPhiPrime(z float64) float64 {
	if math.Abs(z) < 1e-3 {
		return 0.5 + z/3 + z*z/8 + z*z*z/30
	}
	if z < -700 {
		return 1 / (z * z) // eᶻ(z − 1) has vanished
	}
	return (math.Exp(z)*(z-1) + 1) / (z * z)
}

// ssmSub writes k (1-based) as subscript digits.
func ssmSub(k int) string {
	var b strings.Builder
	for _, r := range fmt.Sprint(k) {
		b.WriteRune('₀' + r - '0')
	}
	return b.String()
}

// ssmStateLabels names the rows of a (D·N)×T state: d₁n₁, d₁n₂, …
func ssmStateLabels(d, n int) []string {
	out := make([]string, 0, d*n)
	for i := 1; i <= d; i++ {
		for k := 1; k <= n; k++ {
			out = append(out, "d"+ssmSub(i)+"n"+ssmSub(k))
		}
	}
	return out
}

// ssmShow adds a step that shows the matrices it reads, then out.
func ssmShow(c *Ctx, id, formula string, out *Matrix, shown ...*Matrix) *Matrix {
	s := c.T.NewStep(id)
	seen := map[string]bool{}
	for _, m := range shown {
		if seen[m.ID] || m.ID == out.ID {
			continue
		}
		seen[m.ID] = true
		s.Matrices = append(s.Matrices, m)
		s.Reads = append(s.Reads, m.ID)
	}
	s.Matrices = append(s.Matrices, out)
	s.Ops = make([]string, len(s.Matrices))
	for i := 1; i < len(s.Ops)-1; i++ {
		s.Ops[i] = ","
	}
	s.Ops[len(s.Ops)-1] = "→"
	s.Formula = formula
	c.T.Add(s)
	return out
}

// ssmSum writes the terms of a sum and its result.
func ssmSum(terms []string, v float64) string {
	if len(terms) == 0 {
		return "0 = " + result(v)
	}
	return strings.Join(terms, " + ") + " = " + result(v)
}

// ssmGradOut is c.GradOut(in) with in's labels.
func ssmGradOut(c *Ctx, in *Matrix) Out {
	o := c.GradOut(in)
	o.RowLabels, o.ColLabels = in.RowLabels, in.ColLabels
	return o
}

// ---------------------------------------------------------------- softplus

var opSsmSoftplus = &Op{
	Name: "softplus", In: []string{"S"}, Out: []string{"Δ"},
	Formula: "Δ = ln(1 + eˢ), cell by cell (the natural log; the Mamba sheet takes log₁₀ by mistake)",
	Grad:    "∂L/∂S = ∂L/∂Δ ⊙ σ(S)",
	Shape:   sameShape,
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		s := in[0]
		o := c.Out(0)
		if o.ColLabels == nil {
			o.ColLabels = s.ColLabels
		}
		if o.RowLabels == nil {
			o.RowLabels = s.RowLabels
		}
		r, cl := s.Dims()
		data := mat.NewDense(r, cl, nil)
		data.Apply(func(i, j int, _ float64) float64 { return ssmSoftplus(s.At(i, j)) }, data)
		y := Computed(o, data, func(i, j int) Explanation {
			x := s.At(i, j)
			f := "ln(1 + " + power(math.E, x) + ")"
			if e := math.Exp(x); e < 1e6 {
				f += " = ln(" + result(1+e) + ")"
			}
			return Explanation{Formula: f + " = " + result(data.At(i, j)), Sources: []CellRef{{s.ID, i, j}}}
		})
		ssmShow(c, c.ID(""), mrow(mi(y.Name), mo("="), mi("ln"), mo("("), mn("1"), mo("+"), msup(mi("e"), mi(s.Name)), mo(")")), y, s)
		return []*Matrix{y}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		s, g := in[0], dOut[0]
		r, cl := s.Dims()
		data := mat.NewDense(r, cl, nil)
		data.Apply(func(i, j int, _ float64) float64 { return g.At(i, j) * sigmoid(s.At(i, j)) }, data)
		o := ssmGradOut(c, s)
		d := Computed(o, data, func(i, j int) Explanation {
			return Explanation{Formula: paren(g.At(i, j)) + "·σ(" + result(s.At(i, j)) + ") = " + paren(g.At(i, j)) + "·" +
				paren(sigmoid(s.At(i, j))) + " = " + result(data.At(i, j)),
				Sources: []CellRef{{g.ID, i, j}, {s.ID, i, j}}}
		})
		ssmShow(c, c.ID("grad"), mrow(mi(o.Name), mo("="), mi(g.Name), mo("⊙"), mi("σ"), mo("("), mi(s.Name), mo(")")), d, g, s)
		return []*Matrix{d}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Back through softplus to {in0}", "zh": "反向穿过 softplus 到 {in0}"},
		"grad.text": {"en": "The slope of ln(1 + eˢ) is eˢ/(1 + eˢ), which is the sigmoid σ(s). Multiply the arriving gradient by σ of each cell of {in0}.",
			"zh": "ln(1 + eˢ) 的斜率是 eˢ/(1 + eˢ)，也就是 sigmoid σ(s)。把到达的梯度乘以 {in0} 每一格的 σ 值。"},
	},
}

// -------------------------------------------------------------- discretize

// ssmDelta returns Δ for channel d at step t: Δ is one row shared by every
// channel, or one row per channel.
func ssmDelta(dl *Matrix, d, t int) (float64, int) {
	if r, _ := dl.Dims(); r == 1 {
		return dl.At(0, t), 0
	}
	return dl.At(d, t), d
}

var opSsmDiscretize = &Op{
	Name: "discretize", In: []string{"Δ", "A", "B"}, Out: []string{"A′", "B′"},
	Formula: "zero-order hold, for channel d, state n, step t: A′ = exp(Δ·A), B′ = (A′ − 1)/(Δ·A)·Δ·B (Δ·B where Δ·A = 0); rows (d, n), columns t",
	Grad:    "∂A′/∂Δ = A·A′, ∂A′/∂A = Δ·A′, ∂B′/∂Δ = A′·B, ∂B′/∂A = Δ²·B·φ′(Δ·A), ∂B′/∂B = φ(Δ·A)·Δ, with φ(z) = (eᶻ − 1)/z",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		dl, a, b := in[0], in[1], in[2]
		if a.Cols != b.Rows {
			return nil, fmt.Errorf("%s is %v, so each channel has %d states, but %s has %d rows: B needs one row per state",
				n.In[1], a, a.Cols, n.In[2], b.Rows)
		}
		if dl.Cols != b.Cols {
			return nil, fmt.Errorf("%s has %d columns (time steps) but %s has %d: Δ and B need one column per step",
				n.In[0], dl.Cols, n.In[2], b.Cols)
		}
		if dl.Rows != 1 && dl.Rows != a.Rows {
			return nil, fmt.Errorf("%s has %d rows: Δ is one row shared by every channel, or one row per channel (%d, the rows of %s)",
				n.In[0], dl.Rows, a.Rows, n.In[1])
		}
		s := Shape{a.Rows * a.Cols, b.Cols}
		return []Shape{s, s}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		dl, a, b := in[0], in[1], in[2]
		D, N := a.Dims()
		_, T := b.Dims()
		ap, bp := mat.NewDense(D*N, T, nil), mat.NewDense(D*N, T, nil)
		for d := 0; d < D; d++ {
			for k := 0; k < N; k++ {
				for t := 0; t < T; t++ {
					delta, _ := ssmDelta(dl, d, t)
					ap.Set(d*N+k, t, math.Exp(delta*a.At(d, k)))
				}
			}
		}
		labels := func(o Out) Out {
			if o.RowLabels == nil {
				o.RowLabels = ssmStateLabels(D, N)
			}
			if o.ColLabels == nil {
				o.ColLabels = b.ColLabels
			}
			return o
		}
		am := Computed(labels(c.Out(0)), ap, func(r, t int) Explanation {
			d, k := r/N, r%N
			delta, dr := ssmDelta(dl, d, t)
			z := delta * a.At(d, k)
			return Explanation{Formula: "exp(" + paren(delta) + "·" + paren(a.At(d, k)) + ") = " + power(math.E, z) + " = " + result(ap.At(r, t)),
				Sources: []CellRef{{dl.ID, dr, t}, {a.ID, d, k}}}
		})
		ssmShow(c, c.ID(""), mrow(mi(am.Name), mo("="), mi("exp"), mo("("), mi(dl.Name), mo("·"), mi(a.Name), mo(")")), am, dl, a)
		// B′ = (A′ − 1)/(Δ·A)·Δ·B with A′ as the step before shows it;
		// where A′ is exp(Δ·A) itself, the fraction is φ(Δ·A), computed
		// without the cancellation of A′ − 1 near 0.
		for d := 0; d < D; d++ {
			for k := 0; k < N; k++ {
				for t := 0; t < T; t++ {
					delta, _ := ssmDelta(dl, d, t)
					z, r := delta*a.At(d, k), d*N+k
					phi := ssmPhi(z)
					if v := ap.At(r, t); v != math.Exp(z) && z != 0 {
						phi = (v - 1) / z
					}
					bp.Set(r, t, phi*delta*b.At(k, t))
				}
			}
		}
		bm := Computed(labels(c.Out(1)), bp, func(r, t int) Explanation {
			d, k := r/N, r%N
			delta, dr := ssmDelta(dl, d, t)
			z := delta * a.At(d, k)
			src := []CellRef{{am.ID, r, t}, {dl.ID, dr, t}, {a.ID, d, k}, {b.ID, k, t}}
			if z == 0 {
				// The limit of (eᶻ − 1)/z at z = 0 is 1: A′ is not read.
				return Explanation{Formula: "Δ·A = 0 → " + paren(delta) + "·" + paren(b.At(k, t)) + " = " + result(bp.At(r, t)), Sources: src[1:]}
			}
			return Explanation{Formula: "(" + result(ap.At(r, t)) + " − 1)/(" + paren(delta) + "·" + paren(a.At(d, k)) + ")·" +
				paren(delta) + "·" + paren(b.At(k, t)) + " = " + result(bp.At(r, t)), Sources: src}
		})
		ssmShow(c, c.ID("b"), mrow(mi(bm.Name), mo("="), mfrac(mrow(mi(am.Name), mo("−"), mn("1")), mrow(mi(dl.Name), mo("·"), mi(a.Name))),
			mo("·"), mi(dl.Name), mo("·"), mi(b.Name)), bm, am, dl, a, b)
		return []*Matrix{am, bm}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		dl, a, b := in[0], in[1], in[2]
		am := out[0]
		ga, gb := dOut[0], dOut[1]
		D, N := a.Dims()
		_, T := b.Dims()
		g := make([]*Matrix, 3)
		if want[0] {
			// ∂L/∂Δ: every (d, n) that Δ's cell fed, A′·(∂L/∂A′·A + ∂L/∂B′·B).
			dr, _ := dl.Dims()
			data := mat.NewDense(dr, T, nil)
			for d := 0; d < D; d++ {
				for k := 0; k < N; k++ {
					for t := 0; t < T; t++ {
						_, row := ssmDelta(dl, d, t)
						r := d*N + k
						v := am.At(r, t) * (ga.At(r, t)*a.At(d, k) + gb.At(r, t)*b.At(k, t))
						data.Set(row, t, data.At(row, t)+v)
					}
				}
			}
			o := ssmGradOut(c, dl)
			g[0] = Computed(o, data, func(i, t int) Explanation {
				var terms []string
				var src []CellRef
				for d := 0; d < D; d++ {
					if dr > 1 && d != i {
						continue
					}
					for k := 0; k < N; k++ {
						r := d*N + k
						terms = append(terms, paren(am.At(r, t))+"·("+paren(ga.At(r, t))+"·"+paren(a.At(d, k))+" + "+paren(gb.At(r, t))+"·"+paren(b.At(k, t))+")")
						src = append(src, CellRef{am.ID, r, t}, CellRef{ga.ID, r, t}, CellRef{a.ID, d, k}, CellRef{gb.ID, r, t}, CellRef{b.ID, k, t})
					}
				}
				return Explanation{Formula: ssmSum(terms, data.At(i, t)), Sources: src}
			})
			ssmShow(c, c.ID("dd"), mrow(mi(o.Name), mo("="), mo("Σ"), mi(am.Name), mo("⊙"), mo("("), mi(ga.Name), mo("⊙"), mi(a.Name),
				mo("+"), mi(gb.Name), mo("⊙"), mi(b.Name), mo(")")), g[0], am, ga, a, gb, b)
		}
		if want[1] {
			// ∂L/∂A: every step t, Δ·(∂L/∂A′·A′ + ∂L/∂B′·Δ·B·φ′(Δ·A)).
			data := mat.NewDense(D, N, nil)
			term := func(d, k, t int) (float64, string, []CellRef) {
				delta, dr := ssmDelta(dl, d, t)
				r := d*N + k
				pp := ssmPhiPrime(delta * a.At(d, k))
				v := delta * (ga.At(r, t)*am.At(r, t) + gb.At(r, t)*delta*b.At(k, t)*pp)
				s := paren(delta) + "·(" + paren(ga.At(r, t)) + "·" + paren(am.At(r, t)) + " + " + paren(gb.At(r, t)) + "·" + paren(delta) + "·" +
					paren(b.At(k, t)) + "·" + paren(pp) + ")"
				return v, s, []CellRef{{dl.ID, dr, t}, {ga.ID, r, t}, {am.ID, r, t}, {gb.ID, r, t}, {b.ID, k, t}, {a.ID, d, k}}
			}
			for d := 0; d < D; d++ {
				for k := 0; k < N; k++ {
					for t := 0; t < T; t++ {
						v, _, _ := term(d, k, t)
						data.Set(d, k, data.At(d, k)+v)
					}
				}
			}
			o := ssmGradOut(c, a)
			g[1] = Computed(o, data, func(d, k int) Explanation {
				var terms []string
				var src []CellRef
				for t := 0; t < T; t++ {
					_, s, cs := term(d, k, t)
					terms = append(terms, s)
					src = append(src, cs...)
				}
				return Explanation{Formula: ssmSum(terms, data.At(d, k)), Sources: src}
			})
			ssmShow(c, c.ID("da"), mrow(mi(o.Name), mo("="), munder(mo("Σ"), mi("t")), mi(dl.Name), mo("·"), mo("("), mi(ga.Name), mo("⊙"), mi(am.Name),
				mo("+"), mi(gb.Name), mo("⊙"), mi(dl.Name), mo("·"), mi(b.Name), mo("·"), mi("φ′"), mo("("), mi(dl.Name), mo("·"), mi(a.Name), mo(")"), mo(")")),
				g[1], dl, ga, am, gb, b, a)
		}
		if want[2] {
			// ∂L/∂B: every channel d, ∂L/∂B′·φ(Δ·A)·Δ.
			data := mat.NewDense(N, T, nil)
			for d := 0; d < D; d++ {
				for k := 0; k < N; k++ {
					for t := 0; t < T; t++ {
						delta, _ := ssmDelta(dl, d, t)
						data.Set(k, t, data.At(k, t)+gb.At(d*N+k, t)*ssmPhi(delta*a.At(d, k))*delta)
					}
				}
			}
			o := ssmGradOut(c, b)
			g[2] = Computed(o, data, func(k, t int) Explanation {
				var terms []string
				var src []CellRef
				for d := 0; d < D; d++ {
					delta, dr := ssmDelta(dl, d, t)
					r := d*N + k
					terms = append(terms, paren(gb.At(r, t))+"·"+paren(ssmPhi(delta*a.At(d, k)))+"·"+paren(delta))
					src = append(src, CellRef{gb.ID, r, t}, CellRef{dl.ID, dr, t}, CellRef{a.ID, d, k})
				}
				return Explanation{Formula: ssmSum(terms, data.At(k, t)), Sources: src}
			})
			ssmShow(c, c.ID("db"), mrow(mi(o.Name), mo("="), munder(mo("Σ"), mi("d")), mi(gb.Name), mo("⊙"), mi("φ"), mo("("), mi(dl.Name), mo("·"), mi(a.Name), mo(")"),
				mo("·"), mi(dl.Name)), g[2], gb, dl, a)
		}
		return g
	},
	Texts: map[string]Text{
		"b.title": {"en": "Discretise B: B′ = (A′ − 1)/(Δ·A)·Δ·B", "zh": "离散化 B：B′ = (A′ − 1)/(Δ·A)·Δ·B"},
		"b.text": {"en": "The zero-order hold also turns B into a step's worth of input: for channel d, state n and step t, (A′ − 1)/(Δ·A) times Δ·B. Where Δ·A is 0 the fraction is 0/0; its limit is 1, so B′ is just Δ·B there.",
			"zh": "零阶保持同样把 B 变成一步的输入量：对通道 d、状态 n、时刻 t，B′ 等于 (A′ − 1)/(Δ·A) 乘以 Δ·B。Δ·A 为 0 时这个分式是 0/0，它的极限是 1，所以那里 B′ 就是 Δ·B。"},
		"dd.title": {"en": "Gradient of the step sizes {in0}", "zh": "步长 {in0} 的梯度"},
		"dd.text": {"en": "Δ appears in both A′ = exp(Δ·A) and B′. The slope of A′ along Δ is A·A′, and the slope of B′ along Δ works out to A′·B. Each cell of Δ collects A′·(∂L/∂A′·A + ∂L/∂B′·B) from every state it fed.",
			"zh": "Δ 同时出现在 A′ = exp(Δ·A) 和 B′ 中。A′ 对 Δ 的斜率是 A·A′，B′ 对 Δ 的斜率化简后是 A′·B。Δ 的每一格把它影响过的每个状态的 A′·(∂L/∂A′·A + ∂L/∂B′·B) 加起来。"},
		"da.title": {"en": "Gradient of the decay rates {in1}", "zh": "衰减率 {in1} 的梯度"},
		"da.text": {"en": "A′ = exp(Δ·A) has slope Δ·A′ along A. B′ = φ(Δ·A)·Δ·B with φ(z) = (eᶻ − 1)/z has slope Δ²·B·φ′(Δ·A), where φ′(z) = (eᶻ(z − 1) + 1)/z², which is ½ at z = 0. A is shared by every step, so the steps' parts add up.",
			"zh": "A′ = exp(Δ·A) 对 A 的斜率是 Δ·A′。B′ = φ(Δ·A)·Δ·B，其中 φ(z) = (eᶻ − 1)/z，它对 A 的斜率是 Δ²·B·φ′(Δ·A)，φ′(z) = (eᶻ(z − 1) + 1)/z²，在 z = 0 处为 ½。A 在每个时刻都被用到，所以各时刻的部分要加起来。"},
		"db.title": {"en": "Gradient of the input projections {in2}", "zh": "输入投影 {in2} 的梯度"},
		"db.text": {"en": "B′ is B times the fixed factor φ(Δ·A)·Δ, so the gradient of B is ∂L/∂B′ times that factor, added over the channels that share B.",
			"zh": "B′ 等于 B 乘以因子 φ(Δ·A)·Δ，所以 B 的梯度是 ∂L/∂B′ 乘以这个因子，再对共用 B 的各通道求和。"},
	},
}

// ---------------------------------------------------------- selective_scan

var opSsmScan = &Op{
	Name: "selective_scan", In: []string{"A′", "B′", "X", "C"}, Out: []string{"H", "Y"},
	Formula: "hₜ = A′ₜ ⊙ hₜ₋₁ + B′ₜ·xₜ for each channel's states (h₀ = 0), yₜ = Cₜ·hₜ per channel; rows (d, n), columns t",
	Grad:    "through time: Gₜ = Cₜ·∂L/∂yₜ + A′ₜ₊₁ ⊙ Gₜ₊₁; ∂L/∂A′ₜ = Gₜ ⊙ hₜ₋₁, ∂L/∂B′ₜ = Gₜ·xₜ, ∂L/∂xₜ = Σₙ B′ₜ ⊙ Gₜ, ∂L/∂Cₜ = Σ over d of ∂L/∂yₜ·hₜ",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		ap, bp, x, cc := in[0], in[1], in[2], in[3]
		if ap != bp {
			return nil, fmt.Errorf("%s is %v but %s is %v: A′ and B′ need one shape", n.In[0], ap, n.In[1], bp)
		}
		if x.Cols != ap.Cols || cc.Cols != ap.Cols {
			return nil, fmt.Errorf("%s, %s and %s need one column per time step; they have %d, %d and %d",
				n.In[0], n.In[2], n.In[3], ap.Cols, x.Cols, cc.Cols)
		}
		if ap.Rows != x.Rows*cc.Rows {
			return nil, fmt.Errorf("%s has %d rows, but %s has %d channels and %s %d states: A′ needs one row per channel and state (%d)",
				n.In[0], ap.Rows, n.In[2], x.Rows, n.In[3], cc.Rows, x.Rows*cc.Rows)
		}
		return []Shape{ap, x}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		ap, bp, x, cc := in[0], in[1], in[2], in[3]
		D, T := x.Dims()
		N, _ := cc.Dims()
		h := mat.NewDense(D*N, T, nil)
		oh := c.Out(0)
		if oh.RowLabels == nil {
			oh.RowLabels = ap.RowLabels
		}
		if oh.ColLabels == nil {
			oh.ColLabels = x.ColLabels
		}
		var hm *Matrix
		hm = Computed(oh, h, func(r, t int) Explanation {
			src := []CellRef{{ap.ID, r, t}, {bp.ID, r, t}, {x.ID, r / N, t}}
			prev := "0"
			if t > 0 {
				prev = paren(h.At(r, t-1))
				src = append(src, CellRef{hm.ID, r, t - 1})
			}
			return Explanation{Formula: paren(ap.At(r, t)) + "·" + prev + " + " + paren(bp.At(r, t)) + "·" + paren(x.At(r/N, t)) + " = " + result(h.At(r, t)),
				Sources: src}
		})
		// Each state reads the one before it as the page shows it.
		for r := 0; r < D*N; r++ {
			prev := 0.0
			for t := 0; t < T; t++ {
				h.Set(r, t, ap.At(r, t)*prev+bp.At(r, t)*x.At(r/N, t))
				c.T.readyCell(hm, r, t)
				prev = h.At(r, t)
			}
		}
		ssmShow(c, c.ID(""), mrow(msub(mi("h"), mi("t")), mo("="), msub(mi(ap.Name), mi("t")), mo("⊙"), msub(mi("h"), mrow(mi("t"), mo("−"), mn("1"))),
			mo("+"), msub(mi(bp.Name), mi("t")), mo("·"), msub(mi(x.Name), mi("t"))), hm, ap, bp, x)
		y := mat.NewDense(D, T, nil)
		for d := 0; d < D; d++ {
			for t := 0; t < T; t++ {
				s := 0.0
				for k := 0; k < N; k++ {
					s += cc.At(k, t) * h.At(d*N+k, t)
				}
				y.Set(d, t, s)
			}
		}
		oy := c.Out(1)
		if oy.RowLabels == nil {
			oy.RowLabels = x.RowLabels
		}
		if oy.ColLabels == nil {
			oy.ColLabels = x.ColLabels
		}
		ym := Computed(oy, y, func(d, t int) Explanation {
			terms := make([]string, N)
			src := make([]CellRef, 0, 2*N)
			for k := 0; k < N; k++ {
				terms[k] = paren(cc.At(k, t)) + "·" + paren(h.At(d*N+k, t))
				src = append(src, CellRef{cc.ID, k, t}, CellRef{hm.ID, d*N + k, t})
			}
			return Explanation{Formula: ssmSum(terms, y.At(d, t)), Sources: src}
		})
		ssmShow(c, c.ID("y"), mrow(msub(mi("y"), mi("dt")), mo("="), munder(mo("Σ"), mi("n")), msub(mi(cc.Name), mi("nt")), mo("·"), msub(mi(hm.Name), mi("dn,t"))), ym, cc, hm)
		return []*Matrix{hm, ym}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		ap, bp, x, cc := in[0], in[1], in[2], in[3]
		hm := out[0]
		gh, gy := dOut[0], dOut[1]
		D, T := x.Dims()
		N, _ := cc.Dims()
		direct := !strings.HasPrefix(gh.ID, "0") // H is read elsewhere too
		// G: the gradient of the loss with respect to each state, through
		// its read-out and through every later state, from the last step back.
		gd := mat.NewDense(D*N, T, nil)
		og := Out{ID: "dh." + c.prefix + n.ID, Name: "∂L/∂" + group(hm.Name), Role: RoleGradient, Hue: HueGradient,
			RowLabels: hm.RowLabels, ColLabels: hm.ColLabels}
		var gm *Matrix
		gm = Computed(og, gd, func(r, t int) Explanation {
			f := paren(cc.At(r%N, t)) + "·" + paren(gy.At(r/N, t))
			src := []CellRef{{cc.ID, r % N, t}, {gy.ID, r / N, t}}
			if direct {
				f = paren(gh.At(r, t)) + " + " + f
				src = append(src, CellRef{gh.ID, r, t})
			}
			if t+1 < T {
				f += " + " + paren(ap.At(r, t+1)) + "·" + paren(gd.At(r, t+1))
				src = append(src, CellRef{ap.ID, r, t + 1}, CellRef{gm.ID, r, t + 1})
			}
			return Explanation{Formula: f + " = " + result(gd.At(r, t)), Sources: src}
		})
		// Each state's gradient reads the next one's as the page shows it.
		for r := 0; r < D*N; r++ {
			for t := T - 1; t >= 0; t-- {
				v := cc.At(r%N, t) * gy.At(r/N, t)
				if direct {
					v += gh.At(r, t)
				}
				if t+1 < T {
					v += ap.At(r, t+1) * gd.At(r, t+1)
				}
				gd.Set(r, t, v)
				c.T.readyCell(gm, r, t)
			}
		}
		shown := []*Matrix{cc, gy, ap}
		if direct {
			shown = append(shown, gh)
		}
		ssmShow(c, c.ID("dh"), mrow(msub(mi("G"), mi("t")), mo("="), msub(mi(cc.Name), mi("t")), mo("·"), msub(mi(gy.Name), mi("t")), mo("+"),
			msub(mi(ap.Name), mrow(mi("t"), mo("+"), mn("1"))), mo("⊙"), msub(mi("G"), mrow(mi("t"), mo("+"), mn("1")))), gm, shown...)
		g := make([]*Matrix, 4)
		if want[0] {
			o := ssmGradOut(c, ap)
			data := mat.NewDense(D*N, T, nil)
			for r := 0; r < D*N; r++ {
				data.Set(r, 0, gd.At(r, 0)*0+0) // h₀ = 0; +0: no −0
				for t := 1; t < T; t++ {
					data.Set(r, t, gd.At(r, t)*hm.At(r, t-1))
				}
			}
			g[0] = Computed(o, data, func(r, t int) Explanation {
				if t == 0 {
					return Explanation{Formula: paren(gd.At(r, t)) + "·0 (h₀ = 0) = 0", Sources: []CellRef{{gm.ID, r, t}}}
				}
				return Explanation{Formula: paren(gd.At(r, t)) + "·" + paren(hm.At(r, t-1)) + " = " + result(data.At(r, t)),
					Sources: []CellRef{{gm.ID, r, t}, {hm.ID, r, t - 1}}}
			})
			ssmShow(c, c.ID("da"), mrow(msub(mi(o.Name), mi("t")), mo("="), msub(mi("G"), mi("t")), mo("⊙"), msub(mi(hm.Name), mrow(mi("t"), mo("−"), mn("1")))), g[0], gm, hm)
		}
		if want[1] {
			o := ssmGradOut(c, bp)
			data := mat.NewDense(D*N, T, nil)
			data.Apply(func(r, t int, _ float64) float64 { return gd.At(r, t) * x.At(r/N, t) }, data)
			g[1] = Computed(o, data, func(r, t int) Explanation {
				return Explanation{Formula: paren(gd.At(r, t)) + "·" + paren(x.At(r/N, t)) + " = " + result(data.At(r, t)),
					Sources: []CellRef{{gm.ID, r, t}, {x.ID, r / N, t}}}
			})
			ssmShow(c, c.ID("db"), mrow(msub(mi(o.Name), mi("t")), mo("="), msub(mi("G"), mi("t")), mo("·"), msub(mi(x.Name), mi("t"))), g[1], gm, x)
		}
		if want[2] {
			o := ssmGradOut(c, x)
			data := mat.NewDense(D, T, nil)
			for d := 0; d < D; d++ {
				for t := 0; t < T; t++ {
					s := 0.0
					for k := 0; k < N; k++ {
						s += bp.At(d*N+k, t) * gd.At(d*N+k, t)
					}
					data.Set(d, t, s)
				}
			}
			g[2] = Computed(o, data, func(d, t int) Explanation {
				terms := make([]string, N)
				var src []CellRef
				for k := 0; k < N; k++ {
					terms[k] = paren(bp.At(d*N+k, t)) + "·" + paren(gd.At(d*N+k, t))
					src = append(src, CellRef{bp.ID, d*N + k, t}, CellRef{gm.ID, d*N + k, t})
				}
				return Explanation{Formula: ssmSum(terms, data.At(d, t)), Sources: src}
			})
			ssmShow(c, c.ID("dx"), mrow(msub(mi(o.Name), mi("dt")), mo("="), munder(mo("Σ"), mi("n")), msub(mi(bp.Name), mi("dn,t")), mo("·"), msub(mi("G"), mi("dn,t"))), g[2], bp, gm)
		}
		if want[3] {
			o := ssmGradOut(c, cc)
			data := mat.NewDense(N, T, nil)
			for k := 0; k < N; k++ {
				for t := 0; t < T; t++ {
					s := 0.0
					for d := 0; d < D; d++ {
						s += gy.At(d, t) * hm.At(d*N+k, t)
					}
					data.Set(k, t, s)
				}
			}
			g[3] = Computed(o, data, func(k, t int) Explanation {
				terms := make([]string, D)
				var src []CellRef
				for d := 0; d < D; d++ {
					terms[d] = paren(gy.At(d, t)) + "·" + paren(hm.At(d*N+k, t))
					src = append(src, CellRef{gy.ID, d, t}, CellRef{hm.ID, d*N + k, t})
				}
				return Explanation{Formula: ssmSum(terms, data.At(k, t)), Sources: src}
			})
			ssmShow(c, c.ID("dc"), mrow(msub(mi(o.Name), mi("nt")), mo("="), munder(mo("Σ"), mi("d")), msub(mi(gy.Name), mi("dt")), mo("·"), msub(mi(hm.Name), mi("dn,t"))), g[3], gy, hm)
		}
		return g
	},
	Texts: map[string]Text{
		"y.title": {"en": "Read out: y = C·h for each channel", "zh": "读出：每个通道 y = C·h"},
		"y.text": {"en": "At each step, each channel's output is its states weighted by that step's C and added up: one row of C's column times the channel's states.",
			"zh": "每个时刻，每个通道的输出是它的各个状态按这一时刻的 C 加权后相加：C 的这一列与该通道的状态逐个相乘再求和。"},
		"dh.title": {"en": "Back through time: the gradient of each state", "zh": "沿时间反向：每个状态的梯度"},
		"dh.text": {"en": "Work from the last step back. A state reaches the loss through its own read-out (C·∂L/∂y) and through the next state, which carries it on multiplied by the next A′. So each cell is C·∂L/∂y plus the next step's A′ times the next cell's gradient.",
			"zh": "从最后一个时刻往回算。一个状态通过两条路影响损失：它自己的读出（C·∂L/∂y），以及下一个状态——下一个状态把它乘以下一时刻的 A′ 带下去。所以每一格等于 C·∂L/∂y，加上下一时刻的 A′ 乘以右边那一格的梯度。"},
		"da.title": {"en": "Gradient of the decays {in0}", "zh": "衰减 {in0} 的梯度"},
		"da.text": {"en": "A′ at step t multiplied the previous state, so its gradient is the state's gradient times the previous state. At the first step the previous state is 0.",
			"zh": "时刻 t 的 A′ 乘的是前一个状态，所以它的梯度是该状态的梯度乘以前一个状态。第一个时刻的前一个状态是 0。"},
		"db.title": {"en": "Gradient of the input weights {in1}", "zh": "输入权重 {in1} 的梯度"},
		"db.text": {"en": "B′ at step t multiplied the channel's input at t, so its gradient is the state's gradient times that input.",
			"zh": "时刻 t 的 B′ 乘的是该通道在 t 时刻的输入，所以它的梯度是状态的梯度乘以这个输入。"},
		"dx.title": {"en": "Gradient of the inputs {in2}", "zh": "输入 {in2} 的梯度"},
		"dx.text": {"en": "Each input fed every state of its channel through B′; add up B′ times each of those states' gradients.",
			"zh": "每个输入通过 B′ 进入它所在通道的每个状态；把 B′ 乘以这些状态的梯度加起来。"},
		"dc.title": {"en": "Gradient of the read-out weights {in3}", "zh": "读出权重 {in3} 的梯度"},
		"dc.text": {"en": "C at step t weighted state n of every channel; its gradient adds, over the channels, the output's gradient times that state.",
			"zh": "时刻 t 的 C 给每个通道的第 n 个状态加权；它的梯度是对各通道把输出的梯度乘以该状态再相加。"},
	},
}

// ------------------------------------------------------------ mLSTM memory

// ssmStepParam is the time-step parameter of the mLSTM ops: which column
// of the gate rows and projections this step reads.
var ssmStepParam = Param{Name: "t", Kind: KindNumber, Default: NumParam(1), Doc: "the time step (column of F, I, K, V or Q) this cell reads, counting from 1"}

// ssmT returns the 0-based column of a node's time step.
func ssmT(n *Node) int { return n.Int("t") - 1 }

// ssmColumnGrad makes the gradient of a whole gate row or projection of
// which the step used column t only: the other columns are 0.
func ssmColumnGrad(o Out, rows, cols, t int, col func(i int) float64, explain func(i int) Explanation) *Matrix {
	data := mat.NewDense(rows, cols, nil)
	for i := 0; i < rows; i++ {
		data.Set(i, t, col(i))
	}
	return Computed(o, data, func(i, j int) Explanation {
		if j != t {
			// A constant: it reads nothing.
			only := "step " + fmt.Sprint(t+1) + " reads only column " + fmt.Sprint(t+1)
			return Explanation{Formula: only + " → 0", terms: only}
		}
		return explain(i)
	})
}

var opSsmMemory = &Op{
	Name: "mlstm_memory", In: []string{"F", "I", "K", "V", "C", "n"}, Out: []string{"C", "n"}, Integral: always,
	Params:  []Param{ssmStepParam},
	Formula: "at step t: C = f·C₋ + i·v kᵀ (a d×d memory), n = f·n₋ + i·k, with f, i the step's gates and k, v its columns of K and V",
	Grad:    "∂L/∂C₋ = f·∂L/∂C, ∂L/∂n₋ = f·∂L/∂n, ∂L/∂f = Σ ∂L/∂C ⊙ C₋ + Σ ∂L/∂n ⊙ n₋, ∂L/∂i = Σ ∂L/∂C ⊙ v kᵀ + Σ ∂L/∂n ⊙ k, ∂L/∂v = i·∂L/∂C·k, ∂L/∂k = i·(∂L/∂Cᵀ·v + ∂L/∂n)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		f, i, k, v, cm, nv := in[0], in[1], in[2], in[3], in[4], in[5]
		if f.Rows != 1 || i.Rows != 1 {
			return nil, fmt.Errorf("%s and %s should be rows of gate values, one per step; they are %v and %v", n.In[0], n.In[1], f, i)
		}
		if k != v || k.Cols != f.Cols || i.Cols != f.Cols {
			return nil, fmt.Errorf("%s, %s, %s and %s need one column per time step, and K and V one shape; they are %v, %v, %v and %v",
				n.In[0], n.In[1], n.In[2], n.In[3], f, i, k, v)
		}
		if cm != (Shape{k.Rows, k.Rows}) || nv != (Shape{k.Rows, 1}) {
			return nil, fmt.Errorf("%s should be %d×%d and %s %d×1 (the memory and the normaliser of size %d); they are %v and %v",
				n.In[4], k.Rows, k.Rows, n.In[5], k.Rows, k.Rows, cm, nv)
		}
		if t := n.Int("t"); t < 1 || t > f.Cols {
			return nil, fmt.Errorf("t = %d, but there are %d time steps", t, f.Cols)
		}
		return []Shape{cm, nv}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		f, i, k, v, cp, np := in[0], in[1], in[2], in[3], in[4], in[5]
		t := ssmT(n)
		d, _ := k.Dims()
		fv, iv := f.At(0, t), i.At(0, t)
		sub := ssmSub(t + 1)
		cd := mat.NewDense(d, d, nil)
		cd.Apply(func(a, b int, _ float64) float64 { return fv*cp.At(a, b) + iv*v.At(a, t)*k.At(b, t) }, cd)
		oc := c.Out(0)
		cm := Computed(oc, cd, func(a, b int) Explanation {
			return Explanation{Formula: paren(fv) + "·" + paren(cp.At(a, b)) + " + " + paren(iv) + "·" + paren(v.At(a, t)) + "·" + paren(k.At(b, t)) + " = " + result(cd.At(a, b)),
				Sources: []CellRef{{f.ID, 0, t}, {cp.ID, a, b}, {i.ID, 0, t}, {v.ID, a, t}, {k.ID, b, t}}}
		})
		ssmShow(c, c.ID(""), mrow(mi(cm.Name), mo("="), mi("f"+sub), mo("·"), mi(cp.Name), mo("+"), mi("i"+sub), mo("·"), mi("v"+sub), mi("k"+sub+"ᵀ")), cm, f, i, v, k, cp)
		nd := mat.NewDense(d, 1, nil)
		nd.Apply(func(a, _ int, _ float64) float64 { return fv*np.At(a, 0) + iv*k.At(a, t) }, nd)
		nm := Computed(c.Out(1), nd, func(a, _ int) Explanation {
			return Explanation{Formula: paren(fv) + "·" + paren(np.At(a, 0)) + " + " + paren(iv) + "·" + paren(k.At(a, t)) + " = " + result(nd.At(a, 0)),
				Sources: []CellRef{{f.ID, 0, t}, {np.ID, a, 0}, {i.ID, 0, t}, {k.ID, a, t}}}
		})
		ssmShow(c, c.ID("n"), mrow(mi(nm.Name), mo("="), mi("f"+sub), mo("·"), mi(np.Name), mo("+"), mi("i"+sub), mo("·"), mi("k"+sub)), nm, f, i, k, np)
		return []*Matrix{cm, nm}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		f, i, k, v, cp, np := in[0], in[1], in[2], in[3], in[4], in[5]
		gc, gn := dOut[0], dOut[1]
		t := ssmT(n)
		d, T := k.Dims()
		fv, iv := f.At(0, t), i.At(0, t)
		sub := ssmSub(t + 1)
		g := make([]*Matrix, 6)
		if want[0] {
			var s float64
			var terms []string
			var src []CellRef
			for a := 0; a < d; a++ {
				for b := 0; b < d; b++ {
					s += gc.At(a, b) * cp.At(a, b)
					terms = append(terms, paren(gc.At(a, b))+"·"+paren(cp.At(a, b)))
					src = append(src, CellRef{gc.ID, a, b}, CellRef{cp.ID, a, b})
				}
			}
			for a := 0; a < d; a++ {
				s += gn.At(a, 0) * np.At(a, 0)
				terms = append(terms, paren(gn.At(a, 0))+"·"+paren(np.At(a, 0)))
				src = append(src, CellRef{gn.ID, a, 0}, CellRef{np.ID, a, 0})
			}
			o := ssmGradOut(c, f)
			g[0] = ssmColumnGrad(o, 1, T, t, func(int) float64 { return s }, func(int) Explanation {
				return Explanation{Formula: ssmSum(terms, s), Sources: src}
			})
			ssmShow(c, c.ID("df"), mrow(mi("∂L/∂f"+sub), mo("="), mo("Σ"), mi(gc.Name), mo("⊙"), mi(cp.Name), mo("+"), mo("Σ"), mi(gn.Name), mo("⊙"), mi(np.Name)),
				g[0], gc, cp, gn, np)
		}
		if want[1] {
			var s float64
			var terms []string
			var src []CellRef
			for a := 0; a < d; a++ {
				for b := 0; b < d; b++ {
					s += gc.At(a, b) * v.At(a, t) * k.At(b, t)
					terms = append(terms, paren(gc.At(a, b))+"·"+paren(v.At(a, t))+"·"+paren(k.At(b, t)))
					src = append(src, CellRef{gc.ID, a, b}, CellRef{v.ID, a, t}, CellRef{k.ID, b, t})
				}
			}
			for a := 0; a < d; a++ {
				s += gn.At(a, 0) * k.At(a, t)
				terms = append(terms, paren(gn.At(a, 0))+"·"+paren(k.At(a, t)))
				src = append(src, CellRef{gn.ID, a, 0}, CellRef{k.ID, a, t})
			}
			o := ssmGradOut(c, i)
			g[1] = ssmColumnGrad(o, 1, T, t, func(int) float64 { return s }, func(int) Explanation {
				return Explanation{Formula: ssmSum(terms, s), Sources: src}
			})
			ssmShow(c, c.ID("di"), mrow(mi("∂L/∂i"+sub), mo("="), mo("Σ"), mi(gc.Name), mo("⊙"), mi("v"+sub), mi("k"+sub+"ᵀ"), mo("+"), mo("Σ"), mi(gn.Name), mo("⊙"), mi("k"+sub)),
				g[1], gc, v, k, gn)
		}
		if want[2] {
			col := func(b int) float64 {
				s := gn.At(b, 0)
				for a := 0; a < d; a++ {
					s += gc.At(a, b) * v.At(a, t)
				}
				return iv * s
			}
			o := ssmGradOut(c, k)
			g[2] = ssmColumnGrad(o, d, T, t, col, func(b int) Explanation {
				terms := []string{}
				src := []CellRef{{i.ID, 0, t}, {gn.ID, b, 0}}
				for a := 0; a < d; a++ {
					terms = append(terms, paren(gc.At(a, b))+"·"+paren(v.At(a, t)))
					src = append(src, CellRef{gc.ID, a, b}, CellRef{v.ID, a, t})
				}
				terms = append(terms, paren(gn.At(b, 0)))
				return Explanation{Formula: paren(iv) + "·(" + strings.Join(terms, " + ") + ") = " + result(col(b)), Sources: src}
			})
			ssmShow(c, c.ID("dk"), mrow(mi("∂L/∂k"+sub), mo("="), mi("i"+sub), mo("·"), mo("("), msup(mi(gc.Name), mi("T")), mi("v"+sub), mo("+"), mi(gn.Name), mo(")")),
				g[2], i, gc, v, gn)
		}
		if want[3] {
			col := func(a int) float64 {
				s := 0.0
				for b := 0; b < d; b++ {
					s += gc.At(a, b) * k.At(b, t)
				}
				return iv * s
			}
			o := ssmGradOut(c, v)
			g[3] = ssmColumnGrad(o, d, T, t, col, func(a int) Explanation {
				terms := []string{}
				src := []CellRef{{i.ID, 0, t}}
				for b := 0; b < d; b++ {
					terms = append(terms, paren(gc.At(a, b))+"·"+paren(k.At(b, t)))
					src = append(src, CellRef{gc.ID, a, b}, CellRef{k.ID, b, t})
				}
				return Explanation{Formula: paren(iv) + "·(" + strings.Join(terms, " + ") + ") = " + result(col(a)), Sources: src}
			})
			ssmShow(c, c.ID("dv"), mrow(mi("∂L/∂v"+sub), mo("="), mi("i"+sub), mo("·"), mi(gc.Name), mi("k"+sub)), g[3], i, gc, k)
		}
		scaled := func(suffix string, in, gm *Matrix) *Matrix {
			o := ssmGradOut(c, in)
			r, cl := gm.Dims()
			data := mat.NewDense(r, cl, nil)
			data.Scale(fv, gm.Data)
			m := Computed(o, data, func(a, b int) Explanation {
				return Explanation{Formula: paren(fv) + "·" + paren(gm.At(a, b)) + " = " + result(data.At(a, b)),
					Sources: []CellRef{{f.ID, 0, t}, {gm.ID, a, b}}}
			})
			return ssmShow(c, c.ID(suffix), mrow(mi(o.Name), mo("="), mi("f"+sub), mo("·"), mi(gm.Name)), m, f, gm)
		}
		if want[4] {
			g[4] = scaled("dc", cp, gc)
		}
		if want[5] {
			g[5] = scaled("dn", np, gn)
		}
		return g
	},
	Texts: map[string]Text{
		"n.title": {"en": "The normaliser: n = f·n + i·k", "zh": "归一化向量：n = f·n + i·k"},
		"n.text": {"en": "Beside the memory the cell keeps a running, gated sum of the keys it has stored. It is updated with the same two gates: keep f of the old n, add i times this step's key.",
			"zh": "除了记忆矩阵，单元还保存一个按门控累加的键之和。它用同样的两个门更新：保留旧 n 的 f 倍，再加上 i 乘以这一步的键。"},
		"df.title": {"en": "Gradient of the forget gates {in0}", "zh": "遗忘门 {in0} 的梯度"},
		"df.text": {"en": "The forget gate multiplied the old memory and the old normaliser, so its gradient adds the arriving gradients times those old cells. Only this step's column gets a value.",
			"zh": "遗忘门乘的是旧的记忆和旧的归一化向量，所以它的梯度是到达的梯度乘以这些旧格子再相加。只有这一步对应的那一列有值。"},
		"di.title": {"en": "Gradient of the input gates {in1}", "zh": "输入门 {in1} 的梯度"},
		"di.text": {"en": "The input gate multiplied the new pair v kᵀ and the key k, so its gradient adds the arriving gradients times those cells.",
			"zh": "输入门乘的是新的 v kᵀ 和键 k，所以它的梯度是到达的梯度乘以这些格子再相加。"},
		"dk.title": {"en": "Gradient of the keys {in2}", "zh": "键 {in2} 的梯度"},
		"dk.text": {"en": "Key cell b sat in column b of v kᵀ and in the normaliser, both times i: its gradient is i times (column b of the memory's gradient against v, plus the normaliser's gradient).",
			"zh": "键的第 b 格出现在 v kᵀ 的第 b 列和归一化向量中，都乘了 i：它的梯度是 i 乘以（记忆梯度的第 b 列与 v 的点积，加上归一化向量的梯度）。"},
		"dv.title": {"en": "Gradient of the values {in3}", "zh": "值 {in3} 的梯度"},
		"dv.text": {"en": "Value cell a sat in row a of v kᵀ, times i: its gradient is i times row a of the memory's gradient against k.",
			"zh": "值的第 a 格出现在 v kᵀ 的第 a 行，乘了 i：它的梯度是 i 乘以记忆梯度的第 a 行与 k 的点积。"},
		"dc.title": {"en": "Gradient passed back to the old memory {in4}", "zh": "传回旧记忆 {in4} 的梯度"},
		"dc.text":  {"en": "The old memory was kept f times, so its gradient is f times the new memory's.", "zh": "旧记忆被保留了 f 倍，所以它的梯度是新记忆梯度的 f 倍。"},
		"dn.title": {"en": "Gradient passed back to the old normaliser {in5}", "zh": "传回旧归一化向量 {in5} 的梯度"},
		"dn.text":  {"en": "The old normaliser was kept f times, so its gradient is f times the new one's.", "zh": "旧归一化向量被保留了 f 倍，所以它的梯度是新的那个的 f 倍。"},
	},
}

// ----------------------------------------------------------- mLSTM readout

var opSsmReadout = &Op{
	Name: "mlstm_readout", In: []string{"C", "n", "Q"}, Out: []string{"m", "h̃"},
	Params:  []Param{ssmStepParam},
	Formula: "at step t: m = max(|nᵀq|, 1), h̃ = C q / m, with q the step's column of Q (the max-normaliser)",
	Grad:    "∂L/∂C = ∂L/∂h̃·qᵀ/m; ∂L/∂u = −(∂L/∂h̃·h̃)/m·sign(u) where |u| > 1, else 0, with u = nᵀq; ∂L/∂n = ∂L/∂u·q; ∂L/∂q = Cᵀ∂L/∂h̃/m + ∂L/∂u·n",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		cm, nv, q := in[0], in[1], in[2]
		if cm.Rows != cm.Cols || nv != (Shape{cm.Rows, 1}) || q.Rows != cm.Rows {
			return nil, fmt.Errorf("%s should be a square memory, %s a column and %s one column per step, all of size %d; they are %v, %v and %v",
				n.In[0], n.In[1], n.In[2], cm.Rows, cm, nv, q)
		}
		if t := n.Int("t"); t < 1 || t > q.Cols {
			return nil, fmt.Errorf("t = %d, but %s has %d columns", t, n.In[2], q.Cols)
		}
		return []Shape{{1, 1}, nv}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		cm, nv, q := in[0], in[1], in[2]
		t := ssmT(n)
		d, _ := cm.Dims()
		sub := ssmSub(t + 1)
		u := 0.0
		terms := make([]string, d)
		src := []CellRef{}
		for a := 0; a < d; a++ {
			u += nv.At(a, 0) * q.At(a, t)
			terms[a] = paren(nv.At(a, 0)) + "·" + paren(q.At(a, t))
			src = append(src, CellRef{nv.ID, a, 0}, CellRef{q.ID, a, t})
		}
		var mm *Matrix
		mm = Computed(c.Out(0), mat.NewDense(1, 1, []float64{math.Max(math.Abs(u), 1)}), func(int, int) Explanation {
			return Explanation{Formula: "max(|" + strings.Join(terms, " + ") + "|, 1) = max(" + result(math.Abs(u)) + ", 1) = " + result(mm.At(0, 0)),
				Sources: src, terms: "max(|" + strings.Join(terms, " + ") + "|, 1)"}
		})
		ssmShow(c, c.ID(""), mrow(mi(mm.Name), mo("="), mi("max"), mo("("), mo("|"), msup(mi(nv.Name), mi("T")), mi("q"+sub), mo("|"), mo(","), mn("1"), mo(")")), mm, nv, q)
		m := mm.At(0, 0) // h̃ reads m as the step shows it
		hd := mat.NewDense(d, 1, nil)
		for a := 0; a < d; a++ {
			s := 0.0
			for b := 0; b < d; b++ {
				s += cm.At(a, b) * q.At(b, t)
			}
			hd.Set(a, 0, s/m)
		}
		hm := Computed(c.Out(1), hd, func(a, _ int) Explanation {
			terms := make([]string, d)
			src := []CellRef{{mm.ID, 0, 0}}
			for b := 0; b < d; b++ {
				terms[b] = paren(cm.At(a, b)) + "·" + paren(q.At(b, t))
				src = append(src, CellRef{cm.ID, a, b}, CellRef{q.ID, b, t})
			}
			return Explanation{Formula: "(" + strings.Join(terms, " + ") + ")/" + paren(mm.At(0, 0)) + " = " + result(hd.At(a, 0)), Sources: src}
		})
		ssmShow(c, c.ID("h"), mrow(mi(hm.Name), mo("="), mfrac(mrow(mi(cm.Name), mi("q"+sub)), mi(mm.Name))), hm, cm, q, mm)
		return []*Matrix{mm, hm}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		cm, nv, q := in[0], in[1], in[2]
		mm, hm := out[0], out[1]
		gm, gh := dOut[0], dOut[1]
		t := ssmT(n)
		d, T := q.Dims()
		sub := ssmSub(t + 1)
		m := mm.At(0, 0)
		g := make([]*Matrix, 3)
		var du *Matrix
		if want[1] || want[2] {
			// u = nᵀq decides whether m is |u| or the constant 1.
			u := 0.0
			var usrc []CellRef
			for a := 0; a < d; a++ {
				u += nv.At(a, 0) * q.At(a, t)
				usrc = append(usrc, CellRef{nv.ID, a, 0}, CellRef{q.ID, a, t})
			}
			// ∂L/∂m: m divided every cell of h̃, and may be read elsewhere.
			direct := !strings.HasPrefix(gm.ID, "0")
			dm := gm.At(0, 0)
			terms := make([]string, d)
			src := []CellRef{{mm.ID, 0, 0}}
			if direct {
				src = append(src, CellRef{gm.ID, 0, 0})
			}
			for a := 0; a < d; a++ {
				dm -= gh.At(a, 0) * hm.At(a, 0) / m
				terms[a] = paren(gh.At(a, 0)) + "·" + paren(hm.At(a, 0))
				src = append(src, CellRef{gh.ID, a, 0}, CellRef{hm.ID, a, 0})
			}
			src = append(src, usrc...)
			v, f, sum := 0.0, "|u| = "+result(math.Abs(u))+" ≤ 1, m = 1 is constant → 0", "|u| = "+result(math.Abs(u))+" ≤ 1, m = 1 is constant"
			if math.Abs(u) <= 1 {
				src = usrc
			}
			if u != u {
				v = u // whether m is |u| is not known yet
			}
			if math.Abs(u) > 1 {
				sign := 1.0
				if u < 0 {
					sign = -1
				}
				v = dm * sign
				f = "−(" + strings.Join(terms, " + ") + ")/" + paren(m) + "·" + paren(sign) + " = " + result(v)
				if direct {
					f = "(" + paren(gm.At(0, 0)) + " − (" + strings.Join(terms, " + ") + ")/" + paren(m) + ")·" + paren(sign) + " = " + result(v)
				}
			}
			o := Out{ID: "du." + c.prefix + n.ID, Name: "∂L/∂u" + sub, Role: RoleGradient, Hue: HueGradient}
			if math.Abs(u) > 1 {
				sum = ""
			}
			du = Computed(o, mat.NewDense(1, 1, []float64{v}), func(int, int) Explanation { return Explanation{Formula: f, Sources: src, terms: sum} })
			frac := mfrac(mrow(msup(mi(gh.Name), mi("T")), mi(hm.Name)), mi(mm.Name))
			shown := []*Matrix{gh, hm, mm}
			formula := mrow(mi(o.Name), mo("="), mo("−"), frac, mo("·"), mi("sign"), mo("("), mi("u"), mo(")"))
			if direct {
				shown = append(shown, gm)
				formula = mrow(mi(o.Name), mo("="), mo("("), mi(gm.Name), mo("−"), frac, mo(")"), mo("·"), mi("sign"), mo("("), mi("u"), mo(")"))
			}
			ssmShow(c, c.ID("du"), formula, du, shown...)
		}
		if want[0] {
			o := ssmGradOut(c, cm)
			data := mat.NewDense(d, d, nil)
			data.Apply(func(a, b int, _ float64) float64 { return gh.At(a, 0) * q.At(b, t) / m }, data)
			g[0] = Computed(o, data, func(a, b int) Explanation {
				return Explanation{Formula: paren(gh.At(a, 0)) + "·" + paren(q.At(b, t)) + "/" + paren(m) + " = " + result(data.At(a, b)),
					Sources: []CellRef{{gh.ID, a, 0}, {q.ID, b, t}, {mm.ID, 0, 0}}}
			})
			ssmShow(c, c.ID("dc"), mrow(mi(o.Name), mo("="), mfrac(mrow(mi(gh.Name), mi("q"+sub+"ᵀ")), mi(mm.Name))), g[0], gh, q, mm)
		}
		if want[1] {
			o := ssmGradOut(c, nv)
			data := mat.NewDense(d, 1, nil)
			data.Apply(func(a, _ int, _ float64) float64 { return du.At(0, 0) * q.At(a, t) }, data)
			g[1] = Computed(o, data, func(a, _ int) Explanation {
				return Explanation{Formula: paren(du.At(0, 0)) + "·" + paren(q.At(a, t)) + " = " + result(data.At(a, 0)),
					Sources: []CellRef{{du.ID, 0, 0}, {q.ID, a, t}}}
			})
			ssmShow(c, c.ID("dn"), mrow(mi(o.Name), mo("="), mi(du.Name), mo("·"), mi("q"+sub)), g[1], du, q)
		}
		if want[2] {
			col := func(b int) float64 {
				s := 0.0
				for a := 0; a < d; a++ {
					s += cm.At(a, b) * gh.At(a, 0)
				}
				return s/m + du.At(0, 0)*nv.At(b, 0)
			}
			o := ssmGradOut(c, q)
			g[2] = ssmColumnGrad(o, d, T, t, col, func(b int) Explanation {
				terms := make([]string, d)
				src := []CellRef{{mm.ID, 0, 0}, {du.ID, 0, 0}, {nv.ID, b, 0}}
				for a := 0; a < d; a++ {
					terms[a] = paren(cm.At(a, b)) + "·" + paren(gh.At(a, 0))
					src = append(src, CellRef{cm.ID, a, b}, CellRef{gh.ID, a, 0})
				}
				return Explanation{Formula: "(" + strings.Join(terms, " + ") + ")/" + paren(m) + " + " + paren(du.At(0, 0)) + "·" + paren(nv.At(b, 0)) + " = " + result(col(b)),
					Sources: src}
			})
			ssmShow(c, c.ID("dq"), mrow(mi("∂L/∂q"+sub), mo("="), mfrac(mrow(msup(mi(cm.Name), mi("T")), mi(gh.Name)), mi(mm.Name)), mo("+"), mi(du.Name), mo("·"), mi(nv.Name)),
				g[2], cm, gh, mm, du, nv)
		}
		return g
	},
	Texts: map[string]Text{
		"h.title": {"en": "Read the memory: h̃ = C q / m", "zh": "读取记忆：h̃ = C q / m"},
		"h.text": {"en": "The query asks the memory: multiply C by q, row by column, then divide by the normaliser m so that the answer stays in scale however many keys were stored.",
			"zh": "用查询向量去问记忆：C 乘以 q（行乘列），再除以归一化数 m，这样无论存了多少个键，答案的大小都保持在合适范围。"},
		"du.title": {"en": "Gradient of u = nᵀq, through the max", "zh": "u = nᵀq 的梯度，穿过 max"},
		"du.text": {"en": "m divided every cell of h̃, so its gradient is −Σ ∂L/∂h̃·h̃/m. Where |u| ≤ 1 the max picked the 1 and no gradient reaches u; otherwise it passes on with u's sign.",
			"zh": "m 除了 h̃ 的每一格，所以它的梯度是 −Σ ∂L/∂h̃·h̃/m。若 |u| ≤ 1，max 取的是 1，梯度到不了 u；否则梯度带上 u 的符号传下去。"},
		"dc.title": {"en": "Gradient of the memory {in0}", "zh": "记忆 {in0} 的梯度"},
		"dc.text": {"en": "Cell (a, b) of the memory was multiplied by q's cell b and divided by m to make h̃'s cell a: its gradient is ∂L/∂h̃ at a times q at b, over m.",
			"zh": "记忆的 (a, b) 格乘以 q 的第 b 格再除以 m，得到 h̃ 的第 a 格：它的梯度是 a 处的 ∂L/∂h̃ 乘以 b 处的 q，再除以 m。"},
		"dn.title": {"en": "Gradient of the normaliser {in1}", "zh": "归一化向量 {in1} 的梯度"},
		"dn.text":  {"en": "u = nᵀq, so each cell of n gets ∂L/∂u times the matching cell of q.", "zh": "u = nᵀq，所以 n 的每一格得到 ∂L/∂u 乘以 q 的对应格。"},
		"dq.title": {"en": "Gradient of the queries {in2}", "zh": "查询 {in2} 的梯度"},
		"dq.text": {"en": "q was used twice: in C q, which gives Cᵀ ∂L/∂h̃ over m, and in u = nᵀq, which gives ∂L/∂u times n. Only this step's column gets a value.",
			"zh": "q 被用了两次：在 C q 中，贡献 Cᵀ ∂L/∂h̃ 除以 m；在 u = nᵀq 中，贡献 ∂L/∂u 乘以 n。只有这一步对应的那一列有值。"},
	},
}
