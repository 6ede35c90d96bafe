package i18n

import (
	"strings"
	"testing"

	"github.com/byhand/byhand/engine"
)

// TestEveryModelTextInBothLanguages walks every model's trace in both modes
// and checks that each message key it uses is in the catalog in every
// language.
func TestEveryModelTextInBothLanguages(t *testing.T) {
	for _, m := range engine.Models() {
		info := m.Info()
		keys := []string{info.Title, info.Blurb}
		for _, mode := range []engine.Mode{engine.Hand, engine.Exact} {
			tr := m.Run(m.Exercise(), mode)
			for _, s := range tr.Steps {
				keys = append(keys, s.Title, s.Text)
				if s.Note != "" {
					keys = append(keys, s.Note)
				}
				if s.Undefined != "" {
					keys = append(keys, s.Undefined)
				}
			}
			for _, l := range tr.Losses {
				keys = append(keys, l.Name)
			}
		}
		for _, k := range keys {
			for _, lang := range Langs {
				if !Has(lang, k) {
					t.Errorf("%s: no %s message for %q", info.Slug, lang, k)
				}
			}
		}
	}
}

// TestCatalogComplete checks that every key has both languages and that the
// Chinese text is not a copy of the English.
func TestCatalogComplete(t *testing.T) {
	for _, k := range Keys() {
		en, zh := catalog[EN][k], catalog[ZH][k]
		if en == "" || zh == "" {
			t.Errorf("%q lacks a language", k)
			continue
		}
		if en == zh && strings.ContainsAny(en, "abcdefghijklmnopqrstuvwxyz") && len(en) > 12 {
			t.Errorf("%q: Chinese text is a copy of the English", k)
		}
	}
}

func TestFallback(t *testing.T) {
	if got := T(ZH, "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key shows %q", got)
	}
}
