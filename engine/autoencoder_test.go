package engine

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The default exercise, worked by hand. Each product is a row of [W | b]
// times a column of [X ; 1]; for example H₁ before ReLU, row 1, sample X₁:
// 1·1 + 0·0 + 1·1 + (−1)·0 + 0 = 2, and row 2, sample X₁:
// 0·1 + 1·0 + (−1)·1 + 1·0 + (−1) = −2, which ReLU crosses out to 0.
// The other cells were worked the same way on paper, then checked here.
func TestAutoencoderDefaultByHand(t *testing.T) {
	m := Lookup("autoencoder")
	tr := m.Run(m.Exercise(), Hand)
	want := map[string]*mat.Dense{
		// Encoder layer 1: before ReLU [2 −1 0 2; −2 1 1 −1; 2 0 1 3].
		"H1": dense([]float64{2, 0, 0, 2}, []float64{0, 1, 1, 0}, []float64{2, 0, 1, 3}),
		// Bottleneck: before ReLU [3 −1 0 4; −2 1 0 −3].
		"Z": dense([]float64{3, 0, 0, 4}, []float64{0, 1, 0, 0}),
		// Decoder layer 1: before ReLU [3 0 0 4; −3 1 0 −4; 4 0 1 5].
		"H3": dense([]float64{3, 0, 0, 4}, []float64{0, 1, 0, 0}, []float64{4, 0, 1, 5}),
		"Y": dense([]float64{6, -1, 0, 8}, []float64{0, 1, 0, 0},
			[]float64{0, 1, 0, 0}, []float64{3, 0, 0, 4}),
		"diff.loss": dense([]float64{5, -1, -1, 6}, []float64{0, 0, -1, 0},
			[]float64{-1, 0, 0, -1}, []float64{3, -2, -1, 3}),
		"dY": dense([]float64{10, -2, -2, 12}, []float64{0, 0, -2, 0},
			[]float64{-2, 0, 0, -2}, []float64{6, -4, -2, 6}),
		// ∂L/∂[W₄ | b₄] = ∂L/∂Y · [H₃ ; 1]ᵀ; row 1, column 1:
		// 10·3 + (−2)·0 + (−2)·0 + 12·4 = 78.
		"dW4": dense([]float64{78, -2, 98, 18}, []float64{0, 0, -2, -2},
			[]float64{-14, 0, -18, -4}, []float64{42, -4, 52, 6}),
		// ∂L/∂H₃ = W₄ᵀ·∂L/∂Y; row 1, column 1: 1·10 + 0·0 + 1·(−2) + 0·6 = 8.
		"dH3": dense([]float64{8, -2, -2, 10}, []float64{6, -4, -4, 6}, []float64{18, -6, -4, 20}),
	}
	for id, w := range want {
		got := tr.Matrix(id)
		if got == nil {
			t.Fatalf("no matrix %s", id)
		}
		if !mat.Equal(got.Data, w) {
			t.Errorf("%s =\n%v\nwant\n%v", id, mat.Formatted(got.Data), mat.Formatted(w))
		}
	}
	// L = Σ (Y − Y′)² = 25+1+1+36 + 1 + 1+1 + 9+4+1+9 = 89.
	if l := TotalLoss(tr); l != 89 {
		t.Errorf("loss = %v, want 89", l)
	}
	if e, _ := tr.Explain("H1", 1, 0); e.Formula != "0·1 + 1·0 + (−1)·1 + 1·0 + (−1) = −2; ReLU → 0" {
		t.Errorf("explanation of H₁[2,1]: %q", e.Formula)
	}
	if got := tr.Matrix("H1").Before.At(1, 0); got != -2 {
		t.Errorf("H₁ before ReLU [2,1] = %v, want −2", got)
	}
}

func TestAutoencoderStepsInOrder(t *testing.T) {
	m := Lookup("autoencoder")
	tr := m.Run(m.Exercise(), Hand)
	var ids []string
	for _, s := range tr.Steps {
		ids = append(ids, s.ID)
	}
	want := []string{"given", "target", "enc1", "enc2", "dec1", "dec2", "loss.diff", "loss.grad",
		"dec2.dw", "dec2.dx", "dec1.relu", "dec1.dw", "dec1.dx", "enc2.relu", "enc2.dw", "enc2.dx",
		"enc1.relu", "enc1.dw"}
	if len(ids) != len(want) {
		t.Fatalf("steps %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("steps %v, want %v", ids, want)
		}
	}
}

func TestAutoencoderDownstreamOfW3(t *testing.T) {
	m := Lookup("autoencoder")
	tr := m.Run(m.Exercise(), Hand)
	down := tr.Downstream("W3")
	if len(down) == 0 || down[0] != "dec1" {
		t.Fatalf("downstream of W3 = %v, want it to start at dec1", down)
	}
	for _, id := range down {
		if id == "enc1" || id == "enc2" || id == "given" {
			t.Fatalf("downstream of W3 includes %s", id)
		}
	}
}

func TestAutoencoderTrainingLowersLoss(t *testing.T) {
	m := Lookup("autoencoder")
	st := m.Exercise()
	first := TotalLoss(m.Run(st, Exact))
	for i := 0; i < 200; i++ {
		if _, ok := Update(m, st, Exact, 0.002); !ok {
			t.Fatalf("update %d refused", i)
		}
	}
	last := TotalLoss(m.Run(st, Exact))
	if !(last < first/2) {
		t.Fatalf("loss went from %v to %v", first, last)
	}
}

func TestOverflowMakesStepsUndefinedAndWaiting(t *testing.T) {
	m := Lookup("autoencoder")
	st := m.Exercise()
	if err := st.Set("W3", 0, 0, 1e308); err != nil {
		t.Fatal(err)
	}
	tr := m.Run(st, Hand)
	if s := tr.Step("enc2"); s.Undefined != "" || s.WaitsOn != "" {
		t.Fatalf("enc2 should be defined: %+v", s)
	}
	if s := tr.Step("dec1"); s.Undefined != "undefined.overflow" {
		t.Fatalf("dec1 should overflow, got %q / %q", s.Undefined, s.WaitsOn)
	}
	if s := tr.Step("dec2"); s.WaitsOn != "dec1" {
		t.Fatalf("dec2 should wait on dec1, got %q", s.WaitsOn)
	}
	if tr.Defined() {
		t.Fatal("trace with an overflow reports defined")
	}
}

func TestSetRefusesBadValues(t *testing.T) {
	st := Lookup("autoencoder").Exercise()
	before := st.Clone()
	for _, v := range []float64{nan(), inf()} {
		if err := st.Set("W1", 0, 0, v); err == nil {
			t.Fatalf("Set accepted %v", v)
		}
	}
	if err := st.Set("W1", 9, 0, 1); err != ErrNoCell {
		t.Fatalf("Set outside the matrix: %v", err)
	}
	if err := st.Set("nope", 0, 0, 1); err != ErrNoCell {
		t.Fatalf("Set of unknown var: %v", err)
	}
	if !st.Equal(before) {
		t.Fatal("refused sets changed the state")
	}
}

func BenchmarkAutoencoderRun(b *testing.B) {
	m := Lookup("autoencoder")
	st := m.Exercise()
	b.ReportAllocs()
	for b.Loop() {
		m.Run(st, Exact)
	}
}

func BenchmarkAutoencoderUpdate(b *testing.B) {
	m := Lookup("autoencoder")
	st := m.Exercise()
	b.ReportAllocs()
	for b.Loop() {
		Update(m, st, Exact, 0.001)
	}
}

// A step that shows a transposed view reads the matrix it was made from.
func TestTransposedViewIsRead(t *testing.T) {
	tr := NewTrace("t", Hand)
	a := (&Var{ID: "A", Name: "A", Data: dense([]float64{1, 2}, []float64{3, 4})}).Matrix()
	tr.Given("given", a)
	at := Transposed(a, "Aᵀ", "Aᵀ")
	tr.MatMul("square", at, a, Out{ID: "P", Name: "P"})
	if got := tr.Downstream("A"); len(got) != 1 || got[0] != "square" {
		t.Fatalf("downstream of A = %v", got)
	}
	if e, _ := tr.Explain("P", 0, 0); e.Formula != "1·1 + 3·3 = 10" {
		t.Fatalf("P[1,1] explains itself as %q", e.Formula)
	}
}
