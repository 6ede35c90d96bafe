package engine

import (
	"encoding/xml"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// These tests read every step of every model, in both modes, the way a
// reader meets it: its formula, its matrices' names and every cell's
// explanation.

// eachTrace calls f with the trace of every model in both modes, on the
// default exercise and on a few plain random ones (some of them undefined
// on paper, so that undefined steps are read too).
func eachTrace(t *testing.T, f func(m Model, tr *Trace)) {
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Hand, Exact} {
			f(m, m.Run(m.Exercise(), mode))
			rng := rand.New(rand.NewPCG(9, 10))
			for k := 0; k < 4; k++ {
				st := m.Exercise()
				drawPlain(st, rng)
				f(m, m.Run(st, mode))
			}
		}
	}
}

// formulaText parses a step's MathML and returns its text, the way it
// reads on the page without its layout.
func formulaText(f string) (string, error) {
	d := xml.NewDecoder(strings.NewReader("<math>" + f + "</math>"))
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		if c, ok := tok.(xml.CharData); ok {
			b.Write(c)
		}
	}
}

// TestFormulasAreMathML: a step's formula is well-formed MathML whose
// subscripts and powers are <msub> and <msup>, never "_" or "^", and it
// never merely restates its own left side ("Y − Y′ = Y − Y′"). Matrix
// names, drawn as plain text, carry no "_" or "^" either.
func TestFormulasAreMathML(t *testing.T) {
	bad := map[string]bool{}
	report := func(key, format string, args ...any) {
		if !bad[key] {
			bad[key] = true
			t.Errorf(format, args...)
		}
	}
	eachTrace(t, func(m Model, tr *Trace) {
		where := m.Info().Slug + "/" + tr.Mode.String()
		for _, s := range tr.Steps {
			for _, x := range s.Matrices {
				if strings.ContainsAny(x.Name, "_^") {
					report(where+x.ID, "%s: matrix %s is named %q: raise or lower its letters, no _ or ^", where, x.ID, x.Name)
				}
			}
			if s.Formula == "" {
				continue
			}
			if strings.ContainsAny(s.Formula, "_^") {
				report(where+s.ID+"^", "%s: step %s's formula has _ or ^: %s", where, s.ID, s.Formula)
			}
			text, err := formulaText(s.Formula)
			if err != nil {
				report(where+s.ID+"xml", "%s: step %s's formula is not well-formed MathML (%v): %s", where, s.ID, err, s.Formula)
				continue
			}
			sides := strings.Split(text, "=")
			for i := 1; i < len(sides); i++ {
				l, r := strings.Join(strings.Fields(sides[i-1]), ""), strings.Join(strings.Fields(sides[i]), "")
				if l != "" && l == r {
					report(where+s.ID+"=", "%s: step %s's formula says only %q = %q", where, s.ID, sides[i-1], sides[i])
				}
			}
		}
	})
}

// TestExplanationsSaySomething: every computed cell's explanation says
// something the cell does not show by itself, an arithmetic or the cell it
// comes from ("Xᵢ[1,1] = 1"), never only a matrix's name and the value
// ("Xᵢᵀ: 1", "μ = 1") or the bare value ("1").
func TestExplanationsSaySomething(t *testing.T) {
	bad := map[string]bool{}
	eachTrace(t, func(m Model, tr *Trace) {
		where := m.Info().Slug + "/" + tr.Mode.String()
		names := map[string]bool{}
		for _, s := range tr.Steps {
			for _, x := range s.Matrices {
				names[x.Name] = true
			}
		}
		for _, s := range tr.Steps {
		matrices:
			for _, x := range s.Matrices {
				if !x.Computed() || bad[where+x.ID] {
					continue
				}
				r, c := x.Dims()
				for i := 0; i < r; i++ {
					for j := 0; j < c; j++ {
						e, _ := x.Explain(i, j)
						rest := strings.TrimSuffix(e.Formula, result(x.At(i, j)))
						rest = strings.TrimRight(rest, " =:")
						if rest == "" || names[rest] {
							bad[where+x.ID] = true
							t.Errorf("%s: %s[%d,%d] explains itself only as %q", where, x.ID, i, j, e.Formula)
							continue matrices
						}
					}
				}
			}
		}
	})
}
