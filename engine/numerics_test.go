package engine

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// draws scales a count of random exercises for the platform: the wasm
// tests, under node on one thread and several times slower, draw a quarter
// as many (at least one), enough to see that the engine computes the same
// there, and say so in the test log.
func draws(n int) int {
	if runtime.GOOS == "js" {
		return max(1, n/4)
	}
	return n
}

// drawPlain fills every number of an exercise with an integer or a half in
// [−3, 3]: the kind of exercise a reader types in.
func drawPlain(st *State, rng *rand.Rand) {
	for _, v := range st.Vars {
		v.Data.Apply(func(_, _ int, _ float64) float64 { return float64(rng.IntN(13)-6) / 2 }, v.Data)
	}
}

// onlySigma reports whether every undefined step of tr is undefined
// because a σ ≤ 0 (the VAE's own rule: no standard deviation is ≤ 0).
func onlySigma(tr *Trace) bool {
	for _, s := range tr.Steps {
		if s.Undefined != "" && s.Undefined != "undefined.sigma" {
			return false
		}
	}
	return true
}

// firstUndefined names the first undefined step of tr and why.
func firstUndefined(tr *Trace) string {
	for _, s := range tr.Steps {
		if s.Undefined != "" {
			return s.ID + " (" + s.Undefined + ")"
		}
	}
	return "none"
}

// TestExactDefinedOnPlainExercises: in exact mode every model computes
// every step of 1,000 random plain exercises (entries integers and halves
// in [−3, 3]), losses included. The one exception is the VAE's σ ≤ 0,
// which the walkthrough declares undefined: those exercises are counted,
// checked to be undefined for that reason alone, and skipped; the model
// then draws on past 1,000 until 200 defined ones have been checked. On paper (hand mode) the softmax's raw 3ˣ may overflow, but then
// the step says that exact mode computes it.
func TestExactDefinedOnPlainExercises(t *testing.T) {
	for _, m := range testModels(t) {
		t.Run(m.Info().Slug, func(t *testing.T) {
			t.Parallel()
			checkPlainExercises(t, m, draws(1000), draws(200))
		})
	}
}

// checkPlainExercises draws at least n plain exercises of m, and more until
// minDefined of them are defined (at most 20·n in all).
func checkPlainExercises(t *testing.T, m Model, n, minDefined int) {
	slug := m.Info().Slug
	rng := rand.New(rand.NewPCG(5, 6))
	k, defined, sigma, handUndefined := 0, 0, 0, 0
	for ; k < n || defined < minDefined; k++ {
		if k == 20*n {
			t.Fatalf("%s: only %d plain exercises defined in %d draws (%d with σ ≤ 0)", slug, defined, k, sigma)
		}
		st := m.Exercise()
		drawPlain(st, rng)
		tr := m.Run(st, Exact)
		switch {
		case tr.Defined():
			defined++
			for _, l := range tr.Losses {
				if math.IsNaN(l.Value) || math.IsInf(l.Value, 0) {
					t.Fatalf("%s: a defined exercise has loss %s = %v", slug, l.Name, l.Value)
				}
			}
		case onlySigma(tr):
			sigma++
		default:
			t.Fatalf("%s/exact: plain exercise %d is undefined at %s", slug, k, firstUndefined(tr))
		}
		if k >= n {
			continue // drawing on for defined ones: exact mode only
		}
		hand := m.Run(st, Hand)
		if hand.Defined() || onlySigma(hand) {
			continue
		}
		handUndefined++
		for _, s := range hand.Steps {
			if s.Undefined != "" && s.Undefined != "undefined.sigma" && s.Undefined != "undefined.overflow.hand" &&
				s.Undefined != hand.Model+".undefined.underflow" {
				t.Fatalf("%s/hand: step %s is undefined with %q, which does not point to exact mode", slug, s.ID, s.Undefined)
			}
		}
	}
	if defined+sigma != k {
		t.Fatalf("%s: %d defined and %d with σ ≤ 0 of %d", slug, defined, sigma, k)
	}
	t.Logf("%s: exact mode defined on %d of %d plain exercises, %d left out for a σ ≤ 0; hand mode undefined on %d of the first %d",
		slug, defined, k, sigma, handUndefined, n)
}

// TestSoftmaxStepsMatchTheLayer: the probabilities the CLIP and DiT pages
// work out step by step (on paper: powers, sums, division; exactly: less
// the line's largest first) are those of the tested layer SoftmaxForward,
// on plain random exercises, wherever the steps are defined.
func TestSoftmaxStepsMatchTheLayer(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for k := 0; k < draws(100); k++ {
		for _, mode := range []Mode{Hand, Exact} {
			cm := Lookup("clip")
			clip := cm.Exercise()
			drawPlain(clip, rng)
			tr := cm.Run(clip, mode)
			z := tr.Matrix("Z").Data
			for _, c := range []struct {
				id   string
				axis Axis
			}{{"Prow", EachRow}, {"Pcol", EachColumn}} {
				base := 3.0
				if mode == Exact {
					base = math.E
				}
				want := SoftmaxForward(z, base, 1, c.axis)
				if p := tr.Matrix(c.id); p.Finite() && !mat.EqualApprox(p.Data, want, 1e-12) {
					t.Fatalf("clip/%s: %s differs from SoftmaxForward of Z", mode, c.id)
				}
			}
			ditm := Lookup("dit")
			dit := ditm.Exercise()
			drawPlain(dit, rng)
			tr = ditm.Run(dit, mode)
			// The attention softmax of walkthroughs/dit.toml: 3ˣ on paper,
			// e^(x/√2) exactly.
			base, scale := 3.0, 1.0
			if mode == Exact {
				base, scale = math.E, 1/math.Sqrt2
			}
			want := SoftmaxForward(tr.Matrix("Sc").Data, base, scale, EachColumn)
			if a := tr.Matrix("A"); a.Finite() && !mat.EqualApprox(a.Data, want, 1e-12) {
				t.Fatalf("dit/%s: A differs from SoftmaxForward of S", mode)
			}
		}
	}
}
