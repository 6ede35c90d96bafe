package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// integralOnly is a walkthrough of the integral ops no shipped one uses,
// and of integral ops with parameters other than theirs.
const integralOnly = `slug = "integral-ops"
group = "basics"
title = { en = "Ops", zh = "运算" }
blurb = { en = "Ops.", zh = "运算。" }

[[var]]
id = "A"
role = "parameter"
train = true
data = [[1, 2, 0], [0, -1, 1], [2, 1, 1]]

[[var]]
id = "B"
data = [[1, 2], [0, -1]]

[[var]]
id = "T"
role = "target"
data = [[1, 0, 0]]

[[step]]
id = "rows"
op = "rows"
in = ["A"]
out = "R"
from = 2
count = 1
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }

[[step]]
id = "scale"
op = "scale"
in = ["R"]
out = "S"
k = -2
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }

[[step]]
id = "leaky"
op = "leaky_relu"
in = ["S"]
out = "Y"
alpha = 2
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }

[[step]]
id = "rope"
op = "rope"
in = ["B.T"]
out = "P"
angle = 180
ratio = 2
start = 0
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }

[[step]]
id = "loss"
op = "squared_error"
in = ["Y", "T"]
label = { en = "l", zh = "l" }
title = { en = "t", zh = "t" }
text = { en = "t", zh = "t" }
`

// TestOpIntegral checks every op's claim to keep whole numbers whole: each
// step of the shipped walkthroughs (and of a file for what they leave out)
// whose op claims it is worked on random whole inputs of its shapes, in
// both modes, and must give whole numbers. Every op that claims it is
// checked, and the ops with a parameter claim it only for whole ones.
func TestOpIntegral(t *testing.T) {
	extra, probs := LoadWalkthrough(integralOnly)
	if probs != nil {
		t.Fatal(probs)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	checked := map[string]int{}
	for _, m := range append(Models(), extra) {
		w := walkthroughOf(m)
		// The shapes of every matrix, from the default worked through.
		shapes := (&FileModel{W: w}).ctx(Hand)
		shapes.run(m.Exercise())
		for _, n := range w.Steps {
			if n.Op.Integral == nil || !n.Op.Integral(n) {
				continue
			}
			for trial := 0; trial < 20; trial++ {
				in := make([]*Matrix, len(n.In))
				for k, ref := range n.In {
					r, c := shapes.Matrix(ref).Dims()
					d := mat.NewDense(r, c, nil)
					d.Apply(func(_, _ int, _ float64) float64 { return float64(rng.IntN(11) - 5) }, d)
					in[k] = &Matrix{ID: fmt.Sprintf("in%d", k), Name: "A", Data: d}
				}
				for _, mode := range []Mode{Hand, Exact} {
					c := (&FileModel{W: w}).ctx(mode)
					c.node = n
					for k, o := range n.Op.Forward(c, n, in) {
						if !isWhole(o.Data) {
							t.Fatalf("%s, step %q (op %s), %s mode: output %d is not whole:\n%v", w.Slug, n.ID, n.Op.Name, mode, k+1, mat.Formatted(o.Data))
						}
					}
				}
			}
			checked[n.Op.Name]++
		}
	}
	for _, name := range OpNames() {
		if op := LookupOp(name); op.Integral != nil && checked[name] == 0 {
			t.Errorf("op %s claims to keep whole numbers whole, but no step checks it: add one to integralOnly", name)
		}
	}
	// The ops with a parameter keep whole numbers whole only for a whole
	// one: scale by ½, a leaky ReLU's 0.1, RoPE by 45°, a constant of halves.
	for _, c := range []struct {
		op     string
		params map[string]*Value
	}{
		{"scale", map[string]*Value{"k": NumParam(0.5)}},
		{"leaky_relu", map[string]*Value{}},
		{"rope", map[string]*Value{"angle": NumParam(45)}},
		{"rope", map[string]*Value{"ratio": NumParam(0.5)}},
		{"constant", map[string]*Value{"data": {Kind: KindArray, Arr: []*Value{{Kind: KindArray, Arr: []*Value{NumParam(0.5)}}}}}},
	} {
		op := LookupOp(c.op)
		if op.Integral(&Node{Op: op, Params: c.params}) {
			t.Errorf("op %s with %v claims to keep whole numbers whole", c.op, c.params)
		}
	}
}
