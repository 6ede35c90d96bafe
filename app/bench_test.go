package ui

import (
	"testing"

	"github.com/byhand/byhand/engine"
)

// BenchmarkEdit measures what one edit costs the Go side of a page: the
// walkthrough worked again and every step's view rebuilt.
func BenchmarkEdit(b *testing.B) {
	for _, m := range engine.Models() {
		b.Run(m.Info().Slug, func(b *testing.B) {
			s := NewSession(m, engine.Hand)
			v := s.Page.Exercise.Vars[len(s.Page.Exercise.Vars)-1]
			x := v.Data.At(0, 0)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				_ = s.Set(v.ID, 0, 0, x+float64(i%2))
			}
		})
	}
}

// BenchmarkWorked measures what deciding the worked examples adds to one
// edit: the trace compared, step by step, with the default exercise's
// trace, which is worked once per model and mode and kept.
func BenchmarkWorked(b *testing.B) {
	for _, m := range engine.Models() {
		b.Run(m.Info().Slug, func(b *testing.B) {
			s := NewSession(m, engine.Hand)
			v := s.Page.Exercise.Vars[len(s.Page.Exercise.Vars)-1]
			_ = s.Set(v.ID, 0, 0, v.Data.At(0, 0)+1) // the steps after it differ
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Trace.Worked(engine.DefaultTrace(s.Model, s.Page.Mode))
			}
		})
	}
}
