package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// drawSeeds is how many exercises TestDraw draws of each walkthrough:
// 1,000; under Node (GOOS=js), on one thread and several times slower,
// 100, which the test says loudly.
func drawSeeds(t *testing.T) int {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Logf("UNDER NODE: DRAWING 100 EXERCISES OF EACH WALKTHROUGH, NOT 1,000")
		return 100
	}
	return 1000
}

// TestDraw draws exercises 1 to 1,000 of every walkthrough: each is shaped
// as the default, follows its file's draw rules, is hand-sized and defined
// in both modes, and is drawn again the same; different seeds draw
// different exercises, mostly.
func TestDraw(t *testing.T) {
	n := drawSeeds(t)
	for _, m := range testModels(t) {
		t.Run(m.Info().Slug, func(t *testing.T) {
			t.Parallel()
			w := walkthroughOf(m)
			def := m.Exercise()
			distinct := map[string]bool{}
			attempts, most := 0, 0
			for seed := uint64(1); seed <= uint64(n); seed++ {
				st, k, err := drawCounting(m, seed)
				if err != nil {
					t.Fatal(err)
				}
				attempts, most = attempts+k, max(most, k)
				checkShapedAs(t, def, st)
				hand, exact := m.Run(st, Hand), m.Run(st, Exact)
				if !hand.Defined() || !exact.Defined() {
					t.Fatalf("seed %d: defined in hand mode %v, in exact mode %v", seed, hand.Defined(), exact.Defined())
				}
				if err := handSized(w, st, hand, func() *Trace { return exact }); err != nil {
					t.Fatalf("seed %d is not hand-sized: %v", seed, err)
				}
				checkDrawRules(t, w, def, st, hand)
				// Drawing again draws the same (every 10th seed: a second
				// draw costs as much as the first; TestDrawSameEverywhere
				// pins the numbers across platforms).
				if seed%10 == 1 {
					if again, err := Draw(m, seed); err != nil || !again.Equal(st) {
						t.Fatalf("seed %d drew a different exercise the second time (%v)", seed, err)
					}
				}
				distinct[drawnNumbers(w, st)] = true
			}
			// The fewest different exercises any walkthrough can draw are the
			// temperature's, 4 scores of 0 to 4 and one right word of 4: 2,500,
			// of which 1,000 draws find about 82% each time.
			if len(distinct) < n*3/4 {
				t.Errorf("%d seeds drew only %d different exercises", n, len(distinct))
			}
			t.Logf("%d exercises, %d different, %.2f attempts each on average, at most %d", n, len(distinct), float64(attempts)/float64(n), most)
		})
	}
}

// checkShapedAs fails unless st has the default's variables, in its order,
// with its shapes, names, roles, labels and frames.
func checkShapedAs(t *testing.T, def, st *State) {
	t.Helper()
	if len(st.Vars) != len(def.Vars) {
		t.Fatalf("%d variables, the default has %d", len(st.Vars), len(def.Vars))
	}
	for i, v := range st.Vars {
		d := def.Vars[i]
		vr, vc := v.Data.Dims()
		dr, dc := d.Data.Dims()
		a, b := *v, *d
		a.Data, b.Data = nil, nil
		if vr != dr || vc != dc || !reflect.DeepEqual(a, b) {
			t.Fatalf("variable %d is %s %d×%d, the default's %s %d×%d (or its names, roles or labels differ)", i+1, v.ID, vr, vc, d.ID, dr, dc)
		}
	}
}

// checkDrawRules fails unless every variable follows its draw rule.
func checkDrawRules(t *testing.T, w *Walkthrough, def, st *State, hand *Trace) {
	t.Helper()
	for _, v := range w.Vars {
		rule := v.drawRule()
		d := st.Get(v.ID)
		r, c := d.Dims()
		switch rule.Kind {
		case DrawKeep:
			if !sameNumbers(d, def.Get(v.ID)) {
				t.Fatalf("%s is kept, but its numbers changed", v.ID)
			}
		case DrawCopy:
			if !sameNumbers(d, st.Get(rule.From)) {
				t.Fatalf("%s copies %s, but its numbers differ", v.ID, rule.From)
			}
		case DrawAnswer:
			if sameNumbers(d, hand.Matrix(answerOf(w, v.ID)).Data) {
				t.Fatalf("%s is an answer already met: nothing to learn", v.ID)
			}
		case DrawOneHot:
			for j := 0; j < c; j++ {
				ones := 0
				for i := 0; i < r; i++ {
					if x := d.At(i, j); x == 1 {
						ones++
					} else if x != 0 {
						t.Fatalf("%s is one-hot, but holds %g", v.ID, x)
					}
				}
				if ones != 1 {
					t.Fatalf("%s is one-hot, but column %d has %d ones", v.ID, j+1, ones)
				}
			}
		default:
			lo, hi, step := rule.Min, rule.Max, rule.Step
			switch rule.Kind {
			case DrawBinary:
				lo, hi, step = 0, 1, 1
			case drawNoise:
				lo, hi, step = -2, 2, 1
			}
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					x := d.At(i, j)
					if x != math.Trunc(x) || x < float64(lo) || x > float64(hi) || (int(x)-lo)%step != 0 {
						t.Fatalf("%s holds %g, outside its draw rule (%d to %d, step %d)", v.ID, x, lo, hi, step)
					}
				}
			}
		}
	}
}

// drawnNumbers writes the numbers of every drawn variable of st.
func drawnNumbers(w *Walkthrough, st *State) string {
	var b strings.Builder
	for _, v := range w.Vars {
		if v.drawRule().drawn() {
			fmt.Fprint(&b, st.Get(v.ID).RawMatrix().Data, ";")
		}
	}
	return b.String()
}

// TestDrawSameEverywhere pins the numbers of a few drawn exercises: the
// same seed draws them on every platform (the wasm tests run it under
// Node), and a change to how Draw draws shows here.
func TestDrawSameEverywhere(t *testing.T) {
	cases := []struct {
		slug, id string
		seed     uint64
		want     [][]float64
	}{
		{"autoencoder", "X", 1, [][]float64{{1, 0, 2, 1}, {2, 2, 1, 2}, {1, 0, 1, 0}, {1, 0, 1, 1}}},
		{"autoencoder", "W1", 1, [][]float64{{0, 1, 0, 1, 1}, {1, 0, 0, 0, -1}, {0, 1, 0, -1, -1}}},
		{"gan", "N", 7, [][]float64{{-2, -1, 1, 0}, {-1, 0, 0, 0}}},
		{"dot-product", "t5", 3, [][]float64{{-2}}},
	}
	for _, c := range cases {
		st, err := Draw(Lookup(c.slug), c.seed)
		if err != nil {
			t.Fatal(err)
		}
		got := st.Get(c.id)
		r, _ := got.Dims()
		var rows [][]float64
		for i := 0; i < r; i++ {
			rows = append(rows, mat.Row(nil, i, got))
		}
		if !reflect.DeepEqual(rows, c.want) {
			t.Errorf("%s seed %d: %s = %v, want %v", c.slug, c.seed, c.id, rows, c.want)
		}
	}
}

// TestDrawAnySeed: seed 0 and the largest seed draw too, and a seeded
// walkthrough's drawn noise is the exercise's own (Seed 0), which Resample
// still replaces.
func TestDrawAnySeed(t *testing.T) {
	for _, seed := range []uint64{0, math.MaxUint64} {
		if _, err := Draw(Lookup("autoencoder"), seed); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
	vae := Lookup("vae")
	st, err := Draw(vae, 5)
	if err != nil {
		t.Fatal(err)
	}
	if st.Seed != 0 || !isWhole(st.Get("eps")) {
		t.Fatalf("drawn noise: seed %d, ε %v", st.Seed, mat.Formatted(st.Get("eps")))
	}
	vae.(Resampler).Resample(st, 42)
	if st.Seed != 42 || !mat.Equal(st.Get("eps"), Gaussian(42, 2, 3)) {
		t.Fatalf("Resample after Draw: seed %d, ε %v", st.Seed, mat.Formatted(st.Get("eps")))
	}
}

// TestHandSizedDefaults: every default exercise is hand-sized, but for
// the VAE's, whose noise is a Gaussian draw with decimals.
func TestHandSizedDefaults(t *testing.T) {
	for _, m := range Models() {
		err := HandSized(m, m.Exercise())
		if m.Info().Slug == "vae" {
			if err == nil || !strings.Contains(err.Error(), "ε holds −0.5") {
				t.Errorf("vae: %v, want ε's −0.5 named", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", m.Info().Slug, err)
		}
	}
}

// tinyReLU is a small walkthrough with a ReLU, for HandSized's reasons.
const tinyReLU = `slug = "tiny-relu"
group = "basics"
title = { en = "Tiny", zh = "小" }
blurb = { en = "One layer.", zh = "一层。" }

[[var]]
id = "X"
data = [[1, 2], [0, 1]]

[[var]]
id = "W"
role = "parameter"
train = true
bias = true
data = [[1, -1, 0], [-1, 0, 1]]

[[var]]
id = "H"
draw = "keep"
data = [[0.5, 1]]

[[var]]
id = "T"
role = "target"
data = [[1, 0], [0, 1]]

[[step]]
id = "layer"
op = "linear"
in = ["W", "X"]
out = "Y"
relu = true
title = { en = "A layer", zh = "一层" }
text = { en = "Multiply.", zh = "相乘。" }

[[step]]
id = "half"
op = "hadamard"
in = ["H", "H"]
out = "Q"
title = { en = "Halves", zh = "一半" }
text = { en = "Given halves.", zh = "一半。" }

[[step]]
id = "loss"
op = "squared_error"
in = ["Y", "T"]
label = { en = "loss", zh = "损失" }
title = { en = "Loss", zh = "损失" }
text = { en = "Square.", zh = "平方。" }
`

// TestHandSizedReasons: each way of not being hand-sized is named.
func TestHandSizedReasons(t *testing.T) {
	tiny, probs := LoadWalkthrough(tinyReLU)
	if probs != nil {
		t.Fatal(probs)
	}
	// Y = ReLU([1 −1 | 0; −1 0 | 1]·[X ; 1]) = ReLU([1 1; 0 −1]) = [1 1; 0 0].
	if err := HandSized(tiny, tiny.Exercise()); err != nil {
		t.Fatalf("the tiny default: %v (a kept matrix of halves, and what it reaches, need not be whole)", err)
	}
	cases := []struct {
		model  Model
		change func(st *State)
		want   string
	}{
		{tiny, func(st *State) { st.Get("X").Set(0, 0, 0.5) }, "X holds 0.5 in row 1, column 1: a drawn number should be whole"},
		{tiny, func(st *State) { st.Get("T").Set(1, 1, 21) }, "T holds 21 in row 2, column 2: a drawn number should be at most 20 in size"},
		{tiny, func(st *State) { st.Get("X").Set(0, 0, 19); st.Get("W").Set(0, 2, 2) },
			`Y (step "layer") holds 21 in row 1, column 1: a number worked by hand should be at most 20 in size`},
		{tiny, func(st *State) { st.Get("W").Set(1, 0, 1) }, "no ReLU strikes a negative number out"},
		{tiny, func(st *State) { st.Get("W").Set(0, 0, -1); st.Get("W").Set(0, 1, 0) }, "the ReLU strikes out every number of Y"},
		{tiny, func(st *State) { st.Get("X").Set(1, 0, 2); st.Get("W").Set(0, 2, 2); st.Get("W").Set(1, 1, 1) }, "no input or weight is 0"},
		{tiny, func(st *State) {
			st.Get("W").Apply(func(_, _ int, x float64) float64 { return math.Abs(x) }, st.Get("W"))
		}, "no input or weight is negative"},
		{Lookup("softmax"), func(st *State) { st.Get("x").Set(1, 0, -5) }, `x, read by step "softmax" holds −5 in row 2, column 1: a power of 3 worked by hand should be at most 4 in size`},
		// Halves after the temperature: not whole, so only their size counts.
		{Lookup("temperature"), func(st *State) { st.Get("z").Set(0, 0, 11) }, `, read by step "soft" holds 5.5 in row 1, column 1: a score raised to a power should be at most 4`},
		{Lookup("vae"), func(st *State) {
			st.Get("eps").Zero()
			st.Get("Wsig").Zero()
		}, `step "kl" has no numbers in hand mode`},
	}
	for _, c := range cases {
		st := c.model.Exercise()
		c.change(st)
		err := HandSized(c.model, st)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.model.Info().Slug, err, c.want)
		}
	}
}

// TestDrawGivesUp: a walkthrough none of whose exercises is hand-sized
// draws none, and says so.
func TestDrawGivesUp(t *testing.T) {
	src := strings.NewReplacer(`slug = "tiny-relu"`, `slug = "tiny-never"`,
		"id = \"X\"\n", "id = \"X\"\ndraw = { min = 15, max = 20 }\n",
		"id = \"W\"\n", "id = \"W\"\ndraw = \"keep\"\n",
		"data = [[1, -1, 0], [-1, 0, 1]]", "data = [[1, 1, 0], [-1, 0, 1]]").Replace(tinyReLU)
	m, probs := LoadWalkthrough(src)
	if probs != nil {
		t.Fatal(probs)
	}
	// Y's first row is the sum of X's two rows, at least 30.
	st, k, err := drawCounting(m, 1)
	if err == nil || k != DrawAttempts || !strings.Contains(err.Error(), "none of 10000 exercises drawn from seed 1 is hand-sized") {
		t.Fatalf("drew %v after %d attempts: %v", st, k, err)
	}
}

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

// BenchmarkDraw draws exercises of a small walkthrough, a large one and
// one that often draws again.
func BenchmarkDraw(b *testing.B) {
	for _, slug := range []string{"autoencoder", "transformer-stack", "vae"} {
		m := Lookup(slug)
		b.Run(slug, func(b *testing.B) {
			seed := uint64(0)
			for b.Loop() {
				seed++
				if _, err := Draw(m, seed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
