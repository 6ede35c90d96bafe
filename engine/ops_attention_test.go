package engine

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The attention group's walkthroughs (self-attention, multi-head-attention,
// transformer) are built from the shared ops alone (matmul with a
// transposed view, softmax, concat_rows, linear, squared_error), so this
// file adds no op and no finite-difference test of its own: the generic
// tests check their gradients. What follows pins each default exercise,
// worked out by hand.

// attPin compares matrices of a trace with the numbers worked out by hand,
// to 1e-9 (the thirds and sixths are not exact in floating point).
func attPin(t *testing.T, tr *Trace, want map[string]*mat.Dense) {
	t.Helper()
	for id, w := range want {
		got := tr.Matrix(id)
		if got == nil {
			t.Errorf("no matrix %s", id)
			continue
		}
		if !mat.EqualApprox(got.Data, w, 1e-9) {
			t.Errorf("%s =\n%v\nwant\n%v", id, mat.Formatted(got.Data), mat.Formatted(w))
		}
	}
}

func attClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// Self-attention on paper (3ˣ, no √dk).
//
// Q = Wq·X; row 1 of Wq is (−1, 1, 1, 0), so Q[1,1] = −1 + 1 + 1 + 0 = 1 and
// Q[1,3] = 0 + 1 + 1 + 0 = 2. K = Wk·X = [1 0 0 0; 0 0 1 0]: key 1 is (1, 0),
// key 3 is (0, 1), keys 2 and 4 are (0, 0). So S = Kᵀ·Q has row 1 = Q's row 1,
// row 3 = Q's row 2, and rows 2 and 4 are 0:
//
//	S = [1 0 2 0; 0 0 0 0; 0 1 0 0; 0 0 0 0]
//
// 3ˣ gives columns (3,1,1,1), (1,1,3,1), (9,1,1,1), (1,1,1,1), summing to
// 6, 6, 12, 4. V = Wv·X = [2 0 1 1; 1 0 2 1]. Z = V·A, column 1 row 1:
// (2·3 + 0·1 + 1·1 + 1·1)/6 = 8/6 = 4/3; column 3 row 1: (2·9 + 0 + 1 + 1)/12
// = 20/12 = 5/3; column 2 row 2: (1 + 0 + 2·3 + 1)/6 = 8/6 = 4/3.
//
//	Z = [4/3 1 5/3 1; 1 4/3 1 1],  Z − T = [−2/3 0 2/3 0; 1 1/3 −1 0]
//	L = 4/9 + 4/9 + 1 + 1/9 + 1 = 3
//
// Backward: ∂L/∂Z = 2(Z − T) = [−4/3 0 4/3 0; 2 2/3 −2 0].
// ∂L/∂A = Vᵀ·∂L/∂Z: row 1 (V's column (2, 1)): 2·(−4/3) + 2 = −2/3, 0 + 2/3 = 2/3,
// 8/3 − 2 = 2/3, 0; row 2 (column (0, 0)) is 0; row 3 ((1, 2)): −4/3 + 4 = 8/3,
// 4/3, 4/3 − 4 = −8/3, 0; row 4 ((1, 1)): 2/3, 2/3, −2/3, 0.
// Softmax backward, column 1: Σ A⊙∂L/∂A = ½·(−2/3) + ⅙·0 + ⅙·(8/3) + ⅙·(2/3)
// = −1/3 + 4/9 + 1/9 = 2/9, so ∂L/∂S[1,1] = ln 3 · ½ · (−2/3 − 2/9) = −(4/9)·ln 3
// and ∂L/∂S[3,1] = ln 3 · ⅙ · (8/3 − 2/9) = (11/27)·ln 3.
// ∂L/∂V = ∂L/∂Z·Aᵀ; [1,1] = (−4/3)·½ + 0·⅙ + (4/3)·¾ + 0·¼ = −2/3 + 1 = 1/3.
func TestAttSelfAttentionByHand(t *testing.T) {
	m := Lookup("self-attention")
	if m == nil {
		t.Fatal("self-attention is not registered")
	}
	tr := m.Run(m.Exercise(), Hand)
	const s, tw = 1.0 / 6, 1.0 / 12
	attPin(t, tr, map[string]*mat.Dense{
		"Q":     dense([]float64{1, 0, 2, 0}, []float64{0, 1, 0, 0}),
		"K":     dense([]float64{1, 0, 0, 0}, []float64{0, 0, 1, 0}),
		"V":     dense([]float64{2, 0, 1, 1}, []float64{1, 0, 2, 1}),
		"S":     dense([]float64{1, 0, 2, 0}, []float64{0, 0, 0, 0}, []float64{0, 1, 0, 0}, []float64{0, 0, 0, 0}),
		"A.e":   dense([]float64{3, 1, 9, 1}, []float64{1, 1, 1, 1}, []float64{1, 3, 1, 1}, []float64{1, 1, 1, 1}),
		"A.sum": dense([]float64{6, 6, 12, 4}),
		"A":     dense([]float64{0.5, s, 0.75, 0.25}, []float64{s, s, tw, 0.25}, []float64{s, 0.5, tw, 0.25}, []float64{s, s, tw, 0.25}),
		"Z":     dense([]float64{4.0 / 3, 1, 5.0 / 3, 1}, []float64{1, 4.0 / 3, 1, 1}),
		"dZ":    dense([]float64{-4.0 / 3, 0, 4.0 / 3, 0}, []float64{2, 2.0 / 3, -2, 0}),
		"dA": dense([]float64{-2.0 / 3, 2.0 / 3, 2.0 / 3, 0}, []float64{0, 0, 0, 0},
			[]float64{8.0 / 3, 4.0 / 3, -8.0 / 3, 0}, []float64{2.0 / 3, 2.0 / 3, -2.0 / 3, 0}),
	})
	attClose(t, "loss", TotalLoss(tr), 3)
	attClose(t, "Σ A⊙∂L/∂A, column 1", tr.Matrix("dot.A").At(0, 0), 2.0/9)
	attClose(t, "∂L/∂S[1,1]", tr.Matrix("dS").At(0, 0), -4.0/9*math.Log(3))
	attClose(t, "∂L/∂S[3,1]", tr.Matrix("dS").At(2, 0), 11.0/27*math.Log(3))
	attClose(t, "∂L/∂V[1,1]", tr.Matrix("dV").At(0, 0), 1.0/3)
	// Keys that score 0 against every query get no gradient through S:
	// column 4 of S is all 0 and its column of ∂L/∂Z is 0, so it is 0 too.
	for i := 0; i < 4; i++ {
		attClose(t, "∂L/∂S[i,4]", tr.Matrix("dS").At(i, 3), 0)
	}
}

// Exactly, the scores are multiplied by 1/√2 before eˣ. Column 4 of S is
// all 0, so its weights stay ¼; column 1 has one score of 1, so
// A[1,1] = e^(1/√2) / (e^(1/√2) + 3); column 3 has one score of 2, so
// A[1,3] = e^(√2) / (e^(√2) + 3).
func TestAttSelfAttentionExact(t *testing.T) {
	m := Lookup("self-attention")
	tr := m.Run(m.Exercise(), Exact)
	a := tr.Matrix("A")
	e1, e2 := math.Exp(1/math.Sqrt2), math.Exp(math.Sqrt2)
	attClose(t, "A[1,1]", a.At(0, 0), e1/(e1+3))
	attClose(t, "A[2,1]", a.At(1, 0), 1/(e1+3))
	attClose(t, "A[1,3]", a.At(0, 2), e2/(e2+3))
	attClose(t, "A[4,4]", a.At(3, 3), 0.25)
	// Z[1,1] = V's row 1 (2, 0, 1, 1) against column 1 of A.
	attClose(t, "Z[1,1]", tr.Matrix("Z").At(0, 0), (2*e1+0+1+1)/(e1+3))
}

// Multi-head attention on paper. Head 1 is the self-attention walkthrough's
// exercise, so Z₁ = [4/3 1 5/3 1; 1 4/3 1 1].
//
// Head 2: Q₂ = Wq₂·X = [1 0 2 1; 1 0 2 0]; K₂ = Wk₂·X = [0 0 1 0; 0 1 −1 0]
// (row 2 of Wk₂ is (1, 0, 0, −1): column 3 of X gives 0 + 0 + 0 − 1 = −1).
// Keys 1 and 4 are (0, 0); key 2 is (0, 1), so row 2 of S₂ is Q₂'s row 2;
// key 3 is (1, −1), so row 3 is Q₂'s row 1 minus its row 2 = (0, 0, 0, 1):
//
//	S₂ = [0 0 0 0; 1 0 2 0; 0 0 0 1; 0 0 0 0]
//
// 3ˣ sums to 6, 4, 12, 6. V₂ = Wv₂·X = [1 −1 2 0; 0 2 −1 1]. Z₂ = V₂·A₂:
// [1,1] = (1·1 − 1·3 + 2·1 + 0·1)/6 = 0, [1,3] = (1 − 9 + 2 + 0)/12 = −1/2,
// [2,3] = (0 + 18 − 1 + 1)/12 = 3/2:
//
//	Z₂ = [0 1/2 −1/2 1; 1 1/2 3/2 0]
//
// Z = [Z₁ ; Z₂], and Y = Wₒ·Z: row 1 is Z₁'s row 1 + Z₂'s row 1 =
// (4/3, 3/2, 7/6, 2); row 2 is Z₁'s row 2 + Z₂'s row 2 = (2, 11/6, 5/2, 1);
// row 3 is Z₁'s row 1 − Z₂'s row 2 = (1/3, 1/2, 1/6, 1); row 4 is
// −Z₁'s row 2 + Z₂'s row 1 = (−1, −5/6, −3/2, 0).
//
//	Y − T = [1/3 −1/2 1/6 0; 0 −1/6 1/2 0; 1/3 1/2 1/6 0; 0 1/6 −1/2 −1]
//	L = 4·(1/4) + 2·(1/9) + 4·(1/36) + 1 = 1 + 2/9 + 1/9 + 1 = 7/3
func TestAttMultiHeadByHand(t *testing.T) {
	m := Lookup("multi-head-attention")
	if m == nil {
		t.Fatal("multi-head-attention is not registered")
	}
	tr := m.Run(m.Exercise(), Hand)
	z1 := [][]float64{{4.0 / 3, 1, 5.0 / 3, 1}, {1, 4.0 / 3, 1, 1}}
	z2 := [][]float64{{0, 0.5, -0.5, 1}, {1, 0.5, 1.5, 0}}
	attPin(t, tr, map[string]*mat.Dense{
		"Q2":     dense([]float64{1, 0, 2, 1}, []float64{1, 0, 2, 0}),
		"K2":     dense([]float64{0, 0, 1, 0}, []float64{0, 1, -1, 0}),
		"S2":     dense([]float64{0, 0, 0, 0}, []float64{1, 0, 2, 0}, []float64{0, 0, 0, 1}, []float64{0, 0, 0, 0}),
		"A2.e":   dense([]float64{1, 1, 1, 1}, []float64{3, 1, 9, 1}, []float64{1, 1, 1, 3}, []float64{1, 1, 1, 1}),
		"A2.sum": dense([]float64{6, 4, 12, 6}),
		"V2":     dense([]float64{1, -1, 2, 0}, []float64{0, 2, -1, 1}),
		"Z1":     dense(z1...),
		"Z2":     dense(z2...),
		"Z":      dense(z1[0], z1[1], z2[0], z2[1]),
		"Y": dense([]float64{4.0 / 3, 1.5, 7.0 / 6, 2}, []float64{2, 11.0 / 6, 2.5, 1},
			[]float64{1.0 / 3, 0.5, 1.0 / 6, 1}, []float64{-1, -5.0 / 6, -1.5, 0}),
		// ∂L/∂Y = 2(Y − T).
		"dY": dense([]float64{2.0 / 3, -1, 1.0 / 3, 0}, []float64{0, -1.0 / 3, 1, 0},
			[]float64{2.0 / 3, 1, 1.0 / 3, 0}, []float64{0, 1.0 / 3, -1, -2}),
	})
	attClose(t, "loss", TotalLoss(tr), 7.0/3)
	// ∂L/∂Z = Wₒᵀ·∂L/∂Y; its top two rows are head 1's. Column 4: ∂L/∂Y's
	// column is (0, 0, 0, −2), and Wₒ's column 1 is (1, 0, 1, 0), so
	// ∂L/∂Z[1,4] = 0; column 2 of Wₒ is (0, 1, 0, −1), so ∂L/∂Z[2,4] = 2.
	dz := tr.Matrix("dZ")
	if dz == nil {
		t.Fatal("no matrix dZ")
	}
	attClose(t, "∂L/∂Z[1,4]", dz.At(0, 3), 0)
	attClose(t, "∂L/∂Z[2,4]", dz.At(1, 3), 2)
	if d1 := tr.Matrix("dZ1"); d1 == nil || !mat.EqualApprox(d1.Data, dz.Data.Slice(0, 2, 0, 4), 1e-12) {
		t.Errorf("head 1's gradient is not the top two rows of ∂L/∂Z")
	}
}

// The simple transformer, worked by hand (the same in both modes: there is
// no softmax).
//
// Z = X·A, where each column of A takes one token, or half of each of two:
// z₂ = (x₁ + x₂)/2 = ((2,1,1,0) + (0,1,3,2))/2 = (1, 1, 2, 1);
// z₄ = (x₃ + x₄)/2 = ((2,3,1,0) + (0,1,1,0))/2 = (1, 2, 1, 0).
//
//	Z = [2 1 0 1 1; 1 1 1 2 2; 1 2 2 1 1; 0 1 1 0 1]
//
// H before ReLU = [W₁ | b₁]·[Z ; 1]; row 1 is (1, 1, −1, 0 | −1): column 2 gives
// 1 + 1 − 2 + 0 − 1 = −1, column 3 gives 0 + 1 − 2 + 0 − 1 = −2, both struck out.
//
//	H = [1 0 0 1 1; 1 3 3 2 3; 2 1 1 3 2]
//
// Y before ReLU = [W₂ | b₂]·[H ; 1]; row 2 is (0, 1, −1 | 0): column 1 gives
// 1 − 2 = −1 and column 4 gives 2 − 3 = −1, both struck out.
//
//	Y = [1 1 1 2 1; 0 2 2 0 1; 1 3 3 2 3; 3 1 1 4 3]
//	Y − T = [0 −1 0 0 0; −1 0 0 0 0; −1 0 1 0 0; 0 0 0 1 0],  L = 5
//
// ∂L/∂Y = 2(Y − T); the output ReLU blocks row 2, column 1 (−2 → 0).
// ∂L/∂[W₂ | b₂] row 1 = (0, −2, 0, 0, 0)·[H ; 1]ᵀ = (−2·0, −2·3, −2·1, −2) =
// (0, −6, −2, −2); row 4 = 2·(column 4 of [H ; 1]) = (2, 4, 6, 2).
// ∂L/∂H row 1 = −(row 1 of the masked gradient) + (its row 4) = (0, 2, 0, 2, 0).
func TestAttTransformerByHand(t *testing.T) {
	m := Lookup("transformer")
	if m == nil {
		t.Fatal("transformer is not registered")
	}
	for _, mode := range []Mode{Hand, Exact} {
		tr := m.Run(m.Exercise(), mode)
		attPin(t, tr, map[string]*mat.Dense{
			"Z": dense([]float64{2, 1, 0, 1, 1}, []float64{1, 1, 1, 2, 2}, []float64{1, 2, 2, 1, 1}, []float64{0, 1, 1, 0, 1}),
			"H": dense([]float64{1, 0, 0, 1, 1}, []float64{1, 3, 3, 2, 3}, []float64{2, 1, 1, 3, 2}),
			"Y": dense([]float64{1, 1, 1, 2, 1}, []float64{0, 2, 2, 0, 1}, []float64{1, 3, 3, 2, 3}, []float64{3, 1, 1, 4, 3}),
			"dW2": dense([]float64{0, -6, -2, -2}, []float64{0, 0, 0, 0},
				[]float64{-2, 4, -2, 0}, []float64{2, 4, 6, 2}),
		})
		if got := tr.Matrix("H").Before.At(0, 2); got != -2 {
			t.Errorf("%s: H before ReLU [1,3] = %v, want −2", mode, got)
		}
		if got := tr.Matrix("Y").Before.At(1, 0); got != -1 {
			t.Errorf("%s: Y before ReLU [2,1] = %v, want −1", mode, got)
		}
		dh := tr.Matrix("dH")
		if dh == nil {
			t.Fatalf("%s: no matrix dH", mode)
		}
		if !mat.Equal(dh.Data.Slice(0, 1, 0, 5), dense([]float64{0, 2, 0, 2, 0})) {
			t.Errorf("%s: ∂L/∂H row 1 = %v, want (0, 2, 0, 2, 0)", mode, mat.Formatted(dh.Data.Slice(0, 1, 0, 5)))
		}
		if l := TotalLoss(tr); l != 5 {
			t.Errorf("%s: loss = %v, want 5", mode, l)
		}
	}
}
