package ui

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
)

// A learning rate of 10 sends a walkthrough's loss away (the
// autoencoder's to 4e+204 in 50 updates, unchecked): the run stops, says
// so, keeps the last state whose loss was in bounds, and one undo takes
// the whole run back. A walkthrough whose loss stays in bounds at that
// rate runs to the end.
func TestTrainingDivergenceStops(t *testing.T) {
	for _, m := range testModels(t) {
		s := NewSession(m, engine.Exact)
		start, _ := s.Loss()
		before := s.Page.Exercise.Clone()
		s.SetLR(10)
		s.BeginRun()
		done, ok := s.Train(300, time.Time{})
		s.Commit()
		if ok || !s.Diverged {
			if m.Info().Slug == "autoencoder" {
				t.Errorf("autoencoder: 300 updates at learning rate 10 ran to the end")
			}
			for _, l := range s.Losses {
				if !(l <= divergeFactor*math.Max(start, 0.01)) {
					t.Errorf("%s: ran to the end through a loss of %v (from %v)", m.Info().Slug, l, start)
					break
				}
			}
			continue
		}
		l, defined := s.Loss()
		if !defined || math.IsInf(l, 0) || l > divergeFactor*math.Max(start, 0.01) {
			t.Errorf("%s: stopped at loss %v (defined %v), from %v", m.Info().Slug, l, defined, start)
		}
		if len(s.Losses) != done {
			t.Errorf("%s: %d losses recorded for %d updates", m.Info().Slug, len(s.Losses), done)
		}
		// A run taken back whole by the divergence leaves nothing to undo.
		if !s.Page.Exercise.Equal(before) && (!s.Undo() || !s.Page.Exercise.Equal(before)) {
			t.Errorf("%s: one undo does not take the run back", m.Info().Slug)
		}
	}
}

// At each model's own learning rate, training runs to the end.
func TestTrainingAtDefaultRateDoesNotDiverge(t *testing.T) {
	for _, m := range testModels(t) {
		s := NewSession(m, engine.Hand)
		s.BeginRun()
		if done, ok := s.Train(300, time.Time{}); !ok || done != 300 || s.Diverged {
			t.Errorf("%s: %d of 300 updates, ok %v, diverged %v", m.Info().Slug, done, ok, s.Diverged)
		}
	}
}

func TestLossCurveAxes(t *testing.T) {
	linear := map[string][]float64{"loss.total": {9, 7, 5, 4}}
	svg := curveSVG(linear, []string{"loss.total"}, i18n.EN)
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Fatalf("not XML: %v\n%s", err, svg)
	}
	for _, want := range []string{">9<", ">4<", ">6.5<", ">1<", ">4<", "update"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the linear curve lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "log scale") {
		t.Error("a curve within one order of magnitude is on a log scale")
	}
	wide := map[string][]float64{"D": {1000, 10, 0.5}, "G": {2, 1, 0.05}}
	svg = curveSVG(wide, []string{"D", "G"}, i18n.EN)
	if !strings.Contains(svg, "log scale") || !strings.Contains(svg, ">0.01<") || !strings.Contains(svg, ">1000<") {
		t.Errorf("a curve over five orders of magnitude is not on a log scale with decades:\n%s", svg)
	}
	if strings.Count(svg, "<polyline") != 2 {
		t.Error("not one line per curve")
	}
	if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Error("NaN or Inf in the curve")
	}
}
