package engine

// Autoencoder is the walkthrough of section 2 of the spec: an encoder
// Linear(4,3)+ReLU, Linear(3,2)+ReLU squeezes each 4-value sample into a
// 2-value code; a decoder Linear(2,3)+ReLU, Linear(3,4) rebuilds the
// sample from it; the loss is the squared error against the sample itself.
type Autoencoder struct{}

func init() { Register(Autoencoder{}) }

// Info presents the autoencoder on the home page.
func (Autoencoder) Info() Info {
	return Info{Slug: "autoencoder", Title: "ae.name", Blurb: "ae.blurb", Order: 2, LearningRate: 0.002,
		Icon: [][]float64{{1, 0, 1}, {0, 1, 0}, {1, 0, 1}}}
}

var (
	samples4 = []string{"X₁", "X₂", "X₃", "X₄"}
	tile2x2  = &Picture{Height: 2, Width: 2, PerColumn: true, Lo: 0, Hi: 2}
)

// Exercise returns the default exercise. Its numbers are small integers
// chosen so that every product is a handful of 0s, 1s and 2s, and every
// ReLU strikes out at least one negative.
func (Autoencoder) Exercise() *State {
	return &State{Vars: []*Var{
		{ID: "X", Name: "X", Role: RoleInput, Hue: HuePixel, ColLabels: samples4, Picture: tile2x2,
			Data: dense(
				[]float64{1, 0, 1, 2},
				[]float64{0, 1, 1, 0},
				[]float64{1, 1, 0, 1},
				[]float64{0, 2, 1, 1})},
		{ID: "W1", Name: "W₁ | b₁", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 1, -1, 0},
				[]float64{0, 1, -1, 1, -1},
				[]float64{1, -1, 0, 0, 1})},
		{ID: "W2", Name: "W₂ | b₂", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 1, -1},
				[]float64{0, 1, -1, 0})},
		{ID: "W3", Name: "W₃ | b₃", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 0},
				[]float64{-1, 1, 0},
				[]float64{1, -1, 1})},
		{ID: "W4", Name: "W₄ | b₄", Role: RoleParameter, Hue: HuePixel, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 1, -1},
				[]float64{0, 1, 0, 0},
				[]float64{1, 0, -1, 1},
				[]float64{0, 1, 1, -1})},
	}}
}

// Run works the autoencoder through, forward then backward.
func (Autoencoder) Run(st *State, mode Mode) *Trace {
	t := NewTrace("ae", mode)
	x := st.M("X")
	t.Given("given", x)

	// The target is the input itself: the network must rebuild it.
	target := t.Copied("target", x, Out{ID: "Yt", Name: "Y′", Role: RoleTarget, Hue: HuePixel, Picture: tile2x2})

	w1, w2, w3, w4 := st.M("W1"), st.M("W2"), st.M("W3"), st.M("W4")
	h1 := t.Linear("enc1", w1, x, Out{ID: "H1", Name: "H₁", Hue: HueImage}, true)
	code := t.Linear("enc2", w2, h1, Out{ID: "Z", Name: "Z", Hue: HueImage}, true)
	h3 := t.Linear("dec1", w3, code, Out{ID: "H3", Name: "H₃", Hue: HueImage}, true)
	y := t.Linear("dec2", w4, h3, Out{ID: "Y", Name: "Y", Hue: HuePixel, Picture: tile2x2}, false)

	// L = Σ (Y − Y′)², so ∂L/∂Y = 2·(Y − Y′): first the difference, then ×2.
	diff := t.Elementwise("diff", y, "−", target, Out{ID: "D", Name: "Y − Y′", Hue: HueGradient, Role: RoleGradient},
		func(a, b float64) float64 { return a - b })
	t.Step("diff").Formula = squaredSumFormula(diff.Name)
	dy := t.Scale("dY", 2, diff, Out{ID: "dY", Name: "∂L/∂Y", Hue: HueGradient, Role: RoleGradient})
	loss, _ := SquaredError(y.Data, target.Data)
	t.Losses = []Loss{{Name: "ae.loss", Value: loss}}

	dw4, dh3 := t.LinearGrad("dec2", w4, h3, dy, true)
	dh3pre := t.ReLUGrad("dec1.relu", h3, dh3, Out{ID: "dH3pre", Name: "∂L/∂(W₃·Z+b₃)"})
	dw3, dz := t.LinearGrad("dec1", w3, code, dh3pre, true)
	dzpre := t.ReLUGrad("enc2.relu", code, dz, Out{ID: "dZpre", Name: "∂L/∂(W₂·H₁+b₂)"})
	dw2, dh1 := t.LinearGrad("enc2", w2, h1, dzpre, true)
	dh1pre := t.ReLUGrad("enc1.relu", h1, dh1, Out{ID: "dH1pre", Name: "∂L/∂(W₁·X+b₁)"})
	dw1, _ := t.LinearGrad("enc1", w1, x, dh1pre, false)

	t.Phases = [][]Gradient{{
		{Param: "W1", Grad: dw1.Data}, {Param: "W2", Grad: dw2.Data},
		{Param: "W3", Grad: dw3.Data}, {Param: "W4", Grad: dw4.Data},
	}}
	return t
}
