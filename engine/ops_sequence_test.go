package engine

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// seqNear checks matrix id of tr against want, cell by cell, to 1e-9.
func seqNear(t *testing.T, tr *Trace, id string, want ...[]float64) {
	t.Helper()
	m := tr.Matrix(id)
	if m == nil {
		t.Fatalf("no matrix %s", id)
	}
	r, c := m.Dims()
	if r != len(want) || c != len(want[0]) {
		t.Fatalf("%s is %d×%d, want %d×%d", id, r, c, len(want), len(want[0]))
	}
	for i := range want {
		for j := range want[i] {
			if math.Abs(m.At(i, j)-want[i][j]) > 1e-9 {
				t.Errorf("%s[%d,%d] = %.12g, want %.12g", id, i+1, j+1, m.At(i, j), want[i][j])
			}
		}
	}
}

func seqSigma(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// seqCellVars are the variables of the checks of lstm_cell: a cell of 2
// hidden units reading 3 inputs, on 2 sequences at once (2 columns).
const seqCellVars = `
[[var]]
id = "W"
role = "parameter"
train = true
bias = true
data = [[1, 0, -1, 1, 0, 0], [0, 1, 0, -1, 1, 1], [1, 1, 0, 0, -1, 0], [-1, 0, 1, 1, 0, 1],
        [0, -1, 1, 0, 1, 0], [1, 0, 0, 1, -1, 1], [0, 1, -1, 0, 0, 1], [1, -1, 1, -1, 1, 0]]
[[var]]
id = "X"
role = "parameter"
train = true
data = [[1, 0], [0, 1], [-1, 1]]
[[var]]
id = "H"
role = "parameter"
train = true
data = [[0.5, -1], [1, 0]]
[[var]]
id = "C"
role = "parameter"
train = true
data = [[1, -0.5], [0, 2]]
[[var]]
id = "T"
role = "target"
data = [[0.3, -0.2], [0.1, 0.4]]
[[var]]
id = "U"
role = "target"
data = [[-0.3, 0.5, 0.2], [0.7, -0.1, 0]]
`

// TestSeqLSTMCellGradients checks the backward of lstm_cell against
// finite differences, perturbing every cell of its four inputs (all
// trained here) on random exercises: with the loss on both outputs, on H′
// alone (C′'s gradient is then the zero stand-in), on C′ alone, and with
// two cells chained so that the second hands the first a gradient for
// both its H′ and its C′.
func TestSeqLSTMCellGradients(t *testing.T) {
	cases := map[string]string{
		"both": `
[[step]]
id = "cell"
op = "lstm_cell"
in = ["W", "X", "H", "C"]
out = ["H1", "C1"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "both"
op = "concat_rows"
in = ["H1", "C1"]
out = "B"
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "stack"
op = "concat_rows"
in = ["T", "T"]
out = "TT"
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "loss"
op = "squared_error"
in = ["B", "TT"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`,
		"h-only": `
[[step]]
id = "cell"
op = "lstm_cell"
in = ["W", "X", "H", "C"]
out = ["H1", "C1"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "loss"
op = "squared_error"
in = ["H1", "T"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`,
		"c-only": `
[[step]]
id = "cell"
op = "lstm_cell"
in = ["W", "X", "H", "C"]
out = ["H1", "C1"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "loss"
op = "squared_error"
in = ["C1", "T"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`,
		"chained": `
[[step]]
id = "cell"
op = "lstm_cell"
in = ["W", "X", "H", "C"]
out = ["H1", "C1"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "cell2"
op = "lstm_cell"
in = ["W", "X", "H1", "C1"]
out = ["H2", "C2"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "loss"
op = "squared_error"
in = ["H2", "T"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`,
	}
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			CheckOpGradients(t, seqCellVars, steps, 10)
		})
	}
}

// TestSeqLSTMCellShapes: a cell whose shapes do not fit is refused with a
// message that says why.
func TestSeqLSTMCellShapes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`["W", "X", "H", "U"]`, "they need one shape"},
		{`["W", "U", "H", "C"]`, "give one state per sequence"},
		{`["W.T", "X", "H", "C"]`, "4 gates"},
		{`["W", "H", "H", "C"]`, "it needs 5 columns"},
	} {
		src := strings.NewReplacer("%VARS%", seqCellVars, "%STEPS%", `
[[step]]
id = "cell"
op = "lstm_cell"
in = `+c.in+`
out = ["H1", "C1"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "loss"
op = "squared_error"
in = ["H1", "T"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`).Replace(opCheckFile)
		_, probs := ReadWalkthrough(src)
		if probs == nil || !strings.Contains(probs.Error(), c.want) {
			t.Errorf("in = %s: problems %v, want one saying %q", c.in, probs, c.want)
		}
	}
}

// TestSeqRNNDefaultByHand works the RNN's default exercise by hand.
func TestSeqRNNDefaultByHand(t *testing.T) {
	m := Lookup("rnn")
	tr := m.Run(m.Exercise(), Hand)
	th := math.Tanh(1) // ≈ 0.7616
	// Step 1, S₁ = [X₁ ; H₀] = (1, 0, 0, 0):
	// F₁ row 1: 1·1 + (−1)·0 + 1·0 + 0·0 + 0 = 1;
	// F₁ row 2: 0·1 + 1·0 + (−1)·0 + 1·0 + (−1) = −1.
	seqNear(t, tr, "S1", []float64{1}, []float64{0}, []float64{0}, []float64{0})
	seqNear(t, tr, "F1", []float64{1}, []float64{-1})
	seqNear(t, tr, "H1", []float64{th}, []float64{-th})
	// Step 2, S₂ = (0, 1, tanh 1, −tanh 1):
	// F₂ row 1: 1·0 + (−1)·1 + 1·tanh 1 + 0·(−tanh 1) + 0 = tanh 1 − 1 ≈ −0.2384;
	// F₂ row 2: 0·0 + 1·1 + (−1)·tanh 1 + 1·(−tanh 1) + (−1) = −2 tanh 1 ≈ −1.5232.
	seqNear(t, tr, "F2", []float64{th - 1}, []float64{-2 * th})
	h2 := []float64{math.Tanh(th - 1), math.Tanh(-2 * th)}
	seqNear(t, tr, "H2", []float64{h2[0]}, []float64{h2[1]})
	// Step 3, S₃ = (1, 1, H₂): F₃ row 1: 1 − 1 + H₂[1] + 0 = H₂[1];
	// row 2: 0 + 1 − H₂[1] + H₂[2] − 1 = H₂[2] − H₂[1].
	seqNear(t, tr, "F3", []float64{h2[0]}, []float64{h2[1] - h2[0]})
	h3 := []float64{math.Tanh(h2[0]), math.Tanh(h2[1] - h2[0])}
	// O = [1 −1 | 0]·[H ; 1]: each step's score is H[1] − H[2];
	// step 1: tanh 1 − (−tanh 1) = 2 tanh 1 ≈ 1.5232.
	o := []float64{2 * th, h2[0] - h2[1], h3[0] - h3[1]}
	seqNear(t, tr, "O", o)
	// The loss, Σ ln(1 + e⁻ᵒ) for T = 1 and ln(1 + eᵒ) for T = 0:
	// ln(1 + e^−1.5232) + ln(1 + e^0.6753) + ln(1 + e^−0.3586) ≈ 1.8138.
	loss := math.Log1p(math.Exp(-o[0])) + math.Log1p(math.Exp(o[1])) + math.Log1p(math.Exp(-o[2]))
	if l := TotalLoss(tr); math.Abs(l-loss) > 1e-12 || math.Abs(l-1.813775374695496) > 1e-9 {
		t.Errorf("loss = %.12g, want %.12g", l, loss)
	}
	// ∂L/∂O = σ(O) − T.
	dO := []float64{seqSigma(o[0]) - 1, seqSigma(o[1]), seqSigma(o[2]) - 1}
	seqNear(t, tr, "dO", dO)
	// Step 1's own gradient reaches F₁ and W: ∂L/∂[W] from step 1 is
	// ∂L/∂F₁·[S₁ ; 1]ᵀ, and with S₁ = (1, 0, 0, 0) only the first column
	// (X₁[1] = 1) and the bias column (1) are not 0: both equal ∂L/∂F₁.
	dF1 := tr.Matrix("dF1")
	if dF1 == nil {
		t.Fatal("no ∂L/∂F₁")
	}
	d := []float64{dF1.At(0, 0), dF1.At(1, 0)}
	seqNear(t, tr, "dW.f1", []float64{d[0], 0, 0, 0, d[0]}, []float64{d[1], 0, 0, 0, d[1]})
	// Backpropagation through time: W's gradient is the sum of the three
	// steps' gradients.
	sum := mat.NewDense(2, 5, nil)
	for _, id := range []string{"dW.f1", "dW.f2", "dW.f3"} {
		sum.Add(sum, tr.Matrix(id).Data)
	}
	if !mat.EqualApprox(sum, tr.Matrix("dW").Data, 1e-12) {
		t.Errorf("∂L/∂W is not the sum of the three steps' gradients")
	}
	if e, _ := tr.Explain("F1", 1, 0); e.Formula != "0·1 + 1·0 + (−1)·0 + 1·0 + (−1) = −1" {
		t.Errorf("explanation of F₁[2,1]: %q", e.Formula)
	}
}

// TestSeqLSTMDefaultByHand works the LSTM's default exercise by hand.
func TestSeqLSTMDefaultByHand(t *testing.T) {
	m := Lookup("lstm")
	tr := m.Run(m.Exercise(), Hand)
	th, s1 := math.Tanh(1), seqSigma(1)
	// Step 1, S₁ = [X₁ ; H₀] = (1, 0, 0, 0): each sum is the first column
	// of the gate's weights plus its bias.
	// Zc₁ = (1 + 0, −1 + 0) = (1, −1); Zi₁ = (0 + 0, 1 − 1) = (0, 0);
	// Zo₁ = (1 + 0, 0 + 1) = (1, 1).
	seqNear(t, tr, "Zc1", []float64{1}, []float64{-1})
	seqNear(t, tr, "Zi1", []float64{0}, []float64{0})
	seqNear(t, tr, "Zo1", []float64{1}, []float64{1})
	// C̃₁ = (tanh 1, −tanh 1) ≈ (0.762, −0.762); I₁ = (σ(0), σ(0)) = (0.5, 0.5).
	seqNear(t, tr, "I1", []float64{0.5}, []float64{0.5})
	// C₁ = C̃₁ ⊙ I₁ = (0.381, −0.381), exactly half of tanh 1.
	seqNear(t, tr, "C1", []float64{th / 2}, []float64{-th / 2})
	// H₁ = tanh(C₁) ⊙ O₁ = tanh(0.381)·σ(1) ≈ 0.363·0.731 ≈ 0.266.
	h1 := math.Tanh(th/2) * s1
	seqNear(t, tr, "H1", []float64{h1}, []float64{-h1})
	// Step 2, S₂ = (1, 1, h, −h) with h = H₁[1] ≈ 0.266:
	// Zf₂ row 1: 1·1 + 0·1 + 1·h + 0·(−h) + 1 = 2 + h ≈ 2.266;
	// Zf₂ row 2: 0·1 + 1·1 + 0·h + 1·(−h) + 0 = 1 − h ≈ 0.734.
	seqNear(t, tr, "Zf2", []float64{2 + h1}, []float64{1 - h1})
	f2 := []float64{seqSigma(2 + h1), seqSigma(1 - h1)}
	// C₁ ⊙ F₂: 0.381·σ(2.266) ≈ 0.381·0.906 ≈ 0.345.
	seqNear(t, tr, "K2", []float64{th / 2 * f2[0]}, []float64{-th / 2 * f2[1]})
	// Zc₂ = (1 − 1 + 0 − h, −1 + 1 + h + 0) = (−h, h);
	// Zi₂ = (0 + 1 + h + 0, 1 + 0 + 0 − h − 1) = (1 + h, −h);
	// Zo₂ = (1 + 0 + 0 + h, 0 + 1 + h + 0 + 1) = (1 + h, 2 + h).
	seqNear(t, tr, "Zc2", []float64{-h1}, []float64{h1})
	seqNear(t, tr, "Zi2", []float64{1 + h1}, []float64{-h1})
	seqNear(t, tr, "Zo2", []float64{1 + h1}, []float64{2 + h1})
	c2 := []float64{
		th/2*f2[0] + math.Tanh(-h1)*seqSigma(1+h1),
		-th/2*f2[1] + math.Tanh(h1)*seqSigma(-h1),
	}
	seqNear(t, tr, "C2", []float64{c2[0]}, []float64{c2[1]})
	h2 := []float64{math.Tanh(c2[0]) * seqSigma(1+h1), math.Tanh(c2[1]) * seqSigma(2+h1)}
	// H₂ ≈ (0.1104, −0.1302), worked out in full precision as well.
	seqNear(t, tr, "H2", []float64{h2[0]}, []float64{h2[1]})
	seqNear(t, tr, "H2", []float64{0.11041990249907697}, []float64{-0.13016510812211912})
	// L = (0.1104 − 0.5)² + (−0.1302 + 0.5)² ≈ 0.2886.
	loss := (h2[0]-0.5)*(h2[0]-0.5) + (h2[1]+0.5)*(h2[1]+0.5)
	if l := TotalLoss(tr); math.Abs(l-loss) > 1e-12 {
		t.Errorf("loss = %.12g, want %.12g", l, loss)
	}
	seqNear(t, tr, "dH2", []float64{2 * (h2[0] - 0.5)}, []float64{2 * (h2[1] + 0.5)})
	// The forget gate is not used at step 1, so Wf has one gradient, from
	// step 2; Wc, Wi and Wo add up two.
	for _, id := range []string{"Wc", "Wi", "Wo"} {
		if tr.Step(id+".grad") == nil {
			t.Errorf("no step adds up %s's gradients", id)
		}
	}
	if tr.Step("Wf.grad") != nil {
		t.Errorf("Wf's gradient is added up, but only step 2 uses it")
	}
}

// TestSeqLSTMCellMatchesTheGates: the lstm_cell op, with the LSTM page's
// four weight matrices stacked in one, computes the page's H₂ and the
// same gradients, row block by row block. (Step 1's forget gate, which the
// page leaves out since C₀ = 0, gets no gradient in the cell either:
// ∂L/∂F₁ = ∂L/∂C₁ ⊙ C₀ = 0.)
func TestSeqLSTMCellMatchesTheGates(t *testing.T) {
	page := Lookup("lstm")
	pst := page.Exercise()
	ptr := page.Run(pst, Exact)
	// Stack the four weight matrices: rows F, C̃, I, O.
	w := mat.NewDense(8, 5, nil)
	for k, id := range []string{"Wf", "Wc", "Wi", "Wo"} {
		w.Slice(2*k, 2*k+2, 0, 5).(*mat.Dense).Copy(pst.Get(id))
	}
	var b strings.Builder
	b.WriteString("[[var]]\nid = \"W\"\nrole = \"parameter\"\ntrain = true\nbias = true\ndata = [")
	for i := 0; i < 8; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("[")
		for j := 0; j < 5; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatFloat(w.At(i, j), 'g', -1, 64))
		}
		b.WriteString("]")
	}
	b.WriteString("]\n")
	vars := b.String() + `
[[var]]
id = "X1"
data = [[1], [0]]
[[var]]
id = "X2"
data = [[1], [1]]
[[var]]
id = "Z"
data = [[0], [0]]
[[var]]
id = "T"
role = "target"
data = [[0.5], [-0.5]]
`
	steps := `
[[step]]
id = "one"
op = "lstm_cell"
in = ["W", "X1", "Z", "Z"]
out = ["H1", "C1"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "two"
op = "lstm_cell"
in = ["W", "X2", "H1", "C1"]
out = ["H2", "C2"]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
[[step]]
id = "loss"
op = "squared_error"
in = ["H2", "T"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`
	wk, probs := ReadWalkthrough(strings.NewReplacer("%VARS%", vars, "%STEPS%", steps).Replace(opCheckFile))
	if probs != nil {
		t.Fatal(probs)
	}
	m, probs := NewModel(wk)
	if probs != nil {
		t.Fatal(probs)
	}
	tr := m.Run(m.Exercise(), Exact)
	if !mat.EqualApprox(tr.Matrix("H2").Data, ptr.Matrix("H2").Data, 1e-12) {
		t.Fatalf("the cell's H₂ %v differs from the page's %v", mat.Formatted(tr.Matrix("H2").Data.T()), mat.Formatted(ptr.Matrix("H2").Data.T()))
	}
	if math.Abs(TotalLoss(tr)-TotalLoss(ptr)) > 1e-12 {
		t.Fatalf("loss %v, page's %v", TotalLoss(tr), TotalLoss(ptr))
	}
	grads := map[string]*mat.Dense{}
	for _, g := range ptr.Phases[0] {
		grads[g.Param] = g.Grad
	}
	dW := tr.Phases[0][0].Grad
	for k, id := range []string{"Wf", "Wc", "Wi", "Wo"} {
		if !mat.EqualApprox(dW.Slice(2*k, 2*k+2, 0, 5), grads[id], 1e-12) {
			t.Errorf("rows of %s: the cell's gradient\n%v\nthe page's\n%v", id, mat.Formatted(dW.Slice(2*k, 2*k+2, 0, 5)), mat.Formatted(grads[id]))
		}
	}
}

// TestSeqSeq2SeqDefaultByHand works the start of the seq2seq exercise by
// hand, and pins the rest to values worked out in full precision.
func TestSeqSeq2SeqDefaultByHand(t *testing.T) {
	m := Lookup("seq2seq")
	tr := m.Run(m.Exercise(), Hand)
	th, s1 := math.Tanh(1), seqSigma(1)
	// Encoder step 1, S₁ = [X₁ ; H₀] = (1, 0, 0, 0): each gate's sum is
	// the first column of [We | be] plus the bias:
	// F: 0 + 1 = 1 (twice); C̃₁: 1·1 + (−1)·0 + 1·0 + 0·0 + 0 = 1;
	// C̃₂: −1; I₁: 1; I₂: 0; O: 0 + 1 = 1 (twice).
	seqNear(t, tr, "He1.z", []float64{1}, []float64{1}, []float64{1}, []float64{-1},
		[]float64{1}, []float64{0}, []float64{1}, []float64{1})
	// σ for F, I, O and tanh for C̃: σ(1) ≈ 0.731, tanh(±1) ≈ ±0.762, σ(0) = 0.5.
	seqNear(t, tr, "He1.g", []float64{s1}, []float64{s1}, []float64{th}, []float64{-th},
		[]float64{s1}, []float64{0.5}, []float64{s1}, []float64{s1})
	// C₁ = C₀ ⊙ F + C̃ ⊙ I = (0·0.731 + 0.762·0.731, 0·0.731 + (−0.762)·0.5)
	//    ≈ (0.557, −0.381).
	c1 := []float64{th * s1, -th * 0.5}
	seqNear(t, tr, "Ce1", []float64{c1[0]}, []float64{c1[1]})
	// H₁ = tanh(C₁) ⊙ O ≈ (0.506·0.731, −0.363·0.731) ≈ (0.370, −0.266).
	seqNear(t, tr, "He1", []float64{math.Tanh(c1[0]) * s1}, []float64{math.Tanh(c1[1]) * s1})
	if e, _ := tr.Explain("Ce1", 1, 0); e.Formula != "0·0.731 + (−0.762)·0.5 = −0.381" {
		t.Errorf("explanation of C₁[2,1]: %q", e.Formula)
	}
	// The code, and the decoder's outputs, in full precision.
	seqNear(t, tr, "He2", []float64{0.09297416097393442}, []float64{0.12951164256173525})
	seqNear(t, tr, "Hd1", []float64{0.013966397566143932}, []float64{-0.014209460176406546})
	seqNear(t, tr, "Hd2", []float64{-0.14104092164695775}, []float64{0.11161657622587616})
	// Decoder step 1 starts from the code: S′₁ = [⟨go⟩ ; H₂] = (1, 1, H₂).
	seqNear(t, tr, "Hd1.s", []float64{1}, []float64{1}, []float64{0.09297416097393442}, []float64{0.12951164256173525})
	// Teacher forcing: decoder step 2 reads T's first column.
	seqNear(t, tr, "Hd2.s", []float64{0}, []float64{0.5}, []float64{0.013966397566143932}, []float64{-0.014209460176406546})
	if l := TotalLoss(tr); math.Abs(l-0.6879981525102548) > 1e-9 {
		t.Errorf("loss = %.12g, want 0.688", l)
	}
	// C′₂ reaches nothing, so decoder step 2's cell gradient comes from H′₂
	// alone: ∂L/∂C′₂ = ∂L/∂H′₂ ⊙ O ⊙ (1 − tanh² C′₂).
	dH := tr.Matrix("dHd2")
	g, c := tr.Matrix("Hd2.g"), tr.Matrix("Cd2")
	want := make([][]float64, 2)
	for i := range want {
		tc := math.Tanh(c.At(i, 0))
		want[i] = []float64{dH.At(i, 0) * g.At(6+i, 0) * (1 - tc*tc)}
	}
	seqNear(t, tr, "dHd2.c", want...)
	// The gradient reaches the encoder only through the code.
	if tr.Matrix("dHe2") == nil {
		t.Fatal("no gradient reaches the code H₂")
	}
	for _, id := range []string{"We.grad", "Wd.grad"} {
		if tr.Step(id) == nil {
			t.Errorf("no step %s", id)
		}
	}
}
