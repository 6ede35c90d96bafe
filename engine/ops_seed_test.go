package engine

import (
	"math"
	"strings"
	"testing"
)

// The KL loss's derived gradients, compared with finite differences: on
// its own (σ a parameter, so that the exercises with a σ ≤ 0 are drawn
// and skipped), and with σ = eᴮ always positive and μ read by a second
// loss too, so that its gradient is the sum of two shares.
func TestSeedOpGradients(t *testing.T) {
	param := func(id string, rows ...string) string {
		return "[[var]]\nid = \"" + id + "\"\nrole = \"parameter\"\ntrain = true\ndata = [" + strings.Join(rows, ",") + "]\n"
	}
	target := func(id string, rows ...string) string {
		return "[[var]]\nid = \"" + id + "\"\nrole = \"target\"\ndata = [" + strings.Join(rows, ",") + "]\n"
	}
	texts := "title = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"
	kl := func(mu, sigma string) string {
		return "[[step]]\nid = \"kl\"\nop = \"kl_normal\"\nin = [\"" + mu + "\", \"" + sigma + "\"]\nout = \"L\"\n" +
			"label = { en = \"l\", zh = \"l\" }\n" + texts
	}
	cases := map[string][2]string{
		"kl_normal": {param("A", "[1, 0, -1]") + param("B", "[1, 2, 0.5]"), kl("A", "B")},
		"kl_normal with exp and a second loss": {
			param("A", "[1, 0, -1]", "[0, 2, 1]") + param("B", "[0, 1, -1]", "[1, 0, 0]") + target("T", "[1, 0, 0]", "[0, 1, 0]"),
			"[[step]]\nid = \"s\"\nop = \"exp\"\nin = [\"B\"]\nout = \"S\"\n" + texts + kl("A", "S") +
				"[[step]]\nid = \"loss\"\nop = \"squared_error\"\nin = [\"A\", \"T\"]\nlabel = { en = \"l\", zh = \"l\" }\n" + texts},
	}
	// A loss against a constant target: nothing flows into the constant.
	cases["constant"] = [2]string{param("A", "[1, 2, 0]", "[0, -1, 1]"),
		"[[step]]\nid = \"t\"\nop = \"constant\"\nout = \"T\"\nrole = \"target\"\ndata = [[1, 0, 0], [0, 1, 0]]\nshow = false\n" + texts +
			"[[step]]\nid = \"loss\"\nop = \"bce\"\nin = [\"A\", \"T\"]\nout = [\"L\", \"P\"]\nlabel = { en = \"l\", zh = \"l\" }\n" + texts}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { CheckOpGradients(t, c[0], c[1], 20) })
	}
}

// A constant is written into the walkthrough: shown as a step of its own
// unless show = false, never a variable of the exercise, and with no
// gradient of its own.
func TestSeedConstant(t *testing.T) {
	for _, show := range []bool{true, false} {
		src := strings.NewReplacer("%VARS%", `
[[var]]
id = "A"
role = "parameter"
train = true
data = [[1, -1]]
`, "%STEPS%", `
[[step]]
id = "t"
op = "constant"
out = "T"
role = "target"
show = `+map[bool]string{true: "true", false: "false"}[show]+`
data = [[0, 1]]
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }

[[step]]
id = "loss"
op = "squared_error"
in = ["A", "T"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`).Replace(opCheckFile)
		m, probs := LoadWalkthrough(src)
		if probs != nil {
			t.Fatal(probs)
		}
		st := m.Exercise()
		if len(st.Vars) != 1 {
			t.Errorf("show %v: the exercise has %d variables, want A alone", show, len(st.Vars))
		}
		tr := m.Run(st, Hand)
		if (tr.Step("t") != nil) != show {
			t.Errorf("show %v: step t shown %v", show, tr.Step("t") != nil)
		}
		tm := tr.Matrix("T")
		if tm == nil || tm.Computed() || tm.Role != RoleTarget {
			t.Fatalf("show %v: T is %+v, want a given target", show, tm)
		}
		probExpectMatrix(t, "T", tm.Data, [][]float64{{0, 1}})
		// L = (1 − 0)² + (−1 − 1)² = 1 + 4 = 5; ∂L/∂A = 2·(1, −2) = (2, −4).
		if l := TotalLoss(tr); l != 5 {
			t.Errorf("show %v: loss %v, want 5", show, l)
		}
		probExpectMatrix(t, "∂L/∂A", tr.Phases[0][0].Grad, [][]float64{{2, -4}})
		if tr.Step("loss.dt") != nil {
			t.Errorf("show %v: a gradient was taken for the constant", show)
		}
	}
}

// The KL loss worked by hand on μ = (1, 0), σ = (2, 1):
// ½(1² + 2² − 1 − ln 2²) + ½(0² + 1² − 1 − ln 1²) = ½(4 − ln 4) + 0 = 2 − ln 2.
// Its gradients: ∂L/∂μ = μ = (1, 0); 1/σ = (½, 1); ∂L/∂σ = σ − 1/σ = (1.5, 0).
// A σ of 0 makes the loss and 1/σ undefined, and ∂L/∂σ waits on 1/σ.
func TestSeedKLByHand(t *testing.T) {
	src := strings.NewReplacer("%VARS%", `
[[var]]
id = "mu"
name = "μ"
role = "parameter"
train = true
data = [[1, 0]]

[[var]]
id = "sigma"
name = "σ"
role = "parameter"
train = true
data = [[2, 1]]
`, "%STEPS%", `
[[step]]
id = "kl"
op = "kl_normal"
in = ["mu", "sigma"]
out = "Lkl"
name = "Lᴷᴸ"
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`).Replace(opCheckFile)
	m, probs := LoadWalkthrough(src)
	if probs != nil {
		t.Fatal(probs)
	}
	for _, mode := range []Mode{Hand, Exact} {
		tr := m.Run(m.Exercise(), mode)
		if got, want := tr.Matrix("Lkl").At(0, 0), 2-math.Log(2); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: KL = %v, want 2 − ln 2 = %v", mode, got, want)
		}
		if e, _ := tr.Explain("Lkl", 0, 0); e.Formula != "½·(1² + 2² − 1 − ln 2² + 0² + 1² − 1 − ln 1²) = 1.31" {
			t.Errorf("%s: the KL explains itself as %q", mode, e.Formula)
		}
		probExpectMatrix(t, "∂L/∂μ", tr.Matrix("dmu").Data, [][]float64{{1, 0}})
		probExpectMatrix(t, "1/σ", tr.Matrix("invsigma").Data, [][]float64{{0.5, 1}})
		probExpectMatrix(t, "∂L/∂σ", tr.Matrix("dsigma").Data, [][]float64{{1.5, 0}})
		if n := tr.Matrix("dmu").Name; n != "∂Lᴷᴸ/∂μ" {
			t.Errorf("∂L/∂μ is named %q", n)
		}
		var ids []string
		for _, s := range tr.Steps {
			ids = append(ids, s.ID)
		}
		if got := strings.Join(ids, " "); got != "kl kl.mu kl.inv kl.sigma" {
			t.Errorf("%s: steps %s", mode, got)
		}
	}
	st := m.Exercise()
	if err := st.Set("sigma", 0, 1, 0); err != nil {
		t.Fatal(err)
	}
	tr := m.Run(st, Exact)
	for _, id := range []string{"kl", "kl.inv"} {
		if s := tr.Step(id); s.Undefined != "undefined.sigma" {
			t.Errorf("σ = 0: step %s undefined %q, want undefined.sigma", id, s.Undefined)
		}
	}
	if s := tr.Step("kl.sigma"); s.WaitsOn != "kl.inv" {
		t.Errorf("σ = 0: kl.sigma waits on %q", s.WaitsOn)
	}
	if s := tr.Step("kl.mu"); s.Undefined != "" || s.WaitsOn != "" {
		t.Errorf("σ = 0: kl.mu should stay defined")
	}
}
