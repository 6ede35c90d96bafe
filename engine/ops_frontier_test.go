package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Tests of the frontier ops: each backward against central finite
// differences of its forward, and small cases worked by hand.

// froNode makes a node of op reading inputs named A, B, … with the given
// parameters.
func froNode(op *Op, nIn int, params map[string]float64) *Node {
	n := &Node{ID: "s", Op: op, Params: map[string]*Value{}}
	for k := 0; k < nIn; k++ {
		n.In = append(n.In, fmt.Sprintf("I%d", k))
	}
	for k := range op.Out {
		n.Out = append(n.Out, OutSpec{ID: fmt.Sprintf("O%d", k), Name: fmt.Sprintf("O%d", k)})
	}
	for name, v := range params {
		n.Params[name] = NumParam(v)
	}
	return n
}

// froApply runs the op's forward on the inputs in a fresh trace; with dOut
// it runs the backward too and returns the input gradients.
func froApply(n *Node, in []*mat.Dense, dOut []*mat.Dense) (out, grads []*Matrix) {
	c := &Ctx{T: NewTrace("t", Exact), Mode: Exact, m: map[string]*Matrix{}, origin: map[string]stepOrigin{}, node: n}
	ms := make([]*Matrix, len(in))
	for k, d := range in {
		ms[k] = &Matrix{ID: n.In[k], Name: n.In[k], Data: d}
		c.m[n.In[k]] = ms[k]
	}
	out = n.Op.Forward(c, n, ms)
	if dOut == nil {
		return out, nil
	}
	dm := make([]*Matrix, len(dOut))
	for k, d := range dOut {
		dm[k] = &Matrix{ID: "g" + n.Out[k].ID, Name: "G", Role: RoleGradient, Data: d}
	}
	want := make([]bool, len(in))
	for k := range want {
		want[k] = true
	}
	return out, n.Op.Backward(c, n, ms, out, dm, want)
}

// froCheckOp checks the op's backward against finite differences on cases
// random inputs of the given shapes (valid: a case the op is smooth at).
func froCheckOp(t *testing.T, n *Node, shapes []Shape, cases int, valid func(in []*mat.Dense) bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(71, 72))
	found := 0
	for draws := 0; found < cases; draws++ {
		if draws > 100*cases {
			t.Fatalf("%s: only %d valid cases of %d", n.Op.Name, found, cases)
		}
		in := make([]*mat.Dense, len(shapes))
		for k, s := range shapes {
			in[k] = randDense(rng, s.Rows, s.Cols)
		}
		if valid != nil && !valid(in) {
			continue
		}
		found++
		out, _ := froApply(n, in, nil)
		g := make([]*mat.Dense, len(out))
		for k, o := range out {
			r, c := o.Dims()
			g[k] = randDense(rng, r, c)
		}
		_, grads := froApply(n, in, g)
		loss := func() float64 {
			o, _ := froApply(n, in, nil)
			s := 0.0
			for k := range o {
				s += weighted(g[k], o[k].Data)
			}
			return s
		}
		for k := range in {
			checkFD(t, fmt.Sprintf("%s ∂/∂in%d", n.Op.Name, k), in[k], loss, grads[k].Data)
		}
	}
}

func TestFroTriangleProductGradient(t *testing.T) {
	n := froNode(opFroTriangle, 2, nil)
	froCheckOp(t, n, []Shape{{2, 9}, {2, 9}}, 20, nil)
	froCheckOp(t, n, []Shape{{3, 4}, {3, 4}}, 10, nil)
}

func TestFroPairBiasGradient(t *testing.T) {
	froCheckOp(t, froNode(opFroPairBias, 2, nil), []Shape{{1, 2}, {2, 9}}, 20, nil)
}

func TestFroRoPEGradient(t *testing.T) {
	froCheckOp(t, froNode(opFroRoPE, 1, nil), []Shape{{2, 4}}, 20, nil)
	froCheckOp(t, froNode(opFroRoPE, 1, map[string]float64{"angle": 37, "ratio": 0.5, "start": 0}), []Shape{{4, 3}}, 20, nil)
}

func TestFroTopKGradient(t *testing.T) {
	// Valid: no two scores of a column within 1e-3 of each other, so that
	// no nudge changes which are kept.
	apart := func(in []*mat.Dense) bool {
		r, c := in[0].Dims()
		for j := 0; j < c; j++ {
			for a := 0; a < r; a++ {
				for b := a + 1; b < r; b++ {
					if math.Abs(in[0].At(a, j)-in[0].At(b, j)) < 1e-3 {
						return false
					}
				}
			}
		}
		return true
	}
	froCheckOp(t, froNode(opFroTopK, 1, map[string]float64{"k": 2}), []Shape{{3, 4}}, 20, apart)
	froCheckOp(t, froNode(opFroTopK, 1, map[string]float64{"k": 1}), []Shape{{4, 3}}, 20, apart)
}

func TestFroGateSumGradient(t *testing.T) {
	froCheckOp(t, froNode(opFroGateSum, 4, nil), []Shape{{3, 2}, {4, 2}, {4, 2}, {4, 2}}, 20, nil)
}

// The ops on small cases worked by hand.
func TestFroOpsByHand(t *testing.T) {
	// Triangle product, one channel, N = 2: a = [1 2 | 3 4] is the grid
	// a₁₁ = 1, a₁₂ = 2, a₂₁ = 3, a₂₂ = 4, and b = [1 0 | 2 1].
	// o₁₁ = a₁₁b₁₁ + a₁₂b₁₂ = 1·1 + 2·0 = 1; o₁₂ = a₁₁b₂₁ + a₁₂b₂₂ = 1·2 + 2·1 = 4;
	// o₂₁ = 3·1 + 4·0 = 3; o₂₂ = 3·2 + 4·1 = 10. Per channel it is a·bᵀ.
	n := froNode(opFroTriangle, 2, nil)
	g := dense([]float64{1, 0, 0, 1})
	out, grads := froApply(n, []*mat.Dense{dense([]float64{1, 2, 3, 4}), dense([]float64{1, 0, 2, 1})}, []*mat.Dense{g})
	if want := dense([]float64{1, 4, 3, 10}); !mat.Equal(out[0].Data, want) {
		t.Errorf("triangle product = %v, want %v", out[0].Data, want)
	}
	// With G = identity grid: ∂a_ik = Σⱼ G_ij b_jk = b_ik, ∂b_jk = Σᵢ G_ij a_ik = a_jk.
	if !mat.Equal(grads[0].Data, dense([]float64{1, 0, 2, 1})) || !mat.Equal(grads[1].Data, dense([]float64{1, 2, 3, 4})) {
		t.Errorf("triangle gradients %v, %v", grads[0].Data, grads[1].Data)
	}
	// RoPE at 90°: position 1 turns (1, 2) to (−2, 1); position 2 turns
	// (1, 2) by 180° to (−1, −2). Back: R₁ᵀ(−2, 1) = (1, 2).
	n = froNode(opFroRoPE, 1, nil)
	x := dense([]float64{1, 1}, []float64{2, 2})
	out, grads = froApply(n, []*mat.Dense{x}, []*mat.Dense{dense([]float64{-2, 0}, []float64{1, 0})})
	if want := dense([]float64{-2, -1}, []float64{1, -2}); !mat.Equal(out[0].Data, want) {
		t.Errorf("rope = %v, want %v", out[0].Data, want)
	}
	if want := dense([]float64{1, 0}, []float64{2, 0}); !mat.Equal(grads[0].Data, want) {
		t.Errorf("rope gradient = %v, want %v", grads[0].Data, want)
	}
	// Top 2 of the column (0.5, 0.9, 0.7) keeps 0.9 and 0.7.
	n = froNode(opFroTopK, 1, map[string]float64{"k": 2})
	out, grads = froApply(n, []*mat.Dense{dense([]float64{0.5}, []float64{0.9}, []float64{0.7})}, []*mat.Dense{dense([]float64{3}, []float64{4}, []float64{5})})
	if want := dense([]float64{0}, []float64{0.9}, []float64{0.7}); !mat.Equal(out[0].Data, want) {
		t.Errorf("top_k = %v, want %v", out[0].Data, want)
	}
	if want := dense([]float64{0}, []float64{4}, []float64{5}); !mat.Equal(grads[0].Data, want) {
		t.Errorf("top_k gradient = %v, want %v", grads[0].Data, want)
	}
}

// froExpect compares cells of matrices of a trace, exactly or to 1e-9.
func froExpect(t *testing.T, tr *Trace, id string, cells map[[2]int]float64) {
	t.Helper()
	m := tr.Matrix(id)
	if m == nil {
		t.Fatalf("no matrix %s", id)
	}
	for rc, want := range cells {
		if got := m.At(rc[0], rc[1]); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s[%d,%d] = %v, want %v", id, rc[0]+1, rc[1]+1, got, want)
		}
	}
}

// The latent attention's default exercise, worked by hand (hand mode).
func TestFroMLADefaultByHand(t *testing.T) {
	tr := Lookup("deepseek-mla").Run(Lookup("deepseek-mla").Exercise(), Hand)
	// C↓KV = W↓KV·X; token 1 is x₁ = (1, 0, 1, 0): row 1 is (1,0,0,1)·x₁ = 1,
	// row 2 is (0,1,1,0)·x₁ = 1. Token 3, row 1: (1,0,0,1)·(1,1,0,1) = 2.
	froExpect(t, tr, "Ckv", map[[2]int]float64{{0, 0}: 1, {1, 0}: 1, {0, 2}: 2})
	// C↓Q token 1: (0,1,0,1)·x₁ = 0 and (1,0,1,0)·x₁ = 2; W↻Q swaps the two
	// rows, so Qᴿ₀ token 1 = (2, 0). Turned by 1·90°, (a, b) → (−b, a) = (0, 2).
	froExpect(t, tr, "Qr0", map[[2]int]float64{{0, 0}: 2, {1, 0}: 0})
	froExpect(t, tr, "Qr", map[[2]int]float64{{0, 0}: 0, {1, 0}: 2})
	// Qᴿ₀ token 3 = (1, 2), turned by 270°: (a, b) → (b, −a) = (2, −1).
	froExpect(t, tr, "Qr", map[[2]int]float64{{0, 2}: 2, {1, 2}: -1})
	// Kᴿ₀ token 1 = (x₁[1], x₁[3]) = (1, 1), turned by 90°: (−1, 1).
	froExpect(t, tr, "Kr", map[[2]int]float64{{0, 0}: -1, {1, 0}: 1})
	// Rows: Kᶜ = W↑K·C↓KV, token 1 = (1 − 1, 1) = (0, 1); so k₁ = (0, 1, −1, 1).
	// Qᶜ token 1 = (0, 2 − 0) = (0, 2); so q₁ = (0, 2, 0, 2).
	// S[1,1] = k₁·q₁ = 0 + 2 + 0 + 2 = 4.
	// k₂ = (−2, 2, 0, −1), q₃ = (2, −1, 2, −1): S[2,3] = −4 − 2 + 0 + 1 = −5.
	froExpect(t, tr, "S", map[[2]int]float64{{0, 0}: 4, {1, 2}: -5})
	// Column 1 of S is (4, 2, 0, 4); halved (2, 1, 0, 2); on paper 3ˣ gives
	// (9, 3, 1, 9), which add up to 22: A[1,1] = 9/22, A[3,1] = 1/22.
	froExpect(t, tr, "A", map[[2]int]float64{{0, 0}: 9.0 / 22, {2, 0}: 1.0 / 22})
	// Z = Vᶜ·A; Vᶜ row 1 = C↓KV row 1 = (1, 0, 2, 1), row 2 = C↓KV row 1 −
	// row 2 = (0, −2, 1, 0). Z[1,1] = (1·9 + 0·3 + 2·1 + 1·9)/22 = 20/22;
	// Z[2,1] = (0·9 − 2·3 + 1·1 + 0·9)/22 = −5/22.
	// O row 4 = Z row 1 − Z row 2: O[4,1] = 25/22.
	froExpect(t, tr, "O", map[[2]int]float64{{0, 0}: 20.0 / 22, {1, 0}: -5.0 / 22, {3, 0}: 25.0 / 22})
}

// The mixture of experts' default exercise, worked by hand.
func TestFroMoEDefaultByHand(t *testing.T) {
	tr := Lookup("deepseek-moe").Run(Lookup("deepseek-moe").Exercise(), Hand)
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	// Router row E₂ = (−1, 1, 1): token 1 (1, 0, 1) gives 0, token 2 (0, 1, 2)
	// gives 3, token 3 (2, 1, 0) gives −1.
	froExpect(t, tr, "Sr", map[[2]int]float64{{1, 0}: 0, {1, 1}: 3, {1, 2}: -1})
	// Token 1's affinities are (σ(1), σ(0), σ(1)) = (0.731, 0.5, 0.731): the
	// top 2 keep E₁ and E₃ and drop E₂. Token 3's are (σ(2), σ(−1), σ(0)):
	// E₂ (0.269) is dropped.
	froExpect(t, tr, "G", map[[2]int]float64{{0, 0}: sig(1), {1, 0}: 0, {2, 0}: sig(1), {1, 2}: 0, {2, 2}: 0.5})
	// Shared expert, layer 1, row 2 (0, 1, −1 | 0) on token 1: 0 + 0 − 1 + 0 = −1,
	// struck out to 0. Row 1 (1, 0, 1 | 0): 1·1 + 0·0 + 1·1 + 0 = 2.
	froExpect(t, tr, "H0", map[[2]int]float64{{0, 0}: 2, {1, 0}: 0})
	if tr.Matrix("H0").Before.At(1, 0) != -1 {
		t.Errorf("H₀ before ReLU [2,1] = %v, want −1", tr.Matrix("H0").Before.At(1, 0))
	}
	// Routed mix, feature 1, token 2: gates (0, σ(3), σ(2)) times experts'
	// first rows (1, 2, 0): 0·1 + σ(3)·2 + σ(2)·0 = 2σ(3).
	froExpect(t, tr, "R", map[[2]int]float64{{0, 1}: 2 * sig(3)})
	// Output, feature 1, token 1: x = 1, shared expert 2, routed
	// σ(1)·1 + 0·0 + σ(1)·(−1) = 0: O = 3, the target exactly.
	froExpect(t, tr, "O", map[[2]int]float64{{0, 0}: 3})
	// Back through the top-2 gate: the dropped E₂ of token 1 gets nothing,
	// whatever arrives at its gate.
	froExpect(t, tr, "dS", map[[2]int]float64{{1, 0}: 0, {1, 2}: 0})
}

// AlphaFold's MSA attention with pair bias, default exercise, by hand.
func TestFroMSAAttentionDefaultByHand(t *testing.T) {
	tr := Lookup("alphafold-msa-attention").Run(Lookup("alphafold-msa-attention").Exercise(), Hand)
	// Residue 1 is m₁ = (1, 0, 1): q₁ = Wq·m₁ = (1, 0, 1, 1 + 0) = (1, 0, 1, 1);
	// k₁ = Wk·m₁ = (0, 1, 1 + 1, −1) = (0, 1, 2, −1).
	froExpect(t, tr, "Q", map[[2]int]float64{{0, 0}: 1, {1, 0}: 0, {2, 0}: 1, {3, 0}: 1})
	froExpect(t, tr, "K", map[[2]int]float64{{0, 0}: 0, {1, 0}: 1, {2, 0}: 2, {3, 0}: -1})
	// S[1,1] = k₁·q₁ = 0 + 0 + 2 − 1 = 1; q₂ = (0, 1, 1, 1): S[1,2] = k₁·q₂ = 0 + 1 + 2 − 1 = 2.
	froExpect(t, tr, "S", map[[2]int]float64{{0, 0}: 1, {0, 1}: 2})
	// Pair bias wb = (1, −1): pair (1,1) has z = (1, 0), so B[1,1] = 1; pair
	// (1,3) has z = (0, 2), so key 3, query 1 gets B[3,1] = −2.
	froExpect(t, tr, "B", map[[2]int]float64{{0, 0}: 1, {2, 0}: -2, {1, 0}: -1})
	// Query 2's column: S/2 = (1, 0, 1), B = (−1, 1, −1), sum (0, 1, 0);
	// on paper 3⁰, 3¹, 3⁰ = 1, 3, 1, which add up to 5: A = (0.2, 0.6, 0.2).
	froExpect(t, tr, "A", map[[2]int]float64{{0, 1}: 0.2, {1, 1}: 0.6, {2, 1}: 0.2})
	// O = V·A; V's columns are (2, −1), (1, 0), (1, 1): O[1,2] = 2·0.2 + 1·0.6 +
	// 1·0.2 = 1.2, O[2,2] = −1·0.2 + 0·0.6 + 1·0.2 = 0.
	froExpect(t, tr, "O", map[[2]int]float64{{0, 1}: 1.2, {1, 1}: 0})
	// Gate of residue 2: G₀ = (m[1,2], m[2,2] + m[3,2] − 1) = (0, 1), so
	// G = (σ(0), σ(1)) = (0.5, 0.731): gated (0.6, 0).
	froExpect(t, tr, "Og", map[[2]int]float64{{0, 1}: 0.6, {1, 1}: 0})
	// m̃ = Wo·[G⊙O ; 1]: residue 2 is (0.6, 0, 0.6); the target is (0, 1, 1),
	// so ∂L/∂m̃ = 2·(0.6, −1, −0.4) = (1.2, −2, −0.8).
	froExpect(t, tr, "dY", map[[2]int]float64{{0, 1}: 1.2, {1, 1}: -2, {2, 1}: -0.8})
}

// AlphaFold's triangle update, default exercise, by hand.
func TestFroTriangleDefaultByHand(t *testing.T) {
	tr := Lookup("alphafold-triangle").Run(Lookup("alphafold-triangle").Exercise(), Hand)
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	s1, sm1 := sig(1), sig(-1)
	// Layer norm of pair (1,1), z = (2, 1, 0): mean 1, sample standard
	// deviation √((1 + 0 + 1)/2) = 1, so zₙ = (1, 0, −1). Pair (1,2), z = (1, 2, 0):
	// (0, 1, −1). Pair (2,1), z = (1, 0, 2): (0, −1, 1).
	froExpect(t, tr, "Zn", map[[2]int]float64{{0, 0}: 1, {1, 0}: 0, {2, 0}: -1, {0, 1}: 0, {1, 1}: 1, {1, 3}: -1, {2, 3}: 1})
	// Channel 1 of a is zₙ[1]·σ(1) (its gate's score is the bias 1): on row 1
	// of the grid, zₙ[1] = (1, 0, −1), so a = (σ(1), 0, −σ(1)).
	froExpect(t, tr, "A", map[[2]int]float64{{0, 0}: s1, {0, 1}: 0, {0, 2}: -s1})
	// Channel 1 of b is zₙ[2]·σ(zₙ[1]): row 1 has zₙ[2] = (0, 1, 1) and
	// zₙ[1] = (1, 0, −1), so b = (0, ½, σ(−1)); row 2 has zₙ[2] = (−1, −1, 0) and
	// zₙ[1] = (0, 1, 1), so b = (−½, −σ(1), 0).
	froExpect(t, tr, "B", map[[2]int]float64{{0, 0}: 0, {0, 1}: 0.5, {0, 2}: sm1, {0, 3}: -0.5, {0, 4}: -s1, {0, 5}: 0})
	// The triangle product, channel 1: pair (1,1) is row 1 of a times row 1
	// of b: σ(1)·0 + 0·½ + (−σ(1))·σ(−1) = −σ(1)σ(−1) ≈ −0.197. Pair (1,2) is row
	// 1 of a times row 2 of b: σ(1)·(−½) + 0·(−σ(1)) + (−σ(1))·0 = −σ(1)/2.
	froExpect(t, tr, "Tr", map[[2]int]float64{{0, 0}: -s1 * sm1, {0, 1}: -s1 / 2})
	// Channel 2 of pair (1,1): a = (zₙ[1] + zₙ[2])·σ(zₙ[1]) on row 1 = (σ(1), ½, 0)
	// and b = (zₙ[3] + 1)·σ(1) on row 1 = (0, 0, σ(1)): the sum is 0.
	froExpect(t, tr, "Tr", map[[2]int]float64{{1, 0}: 0})
	// The output gate's scores for pair (1,1): (1 + 0, 0 − 1, 1 − 1) = (1, −1, 0).
	froExpect(t, tr, "Og0", map[[2]int]float64{{0, 0}: 1, {1, 0}: -1, {2, 0}: 0})
}
