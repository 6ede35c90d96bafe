package engine

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The default exercises of the networks and workbook walkthroughs, worked
// by hand. Each test states the arithmetic of its key cells in comments
// and compares the trace with it.

// netRun runs a walkthrough's default exercise.
func netRun(t *testing.T, slug string, mode Mode) *Trace {
	t.Helper()
	m := Lookup(slug)
	if m == nil {
		t.Fatalf("walkthrough %s is not registered", slug)
	}
	return m.Run(m.Exercise(), mode)
}

// netWant compares matrices of a trace with the numbers worked by hand, to
// within tol (0: exactly).
func netWant(t *testing.T, tr *Trace, tol float64, want map[string]*mat.Dense) {
	t.Helper()
	for id, w := range want {
		got := tr.Matrix(id)
		if got == nil {
			t.Errorf("no matrix %s", id)
			continue
		}
		if !mat.EqualApprox(got.Data, w, tol) {
			t.Errorf("%s =\n%v\nwant\n%v", id, mat.Formatted(got.Data), mat.Formatted(w))
		}
	}
}

// netGrad returns the gradient a trace reports for parameter p.
func netGrad(t *testing.T, tr *Trace, p string) *mat.Dense {
	t.Helper()
	for _, g := range tr.Phases[0] {
		if g.Param == p {
			return g.Grad
		}
	}
	t.Fatalf("no gradient of %s", p)
	return nil
}

func netClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// TestNetDotProductByHand: the five dot products and their checks.
func TestNetDotProductByHand(t *testing.T) {
	for _, mode := range []Mode{Hand, Exact} {
		tr := netRun(t, "dot-product", mode)
		netWant(t, tr, 0, map[string]*mat.Dense{
			"y1": dense([]float64{15}), // 3·5
			"y2": dense([]float64{5}),  // 2·1 + 1·3
			"y3": dense([]float64{3}),  // 1·2 + (−2)·1 + 3·1
			"y4": dense([]float64{3}),  // 2·3 + 0·4 + (−1)·2 + 1·(−1)
			"y5": dense([]float64{0}),  // 1·1 + 2·(−1) + (−1)·2 + 0·5 + 3·1
		})
		// (15−20)² + (5−8)² + (3−4)² + (3−2)² + (0−3)² = 25 + 9 + 1 + 1 + 9.
		netClose(t, "loss", TotalLoss(tr), 45)
		// ∂L/∂a₁ = 2·(15 − 20)·5 = −50.
		netWant(t, tr, 0, map[string]*mat.Dense{"da1": dense([]float64{-50})})
		// ∂L/∂a₅ = 2·(0 − 3)·b₅ᵀ = −6·(1, −1, 2, 5, 1).
		if g := netGrad(t, tr, "a5"); !mat.Equal(g, dense([]float64{-6, 6, -12, -30, -6})) {
			t.Errorf("∂L/∂a₅ = %v", mat.Formatted(g))
		}
		// ∂L/∂a₂ = 2·(5 − 8)·(1, 3) = (−6, −18).
		if g := netGrad(t, tr, "a2"); !mat.Equal(g, dense([]float64{-6, -18})) {
			t.Errorf("∂L/∂a₂ = %v", mat.Formatted(g))
		}
	}
	tr := netRun(t, "dot-product", Hand)
	if e, _ := tr.Explain("y4", 0, 0); e.Formula != "2·3 + 0·4 + (−1)·2 + 1·(−1) = 3" {
		t.Errorf("explanation of y₄: %q", e.Formula)
	}
}

// sigma is 1/(1 + e⁻ˣ), for the pinned numbers below.
func netSigma(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// TestNetMLPByHand: the MLP's default exercise. Layer 1, x₁, row 2:
// 0·1 + 1·0 + (−1)·2 + 1·1 + (−1) = −2, struck out by ReLU; row 1:
// 1·1 + 0·0 + 1·2 + (−1)·1 + 0 = 2. Layer 2, x₂, row 1:
// 1·1 + (−1)·1 + 0·2 + (−1) = −1, struck out. Layer 4:
// x₁: 1·2 + (−1)·2 + 1·0 + (−1) = −1; x₂: 1·0 + (−1)·0 + 1·3 + (−1) = 2.
func TestNetMLPByHand(t *testing.T) {
	for _, mode := range []Mode{Hand, Exact} {
		tr := netRun(t, "mlp", mode)
		a, b := netSigma(-1)-1, netSigma(2) // ∂L/∂Z = Ŷ − T = (σ(−1) − 1, σ(2) − 0)
		netWant(t, tr, 1e-12, map[string]*mat.Dense{
			"A1": dense([]float64{2, 1}, []float64{0, 1}, []float64{2, 2}),
			// Layer 2 before ReLU: [1 −1; 1 0; 0 2; 1 2].
			"A2": dense([]float64{1, 0}, []float64{1, 0}, []float64{0, 2}, []float64{1, 2}),
			// Layer 3 before ReLU: [2 0; 2 −1; −1 3].
			"A3": dense([]float64{2, 0}, []float64{2, 0}, []float64{0, 3}),
			"Z":  dense([]float64{-1, 2}),
			"Yh": dense([]float64{netSigma(-1), netSigma(2)}),
			"dZ": dense([]float64{a, b}),
			// ∂L/∂[W₄ | b₄] = ∂L/∂Z·[A₃ ; 1]ᵀ: (2a + 0b, 2a + 0b, 0a + 3b, a + b).
			"dW4": dense([]float64{2 * a, 2 * a, 3 * b, a + b}),
			// ∂L/∂A₃ = W₄ᵀ·∂L/∂Z (bias left out): rows (1, −1, 1) times (a, b).
			"dA3": dense([]float64{a, b}, []float64{-a, -b}, []float64{a, b}),
			// Through layer 3's ReLU: A₃ > 0 is [1 0; 1 0; 0 1].
			"dA3pre": dense([]float64{a, 0}, []float64{-a, 0}, []float64{0, b}),
		})
		if got := tr.Matrix("A1").Before.At(1, 0); got != -2 {
			t.Errorf("layer 1 before ReLU [2,1] = %v, want −2", got)
		}
		if got := tr.Matrix("A2").Before.At(0, 1); got != -1 {
			t.Errorf("layer 2 before ReLU [1,2] = %v, want −1", got)
		}
		// L = ln(1 + e¹) + ln(1 + e²), target 1 at z = −1 and 0 at z = 2.
		netClose(t, "loss", TotalLoss(tr), math.Log(1+math.E)+math.Log(1+math.Exp(2)))
		// ∂L/∂[W₃ | b₃], row 3 = b·[A₂ ; 1] column x₂ = b·(0, 0, 2, 2, 1).
		g := netGrad(t, tr, "W3")
		netClose(t, "∂L/∂W₃[3,3]", g.At(2, 2), 2*b)
		netClose(t, "∂L/∂b₃[3]", g.At(2, 4), b)
		netClose(t, "∂L/∂W₃[1,1]", g.At(0, 0), a)
	}
	tr := netRun(t, "mlp", Hand)
	if e, _ := tr.Explain("A1", 1, 0); e.Formula != "0·1 + 1·0 + (−1)·2 + 1·1 + (−1) = −2; ReLU → 0" {
		t.Errorf("explanation of A₁[2,1]: %q", e.Formula)
	}
}

// TestNetBackpropagationByHand: forward to the softmax and back, in Hand
// mode with 3ˣ. Layer 1, x₂, row 1: 1·1 + 0·0 + 0·1 + (−1)·2 + 0 = −1,
// struck out. Layer 2, x₂, row 2: 1·0 + 1·1 + (−1)·3 + 1 = −1, struck out.
// Scores Z₃ = [1 1; 1 0; 0 2]: powers 3, 3, 1 (sum 7) and 3, 1, 9 (sum 13).
func TestNetBackpropagationByHand(t *testing.T) {
	tr := netRun(t, "backpropagation", Hand)
	ln3 := math.Log(3)
	// ∂L/∂Z₃ = ln 3·(Ŷ − Y), column x₁: (3/7 − 1, 3/7, 1/7); x₂: (3/13, 1/13 − 1, 9/13).
	d11, d21, d31 := ln3*(3.0/7-1), ln3*3/7, ln3*1/7
	d12, d22, d32 := ln3*3/13, ln3*(1.0/13-1), ln3*9/13
	netWant(t, tr, 1e-12, map[string]*mat.Dense{
		"A1":  dense([]float64{1, 0}, []float64{1, 1}, []float64{2, 3}),
		"A2":  dense([]float64{2, 2}, []float64{1, 0}, []float64{1, 3}, []float64{1, 1}),
		"Z3":  dense([]float64{1, 1}, []float64{1, 0}, []float64{0, 2}),
		"P":   dense([]float64{3.0 / 7, 3.0 / 13}, []float64{3.0 / 7, 1.0 / 13}, []float64{1.0 / 7, 9.0 / 13}),
		"dZ3": dense([]float64{d11, d12}, []float64{d21, d22}, []float64{d31, d32}),
		// ∂L/∂A₂ = W₃ᵀ·∂L/∂Z₃: W₃ rows (1,0,0,−1), (0,1,0,0), (0,0,1,−1), so
		// row 4 is −(row 1) − (row 3) of ∂L/∂Z₃.
		"dA2": dense([]float64{d11, d12}, []float64{d21, d22}, []float64{d31, d32}, []float64{-d11 - d31, -d12 - d32}),
		// Through layer 2's ReLU: the struck-out cell (x₂, row 2) gets 0,
		// where the sheet would copy d22 = ln 3·(1/13 − 1) ≈ −1.01.
		"dA2pre": dense([]float64{d11, d12}, []float64{d21, 0}, []float64{d31, d32}, []float64{-d11 - d31, -d12 - d32}),
	})
	// L = −ln(3/7) − ln(1/13).
	netClose(t, "loss", TotalLoss(tr), math.Log(7.0/3)+math.Log(13))
	// ∂L/∂W₃[1,1] = d11·2 + d12·2 = ln 3·(−8/7 + 6/13) = ln 3·(−62/91).
	netClose(t, "∂L/∂W₃[1,1]", netGrad(t, tr, "W3").At(0, 0), ln3*-62/91)
	// ∂L/∂A₁[3,1] = W₂ column 3 (1, −1, 1, 0)·∂L/∂Z₂ column x₁
	// (−4/7, 3/7, 1/7, 3/7)·ln 3 = ln 3·(−4/7 − 3/7 + 1/7) = ln 3·(−6/7).
	netClose(t, "∂L/∂A₁[3,1]", tr.Matrix("dA1").At(2, 0), ln3*-6/7)
	// ∂L/∂A₁[1,1] = (1, 1, −1, 0)·(−4/7, 3/7, 1/7, 3/7)·ln 3 = ln 3·(−2/7);
	// row 1 of ∂L/∂Z₁ is (−2/7·ln 3, 0) after the mask, so
	// ∂L/∂W₁[1,1] = −2/7·ln 3·2 + 0·1 = −4/7·ln 3.
	netClose(t, "∂L/∂W₁[1,1]", netGrad(t, tr, "W1").At(0, 0), ln3*-4/7)

	// Exact mode: eˣ, and the gradient is Ŷ − Y with no factor.
	ex := netRun(t, "backpropagation", Exact)
	e := math.E
	netClose(t, "exact loss", TotalLoss(ex), -math.Log(e/(2*e+1))-math.Log(1/(e*e+e+1)))
	netClose(t, "exact ∂L/∂Z₃[1,1]", ex.Matrix("dZ3").At(0, 0), e/(2*e+1)-1)
}

// TestNetResNetByHand: the residual block. Layer 1, x₂, row 1:
// (−1)·2 + 1·0 + 0·1 + (−1)·1 + 1 = −2, struck out. Layer 2, x₁, row 2:
// 1·1 + (−1)·2 + 0·3 + 0 = −1, and the skip adds X = 2: 1, kept; x₂, row 2:
// 1·0 + (−1)·1 + 0·1 + 0 = −1, the skip adds 0: −1, struck out.
func TestNetResNetByHand(t *testing.T) {
	for _, mode := range []Mode{Hand, Exact} {
		tr := netRun(t, "resnet", mode)
		a, b := netSigma(-1)-1, netSigma(2) // ∂L/∂Z = (σ(−1) − 1, σ(2) − 0)
		netWant(t, tr, 1e-12, map[string]*mat.Dense{
			"A1": dense([]float64{1, 0}, []float64{2, 1}, []float64{3, 1}),
			"F":  dense([]float64{0, 0}, []float64{-1, -1}, []float64{3, 1}, []float64{1, 0}),
			"S":  dense([]float64{1, 2}, []float64{1, -1}, []float64{3, 2}, []float64{2, 1}),
			"A2": dense([]float64{1, 2}, []float64{1, 0}, []float64{3, 2}, []float64{2, 1}),
			// x₁: 1·1 + (−1)·1 + 0·3 + (−1)·2 + 1; x₂: 1·2 + (−1)·0 + 0·2 + (−1)·1 + 1.
			"Z": dense([]float64{-1, 2}),
			// ∂L/∂A₂ = W₃ᵀ·∂L/∂Z, W₃ = (1, −1, 0, −1).
			"dA2": dense([]float64{a, b}, []float64{-a, -b}, []float64{0, 0}, []float64{-a, -b}),
			// The struck-out cell (x₂, row 2) stops its gradient −b.
			"dS": dense([]float64{a, b}, []float64{-a, 0}, []float64{0, 0}, []float64{-a, -b}),
			// ∂L/∂A₁ = W₂ᵀ·∂L/∂S; column 1 of W₂ (−1, 1, −1, −1) with x₁'s
			// (a, −a, 0, −a): −a − a + 0 + a = −a; column 2 (1, −1, 1, 0): a + a = 2a.
			"dA1": dense([]float64{-a, 0}, []float64{2 * a, b}, []float64{-a, -b}),
		})
		netClose(t, "loss", TotalLoss(tr), math.Log(1+math.E)+math.Log(1+math.Exp(2)))
		// ∂L/∂[W₂ | b₂] row 2 = −a·[A₁ ; 1] column x₁ = −a·(1, 2, 3, 1): x₂ is masked.
		g := netGrad(t, tr, "W2")
		for j, v := range []float64{1, 2, 3, 1} {
			netClose(t, "∂L/∂W₂ row 2", g.At(1, j), -a*v)
		}
		// ∂L/∂[W₁ | b₁] row 1 = −a·[X ; 1] column x₁ = −a·(1, 2, 0, 1, 1).
		g = netGrad(t, tr, "W1")
		for j, v := range []float64{1, 2, 0, 1, 1} {
			netClose(t, "∂L/∂W₁ row 1", g.At(0, j), -a*v)
		}
	}
	tr := netRun(t, "resnet", Hand)
	if e, _ := tr.Explain("S", 1, 0); e.Formula != "(−1) + 2 = 1" {
		t.Errorf("explanation of the skip's [2,1]: %q", e.Formula)
	}
}

// TestNetMatrixMultiplicationByHand: the five products and their checks.
func TestNetMatrixMultiplicationByHand(t *testing.T) {
	for _, mode := range []Mode{Hand, Exact} {
		tr := netRun(t, "matrix-multiplication", mode)
		netWant(t, tr, 0, map[string]*mat.Dense{
			"Y1": dense([]float64{3, -3}),                          // 3·1, 3·(−1)
			"Y2": dense([]float64{3, 1}, []float64{6, 2}),          // every pair: 2·3 = 6
			"Y3": dense([]float64{2, 2}),                           // 3·1 + 1·(−1), 3·0 + 1·2
			"Y4": dense([]float64{4, 6, -1}, []float64{-1, -3, 1}), // 1·2 + 2·1 = 4 …
			// Row 2 of A₅ (−1, 1, 0): −1 + 0 + 0, −2 + 1 + 0, 0 − 1 + 0.
			"Y5": dense([]float64{3, 2, 2}, []float64{-1, -1, -1}, []float64{3, 5, 0}),
			// ∂L/∂Y₅ = 2·(Y₅ − T₅): row 2 is 2·(−1 − 1, −1 − 3, −1 + 1).
			"dY5": dense([]float64{0, 0, 0}, []float64{-4, -8, 0}, []float64{0, 0, 0}),
		})
		// 2 + (9 + 1) + 4 + (4 + 36 + 4) + (4 + 16 + 0).
		netClose(t, "loss", TotalLoss(tr), 80)
		// ∂L/∂A₁ = (−2, 2)·(1, −1)ᵀ = −4.
		netWant(t, tr, 0, map[string]*mat.Dense{"dA1": dense([]float64{-4})})
		// ∂L/∂A₅ = ∂L/∂Y₅·B₅ᵀ; row 2: (−4, −8, 0)·(1, 2, 0) = −20,
		// ·(0, 1, −1) = −8, ·(1, 0, 1) = −4.
		if g := netGrad(t, tr, "A5"); !mat.Equal(g, dense([]float64{0, 0, 0}, []float64{-20, -8, -4}, []float64{0, 0, 0})) {
			t.Errorf("∂L/∂A₅ = %v", mat.Formatted(g))
		}
		// ∂L/∂A₄ row 2: (−4, −12, 4)·(2, 0, 1) = −4, ·(1, 3, −1) = −44.
		if g := netGrad(t, tr, "A4"); !mat.Equal(g, dense([]float64{0, 0}, []float64{-4, -44})) {
			t.Errorf("∂L/∂A₄ = %v", mat.Formatted(g))
		}
	}
	tr := netRun(t, "matrix-multiplication", Hand)
	if e, _ := tr.Explain("Y5", 2, 1); e.Formula != "2·2 + 1·1 + 1·0 = 5" {
		t.Errorf("explanation of Y₅[3,2]: %q", e.Formula)
	}
}

// TestNetLinearLayerByHand: the five layers and their checks.
func TestNetLinearLayerByHand(t *testing.T) {
	for _, mode := range []Mode{Hand, Exact} {
		tr := netRun(t, "linear-layer", mode)
		netWant(t, tr, 0, map[string]*mat.Dense{
			"y1": dense([]float64{12}),              // 3·4 + 0
			"y2": dense([]float64{4}),               // 1·3 + 2·1 + (−1)
			"y3": dense([]float64{1}, []float64{5}), // 2·1 + (−1)·2 + 1; 0·1 + 1·2 + 3
			"y4": dense([]float64{2}, []float64{0}), // 1·2 + 0·1 + 2·1 − 2; −2 + 1 + 1 + 0
			"y5": dense([]float64{5}, []float64{1}, []float64{-3}),
		})
		// (12−14)² + (4−6)² + (5−4)² + (0−2)² + (−3+1)² = 4 + 4 + 1 + 4 + 4.
		netClose(t, "loss", TotalLoss(tr), 17)
		// ∂L/∂[W₁ | b₁] = 2·(12 − 14)·(4, 1) = (−16, −4).
		if g := netGrad(t, tr, "W1"); !mat.Equal(g, dense([]float64{-16, -4})) {
			t.Errorf("∂L/∂[W₁ | b₁] = %v", mat.Formatted(g))
		}
		// ∂L/∂[W₅ | b₅]: only row 3, 2·(−3 + 1)·(1, 3, 2, 1).
		if g := netGrad(t, tr, "W5"); !mat.Equal(g, dense([]float64{0, 0, 0, 0}, []float64{0, 0, 0, 0}, []float64{-4, -12, -8, -4})) {
			t.Errorf("∂L/∂[W₅ | b₅] = %v", mat.Formatted(g))
		}
	}
	tr := netRun(t, "linear-layer", Hand)
	if e, _ := tr.Explain("y5", 2, 0); e.Formula != "2·1 + 0·3 + (−1)·2 + (−3) = −3" {
		t.Errorf("explanation of y₅[3]: %q", e.Formula)
	}
}
