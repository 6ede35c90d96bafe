package ui

import (
	htmlpkg "html"
	"strings"
	"testing"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// These tests render components to HTML, natively and under
// GOOS=js GOARCH=wasm with Node.

func TestStepCardRendersEveryCell(t *testing.T) {
	for _, m := range testModels(t) {
		s := NewSession(m, engine.Hand)
		for i, v := range s.Views {
			html := app.HTMLString(&StepCard{Index: i, Shape: v.Shape, Lang: i18n.EN, Session: s, Current: true})
			if !strings.Contains(html, `data-step="`+v.ID+`"`) {
				t.Fatalf("%s/%s: no data-step", m.Info().Slug, v.ID)
			}
			for _, mx := range v.Matrices {
				for i := range mx.Cells {
					for j := range mx.Cells[i] {
						// Every cell is drawn, under its own id.
						if id := cellID(v.ID, mx.ID, i, j); !strings.Contains(html, `id="`+id+`"`) {
							t.Fatalf("%s/%s: no cell %s", m.Info().Slug, v.ID, id)
						}
					}
				}
			}
			if strings.Contains(html, "NaN") || strings.Contains(html, "Inf") {
				t.Fatalf("%s/%s renders NaN or Inf", m.Info().Slug, v.ID)
			}
			if !strings.Contains(html, htmlpkg.EscapeString(i18n.T(i18n.EN, v.Title))) {
				t.Fatalf("%s/%s: title missing", m.Info().Slug, v.ID)
			}
		}
	}
}

func TestProductStepDrawsOnesRowAndBiasColumn(t *testing.T) {
	s := aeSession(t)
	html := app.HTMLString(&StepCard{Index: 2, Lang: i18n.EN, Session: s})
	if strings.Count(html, `class="cell ones`) != 4 {
		t.Fatalf("want a row of four 1s under X")
	}
	if !strings.Contains(html, "bias") {
		t.Fatal("no bias column")
	}
	if !strings.Contains(html, "<s>") {
		t.Fatal("ReLU struck nothing out")
	}
	if !strings.Contains(html, `class="cell-input"`) {
		t.Fatal("W₁ is not editable")
	}
}

func TestStepCardSpeaksChinese(t *testing.T) {
	s := aeSession(t)
	html := app.HTMLString(&StepCard{Index: 2, Lang: i18n.ZH, Session: s})
	if !strings.Contains(html, i18n.T(i18n.ZH, "ae.enc1.title")) {
		t.Fatal("Chinese title missing")
	}
}

func TestHomeListsEveryModel(t *testing.T) {
	h := &Home{}
	h.OnInit()
	html := app.HTMLString(h)
	for _, m := range testModels(t) {
		if !strings.Contains(html, `href="`+m.Info().Slug+`"`) {
			t.Errorf("home page does not link %s", m.Info().Slug)
		}
	}
}

func TestModelPageShowsStepsUpToCurrent(t *testing.T) {
	p := &ModelPage{Slug: "autoencoder"}
	p.OnInit()
	html := app.HTMLString(p)
	if !strings.Contains(html, `data-step="given"`) || strings.Contains(html, `section class="step" data-step="enc1"`) {
		t.Fatal("first load should show step 1 only")
	}
	if !strings.Contains(html, `id="loss"`) || !strings.Contains(html, `data-v="89"`) {
		t.Fatal("the loss 89 is not shown")
	}
	missing := &ModelPage{Slug: "nope"}
	missing.OnInit()
	if !strings.Contains(app.HTMLString(missing), `id="notfound"`) {
		t.Fatal("unknown model page should say so")
	}
}

func TestParseThemeRejectsJunk(t *testing.T) {
	for in, want := range map[string]string{"dark": "dark", "light": "light", "": "system", "<script>": "system"} {
		if got := ParseTheme(in); got != want {
			t.Errorf("ParseTheme(%q) = %q", in, got)
		}
	}
}

func TestShapeIgnoresNumbersAndStrikes(t *testing.T) {
	s := aeSession(t)
	before := s.Views[2].Shape
	// W₁[1,1] from 1 to 2: H₁'s first row changes, nothing crosses zero.
	if err := s.Edit("W1", 0, 0, "2"); err != nil {
		t.Fatal(err)
	}
	if s.Views[2].Shape != before {
		t.Fatal("a change of numbers alone changed the shape")
	}
	// b₁[2] from −1 to 5: strikes vanish, and are patched like numbers.
	if err := s.Edit("W1", 1, 4, "5"); err != nil {
		t.Fatal(err)
	}
	if s.Views[2].Shape != before || s.Reshaped {
		t.Fatal("strikes alone changed the shape")
	}
	// An overflow makes steps undefined: that is a change of shape.
	if err := s.Edit("W1", 0, 0, "1e308"); err != nil {
		t.Fatal(err)
	}
	if !s.Reshaped {
		t.Fatal("an overflow did not change the shape")
	}
}
