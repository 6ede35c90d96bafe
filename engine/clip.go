package engine

import (
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// CLIP is the walkthrough of section 1 of the spec: contrastive
// pre-training on a mini-batch of three text–image pairs. Each text is two
// words looked up in a word table, each image two patches of four pixels;
// a text encoder Linear(3→3)+ReLU and an image encoder Linear(4→4)+ReLU
// encode every word and patch, mean pooling makes one vector per text and
// per image, and projections Linear(3→2) and Linear(4→2) bring both into a
// shared 2-D space. The similarity of image i and text j is their dot
// product times a temperature τ; a softmax along each row (image → text)
// and along each column (text → image) turns it into probabilities, and
// the loss asks for the identity: pair i belongs together.
type CLIP struct{}

func init() { Register(CLIP{}) }

// Info presents CLIP on the home page.
func (CLIP) Info() Info {
	return Info{Slug: "clip", Title: "clip.name", Blurb: "clip.blurb", Order: 80, Group: "frontier", LearningRate: 0.1,
		Icon: [][]float64{{2, 0, 0}, {0, 2, 0}, {0, 0, 2}}}
}

var (
	clipVocab = []string{"big", "table", "small", "chair"}
	// The three texts, two words each, as indices into the vocabulary:
	// "big table", "small chair", "small table".
	clipWords      = []int{0, 1, 2, 3, 2, 1}
	clipWordLabels = []string{"big", "table", "small", "chair", "small", "table"}
	clipTexts      = []string{"T₁", "T₂", "T₃"}
	clipImages     = []string{"I₁", "I₂", "I₃"}
	clipPatches    = []string{"I₁ ①", "I₁ ②", "I₂ ①", "I₂ ②", "I₃ ①", "I₃ ②"}
	clipPicture    = &Picture{Height: 2, Width: 4, Lo: 0, Hi: 2}
	clipTile       = &Picture{Height: 2, Width: 2, PerColumn: true, Lo: 0, Hi: 2}
)

// Exercise returns the default exercise. The numbers were searched for so
// that mean pooling never leaves a half, the embeddings are integers, and
// every similarity is between −1 and 2, so 3^x is at most 9 (or ⅓).
func (CLIP) Exercise() *State {
	return &State{Vars: []*Var{
		{ID: "E", Name: "E", Role: RoleInput, Hue: HueText, ColLabels: clipVocab,
			Data: dense(
				[]float64{0, 2, 2, 0},
				[]float64{2, 0, 1, 0},
				[]float64{1, 1, 1, 1})},
		// Three images of 2×4 pixels side by side; each is two 2×2 patches.
		{ID: "img", Name: "Iₚ", Role: RoleInput, Hue: HuePixel, Picture: clipPicture,
			Data: dense(
				[]float64{1, 1, 1, 1, 0, 1, 2, 1, 2, 0, 2, 2},
				[]float64{0, 1, 0, 1, 2, 2, 2, 2, 1, 1, 1, 0})},
		{ID: "Wt", Name: "Wₜ | bₜ", Role: RoleParameter, Hue: HueText, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{-1, -1, 1, 1},
				[]float64{1, 0, -1, 1},
				[]float64{0, 0, 0, 1})},
		{ID: "Wi", Name: "Wᵢ | bᵢ", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, -1, -1, 0, 1},
				[]float64{1, -1, 0, 0, 1},
				[]float64{-1, -1, 0, 1, 1},
				[]float64{-1, 1, 0, 1, 0})},
		{ID: "Pt", Name: "Pₜ | cₜ", Role: RoleParameter, Hue: HueText, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{0, -1, 1, 1},
				[]float64{-1, 0, 0, 1})},
		{ID: "Pi", Name: "Pᵢ | cᵢ", Role: RoleParameter, Hue: HueImage, Trainable: true, BiasColumn: true,
			Data: dense(
				[]float64{1, 0, 1, 1, -1},
				[]float64{1, 0, -1, 0, 0})},
		{ID: "tau", Name: "τ", Role: RoleInput, Hue: HueSimilarity, Data: dense([]float64{1})},
	}}
}

// clipBase is the softmax's base: 3 on paper, e in exact mode.
func clipBase(mode Mode) float64 {
	if mode == Exact {
		return math.E
	}
	return 3
}

// Run works CLIP through: both encoders, pooling, projection, the
// similarity softmax both ways, the loss, and back into every parameter.
func (CLIP) Run(st *State, mode Mode) *Trace {
	t := NewTrace("clip", mode)
	base := clipBase(mode)
	table, img, tau := st.M("E"), st.M("img"), st.M("tau")
	t.Given("given", table, img, tau)

	// 1–4. Words → vectors, images → patches.
	xt := t.lookupStep("text.lookup", table, clipWords,
		Out{ID: "Xt", Name: "Xₜ", Hue: HueText, ColLabels: clipWordLabels})
	xi := t.patchStep("image.patches", img, 2, 2,
		Out{ID: "Xi", Name: "Xᵢ", Hue: HuePixel, ColLabels: clipPatches, Picture: clipTile})

	// 5. Encoders, every word and patch at once.
	wt, wi, pt, pi := st.M("Wt"), st.M("Wi"), st.M("Pt"), st.M("Pi")
	ht := t.Linear("text.encode", wt, xt, Out{ID: "Ht", Name: "Hₜ", Hue: HueText}, true)
	hi := t.Linear("image.encode", wi, xi, Out{ID: "Hi", Name: "Hᵢ", Hue: HueImage}, true)

	// 6. Mean pooling: two columns → one per text and per image.
	tp := t.poolStep("text.pool", ht, 2, Out{ID: "Tp", Name: "H̄ₜ", Hue: HueText, ColLabels: clipTexts})
	ip := t.poolStep("image.pool", hi, 2, Out{ID: "Ip", Name: "H̄ᵢ", Hue: HueImage, ColLabels: clipImages})

	// 7. Projection into the shared 2-D space.
	te := t.Linear("text.project", pt, tp, Out{ID: "Te", Name: "T", Hue: HuePixel}, false)
	ie := t.Linear("image.project", pi, ip, Out{ID: "Ie", Name: "I", Hue: HuePixel}, false)

	// 8–9. Similarity: rows images, columns texts; then the temperature
	// gives the logits Z = τ·S.
	iet := Transposed(ie, "Ieᵀ", "Iᵀ")
	sim := t.MatMul("similarity", iet, te, Out{ID: "S", Name: "S", Hue: HueSimilarity,
		RowLabels: clipImages, ColLabels: clipTexts})
	z := t.scalarStep("logits", tau, sim, Out{ID: "Z", Name: "Z", Hue: HueSimilarity})

	// 10–12. Softmax both ways. On paper: 3^Z as it is, the sums, divide.
	// Exactly: each row's (each column's) largest logit is subtracted first,
	// which leaves the probabilities as they are but keeps every power
	// between 0 and 1, so none overflows and no sum falls to 0.
	var sm clipSoftmax
	if mode == Hand {
		ex := t.powerStep("exp", z, base, Out{ID: "Ex", Name: "E", Hue: HueSimilarity})
		t.Step("exp").Note = "clip.note.base3"
		sm.sumRow = t.sumsStep("sums.row", ex, EachRow, Out{ID: "Sr", Name: "Σ→", Hue: HueSimilarity})
		sm.sumCol = t.sumsStep("sums.col", ex, EachColumn, Out{ID: "Sc", Name: "Σ↓", Hue: HueSimilarity})
		sm.prow = t.normalizeStep("prob.row", ex, sm.sumRow, EachRow, Out{ID: "Prow", Name: "P(I→T)", Hue: HueSimilarity})
		sm.pcol = t.normalizeStep("prob.col", ex, sm.sumCol, EachColumn, Out{ID: "Pcol", Name: "P(T→I)", Hue: HueSimilarity})
		sm.expRow, sm.expCol = z, z
	} else {
		_, dr := t.shiftStep("shift.row", z, EachRow,
			Out{ID: "Mr", Name: "max→", Hue: HueSimilarity}, Out{ID: "Dr", Name: "Z − max→", Hue: HueSimilarity})
		_, dc := t.shiftStep("shift.col", z, EachColumn,
			Out{ID: "Mc", Name: "max↓", Hue: HueSimilarity}, Out{ID: "Dc", Name: "Z − max↓", Hue: HueSimilarity})
		exr := t.powerStep("exp.row", dr, base, Out{ID: "Exr", Name: "E→", Hue: HueSimilarity})
		exc := t.powerStep("exp.col", dc, base, Out{ID: "Exc", Name: "E↓", Hue: HueSimilarity})
		sm.sumRow = t.sumsStep("sums.row", exr, EachRow, Out{ID: "Sr", Name: "Σ→", Hue: HueSimilarity})
		sm.sumCol = t.sumsStep("sums.col", exc, EachColumn, Out{ID: "Sc", Name: "Σ↓", Hue: HueSimilarity})
		sm.prow = t.normalizeStep("prob.row", exr, sm.sumRow, EachRow, Out{ID: "Prow", Name: "P(I→T)", Hue: HueSimilarity})
		sm.pcol = t.normalizeStep("prob.col", exc, sm.sumCol, EachColumn, Out{ID: "Pcol", Name: "P(T→I)", Hue: HueSimilarity})
		sm.expRow, sm.expCol = dr, dc
	}
	prow, pcol := sm.prow, sm.pcol

	// The loss: ℓᵢ = ½(−ln P(I→T)[i,i] − ln P(T→I)[i,i]), computed as a
	// log-softmax, −ln P = ln Σ base^z − z·ln(base), so that it is a number
	// even where a probability is too small to tell from 0.
	diag := []int{0, 1, 2}
	lr, _ := CrossEntropyForward(z.Data, diag, base, EachRow)
	lc, _ := CrossEntropyForward(z.Data, diag, base, EachColumn)
	loss := 0.0
	pair := mat.NewDense(1, 3, nil)
	for i := range diag {
		loss += 0.5 * (lr[i] + lc[i])
		pair.Set(0, i, 0.5*(lr[i]+lc[i]))
	}
	t.Losses = []Loss{{Name: "clip.loss", Value: loss}}
	lm := Computed(Out{ID: "Lpair", Name: "ℓ", Hue: HueSimilarity, ColLabels: clipTexts}, pair,
		func(_, j int) Explanation {
			row, rsrc := sm.negLog(base, EachRow, j)
			col, csrc := sm.negLog(base, EachColumn, j)
			if strings.HasPrefix(col, "−") {
				col = "− " + strings.TrimPrefix(col, "−")
			} else {
				col = "+ " + col
			}
			return Explanation{
				Formula: "½·(" + row + " " + col + ") = " + result(pair.At(0, j)),
				Sources: append(rsrc, csrc...),
			}
		})
	ls := t.NewStep("loss")
	ls.Matrices, ls.Ops, ls.Reads = []*Matrix{prow, pcol, lm}, []string{"", ",", "→"}, []string{prow.ID, pcol.ID}
	ls.Formula = mrow(msub(mi("ℓ"), mi("i")), mo("="), mn("½"), mo("("), mo("−"), mi("ln"), cell("P(I→T)", "ii"),
		mo("−"), mi("ln"), cell("P(T→I)", "ii"), mo(")"))
	t.Add(ls)

	// 13. Loss gradient: each direction's P − I, then their average.
	id3 := &Matrix{ID: "I3", Name: "𝟙", Role: RoleTarget, Hue: HueSimilarity,
		RowLabels: clipImages, ColLabels: clipTexts, Data: dense(
			[]float64{1, 0, 0}, []float64{0, 1, 0}, []float64{0, 0, 1})}
	grow := t.Elementwise("grad.row", prow, "−", id3, Out{ID: "Grow", Name: "P(I→T) − 𝟙", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a - b })
	t.Step("grad.row").Formula = clipCEGradFormula(grow.Name, "P(I→T)", mode)
	gcol := t.Elementwise("grad.col", pcol, "−", id3, Out{ID: "Gcol", Name: "P(T→I) − 𝟙", Role: RoleGradient, Hue: HueGradient},
		func(a, b float64) float64 { return a - b })
	t.Step("grad.col").Formula = clipCEGradFormula(gcol.Name, "P(T→I)", mode)
	dz := t.halfSumStep("grad", grow, gcol, Out{ID: "dZ", Name: "∂L/∂Z", Role: RoleGradient, Hue: HueGradient})
	ds := t.scalarStep("grad.sim", tau, dz, Out{ID: "dS", Name: "∂L/∂S", Role: RoleGradient, Hue: HueGradient})

	// S = Iᵀ·T, so ∂L/∂T = I·∂L/∂S and ∂L/∂I = T·∂L/∂Sᵀ.
	dte := t.MatMul("text.embed.grad", ie, ds, Out{ID: "dTe", Name: "∂L/∂T", Role: RoleGradient, Hue: HueGradient,
		ColLabels: clipTexts})
	dst := Transposed(ds, "dSᵀ", "(∂L/∂S)ᵀ")
	die := t.MatMul("image.embed.grad", te, dst, Out{ID: "dIe", Name: "∂L/∂I", Role: RoleGradient, Hue: HueGradient,
		ColLabels: clipImages})

	// 14. Back through the projections, the pooling, the ReLUs and the encoders.
	dpt, dtp := t.LinearGrad("text.project", pt, tp, dte, true)
	dht := t.poolGradStep("text.pool.grad", dtp, 2, Out{ID: "dHt", Name: "∂L/∂Hₜ", ColLabels: clipWordLabels})
	dhtPre := t.ReLUGrad("text.encode.relu", ht, dht, Out{ID: "dHtpre", Name: "∂L/∂(Wₜ·Xₜ+bₜ)"})
	dwt, _ := t.LinearGrad("text.encode", wt, xt, dhtPre, false)

	dpi, dip := t.LinearGrad("image.project", pi, ip, die, true)
	dhi := t.poolGradStep("image.pool.grad", dip, 2, Out{ID: "dHi", Name: "∂L/∂Hᵢ", ColLabels: clipPatches})
	dhiPre := t.ReLUGrad("image.encode.relu", hi, dhi, Out{ID: "dHipre", Name: "∂L/∂(Wᵢ·Xᵢ+bᵢ)"})
	dwi, _ := t.LinearGrad("image.encode", wi, xi, dhiPre, false)

	// On paper every gradient from P − 𝟙 on is the true gradient of the
	// base-3 loss divided by ln 3: each of those steps says so.
	if mode == Hand {
		t.GradientFactor = math.Log(3)
		for _, id := range []string{"grad.row", "grad.col", "grad"} {
			t.Step(id).Note = "clip.note.ln3"
		}
		after := false
		for _, s := range t.Steps {
			if after && s.Note == "" {
				s.Note = "clip.note.ln3.carried"
			}
			after = after || s.ID == "grad"
		}
	}

	t.Phases = [][]Gradient{{
		{Param: "Wt", Grad: dwt.Data}, {Param: "Wi", Grad: dwi.Data},
		{Param: "Pt", Grad: dpt.Data}, {Param: "Pi", Grad: dpi.Data},
	}}
	return t
}

// clipSoftmax is what the loss's explanation reads of a softmax worked
// both ways: the probabilities, the sums, and the exponents of the powers
// (Z on paper; exactly, Z less each line's largest).
type clipSoftmax struct {
	prow, pcol     *Matrix
	sumRow, sumCol *Matrix
	expRow, expCol *Matrix
}

// negLog writes −ln P[i,i] for the direction axis: as −ln p where p can be
// shown, and otherwise through the line's sum, −ln p = ln Σ − x·ln(base)
// with x the power's exponent (ln e = 1 left out), which is how the loss
// is computed.
func (sm clipSoftmax) negLog(base float64, axis Axis, i int) (string, []CellRef) {
	p, sums, x := sm.prow, sm.sumRow, sm.expRow
	si, sj := i, 0
	if axis == EachColumn {
		p, sums, x = sm.pcol, sm.sumCol, sm.expCol
		si, sj = 0, i
	}
	if v := Format(p.At(i, i)); v != "0" && v != "" {
		return "−ln " + v, []CellRef{{p.ID, i, i}}
	}
	exp := paren(x.At(i, i))
	if base != math.E {
		exp += "·ln " + Format(base)
	}
	return "(ln " + paren(sums.At(si, sj)) + " − " + exp + ")",
		[]CellRef{{sums.ID, si, sj}, {x.ID, i, i}}
}

// clipCEGradFormula says what P − 𝟙 is: the gradient of one direction's
// cross-entropy Σᵢ −ln Pᵢᵢ with respect to the logits Z, or on paper, with
// 3^Z in place of e^Z, that gradient divided by ln 3.
func clipCEGradFormula(name, p string, mode Mode) string {
	grad := []string{mfrac(mo("∂"), mrow(mo("∂"), mi("Z"))),
		mrow(munder(mo("Σ"), mi("i")), mo("("), mo("−"), mi("ln"), cell(p, "ii"), mo(")"))}
	if mode == Hand {
		grad = append([]string{mfrac(mn("1"), mrow(mi("ln"), mn("3"))), mo("·")}, grad...)
	}
	return mrow(append([]string{mi(name), mo("=")}, grad...)...)
}
