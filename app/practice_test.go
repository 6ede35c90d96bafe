package ui

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
)

// practiceModels are the walkthroughs the generic practice tests check:
// every one, or those BYHAND_MODELS names, which the test says loudly.
func practiceModels(t *testing.T) []engine.Model {
	t.Helper()
	only := os.Getenv("BYHAND_MODELS")
	if only == "" {
		return engine.Models()
	}
	var out []engine.Model
	for _, slug := range strings.Split(only, ",") {
		m := engine.Lookup(strings.TrimSpace(slug))
		if m == nil {
			t.Fatalf("BYHAND_MODELS names %q, which is not registered", slug)
		}
		out = append(out, m)
	}
	t.Logf("CHECKING ONLY %d OF %d MODELS (BYHAND_MODELS=%s)", len(out), len(engine.Models()), only)
	return out
}

// TestPracticeCarryShowsEntries: with carry, the steps after a wrong
// entry are computed from the right number, but wherever the page shows
// a blank's cell again, in a later step or in a view of it (a transpose),
// it shows the entry: every blank of every walkthrough entered wrong, no
// cell shows a blank's answer, and none explains it.
func TestPracticeCarryShowsEntries(t *testing.T) {
	for _, m := range practiceModels(t) {
		name := m.Info().Slug
		p := pagestate.Default(m)
		plain := m.Run(p.Exercise.Clone(), p.Mode)
		p.Practice = pagestate.Practice{Scope: engine.ScopeAll, Carry: true, Entries: engine.Entries{}}
		answers := map[engine.CellRef]float64{}
		for _, ref := range engine.Blanks(plain, engine.ScopeAll, 1) {
			if v := plain.Matrix(ref.Matrix).At(ref.Row, ref.Col); !math.IsNaN(v) && !math.IsInf(v, 0) {
				answers[ref] = v
				p.Practice.Entries[ref] = v + 1 + math.Abs(v) // wrong, and written differently
			}
		}
		s := OpenSession(m, p)
		for _, v := range s.Views {
			for _, mv := range v.Matrices {
				tm := s.Trace.Matrix(mv.ID)
				for r, row := range mv.Cells {
					for c, cv := range row {
						// The blank this cell shows: its own, or the one a
						// view's cell is.
						ref := engine.CellRef{Matrix: mv.ID, Row: r, Col: c}
						if tm != nil && tm.ViewOf() != "" {
							if e, ok := tm.Explain(r, c); ok && len(e.Sources) == 1 {
								ref = e.Sources[0]
							}
						}
						want, blank := answers[ref]
						if !blank || cv.Blank {
							continue
						}
						if entry := engine.Format(p.Practice.Entries[ref]); cv.Text != entry {
							t.Errorf("%s: step %s shows %s[%d,%d] (blank %v) as %q, not the entry %s (the answer is %s)",
								name, v.ID, mv.ID, r+1, c+1, ref, cv.Text, entry, engine.Format(want))
						}
						if text, _, ok := s.explainText(cellKey{mv.ID, r, c}); ok && ref != (engine.CellRef{Matrix: mv.ID, Row: r, Col: c}) {
							t.Errorf("%s: step %s explains %s[%d,%d], a view of blank %v: %q", name, v.ID, mv.ID, r+1, c+1, ref, text)
						}
					}
				}
			}
		}
	}
}
