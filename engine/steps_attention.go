package engine

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// The step builders CLIP and the DiT add to the shared ones in steps.go:
// each runs a layer of layers_attention.go (or plain arithmetic) and
// teaches its cells to explain themselves.

// cellName writes "M[r,c]" with 1-based indices, the way a cell is named
// in a formula.
func cellName(name string, r, c int) string {
	return group(name) + "[" + strconv.Itoa(r+1) + "," + strconv.Itoa(c+1) + "]"
}

// group brackets a name that is itself an expression ("H·A"), so that an
// index, a transpose or a derivative applies to all of it: (H·A)[1,1],
// (H·A)ᵀ, ∂L/∂(H·A).
func group(name string) string {
	if isExpression(name) && !(strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]")) {
		return "(" + name + ")"
	}
	return name
}

// isExpression reports whether a name is made of several terms or factors.
func isExpression(name string) bool { return strings.ContainsAny(name, "·+−|/⊙ ") }

// lookupStep adds the step that looks columns of a table up: column j of
// the result is column idx[j] of the table (a word's vector).
func (t *Trace) lookupStep(id string, table *Matrix, idx []int, out Out) *Matrix {
	r, _ := table.Dims()
	data := mat.NewDense(r, len(idx), nil)
	for j, k := range idx {
		for i := 0; i < r; i++ {
			data.Set(i, j, table.At(i, k))
		}
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{Formula: cellName(table.Name, i, idx[j]) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{table.ID, i, idx[j]}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{table, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{table.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(table.Name), mo("["), mi("…"), mo("]"))
	t.Add(s)
	return m
}

// patchStep adds the step that cuts a picture into ph×pw patches.
func (t *Trace) patchStep(id string, img *Matrix, ph, pw int, out Out) *Matrix {
	_, cols := img.Dims()
	data := PatchifyForward(img.Data, ph, pw)
	m := out.matrix(data, func(k, j int) Explanation {
		r, c := patchCell(j, k, ph, pw, cols)
		return Explanation{Formula: cellName(img.Name, r, c) + " = " + result(data.At(k, j)),
			Sources: []CellRef{{img.ID, r, c}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{img, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{img.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi("patches"), mo("("), mi(img.Name), mo(")"))
	t.Add(s)
	return m
}

// unpatchStep adds the step that puts patches back into a rows×cols picture.
func (t *Trace) unpatchStep(id string, p *Matrix, ph, pw, rows, cols int, out Out) *Matrix {
	data := UnpatchifyForward(p.Data, ph, pw, rows, cols)
	across := cols / pw
	m := out.matrix(data, func(r, c int) Explanation {
		j := (r/ph)*across + c/pw
		k := (r%ph)*pw + c%pw
		return Explanation{Formula: cellName(p.Name, k, j) + " = " + result(data.At(r, c)),
			Sources: []CellRef{{p.ID, k, j}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{p, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{p.ID}
	s.Formula = mrow(mi(m.Name), mo("="), msup(mi("patches"), mn("−1")), mo("("), mi(p.Name), mo(")"))
	t.Add(s)
	return m
}

// poolStep adds the step that averages each group of adjacent columns.
func (t *Trace) poolStep(id string, x *Matrix, group int, out Out) *Matrix {
	data := MeanPoolForward(x.Data, group)
	m := out.matrix(data, func(i, j int) Explanation {
		var b strings.Builder
		src := make([]CellRef, 0, group)
		b.WriteString("(")
		for k := 0; k < group; k++ {
			if k > 0 {
				b.WriteString(" + ")
			}
			b.WriteString(paren(x.At(i, j*group+k)))
			src = append(src, CellRef{x.ID, i, j*group + k})
		}
		b.WriteString(") / " + strconv.Itoa(group) + " = " + result(data.At(i, j)))
		return Explanation{Formula: b.String(), Sources: src}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{x, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{x.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi("mean"), mo("("), mi(x.Name), mo(")"))
	t.Add(s)
	return m
}

// poolGradStep adds the step that hands each pooled column's gradient,
// divided by the group size, back to the columns averaged into it.
func (t *Trace) poolGradStep(id string, dy *Matrix, group int, out Out) *Matrix {
	data := MeanPoolBackward(dy.Data, group)
	out.Role, out.Hue = RoleGradient, HueGradient
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{Formula: paren(dy.At(i, j/group)) + " / " + strconv.Itoa(group) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{dy.ID, i, j / group}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{dy, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{dy.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(dy.Name), mo("/"), mn(strconv.Itoa(group)))
	t.Add(s)
	return m
}

// scalarStep adds the step out = k·a where k is the single cell of a 1×1
// matrix (a temperature): unlike Scale, k is itself an editable number.
func (t *Trace) scalarStep(id string, k, a *Matrix, out Out) *Matrix {
	r, c := a.Dims()
	data := mat.NewDense(r, c, nil)
	data.Scale(k.At(0, 0), a.Data)
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	if out.RowLabels == nil {
		out.RowLabels = a.RowLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{Formula: paren(k.At(0, 0)) + "·" + paren(a.At(i, j)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{k.ID, 0, 0}, {a.ID, i, j}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{k, a, m}
	s.Ops = []string{"", "·", "="}
	s.Reads = []string{k.ID, a.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(k.Name), mo("·"), mi(a.Name))
	t.Add(s)
	return m
}

// sumsStep adds the step that sums each row (a column of sums) or each
// column (a row of sums) of e. On paper, a sum too large to compute is
// named like a power too large ("undefined.overflow.hand").
func (t *Trace) sumsStep(id string, e *Matrix, axis Axis, out Out) *Matrix {
	n, length, at := lines(e.Data, axis)
	var data *mat.Dense
	if axis == EachRow {
		data = mat.NewDense(n, 1, nil)
		out.RowLabels = e.RowLabels
	} else {
		data = mat.NewDense(1, n, nil)
		out.ColLabels = e.ColLabels
	}
	for l := 0; l < n; l++ {
		s := 0.0
		for k := 0; k < length; k++ {
			s += e.At(at(l, k))
		}
		if axis == EachRow {
			data.Set(l, 0, s)
		} else {
			data.Set(0, l, s)
		}
	}
	m := out.matrix(data, func(i, j int) Explanation {
		l := i
		if axis == EachColumn {
			l = j
		}
		var b strings.Builder
		src := make([]CellRef, 0, length)
		for k := 0; k < length; k++ {
			if k > 0 {
				b.WriteString(" + ")
			}
			r, c := at(l, k)
			b.WriteString(paren(e.At(r, c)))
			src = append(src, CellRef{e.ID, r, c})
		}
		b.WriteString(" = " + result(data.At(i, j)))
		return Explanation{Formula: b.String(), Sources: src}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{e, m}
	s.Ops = []string{"", "Σ →"}
	s.Reads = []string{e.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mo("Σ"), mi(e.Name))
	if t.Mode == Hand && e.Finite() && !m.Finite() {
		s.Undefined = "undefined.overflow.hand" // powers on paper, added up
	}
	t.Add(s)
	return m
}

// normalizeStep adds the step that divides every cell of e by the sum of
// its row (axis EachRow) or column: the last step of a softmax. A sum of 0
// (every cell too small to show) leaves the step undefined, with the key
// model+".undefined.underflow".
func (t *Trace) normalizeStep(id string, e, sums *Matrix, axis Axis, out Out) *Matrix {
	r, c := e.Dims()
	sumAt := func(i, j int) (int, int) {
		if axis == EachRow {
			return i, 0
		}
		return 0, j
	}
	data := mat.NewDense(r, c, nil)
	zero := false
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			sv := sums.At(sumAt(i, j))
			if sv == 0 {
				zero = true
			}
			data.Set(i, j, e.At(i, j)/sv)
		}
	}
	if out.ColLabels == nil {
		out.ColLabels = e.ColLabels
	}
	if out.RowLabels == nil {
		out.RowLabels = e.RowLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		si, sj := sumAt(i, j)
		return Explanation{Formula: paren(e.At(i, j)) + " / " + paren(sums.At(si, sj)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{e.ID, i, j}, {sums.ID, si, sj}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{e, sums, m}
	s.Ops = []string{"", "/", "="}
	s.Reads = []string{e.ID, sums.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(e.Name), mo("/"), mi(sums.Name))
	if zero {
		s.Undefined = t.Model + ".undefined.underflow"
	}
	t.Add(s)
	return m
}

// halfSumStep adds the step out = ½·a + ½·b: the average of two gradients.
func (t *Trace) halfSumStep(id string, a, b *Matrix, out Out) *Matrix {
	r, c := a.Dims()
	data := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			data.Set(i, j, 0.5*a.At(i, j)+0.5*b.At(i, j))
		}
	}
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	if out.RowLabels == nil {
		out.RowLabels = a.RowLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{Formula: "½·" + paren(a.At(i, j)) + " + ½·" + paren(b.At(i, j)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{a.ID, i, j}, {b.ID, i, j}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, b, m}
	s.Ops = []string{"½ ×", "+ ½ ×", "="}
	s.Reads = []string{a.ID, b.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mn("½"), mo("("), mi(a.Name), mo(")"), mo("+"), mn("½"), mo("("), mi(b.Name), mo(")"))
	t.Add(s)
	return m
}

// sumStep adds the step out = a + b + …, cell by cell: the gradients that
// reach one matrix along several paths.
func (t *Trace) sumStep(id string, out Out, terms ...*Matrix) *Matrix {
	r, c := terms[0].Dims()
	data := mat.NewDense(r, c, nil)
	for _, m := range terms {
		data.Add(data, m.Data)
	}
	if out.ColLabels == nil {
		out.ColLabels = terms[0].ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		parts := make([]string, len(terms))
		src := make([]CellRef, len(terms))
		for k, a := range terms {
			parts[k] = paren(a.At(i, j))
			src[k] = CellRef{a.ID, i, j}
		}
		return Explanation{Formula: strings.Join(parts, " + ") + " = " + result(data.At(i, j)), Sources: src}
	})
	s := t.NewStep(id)
	s.Matrices = append(append([]*Matrix{}, terms...), m)
	for _, a := range terms {
		s.Reads = append(s.Reads, a.ID)
	}
	s.Formula = joinParts(s, terms, "+", "=", mi(m.Name), mo("="))
	t.Add(s)
	return m
}

// rowsStep adds the step that splits a column vector into consecutive
// pieces of the given heights (scale γ and shift β from one vector).
func (t *Trace) rowsStep(id string, v *Matrix, outs []Out, heights []int) []*Matrix {
	s := t.NewStep(id)
	s.Matrices = []*Matrix{v}
	s.Ops = []string{""}
	s.Reads = []string{v.ID}
	var res []*Matrix
	start := 0
	for k, o := range outs {
		from, h := start, heights[k]
		data := mat.DenseCopyOf(v.Data.Slice(from, from+h, 0, 1))
		m := o.matrix(data, func(i, _ int) Explanation {
			return Explanation{Formula: cellName(v.Name, from+i, 0) + " = " + result(data.At(i, 0)),
				Sources: []CellRef{{v.ID, from + i, 0}}}
		})
		res = append(res, m)
		s.Matrices = append(s.Matrices, m)
		if k == 0 {
			s.Ops = append(s.Ops, "→")
		} else {
			s.Ops = append(s.Ops, ",")
		}
		start += h
	}
	s.Formula = mrow(mi(v.Name), mo("→"), mi(outs[0].Name), mo(","), mi(outs[len(outs)-1].Name))
	t.Add(s)
	return res
}

// scaleShiftStep adds the step y = γ ⊙ x + β, row by row.
func (t *Trace) scaleShiftStep(id string, gamma, x, beta *Matrix, out Out) *Matrix {
	r, _ := x.Dims()
	ss := mat.NewDense(2*r, 1, nil)
	ss.Slice(0, r, 0, 1).(*mat.Dense).Copy(gamma.Data)
	ss.Slice(r, 2*r, 0, 1).(*mat.Dense).Copy(beta.Data)
	data := ScaleShiftForward(x.Data, ss)
	if out.ColLabels == nil {
		out.ColLabels = x.ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{Formula: paren(gamma.At(i, 0)) + "·" + paren(x.At(i, j)) + " + " + paren(beta.At(i, 0)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{gamma.ID, i, 0}, {x.ID, i, j}, {beta.ID, i, 0}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{gamma, x, beta, m}
	s.Ops = []string{"", "⊙", "+", "="}
	s.Reads = []string{gamma.ID, x.ID, beta.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(gamma.Name), mo("⊙"), mi(x.Name), mo("+"), mi(beta.Name))
	t.Add(s)
	return m
}

// softmaxDotStep adds the first step back through a softmax along axis:
// for each line, the sum of P ⊙ ∂L/∂P.
func (t *Trace) softmaxDotStep(id string, p, dp *Matrix, axis Axis, out Out) *Matrix {
	n, length, at := lines(p.Data, axis)
	var data *mat.Dense
	if axis == EachRow {
		data = mat.NewDense(n, 1, nil)
	} else {
		data = mat.NewDense(1, n, nil)
		out.ColLabels = p.ColLabels
	}
	line := func(i, j int) int {
		if axis == EachRow {
			return i
		}
		return j
	}
	for l := 0; l < n; l++ {
		s := 0.0
		for k := 0; k < length; k++ {
			r, c := at(l, k)
			s += p.At(r, c) * dp.At(r, c)
		}
		if axis == EachRow {
			data.Set(l, 0, s)
		} else {
			data.Set(0, l, s)
		}
	}
	out.Role, out.Hue = RoleGradient, HueGradient
	m := out.matrix(data, func(i, j int) Explanation {
		l := line(i, j)
		var b strings.Builder
		src := make([]CellRef, 0, 2*length)
		for k := 0; k < length; k++ {
			if k > 0 {
				b.WriteString(" + ")
			}
			r, c := at(l, k)
			b.WriteString(paren(p.At(r, c)) + "·" + paren(dp.At(r, c)))
			src = append(src, CellRef{p.ID, r, c}, CellRef{dp.ID, r, c})
		}
		b.WriteString(" = " + result(data.At(i, j)))
		return Explanation{Formula: b.String(), Sources: src}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{p, dp, m}
	s.Ops = []string{"", "⊙", "Σ →"}
	s.Reads = []string{p.ID, dp.ID}
	// One sum per line: (Σ↓ A⊙∂L/∂A)ⱼ = Σₖ Aₖⱼ·(∂L/∂A)ₖⱼ down column j.
	l, k := "j", "kj"
	if axis == EachRow {
		l, k = "i", "ik"
	}
	s.Formula = mrow(cell(m.Name, l), mo("="), munder(mo("Σ"), mi("k")), cell(p.Name, k), mo("·"), cell(dp.Name, k))
	t.Add(s)
	return m
}

// softmaxGradStep adds the second step back through a softmax:
// ∂L/∂z = κ·P ⊙ (∂L/∂P − dot), with dot the line sums of softmaxDotStep and
// κ = ln(base)·scale, the factor the softmax's exponent carries, which the
// formula writes as kappaName (ln 3, 1/√2).
func (t *Trace) softmaxGradStep(id string, p, dp, dot *Matrix, axis Axis, kappa float64, kappaName string, out Out) *Matrix {
	r, c := p.Dims()
	dotAt := func(i, j int) (int, int) {
		if axis == EachRow {
			return i, 0
		}
		return 0, j
	}
	data := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			data.Set(i, j, kappa*p.At(i, j)*(dp.At(i, j)-dot.At(dotAt(i, j))))
		}
	}
	out.Role, out.Hue = RoleGradient, HueGradient
	if out.ColLabels == nil {
		out.ColLabels = p.ColLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		di, dj := dotAt(i, j)
		return Explanation{
			Formula: Format(kappa) + "·" + paren(p.At(i, j)) + "·(" + paren(dp.At(i, j)) + " − " + paren(dot.At(di, dj)) + ") = " + result(data.At(i, j)),
			Sources: []CellRef{{p.ID, i, j}, {dp.ID, i, j}, {dot.ID, di, dj}},
		}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{p, dp, dot, m}
	s.Ops = []string{kappaName + " ×", "⊙ (", "−", ") ="}
	s.Reads = []string{p.ID, dp.ID, dot.ID}
	s.Formula = mrow(mi(m.Name), mo("="), mi(kappaName), mo("·"), mi(p.Name), mo("⊙"), mo("("), mi(dp.Name), mo("−"), mi(dot.Name), mo(")"))
	t.Add(s)
	return m
}

// baseML writes a softmax's base in a formula: e, or 3 on paper.
func baseML(base float64) string {
	if base == math.E {
		return mi("e")
	}
	return mn(Format(base))
}

// superscripts maps the characters of a formatted number to their raised
// forms, for powers written in plain text (3², e⁻¹).
var superscripts = map[rune]rune{'0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵',
	'6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '−': '⁻', '+': '⁺'}

// power writes base^x in a cell's explanation: with a raised exponent where
// plain text has one (3², 3⁻¹, e⁻²), else exp(x) for e and 3^(x) for 3, as
// raised digits have no decimal point.
func power(base float64, x float64) string {
	b, s := "e", Format(x)
	if base != math.E {
		b = Format(base)
	}
	var raised strings.Builder
	for _, r := range s {
		sr, ok := superscripts[r]
		if !ok {
			if base == math.E {
				return "exp(" + s + ")"
			}
			return b + "^(" + s + ")"
		}
		raised.WriteRune(sr)
	}
	if s == "" { // not a number: the cell says "undefined"
		return b + "^(?)"
	}
	return b + raised.String()
}

// powerStep adds the step out = base^a, cell by cell: the powers of a
// softmax (3 on paper, e exactly). On paper the powers are taken as they
// are, and one too large to compute makes the step undefined with the key
// "undefined.overflow.hand", which says that exact mode computes it.
func (t *Trace) powerStep(id string, a *Matrix, base float64, out Out) *Matrix {
	r, c := a.Dims()
	data := mat.NewDense(r, c, nil)
	pow := func(x float64) float64 { return math.Pow(base, x) }
	if base == math.E {
		pow = math.Exp
	}
	data.Apply(func(i, j int, _ float64) float64 { return pow(a.At(i, j)) }, data)
	if out.ColLabels == nil {
		out.ColLabels = a.ColLabels
	}
	if out.RowLabels == nil {
		out.RowLabels = a.RowLabels
	}
	m := out.matrix(data, func(i, j int) Explanation {
		return Explanation{Formula: power(base, a.At(i, j)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{a.ID, i, j}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{a, m}
	s.Ops = []string{"", "→"}
	s.Reads = []string{a.ID}
	s.Formula = mrow(mi(m.Name), mo("="), msup(baseML(base), mrow(mi(a.Name))))
	if t.Mode == Hand && a.Finite() && !m.Finite() {
		s.Undefined = "undefined.overflow.hand"
	}
	t.Add(s)
	return m
}

// shiftStep adds the step that subtracts from every cell the largest value
// of its row (axis EachRow) or column: the first step of a softmax computed
// exactly. A softmax does not change when a whole line moves by the same
// amount, and after the shift the largest power is e⁰ = 1: no power can
// overflow, and no line's sum can fall to 0. The step shows the maxima
// (maxOut) and the shifted values (out).
func (t *Trace) shiftStep(id string, z *Matrix, axis Axis, maxOut, out Out) (maxima, shifted *Matrix) {
	n, length, at := lines(z.Data, axis)
	r, c := z.Dims()
	var mx *mat.Dense
	lineOf := func(i, j int) int { return i }
	maxAt := func(l int) (int, int) { return l, 0 }
	if axis == EachRow {
		mx = mat.NewDense(n, 1, nil)
		maxOut.RowLabels = z.RowLabels
	} else {
		mx = mat.NewDense(1, n, nil)
		maxOut.ColLabels = z.ColLabels
		lineOf = func(_, j int) int { return j }
		maxAt = func(l int) (int, int) { return 0, l }
	}
	for l, best := range LineExtremes(z.Data, axis, true) {
		i, j := maxAt(l)
		mx.Set(i, j, best)
	}
	maxima = maxOut.matrix(mx, func(i, j int) Explanation {
		l := lineOf(i, j)
		parts := make([]string, length)
		src := make([]CellRef, length)
		for k := 0; k < length; k++ {
			zr, zc := at(l, k)
			parts[k] = Format(z.At(zr, zc))
			src[k] = CellRef{z.ID, zr, zc}
		}
		return Explanation{Formula: "max(" + strings.Join(parts, ", ") + ") = " + result(mx.At(i, j)), Sources: src}
	})
	t.ready(maxima) // the shift subtracts the maxima as the step shows them
	data := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			mr, mc := maxAt(lineOf(i, j))
			data.Set(i, j, z.At(i, j)-mx.At(mr, mc))
		}
	}
	if out.ColLabels == nil {
		out.ColLabels = z.ColLabels
	}
	if out.RowLabels == nil {
		out.RowLabels = z.RowLabels
	}
	shifted = out.matrix(data, func(i, j int) Explanation {
		mr, mc := maxAt(lineOf(i, j))
		return Explanation{Formula: paren(z.At(i, j)) + " − " + paren(mx.At(mr, mc)) + " = " + result(data.At(i, j)),
			Sources: []CellRef{{z.ID, i, j}, {maxima.ID, mr, mc}}}
	})
	s := t.NewStep(id)
	s.Matrices = []*Matrix{z, maxima, shifted}
	s.Ops = []string{"", "−", "="}
	s.Reads = []string{z.ID}
	line := cell(z.Name, "ik")
	if axis == EachColumn {
		line = cell(z.Name, "kj")
	}
	s.Formula = mrow(indexed(shifted.Name), mo("="), indexed(z.Name), mo("−"), munder(mi("max"), mi("k")), line)
	t.Add(s)
	return maxima, shifted
}

// joinParts sets up a step that shows parts joined by op and then its
// result (drawn after last): the operators between the matrices, what the
// step reads, and its formula, which begins with lead.
func joinParts(s *Step, parts []*Matrix, op, last string, lead ...string) string {
	s.Ops = []string{""}
	f := lead
	for k, p := range parts {
		s.Reads = append(s.Reads, p.ID)
		if k > 0 {
			s.Ops = append(s.Ops, op)
			f = append(f, mo(op))
		}
		f = append(f, mi(p.Name))
	}
	s.Ops = append(s.Ops, last)
	return mrow(f...)
}
