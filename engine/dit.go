package engine

import (
	"math"
)

// DiT is the walkthrough of section 5 of the spec: the diffusion
// transformer behind Sora, one training step and one denoising step on a
// tiny video. Two frames of 2×4 pixels are cut into four space-time patches
// of 2×2×1; a frozen visual encoder Linear(4→2)+ReLU turns each into a
// 2-value latent; noise of a size set by the diffusion step t is added; the
// condition (the prompt's embedding and t in binary) sets a scale and a
// shift for each latent dimension; Query–Key self-attention pools the
// conditioned latents; a feed-forward layer predicts the noise. Training
// compares the prediction with the noise that was added; sampling
// subtracts it, and a frozen decoder turns the latents back into frames.
type DiT struct{}

func init() { Register(DiT{}) }

// Info presents the diffusion transformer on the home page.
func (DiT) Info() Info {
	return Info{Slug: "dit", Title: "dit.name", Blurb: "dit.blurb", Order: 81, Group: "frontier", LearningRate: 0.0005,
		Icon: [][]float64{{2, 1, 0, 1}, {1, 0, 1, 2}}}
}

// The noise schedule: the walkthrough counts T = 4 steps down, and at step
// t the noise has size σₜ = T − t, so the larger t, the smaller the noise
// (σ₁ = 3, σ₂ = 2, σ₃ = 1, and t = 4 would be clean). The exercise is at
// t = 3, whose binary code [1, 1] is part of the condition.
const (
	ditSteps = 4
	ditT     = 3
)

// ditNoiseSize is the size σₜ the noise is multiplied by at step t.
func ditNoiseSize(t int) float64 { return float64(ditSteps - t) }

var (
	ditPatches = []string{"①", "②", "③", "④"}
	ditVideo   = &Picture{Height: 2, Width: 4, Lo: 0, Hi: 2}
	ditTile    = &Picture{Height: 2, Width: 2, PerColumn: true, Lo: 0, Hi: 2}
)

// Exercise returns the default exercise. The noise is written by hand, as
// on the sheet (Resample draws fresh noise from a seed); the numbers were
// searched for so that the conditioned latents are −1, 0 or 1 and every
// attention score is between −1 and 2, so 3^x is at most 9.
func (DiT) Exercise() *State {
	return &State{Vars: []*Var{
		// Two frames of 2×4 pixels, side by side.
		{ID: "V", Name: "V", Role: RoleInput, Hue: HuePixel, Picture: ditVideo,
			Data: dense(
				[]float64{2, 1, 1, 1, 0, 2, 0, 1},
				[]float64{1, 0, 1, 2, 2, 0, 1, 1})},
		{ID: "We", Name: "Wₑ | bₑ", Role: RoleParameter, Hue: HueImage, Frozen: true, BiasColumn: true,
			Data: dense(
				[]float64{-1, 0, 0, 1, 1},
				[]float64{2, 1, 1, 0, 1})},
		{ID: "eps", Name: "ε", Role: RoleNoise, Hue: HueNoise, ColLabels: ditPatches,
			Data: dense(
				[]float64{1, -1, -1, -1},
				[]float64{-1, 0, 0, 1})},
		// "sora is sky" as a text embedding, and t = 3 in binary.
		{ID: "etext", Name: "eₜₑₓₜ", Role: RoleInput, Hue: HueText, Data: dense([]float64{0}, []float64{1}, []float64{-1})},
		{ID: "etime", Name: "eₜ", Role: RoleInput, Hue: HueText, Data: dense([]float64{1}, []float64{1})},
		{ID: "Wa", Name: "Wₐ | bₐ", Role: RoleParameter, Hue: HueText, Trainable: true, BiasColumn: true,
			RowLabels: []string{"γ₁", "γ₂", "β₁", "β₂"},
			Data: dense(
				[]float64{0, 1, 0, 1, 0, 0},
				[]float64{1, 0, 1, 0, 0, 0},
				[]float64{1, -1, 0, 0, 1, -1},
				[]float64{0, 1, -1, 1, 1, 1})},
		{ID: "Wq", Name: "Wq", Role: RoleParameter, Hue: HueImage, Trainable: true,
			Data: dense([]float64{1, 0}, []float64{1, -1})},
		{ID: "Wk", Name: "Wk", Role: RoleParameter, Hue: HueImage, Trainable: true,
			Data: dense([]float64{1, 1}, []float64{0, -1})},
		{ID: "Wp", Name: "Wₚ | bₚ", Role: RoleParameter, Hue: HueNoise, Trainable: true, BiasColumn: true,
			Data: dense([]float64{1, 0, -1}, []float64{0, 1, 0})},
		{ID: "Wd", Name: "Wᵈ | bᵈ", Role: RoleParameter, Hue: HuePixel, Frozen: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 0},
				[]float64{0, 1, -5},
				[]float64{-1, 0, 1},
				[]float64{0, 1, -4})},
	}}
}

// Resample draws fresh noise from seed: every cell of ε stays a cell the
// reader can edit afterwards.
func (DiT) Resample(st *State, seed uint64) {
	st.Seed = seed
	st.Var("eps").Data = Gaussian(seed, 2, 4)
}

// ditSoftmax returns the attention softmax's base and the factor its
// scores are multiplied by: e and 1/√2 (√ of the key size 2) exactly, 3
// and 1 on paper.
func ditSoftmax(mode Mode) (base, scale float64) {
	if mode == Exact {
		return math.E, 1 / math.Sqrt2
	}
	return 3, 1
}

// Run works the diffusion transformer through: forward, the loss and its
// gradient into every trainable parameter, then one denoising step.
func (DiT) Run(st *State, mode Mode) *Trace {
	t := NewTrace("dit", mode)
	v := st.M("V")
	t.Given("given", v, st.M("etext"), st.M("etime"))

	// 2–3. Video → space-time patches → latents (frozen encoder).
	p := t.patchStep("patchify", v, 2, 2, Out{ID: "Pch", Name: "X", Hue: HuePixel, ColLabels: ditPatches, Picture: ditTile})
	we := st.M("We")
	z := t.Linear("encode", we, p, Out{ID: "Zl", Name: "Z", Hue: HueImage}, true)

	// 4. Noise of size σₜ, added to the latents. The model must guess σₜ·ε.
	eps := st.M("eps")
	sigma := ditNoiseSize(ditT)
	noise := t.Scale("noise", sigma, eps, Out{ID: "En", Name: "σₜ·ε", Role: RoleNoise, Hue: HueNoise})
	t.Step("noise").Note = "dit.note.noise"
	n := t.Elementwise("noisy", z, "+", noise, Out{ID: "N", Name: "Zₙ", Hue: HueImage},
		func(a, b float64) float64 { return a + b })

	// 5–7. The condition sets a scale γ and a shift β per latent dimension.
	c := t.concatStep("condition", Out{ID: "c", Name: "c", Hue: HueText}, st.M("etext"), st.M("etime"))
	wa := st.M("Wa")
	ss := t.Linear("scaleshift", wa, c, Out{ID: "ss", Name: "[γ; β]", Hue: HueText,
		RowLabels: []string{"γ₁", "γ₂", "β₁", "β₂"}}, false)
	gb := t.rowsStep("scaleshift.split", ss, []Out{
		{ID: "gamma", Name: "γ", Hue: HueText, RowLabels: []string{"γ₁", "γ₂"}},
		{ID: "beta", Name: "β", Hue: HueText, RowLabels: []string{"β₁", "β₂"}},
	}, []int{2, 2})
	h := t.scaleShiftStep("condition.apply", gb[0], n, gb[1], Out{ID: "H", Name: "H", Hue: HueImage})

	// 8. Self-attention: Query, Key, scores Kᵀ·Q, softmax of each column.
	wq, wk := st.M("Wq"), st.M("Wk")
	q := t.MatMul("query", wq, h, Out{ID: "Q", Name: "Q", Hue: HueImage})
	k := t.MatMul("key", wk, h, Out{ID: "K", Name: "K", Hue: HueImage})
	kt := Transposed(k, "Kᵀ", "Kᵀ")
	s := t.MatMul("scores", kt, q, Out{ID: "Sc", Name: "S", Hue: HueSimilarity, RowLabels: ditPatches})
	// The softmax of each column. On paper: 3^S as it is. Exactly: the
	// scores divided by √2, less each column's largest, then e^x, so that
	// no power overflows and no column's sum falls to 0.
	base, scale := ditSoftmax(mode)
	var ex *Matrix
	if mode == Exact {
		scaled := t.Scale("scores.scaled", scale, s, Out{ID: "Ssc", Name: "S/√2", Hue: HueSimilarity, RowLabels: ditPatches})
		_, shifted := t.shiftStep("shift", scaled, EachColumn, Out{ID: "Ma", Name: "max↓", Hue: HueSimilarity},
			Out{ID: "Dsh", Name: "S/√2 − max↓", Hue: HueSimilarity})
		ex = t.powerStep("exp", shifted, base, Out{ID: "Ea", Name: "E", Hue: HueSimilarity})
		t.Step("exp").Note = "dit.note.softmax.exact"
	} else {
		ex = t.powerStep("exp", s, base, Out{ID: "Ea", Name: "E", Hue: HueSimilarity})
		t.Step("exp").Note = "dit.note.softmax.hand"
	}
	sums := t.sumsStep("sums", ex, EachColumn, Out{ID: "Sa", Name: "Σ↓", Hue: HueSimilarity})
	a := t.normalizeStep("attention", ex, sums, EachColumn, Out{ID: "A", Name: "A", Hue: HueSimilarity})

	// 9–10. Attention pooling (Value left out), then the feed-forward layer.
	pooled := t.MatMul("pool", h, a, Out{ID: "Pl", Name: "H·A", Hue: HueImage, ColLabels: ditPatches})
	wp := st.M("Wp")
	pred := t.Linear("predict", wp, pooled, Out{ID: "Pred", Name: "ε̂", Hue: HueNoise}, false)

	// 11. Train: L = Σ (ε̂ − σₜ·ε)², ∂L/∂ε̂ = 2(ε̂ − σₜ·ε).
	diff := t.Elementwise("loss.diff", pred, "−", noise, Out{ID: "D", Name: "ε̂ − σₜ·ε", Role: RoleGradient, Hue: HueGradient},
		func(x, y float64) float64 { return x - y })
	t.Step("loss.diff").Formula = squaredSumFormula(diff.Name)
	t.Step("loss.diff").Note = "dit.note.target"
	dpred := t.Scale("loss.grad", 2, diff, Out{ID: "dPred", Name: "∂L/∂ε̂", Role: RoleGradient, Hue: HueGradient})
	loss, _ := SquaredError(pred.Data, noise.Data)
	t.Losses = []Loss{{Name: "dit.loss", Value: loss}}

	dwp, dpooled := t.LinearGrad("predict", wp, pooled, dpred, true)
	// Pooled = H·A: ∂L/∂A = Hᵀ·∂L/∂Pooled, and H's first share ∂L/∂Pooled·Aᵀ.
	ht := Transposed(h, "Hᵀ", "Hᵀ")
	da := t.MatMul("pool.grad.attention", ht, dpooled, Out{ID: "dA", Name: "∂L/∂A", Role: RoleGradient, Hue: HueGradient,
		RowLabels: ditPatches})
	at := Transposed(a, "Aᵀ", "Aᵀ")
	dh1 := t.MatMul("pool.grad.h", dpooled, at, Out{ID: "dH1", Name: "∂L/∂H ①", Role: RoleGradient, Hue: HueGradient})
	// Back through the softmax of each column.
	dot := t.softmaxDotStep("attention.grad.dot", a, da, EachColumn, Out{ID: "dAdot", Name: "Σ↓ A⊙∂L/∂A"})
	kappaName := "ln 3" // 3^x: d/dx 3^x = ln 3·3^x
	if mode == Exact {
		kappaName = "1/√2" // e^(x/√2)
	}
	dsc := t.softmaxGradStep("attention.grad", a, da, dot, EachColumn, scale*math.Log(base), kappaName,
		Out{ID: "dSc", Name: "∂L/∂S", RowLabels: ditPatches})
	// S = Kᵀ·Q: ∂L/∂Q = K·∂L/∂S, ∂L/∂K = Q·∂L/∂Sᵀ.
	dq := t.MatMul("query.grad", k, dsc, Out{ID: "dQ", Name: "∂L/∂Q", Role: RoleGradient, Hue: HueGradient})
	dst := Transposed(dsc, "dScᵀ", "(∂L/∂S)ᵀ")
	dk := t.MatMul("key.grad", q, dst, Out{ID: "dK", Name: "∂L/∂K", Role: RoleGradient, Hue: HueGradient})
	// Q = Wq·H, K = Wk·H: into the weights, and H's second and third shares.
	hT := Transposed(h, "Hᵀq", "Hᵀ")
	dwq := t.MatMul("query.dw", dq, hT, Out{ID: "dWq", Name: "∂L/∂Wq", Role: RoleGradient, Hue: HueGradient})
	hT2 := Transposed(h, "Hᵀk", "Hᵀ")
	dwk := t.MatMul("key.dw", dk, hT2, Out{ID: "dWk", Name: "∂L/∂Wk", Role: RoleGradient, Hue: HueGradient})
	wqt := Transposed(wq, "Wqᵀ", "Wqᵀ")
	dh2 := t.MatMul("query.dx", wqt, dq, Out{ID: "dH2", Name: "∂L/∂H ②", Role: RoleGradient, Hue: HueGradient})
	wkt := Transposed(wk, "Wkᵀ", "Wkᵀ")
	dh3 := t.MatMul("key.dx", wkt, dk, Out{ID: "dH3", Name: "∂L/∂H ③", Role: RoleGradient, Hue: HueGradient})
	dh := t.sumStep("h.grad", Out{ID: "dH", Name: "∂L/∂H", Role: RoleGradient, Hue: HueGradient}, dh1, dh2, dh3)
	// H = γ ⊙ Zₙ + β: into γ and β, then into the condition's weights.
	dss := t.scaleShiftGradStep("condition.grad", n, dh, Out{ID: "dss", Name: "∂L/∂[γ; β]",
		RowLabels: []string{"γ₁", "γ₂", "β₁", "β₂"}})
	dwa, _ := t.LinearGrad("scaleshift", wa, c, dss, false)

	t.Phases = [][]Gradient{{
		{Param: "Wa", Grad: dwa.Data}, {Param: "Wq", Grad: dwq.Data},
		{Param: "Wk", Grad: dwk.Data}, {Param: "Wp", Grad: dwp.Data},
	}}

	// 12–14. Sample: subtract the predicted noise, decode, back to frames.
	zd := t.Elementwise("denoise", n, "−", pred, Out{ID: "Zd", Name: "Ẑ", Hue: HueImage},
		func(x, y float64) float64 { return x - y })
	px := t.Linear("decode", st.M("Wd"), zd, Out{ID: "Px", Name: "X̂", Hue: HuePixel, Picture: ditTile}, true)
	t.unpatchStep("unpatchify", px, 2, 2, 2, 8, Out{ID: "Vout", Name: "V̂", Hue: HuePixel, Picture: ditVideo})
	return t
}
