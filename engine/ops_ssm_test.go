package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ssmOpRun works one op through on its own: its forward on ins, and, when
// dOut is given, its backward with every input wanted. It returns the
// outputs' numbers and the gradients.
func ssmOpRun(op *Op, params map[string]*Value, ins, dOut []*mat.Dense) (outs, grads []*mat.Dense) {
	c := &Ctx{T: NewTrace("ssmtest", Exact), Mode: Exact, W: &Walkthrough{}, m: map[string]*Matrix{},
		origin: map[string]stepOrigin{}, consumers: map[string]int{}}
	n := &Node{ID: "s", Op: op, Params: params}
	in := make([]*Matrix, len(ins))
	for k, d := range ins {
		id := fmt.Sprintf("in%d", k)
		n.In = append(n.In, id)
		in[k] = &Matrix{ID: id, Name: id, Data: mat.DenseCopyOf(d)}
		c.m[id] = in[k]
	}
	for k := range op.Out {
		n.Out = append(n.Out, OutSpec{ID: fmt.Sprintf("out%d", k), Name: fmt.Sprintf("out%d", k)})
	}
	c.node = n
	out := op.Forward(c, n, in)
	for _, o := range out {
		outs = append(outs, o.Data)
	}
	if dOut == nil {
		return outs, nil
	}
	g := make([]*Matrix, len(dOut))
	for k, d := range dOut {
		g[k] = &Matrix{ID: fmt.Sprintf("g%d", k), Name: fmt.Sprintf("g%d", k), Role: RoleGradient, Data: d}
	}
	want := make([]bool, len(in))
	for k := range want {
		want[k] = true
	}
	for _, m := range op.Backward(c, n, in, out, g, want) {
		grads = append(grads, m.Data)
	}
	return outs, grads
}

// ssmCheckOp checks an op's backward against finite differences of
// Σₖ dOutₖ ⊙ outₖ on n random inputs drawn by draw (which may refuse a
// draw, near a kink, by returning nil), with random upstream gradients.
func ssmCheckOp(t *testing.T, op *Op, params map[string]*Value, n int, draw func(rng *rand.Rand) []*mat.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 22))
	valid := 0
	for tries := 0; valid < n; tries++ {
		if tries > 100*n {
			t.Fatalf("%s: only %d valid draws of %d", op.Name, valid, n)
		}
		ins := draw(rng)
		if ins == nil {
			continue
		}
		valid++
		outs, _ := ssmOpRun(op, params, ins, nil)
		dOut := make([]*mat.Dense, len(outs))
		for k, o := range outs {
			r, c := o.Dims()
			dOut[k] = randDense(rng, r, c)
		}
		_, grads := ssmOpRun(op, params, ins, dOut)
		loss := func() float64 {
			outs, _ := ssmOpRun(op, params, ins, nil)
			s := 0.0
			for k, o := range outs {
				s += weighted(dOut[k], o)
			}
			return s
		}
		for k, x := range ins {
			checkFD(t, fmt.Sprintf("%s draw %d: ∂/∂%s", op.Name, valid, op.In[k]), x, loss, grads[k])
		}
	}
}

func ssmPositive(rng *rand.Rand, r, c int) *mat.Dense {
	d := mat.NewDense(r, c, nil)
	d.Apply(func(_, _ int, _ float64) float64 { return 0.05 + 2*rng.Float64() }, d)
	return d
}

func TestSsmSoftplusGradient(t *testing.T) {
	ssmCheckOp(t, opSsmSoftplus, nil, 20, func(rng *rand.Rand) []*mat.Dense {
		return []*mat.Dense{randDense(rng, 2, 3)}
	})
}

func TestSsmDiscretizeGradient(t *testing.T) {
	for _, rows := range []int{1, 2} {
		ssmCheckOp(t, opSsmDiscretize, nil, 20, func(rng *rand.Rand) []*mat.Dense {
			a := randDense(rng, 2, 3)
			if rng.IntN(3) == 0 {
				a.Set(1, 2, 0) // the limit Δ·A = 0
			}
			return []*mat.Dense{ssmPositive(rng, rows, 4), a, randDense(rng, 3, 4)}
		})
	}
}

func TestSsmPhiNearZero(t *testing.T) {
	for _, z := range []float64{-2e-3, -9e-4, -1e-6, 0, 1e-7, 5e-4, 1e-3, 2e-3, 0.5, -3} {
		h := 1e-4 * math.Max(1, math.Abs(z))
		want := (ssmPhi(z+h) - ssmPhi(z-h)) / (2 * h)
		if math.Abs(ssmPhiPrime(z)-want) > 1e-7 {
			t.Errorf("φ′(%g) = %.12g, finite differences %.12g", z, ssmPhiPrime(z), want)
		}
		if z != 0 && math.Abs(ssmPhi(z)-math.Expm1(z)/z) > 1e-12 {
			t.Errorf("φ(%g) = %.15g, want %.15g", z, ssmPhi(z), math.Expm1(z)/z)
		}
	}
	if ssmPhi(0) != 1 || ssmPhiPrime(0) != 0.5 {
		t.Errorf("φ(0) = %v, φ′(0) = %v; want 1 and ½", ssmPhi(0), ssmPhiPrime(0))
	}
}

func TestSsmScanGradient(t *testing.T) {
	ssmCheckOp(t, opSsmScan, nil, 20, func(rng *rand.Rand) []*mat.Dense {
		// 2 channels, 3 states, 4 steps.
		return []*mat.Dense{randDense(rng, 6, 4), randDense(rng, 6, 4), randDense(rng, 2, 4), randDense(rng, 3, 4)}
	})
}

func TestSsmMemoryGradient(t *testing.T) {
	for _, step := range []float64{1, 3} {
		ssmCheckOp(t, opSsmMemory, map[string]*Value{"t": NumParam(step)}, 20, func(rng *rand.Rand) []*mat.Dense {
			return []*mat.Dense{randDense(rng, 1, 3), randDense(rng, 1, 3), randDense(rng, 2, 3), randDense(rng, 2, 3),
				randDense(rng, 2, 2), randDense(rng, 2, 1)}
		})
	}
}

func TestSsmReadoutGradient(t *testing.T) {
	for _, step := range []float64{1, 2} {
		ssmCheckOp(t, opSsmReadout, map[string]*Value{"t": NumParam(step)}, 20, func(rng *rand.Rand) []*mat.Dense {
			cm, nv, q := randDense(rng, 2, 2), randDense(rng, 2, 1), randDense(rng, 2, 2)
			u := nv.At(0, 0)*q.At(0, int(step)-1) + nv.At(1, 0)*q.At(1, int(step)-1)
			if math.Abs(math.Abs(u)-1) < 1e-3 {
				return nil // the kink of max(|u|, 1)
			}
			return []*mat.Dense{cm, nv, q}
		})
	}
}

// ssmExpect compares a matrix of a trace with numbers worked by hand.
func ssmExpect(t *testing.T, tr *Trace, id string, want ...[]float64) {
	t.Helper()
	m := tr.Matrix(id)
	if m == nil {
		t.Fatalf("no matrix %s", id)
	}
	w := dense(want...)
	if !mat.EqualApprox(m.Data, w, 1e-9) {
		t.Errorf("%s =\n%v\nwant\n%v", id, mat.Formatted(m.Data), mat.Formatted(w))
	}
}

// The Mamba default, worked by hand. X = [1 0 2; 0 1 −1].
//   - s = 1·x₁ + 1·x₂ − 1 = 0 at every step (each column of X adds up to
//     1), so Δ = ln(1 + e⁰) = ln 2 and exp(Δ·A) = 2ᴬ.
//   - A′ row d₁n₁ (A = −1): 2⁻¹ = ½; row d₁n₂ (A = −2): 2⁻² = ¼.
//   - B = WB·X = [1 0 2; 1 1 1]. B′ = (A′ − 1)/(Δ·A)·Δ·B = (A′ − 1)/A·B:
//     for A = −1, (½ − 1)/(−1) = ½; for A = −2, (¼ − 1)/(−2) = 0.375.
//     So B′[d₁n₁] = ½·(1, 0, 2) = (0.5, 0, 1), B′[d₁n₂] = 0.375·(1, 1, 1).
//   - h[d₁n₁]: ½·0 + 0.5·1 = 0.5; ½·0.5 + 0·0 = 0.25; ½·0.25 + 1·2 = 2.125.
//   - h[d₁n₂]: ¼·0 + 0.375·1 = 0.375; ¼·0.375 + 0.375·0 = 0.09375;
//     ¼·0.09375 + 0.375·2 = 0.7734375.
//   - C = WC·X = [1 1 1; 0 1 −1]; y[d₁, t₃] = 1·2.125 + (−1)·0.7734375 = 1.3515625.
//   - Y = [0.5 0.34375 1.3515625; 0 0.5 −0.5] against Y′ = [0 1 0; 0 0 1]:
//     L = 0.25 + 0.65625² + 1.3515625² + 0 + 0.25 + 1.5² = 5.00738525390625.
//   - Back through time, G = ∂L/∂h: G[d₁n₁, t₃] = C·∂L/∂y = 1·2·1.3515625 = 2.703125;
//     G[d₁n₁, t₂] = 1·2·(−0.65625) + ½·2.703125 = −1.3125 + 1.3515625 = 0.0390625.
//   - ∂L/∂Δ at t₁: only B′ is reached there (h₀ = 0 makes ∂L/∂A′ 0), and
//     ∂L/∂B′ = G·x: 0.5·(0 + 1.01953125·1) + 0.25·(−0.4970703125·1) = 0.385498046875.
func TestSsmMambaDefaultByHand(t *testing.T) {
	m := Lookup("mamba")
	for _, mode := range []Mode{Hand, Exact} {
		tr := m.Run(m.Exercise(), mode)
		ssmExpect(t, tr, "S", []float64{0, 0, 0})
		ln2 := math.Ln2
		ssmExpect(t, tr, "D", []float64{ln2, ln2, ln2})
		ssmExpect(t, tr, "Ab", []float64{0.5, 0.5, 0.5}, []float64{0.25, 0.25, 0.25}, []float64{0.25, 0.25, 0.25}, []float64{0.5, 0.5, 0.5})
		ssmExpect(t, tr, "Bb", []float64{0.5, 0, 1}, []float64{0.375, 0.375, 0.375}, []float64{0.375, 0, 0.75}, []float64{0.5, 0.5, 0.5})
		ssmExpect(t, tr, "H", []float64{0.5, 0.25, 2.125}, []float64{0.375, 0.09375, 0.7734375},
			[]float64{0, 0, -0.75}, []float64{0, 0.5, -0.25})
		ssmExpect(t, tr, "Y", []float64{0.5, 0.34375, 1.3515625}, []float64{0, 0.5, -0.5})
		if l := TotalLoss(tr); math.Abs(l-5.00738525390625) > 1e-12 {
			t.Errorf("%s: loss = %v, want 5.00738525390625", mode, l)
		}
		g := tr.Matrix("dh.scan")
		if math.Abs(g.At(0, 2)-2.703125) > 1e-12 || math.Abs(g.At(0, 1)-0.0390625) > 1e-12 {
			t.Errorf("%s: G[d₁n₁] = %v, want t₂ 0.0390625, t₃ 2.703125", mode, mat.Row(nil, 0, g.Data))
		}
		if d := tr.Matrix("dD").At(0, 0); math.Abs(d-0.385498046875) > 1e-12 {
			t.Errorf("%s: ∂L/∂Δ at t₁ = %v, want 0.385498046875", mode, d)
		}
	}
	tr := m.Run(m.Exercise(), Hand)
	if e, _ := tr.Explain("H", 0, 2); e.Formula != "0.5·0.25 + 1·2 = 2.13" {
		t.Errorf("explanation of H[d₁n₁, t₃]: %q", e.Formula)
	}
	if e, _ := tr.Explain("Bb", 1, 0); e.Formula != "(0.25 − 1)/(0.693·(−2))·0.693·1 = 0.375" {
		t.Errorf("explanation of B′[d₁n₂, t₁]: %q", e.Formula)
	}
}

// Where Δ·A = 0, B′ takes its limit Δ·B and says so.
func TestSsmDiscretizeLimit(t *testing.T) {
	outs, _ := ssmOpRun(opSsmDiscretize, nil, []*mat.Dense{dense([]float64{0.5}), dense([]float64{0, -1}), dense([]float64{3}, []float64{2})}, nil)
	// A′ = (e⁰, e^−0.5); B′ = (0.5·3, (e^−0.5 − 1)/(−0.5)·0.5·2).
	want := []float64{1, math.Exp(-0.5), 1.5, (math.Exp(-0.5) - 1) / -0.5 * 0.5 * 2}
	got := []float64{outs[0].At(0, 0), outs[0].At(1, 0), outs[1].At(0, 0), outs[1].At(1, 0)}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("cell %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// The xLSTM default, worked by hand. x₁ = (1, 0), x₂ = (0, 1).
//   - F̃ = 1·x₁ + 1·x₂ − 1 = 0 and Ĩ = −x₁ − x₂ + 1 = 0 at both steps:
//     f = σ(0) = ½, i = e⁰ = 1; likewise o = ½ everywhere.
//   - q₁ = (1, 1), q₂ = (0, 2); k₁ = (2·1 − 1, 0) = (1, 0), k₂ = (0 − 1, 1) = (−1, 1);
//     v₁ = (1, −1), v₂ = (2, 1).
//   - C₁ = ½·I + v₁k₁ᵀ = [½ + 1·1, ½·0 + 1·0; ½·0 + (−1)·1, ½ + (−1)·0] = [1.5 0; −1 0.5].
//   - n₁ = ½·(1, 1) + (1, 0) = (1.5, 0.5); m₁ = max(|1.5·1 + 0.5·1|, 1) = 2.
//   - h̃₁ = C₁q₁/2 = ((1.5 + 0)/2, (−1 + 0.5)/2) = (0.75, −0.25).
//   - C₂ = ½·C₁ + v₂k₂ᵀ = [0.75 − 2, 0 + 2; −0.5 − 1, 0.25 + 1] = [−1.25 2; −1.5 1.25].
//   - n₂ = ½·(1.5, 0.5) + (−1, 1) = (−0.25, 1.25); m₂ = |−0.25·0 + 1.25·2| = 2.5.
//   - h̃₂ = ((−1.25·0 + 2·2)/2.5, (−1.5·0 + 1.25·2)/2.5) = (1.6, 1).
//   - H = ½·H̃ = [0.375 0.8; −0.125 0.5]; against Y′ = I,
//     L = 0.625² + 0.8² + 0.125² + 0.5² = 0.390625 + 0.64 + 0.015625 + 0.25 = 1.29625.
//   - ∂L/∂H̃ = ½·2·(H − Y′) = [−0.625 0.8; −0.125 −0.5]. At step 2, |u₂| = 2.5 > 1,
//     so ∂L/∂u₂ = −(0.8·1.6 + (−0.5)·1)/2.5 = −0.312, and
//     ∂L/∂C₂ = ∂L/∂h̃₂·q₂ᵀ/2.5 = [0.8·0 0.8·2; −0.5·0 −0.5·2]/2.5 = [0 0.64; 0 −0.4].
func TestSsmXLSTMDefaultByHand(t *testing.T) {
	m := Lookup("xlstm")
	for _, mode := range []Mode{Hand, Exact} {
		tr := m.Run(m.Exercise(), mode)
		ssmExpect(t, tr, "F", []float64{0.5, 0.5})
		ssmExpect(t, tr, "I", []float64{1, 1})
		ssmExpect(t, tr, "K", []float64{1, -1}, []float64{0, 1})
		ssmExpect(t, tr, "C1", []float64{1.5, 0}, []float64{-1, 0.5})
		ssmExpect(t, tr, "n1", []float64{1.5}, []float64{0.5})
		ssmExpect(t, tr, "m1", []float64{2})
		ssmExpect(t, tr, "Hh1", []float64{0.75}, []float64{-0.25})
		ssmExpect(t, tr, "C2", []float64{-1.25, 2}, []float64{-1.5, 1.25})
		ssmExpect(t, tr, "n2", []float64{-0.25}, []float64{1.25})
		ssmExpect(t, tr, "m2", []float64{2.5})
		ssmExpect(t, tr, "Hh2", []float64{1.6}, []float64{1})
		ssmExpect(t, tr, "H", []float64{0.375, 0.8}, []float64{-0.125, 0.5})
		if l := TotalLoss(tr); math.Abs(l-1.29625) > 1e-12 {
			t.Errorf("%s: loss = %v, want 1.29625", mode, l)
		}
		ssmExpect(t, tr, "du.read2", []float64{-0.312})
		ssmExpect(t, tr, "dC2", []float64{0, 0.64}, []float64{0, -0.4})
	}
	tr := m.Run(m.Exercise(), Hand)
	if e, _ := tr.Explain("C2", 1, 1); e.Formula != "0.5·0.5 + 1·1·1 = 1.25" {
		t.Errorf("explanation of C₂[2,2]: %q", e.Formula)
	}
	if e, _ := tr.Explain("m2", 0, 0); e.Formula != "max(|(−0.25)·0 + 1.25·2|, 1) = max(2.5, 1) = 2.5" {
		t.Errorf("explanation of m₂: %q", e.Formula)
	}
}
