package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestZZMeasure(t *testing.T) {
	for _, dist := range []string{"halves", "uniform"} {
		for _, m := range Models() {
			for _, mode := range []Mode{Hand, Exact} {
				rng := rand.New(rand.NewPCG(7, 8))
				undef, sigma := 0, 0
				reasons := map[string]int{}
				const n = 1000
				for k := 0; k < n; k++ {
					st := m.Exercise()
					for _, v := range st.Vars {
						v.Data.Apply(func(_, _ int, _ float64) float64 {
							if dist == "halves" {
								return float64(rng.IntN(13)-6) / 2
							}
							return math.Round((rng.Float64()*6-3)*100) / 100
						}, v.Data)
					}
					tr := m.Run(st, mode)
					if !tr.Defined() {
						undef++
						for _, s := range tr.Steps {
							if s.Undefined != "" {
								reasons[s.ID+":"+s.Undefined]++
								if s.Undefined == "undefined.sigma" {
									sigma++
								}
								break
							}
						}
					}
				}
				fmt.Printf("%s %s %s: undefined %d/%d %v\n", dist, m.Info().Slug, mode, undef, n, reasons)
			}
		}
	}
}
