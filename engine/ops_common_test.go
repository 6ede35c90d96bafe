package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// opCheckFile is a walkthrough around one op for checking its backward:
// %STEPS% is replaced by the op's steps; the parameters A and B (3×3, or
// as the steps need) are trained, the loss is the given loss step.
const opCheckFile = `
slug = "op-check"
group = "basics"
title = { en = "t", zh = "t" }
blurb = { en = "b", zh = "b" }
%VARS%
%STEPS%
`

// CheckOpGradients loads a walkthrough written around an op (vars and
// steps in TOML, the trainable variables role "parameter", train = true)
// and compares the gradients it derives with central finite differences
// of its loss, in both modes, on n random exercises that are defined
// (drawing until it has n of them).
func CheckOpGradients(t *testing.T, vars, steps string, n int) {
	t.Helper()
	src := strings.NewReplacer("%VARS%", vars, "%STEPS%", steps).Replace(opCheckFile)
	w, probs := ReadWalkthrough(src)
	if probs != nil {
		t.Fatalf("the check's walkthrough does not read:\n%v", probs)
	}
	m, probs := NewModel(w)
	if probs != nil {
		t.Fatalf("the check's walkthrough does not run:\n%v", probs)
	}
	rng := rand.New(rand.NewPCG(21, 22))
	for _, mode := range []Mode{Hand, Exact} {
		got := 0
		for tries := 0; got < n; tries++ {
			if tries > 50*n {
				t.Fatalf("%s: only %d of %d random exercises were defined", mode, got, n)
			}
			st := m.Exercise()
			for _, v := range st.Vars {
				if v.Role == RoleParameter {
					v.Data.Apply(func(_, _ int, _ float64) float64 { return math.Round((rng.Float64()*4-2)*100) / 100 }, v.Data)
				}
			}
			if checkGradientsIn(t, m, st, mode) {
				got++
			}
		}
	}
}

func TestCommonOpGradients(t *testing.T) {
	param := func(id string, rows ...string) string {
		return "[[var]]\nid = \"" + id + "\"\nrole = \"parameter\"\ntrain = true\ndata = [" + strings.Join(rows, ",") + "]\n"
	}
	target := func(id string, rows ...string) string {
		return "[[var]]\nid = \"" + id + "\"\nrole = \"target\"\ndata = [" + strings.Join(rows, ",") + "]\n"
	}
	step := func(id, op, in, out, extra string) string {
		return "[[step]]\nid = \"" + id + "\"\nop = \"" + op + "\"\nin = [" + in + "]\nout = " + out + "\n" + extra +
			"title = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"
	}
	sq := "[[step]]\nid = \"loss\"\nop = \"squared_error\"\nin = [\"Y\", \"T\"]\nlabel = { en = \"l\", zh = \"l\" }\ntitle = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"
	ab := param("A", "[1, 2, 0]", "[0, -1, 1]") + param("B", "[2, 0, 1]", "[1, 1, -1]")
	t23 := target("T", "[1, 0, 0]", "[0, 1, 0]")
	cases := map[string][2]string{
		"sigmoid":  {ab + t23, step("s", "sigmoid", `"A"`, `"Y"`, "") + sq},
		"tanh":     {ab + t23, step("s", "tanh", `"A"`, `"Y"`, "") + sq},
		"exp":      {ab + t23, step("s", "exp", `"A"`, `"Y"`, "") + sq},
		"add":      {ab + t23, step("s", "add", `"A", "B"`, `"Y"`, "") + sq},
		"sub":      {ab + t23, step("s", "sub", `"A", "B"`, `"Y"`, "") + sq},
		"hadamard": {ab + t23, step("s", "hadamard", `"A", "B"`, `"Y"`, "") + sq},
		"scale":    {ab + t23, step("s", "scale", `"A"`, `"Y"`, "k = -1.5\n") + sq},
		"relu":     {ab + t23, step("s", "relu", `"A"`, `"Y"`, "") + sq},
		"matmul": {ab + target("T", "[1, 0]", "[0, 1]"),
			step("s", "matmul", `"A", "B.T"`, `"Y"`, "") + sq},
		"linear": {param("W", "[1, 2, 0]", "[0, -1, 1]") + ab + target("T", "[1, 0, 0]", "[0, 1, 0]"),
			step("s", "linear", `"W", "B"`, `"Y"`, "relu = true\n") + sq},
		"softmax":      {ab + t23, step("s", "softmax", `"A"`, `"Y"`, "scale = 0.7\n") + sq},
		"softmax rows": {ab + t23, step("s", "softmax", `"A"`, `"Y"`, "axis = \"rows\"\nhand_base = 2\n") + sq},
		"cross_entropy": {ab + t23, "[[step]]\nid = \"loss\"\nop = \"cross_entropy\"\nin = [\"A\", \"T\"]\nout = [\"L\", \"P\"]\n" +
			"label = { en = \"l\", zh = \"l\" }\ntitle = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"},
		"bce": {ab + t23, "[[step]]\nid = \"loss\"\nop = \"bce\"\nin = [\"A\", \"T\"]\nout = [\"L\", \"P\"]\n" +
			"label = { en = \"l\", zh = \"l\" }\ntitle = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"},
		"concat_rows": {ab + target("T", "[1, 0, 0]", "[0, 1, 0]", "[1, 1, 1]", "[0, 0, 0]"),
			step("s", "concat_rows", `"A", "B"`, `"Y"`, "") + sq},
		"concat_cols": {ab + target("T", "[1, 0, 0, 1, 1, 1]", "[0, 1, 0, 0, 0, 0]"),
			step("s", "concat_cols", `"A", "B"`, `"Y"`, "") + sq},
		"rows":      {ab + target("T", "[1, 0, 0]"), step("s", "rows", `"A"`, `"Y"`, "from = 2\ncount = 1\n") + sq},
		"cols":      {ab + target("T", "[1, 0]", "[0, 1]"), step("s", "cols", `"A"`, `"Y"`, "from = 2\ncount = 2\n") + sq},
		"transpose": {ab + target("T", "[1, 0]", "[0, 1]", "[1, 1]"), step("s", "transpose", `"A"`, `"Y"`, "") + sq},
		"shared":    {ab + t23, step("s", "hadamard", `"A", "A"`, `"Y"`, "") + sq},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { CheckOpGradients(t, c[0], c[1], 20) })
	}
}
