package ui

import (
	"strings"
	"testing"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// A step's worked example is shown as its own paragraph while the numbers
// are the default exercise's, and never in a practiced step with blanks.

// workedSrc is a two-layer walkthrough whose two layers work their
// default numbers through.
const workedSrc = `slug = "worked-two"
group = "basics"
title = { en = "Two layers", zh = "两层" }
blurb = { en = "Two layers.", zh = "两层。" }

[[var]]
id = "X"
data = [[1, 2], [0, 1]]

[[var]]
id = "W1"
role = "parameter"
train = true
data = [[1, -1, 0], [0, 1, -1]]

[[var]]
id = "W2"
role = "parameter"
train = true
data = [[1, 1, 0]]

[[var]]
id = "T"
role = "target"
data = [[1, 0]]

[[step]]
id = "l1"
op = "linear"
in = ["W1", "X"]
out = "H"
relu = true
title = { en = "Layer 1", zh = "第 1 层" }
text = { en = "Multiply, then ReLU.", zh = "相乘，再做 ReLU。" }
worked = { en = "H₁₁ = 1·1 − 1·0 + 0 = 1.", zh = "H₁₁ = 1·1 − 1·0 + 0 = 1。" }

[[step]]
id = "l2"
op = "linear"
in = ["W2", "H"]
out = "Y"
title = { en = "Layer 2", zh = "第 2 层" }
text = { en = "Multiply.", zh = "相乘。" }
worked = { en = "Y₁ = 1·1 + 1·0 + 0 = 1.", zh = "Y₁ = 1·1 + 1·0 + 0 = 1。" }

[[step]]
id = "loss"
op = "squared_error"
in = ["Y", "T"]
label = { en = "loss", zh = "损失" }
title = { en = "Loss", zh = "损失" }
text = { en = "Square.", zh = "平方。" }
`

func workedModel(t *testing.T) engine.Model {
	t.Helper()
	m, probs := engine.LoadOpened(workedSrc)
	if probs != nil {
		t.Fatal(probs)
	}
	return m
}

// workedShown returns the ids of the steps whose card draws a worked
// example, checking that it is the paragraph after the text and before
// the note.
func workedShown(t *testing.T, s *Session) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for i, v := range s.Views {
		html := app.HTMLString(&StepCard{Index: i, Shape: v.Shape, Lang: i18n.EN, Session: s, Current: true})
		// The paragraph is always there (the card's children do not move),
		// hidden and empty when the example is not true.
		if !strings.Contains(html, `class="step-worked`) {
			t.Errorf("step %s: the card has no worked-example paragraph, hidden or not", v.ID)
		}
		at := strings.Index(html, `class="step-worked"`)
		if (at >= 0) != (v.Worked != "") {
			t.Errorf("step %s: view has worked %q, card draws it: %v", v.ID, v.Worked, at >= 0)
		}
		if at < 0 {
			continue
		}
		out[v.ID] = true
		if text := strings.Index(html, `class="step-text"`); text < 0 || text > at {
			t.Errorf("step %s: the worked example is not after the text", v.ID)
		}
		if note := strings.Index(html, `class="step-note"`); note >= 0 && note < at {
			t.Errorf("step %s: the worked example is after the note", v.ID)
		}
		if !strings.Contains(html, i18n.T(i18n.EN, v.Worked)) {
			t.Errorf("step %s: the card does not say %q", v.ID, i18n.T(i18n.EN, v.Worked))
		}
	}
	return out
}

func TestWorkedShownOnDefaultHiddenAfterEdit(t *testing.T) {
	s := NewSession(workedModel(t), engine.Hand)
	if got := workedShown(t, s); !got["l1"] || !got["l2"] || len(got) != 2 {
		t.Fatalf("default page shows the worked examples of %v, want l1 and l2", got)
	}
	// An edit of W2 reaches layer 2, not layer 1: its card redraws.
	shape := viewOf(s, "l2").Shape
	if err := s.Set("W2", 0, 0, 2); err != nil {
		t.Fatal(err)
	}
	if got := workedShown(t, s); !got["l1"] || got["l2"] {
		t.Errorf("after an edit of W2, the worked examples of %v are shown, want l1 only", got)
	}
	if viewOf(s, "l2").Shape == shape {
		t.Error("layer 2's worked example went, and its card's shape did not change")
	}
	// Back to the default numbers, back it comes.
	if !s.Undo() {
		t.Fatal("nothing to undo")
	}
	if got := workedShown(t, s); !got["l2"] {
		t.Errorf("after undo, the worked examples of %v are shown, want l1 and l2", got)
	}
	// An edit upstream takes both.
	if err := s.Set("X", 0, 0, 2); err != nil {
		t.Fatal(err)
	}
	if got := workedShown(t, s); len(got) != 0 {
		t.Errorf("after an edit of X, the worked examples of %v are shown", got)
	}
	s.Reset()
	// New numbers: not the default exercise's.
	if !s.NewNumbers(3) {
		t.Fatal("no exercise 3")
	}
	if got := workedShown(t, s); len(got) != 0 {
		t.Errorf("exercise 3 shows the worked examples of %v", got)
	}
}

func TestWorkedNeverInPracticedSteps(t *testing.T) {
	tiny := workedModel(t)
	for _, m := range append([]engine.Model{tiny}, testModels(t)...) {
		s := NewSession(m, engine.Hand)
		for _, scope := range []engine.Scope{engine.ScopeForward, engine.ScopeAll, engine.ScopeRandom} {
			s.SetPractice(scope)
			// Empty, then every blank of the first step entered right,
			// and with carry.
			check := func(when string) {
				shown := map[string]bool{}
				if m == tiny {
					shown = workedShown(t, s) // drawn, too
				}
				for _, v := range s.Views {
					if v.Worked != "" {
						shown[v.ID] = true
					}
				}
				for id := range shown {
					if s.Tallies[id].Blanks > 0 {
						t.Errorf("%s/%v %s: step %s has blanks and shows its worked example", m.Info().Slug, scope, when, id)
					}
				}
			}
			check("empty")
			if bl := s.Practice.Blanks(); len(bl) > 0 {
				s.Reveal(bl...)
				check("all revealed")
				s.SetCarry(true)
				check("carry")
				s.SetCarry(false)
			}
			s.SetPractice(engine.ScopeOff)
		}
	}
}

func TestWorkedOnWorksheets(t *testing.T) {
	m := workedModel(t)
	o := DefaultSheetOptions()
	o.Scope = engine.ScopeRandom
	for _, n := range []uint64{0, 1, 2} {
		work, key, ok := buildSheets(m, o, n)
		if !ok {
			t.Fatalf("no exercise %d", n)
		}
		for _, sh := range []sheet{work, key} {
			for _, v := range sh.Steps {
				if v.Worked != "" && (n != 0 || v.Tally.Blanks > 0) {
					t.Errorf("sheet %d (key %v): step %s prints its worked example", n, sh.Key, v.ID)
				}
			}
		}
	}
}

// TestWorkedHiddenOnNewNumbers: every worked example of every built-in
// walkthrough shows on its default page, and none after New numbers, in
// either mode.
func TestWorkedHiddenOnNewNumbers(t *testing.T) {
	for _, m := range testModels(t) {
		for _, mode := range []engine.Mode{engine.Hand, engine.Exact} {
			s := NewSession(m, mode)
			for _, seed := range []uint64{0, 1, 2, 0} {
				if !s.NewNumbers(seed) {
					t.Fatalf("%s: no exercise %d", m.Info().Slug, seed)
				}
				for i, st := range s.Trace.Steps {
					if want := map[bool]string{true: st.Worked}[seed == 0]; s.Views[i].Worked != want {
						t.Errorf("%s/%s exercise %d: step %s shows worked example %q, want %q", m.Info().Slug, mode, seed, st.ID, s.Views[i].Worked, want)
					}
				}
			}
		}
	}
}
