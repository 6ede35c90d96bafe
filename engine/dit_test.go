package engine

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ditModel is the diffusion transformer, read from walkthroughs/dit.toml.
func ditModel(t testing.TB) Model {
	t.Helper()
	m := Lookup("dit")
	if m == nil {
		t.Fatalf("no walkthrough dit: %v", builtinProblems["walkthroughs/dit.toml"])
	}
	return m
}

func ditExpect(t *testing.T, tr *Trace, want map[string]*mat.Dense, tol float64) {
	t.Helper()
	for id, w := range want {
		got := tr.Matrix(id)
		if got == nil {
			t.Fatalf("no matrix %s", id)
		}
		if !mat.EqualApprox(got.Data, w, tol) {
			t.Errorf("%s =\n%v\nwant\n%v", id, mat.Formatted(got.Data), mat.Formatted(w))
		}
	}
}

// The default exercise, worked by hand in hand mode (3^x, no √2).
//
// Video frames [2 1 1 1; 1 0 1 2] and [0 2 0 1; 2 0 1 1] give the patches
// (2×2 halves read row by row) [2 1 1 0], [1 1 1 2], [0 2 2 0], [0 1 1 1].
// Encoder row 1 ([−1 0 0 1 | 1]) on patch ①: −2 + 0 + 1 = −1 → 0; row 2
// ([2 1 1 0 | 1]) on ①: 4 + 1 + 1 + 1 = 7. So Z = [0 2 1 2; 7 5 5 3].
// σ₃ = 4 − 3 = 1, so Zₙ = Z + ε = [1 1 0 1; 6 5 5 4].
// Condition c = [0 1 −1 1 1]; Wₐ gives γ = [1+1, 0−1] = [2, −1] and
// β = [0 − 1 + 0 + 0 + 1 − 1, 1 + 1 + 1 + 1 + 1] = [−1, 5].
// H = [2·1 − 1 …; −6 + 5 …] = [1 1 −1 1; −1 0 0 1].
// Q = Wq·H = [1 1 −1 1; 2 1 −1 0], K = Wk·H = [0 1 −1 2; 1 0 0 −1].
// S = Kᵀ·Q = [2 1 −1 0; 1 1 −1 1; −1 −1 1 −1; 0 1 −1 2].
// 3^S by column: [9 3 ⅓ 1] sums to 40/3 → [27 9 1 3]/40; [3 3 ⅓ 3] → 28/3 →
// [9 9 1 9]/28; [⅓ ⅓ 3 ⅓] → 4 → [1 1 9 1]/12; [1 3 ⅓ 9] → [3 9 1 27]/40.
// Pooled H·A, column 1: [27 + 9 − 1 + 3, −27 + 3]/40 = [19/20, −3/5].
// ε̂ = [1 0 | −1; 0 1 | 0]·pooled: row 1 pooled − 1, row 2 pooled.
func TestDiTDefaultByHand(t *testing.T) {
	m := ditModel(t)
	tr := m.Run(m.Exercise(), Hand)
	third := 1.0 / 3
	pooled := dense([]float64{19.0 / 20, 13.0 / 14, -0.5, 19.0 / 20}, []float64{-0.6, 0, 0, 0.6})
	pred := dense([]float64{-1.0 / 20, -1.0 / 14, -1.5, -1.0 / 20}, []float64{-0.6, 0, 0, 0.6})
	diff := dense([]float64{-21.0 / 20, 13.0 / 14, -0.5, 19.0 / 20}, []float64{0.4, 0, 0, -0.4})
	var dpred mat.Dense
	dpred.Scale(2, diff)
	want := map[string]*mat.Dense{
		"Pch":   dense([]float64{2, 1, 0, 0}, []float64{1, 1, 2, 1}, []float64{1, 1, 2, 1}, []float64{0, 2, 0, 1}),
		"Zl":    dense([]float64{0, 2, 1, 2}, []float64{7, 5, 5, 3}),
		"En":    dense([]float64{1, -1, -1, -1}, []float64{-1, 0, 0, 1}),
		"N":     dense([]float64{1, 1, 0, 1}, []float64{6, 5, 5, 4}),
		"c":     dense([]float64{0}, []float64{1}, []float64{-1}, []float64{1}, []float64{1}),
		"ss":    dense([]float64{2}, []float64{-1}, []float64{-1}, []float64{5}),
		"gamma": dense([]float64{2}, []float64{-1}),
		"beta":  dense([]float64{-1}, []float64{5}),
		"H":     dense([]float64{1, 1, -1, 1}, []float64{-1, 0, 0, 1}),
		"Q":     dense([]float64{1, 1, -1, 1}, []float64{2, 1, -1, 0}),
		"K":     dense([]float64{0, 1, -1, 2}, []float64{1, 0, 0, -1}),
		"Sc": dense([]float64{2, 1, -1, 0}, []float64{1, 1, -1, 1},
			[]float64{-1, -1, 1, -1}, []float64{0, 1, -1, 2}),
		"A.e": dense([]float64{9, 3, third, 1}, []float64{3, 3, third, 3},
			[]float64{third, third, 3, third}, []float64{1, 3, third, 9}),
		"A.sum": dense([]float64{40.0 / 3, 28.0 / 3, 4, 40.0 / 3}),
		"A": dense(
			[]float64{27.0 / 40, 9.0 / 28, 1.0 / 12, 3.0 / 40},
			[]float64{9.0 / 40, 9.0 / 28, 1.0 / 12, 9.0 / 40},
			[]float64{1.0 / 40, 1.0 / 28, 9.0 / 12, 1.0 / 40},
			[]float64{3.0 / 40, 9.0 / 28, 1.0 / 12, 27.0 / 40}),
		"Pl":        pooled,
		"Pred":      pred,
		"diff.loss": diff,
		"dPred":     &dpred,
		// Zₙ − ε̂.
		"Zd": dense([]float64{21.0 / 20, 15.0 / 14, 1.5, 21.0 / 20}, []float64{6.6, 5, 5, 3.4}),
		// Decoder [1 0 | 0; 0 1 | −5; −1 0 | 1; 0 1 | −4] with ReLU: e.g. row 2,
		// patch ①: 6.6 − 5 = 1.6; row 3: −21/20 + 1 < 0 → 0.
		"Px": dense([]float64{21.0 / 20, 15.0 / 14, 1.5, 21.0 / 20}, []float64{1.6, 0, 0, 0},
			[]float64{0, 0, 0, 0}, []float64{2.6, 1, 1, 0}),
	}
	ditExpect(t, tr, want, 1e-12)
	// L = Σ (ε̂ − σ·ε)² = (21/20)² + (13/14)² + ¼ + (19/20)² + 0.16 + 0.16.
	wantLoss := 1.1025 + 169.0/196 + 0.25 + 0.9025 + 0.32
	if l := TotalLoss(tr); math.Abs(l-wantLoss) > 1e-12 {
		t.Errorf("loss = %v, want %v", l, wantLoss)
	}
	if tr.Matrix("Vout").At(0, 1) != tr.Matrix("Px").At(1, 0) {
		t.Errorf("unpatchify puts patch ① cell 2 in the wrong place")
	}
	for _, c := range []struct {
		id   string
		r, c int
		want string
	}{
		{"H", 1, 0, "(−1)·6 + 5 = −1"},
		{"A.e", 0, 0, "3² = 9"}, // a raised exponent, no longer "3^(2)": the arithmetic is the same
		{"A", 0, 2, "0.333 / 4 = 0.0833"},
		{"ss", 3, 0, "0·0 + 1·1 + (−1)·(−1) + 1·1 + 1·1 + 1 = 5"},
		{"Pch", 3, 1, "V[2,4] = 2"},
	} {
		if e, _ := tr.Explain(c.id, c.r, c.c); e.Formula != c.want {
			t.Errorf("%s[%d,%d] explains itself as %q, want %q", c.id, c.r, c.c, e.Formula, c.want)
		}
	}
	if tr.Step("attention").Note != "dit.attention.hand_note" || tr.Step("noise").Note != "dit.noise.note" ||
		tr.Step("loss.diff").Note != "dit.loss.diff.note" {
		t.Errorf("notes missing")
	}
	if tr.Matrix("A.s") != nil || tr.Step("attention.shift") != nil {
		t.Errorf("hand mode leaves out the √2 and the shift")
	}
}

// The feed-forward layer's gradient in the default exercise, by hand:
// ∂L/∂ε̂ = 2(ε̂ − σ·ε) with ε̂ − σ·ε = [−21/20 13/14 −½ 19/20; 0.4 0 0 −0.4],
// and ∂L/∂Wₚ = ∂L/∂ε̂·[H·A ; 1]ᵀ with H·A = [19/20 13/14 −½ 19/20; −0.6 0 0 0.6]:
// [1,1] = 2·(−399/400 + 169/196 + ¼ + 361/400) = 2·(169/196 + 31/200);
// [1,2] = 2·(−21/20·(−0.6) + 19/20·0.6) = 2·1.2 = 2.4;
// [1,3] = 2·(−21/20 + 13/14 − ½ + 19/20) = 2·(13/14 − 3/5) = 23/35;
// [2,1] = 2·(0.4·19/20 − 0.4·19/20) = 0; [2,2] = 2·(−0.24 − 0.24) = −0.96;
// [2,3] = 2·(0.4 − 0.4) = 0. (Wₚ comes after the softmax, so no ln 3
// reaches its gradient.)
func TestDiTDefaultGradientByHand(t *testing.T) {
	m := ditModel(t)
	tr := m.Run(m.Exercise(), Hand)
	var dwp *mat.Dense
	for _, g := range tr.Phases[0] {
		if g.Param == "Wp" {
			dwp = g.Grad
		}
	}
	if dwp == nil {
		t.Fatal("no gradient of Wp")
	}
	want := dense([]float64{2 * (169.0/196 + 31.0/200), 2.4, 23.0 / 35}, []float64{0, -0.96, 0})
	if !mat.EqualApprox(dwp, want, 1e-12) {
		t.Errorf("∂L/∂Wₚ =\n%v\nwant\n%v", mat.Formatted(dwp), mat.Formatted(want))
	}
}

// Exact mode: the scores divided by √2, then e^x down each column.
func TestDiTExactAttention(t *testing.T) {
	m := ditModel(t)
	tr := m.Run(m.Exercise(), Exact)
	s := dense([]float64{2, 1, -1, 0}, []float64{1, 1, -1, 1}, []float64{-1, -1, 1, -1}, []float64{0, 1, -1, 2})
	want := mat.NewDense(4, 4, nil)
	for j := 0; j < 4; j++ {
		sum := 0.0
		for i := 0; i < 4; i++ {
			sum += math.Exp(s.At(i, j) / math.Sqrt2)
		}
		for i := 0; i < 4; i++ {
			want.Set(i, j, math.Exp(s.At(i, j)/math.Sqrt2)/sum)
		}
	}
	ditExpect(t, tr, map[string]*mat.Dense{"Sc": s, "A": want}, 1e-12)
	if tr.Matrix("A.s") == nil || tr.Step("attention").Note != "dit.attention.exact_note" {
		t.Errorf("exact mode must show the division by √2 and say so")
	}
	// Each column's largest scaled score is subtracted first: column 4 of
	// S is [0 1 −1 2], so its maximum is 2/√2 and its powers end in e⁰ = 1.
	if got := tr.Matrix("A.max").At(0, 3); math.Abs(got-math.Sqrt2) > 1e-12 {
		t.Errorf("max of column 4 = %v, want √2", got)
	}
	if got := tr.Matrix("A.e").At(3, 3); got != 1 {
		t.Errorf("the largest cell's power = %v, want e⁰ = 1", got)
	}
	var ids []string
	for _, s := range tr.Steps[11:17] {
		ids = append(ids, s.ID)
	}
	if w := []string{"scores", "attention", "attention.shift", "attention.exp", "attention.sum", "attention.div"}; !reflect.DeepEqual(ids, w) {
		t.Errorf("exact softmax steps %v, want %v", ids, w)
	}
}

// Scores far too large for 3ˣ: on paper the powers overflow and the page
// says that exact mode computes them; exact mode, shifting each column by
// its largest score, computes every step.
func TestDiTLargeScores(t *testing.T) {
	m := ditModel(t)
	st := m.Exercise()
	for _, id := range []string{"Wq", "Wk"} {
		st.Get(id).Scale(40, st.Get(id))
	}
	hand := m.Run(st, Hand)
	if u := hand.Step("attention").Undefined; u != "undefined.overflow.hand" {
		t.Fatalf("hand mode: the powers' step undefined %q, want undefined.overflow.hand", u)
	}
	if ex := m.Run(st, Exact); !ex.Defined() {
		t.Fatalf("exact mode: undefined at %s", firstUndefined(ex))
	}
	if _, ok := Update(m, st, Exact, 1e-6); !ok {
		t.Fatal("exact mode refuses to train")
	}
}

// The forward steps in the order of the Go walkthrough; the backward pass
// is derived (its ids are the ops'), and the denoising steps, forward
// steps after the loss, come before it.
func TestDiTStepsInOrder(t *testing.T) {
	m := ditModel(t)
	tr := m.Run(m.Exercise(), Hand)
	var ids []string
	for _, s := range tr.Steps {
		ids = append(ids, s.ID)
	}
	want := []string{"given", "patchify", "encode", "noise", "noisy", "condition", "scaleshift",
		"scaleshift.split", "condition.apply", "query", "key", "scores", "attention", "attention.sum", "attention.div",
		"pool", "predict", "denoise", "decode", "unpatchify",
		"loss.diff", "loss.grad", "predict.dw", "predict.dx",
		"pool.da", "pool.db", "attention.dot", "attention.grad",
		"scores.da", "scores.db", "key.da", "key.db", "query.da", "query.db", "H.grad",
		"condition.apply.grad", "scaleshift.split.grad", "scaleshift.dw"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("steps %v\nwant %v", ids, want)
	}
}

// In hand mode the DiT shows the true gradient of its own (3^x) forward
// pass, ln 3 included, so finite differences agree in both modes.
func TestDiTHandGradientsMatchFiniteDifferences(t *testing.T) {
	m := ditModel(t)
	if !checkGradientsIn(t, m, m.Exercise(), Hand) {
		t.Fatal("the default exercise is undefined")
	}
	forDefined(t, m, Hand, 3, rand.New(rand.NewPCG(21, 22)), randomize, func(st *State) {
		checkGradientsIn(t, m, st, Hand)
	})
}

func TestDiTFrozenAndTrainable(t *testing.T) {
	m := ditModel(t)
	st := m.Exercise()
	for _, id := range []string{"We", "Wd"} {
		if v := st.Var(id); !v.Frozen || v.Trainable {
			t.Errorf("%s must be frozen", id)
		}
	}
	tr := m.Run(st, Hand)
	var got []string
	for _, g := range tr.Phases[0] {
		got = append(got, g.Param)
		if !st.Var(g.Param).Trainable {
			t.Errorf("%s is trained but not marked trainable", g.Param)
		}
	}
	if !reflect.DeepEqual(got, []string{"Wa", "Wq", "Wk", "Wp"}) {
		t.Errorf("trained parameters %v", got)
	}
}

// The DiT wants a small learning rate: its second latent row is −Zₙ + 5
// with Zₙ near 5, so the scale γ₂ moves H by five times its own change,
// and the exponentials of the attention sharpen that again. At 0.0005 the
// loss falls steadily (3.44 → 1.75 in 300 steps in hand mode); from about
// 0.001 it overshoots first.
func TestDiTTrainingLowersLoss(t *testing.T) {
	m := ditModel(t)
	if lr := m.Info().LearningRate; lr != 0.0005 {
		t.Fatalf("learning rate %v, want 0.0005", lr)
	}
	for _, mode := range []Mode{Hand, Exact} {
		st := m.Exercise()
		first := TotalLoss(m.Run(st, mode))
		prev := first
		for k := 0; k < 300; k++ {
			if _, ok := Update(m, st, mode, 0.0005); !ok {
				t.Fatalf("%s: update %d refused", mode, k)
			}
			l := TotalLoss(m.Run(st, mode))
			if l > prev+1e-9 {
				t.Fatalf("%s: step %d raised the loss from %v to %v", mode, k, prev, l)
			}
			prev = l
		}
		if !(prev < 0.7*first) {
			t.Errorf("%s: 300 steps took the loss from %v to %v", mode, first, prev)
		}
	}
}

func BenchmarkDiTRun(b *testing.B) {
	m := ditModel(b)
	st := m.Exercise()
	for b.Loop() {
		m.Run(st, Exact)
	}
}
