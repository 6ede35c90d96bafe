package engine_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
)

// TestEveryStepTextInCatalog reads the message keys of every step the
// engine traces, in both modes, on the default exercises and on plain
// random ones (entries integers and halves in [−3, 3]), which also reach
// the undefined steps: the overflow of 3ˣ on paper, a sum that underflows,
// a σ ≤ 0. Every key must have a text in every language, and no text may
// write a power with "^" or a subscript with "_".
func TestEveryStepTextInCatalog(t *testing.T) {
	t.Parallel()
	keys := map[string]string{} // key → where it was first seen
	for _, m := range engine.Models() {
		rng := rand.New(rand.NewPCG(13, 14))
		for k := 0; k < 100; k++ {
			st := m.Exercise()
			if k > 0 {
				for _, v := range st.Vars {
					v.Data.Apply(func(_, _ int, _ float64) float64 { return float64(rng.IntN(13)-6) / 2 }, v.Data)
				}
			}
			for _, mode := range []engine.Mode{engine.Hand, engine.Exact} {
				tr := m.Run(st, mode)
				where := m.Info().Slug + "/" + mode.String()
				for _, s := range tr.Steps {
					for _, key := range []string{s.Title, s.Text, s.Note, s.Worked, s.Undefined} {
						if _, seen := keys[key]; key != "" && !seen {
							keys[key] = where + " step " + s.ID
						}
					}
				}
				for _, l := range tr.Losses {
					keys[l.Name] = where + " loss"
				}
			}
		}
	}
	for _, want := range []string{"undefined.overflow.hand", "clip.undefined.underflow", "dit.undefined.underflow", "undefined.sigma"} {
		if _, ok := keys[want]; !ok {
			t.Errorf("no exercise reached %q: draw more or other exercises", want)
		}
	}
	for key, where := range keys {
		for _, lang := range i18n.Langs {
			if !i18n.Has(lang, key) {
				t.Errorf("%s: no %s text for %q", where, lang, key)
				continue
			}
			if text := i18n.T(lang, key); strings.ContainsAny(text, "^_") {
				t.Errorf("%s: the %s text of %q writes ^ or _: %q", where, lang, key, text)
			}
		}
	}
}
