package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The transformer's own ops: layer normalisation (the sheets' NORMALIZE),
// the sinusoidal positional encoding, the causal mask of a decoder and the
// one-hot embedding lookup. Each is a forward and a backward side by side;
// the pure arithmetic is in the tfs… functions, which the tests check
// against finite differences.

var _ = RegisterOps(opLayerNorm, opPositionalEncoding, opCausalMask, opEmbed)

// ——— layer_norm ———

// tfsLayerNormForward normalises every column of x on its own:
// μ = the column's mean, s = its sample standard deviation (dividing by
// d − 1, as a spreadsheet's STDEV does) and y = (x − μ)/(s + eps), the
// sheets' NORMALIZE. mu and s are 1×n rows. The op computes each of the
// three from the one before as its step shows it (tfsMeans, tfsStds,
// tfsNormalize).
func tfsLayerNormForward(x *mat.Dense, eps float64) (mu, s, y *mat.Dense) {
	mu = tfsMeans(x)
	s = tfsStds(x, mu)
	return mu, s, tfsNormalize(x, mu, s, eps)
}

// tfsMeans returns the mean of each column of x, a 1×n row.
func tfsMeans(x *mat.Dense) *mat.Dense {
	d, n := x.Dims()
	mu := mat.NewDense(1, n, nil)
	for j := 0; j < n; j++ {
		m := 0.0
		for i := 0; i < d; i++ {
			m += x.At(i, j)
		}
		mu.Set(0, j, m/float64(d))
	}
	return mu
}

// tfsStds returns the sample standard deviation of each column of x about
// its mean mu, a 1×n row.
func tfsStds(x, mu *mat.Dense) *mat.Dense {
	d, n := x.Dims()
	s := mat.NewDense(1, n, nil)
	for j := 0; j < n; j++ {
		v := 0.0
		for i := 0; i < d; i++ {
			c := x.At(i, j) - mu.At(0, j)
			v += c * c
		}
		s.Set(0, j, math.Sqrt(v/float64(d-1)))
	}
	return s
}

// tfsNormalize returns (x − μ)/(s + eps), column by column.
func tfsNormalize(x, mu, s *mat.Dense, eps float64) *mat.Dense {
	d, n := x.Dims()
	y := mat.NewDense(d, n, nil)
	for j := 0; j < n; j++ {
		for i := 0; i < d; i++ {
			y.Set(i, j, (x.At(i, j)-mu.At(0, j))/(s.At(0, j)+eps))
		}
	}
	return y
}

// tfsGradDot returns k = Σ ∂L/∂Y ⊙ Y / (d − 1) down each column, a 1×n row.
func tfsGradDot(dy, y *mat.Dense) *mat.Dense {
	d, n := y.Dims()
	k := mat.NewDense(1, n, nil)
	for j := 0; j < n; j++ {
		dot := 0.0
		for i := 0; i < d; i++ {
			dot += dy.At(i, j) * y.At(i, j)
		}
		k.Set(0, j, dot/float64(d-1))
	}
	return k
}

// tfsLayerNormDX carries ∂L/∂Y back through y = (x − μ)/(s + eps),
// column by column: with ḡ the column's mean of ∂L/∂Y (tfsMeans) and
// k = Σ ∂L/∂Y ⊙ Y / (d − 1) (tfsGradDot),
//
//	∂L/∂x = (∂L/∂Y − ḡ − k·(x − μ)/s) / (s + eps).
//
// The first two terms come through x − μ, the last through s (∂s/∂x =
// (x − μ)/((d − 1)·s)). Where s = 0 every x − μ is 0 and so is k's
// share: the term is taken as 0.
func tfsLayerNormDX(dy, gmean, k, x, mu, s *mat.Dense, eps float64) *mat.Dense {
	d, n := x.Dims()
	dx := mat.NewDense(d, n, nil)
	for j := 0; j < n; j++ {
		for i := 0; i < d; i++ {
			dx.Set(i, j, (dy.At(i, j)-gmean.At(0, j)-k.At(0, j)*tfsOverS(x.At(i, j)-mu.At(0, j), s.At(0, j)))/(s.At(0, j)+eps))
		}
	}
	return dx
}

// tfsOverS is (x − μ)/s, taken as 0 where s = 0 (then x − μ = 0 too).
func tfsOverS(c, s float64) float64 {
	if s == 0 {
		return 0
	}
	return c / s
}

var opLayerNorm = &Op{
	Name: "layer_norm", In: []string{"X"}, Out: []string{"Y"},
	Params: []Param{{Name: "eps", Kind: KindNumber, Default: NumParam(0.001),
		Doc: "the small number added to each column's standard deviation (0.001 on the sheets; 0 for none)"}},
	Formula: "each column on its own: μ = its mean, s = its sample standard deviation (÷ (d − 1)), Y = (X − μ)/(s + eps)",
	Grad:    "∂L/∂X = (∂L/∂Y − ḡ − k·(X − μ)/s)/(s + eps), ḡ = the column's mean of ∂L/∂Y, k = Σ ∂L/∂Y ⊙ Y/(d − 1)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if in[0].Rows < 2 {
			return nil, fmt.Errorf("%s has %d row: a standard deviation down each column needs at least 2 rows", n.In[0], in[0].Rows)
		}
		if n.Num("eps") < 0 {
			return nil, fmt.Errorf("eps = %g should not be negative", n.Num("eps"))
		}
		return []Shape{in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		x := in[0]
		eps := n.Num("eps")
		d, cols := x.Dims()
		mu := tfsMeans(x.Data)
		o := c.Out(0)
		ds := strconv.Itoa(d)
		// 1. The mean of each column.
		muM := Computed(Out{ID: o.ID + ".mean", Name: "μ↓", Hue: o.Hue, ColLabels: x.ColLabels}, mu, func(_, j int) Explanation {
			parts := make([]string, d)
			src := make([]CellRef, d)
			for i := 0; i < d; i++ {
				parts[i] = paren(x.At(i, j))
				src[i] = CellRef{x.ID, i, j}
			}
			return Explanation{Formula: "(" + strings.Join(parts, " + ") + ") / " + ds + " = " + result(mu.At(0, j)), Sources: src}
		})
		s := c.Step("")
		s.Matrices = []*Matrix{x, muM}
		s.Ops = []string{"", "mean ↓"}
		s.Reads = []string{x.ID}
		s.Formula = mrow(cell(muM.Name, "j"), mo("="), mfrac(mn("1"), mn(ds)), munder(mo("Σ"), mi("k")), cell(x.Name, "kj"))
		c.T.Add(s)
		// 2. The sample standard deviation of each column.
		sd := tfsStds(x.Data, muM.Data)
		sdM := Computed(Out{ID: o.ID + ".std", Name: "s↓", Hue: o.Hue, ColLabels: x.ColLabels}, sd, func(_, j int) Explanation {
			parts := make([]string, d)
			src := make([]CellRef, 0, d+1)
			for i := 0; i < d; i++ {
				parts[i] = "(" + Format(x.At(i, j)) + " − " + Format(mu.At(0, j)) + ")²"
				src = append(src, CellRef{x.ID, i, j})
			}
			src = append(src, CellRef{muM.ID, 0, j})
			return Explanation{Formula: "√((" + strings.Join(parts, " + ") + ") / " + strconv.Itoa(d-1) + ") = " + result(sd.At(0, j)), Sources: src}
		})
		s = c.Step("std")
		s.Matrices = []*Matrix{x, muM, sdM}
		s.Ops = []string{"", "−", "→"}
		s.Reads = []string{x.ID, muM.ID}
		s.Formula = mrow(cell(sdM.Name, "j"), mo("="), mi("√"), mo("("), munder(mo("Σ"), mi("k")),
			msup(mrow(mo("("), cell(x.Name, "kj"), mo("−"), cell(muM.Name, "j"), mo(")")), mn("2")), mo("/"), mn(strconv.Itoa(d-1)), mo(")"))
		c.T.Add(s)
		// 3. Centre and divide.
		y := tfsNormalize(x.Data, muM.Data, sdM.Data, eps)
		if o.ColLabels == nil {
			o.ColLabels = x.ColLabels
		}
		if o.RowLabels == nil {
			o.RowLabels = x.RowLabels
		}
		// The divisor as written: "s + 0.001", or "s" alone when eps = 0.
		div := func(j int) string {
			if eps == 0 {
				return paren(sd.At(0, j))
			}
			return "(" + Format(sd.At(0, j)) + " + " + Format(eps) + ")"
		}
		ym := o.matrix(y, func(i, j int) Explanation {
			return Explanation{Formula: "(" + paren(x.At(i, j)) + " − " + paren(mu.At(0, j)) + ") / " + div(j) + " = " + result(y.At(i, j)),
				Sources: []CellRef{{x.ID, i, j}, {muM.ID, 0, j}, {sdM.ID, 0, j}}}
		})
		s = c.Step("norm")
		s.Matrices = []*Matrix{x, muM, sdM, ym}
		s.Ops = []string{"(", "−", ") / (", "+ " + Format(eps) + ") ="}
		den := mrow(cell(sdM.Name, "j"), mo("+"), mn(Format(eps)))
		if eps == 0 {
			s.Ops = []string{"(", "−", ") /", "="}
			den = cell(sdM.Name, "j")
		}
		s.Reads = []string{x.ID, muM.ID, sdM.ID}
		s.Formula = mrow(indexed(ym.Name), mo("="), mfrac(mrow(indexed(x.Name), mo("−"), cell(muM.Name, "j")), den))
		for j := 0; j < cols; j++ {
			if sd.At(0, j)+eps == 0 {
				s.Undefined = "undefined.sigma" // a constant column and no eps: 0/0
			}
		}
		c.T.Add(s)
		return []*Matrix{ym}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		x, y, g := in[0], out[0], dOut[0]
		eps := n.Num("eps")
		d, _ := x.Dims()
		muM, sdM := c.T.Matrix(y.ID+".mean"), c.T.Matrix(y.ID+".std")
		gm := tfsMeans(g.Data)
		gName := group(g.Name)
		// ḡ: the mean of the arriving gradient down each column.
		gmM := Computed(Out{ID: c.prefix + y.ID + ".gmean", Name: "mean↓ " + gName, Role: RoleGradient, Hue: HueGradient, ColLabels: y.ColLabels}, gm,
			func(_, j int) Explanation {
				parts := make([]string, d)
				src := make([]CellRef, d)
				for i := 0; i < d; i++ {
					parts[i] = paren(g.At(i, j))
					src[i] = CellRef{g.ID, i, j}
				}
				return Explanation{Formula: "(" + strings.Join(parts, " + ") + ") / " + strconv.Itoa(d) + " = " + result(gm.At(0, j)), Sources: src}
			})
		s := c.Step("dmean")
		s.Matrices = []*Matrix{g, gmM}
		s.Ops = []string{"", "mean ↓"}
		s.Reads = []string{g.ID}
		s.Formula = mrow(cell(gmM.Name, "j"), mo("="), mfrac(mn("1"), mn(strconv.Itoa(d))), munder(mo("Σ"), mi("k")), cell(g.Name, "kj"))
		c.T.Add(s)
		// k: Σ ∂L/∂Y ⊙ Y / (d − 1), the share that goes through s.
		k := tfsGradDot(g.Data, y.Data)
		kM := Computed(Out{ID: c.prefix + y.ID + ".gdot", Name: "k↓", Role: RoleGradient, Hue: HueGradient, ColLabels: y.ColLabels}, k,
			func(_, j int) Explanation {
				parts := make([]string, d)
				src := make([]CellRef, 0, 2*d)
				for i := 0; i < d; i++ {
					parts[i] = paren(g.At(i, j)) + "·" + paren(y.At(i, j))
					src = append(src, CellRef{g.ID, i, j}, CellRef{y.ID, i, j})
				}
				return Explanation{Formula: "(" + strings.Join(parts, " + ") + ") / " + strconv.Itoa(d-1) + " = " + result(k.At(0, j)), Sources: src}
			})
		s = c.Step("dstd")
		s.Matrices = []*Matrix{g, y, kM}
		s.Ops = []string{"", "⊙", "Σ↓ / " + strconv.Itoa(d-1) + " →"}
		s.Reads = []string{g.ID, y.ID}
		s.Formula = mrow(cell(kM.Name, "j"), mo("="), munder(mo("Σ"), mi("k")), cell(g.Name, "kj"), mo("·"), cell(y.Name, "kj"), mo("/"), mn(strconv.Itoa(d-1)))
		c.T.Add(s)
		// ∂L/∂X = (∂L/∂Y − ḡ − k·(X − μ)/s)/(s + eps).
		dx := tfsLayerNormDX(g.Data, gmM.Data, kM.Data, x.Data, muM.Data, sdM.Data, eps)
		o := c.GradOut(x)
		o.Role, o.Hue = RoleGradient, HueGradient
		if o.ColLabels == nil {
			o.ColLabels = x.ColLabels
		}
		es := Format(eps)
		dxM := o.matrix(dx, func(i, j int) Explanation {
			sv := sdM.At(0, j)
			ratio := "0"
			if sv != 0 {
				ratio = "(" + paren(x.At(i, j)) + " − " + paren(muM.At(0, j)) + ") / " + Format(sv)
			}
			div := "(" + Format(sv) + " + " + es + ")"
			if eps == 0 {
				div = paren(sv)
			}
			return Explanation{
				Formula: "(" + paren(g.At(i, j)) + " − " + paren(gmM.At(0, j)) + " − " + paren(kM.At(0, j)) + "·" + ratio + ") / " +
					div + " = " + result(dx.At(i, j)),
				Sources: []CellRef{{g.ID, i, j}, {gmM.ID, 0, j}, {kM.ID, 0, j}, {x.ID, i, j}, {muM.ID, 0, j}, {sdM.ID, 0, j}}}
		})
		s = c.Step("grad")
		s.Matrices = []*Matrix{g, gmM, kM, dxM}
		s.Ops = []string{"(", "−", "− (x − μ)/s ·", ") / (s + ε) ="}
		s.Reads = []string{g.ID, gmM.ID, kM.ID, x.ID, muM.ID, sdM.ID}
		den := mrow(cell(sdM.Name, "j"), mo("+"), mn(es))
		if eps == 0 {
			s.Ops[3] = ") / s ="
			den = cell(sdM.Name, "j")
		}
		s.Formula = mrow(indexed(dxM.Name), mo("="), mfrac(
			mrow(indexed(g.Name), mo("−"), cell(gmM.Name, "j"), mo("−"), cell(kM.Name, "j"), mo("·"),
				mfrac(mrow(indexed(x.Name), mo("−"), cell(muM.Name, "j")), cell(sdM.Name, "j"))), den))
		c.T.Add(s)
		return []*Matrix{dxM}
	},
	Texts: map[string]Text{
		"std.title": {"en": "The spread of each column of {in0}", "zh": "{in0} 每一列的离散程度"},
		"std.text": {"en": "For each column, square every value's distance from the column's mean, add the squares up, divide by one less than the number of rows (the sample standard deviation, as a spreadsheet's STDEV), and take the square root.",
			"zh": "对每一列，把每个值与该列均值之差平方，再把这些平方加起来，除以行数减一（样本标准差，和电子表格的 STDEV 一样），最后开平方。"},
		"norm.title": {"en": "Normalise: {out0}", "zh": "归一化：{out0}"},
		"norm.text": {"en": "Subtract the column's mean from every value and divide by the column's spread plus a small number, which keeps the division safe. Each column of {out0} now has mean 0 and a spread of about 1.",
			"zh": "把每个值减去所在列的均值，再除以该列的离散程度加上一个小数（这个小数让除法不会除以 0）。现在 {out0} 的每一列均值为 0，离散程度约为 1。"},
		"dmean.title": {"en": "Back through the normalisation, part 1: the mean", "zh": "反向穿过归一化，第 1 步：均值"},
		"dmean.text": {"en": "Every value of a column moved the column's mean, and the mean was subtracted from every value: so each column's gradient loses its own average. Work out that average first.",
			"zh": "一列中的每个值都影响了该列的均值，而均值又被每个值减去：所以每一列的梯度要减去它自己的平均值。先把这个平均值算出来。"},
		"dstd.title": {"en": "Back through the normalisation, part 2: the spread", "zh": "反向穿过归一化，第 2 步：离散程度"},
		"dstd.text": {"en": "Every value also moved the column's spread, which divided all of them. Its share is the sum of the arriving gradient times {out0}, down each column, divided by one less than the number of rows.",
			"zh": "每个值也影响了该列的离散程度，而所有值都除以了它。这部分是到达的梯度乘以 {out0} 后逐列求和，再除以行数减一。"},
		"grad.title": {"en": "Back through the normalisation, part 3: gradient of {in0}", "zh": "反向穿过归一化，第 3 步：{in0} 的梯度"},
		"grad.text": {"en": "From each cell's arriving gradient subtract the column's average (part 1) and the spread's share times the cell's distance from the mean in spreads (part 2), then divide by the spread plus the small number, as the forward step did.",
			"zh": "把每格到达的梯度减去该列的平均值（第 1 步），再减去离散程度那一份乘以该格离均值有几个离散程度（第 2 步），最后和正向时一样，除以离散程度加上那个小数。"},
	},
}

// ——— positional_encoding ———

// tfsPE returns the sinusoidal table of a d×L matrix whose columns are
// positions first, first+1, …: the textbook's PE(pos, 2i) =
// sin(pos/n^(2i/d)) and PE(pos, 2i+1) = cos(pos/n^(2i/d)), with the row
// (0-based) as the dimension 2i or 2i+1 and the column as the position.
func tfsPE(d, l int, n, first float64) *mat.Dense {
	pe := mat.NewDense(d, l, nil)
	for k := 0; k < d; k++ {
		for j := 0; j < l; j++ {
			a := (first + float64(j)) / math.Pow(n, float64(k-k%2)/float64(d))
			if k%2 == 0 {
				pe.Set(k, j, math.Sin(a))
			} else {
				pe.Set(k, j, math.Cos(a))
			}
		}
	}
	return pe
}

var opPositionalEncoding = &Op{
	Name: "positional_encoding", In: []string{"X"}, Out: []string{"Y"},
	Params: []Param{
		{Name: "n", Kind: KindNumber, Default: NumParam(10000), Doc: "the base of the wavelengths, 10000 in the paper; a small sheet reads better with 100"},
		{Name: "first", Kind: KindNumber, Default: NumParam(0), Doc: "the position of the first column (0 in the paper, 1 on the sheets)"},
	},
	Formula: "Y = X + PE, PE[2i, pos] = sin(pos/n^(2i/d)), PE[2i+1, pos] = cos(pos/n^(2i/d)): rows are dimensions, columns positions",
	Grad:    "∂L/∂X = ∂L/∂Y (PE is a constant)",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if n.Num("n") <= 0 {
			return nil, fmt.Errorf("n = %g should be positive", n.Num("n"))
		}
		return []Shape{in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		x := in[0]
		d, l := x.Dims()
		base, first := n.Num("n"), n.Num("first")
		pe := tfsPE(d, l, base, first)
		o := c.Out(0)
		if o.ColLabels == nil {
			o.ColLabels = x.ColLabels
		}
		peM := Computed(Out{ID: o.ID + ".pe", Name: "PE", Hue: o.Hue, ColLabels: o.ColLabels}, pe, func(k, j int) Explanation {
			fn := "sin"
			if k%2 == 1 {
				fn = "cos"
			}
			pos := Format(first + float64(j))
			if k < 2 {
				return Explanation{Formula: fn + "(" + pos + ") = " + result(pe.At(k, j))}
			}
			w := math.Pow(base, float64(k-k%2)/float64(d))
			return Explanation{Formula: fn + "(" + pos + " / " + Format(base) + "^(" + strconv.Itoa(k-k%2) + "/" + strconv.Itoa(d) + ")) = " +
				fn + "(" + pos + " / " + Format(w) + ") = " + result(pe.At(k, j))}
		})
		c.T.ready(peM) // the sum reads PE as the step shows it
		y := c.T.Elementwise(c.ID(""), x, "+", peM, o, func(a, b float64) float64 { return a + b })
		p := mi("p")
		angle := mfrac(p, msup(mn(Format(base)), mfrac(mrow(mn("2"), mi("i")), mn(strconv.Itoa(d)))))
		c.T.Step(c.ID("")).Formula = mrow(mi(y.Name), mo("="), mi(x.Name), mo("+"), mi("PE"), mo(","),
			msub(mi("PE"), mrow(mn("2"), mi("i"), mo(","), p)), mo("="), mi("sin"), mo("("), angle, mo(")"), mo(","),
			msub(mi("PE"), mrow(mn("2"), mi("i"), mo("+"), mn("1"), mo(","), p)), mo("="), mi("cos"), mo("("), angle, mo(")"))
		return []*Matrix{y}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		return []*Matrix{dOut[0]}
	},
}

// ——— causal_mask ———

// tfsMasked reports whether key i may not be seen by query j: it comes
// after it.
func tfsMasked(i, j int) bool { return i > j }

var opCausalMask = &Op{
	Name: "causal_mask", In: []string{"S"}, Out: []string{"Y"},
	Params: []Param{{Name: "value", Kind: KindNumber, Default: NumParam(-99),
		Doc: "what a hidden score becomes (−99 on the sheets): so negative that its power is 0 to any digit shown"}},
	Formula: "scores S with keys as rows and queries as columns: Y = S where key ≤ query, Y = value (−99) where the key comes after the query",
	Grad:    "∂L/∂S = ∂L/∂Y where key ≤ query, 0 where masked",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		if n.Num("value") > -20 {
			return nil, fmt.Errorf("value = %g is not negative enough to hide a score: use −99 or less", n.Num("value"))
		}
		return []Shape{in[0]}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		sc := in[0]
		v := n.Num("value")
		r, cl := sc.Dims()
		data := mat.NewDense(r, cl, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < cl; j++ {
				if tfsMasked(i, j) {
					data.Set(i, j, v)
				} else {
					data.Set(i, j, sc.At(i, j))
				}
			}
		}
		o := c.Out(0)
		if o.ColLabels == nil {
			o.ColLabels = sc.ColLabels
		}
		if o.RowLabels == nil {
			o.RowLabels = sc.RowLabels
		}
		y := o.matrix(data, func(i, j int) Explanation {
			if tfsMasked(i, j) {
				// A constant: it reads nothing, not even the score it hides.
				return Explanation{Formula: fmt.Sprintf("key %d comes after query %d: hidden → %s", i+1, j+1, result(v)),
					terms: fmt.Sprintf("key %d comes after query %d: hidden", i+1, j+1)}
			}
			return Explanation{Formula: fmt.Sprintf("key %d ≤ query %d: kept, %s = %s", i+1, j+1, cellName(sc.Name, i, j), result(data.At(i, j))),
				Sources: []CellRef{{sc.ID, i, j}}}
		})
		s := c.Step("")
		s.Matrices = []*Matrix{sc, y}
		s.Ops = []string{"", "mask →"}
		s.Reads = []string{sc.ID}
		s.Formula = mrow(indexed(y.Name), mo("="), indexed(sc.Name), mi("if"), mi("i"), mo("≤"), mi("j"), mo(","), mn(Format(v)), mi("if"), mi("i"), mo(">"), mi("j"))
		c.T.Add(s)
		return []*Matrix{y}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		g := dOut[0]
		r, cl := g.Dims()
		data := mat.NewDense(r, cl, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < cl; j++ {
				if !tfsMasked(i, j) {
					data.Set(i, j, g.At(i, j))
				}
			}
		}
		o := c.GradOut(in[0])
		o.Role, o.Hue = RoleGradient, HueGradient
		if o.ColLabels == nil {
			o.ColLabels = in[0].ColLabels
		}
		m := o.matrix(data, func(i, j int) Explanation {
			if tfsMasked(i, j) {
				return Explanation{Formula: fmt.Sprintf("key %d after query %d was hidden: → 0", i+1, j+1),
					terms: fmt.Sprintf("key %d after query %d was hidden", i+1, j+1)}
			}
			return Explanation{Formula: cellName(g.Name, i, j) + " passes: " + result(data.At(i, j)), Sources: []CellRef{{g.ID, i, j}},
				terms: cellName(g.Name, i, j) + " passes"}
		})
		s := c.Step("grad")
		s.Matrices = []*Matrix{g, m}
		s.Ops = []string{"", "mask →"}
		s.Reads = []string{g.ID}
		s.Formula = mrow(indexed(m.Name), mo("="), indexed(g.Name), mi("if"), mi("i"), mo("≤"), mi("j"), mo(","), mn("0"), mi("if"), mi("i"), mo(">"), mi("j"))
		c.T.Add(s)
		return []*Matrix{m}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Back through the causal mask", "zh": "反向穿过因果掩码"},
		"grad.text": {"en": "A hidden score was replaced by a constant, so no gradient reaches it: those cells get 0. The scores a query could see pass their gradient unchanged.",
			"zh": "被遮住的分数换成了一个常数，所以没有梯度传到它：这些格子为 0。查询看得见的分数，梯度原样通过。"},
	},
}

// ——— embed ———

// tfsOneHot returns the V×T one-hot matrix of 1-based tokens: column t
// has its 1 in row tokens[t].
func tfsOneHot(v int, tokens []float64) *mat.Dense {
	oh := mat.NewDense(v, len(tokens), nil)
	for t, k := range tokens {
		oh.Set(int(k)-1, t, 1)
	}
	return oh
}

var opEmbed = &Op{
	Name: "embed", In: []string{"E"}, Out: []string{"Y"}, Integral: always,
	Params: []Param{{Name: "tokens", Kind: KindNumber, List: true,
		Doc: "the tokens, one per column of the result, as 1-based numbers of E's columns (the vocabulary)"}},
	Formula: "Y = E·onehot(tokens): column t of Y is column tokens[t] of E",
	Grad:    "∂L/∂E = ∂L/∂Y·onehotᵀ: only the columns of tokens used get a gradient",
	Shape: func(n *Node, in []Shape) ([]Shape, error) {
		toks := n.Nums("tokens")
		if len(toks) == 0 || len(toks) > 64 {
			return nil, fmt.Errorf("tokens should list from 1 to 64 tokens")
		}
		for i, k := range toks {
			if k != math.Trunc(k) || k < 1 || int(k) > in[0].Cols {
				return nil, fmt.Errorf("token %d is %g, but %s has %d columns (one per word): a token is a whole number from 1 to %d",
					i+1, k, n.In[0], in[0].Cols, in[0].Cols)
			}
		}
		return []Shape{{in[0].Rows, len(toks)}}, nil
	},
	Forward: func(c *Ctx, n *Node, in []*Matrix) []*Matrix {
		e := in[0]
		toks := n.Nums("tokens")
		_, v := e.Dims()
		o := c.Out(0)
		oh := tfsOneHot(v, toks)
		ohM := Computed(Out{ID: o.ID + ".onehot", Name: "onehot", Hue: o.Hue, RowLabels: e.ColLabels, ColLabels: o.ColLabels}, oh,
			func(i, j int) Explanation {
				terms := fmt.Sprintf("token %d is word %d; this row is word %d", j+1, int(toks[j]), i+1)
				if oh.At(i, j) == 1 {
					return Explanation{Formula: fmt.Sprintf("token %d is word %d: 1", j+1, i+1), terms: terms}
				}
				return Explanation{Formula: fmt.Sprintf("token %d is word %d, not %d: 0", j+1, int(toks[j]), i+1), terms: terms}
			})
		c.T.ready(ohM) // the product reads the one-hot matrix as the step shows it
		return []*Matrix{c.T.MatMul(c.ID(""), e, ohM, o)}
	},
	Backward: func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix {
		oh := c.T.Matrix(out[0].ID + ".onehot")
		oht := Transposed(oh, c.prefix+oh.ID+"ᵀ", "onehotᵀ")
		return []*Matrix{c.T.MatMul(c.ID("grad"), dOut[0], oht, c.GradOut(in[0]))}
	},
	Texts: map[string]Text{
		"grad.title": {"en": "Gradient of the embedding table {in0}", "zh": "嵌入表 {in0} 的梯度"},
		"grad.text": {"en": "{out0} = {in0}·onehot, so the gradient of {in0} is the arriving gradient times onehot transposed: each word's column collects the gradient of every position it was used at, and the words not used get 0.",
			"zh": "{out0} = {in0}·onehot，所以 {in0} 的梯度是到达的梯度乘以 onehot 的转置：每个词的那一列收集它出现过的每个位置的梯度，没用到的词得到 0。"},
	},
}
