package engine

import (
	"strings"
	"unicode"

	"gonum.org/v1/gonum/mat"
)

// This file holds the step builders the walkthroughs share: each adds one
// step to a trace, computes its matrices with the layers, and teaches every
// computed cell to explain itself.

// Out describes a matrix a step computes.
type Out struct {
	ID, Name             string
	Role                 Role // zero value (RoleInput) means an activation
	Hue                  Hue
	RowLabels, ColLabels []string
	Picture              *Picture
}

func (o Out) matrix(data *mat.Dense, explain func(r, c int) Explanation) *Matrix {
	role := o.Role
	if role == RoleInput {
		role = RoleActivation
	}
	return &Matrix{ID: o.ID, Name: o.Name, Role: role, Hue: o.Hue,
		RowLabels: o.RowLabels, ColLabels: o.ColLabels, Picture: o.Picture,
		Data: data, explain: explain}
}

// NewStep starts a step whose title and text are the message keys
// "<model>.<id>.title" and "<model>.<id>.text".
func (t *Trace) NewStep(id string) *Step {
	key := t.Model + "." + id
	return &Step{ID: id, Title: key + ".title", Text: key + ".text"}
}

// Given adds a step that presents matrices the walkthrough starts from.
func (t *Trace) Given(id string, ms ...*Matrix) *Step {
	s := t.NewStep(id)
	s.Matrices = ms
	return t.Add(s)
}

// Linear adds the step Y = [W | b]·[X ; 1] (then ReLU when relu is set,
// negatives struck through to 0), laid out by hand.
func (t *Trace) Linear(id string, wb, x *Matrix, out Out, relu bool) *Matrix {
	pre := LinearForward(wb.Data, x.Data)
	data := pre
	if relu {
		data = ReLUForward(pre)
	}
	_, in1 := wb.Dims()
	in := in1 - 1
	if out.ColLabels == nil {
		out.ColLabels = x.ColLabels
	}
	y := out.matrix(data, func(r, c int) Explanation {
		var b strings.Builder
		src := make([]CellRef, 0, 2*in+2)
		for k := 0; k < in; k++ {
			if k > 0 {
				b.WriteString(" + ")
			}
			b.WriteString(paren(wb.At(r, k)) + "·" + paren(x.At(k, c)))
			src = append(src, CellRef{wb.ID, r, k}, CellRef{x.ID, k, c})
		}
		b.WriteString(" + " + paren(wb.At(r, in)))
		src = append(src, CellRef{wb.ID, r, in}, CellRef{x.ID, in, c})
		if !relu {
			return Explanation{Formula: b.String() + " = " + result(pre.At(r, c)), Sources: src}
		}
		terms := "ReLU(" + b.String() + ")"
		b.WriteString(" = " + result(pre.At(r, c)))
		if pre.At(r, c) < 0 {
			b.WriteString("; ReLU → 0")
		}
		return Explanation{Formula: b.String(), Sources: src, terms: terms}
	})
	if relu {
		y.Before = pre
	}
	s := t.NewStep(id)
	s.Layout = Product
	s.FoldBias = true
	s.Matrices = []*Matrix{wb, x, y}
	s.Reads = []string{wb.ID, x.ID}
	product := []string{mo("["), mi(wb.Name), mo("]"), mo("·"), mo("["), mi(x.Name), mo(";"), mn("1"), mo("]")}
	if relu {
		s.Formula = mrow(append(append([]string{mi(y.Name), mo("="), mi("ReLU"), mo("(")}, product...), mo(")"))...)
	} else {
		s.Formula = mrow(append([]string{mi(y.Name), mo("=")}, product...)...)
	}
	t.Add(s)
	return y
}

// linearGrad is LinearGrad with its step ids and outputs given, each of
// the two gradients only when wanted.
func (t *Trace) linearGrad(dwID, dxID string, wb, x, dy *Matrix, wantDW, wantDX bool, dwOut, dxOut Out) (dWb, dX *Matrix) {
	gw, gx := LinearBackward(wb.Data, x.Data, dy.Data)
	if wantDW {
		rows, _ := x.Dims()
		// [X ; 1]ᵀ, drawn with its column of 1s set apart like a bias column.
		xt := &Matrix{ID: x.ID + "ᵀ1", Name: group(x.Name) + "ᵀ", Role: x.Role, Hue: x.Hue,
			BiasColumn: true, Data: mat.DenseCopyOf(ones(x.Data).T()), from: x.ID}
		xt.explain = func(r, c int) Explanation {
			if c == rows { // the row of 1s under X, standing for the bias
				return Explanation{Formula: cellName("["+x.Name+" ; 1]", c, r) + " = 1", Sources: []CellRef{{x.ID, c, r}}}
			}
			return Explanation{Formula: cellName(x.Name, c, r) + " = " + result(x.At(c, r)), Sources: []CellRef{{x.ID, c, r}}}
		}
		dwOut.Role, dwOut.Hue = RoleGradient, HueGradient
		dWb = dwOut.matrix(gw, productExplain(dy, xt, gw))
		dWb.BiasColumn = true
		s := t.NewStep(dwID)
		s.Layout = Product
		s.Matrices = []*Matrix{dy, xt, dWb}
		s.Reads = []string{dy.ID, x.ID}
		s.Formula = mrow(mi(dWb.Name), mo("="), mi(dy.Name), mo("·"), msup(mrow(mo("["), mi(x.Name), mo(";"), mn("1"), mo("]")), mi("T")))
		t.Add(s)
	}
	if !wantDX {
		return dWb, nil
	}
	out, in1 := wb.Dims()
	wName := strings.TrimSpace(strings.Split(wb.Name, "|")[0])
	w := &Matrix{ID: wb.ID, Name: wName, Role: wb.Role, Hue: wb.Hue, Trainable: wb.Trainable, Frozen: wb.Frozen,
		Data: wb.Data.Slice(0, out, 0, in1-1).(*mat.Dense)}
	wt := Transposed(w, wb.ID+"ᵀ", group(wName)+"ᵀ")
	dxOut.Role, dxOut.Hue = RoleGradient, HueGradient
	if dxOut.ColLabels == nil {
		dxOut.ColLabels = x.ColLabels
	}
	dX = dxOut.matrix(gx, productExplain(wt, dy, gx))
	s := t.NewStep(dxID)
	s.Layout = Product
	s.Matrices = []*Matrix{wt, dy, dX}
	s.Reads = []string{wb.ID, dy.ID}
	s.Formula = mrow(mi(dX.Name), mo("="), msup(mi(wName), mi("T")), mo("·"), mi(dy.Name))
	t.Add(s)
	return dWb, dX
}

// productExplain explains cell (r, c) of out = a·b as a row times a column.
func productExplain(a, b *Matrix, out *mat.Dense) func(r, c int) Explanation {
	return func(r, c int) Explanation {
		_, n := a.Dims()
		var s strings.Builder
		src := make([]CellRef, 0, 2*n)
		for k := 0; k < n; k++ {
			if k > 0 {
				s.WriteString(" + ")
			}
			s.WriteString(paren(a.At(r, k)) + "·" + paren(b.At(k, c)))
			src = append(src, CellRef{a.ID, r, k}, CellRef{b.ID, k, c})
		}
		s.WriteString(" = " + result(out.At(r, c)))
		return Explanation{Formula: s.String(), Sources: src}
	}
}

// ReLUGrad adds the step ∂L/∂(pre-activation) = ∂L/∂Y ⊙ [Y's input > 0],
// for a matrix y made by a ReLU (its Before holds its input). The mask's
// id is prefix (the phase's, see Ctx.prefix) and y's id and ".mask".
func (t *Trace) ReLUGrad(id, prefix string, y, dy *Matrix, out Out) *Matrix {
	mask := Out{ID: prefix + y.ID + ".mask", Name: "[" + y.Name + " > 0]"}.matrix(reluMask(y.Before), nil)
	mask.explain = func(r, c int) Explanation {
		v := y.Before.At(r, c)
		rel := " > 0 → 1"
		if !(v > 0) {
			rel = " ≤ 0 → 0"
		}
		return Explanation{Formula: paren(v) + rel, Sources: []CellRef{{y.ID, r, c}}, terms: "[" + paren(v) + " > 0]"}
	}
	t.ready(mask) // the gradient is multiplied by the mask as the step shows it
	out.Role, out.Hue = RoleGradient, HueGradient
	data := mat.NewDense(y.Data.RawMatrix().Rows, y.Data.RawMatrix().Cols, nil)
	data.MulElem(dy.Data, mask.Data)
	dx := out.matrix(data, nil)
	dx.explain = func(r, c int) Explanation {
		return Explanation{
			Formula: paren(dy.At(r, c)) + "·" + result(mask.At(r, c)) + " = " + result(dx.At(r, c)),
			Sources: []CellRef{{dy.ID, r, c}, {mask.ID, r, c}},
		}
	}
	s := t.NewStep(id)
	s.Matrices = []*Matrix{dy, mask, dx}
	s.Ops = []string{"", "⊙", "="}
	s.Reads = []string{y.ID, dy.ID}
	s.Formula = mrow(mi(out.Name), mo("="), mi(dy.Name), mo("⊙"), mi(mask.Name))
	t.Add(s)
	return dx
}

// Elementwise adds the step out = a op b, cell by cell, with f computing op.
func (t *Trace) Elementwise(id string, a *Matrix, op string, b *Matrix, out Out, f func(x, y float64) float64) *Matrix {
	r, c := a.Dims()
	data := mat.NewDense(r, c, nil)
	data.Apply(func(i, j int, _ float64) float64 { return f(a.At(i, j), b.At(i, j)) }, data)
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{
			Formula: paren(a.At(i, j)) + " " + op + " " + paren(b.At(i, j)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{a.ID, i, j}, {b.ID, i, j}},
		}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, b, m}
	s.Ops = []string{"", op, "="}
	s.Reads = []string{a.ID, b.ID}
	s.Formula = binaryFormula(m.Name, a.Name, op, b.Name)
	t.Add(s)
	return m
}

// binaryFormula writes the formula of out = a op b, cell by cell. When out
// is named after its own expression ("Y − Y′"), "Y − Y′ = Y − Y′" would
// say nothing: the formula then says what each cell is,
// (Y − Y′)ᵢⱼ = Yᵢⱼ − Y′ᵢⱼ.
func binaryFormula(out, a, op, b string) string {
	if plain(out) == plain(a+op+b) {
		cellOp := op
		if op == "⊙" {
			cellOp = "·" // a product of two cells is a plain product
		}
		return mrow(indexed(out), mo("="), indexed(a), mo(cellOp), indexed(b))
	}
	return mrow(mi(out), mo("="), operand(a), mo(op), operand(b))
}

// indexed writes cell (i, j) of a matrix in a formula: Yᵢⱼ, and (Y − Y′)ᵢⱼ
// for a name longer than one letter and its marks.
func indexed(name string) string { return cell(name, "ij") }

// cell writes one cell of a matrix in a formula, with the given indices.
func cell(name, idx string) string {
	letters := 0
	for _, r := range name {
		if !unicode.Is(unicode.Mn, r) && r != '′' {
			letters++
		}
	}
	base := mi(name)
	if isExpression(name) || letters > 1 && !strings.HasSuffix(name, ")") {
		base = mrow(mo("("), mi(name), mo(")"))
	}
	return msub(base, mi(idx))
}

// squaredSumFormula writes the loss a difference is taken for,
// L = Σ (Y − Y′)²: the step that shows Y − Y′ begins its gradient.
func squaredSumFormula(diff string) string {
	return mrow(mi("L"), mo("="), mo("Σ"), msup(mrow(mo("("), mi(diff), mo(")")), mn("2")))
}

// plain is a name without its spaces, to compare names and expressions.
func plain(s string) string { return strings.ReplaceAll(s, " ", "") }

// Copied adds the step out = a, cell by cell: a result that is, by the
// mathematics, one of the matrices already computed (∂KL/∂μ = μ).
func (t *Trace) Copied(id string, a *Matrix, out Out) *Matrix {
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	m := out.matrix(mat.DenseCopyOf(a.Data), func(i, j int) Explanation {
		return Explanation{Formula: cellName(a.Name, i, j) + " = " + result(a.At(i, j)), Sources: []CellRef{{a.ID, i, j}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, m}
	s.Ops = []string{"", "="}
	s.Reads = []string{a.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(a.Name))
	t.Add(s)
	return m
}

// Scale adds the step out = k·a.
func (t *Trace) Scale(id string, k float64, a *Matrix, out Out) *Matrix {
	data := mat.NewDense(a.Data.RawMatrix().Rows, a.Data.RawMatrix().Cols, nil)
	data.Scale(k, a.Data)
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{
			Formula: paren(k) + "·" + paren(a.At(i, j)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{a.ID, i, j}},
		}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, m}
	s.Ops = []string{Format(k) + " ×", "="}
	s.Reads = []string{a.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mn(Format(k)), mo("·"), operand(a.Name))
	if plain(m.Name) == plain(Format(k)+"·"+group(a.Name)) {
		// Named after its own product (a softmax's 0.5·S): say what a cell is.
		s.Formula = mrow(indexed(m.Name), mo("="), mn(Format(k)), mo("·"), indexed(a.Name))
	}
	t.Add(s)
	return m
}

// MathML helpers for step formulas.
func mi(s string) string      { return "<mi>" + escape(s) + "</mi>" }
func mo(s string) string      { return "<mo>" + escape(s) + "</mo>" }
func mn(s string) string      { return "<mn>" + escape(s) + "</mn>" }
func mrow(s ...string) string { return "<mrow>" + strings.Join(s, "") + "</mrow>" }
func msup(base, sup string) string {
	return "<msup>" + base + sup + "</msup>"
}
func msub(base, sub string) string {
	return "<msub>" + base + sub + "</msub>"
}
func mfrac(num, den string) string {
	return "<mfrac>" + num + den + "</mfrac>"
}
func munder(base, under string) string {
	return "<munder>" + base + under + "</munder>"
}

// operand writes a matrix's name as one factor of a formula: a name that
// is itself an expression ("Y − Y′") in brackets, so that 2·(Y − Y′) is
// not read as 2·Y − Y′.
func operand(name string) string {
	if strings.ContainsAny(name, "+−") && strings.Contains(name, " ") {
		return mrow(mo("("), mi(name), mo(")"))
	}
	return mi(name)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// Map adds the step out = f(a), cell by cell; name is how the formula
// writes f, e.g. "σ" or "ReLU".
func (t *Trace) Map(id string, a *Matrix, name string, out Out, f func(x float64) float64) *Matrix {
	s, m := t.mapStep(id, a, name, out, f)
	t.Add(s)
	return m
}

// mapStep is Map's step and matrix, not yet added: a ReLU gives the
// matrix the numbers it struck out (Matrix.Before) before it is added.
func (t *Trace) mapStep(id string, a *Matrix, name string, out Out, f func(x float64) float64) (*Step, *Matrix) {
	r, c := a.Dims()
	data := mat.NewDense(r, c, nil)
	data.Apply(func(i, j int, _ float64) float64 { return f(a.At(i, j)) }, data)
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{
			Formula: name + "(" + result(a.At(i, j)) + ") = " + result(data.At(i, j)),
			Sources: []CellRef{{a.ID, i, j}},
		}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, m}
	s.Ops = []string{"", name + " →"}
	s.Reads = []string{a.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(name), mo("("), mi(a.Name), mo(")"))
	return s, m
}

// MatMul adds the step out = a·b (no bias), laid out by hand.
func (t *Trace) MatMul(id string, a, b *Matrix, out Out) *Matrix {
	data := product(a.Data, b.Data)
	if out.ColLabels == nil {
		out.ColLabels = b.ColLabels
	}
	if out.RowLabels == nil {
		out.RowLabels = a.RowLabels
	}
	m := out.matrix(data, productExplain(a, b, data))
	s := t.NewStep(id)
	s.Layout = Product
	s.Matrices = []*Matrix{a, b, m}
	s.Reads = []string{a.ID, b.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(a.Name), mo("·"), mi(b.Name))
	if plain(m.Name) == plain(a.Name+"·"+b.Name) {
		// Named after its own product: say what a cell of it is instead,
		// (H·A)ᵢⱼ = Σₖ Hᵢₖ·Aₖⱼ.
		s.Formula = mrow(indexed(m.Name), mo("="), munder(mo("Σ"), mi("k")), cell(a.Name, "ik"), mo("·"), cell(b.Name, "kj"))
	}
	t.Add(s)
	return m
}

// Transposed returns aᵀ as a matrix a step can show; its cells explain
// themselves as the cell of a they came from. It adds no step.
func Transposed(a *Matrix, id, name string) *Matrix {
	m := &Matrix{ID: id, Name: name, Role: a.Role, Hue: a.Hue,
		Trainable: a.Trainable, Frozen: a.Frozen,
		RowLabels: a.ColLabels, ColLabels: a.RowLabels,
		Data: mat.DenseCopyOf(a.Data.T()), from: a.ID}
	m.explain = func(r, c int) Explanation {
		return Explanation{Formula: cellName(a.Name, c, r) + " = " + result(a.At(c, r)), Sources: []CellRef{{a.ID, c, r}}}
	}
	if a.from != "" {
		// a is itself a view (Kᵀ of "K.T"), which a backward step may never
		// show: aᵀ is the matrix a views, so name that matrix's cells.
		orig := a.from
		m.from = orig
		m.explain = func(r, c int) Explanation {
			return Explanation{Formula: cellName(a.Name, c, r) + " = " + result(a.At(c, r)), Sources: []CellRef{{orig, r, c}}}
		}
	}
	return m
}

// Computed returns a matrix whose cells explain themselves with explain.
// Models use it for steps the shared builders do not cover.
func Computed(out Out, data *mat.Dense, explain func(r, c int) Explanation) *Matrix {
	return out.matrix(data, explain)
}
