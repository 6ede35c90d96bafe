package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Tests of the basics: the ops of ops_basics.go against finite
// differences, and the default exercises of softmax.toml, leaky-relu.toml
// and temperature.toml worked by hand.

// basRunOp works one op on its own: inputs A, B, … (in that order), one
// output Y. With dOut set it also runs the op's backward and returns the
// gradient of every input.
func basRunOp(op *Op, params map[string]*Value, mode Mode, ins []*mat.Dense, dOut *mat.Dense) (*Matrix, []*Matrix) {
	if params == nil {
		params = map[string]*Value{}
	}
	c := &Ctx{T: NewTrace("bas", mode), Mode: mode, m: map[string]*Matrix{}, origin: map[string]stepOrigin{}, consumers: map[string]int{}}
	n := &Node{ID: "s", Op: op, Params: params, Out: []OutSpec{{ID: "Y", Name: "Y"}}}
	in := make([]*Matrix, len(ins))
	for k, d := range ins {
		id := string(rune('A' + k))
		n.In = append(n.In, id)
		in[k] = &Matrix{ID: id, Name: id, Role: RoleParameter, Data: d}
		c.m[id] = in[k]
	}
	c.node = n
	outs := op.Forward(c, n, in)
	if dOut == nil {
		return outs[0], nil
	}
	c.m["Y"] = outs[0]
	dy := &Matrix{ID: "dY", Name: "∂L/∂Y", Role: RoleGradient, Data: dOut}
	want := make([]bool, len(in))
	for k := range want {
		want[k] = true
	}
	return outs[0], op.Backward(c, n, in, outs, []*Matrix{dy}, want)
}

// basCheckOpFD draws random inputs (shapes given) and a random upstream
// gradient g until it has checked count cases that valid accepts, and
// compares the op's gradient of every input with central finite
// differences of Σ g ⊙ Y.
func basCheckOpFD(t *testing.T, op *Op, params map[string]*Value, shapes []Shape, out Shape, count int, valid func(ins []*mat.Dense) bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(31, 32))
	checked := 0
	for draws := 0; checked < count; draws++ {
		if draws > 100*count {
			t.Fatalf("%s: only %d of %d valid random cases after %d draws", op.Name, checked, count, draws)
		}
		ins := make([]*mat.Dense, len(shapes))
		for k, s := range shapes {
			ins[k] = randDense(rng, s.Rows, s.Cols)
		}
		if valid != nil && !valid(ins) {
			continue
		}
		g := randDense(rng, out.Rows, out.Cols)
		for _, mode := range []Mode{Hand, Exact} {
			_, grads := basRunOp(op, params, mode, ins, g)
			for k := range ins {
				if grads[k] == nil {
					t.Fatalf("%s: no gradient for input %d", op.Name, k)
				}
				f := func() float64 {
					y, _ := basRunOp(op, params, mode, ins, nil)
					return weighted(g, y.Data)
				}
				checkFD(t, op.Name, ins[k], f, grads[k].Data)
			}
		}
		checked++
	}
}

// noKink accepts inputs with no cell within 1e-4 of 0, where a ReLU's
// slope jumps and finite differences straddle both sides.
func basNoKink(ins []*mat.Dense) bool {
	for _, d := range ins {
		r, c := d.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if math.Abs(d.At(i, j)) < 1e-4 {
					return false
				}
			}
		}
	}
	return true
}

func TestBasLeakyReLUFiniteDifferences(t *testing.T) {
	for _, alpha := range []float64{0.1, 0.3, 0, -0.5} {
		params := map[string]*Value{"alpha": NumParam(alpha)}
		basCheckOpFD(t, opBasLeakyReLU, params, []Shape{{3, 4}}, Shape{3, 4}, 20, basNoKink)
	}
}

func TestBasLineSumsFiniteDifferences(t *testing.T) {
	basCheckOpFD(t, opBasLineSums, nil, []Shape{{4, 3}}, Shape{1, 3}, 20, nil)
	basCheckOpFD(t, opBasLineSums, map[string]*Value{"axis": StrParam("rows")}, []Shape{{4, 3}}, Shape{4, 1}, 20, nil)
}

// TestBasSample: sorting, intervals and the pick on a small column, and
// an r outside every interval, which picks nothing.
func TestBasSample(t *testing.T) {
	p := dense([]float64{0.2}, []float64{0.5}, []float64{0.3})
	run := func(r float64) (*Trace, *Matrix) {
		c := &Ctx{T: NewTrace("bas", Hand), Mode: Hand, m: map[string]*Matrix{}, origin: map[string]stepOrigin{}}
		n := &Node{ID: "s", Op: opBasSample, In: []string{"P", "r"}, Params: map[string]*Value{}, Out: []OutSpec{{ID: "S", Name: "S"}}}
		c.node = n
		in := []*Matrix{{ID: "P", Name: "P", RowLabels: []string{"a", "b", "c"}, Data: p}, {ID: "r", Name: "r", Data: dense([]float64{r})}}
		return c.T, opBasSample.Forward(c, n, in)[0]
	}
	// Sorted: b 0.5, c 0.3, a 0.2; intervals [0, 0.5), [0.5, 0.8), [0.8, 1).
	tr, s := run(0.75)
	if got := tr.Matrix("S.sorted"); !mat.Equal(got.Data, dense([]float64{0.5}, []float64{0.3}, []float64{0.2})) ||
		got.RowLabels[0] != "b" || got.RowLabels[1] != "c" || got.RowLabels[2] != "a" {
		t.Errorf("sorted = %v %v", mat.Formatted(got.Data), got.RowLabels)
	}
	cum := tr.Matrix("S.cum").Data
	want := dense([]float64{0, 0.5}, []float64{0.5, 0.8}, []float64{0.8, 1})
	if !mat.EqualApprox(cum, want, 1e-12) {
		t.Errorf("intervals =\n%v", mat.Formatted(cum))
	}
	// 0.75 is in c's interval [0.5, 0.8).
	if !mat.Equal(s.Data, dense([]float64{0}, []float64{0}, []float64{1})) {
		t.Errorf("r = 0.75 picks %v, want c", mat.Formatted(s.Data))
	}
	if e, _ := s.Explain(2, 0); e.Formula != "0.75 ∈ [0.5, 0.8) → 1" {
		t.Errorf("explanation of the pick: %q", e.Formula)
	}
	if e, _ := s.Explain(0, 0); e.Formula != "0.75 ∉ [0.8, 1) → 0" {
		t.Errorf("explanation of a word not picked: %q", e.Formula)
	}
	// r = 0 is in the first interval: the likeliest word.
	if _, s := run(0); s.At(1, 0) != 1 || mat.Sum(s.Data) != 1 {
		t.Errorf("r = 0 picks %v, want b", mat.Formatted(s.Data))
	}
	for _, r := range []float64{-0.1, 1, 1.5} {
		if _, s := run(r); mat.Sum(s.Data) != 0 {
			t.Errorf("r = %v lies in no interval but picks %v", r, mat.Formatted(s.Data))
		}
	}
}

// basWant compares matrices of a trace with the values worked by hand.
func basWant(t *testing.T, tr *Trace, want map[string]*mat.Dense, tol float64) {
	t.Helper()
	for id, w := range want {
		got := tr.Matrix(id)
		if got == nil {
			t.Errorf("%s: no matrix %s", tr.Mode, id)
			continue
		}
		if !mat.EqualApprox(got.Data, w, tol) {
			t.Errorf("%s: %s =\n%v\nwant\n%v", tr.Mode, id, mat.Formatted(got.Data), mat.Formatted(w))
		}
	}
}

func basCol(v ...float64) *mat.Dense { return mat.NewDense(len(v), 1, v) }

// The softmax walkthrough, worked by hand. x = (2, 0, 3, 1, 2, 0).
// On paper: 3² = 9, 3⁰ = 1, 3³ = 27, 3¹ = 3, so the powers are
// (9, 1, 27, 3, 9, 1), their sum 9 + 1 + 27 + 3 + 9 + 1 = 50, and the
// probabilities 9/50 = 0.18, 1/50 = 0.02, 27/50 = 0.54, 3/50 = 0.06; they
// add up to 0.18 + 0.02 + 0.54 + 0.06 + 0.18 + 0.02 = 1. The target is the
// first entry: L = −ln 0.18 = 1.7148, and ∂L/∂x = ln 3·(P − Y), first cell
// ln 3·(0.18 − 1) = −0.82·1.0986 = −0.9009.
func TestBasSoftmaxDefaultByHand(t *testing.T) {
	m := Lookup("softmax")
	if m == nil {
		t.Fatal("softmax is not registered")
	}
	tr := m.Run(m.Exercise(), Hand)
	ln3 := math.Log(3)
	basWant(t, tr, map[string]*mat.Dense{
		"P.e":   basCol(9, 1, 27, 3, 9, 1),
		"P.sum": basCol(50),
		"P":     basCol(0.18, 0.02, 0.54, 0.06, 0.18, 0.02),
		"S":     basCol(1),
		"dx":    basCol(-0.82*ln3, 0.02*ln3, 0.54*ln3, 0.06*ln3, 0.18*ln3, 0.02*ln3),
	}, 1e-12)
	if l := TotalLoss(tr); math.Abs(l-(-math.Log(0.18))) > 1e-12 {
		t.Errorf("hand loss = %v, want −ln 0.18", l)
	}
	if e, _ := tr.Explain("S", 0, 0); e.Formula != "0.18 + 0.02 + 0.54 + 0.06 + 0.18 + 0.02 = 1" {
		t.Errorf("the check explains itself as %q", e.Formula)
	}
	// Exactly: x − max = (−1, −3, 0, −2, −1, −3); the sum of the powers is
	// 2e⁻¹ + 2e⁻³ + 1 + e⁻² = 0.735759 + 0.099574 + 1 + 0.135335 = 1.970668,
	// so P₁ = e⁻¹/1.970668 = 0.367879/1.970668 = 0.186677 and
	// L = −ln P₁ = 1 + ln 1.970668 = 1.678373.
	tr = m.Run(m.Exercise(), Exact)
	sum := 2*math.Exp(-1) + 2*math.Exp(-3) + 1 + math.Exp(-2)
	if math.Abs(sum-1.970668) > 1e-6 {
		t.Fatalf("worked sum %v", sum)
	}
	p1 := math.Exp(-1) / sum
	basWant(t, tr, map[string]*mat.Dense{
		"P.d":   basCol(-1, -3, 0, -2, -1, -3),
		"P.sum": basCol(sum),
		"P":     basCol(p1, math.Exp(-3)/sum, 1/sum, math.Exp(-2)/sum, p1, math.Exp(-3)/sum),
		"S":     basCol(1),
		"dx":    basCol(p1-1, math.Exp(-3)/sum, 1/sum, math.Exp(-2)/sum, p1, math.Exp(-3)/sum),
	}, 1e-12)
	if l := TotalLoss(tr); math.Abs(l-(1+math.Log(sum))) > 1e-12 || math.Abs(l-1.678373) > 1e-6 {
		t.Errorf("exact loss = %v, want 1.678373", l)
	}
}

// The leaky ReLU walkthrough, worked by hand. X = [2 1; 1 −1], [W | b] =
// [1 −1 0; −1 1 1; 1 2 −1]. Z row 1: 1·2 + (−1)·1 + 0 = 1 and
// 1·1 + (−1)·(−1) + 0 = 2; row 2: (−1)·2 + 1·1 + 1 = 0 and
// (−1)·1 + 1·(−1) + 1 = −1; row 3: 1·2 + 2·1 − 1 = 3 and 1·1 + 2·(−1) − 1 = −2.
// ReLU's gate is 1 only where Z > 0 (the 0 gets 0); the leaky gate is 0.1
// there instead, so Y = (1, 2; 0·0.1, −1·0.1; 3, −2·0.1) = (1, 2; 0, −0.1;
// 3, −0.2). Against Y′ = (2, 1; 1, 0; 2, 0):
// L = 1 + 1 + 1 + 0.01 + 1 + 0.04 = 4.05; ∂L/∂Y = 2(Y − Y′) = (−2, 2; −2,
// −0.2; 2, −0.4); through the gate ∂L/∂Z = (−2, 2; −0.2, −0.02; 2, −0.04);
// ∂L/∂[W | b] row 2 = (−0.2·2 + (−0.02)·1, −0.2·1 + (−0.02)·(−1), −0.2 − 0.02)
// = (−0.42, −0.18, −0.22).
func TestBasLeakyReLUDefaultByHand(t *testing.T) {
	m := Lookup("leaky-relu")
	if m == nil {
		t.Fatal("leaky-relu is not registered")
	}
	for _, mode := range []Mode{Hand, Exact} {
		tr := m.Run(m.Exercise(), mode)
		basWant(t, tr, map[string]*mat.Dense{
			"Z":      dense([]float64{1, 2}, []float64{0, -1}, []float64{3, -2}),
			"R.gate": dense([]float64{1, 1}, []float64{0, 0}, []float64{1, 0}),
			"R":      dense([]float64{1, 2}, []float64{0, 0}, []float64{3, 0}),
			"Y.gate": dense([]float64{1, 1}, []float64{0.1, 0.1}, []float64{1, 0.1}),
			"Y":      dense([]float64{1, 2}, []float64{0, -0.1}, []float64{3, -0.2}),
			"dY":     dense([]float64{-2, 2}, []float64{-2, -0.2}, []float64{2, -0.4}),
			"dZ":     dense([]float64{-2, 2}, []float64{-0.2, -0.02}, []float64{2, -0.04}),
			"dW":     dense([]float64{-2, -4, 0}, []float64{-0.42, -0.18, -0.22}, []float64{3.96, 2.04, 1.96}),
		}, 1e-12)
		if l := TotalLoss(tr); math.Abs(l-4.05) > 1e-12 {
			t.Errorf("%s: loss = %v, want 4.05", mode, l)
		}
		if e, _ := tr.Explain("Y.gate", 1, 0); e.Formula != "0 ≤ 0 → α = 0.1" {
			t.Errorf("the gate at Z = 0 explains itself as %q", e.Formula)
		}
		if e, _ := tr.Explain("Y", 2, 1); e.Formula != "(−2)·0.1 = −0.2" {
			t.Errorf("Y[3,2] explains itself as %q", e.Formula)
		}
		// The plain ReLU strikes its negatives out; the leaky one does not.
		if tr.Matrix("R").Before == nil || tr.Matrix("Y").Before != nil {
			t.Errorf("%s: only the plain ReLU should show struck-out values", mode)
		}
	}
}

// The temperature walkthrough, worked by hand. z = (2, 4, 0, 2) for sofa,
// mat, moon, roof; T = 2 gives z/T = (1, 2, 0, 1). On paper the powers are
// 3, 9, 1, 3, their sum 16, and P = (3/16, 9/16, 1/16, 3/16) = (0.1875,
// 0.5625, 0.0625, 0.1875). Sorted: mat 0.5625, sofa 0.1875, roof 0.1875,
// moon 0.0625 (the tie keeps sofa before roof), with intervals [0, 0.5625),
// [0.5625, 0.75), [0.75, 0.9375), [0.9375, 1). r = 0.7 lies in sofa's.
// Training at T = 1: powers 9, 81, 1, 9, sum 100, P₁ = (0.09, 0.81, 0.01,
// 0.09); the target is mat, so L = −ln 0.81 = 0.2107 and ∂L/∂z =
// ln 3·(0.09, 0.81 − 1, 0.01, 0.09).
func TestBasTemperatureDefaultByHand(t *testing.T) {
	m := Lookup("temperature")
	if m == nil {
		t.Fatal("temperature is not registered")
	}
	tr := m.Run(m.Exercise(), Hand)
	ln3 := math.Log(3)
	basWant(t, tr, map[string]*mat.Dense{
		"Zt":       basCol(1, 2, 0, 1),
		"P.e":      basCol(3, 9, 1, 3),
		"P.sum":    basCol(16),
		"P":        basCol(0.1875, 0.5625, 0.0625, 0.1875),
		"S.sorted": basCol(0.5625, 0.1875, 0.1875, 0.0625),
		"S.cum":    dense([]float64{0, 0.5625}, []float64{0.5625, 0.75}, []float64{0.75, 0.9375}, []float64{0.9375, 1}),
		"S":        basCol(1, 0, 0, 0),
		"P1.e":     basCol(9, 81, 1, 9),
		"P1":       basCol(0.09, 0.81, 0.01, 0.09),
		"dz":       basCol(0.09*ln3, -0.19*ln3, 0.01*ln3, 0.09*ln3),
	}, 1e-12)
	if got := tr.Matrix("S.sorted").RowLabels; len(got) != 4 || got[0] != "mat" || got[1] != "sofa" || got[2] != "roof" || got[3] != "moon" {
		t.Errorf("sorted words %v, want mat sofa roof moon", got)
	}
	if e, _ := tr.Explain("S", 0, 0); e.Formula != "0.7 ∈ [0.563, 0.75) → 1" {
		t.Errorf("the pick explains itself as %q", e.Formula)
	}
	if l := TotalLoss(tr); math.Abs(l-(-math.Log(0.81))) > 1e-12 {
		t.Errorf("hand loss = %v, want −ln 0.81", l)
	}
	// Exactly: z/T − 2 = (−1, 0, −2, −1), the sum of the powers is
	// 2e⁻¹ + 1 + e⁻² = 0.735759 + 1 + 0.135335 = 1.871094, so mat has
	// 1/1.871094 = 0.534447 and sofa e⁻¹/1.871094 = 0.196612: sofa's interval
	// is [0.534447, 0.731059), which holds r = 0.7 again.
	tr = m.Run(m.Exercise(), Exact)
	sum := 2*math.Exp(-1) + 1 + math.Exp(-2)
	if math.Abs(sum-1.871094) > 1e-6 {
		t.Fatalf("worked sum %v", sum)
	}
	pm, ps := 1/sum, math.Exp(-1)/sum
	basWant(t, tr, map[string]*mat.Dense{
		"P":     basCol(ps, pm, math.Exp(-2)/sum, ps),
		"S.cum": dense([]float64{0, pm}, []float64{pm, pm + ps}, []float64{pm + ps, pm + 2*ps}, []float64{pm + 2*ps, 1}),
		"S":     basCol(1, 0, 0, 0),
	}, 1e-12)
	if math.Abs(pm+ps-0.731059) > 1e-6 {
		t.Errorf("sofa's interval ends at %v", pm+ps)
	}
}
