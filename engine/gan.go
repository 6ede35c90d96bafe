package engine

import (
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// GAN is the walkthrough of section 4 of the spec: a generator
// Linear(2,3), ReLU, Linear(3,4)+ReLU turns 2-value noise into 4-value fake
// data F; a discriminator Linear(4,3)+ReLU, Linear(3,1), sigmoid scores
// every column of [F | X] with the probability that it is real. Training
// has two phases: the discriminator learns to tell F (target 0) from X
// (target 1), then the generator, through the unchanged discriminator,
// learns to have its fakes scored as real (target 1). Both losses are
// binary cross-entropy summed over columns.
type GAN struct{}

func init() { Register(GAN{}) }

// Info presents the GAN on the home page.
func (GAN) Info() Info {
	return Info{Slug: "gan", Title: "gan.name", Blurb: "gan.blurb", Order: 62, Group: "generative", LearningRate: 0.01,
		Icon: [][]float64{{1, 1, 0}, {1, 0, 1}, {0, 1, 1}}}
}

var (
	ganNoise = []string{"N₁", "N₂", "N₃", "N₄"}
	ganFake  = []string{"F₁", "F₂", "F₃", "F₄"}
)

// Exercise returns the default exercise. Every real sample has three lit
// pixels and one dark one. The numbers are small integers: the generator's
// ReLU strikes out a −2 and a −1, every later ReLU has nothing to strike,
// and the discriminator's scores Z are 0, ±1 and ±2 (so that σ(Z) is ½
// or one of σ(1) ≈ 0.731, σ(2) ≈ 0.881 and their complements).
func (GAN) Exercise() *State {
	return &State{Vars: []*Var{
		{ID: "N", Name: "N", Role: RoleNoise, Hue: HueNoise, ColLabels: ganNoise,
			Data: dense(
				[]float64{2, 1, 1, 0},
				[]float64{2, 2, 1, -1})},
		{ID: "X", Name: "X", Role: RoleInput, Hue: HuePixel, ColLabels: samples4, Picture: tile2x2,
			Data: dense(
				[]float64{1, 0, 1, 1},
				[]float64{0, 1, 1, 1},
				[]float64{1, 1, 0, 1},
				[]float64{1, 1, 1, 0})},
		{ID: "G1", Name: "G₁ | b₁", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 1},
				[]float64{1, 1, -1},
				[]float64{0, 1, 0})},
		{ID: "G2", Name: "G₂ | b₂", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, -1, 0, 1},
				[]float64{1, 0, -1, 1},
				[]float64{1, -1, 1, 0},
				[]float64{0, 1, -1, 1})},
		{ID: "D1", Name: "D₁ | c₁", Role: RoleParameter, Hue: HueSimilarity, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, -1, 1, 1, 0},
				[]float64{1, 0, 0, 0, 1},
				[]float64{1, -1, 1, 0, 1})},
		{ID: "D2", Name: "D₂ | c₂", Role: RoleParameter, Hue: HueSimilarity, Trainable: true, BiasColumn: true,
			Data: dense([]float64{1, -1, 1, -2})},
	}}
}

// Run works the GAN through: the generator and the discriminator forward,
// then the discriminator's training step, then the generator's.
func (GAN) Run(st *State, mode Mode) *Trace {
	t := NewTrace("gan", mode)

	// 1. Four noise vectors and four real samples.
	n, x := st.M("N"), st.M("X")
	t.Given("given", n, x)

	// 2–4. The generator: Linear(2,3), its ReLU as a step of its own, then
	// Linear(3,4)+ReLU → the fake data F.
	g1, g2, d1, d2 := st.M("G1"), st.M("G2"), st.M("D1"), st.M("D2")
	a := t.Linear("gen1", g1, n, Out{ID: "A", Name: "A", Hue: HueImage}, false)
	h1 := t.Map("gen1.relu", a, "ReLU", Out{ID: "H1", Name: "H₁", Hue: HueImage}, func(v float64) float64 {
		if v < 0 {
			return 0
		}
		return v
	})
	h1.Before = a.Data // struck-through negatives, and the ReLU's gradient
	f := t.Linear("gen2", g2, h1, Out{ID: "F", Name: "F", Hue: HueImage, ColLabels: ganFake, Picture: tile2x2}, true)

	// 5. The discriminator reads the fakes and the real samples side by side.
	fx := t.SideBySide("concat", f, x, Out{ID: "FX", Name: "[F | X]", Hue: HuePixel, Picture: tile2x2})
	h2 := t.Linear("dis1", d1, fx, Out{ID: "H2", Name: "H₂", Hue: HueSimilarity}, true)

	// 6–7. One score per column, and its sigmoid: the probability of "real".
	z := t.Linear("dis2", d2, h2, Out{ID: "Z", Name: "Z", Hue: HueSimilarity}, false)
	y := t.Map("sigmoid", z, "σ", Out{ID: "Y", Name: "Y", Hue: HueSimilarity}, sigmoid)
	if mode == Hand {
		t.Step("sigmoid").Note = "gan.sigmoid.note"
	}

	// 8. Train the discriminator: fakes should score 0, real samples 1.
	// Sigmoid and binary cross-entropy together give ∂L/∂Z = Y − YD.
	_, cols := fx.Dims()
	yd := &Matrix{ID: "YD", Name: "YD", Role: RoleTarget, Hue: HueSimilarity, ColLabels: fx.ColLabels,
		Data: mat.NewDense(1, cols, []float64{0, 0, 0, 0, 1, 1, 1, 1})}
	dzd := t.Elementwise("d.grad", y, "−", yd, Out{ID: "dZd", Name: "∂Lᴰ/∂Z", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a - b })
	lossD, _ := BCEWithLogits(z.Data, yd.Data)
	ganLossStep(t, "d.loss", Out{ID: "LD", Name: "Lᴰ", Hue: HueSimilarity}, z, yd, 0, cols, lossD)

	// Backpropagate into the discriminator's weights only.
	dd2, dh2 := t.LinearGrad("d.dis2", d2, h2, dzd, true)
	dh2pre := t.ReLUGrad("d.dis1.relu", h2, dh2, Out{ID: "dH2pre", Name: "∂Lᴰ/∂(D₁·[F|X]+c₁)"})
	dd1, _ := t.LinearGrad("d.dis1", d1, fx, dh2pre, false)

	// 9. Train the generator, on the 4 fake columns only: the discriminator's
	// output for them is the first 4 columns already computed.
	nf := 4
	h2f := ColumnsOf(h2, 0, nf, Out{ID: "H2f", Name: "H₂ (F)"})
	yf := ColumnsOf(y, 0, nf, Out{ID: "Yf", Name: "Y (F)"})
	fs := t.NewStep("g.fake")
	fs.Matrices = []*Matrix{h2f, yf}
	fs.Reads = []string{h2.ID, y.ID}
	fs.Formula = mrow(mi(yf.Name), mo("="), mi("σ"), mo("("), mo("["), mi(d2.Name), mo("]"), mo("·"), mo("["), mi(h2f.Name), mo(";"), mn("1"), mo("]"), mo(")"))
	t.Add(fs)

	// The generator wants its fakes scored as real: ∂L/∂Z = Y − YG.
	yg := &Matrix{ID: "YG", Name: "YG", Role: RoleTarget, Hue: HueImage, ColLabels: ganFake,
		Data: mat.NewDense(1, nf, []float64{1, 1, 1, 1})}
	dzg := t.Elementwise("g.grad", yf, "−", yg, Out{ID: "dZg", Name: "∂Lᴳ/∂Z", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a - b })
	zf := z.Data.Slice(0, 1, 0, nf).(*mat.Dense)
	lossG, _ := BCEWithLogits(zf, yg.Data)
	ganLossStep(t, "g.loss", Out{ID: "LG", Name: "Lᴳ", Hue: HueImage}, z, yg, 0, nf, lossG)

	// Back through the discriminator, frozen for this phase: no gradient for
	// its weights, only for what it was given…
	dh2f := t.LinearInputGrad("g.dis2.dx", d2, dzg, "D2ᵀg", true, Out{ID: "dH2f", Name: "∂Lᴳ/∂H₂"})
	dh2fpre := t.ReLUGrad("g.dis1.relu", h2f, dh2f, Out{ID: "dH2fpre", Name: "∂Lᴳ/∂(D₁·F+c₁)"})
	df := t.LinearInputGrad("g.dis1.dx", d1, dh2fpre, "D1ᵀg", true, Out{ID: "dF", Name: "∂Lᴳ/∂F"})

	// …and on into the generator's weights.
	dfpre := t.ReLUGrad("g.gen2.relu", f, df, Out{ID: "dFpre", Name: "∂Lᴳ/∂(G₂·H₁+b₂)"})
	dg2, dh1 := t.LinearGrad("g.gen2", g2, h1, dfpre, true)
	da := t.ReLUGrad("g.gen1.relu", h1, dh1, Out{ID: "dA", Name: "∂Lᴳ/∂A"})
	dg1, _ := t.LinearGrad("g.gen1", g1, n, da, false)

	t.Losses = []Loss{{Name: "gan.loss.d", Value: lossD}, {Name: "gan.loss.g", Value: lossG}}
	t.Phases = [][]Gradient{
		{{Param: "D1", Grad: dd1.Data}, {Param: "D2", Grad: dd2.Data}},
		{{Param: "G1", Grad: dg1.Data}, {Param: "G2", Grad: dg2.Data}},
	}
	return t
}

// ganLossStep adds the step that states a binary cross-entropy over
// columns [from, to) of the scores Z against the targets: per column
// −[t·ln Y + (1 − t)·ln(1 − Y)] = ln(1 + e^Z) − t·Z, written for the
// targets 0 and 1 as ln(1 + e^Z) and ln(1 + e^−Z) (in a cell's
// explanation with raised exponents, e.g. ln(1 + e⁻¹)).
func ganLossStep(t *Trace, id string, out Out, z, target *Matrix, from, to int, loss float64) {
	var b strings.Builder
	src := make([]CellRef, 0, to-from)
	for j := from; j < to; j++ {
		if j > from {
			b.WriteString(" + ")
		}
		v, tv := z.At(0, j), target.At(0, j-from)
		switch tv {
		case 0:
			b.WriteString("ln(1 + " + power(math.E, v) + ")")
		case 1:
			b.WriteString("ln(1 + " + power(math.E, -v) + ")")
		default:
			b.WriteString("ln(1 + " + power(math.E, v) + ") − " + paren(tv) + "·" + paren(v))
		}
		src = append(src, CellRef{z.ID, 0, j}, CellRef{target.ID, 0, j - from})
	}
	b.WriteString(" = " + result(loss))
	t.LossValue(id, out, loss, b.String(), src, []string{z.ID, target.ID})
	// Lᴰ = Σⱼ [ln(1 + e^Zⱼ) − YDⱼ·Zⱼ]: how the number is computed.
	zj := msub(mi("Z"), mi("j"))
	t.Step(id).Formula = mrow(mi(out.Name), mo("="), munder(mo("Σ"), mi("j")), mo("["), mi("ln"), mo("("), mn("1"), mo("+"),
		msup(mi("e"), zj), mo(")"), mo("−"), msub(mi(target.Name), mi("j")), mo("·"), zj, mo("]"))
}
