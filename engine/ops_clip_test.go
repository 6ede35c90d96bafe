package engine

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// clipParam, clipTarget and clipStep write the TOML of a check's variables
// and steps (see CheckOpGradients).
func clipParam(id string, rows ...string) string {
	return "[[var]]\nid = \"" + id + "\"\nrole = \"parameter\"\ntrain = true\ndata = [" + strings.Join(rows, ",") + "]\n"
}

func clipTarget(id string, rows ...string) string {
	return "[[var]]\nid = \"" + id + "\"\nrole = \"target\"\ndata = [" + strings.Join(rows, ",") + "]\n"
}

func clipStep(id, op, in, out, extra string) string {
	s := "[[step]]\nid = \"" + id + "\"\nop = \"" + op + "\"\nin = [" + in + "]\n"
	if out != "" {
		s += "out = " + out + "\n"
	}
	return s + extra + "title = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"
}

const clipSquared = "[[step]]\nid = \"loss\"\nop = \"squared_error\"\nin = [\"Y\", \"T\"]\nlabel = { en = \"l\", zh = \"l\" }\n" +
	"title = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"

// Every op of ops_clip.go against finite differences, in both modes, on 20
// random exercises each: lookup (a word used twice, one not at all),
// patchify (as CLIP uses it), mean_pool, scale_by (both the factor and the matrix
// trained) and the contrastive loss, alone, with another base on paper,
// and after a trained temperature.
func TestClipOpGradients(t *testing.T) {
	loss := func(id, in, extra string) string {
		return clipStep(id, "contrastive_loss", in, `["L", "Pr", "Pc"]`, extra+"label = { en = \"l\", zh = \"l\" }\n")
	}
	cases := map[string][2]string{
		"lookup": {clipParam("E", "[1, 2, 0, -1]", "[0, -1, 1, 2]", "[2, 0, 1, 1]") +
			clipTarget("T", "[1, 0, 0, 1, 0]", "[0, 1, 0, 0, 1]", "[1, 1, 0, 0, 0]"),
			clipStep("s", "lookup", `"E"`, `"Y"`, "words = [1, 2, 4, 4, 2]\n") + clipSquared},
		"patchify": {clipParam("A", "[1, 2, 0, -1]", "[0, -1, 1, 2]") +
			clipTarget("T", "[1, 0]", "[0, 1]", "[1, 1]", "[0, 0]"),
			clipStep("s", "patchify", `"A"`, `"Y"`, "height = 2\nwidth = 2\n") + clipSquared},
		"patchify 1x2": {clipParam("A", "[1, 2, 0, -1]", "[0, -1, 1, 2]") +
			clipTarget("T", "[1, 0, 1, 0]", "[0, 1, 0, 1]"),
			clipStep("s", "patchify", `"A"`, `"Y"`, "height = 1\nwidth = 2\n") + clipSquared},
		"mean_pool": {clipParam("A", "[1, 2, 0, -1, 2, 1]", "[0, -1, 1, 2, 1, 1]") +
			clipTarget("T", "[1, 0]", "[0, 1]"),
			clipStep("s", "mean_pool", `"A"`, `"Y"`, "group = 3\n") + clipSquared},
		"scale_by": {clipParam("k", "[1.5]") + clipParam("A", "[1, 2, 0]", "[0, -1, 1]") +
			clipTarget("T", "[1, 0, 0]", "[0, 1, 0]"),
			clipStep("s", "scale_by", `"k", "A"`, `"Y"`, "") + clipSquared},
		"contrastive_loss": {clipParam("A", "[1, 2, 0]", "[0, -1, 1]", "[2, 0, 1]"),
			loss("loss", `"A"`, "")},
		"contrastive_loss base 2": {clipParam("A", "[1, 2]", "[0, -1]"),
			loss("loss", `"A"`, "hand_base = 2\n")},
		"temperature and loss": {clipParam("k", "[0.5]") + clipParam("A", "[1, 2, 0]", "[0, -1, 1]", "[2, 0, 1]"),
			clipStep("s", "scale_by", `"k", "A"`, `"Z"`, "") + loss("loss", `"Z"`, "")},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { CheckOpGradients(t, c[0], c[1], 20) })
	}
}

// The ops' shape checks say what does not fit.
func TestClipOpShapes(t *testing.T) {
	for name, c := range map[string][3]string{
		"word out of range": {clipParam("E", "[1, 2]", "[0, 1]"), clipStep("s", "lookup", `"E"`, `"Y"`, "words = [1, 3]\n"), "word 2 is 3"},
		"patches do not tile": {clipParam("A", "[1, 2, 0]", "[0, 1, 1]"),
			clipStep("s", "patchify", `"A"`, `"Y"`, "height = 2\nwidth = 2\n"), "do not tile"},
		"group does not divide": {clipParam("A", "[1, 2, 0]"), clipStep("s", "mean_pool", `"A"`, `"Y"`, ""), "divides"},
		"factor not 1×1":        {clipParam("k", "[1, 2]") + clipParam("A", "[1, 2]"), clipStep("s", "scale_by", `"k", "A"`, `"Y"`, ""), "1×1"},
		"logits not square": {clipParam("A", "[1, 2, 0]", "[0, 1, 1]"),
			clipStep("s", "contrastive_loss", `"A"`, `["L", "Pr", "Pc"]`, "label = { en = \"l\", zh = \"l\" }\n"), "square"},
	} {
		src := strings.NewReplacer("%VARS%", c[0], "%STEPS%", c[1]).Replace(opCheckFile)
		_, probs := ReadWalkthrough(src)
		if probs == nil || !strings.Contains(probs.Error(), c[2]) {
			t.Errorf("%s: problems %v, want one saying %q", name, probs, c[2])
		}
	}
}

// The contrastive loss on a 2×2 exercise, by hand. Z = [1 0; 0 1]: each row
// and each column is [1, 0] in some order, so on paper every probability of
// the diagonal is 3/(3 + 1) = 0.75 and every other 0.25, both ways. The
// loss is ½(−ln 0.75 − ln 0.75) per pair, twice: −2·ln 0.75. The gradient
// along the rows is ln 3·(P − 𝟙) = ln 3·[−0.25 0.25; 0.25 −0.25], and the
// same down the columns, so ∂L/∂Z = ln 3·[−0.25 0.25; 0.25 −0.25].
// Exactly, the diagonal is e/(e + 1) and ∂L/∂Z[1,1] = e/(e + 1) − 1.
func TestClipContrastiveLossByHand(t *testing.T) {
	src := strings.NewReplacer("%VARS%", clipParam("A", "[1, 0]", "[0, 1]"),
		"%STEPS%", clipStep("loss", "contrastive_loss", `"A"`, `["L", "Pr", "Pc"]`, "label = { en = \"l\", zh = \"l\" }\n")).Replace(opCheckFile)
	m, probs := LoadWalkthrough(src)
	if probs != nil {
		t.Fatal(probs)
	}
	tr := m.Run(m.Exercise(), Hand)
	ln3 := math.Log(3)
	expectMatrices(t, tr, map[string]*mat.Dense{
		"Pr": dense([]float64{0.75, 0.25}, []float64{0.25, 0.75}),
		"Pc": dense([]float64{0.75, 0.25}, []float64{0.25, 0.75}),
		"dA": dense([]float64{-0.25 * ln3, 0.25 * ln3}, []float64{0.25 * ln3, -0.25 * ln3}),
	}, 1e-15)
	if l, want := TotalLoss(tr), -2*math.Log(0.75); math.Abs(l-want) > 1e-15 {
		t.Errorf("loss %v, want −2·ln 0.75 = %v", l, want)
	}
	ex := m.Run(m.Exercise(), Exact)
	if got, want := ex.Matrix("dA").At(0, 0), math.E/(math.E+1)-1; math.Abs(got-want) > 1e-15 {
		t.Errorf("exact ∂L/∂Z[1,1] = %v, want e/(e + 1) − 1 = %v", got, want)
	}
}
