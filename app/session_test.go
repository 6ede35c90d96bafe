package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
)

func aeSession(t *testing.T) *Session {
	t.Helper()
	m := engine.Lookup("autoencoder")
	if m == nil {
		t.Fatal("autoencoder not registered")
	}
	return NewSession(m, engine.Hand)
}

func cellText(s *Session, step, matrix string, r, c int) string {
	for _, v := range s.Views {
		if v.ID != step {
			continue
		}
		for _, m := range v.Matrices {
			if m.ID == matrix {
				return m.Cells[r][c].Text
			}
		}
	}
	return "<missing>"
}

func TestEditRecomputesDownstreamAndFlashesChangedCells(t *testing.T) {
	s := aeSession(t)
	if got := cellText(s, "enc1", "H1", 0, 0); got != "2" {
		t.Fatalf("H₁[1,1] = %s, want 2", got)
	}
	if err := s.Edit("W1", 0, 0, "2"); err != nil {
		t.Fatal(err)
	}
	if got := cellText(s, "enc1", "H1", 0, 0); got != "3" {
		t.Fatalf("after the edit H₁[1,1] = %s, want 3", got)
	}
	for _, v := range s.Views {
		for _, m := range v.Matrices {
			for i := range m.Cells {
				for j, c := range m.Cells[i] {
					// Only the first row of H₁ depends on W₁'s first row in step enc1.
					if v.ID == "enc1" && m.ID == "H1" && i != 0 && c.Flash != 0 {
						t.Errorf("H₁[%d,%d] flashed but did not change", i, j)
					}
				}
			}
		}
	}
	flashed := false
	for _, c := range s.Views[2].Matrices[2].Cells[0] {
		flashed = flashed || c.Flash != 0
	}
	if !flashed {
		t.Error("no cell of H₁'s first row flashed")
	}
	// The given samples did not change: no flash there.
	for _, row := range s.Views[0].Matrices[0].Cells {
		for _, c := range row {
			if c.Flash != 0 {
				t.Fatal("an unchanged input flashed")
			}
		}
	}
}

func TestBadEntriesChangeNothing(t *testing.T) {
	s := aeSession(t)
	before := s.Page.Exercise.Clone()
	views := s.Views
	for _, text := range []string{"abc", "", "NaN", "1e400", "Inf", "--1"} {
		if err := s.Edit("W1", 0, 0, text); err == nil {
			t.Errorf("Edit accepted %q", text)
		}
	}
	if !s.Page.Exercise.Equal(before) {
		t.Fatal("a refused entry changed the exercise")
	}
	if &views[0] != &s.Views[0] {
		t.Fatal("a refused entry recomputed the views")
	}
	if err := s.Set("W1", 0, 0, math.NaN()); err == nil {
		t.Fatal("Set accepted NaN")
	}
}

func TestViewsNeverShowNaNOrInf(t *testing.T) {
	for _, m := range testModels(t) {
		s := NewSession(m, engine.Exact)
		for _, v := range s.Page.Exercise.Vars {
			_ = s.Set(v.ID, 0, 0, 1e308)
		}
		for _, mode := range []engine.Mode{engine.Hand, engine.Exact} {
			s.SetMode(mode)
			for _, v := range s.Views {
				for _, mx := range v.Matrices {
					for _, row := range mx.Cells {
						for _, c := range row {
							for _, bad := range []string{"NaN", "Inf", "inf"} {
								if strings.Contains(c.Text, bad) || strings.Contains(c.Struck, bad) {
									t.Fatalf("%s: step %s shows %q", m.Info().Slug, v.ID, c.Text)
								}
							}
						}
					}
				}
			}
			if l, ok := s.Loss(); ok && (math.IsNaN(l) || math.IsInf(l, 0)) {
				t.Fatalf("%s: loss %v reported as a number", m.Info().Slug, l)
			}
		}
	}
}

func TestTrainLowersLossAndResetRestores(t *testing.T) {
	s := aeSession(t)
	s.SetMode(engine.Exact)
	first, _ := s.Loss()
	s.SetLR(0.002)
	done, ok := s.Train(100, time.Time{})
	if !ok || done != 100 {
		t.Fatalf("trained %d, ok %v", done, ok)
	}
	last, _ := s.Loss()
	if !(last < first) {
		t.Fatalf("loss %v → %v", first, last)
	}
	if len(s.Losses) != 100 || len(s.Curves["ae.loss.label"]) != 100 {
		t.Fatalf("curve has %d points", len(s.Losses))
	}
	s.Reset()
	if l, _ := s.Loss(); l != first {
		t.Fatalf("reset loss %v, want %v", l, first)
	}
	if len(s.Losses) != 0 {
		t.Fatal("reset kept the curve")
	}
}

func TestTrainStopsOnUndefined(t *testing.T) {
	s := aeSession(t)
	if err := s.Set("W3", 0, 0, 1e308); err != nil {
		t.Fatal(err)
	}
	before := s.Page.Exercise.Clone()
	s.SetLR(0.01)
	if done, ok := s.Train(5, time.Time{}); ok || done != 0 {
		t.Fatalf("trained %d steps on an undefined exercise", done)
	}
	if !s.Page.Exercise.Equal(before) {
		t.Fatal("a refused update changed the exercise")
	}
	if _, ok := s.Loss(); ok {
		t.Fatal("undefined loss reported as a number")
	}
}

func TestPicturesFollowNumbers(t *testing.T) {
	s := aeSession(t)
	p := s.Views[0].Matrices[0].Picture
	if p == nil || len(p.Images) != 4 || len(p.Images[0]) != 4 {
		t.Fatalf("X should draw as four 2×2 tiles, got %+v", p)
	}
	// X₁ = [1 0 1 0] on a 0..2 scale: grey, black, grey, black.
	want := []uint8{128, 0, 128, 0}
	for i, g := range p.Images[0] {
		if g != want[i] {
			t.Fatalf("X₁ tile = %v, want %v", p.Images[0], want)
		}
	}
	if err := s.Edit("X", 1, 0, "2"); err != nil {
		t.Fatal(err)
	}
	if g := s.Views[0].Matrices[0].Picture.Images[0][1]; g != 255 {
		t.Fatalf("after the edit the pixel is %d, want 255", g)
	}
}

// TestPartialRecomputeMatchesFull: after an edit, the views rebuilt only
// for the steps downstream of it equal views rebuilt from scratch.
func TestPartialRecomputeMatchesFull(t *testing.T) {
	for _, m := range testModels(t) {
		for _, mode := range []engine.Mode{engine.Hand, engine.Exact} {
			s := NewSession(m, mode)
			for _, v := range s.Page.Exercise.Vars {
				r, c := v.Data.Dims()
				if err := s.Set(v.ID, r-1, c-1, v.Data.At(r-1, c-1)+1); err != nil {
					t.Fatal(err)
				}
				full := NewSession(m, mode)
				full.Page.Exercise = s.Page.Exercise.Clone()
				full.recompute()
				for i := range s.Views {
					if !sameView(s.Views[i], full.Views[i]) {
						t.Fatalf("%s/%s: after editing %s, step %s differs from a full recompute",
							m.Info().Slug, mode, v.ID, s.Views[i].ID)
					}
				}
			}
		}
	}
}

// sameView compares two views' numbers, strikes, pictures and shape.
func sameView(a, b StepView) bool {
	if a.Shape != b.Shape || len(a.Matrices) != len(b.Matrices) {
		return false
	}
	for k := range a.Matrices {
		ma, mb := a.Matrices[k], b.Matrices[k]
		for i := range ma.Cells {
			for j := range ma.Cells[i] {
				if ma.Cells[i][j].Text != mb.Cells[i][j].Text || ma.Cells[i][j].Struck != mb.Cells[i][j].Struck {
					return false
				}
			}
		}
		if (ma.Picture == nil) != (mb.Picture == nil) || (ma.Picture != nil && !samePixels(ma.Picture, mb.Picture)) {
			return false
		}
	}
	return true
}

// TestStepsOutOfSightComeUpToDate: with every step but the current one out
// of sight, an edit leaves their views stale; each comes up to date when
// drawn (View) or when the page is idle (Refresh), with the numbers and
// flashes an eager recompute gives, on every walkthrough.
func TestStepsOutOfSightComeUpToDate(t *testing.T) {
	for _, m := range testModels(t) {
		t.Run(m.Info().Slug, func(t *testing.T) {
			lazy, eager := NewSession(m, engine.Hand), NewSession(m, engine.Hand)
			lazy.OutOfSight = func() map[string]bool {
				out := map[string]bool{}
				for _, v := range lazy.Views {
					out[v.ID] = true
				}
				return out
			}
			v := m.Exercise().Vars[0]
			x := v.Data.At(0, 0) + 1
			for _, s := range []*Session{lazy, eager} {
				if err := s.Set(v.ID, 0, 0, x); err != nil {
					t.Fatal(err)
				}
			}
			stale := lazy.stale()
			affected := len(eager.Trace.Downstream(v.ID))
			if stale == 0 && affected > 1 {
				t.Fatalf("an edit of %s reaches %d steps, and none was left for later", v.ID, affected)
			}
			if lazy.Views[lazy.Page.Step].stale {
				t.Error("the current step was left stale")
			}
			for i := range lazy.Views {
				if lazy.Views[i].Shape != eager.Views[i].Shape {
					t.Errorf("step %s: shape %q before it is brought up to date, want %q", lazy.Views[i].ID, lazy.Views[i].Shape, eager.Views[i].Shape)
				}
			}
			// One step drawn now, the rest when idle.
			last := len(lazy.Views) - 1
			lazy.View(last)
			if left := lazy.Refresh(time.Hour); left != 0 {
				t.Fatalf("%d views left after an unbounded refresh", left)
			}
			for i := range lazy.Views {
				a, b := lazy.Views[i], eager.Views[i]
				for k := range a.Matrices {
					for r := range a.Matrices[k].Cells {
						for c := range a.Matrices[k].Cells[r] {
							ca, cb := a.Matrices[k].Cells[r][c], b.Matrices[k].Cells[r][c]
							if ca.Text != cb.Text || ca.Struck != cb.Struck || (ca.Flash != 0) != (cb.Flash != 0) {
								t.Fatalf("step %s %s[%d,%d]: %+v, want %+v", a.ID, a.Matrices[k].ID, r, c, ca, cb)
							}
						}
					}
				}
			}
		})
	}
}
