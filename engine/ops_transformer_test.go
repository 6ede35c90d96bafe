package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The transformer's ops, each backward checked against finite differences
// of its forward, run through the op itself (its steps and all), and the
// default exercise of transformer-stack pinned by hand.

// tfsRun works one op through on the given inputs in a context of its own
// and returns the context, the node, the inputs and the outputs.
func tfsRun(op *Op, params map[string]*Value, ins []*mat.Dense, mode Mode) (*Ctx, *Node, []*Matrix, []*Matrix) {
	n := &Node{ID: "s", Op: op, Params: params}
	for k := range op.Out {
		n.Out = append(n.Out, OutSpec{ID: op.Out[k], Name: op.Out[k]})
	}
	c := &Ctx{T: NewTrace("tfs", mode), Mode: mode, m: map[string]*Matrix{}, origin: map[string]stepOrigin{}, node: n, consumers: map[string]int{}}
	var in []*Matrix
	for k, d := range ins {
		id := "A" + string(rune('1'+k))
		n.In = append(n.In, id)
		m := &Matrix{ID: id, Name: id, Data: mat.DenseCopyOf(d)}
		c.m[id] = m
		in = append(in, m)
	}
	out := op.Forward(c, n, in)
	for k, o := range out {
		c.m[n.Out[k].ID] = o
	}
	return c, n, in, out
}

// tfsCheckOpFD draws random inputs of the given shapes and a random
// upstream gradient G until `want` cases have a finite forward, and
// compares the op's backward with central finite differences of Σ G ⊙ Y.
func tfsCheckOpFD(t *testing.T, op *Op, params map[string]*Value, shapes []Shape, want int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(43, uint64(len(op.Name))))
	found, draws := 0, 0
	for found < want {
		if draws == 100*want {
			t.Fatalf("%s: only %d of %d valid cases after %d draws", op.Name, found, want, draws)
		}
		draws++
		ins := make([]*mat.Dense, len(shapes))
		for k, s := range shapes {
			ins[k] = randDense(rng, s.Rows, s.Cols)
		}
		for _, mode := range []Mode{Hand, Exact} {
			c, n, in, out := tfsRun(op, params, ins, mode)
			if !out[0].Finite() || !c.T.Defined() {
				continue
			}
			r, cl := out[0].Dims()
			g := randDense(rng, r, cl)
			dOut := []*Matrix{{ID: "G", Name: "G", Role: RoleGradient, Data: g}}
			wantAll := make([]bool, len(in))
			for k := range wantAll {
				wantAll[k] = true
			}
			grads := op.Backward(c, n, in, out, dOut, wantAll)
			if !c.T.Defined() {
				t.Fatalf("%s: the backward steps are undefined on a defined forward", op.Name)
			}
			for k := range ins {
				x := ins[k]
				f := func() float64 {
					_, _, _, o := tfsRun(op, params, ins, mode)
					return weighted(g, o[0].Data)
				}
				checkFD(t, op.Name+"/"+mode.String()+"/"+n.In[k], x, f, grads[k].Data)
			}
		}
		found++
	}
}

func tfsNum(x float64) *Value { return &Value{Kind: KindNumber, Num: x} }

func TestTfsLayerNormFD(t *testing.T) {
	tfsCheckOpFD(t, opLayerNorm, map[string]*Value{}, []Shape{{4, 3}}, 20)
	tfsCheckOpFD(t, opLayerNorm, map[string]*Value{"eps": tfsNum(0)}, []Shape{{5, 2}}, 20)
	tfsCheckOpFD(t, opLayerNorm, map[string]*Value{"eps": tfsNum(0.5)}, []Shape{{2, 3}}, 20)
}

func TestTfsPositionalEncodingFD(t *testing.T) {
	tfsCheckOpFD(t, opPositionalEncoding, map[string]*Value{"n": tfsNum(100)}, []Shape{{4, 3}}, 20)
}

func TestTfsCausalMaskFD(t *testing.T) {
	tfsCheckOpFD(t, opCausalMask, map[string]*Value{}, []Shape{{4, 4}}, 20)
	tfsCheckOpFD(t, opCausalMask, map[string]*Value{}, []Shape{{3, 5}}, 20)
}

func TestTfsEmbedFD(t *testing.T) {
	toks := &Value{Kind: KindArray}
	for _, k := range []float64{2, 5, 2, 1} {
		toks.Arr = append(toks.Arr, tfsNum(k))
	}
	tfsCheckOpFD(t, opEmbed, map[string]*Value{"tokens": toks}, []Shape{{3, 6}}, 20)
}

// The sheets' NORMALIZE, checked on one column by hand: x = (1, 2, 0, 1),
// μ = 4/4 = 1, s = √((0 + 1 + 1 + 0)/3) = √(2/3), y = (x − 1)/(√(2/3) + ε);
// with ε = 0 a constant column is undefined (σ = 0), not NaN.
func TestTfsLayerNormByHand(t *testing.T) {
	x := mat.NewDense(4, 1, []float64{1, 2, 0, 1})
	mu, s, y := tfsLayerNormForward(x, 0.001)
	if mu.At(0, 0) != 1 || math.Abs(s.At(0, 0)-math.Sqrt(2.0/3)) > 1e-15 {
		t.Fatalf("μ = %v, s = %v", mu.At(0, 0), s.At(0, 0))
	}
	if w := 1 / (math.Sqrt(2.0/3) + 0.001); math.Abs(y.At(1, 0)-w) > 1e-12 || y.At(0, 0) != 0 {
		t.Fatalf("y = %v", mat.Formatted(y))
	}
	// Without ε the divisor is written as s alone.
	_, _, _, out := tfsRun(opLayerNorm, map[string]*Value{"eps": tfsNum(0)}, []*mat.Dense{x}, Hand)
	if e, _ := out[0].Explain(1, 0); !strings.HasPrefix(e.Formula, "(2 − 1) / 0.816 = ") {
		t.Errorf("explanation of y[2] with ε = 0: %q", e.Formula)
	}
	c, _, _, _ := tfsRun(opLayerNorm, map[string]*Value{"eps": tfsNum(0)}, []*mat.Dense{mat.NewDense(3, 1, []float64{2, 2, 2})}, Exact)
	if st := c.T.Step("s.norm"); st == nil || st.Undefined != "undefined.sigma" {
		t.Fatalf("a constant column with eps = 0 should be undefined.sigma, got %+v", st)
	}
}

// The mask hides exactly the keys after each query, and the positional
// encoding is the textbook's, rows as dimensions and columns as positions.
func TestTfsMaskAndPE(t *testing.T) {
	_, _, _, out := tfsRun(opCausalMask, map[string]*Value{}, []*mat.Dense{mat.NewDense(3, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9})}, Hand)
	want := mat.NewDense(3, 3, []float64{1, 2, 3, -99, 5, 6, -99, -99, 9})
	if !mat.Equal(out[0].Data, want) {
		t.Fatalf("masked scores\n%v", mat.Formatted(out[0].Data))
	}
	pe := tfsPE(4, 3, 100, 0)
	// Column pos = 2: sin 2, cos 2, sin(2/100^(2/4)) = sin 0.2, cos 0.2.
	for k, w := range []float64{math.Sin(2), math.Cos(2), math.Sin(0.2), math.Cos(0.2)} {
		if math.Abs(pe.At(k, 2)-w) > 1e-15 {
			t.Fatalf("PE[%d, 2] = %v, want %v", k, pe.At(k, 2), w)
		}
	}
}

// The default exercise of transformer-stack, worked by hand (hand mode,
// 3ˣ in the softmax), its first steps and the first token's path through
// the block.
func TestTfsTransformerStackByHand(t *testing.T) {
	m := Lookup("transformer-stack")
	if m == nil {
		t.Fatal("transformer-stack is not registered")
	}
	tr := m.Run(m.Exercise(), Hand)
	if !tr.Defined() {
		t.Fatal("the default exercise is undefined")
	}
	at := func(id string, r, c int) float64 {
		t.Helper()
		x := tr.Matrix(id)
		if x == nil {
			t.Fatalf("no matrix %s", id)
		}
		return x.At(r, c)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %.12g, want %.12g", what, got, want)
		}
	}
	// Embedding: "[S] the dog runs" are words 1, 2, 3, 5, so X is columns
	// 1, 2, 3 and 5 of E: (1,0,0,1), (0,1,1,0), (1,1,0,0), (1,0,1,0).
	// X[1,4] = row 1 of E times the one-hot of "runs" = 1·0+0·0+1·0+0·0+1·1+0·0 = 1.
	wantX := mat.NewDense(4, 4, []float64{1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0})
	if !mat.Equal(tr.Matrix("X").Data, wantX) {
		t.Errorf("X =\n%v", mat.Formatted(tr.Matrix("X").Data))
	}
	// Positions 0, 1, 2, 3 and n = 100, d = 4: rows 1, 2 are sin, cos of
	// pos, rows 3, 4 of pos/100^(2/4) = pos/10. Position 0 adds (0, 1, 0, 1),
	// so H's first column is (1+0, 0+1, 0+0, 1+1) = (1, 1, 0, 2).
	for i, w := range []float64{1, 1, 0, 2} {
		near("H[·,1]", at("H", i, 0), w)
	}
	near("H[1,2] = 0 + sin 1", at("H", 0, 1), math.Sin(1))
	near("H[3,3] = 0 + sin(2/10)", at("H", 2, 2), math.Sin(0.2))
	near("H[2,4] = 0 + cos 3", at("H", 1, 3), math.Cos(3))
	// The first token's query, key and value (h = (1, 1, 0, 2)):
	// Q = (h₁, h₃, h₂ − h₄, h₄) = (1, 0, −1, 2), K = (h₂, h₁, h₃, h₄ − h₂) =
	// (1, 1, 0, 1), V = (h₁, −h₂, h₃, h₄ − h₃) = (1, −1, 0, 2).
	for i, w := range []float64{1, 0, -1, 2} {
		near("Q[·,1]", at("Q", i, 0), w)
	}
	for i, w := range []float64{1, 1, 0, 1} {
		near("K[·,1]", at("K", i, 0), w)
	}
	for i, w := range []float64{1, -1, 0, 2} {
		near("V[·,1]", at("V", i, 0), w)
	}
	// S[1,1] = K₁·Q₁ = 1·1 + 1·0 + 0·(−1) + 1·2 = 3, and ½S[1,1] = 1.5.
	near("S[1,1]", at("S", 0, 0), 3)
	near("½S[1,1]", at("Ss", 0, 0), 1.5)
	// Q₂ = (h₁, h₃, h₂ − h₄, h₄) of h = H's second column
	// (sin 1, 1 + cos 1, 1 + sin 0.1, cos 0.1), so S[1,2] = K₁·Q₂ =
	// sin 1 + (1 + sin 0.1) + 0 + cos 0.1 ≈ 2.94.
	h := []float64{math.Sin(1), 1 + math.Cos(1), 1 + math.Sin(0.1), math.Cos(0.1)}
	s12 := h[0] + h[2] + h[3]
	near("S[1,2]", at("S", 0, 1), s12)
	// S[2,2] = K₂·Q₂ with K₂ = (h₂, h₁, h₃, h₄ − h₂), Q₂ = (h₁, h₃, h₂ − h₄, h₄).
	s22 := h[1]*h[0] + h[0]*h[2] + h[2]*(h[1]-h[3]) + (h[3]-h[1])*h[3]
	near("S[2,2]", at("S", 1, 1), s22)
	// The mask keeps key ≤ query and writes −99 below the diagonal.
	near("S̃[1,2] kept", at("Sm", 0, 1), s12/2)
	near("S̃[2,1] hidden", at("Sm", 1, 0), -99)
	near("S̃[4,3] hidden", at("Sm", 3, 2), -99)
	// The first query sees only key 1: A[1,1] = 3¹·⁵/(3¹·⁵ + 3·3⁻⁹⁹) = 1 to
	// any digit; the second: A[1,2] = 3^(S₁₂/2)/(3^(S₁₂/2) + 3^(S₂₂/2)).
	near("A[1,1]", at("A", 0, 0), 1)
	near("A[2,1]", at("A", 1, 0), 0)
	e1, e2 := math.Pow(3, s12/2), math.Pow(3, s22/2)
	near("A[1,2]", at("A", 0, 1), e1/(e1+e2))
	// So Z₁ = V₁ = (1, −1, 0, 2), and R₁'s first column is H₁ + Z₁ =
	// (1+1, 1−1, 0+0, 2+2) = (2, 0, 0, 4).
	for i, w := range []float64{2, 0, 0, 4} {
		near("R₁[·,1]", at("R1", i, 0), w)
	}
	// Layer norm of (2, 0, 0, 4): μ = 6/4 = 1.5, the sample standard
	// deviation s = √((0.5² + 1.5² + 1.5² + 2.5²)/3) = √(11/3) ≈ 1.915,
	// and N₁ = (0.5, −1.5, −1.5, 2.5)/(s + 0.001).
	sd := math.Sqrt(11.0/3) + 0.001
	near("μ[1]", at("N1.mean", 0, 0), 1.5)
	near("s[1]", at("N1.std", 0, 0), math.Sqrt(11.0/3))
	for i, w := range []float64{0.5, -1.5, -1.5, 2.5} {
		near("N₁[·,1]", at("N1", i, 0), w/sd)
	}
	// The encoder, on "le chien court" = words 1, 2, 3 of Eₛ: Xₑ's columns
	// are (1, 1, 0, 0), (0, 1, 1, 0), (1, 0, 0, 1). Position 0 adds
	// (0, 1, 0, 1), so Hₑ's first column is (1, 2, 0, 1); the second is
	// (0 + sin 1, 1 + cos 1, 1 + sin 0.1, 0 + cos 0.1), the third
	// (1 + sin 2, 0 + cos 2, 0 + sin 0.2, 1 + cos 0.2).
	he := [][]float64{
		{1, 2, 0, 1},
		{math.Sin(1), 1 + math.Cos(1), 1 + math.Sin(0.1), math.Cos(0.1)},
		{1 + math.Sin(2), math.Cos(2), math.Sin(0.2), 1 + math.Cos(0.2)},
	}
	for j := range he {
		for i, w := range he[j] {
			near("Hₑ", at("He", i, j), w)
		}
	}
	// Wqₑ, Wkₑ, Wvₑ each pick one feature per row: qₑ = (h₁, h₂, h₄, h₃),
	// kₑ = (h₃, h₁, h₂, h₄), vₑ = (h₁, h₃, h₂, −h₄). First source word:
	// Qₑ₁ = (1, 2, 1, 0), Kₑ₁ = (0, 1, 2, 1), Vₑ₁ = (1, 0, 2, −1).
	qe := func(h []float64) []float64 { return []float64{h[0], h[1], h[3], h[2]} }
	ke := func(h []float64) []float64 { return []float64{h[2], h[0], h[1], h[3]} }
	ve := func(h []float64) []float64 { return []float64{h[0], h[2], h[1], -h[3]} }
	dot := func(a, b []float64) float64 {
		s := 0.0
		for k := range a {
			s += a[k] * b[k]
		}
		return s
	}
	for i, w := range []float64{1, 2, 1, 0} {
		near("Qₑ[·,1]", at("Qe", i, 0), w)
	}
	for i, w := range []float64{1, 0, 2, -1} {
		near("Vₑ[·,1]", at("Ve", i, 0), w)
	}
	// Sₑ[1,1] = Kₑ₁·Qₑ₁ = 0·1 + 1·2 + 2·1 + 1·0 = 4, ½Sₑ[1,1] = 2.
	near("Sₑ[1,1]", at("Se", 0, 0), 4)
	near("½Sₑ[1,1]", at("Sse", 0, 0), 2)
	// Sₑ[2,1] = Kₑ₂·Qₑ₁ = (1 + sin 0.1)·1 + sin 1·2 + (1 + cos 1)·1 + cos 0.1·0
	// ≈ 4.32; Sₑ[3,1] = sin 0.2 + 2(1 + sin 2) + cos 2 ≈ 3.60. No mask.
	q1 := qe(he[0])
	se := []float64{4, 2 + math.Sin(0.1) + 2*math.Sin(1) + math.Cos(1), math.Sin(0.2) + 2*(1+math.Sin(2)) + math.Cos(2)}
	for i := range se {
		near("Sₑ[·,1]", at("Se", i, 0), dot(ke(he[i]), q1))
		near("Sₑ[·,1] by hand", at("Se", i, 0), se[i])
	}
	// Aₑ[·,1] = 3^(Sₑ/2) / Σ: 3² = 9 over 9 + 3^2.16 + 3^1.80.
	den := 0.0
	for _, x := range se {
		den += math.Pow(3, x/2)
	}
	ae := make([]float64, 3)
	for i, x := range se {
		ae[i] = math.Pow(3, x/2) / den
		near("Aₑ[·,1]", at("Ae", i, 0), ae[i])
	}
	near("Aₑ[1,1] = 9/Σ", at("Ae", 0, 0), 9/den)
	// Zₑ₁ = Σᵢ Aₑ[i,1]·Vₑᵢ, Rₑ₁ = Hₑ₁ + Zₑ₁, then Nₑ₁ = (Rₑ₁ − μ)/(s + ε)
	// with the sample standard deviation s (÷ 3).
	tfsLN := func(r []float64) []float64 {
		mu := (r[0] + r[1] + r[2] + r[3]) / 4
		v := 0.0
		for _, x := range r {
			v += (x - mu) * (x - mu)
		}
		sdv := math.Sqrt(v/3) + 0.001
		out := make([]float64, 4)
		for k, x := range r {
			out[k] = (x - mu) / sdv
		}
		return out
	}
	ne := make([][]float64, 3)
	for j := range he {
		// Column j of the encoder, worked the same way as column 1.
		sj := make([]float64, 3)
		dj := 0.0
		for i := range he {
			sj[i] = dot(ke(he[i]), qe(he[j]))
			dj += math.Pow(3, sj[i]/2)
		}
		re := append([]float64(nil), he[j]...)
		for i := range he {
			a := math.Pow(3, sj[i]/2) / dj
			for k, x := range ve(he[i]) {
				re[k] += a * x
			}
		}
		ne[j] = tfsLN(re)
		for k, w := range ne[j] {
			near("Nₑ", at("Ne", k, j), w)
		}
	}
	// Cross-attention, first target word "[S]". Its query is Wqₓ·N₁₁ =
	// (n₂, n₁, n₃, n₄) of N₁₁ = (0.5, −1.5, −1.5, 2.5)/sd, so
	// Qₓ₁ = (−1.5, 0.5, −1.5, 2.5)/sd. Wkₓ = I, so Kₓ = Nₑ, and
	// Vₓ = (n₁, n₂, −n₃, n₄) of each column of Nₑ.
	n11 := []float64{0.5 / sd, -1.5 / sd, -1.5 / sd, 2.5 / sd}
	qx := []float64{-1.5 / sd, 0.5 / sd, -1.5 / sd, 2.5 / sd}
	for i, w := range qx {
		near("Qₓ[·,1]", at("Qc", i, 0), w)
	}
	// Sₓ is 3×4: source words as rows, target words as columns.
	if r, c := tr.Matrix("Sc").Dims(); r != 3 || c != 4 {
		t.Fatalf("Sₓ is %d×%d, want 3×4", r, c)
	}
	// Sₓ[i,1] = Nₑᵢ·Qₓ₁, e.g. Sₓ[1,1] = (−1.5 ne₁₁ + 0.5 ne₂₁ − 1.5 ne₃₁ + 2.5 ne₄₁)/sd.
	dx := 0.0
	sx := make([]float64, 3)
	for i := range ne {
		sx[i] = dot(ne[i], qx)
		near("Sₓ[·,1]", at("Sc", i, 0), sx[i])
		near("½Sₓ[·,1]", at("Ssc", i, 0), sx[i]/2)
		dx += math.Pow(3, sx[i]/2)
	}
	near("Sₓ[1,1] written out", at("Sc", 0, 0), (-1.5*ne[0][0]+0.5*ne[0][1]-1.5*ne[0][2]+2.5*ne[0][3])/sd)
	// Aₓ[i,1] = 3^(Sₓ[i,1]/2)/Σ, Zₓ₁ = Σᵢ Aₓ[i,1]·Vₓᵢ, Rₓ₁ = N₁₁ + Zₓ₁.
	rx := append([]float64(nil), n11...)
	for i := range ne {
		a := math.Pow(3, sx[i]/2) / dx
		near("Aₓ[·,1]", at("Ac", i, 0), a)
		for k, x := range []float64{ne[i][0], ne[i][1], -ne[i][2], ne[i][3]} {
			rx[k] += a * x
		}
	}
	for k, w := range rx {
		near("Rₓ[·,1]", at("Rc", k, 0), w)
	}
	nx := tfsLN(rx)
	for k, w := range nx {
		near("Nₓ[·,1]", at("Nc", k, 0), w)
	}
	// FFN layer 1 now reads Nₓ: row 1 of [W₁ | b₁] = (1, 0, −1, 0 | 0) gives
	// nₓ₁ − nₓ₃ ≈ 1.254 + 0.939 ≈ 2.19; row 3 = (−1, 0, 1, 0 | 1) gives
	// 1 − (nₓ₁ − nₓ₃) ≈ −1.19, which ReLU strikes out.
	near("F[1,1]", at("F", 0, 0), nx[0]-nx[2])
	near("F before ReLU [3,1]", tr.Matrix("F").Before.At(2, 0), 1-(nx[0]-nx[2]))
	near("F[3,1]", at("F", 2, 0), 0)
	if f := at("F", 0, 0); f < 2.19 || f > 2.2 {
		t.Errorf("F[1,1] = %v, want ≈ 2.19", f)
	}
	// Backward: "cat" (word 4) is not in the sentence, so its column of
	// ∂L/∂E is 0; and no gradient reaches a hidden score.
	for i := 0; i < 4; i++ {
		if g := at("dE", i, 3); g != 0 {
			t.Errorf("∂L/∂E[%d, cat] = %v, want 0", i+1, g)
		}
	}
	for _, rc := range [][2]int{{1, 0}, {2, 0}, {3, 0}, {2, 1}, {3, 1}, {3, 2}} {
		if g := at("dSs", rc[0], rc[1]); g != 0 {
			t.Errorf("∂L/∂(½S)[%d,%d] = %v, want 0", rc[0]+1, rc[1]+1, g)
		}
	}
	// In exact mode the first query's weights are (1, 0, 0, 0) too.
	ex := m.Run(m.Exercise(), Exact)
	near("exact A[1,1]", ex.Matrix("A").At(0, 0), 1)
}
