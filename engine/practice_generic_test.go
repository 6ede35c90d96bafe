package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// These practice tests hold for every walkthrough (BYHAND_MODELS narrows
// them, loudly; see testModels).

// dependents maps each cell of a trace to the computed cells that read it,
// by the sources each computed cell names (views included).
func dependents(tr *Trace) map[CellRef][]CellRef {
	out := map[CellRef][]CellRef{}
	for _, s := range tr.Steps {
		for _, id := range s.Produces {
			m := tr.Matrix(id)
			r, c := m.Dims()
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					e, _ := m.Explain(i, j)
					for _, src := range e.Sources {
						out[src] = append(out[src], CellRef{id, i, j})
					}
				}
			}
		}
	}
	return out
}

// reach returns the cells computed, directly or not, from cell ref.
func reach(deps map[CellRef][]CellRef, ref CellRef) map[CellRef]bool {
	seen := map[CellRef]bool{ref: true}
	todo := []CellRef{ref}
	for len(todo) > 0 {
		x := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, d := range deps[x] {
			if !seen[d] {
				seen[d] = true
				todo = append(todo, d)
			}
		}
	}
	return seen
}

// allBlankable returns every cell Blanks can give, in step order.
func allBlankable(tr *Trace) []CellRef { return Blanks(tr, ScopeAll, 0) }

// compareUnknown checks a practice run in which blank is empty against
// the plain run: exactly the cells computed from blank (by their sources)
// are not numbers, every other cell is as in the plain run, and the steps
// are undefined or wait exactly as in the plain run.
func compareUnknown(t *testing.T, name string, plain *Trace, pt *PracticeTrace, unknown map[CellRef]bool) {
	t.Helper()
	bad := 0
	for _, s := range plain.Steps {
		ps := pt.Step(s.ID)
		if ps == nil {
			t.Errorf("%s: the practice run has no step %s", name, s.ID)
			return
		}
		if ps.Undefined != s.Undefined || ps.WaitsOn != s.WaitsOn {
			t.Errorf("%s: step %s is undefined %q, waits on %q; the plain run: %q, %q", name, s.ID, ps.Undefined, ps.WaitsOn, s.Undefined, s.WaitsOn)
		}
		for _, id := range s.Produces {
			m, pm := plain.Matrix(id), pt.Matrix(id)
			r, c := m.Dims()
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					ref := CellRef{id, i, j}
					got, want := pm.At(i, j), m.At(i, j)
					switch {
					case unknown[ref] && !math.IsNaN(got):
						t.Errorf("%s: %v (step %s) is computed from the empty cell but is %g", name, ref, s.ID, got)
						bad++
					case !unknown[ref] && got != want && !(math.IsNaN(got) && math.IsNaN(want)):
						t.Errorf("%s: %v (step %s) is not computed from the empty cell but is %g, not %g", name, ref, s.ID, got, want)
						bad++
					}
					if bad > 5 {
						t.Fatalf("%s: too many differences", name)
					}
				}
			}
		}
	}
}

// someCellOfEachStep returns one computed cell of each step of tr that
// has any, drawn by rng: every op of the walkthrough, forward and
// backward, gets one.
func someCellOfEachStep(tr *Trace, rng *rand.Rand) []CellRef {
	var out []CellRef
	for _, s := range tr.Steps {
		if cells := stepCells(tr, s); len(cells) > 0 {
			out = append(out, cells[rng.IntN(len(cells))])
		}
	}
	return out
}

// TestPracticeEmptyCellSpreads blanks one computed cell of every step at
// a time, forward and backward, and works the walkthrough through with no
// entries: exactly the cells computed from it, by their formulas'
// sources, are unknown (NaN), every other number is as in the plain run,
// and no step is undefined that the plain run does not make undefined.
// The blank itself checks as it should: its number is expected, a wrong
// entry gets the hint its explanation gives (sources, sum, and a row and
// a column that hold the sources they name), and the page's trace does
// not explain it. Each walkthrough in each mode, on its default exercise
// and on a random defined one (the branches an op takes differ); under
// wasm, a quarter of the steps (they say so).
func TestPracticeEmptyCellSpreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, m := range testModels(t) {
		t.Run(m.Info().Slug, func(t *testing.T) {
			for _, mode := range []Mode{Hand, Exact} {
				emptyCellSpreads(t, m, m.Exercise(), mode, "default", rng)
				forDefined(t, m, mode, 1, rng, randomize, func(st *State) {
					emptyCellSpreads(t, m, st, mode, "random", rng)
				})
			}
		})
	}
}

func emptyCellSpreads(t *testing.T, m Model, st *State, mode Mode, exercise string, rng *rand.Rand) {
	t.Helper()
	plain := m.Run(st, mode)
	if !plain.Defined() {
		t.Fatalf("%s/%s: the exercise is undefined", mode, exercise)
	}
	deps := dependents(plain)
	cells := someCellOfEachStep(plain, rng)
	if n := draws(len(cells)); n < len(cells) {
		rng.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
		cells = cells[:n]
		t.Logf("%s/%s: CHECKING %d OF %d STEPS", mode, exercise, n, len(plain.Steps))
	}
	for _, ref := range cells {
		name := fmt.Sprintf("%s/%s blank %v", mode, exercise, ref)
		pt := Practice(m, st, mode, []CellRef{ref}, nil, false)
		compareUnknown(t, name, plain, pt, reach(deps, ref))
		checkHint(t, name, plain, pt, ref)
		if t.Failed() {
			t.FailNow()
		}
	}
}

// checkHint checks blank cell ref of pt (its only blank, empty) against
// the plain run.
func checkHint(t *testing.T, name string, plain *Trace, pt *PracticeTrace, ref CellRef) {
	t.Helper()
	want := plain.Matrix(ref.Matrix).At(ref.Row, ref.Col)
	if got, ok := pt.Expected(ref); !ok || got != want {
		t.Errorf("%s: Expected = %g, %v; the plain run has %g", name, got, ok, want)
	}
	if v := pt.Check(ref, want); !v.Right {
		t.Errorf("%s: its own number %g is not right: %+v", name, want, v)
	}
	if e, _ := pt.Explain(ref.Matrix, ref.Row, ref.Col); e.Formula != "" || e.Sources != nil {
		t.Errorf("%s: the page's trace explains the blank: %q", name, e.Formula)
	}
	v := pt.Check(ref, want+1+math.Abs(want))
	e, _ := plain.Explain(ref.Matrix, ref.Row, ref.Col)
	if v.Right || v.Unknown || v.Sum != e.Terms() || !reflect.DeepEqual(v.Sources, e.Sources) {
		t.Errorf("%s: a wrong entry gets %+v; the plain run explains %q from %v", name, v, e.Formula, e.Sources)
	}
	for _, l := range []*Line{v.Row, v.Col} {
		if l == nil {
			continue
		}
		n := 0
		for _, s := range v.Sources {
			if s.Matrix != l.Matrix {
				continue
			}
			n++
			at := s.Row
			if l.Key == "practice.column" {
				at = s.Col
			}
			if at != l.N-1 {
				t.Errorf("%s: %s names %v, outside it", name, l.Text("en"), s)
			}
		}
		if n == 0 || pt.Matrix(l.Matrix) == nil {
			t.Errorf("%s: %s names no source", name, l.Text("en"))
		}
	}
}

// statesANumber reports whether text ends by stating a number: "= 0",
// "→ 1", ": 0.5" (a result), as a sum must not.
func statesANumber(text string) bool {
	at, size := -1, 0
	for _, mark := range []string{"=", "→", ":"} {
		if i := strings.LastIndex(text, mark); i > at {
			at, size = i, len(mark)
		}
	}
	if at < 0 {
		return false
	}
	_, err := ParseNumber(strings.TrimSpace(text[at+size:]))
	return err == nil
}

// TestPracticeSumNeverTheAnswer: for every cell a blank can be, in every
// walkthrough and both modes, "show the sum" (Explanation.Terms) is not
// empty; it is the formula without its result (the formula is its terms,
// " = " and the cell's number, unless the cell gives its terms itself);
// it does not end by stating a number; and it does not change when the
// cell's own number does (it is made from the cells the cell is computed
// from, never from the answer). A term equal to the answer (0·1 + 1·0 + 0
// for 0) is no answer: the sum still has to be added up.
func TestPracticeSumNeverTheAnswer(t *testing.T) {
	const other = 98765.4321 // a number no default exercise has
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Hand, Exact} {
			tr := m.Run(m.Exercise(), mode)
			for _, ref := range allBlankable(tr) {
				mx := tr.Matrix(ref.Matrix)
				e, _ := mx.Explain(ref.Row, ref.Col)
				sum, v := e.Terms(), mx.At(ref.Row, ref.Col)
				name := fmt.Sprintf("%s/%s %v (%q)", m.Info().Slug, mode, ref, e.Formula)
				switch {
				case sum == "":
					t.Errorf("%s: no sum", name)
				case e.terms == "" && e.Formula != sum+" = "+result(v):
					t.Errorf("%s: the formula is not its terms and its result %q", name, result(v))
				case statesANumber(sum):
					t.Errorf("%s: the sum %q states a number", name, sum)
				}
				var before float64
				mx.Data.Set(ref.Row, ref.Col, other)
				if mx.Before != nil {
					before = mx.Before.At(ref.Row, ref.Col)
					mx.Before.Set(ref.Row, ref.Col, other)
				}
				e2, _ := mx.Explain(ref.Row, ref.Col)
				mx.Data.Set(ref.Row, ref.Col, v)
				if mx.Before != nil {
					mx.Before.Set(ref.Row, ref.Col, before)
				}
				if e2.Terms() != sum || strings.Contains(e2.Terms(), Format(other)) {
					t.Errorf("%s: the sum reads the cell's own number: %q, and %q when the cell holds %g", name, sum, e2.Terms(), other)
				}
			}
		}
	}
}

// TestPracticeRandomEntries draws random practice sessions until it has
// its full count of valid ones (a defined exercise, at least one entry and
// at least one blank whose number can be known): a walkthrough, a mode,
// an exercise (the default one or a random one of small numbers), a
// scope, entries in about half the blanks (right or off by a little) and
// carry on or off. In each:
//
//   - an empty blank holds NaN, and an entered one its entry (with
//     carry, its right number: every number the trace shows is then the
//     plain run's);
//   - Expected of a blank is the number that cell holds when it is not a
//     blank and everything else is as it was (checked for three blanks);
//   - when every entry is right, no step is undefined and none is wrong;
//   - Progress adds up.
func TestPracticeRandomEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	models := testModels(t)
	want := draws(60)
	found, tries := 0, 0
	for found < want {
		if tries == maxDrawsPer*want {
			t.Fatalf("only %d of %d valid practice sessions after %d draws", found, want, tries)
		}
		tries++
		m := models[rng.IntN(len(models))]
		mode := []Mode{Hand, Exact}[rng.IntN(2)]
		st := m.Exercise()
		if rng.IntN(2) == 0 {
			drawPlain(st, rng)
		}
		plain := m.Run(st, mode)
		if !plain.Defined() {
			continue
		}
		scope := []Scope{ScopeForward, ScopeAll, ScopeRandom}[rng.IntN(3)]
		blanks := Blanks(plain, scope, rng.Uint64())
		entries, allRight := Entries{}, true
		for _, b := range blanks {
			if rng.IntN(2) == 0 {
				continue
			}
			v := plain.Matrix(b.Matrix).At(b.Row, b.Col)
			if rng.IntN(3) == 0 {
				v += float64(rng.IntN(5) - 2)
			}
			entries[b] = v
		}
		carry := rng.IntN(2) == 0
		pt := Practice(m, st, mode, blanks, entries, carry)
		name := fmt.Sprintf("%s/%s scope %d, %d blanks, %d entered, carry %v", m.Info().Slug, mode, scope, len(blanks), len(entries), carry)
		var known []CellRef
		for _, b := range pt.Blanks() {
			got := pt.Matrix(b.Matrix).At(b.Row, b.Col)
			e, entered := entries[b]
			want, ok := pt.Expected(b)
			switch {
			case !entered && !math.IsNaN(got):
				t.Fatalf("%s: the empty blank %v holds %g", name, b, got)
			case entered && !carry && got != e:
				t.Fatalf("%s: the blank %v holds %g, not its entry %g", name, b, got, e)
			case entered && carry && ok && got != want:
				t.Fatalf("%s: with carry, %v holds %g, not its right number %g", name, b, got, want)
			}
			if ok {
				known = append(known, b)
				allRight = allRight && (!entered || Agrees(e, want))
			}
		}
		if len(entries) == 0 || len(known) == 0 {
			continue
		}
		found++
		if carry {
			for _, s := range plain.Steps {
				for _, id := range s.Produces {
					pm, m := pt.Matrix(id), plain.Matrix(id)
					r, c := m.Dims()
					for i := 0; i < r; i++ {
						for j := 0; j < c; j++ {
							if got := pm.At(i, j); !math.IsNaN(got) && got != m.At(i, j) {
								t.Fatalf("%s: with carry, %s[%d,%d] = %g, the plain run %g", name, id, i, j, got, m.At(i, j))
							}
						}
					}
				}
			}
		}
		for k := 0; k < 3; k++ {
			b := pt.Blanks()[rng.IntN(len(pt.Blanks()))]
			var others []CellRef
			for _, x := range blanks {
				if x != b {
					others = append(others, x)
				}
			}
			rest := Entries{}
			for x, v := range entries {
				if x != b {
					rest[x] = v
				}
			}
			ref := Practice(m, st, mode, others, rest, carry).Matrix(b.Matrix).At(b.Row, b.Col)
			got, ok := pt.Expected(b)
			if ok != !(math.IsNaN(ref) || math.IsInf(ref, 0)) || ok && got != ref {
				t.Fatalf("%s: Expected(%v) = %g, %v; worked through with it not blank, the cell holds %g", name, b, got, ok, ref)
			}
		}
		steps, total := pt.Progress(nil)
		var sum Tally
		for _, s := range steps {
			if s.Left() < 0 {
				t.Fatalf("%s: step %s counts more than its blanks: %+v", name, s.Step, s)
			}
			sum.Blanks += s.Blanks
			sum.Right += s.Right
			sum.Wrong += s.Wrong
			sum.Waiting += s.Waiting
		}
		if sum != total || total.Blanks != len(pt.Blanks()) || total.Left() != len(pt.Blanks())-len(entries) {
			t.Fatalf("%s: the steps' tallies %+v do not add up to the total %+v (%d blanks, %d entered)", name, sum, total, len(pt.Blanks()), len(entries))
		}
		if allRight {
			if total.Wrong != 0 {
				t.Fatalf("%s: every entry is right, yet %d are wrong", name, total.Wrong)
			}
			for _, s := range pt.Steps {
				if s.Undefined != "" || s.WaitsOn != "" {
					t.Fatalf("%s: every entry is right, yet step %s is undefined (%q, waits on %q)", name, s.ID, s.Undefined, s.WaitsOn)
				}
			}
		}
	}
	t.Logf("%d valid practice sessions in %d draws", found, tries)
}
