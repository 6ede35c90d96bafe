package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// These tests hold for every registered model: a model added to the
// registry is checked by them without a line of its own.

// randomize replaces every number of the exercise with a random one of
// about the same size as the default numbers (noise stays noise-sized).
func randomize(st *State, rng *rand.Rand) {
	for _, v := range st.Vars {
		v.Data.Apply(func(_, _ int, x float64) float64 {
			return math.Round((rng.Float64()*4-2)*100) / 100
		}, v.Data)
	}
}

// checkGradientsIn compares every gradient a trace reports in mode with
// central finite differences of the loss its phase descends: every
// gradient shown is the true one, in both modes. It reports false,
// checking nothing, when the exercise is undefined.
func checkGradientsIn(t *testing.T, m Model, st *State, mode Mode) bool {
	t.Helper()
	tr := m.Run(st, mode)
	if !tr.Defined() {
		return false
	}
	if len(tr.Phases) == 0 {
		t.Fatalf("%s: no trainable phase", m.Info().Slug)
	}
	const h = 1e-6
	for p, phase := range tr.Phases {
		mid := tr.PhaseLoss(p)
		for _, g := range phase {
			w := st.Get(g.Param)
			r, c := w.Dims()
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					orig := w.At(i, j)
					w.Set(i, j, orig+h)
					up := m.Run(st, mode).PhaseLoss(p)
					w.Set(i, j, orig-h)
					down := m.Run(st, mode).PhaseLoss(p)
					w.Set(i, j, orig)
					want := (up - down) / (2 * h)
					got := g.Grad.At(i, j)
					tol := 1e-4 * math.Max(1, math.Abs(want))
					// At a kink (a ReLU input of exactly 0) the one-sided slopes
					// differ; any value between them is a true subgradient.
					right, left := (up-mid)/h, (mid-down)/h
					if math.Abs(right-left) > tol {
						lo, hi := math.Min(left, right), math.Max(left, right)
						if got < lo-tol || got > hi+tol {
							t.Errorf("%s/%s phase %d: ∂L/∂%s[%d,%d] = %g, outside the one-sided slopes [%g, %g]",
								m.Info().Slug, mode, p, g.Param, i, j, got, lo, hi)
						}
						continue
					}
					if math.Abs(got-want) > tol {
						t.Errorf("%s/%s phase %d: ∂L/∂%s[%d,%d] = %g, finite differences say %g",
							m.Info().Slug, mode, p, g.Param, i, j, got, want)
					}
				}
			}
		}
	}
	return true
}

// maxDrawsPer bounds how many random exercises a test may draw for each
// defined one it needs: the VAE's exercises are defined about one time in
// twelve (a σ ≤ 0 is common), so a test that needs n defined exercises and
// has drawn 100·n has found far fewer than it should.
const maxDrawsPer = 100

// forDefined draws random exercises of m with draw until n of them are
// defined in mode, and runs check on each of those. It fails the test if
// it cannot find n within maxDrawsPer·n draws, so that no test quietly
// checks fewer exercises than it says, or none.
func forDefined(t *testing.T, m Model, mode Mode, n int, rng *rand.Rand, draw func(*State, *rand.Rand), check func(*State)) {
	t.Helper()
	found, draws := 0, 0
	for found < n {
		if draws == maxDrawsPer*n {
			t.Fatalf("%s/%s: only %d of %d random exercises defined after %d draws", m.Info().Slug, mode, found, n, draws)
		}
		draws++
		st := m.Exercise()
		draw(st, rng)
		if !m.Run(st, mode).Defined() {
			continue
		}
		found++
		check(st)
	}
}

// TestGradientsMatchFiniteDifferences checks every model's gradients on
// its default exercise and on 20 random defined ones in exact mode, and 5
// in hand mode (where only CLIP and the DiT compute differently).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Exact, Hand} {
			n := draws(20)
			if mode == Hand {
				n = draws(5)
			}
			t.Run(m.Info().Slug+"/"+mode.String(), func(t *testing.T) {
				t.Parallel()
				if !checkGradientsIn(t, m, m.Exercise(), mode) {
					t.Fatalf("the default exercise is undefined")
				}
				rng := rand.New(rand.NewPCG(1, uint64(mode)+2))
				checked := 0
				forDefined(t, m, mode, n, rng, randomize, func(st *State) {
					if checkGradientsIn(t, m, st, mode) {
						checked++
					}
				})
				if checked != n {
					t.Fatalf("checked %d exercises, want %d", checked, n)
				}
				t.Logf("gradients checked on the default exercise and %d random ones", checked)
			})
		}
	}
}

// TestExtremeValuesStayNamed fills exercises with extreme and undefined
// numbers: no model may panic, and a step that is neither undefined nor
// waiting must show only finite numbers.
func TestExtremeValuesStayNamed(t *testing.T) {
	extremes := []float64{0, 1e308, -1e308, math.NaN(), math.Inf(1), 1e-308, 1e154, -1e154, 745, -745}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Hand, Exact} {
			for k := 0; k < 60; k++ {
				st := m.Exercise()
				for _, v := range st.Vars {
					v.Data.Apply(func(_, _ int, x float64) float64 {
						if rng.IntN(3) == 0 {
							return extremes[rng.IntN(len(extremes))]
						}
						return x
					}, v.Data)
				}
				tr := m.Run(st, mode)
				for _, s := range tr.Steps {
					if s.Undefined != "" || s.WaitsOn != "" {
						continue
					}
					for _, id := range s.Produces {
						if !tr.Matrix(id).Finite() {
							t.Fatalf("%s/%s: step %s is defined but %s is not finite", m.Info().Slug, mode, s.ID, id)
						}
					}
				}
				if tr.Defined() {
					for _, l := range tr.Losses {
						if math.IsNaN(l.Value) || math.IsInf(l.Value, 0) {
							t.Fatalf("%s/%s: defined trace with loss %s = %v", m.Info().Slug, mode, l.Name, l.Value)
						}
					}
				}
				// An update on an undefined exercise changes nothing.
				before := st.Clone()
				if _, ok := Update(m, st, mode, 0.01); !ok && !st.Equal(before) {
					t.Fatalf("%s: a refused update changed the exercise", m.Info().Slug)
				}
			}
		}
	}
}

// TestDownstreamCoversChanges edits each variable and checks that every
// step whose numbers changed is among the steps the trace says depend on it.
func TestDownstreamCoversChanges(t *testing.T) {
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Hand, Exact} {
			st := m.Exercise()
			before := m.Run(st, mode)
			for _, v := range st.Vars {
				r, c := v.Data.Dims()
				for i := 0; i < r; i++ {
					for j := 0; j < c; j++ {
						edited := st.Clone()
						if err := edited.Set(v.ID, i, j, v.Data.At(i, j)+1); err != nil {
							t.Fatal(err)
						}
						after := m.Run(edited, mode)
						down := map[string]bool{}
						for _, id := range before.Downstream(v.ID) {
							down[id] = true
						}
						for _, id := range after.Changed(before) {
							s := after.Step(id)
							if !down[id] && !showsVar(s, v.ID) {
								t.Errorf("%s: editing %s[%d,%d] changed step %s, which Downstream does not list",
									m.Info().Slug, v.ID, i, j, id)
							}
						}
					}
				}
			}
		}
	}
}

func showsVar(s *Step, id string) bool {
	for _, m := range s.Matrices {
		if m.ID == id {
			return true
		}
	}
	return false
}

// TestExplanationsName real cells: every computed cell explains itself with
// a formula and with sources that exist in the trace.
func TestExplanationsNameRealCells(t *testing.T) {
	for _, m := range testModels(t) {
		tr := m.Run(m.Exercise(), Hand)
		for _, s := range tr.Steps {
			for _, mx := range s.Matrices {
				if !mx.Computed() {
					continue
				}
				r, c := mx.Dims()
				for i := 0; i < r; i++ {
					for j := 0; j < c; j++ {
						e, ok := mx.Explain(i, j)
						if !ok || e.Formula == "" {
							t.Fatalf("%s: %s[%d,%d] has no explanation", m.Info().Slug, mx.ID, i, j)
						}
						for _, src := range e.Sources {
							sm := tr.Matrix(src.Matrix)
							if sm == nil {
								t.Fatalf("%s: %s[%d,%d] names unknown matrix %s", m.Info().Slug, mx.ID, i, j, src.Matrix)
							}
							sr, sc := sm.Dims()
							if src.Row < 0 || src.Col < 0 || src.Row > sr || src.Col >= sc {
								t.Fatalf("%s: %s[%d,%d] names cell outside %s", m.Info().Slug, mx.ID, i, j, src.Matrix)
							}
						}
					}
				}
			}
		}
	}
}

func TestStepIDsAndKeys(t *testing.T) {
	for _, m := range testModels(t) {
		tr := m.Run(m.Exercise(), Hand)
		if len(tr.Steps) < 3 {
			t.Fatalf("%s: only %d steps", m.Info().Slug, len(tr.Steps))
		}
		for _, s := range tr.Steps {
			if s.Title == "" || s.Text == "" {
				t.Errorf("%s: step %s lacks title or text key", m.Info().Slug, s.ID)
			}
			if s.Layout == Sequence && len(s.Ops) != 0 && len(s.Ops) != len(s.Matrices) {
				t.Errorf("%s: step %s has %d ops for %d matrices", m.Info().Slug, s.ID, len(s.Ops), len(s.Matrices))
			}
			if s.Layout == Product && len(s.Matrices) != 3 {
				t.Errorf("%s: product step %s has %d matrices", m.Info().Slug, s.ID, len(s.Matrices))
			}
		}
		if !tr.Defined() {
			t.Errorf("%s: default exercise is not defined", m.Info().Slug)
		}
	}
}

// TestDefaultLearningRateLowersLoss: at the learning rate a model offers,
// fifty updates of its default exercise lower the loss it trains.
func TestDefaultLearningRateLowersLoss(t *testing.T) {
	for _, m := range testModels(t) {
		lr := m.Info().LearningRate
		if !(lr > 0) {
			t.Errorf("%s offers no learning rate", m.Info().Slug)
			continue
		}
		for _, mode := range []Mode{Hand, Exact} {
			st := m.Exercise()
			first := m.Run(st, mode)
			for i := 0; i < 50; i++ {
				if _, ok := Update(m, st, mode, lr); !ok {
					t.Fatalf("%s/%s: update %d refused at lr %v", m.Info().Slug, mode, i, lr)
				}
			}
			last := m.Run(st, mode)
			if len(first.Phases) > 1 {
				continue // a GAN's two losses pull against each other
			}
			if !(TotalLoss(last) < TotalLoss(first)) {
				t.Errorf("%s/%s: loss %v → %v at lr %v", m.Info().Slug, mode, TotalLoss(first), TotalLoss(last), lr)
			}
		}
	}
}

// TestMatrixOncePerStep: a step shows each matrix at most once, so a page
// can name every cell by step, matrix, row and column.
func TestMatrixOncePerStep(t *testing.T) {
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Hand, Exact} {
			for _, s := range m.Run(m.Exercise(), mode).Steps {
				seen := map[string]bool{}
				for _, x := range s.Matrices {
					if seen[x.ID] {
						t.Errorf("%s/%s: step %s shows %s twice", m.Info().Slug, mode, s.ID, x.ID)
					}
					seen[x.ID] = true
				}
			}
		}
	}
}
