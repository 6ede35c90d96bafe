package engine

import (
	"strings"

	"gonum.org/v1/gonum/mat"
)

// VAE is the walkthrough of section 3 of the spec: an encoder
// Linear(4,3)+ReLU feeds two heads, μ = Linear(3,2) and σ = Linear(3,2)
// (σ predicted directly); a code is drawn as z = μ + σ ⊙ ε with ε ~ N(0,1);
// a decoder Linear(2,3)+ReLU, Linear(3,4) rebuilds the sample from z. The
// loss is L = ½ Σ (Y − X)² + Σ ½(μ² + σ² − 1 − ln σ²).
type VAE struct{}

func init() { Register(VAE{}) }

var (
	samples4 = []string{"X₁", "X₂", "X₃", "X₄"}
	tile2x2  = &Picture{Height: 2, Width: 2, PerColumn: true, Lo: 0, Hi: 2}
)

// Info presents the variational autoencoder on the home page.
func (VAE) Info() Info {
	return Info{Slug: "vae", Title: "vae.name", Blurb: "vae.blurb", Order: 61, Group: "generative", LearningRate: 0.01,
		Icon: [][]float64{{1, 0, 1}, {0, 0.5, 0}, {1, 0, 1}}}
}

// vaeSeed draws the default ε: a seed whose six draws are all tenths, four
// of them halves or ones, so that σ ⊙ ε stays easy by hand.
const vaeSeed = 371751059

var vaeSamples = []string{"X₁", "X₂", "X₃"}

// Exercise returns the default exercise: small integers everywhere but ε,
// chosen so that every σ is 1 or 2 (1/σ is 1 or ½) and each ReLU strikes
// out at least one negative.
func (VAE) Exercise() *State {
	return &State{Seed: vaeSeed, Vars: []*Var{
		{ID: "X", Name: "X", Role: RoleInput, Hue: HuePixel, ColLabels: vaeSamples, Picture: tile2x2,
			Data: dense(
				[]float64{1, 0, 1},
				[]float64{0, 1, 1},
				[]float64{1, 1, 0},
				[]float64{0, 1, 1})},
		{ID: "W1", Name: "W₁ | b₁", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, -1, 0, 1, 1},
				[]float64{0, -1, 0, 1, 1},
				[]float64{1, 0, -1, 1, -1})},
		{ID: "Wmu", Name: "Wμ | bμ", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, -1, -1},
				[]float64{-1, 1, 0, 1})},
		{ID: "Wsig", Name: "Wσ | bσ", Role: RoleParameter, Hue: HueText, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{0, 0, 1, 1},
				[]float64{1, -1, -1, 1})},
		{ID: "eps", Name: "ε", Role: RoleNoise, Hue: HueNoise, ColLabels: vaeSamples,
			Data: Gaussian(vaeSeed, 2, 3)},
		{ID: "W2", Name: "W₂ | b₂", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 0},
				[]float64{0, 1, 0},
				[]float64{-1, 1, 0})},
		{ID: "W3", Name: "W₃ | b₃", Role: RoleParameter, Hue: HuePixel, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 0, 0},
				[]float64{0, 1, -1, 0},
				[]float64{0, 0, 1, 0},
				[]float64{0, 1, 0, -1})},
	}}
}

// Resample draws a new ε from seed and records the seed.
func (VAE) Resample(st *State, seed uint64) {
	st.Seed = seed
	eps := st.Var("eps")
	r, c := eps.Data.Dims()
	eps.Data.Copy(Gaussian(seed, r, c))
}

// Run works the variational autoencoder through, forward then backward.
func (VAE) Run(st *State, mode Mode) *Trace {
	t := NewTrace("vae", mode)

	// 1. Three samples; the targets are a copy of them.
	x := st.M("X")
	t.Given("given", x)
	target := t.Copied("target", x, Out{ID: "Yt", Name: "Y′", Role: RoleTarget, Hue: HuePixel, Picture: tile2x2})

	// 2. Encoder layer 1 + ReLU.
	w1, wmu, wsig, w2, w3 := st.M("W1"), st.M("Wmu"), st.M("Wsig"), st.M("W2"), st.M("W3")
	h := t.Linear("enc1", w1, x, Out{ID: "H", Name: "H", Hue: HueImage}, true)

	// 3. Two heads on the same feature: the mean and the standard deviation.
	mu := t.Linear("mu", wmu, h, Out{ID: "mu", Name: "μ", Hue: HueImage}, false)
	sigma := t.Linear("sigma", wsig, h, Out{ID: "sigma", Name: "σ", Hue: HueText}, false)

	// 4. Reparameterization: a random offset ε, scaled by σ.
	eps := st.M("eps")
	t.Given("eps", eps)
	se := t.Hadamard("scale", sigma, eps, Out{ID: "se", Name: "σ⊙ε", Hue: HueText})

	// 5. z = μ + σ ⊙ ε, the decoder's input.
	z := t.Elementwise("z", mu, "+", se, Out{ID: "z", Name: "z", Hue: HueImage},
		func(a, b float64) float64 { return a + b })

	// 6–7. The decoder rebuilds the sample from z.
	h2 := t.Linear("dec1", w2, z, Out{ID: "H2", Name: "H₂", Hue: HueImage}, true)
	y := t.Linear("dec2", w3, h2, Out{ID: "Y", Name: "Y", Hue: HuePixel, Picture: tile2x2}, false)

	// 8. KL gradient w.r.t. μ: μ itself, pulling μ towards 0.
	klMu := t.Copied("kl.mu", mu, Out{ID: "dKLmu", Name: "∂KL/∂μ", Role: RoleGradient, Hue: HueGradient})

	// 9–10. KL gradient w.r.t. σ: first 1/σ, then σ − 1/σ, pulling σ towards 1.
	inv := t.Reciprocal("kl.inv", sigma, Out{ID: "invsigma", Name: "1/σ", Hue: HueText})
	klSig := t.Elementwise("kl.sigma", sigma, "−", inv,
		Out{ID: "dKLsigma", Name: "∂KL/∂σ", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a - b })

	// 11. Reconstruction gradient: from ½ Σ (Y − Y′)², ∂L/∂Y = Y − Y′.
	dy := t.Elementwise("recon", y, "−", target, Out{ID: "dY", Name: "∂L/∂Y", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a - b })

	// The two losses, stated with their numbers.
	recon, _ := HalfSquaredError(y.Data, target.Data)
	kl := KLDivergence(mu.Data, sigma.Data)
	t.Losses = []Loss{{Name: "vae.loss.recon", Value: recon}, {Name: "vae.loss.kl", Value: kl}}
	vaeLossStep(t, dy, mu, sigma, recon, kl)

	// 12. Backpropagate both losses: the decoder first, down to ∂L/∂z…
	dw3, dh2 := t.LinearGrad("dec2", w3, h2, dy, true)
	dh2pre := t.ReLUGrad("dec1.relu", h2, dh2, Out{ID: "dH2pre", Name: "∂L/∂(W₂·z+b₂)"})
	dw2, dz := t.LinearGrad("dec1", w2, z, dh2pre, true)

	// …then through z = μ + σ ⊙ ε (∂z/∂μ = 1, ∂z/∂σ = ε), adding the KL terms.
	dmu := t.Elementwise("dmu", dz, "+", klMu, Out{ID: "dmu", Name: "∂L/∂μ", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a + b })
	dze := t.Hadamard("dz.eps", dz, eps, Out{ID: "dzeps", Name: "∂L/∂z⊙ε", Role: RoleGradient, Hue: HueGradient})
	dsig := t.Elementwise("dsigma", dze, "+", klSig, Out{ID: "dsigma", Name: "∂L/∂σ", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a + b })

	// …into both heads, whose input gradients add up on the shared feature H…
	dwmu, _ := t.LinearGrad("mu", wmu, h, dmu, false)
	dhmu := t.LinearInputGrad("mu.dx", wmu, dmu, "Wmuᵀ", false, Out{ID: "dHmu", Name: "∂L/∂H (μ)"})
	dwsig, _ := t.LinearGrad("sigma", wsig, h, dsig, false)
	dhsig := t.LinearInputGrad("sigma.dx", wsig, dsig, "Wsigᵀ", false, Out{ID: "dHsig", Name: "∂L/∂H (σ)"})
	dhh := t.Elementwise("enc1.dh", dhmu, "+", dhsig, Out{ID: "dH", Name: "∂L/∂H", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a + b })

	// …and through the encoder's ReLU into its weights.
	dhpre := t.ReLUGrad("enc1.relu", h, dhh, Out{ID: "dHpre", Name: "∂L/∂(W₁·X+b₁)"})
	dw1, _ := t.LinearGrad("enc1", w1, x, dhpre, false)

	t.Phases = [][]Gradient{{
		{Param: "W1", Grad: dw1.Data}, {Param: "Wmu", Grad: dwmu.Data}, {Param: "Wsig", Grad: dwsig.Data},
		{Param: "W2", Grad: dw2.Data}, {Param: "W3", Grad: dw3.Data},
	}}
	return t
}

// vaeLossStep adds the step that states both losses: the reconstruction
// loss ½ Σ (Y − Y′)² from the differences, and the KL loss
// Σ ½(μ² + σ² − 1 − ln σ²), undefined when a σ is ≤ 0.
func vaeLossStep(t *Trace, dy, mu, sigma *Matrix, recon, kl float64) {
	var rf strings.Builder
	var rsrc []CellRef
	rows, cols := dy.Dims()
	rf.WriteString("½·(")
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if i+j > 0 {
				rf.WriteString(" + ")
			}
			rf.WriteString(paren(dy.At(i, j)) + "²")
			rsrc = append(rsrc, CellRef{dy.ID, i, j})
		}
	}
	rf.WriteString(") = " + result(recon))

	var kf strings.Builder
	var ksrc []CellRef
	rows, cols = mu.Dims()
	kf.WriteString("½·(")
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if i+j > 0 {
				kf.WriteString(" + ")
			}
			m, s := paren(mu.At(i, j)), paren(sigma.At(i, j))
			kf.WriteString(m + "² + " + s + "² − 1 − ln " + s + "²")
			ksrc = append(ksrc, CellRef{mu.ID, i, j}, CellRef{sigma.ID, i, j})
		}
	}
	kf.WriteString(") = " + result(kl))

	// Plain text has no subscript c or capitals, so the two losses are
	// labelled with raised letters, as papers often write L^rec and L^KL.
	lr := Computed(Out{ID: "Lrecon", Name: "Lʳᵉᶜ", Hue: HuePixel}, mat.NewDense(1, 1, []float64{recon}),
		func(int, int) Explanation { return Explanation{Formula: rf.String(), Sources: rsrc} })
	lk := Computed(Out{ID: "Lkl", Name: "Lᴷᴸ", Hue: HueText}, mat.NewDense(1, 1, []float64{kl}),
		func(int, int) Explanation { return Explanation{Formula: kf.String(), Sources: ksrc} })
	s := t.NewStep("loss")
	s.Matrices = []*Matrix{lr, lk}
	s.Reads = []string{dy.ID, mu.ID, sigma.ID}
	sq := func(x string) string { return msup(mi(x), mn("2")) }
	s.Formula = mrow(
		msup(mi("L"), mi("rec")), mo("="), mn("½"), mo("Σ"), msup(mrow(mo("("), mi("Y"), mo("−"), mi("Y′"), mo(")")), mn("2")), mo(","),
		msup(mi("L"), mi("KL")), mo("="), mo("Σ"), mn("½"), mo("("), sq("μ"), mo("+"), sq("σ"), mo("−"), mn("1"), mo("−"), mi("ln"), sq("σ"), mo(")"))
	if sigmaUndefined(sigma.Data) {
		s.Undefined = "undefined.sigma"
	}
	t.Add(s)
}
