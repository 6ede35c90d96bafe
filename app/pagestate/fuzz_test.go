package pagestate

import (
	"math"
	"testing"

	"github.com/byhand/byhand/engine"
)

// finite checks that a decoded page is usable: every number finite, every
// variable its default shape, the settings valid.
func finite(t *testing.T, m engine.Model, p Page) {
	n := stepsIn(m, p)
	t.Helper()
	def := Default(m)
	if len(p.Exercise.Vars) != len(def.Exercise.Vars) {
		t.Fatal("variables lost or added")
	}
	for i, v := range p.Exercise.Vars {
		r, c := v.Data.Dims()
		if dr, dc := def.Exercise.Vars[i].Data.Dims(); r != dr || c != dc {
			t.Fatalf("%s changed shape", v.ID)
		}
		for a := 0; a < r; a++ {
			for b := 0; b < c; b++ {
				if x := v.Data.At(a, b); math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("%s holds %v", v.ID, x)
				}
			}
		}
	}
	if p.Step < 0 || p.Step >= n || !ValidLR(p.LR) || !ValidN(p.N) || (p.Mode != engine.Hand && p.Mode != engine.Exact) {
		t.Fatalf("invalid settings %+v", p)
	}
}

func FuzzDecodeLink(f *testing.F) {
	for _, fx := range []string{"", "v=1&mode=exact&step=5&x.X=1.1:5", "v=1&x.W1=1,2,3", "v=2", "v=1&x.X=1.1:1e400",
		"v=1&seed=3&x.eps=1.1:2", "v=1&closed=legend,train&lr=0.5&n=7", "%zz&x.X=,,:",
		"v=1&num=7&practice=random&carry=1&e.H1=1.1:2,3.4:-0.5&e.Z=2.1:3&shown.H1=3.4", "v=1&e.H1=1.1:1e400&shown.H1=1.1,9.9"} {
		f.Add("autoencoder", fx)
		f.Add("vae", fx)
	}
	f.Fuzz(func(t *testing.T, model, q string) {
		m := engine.Lookup(model)
		if m == nil {
			m = engine.Models()[len(model)%len(engine.Models())]
		}
		p, probs := Decode(m, q)
		finite(t, m, p)
		for ref, v := range p.Practice.Entries {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q entered %v in %v", q, v, ref)
			}
		}
		for ref := range p.Practice.Revealed {
			if _, ok := p.Practice.Entries[ref]; !ok {
				t.Fatalf("%q revealed %v without an entry", q, ref)
			}
		}
		// Whatever opened, its own link opens it again, with no problem.
		again, probs2 := Decode(m, Encode(m, p))
		if len(probs2) > 0 || !again.Equal(p) {
			t.Fatalf("%q opened a page whose link does not reopen it (%v, first %v)", q, probs2, probs)
		}
	})
}

func FuzzDecodeSaved(f *testing.F) {
	ae := engine.Lookup("autoencoder")
	f.Add(EncodeSaved(ae, Default(ae)))
	f.Add(`{"byhand_saved":1,"model":"autoencoder","state":"v=1&x.X=1.1:5&step=3"}`)
	f.Add(`{"byhand_saved":1,"model":"vae","state":"v=1"}`)
	f.Add(`{"byhand_saved":1e400}`)
	f.Fuzz(func(t *testing.T, data string) {
		p, _, _ := DecodeSaved(ae, data)
		finite(t, ae, p)
	})
}

func FuzzImport(f *testing.F) {
	ae := engine.Lookup("autoencoder")
	f.Add(string(Export(ae, Default(ae))))
	f.Add(`{"byhand_exercise":1,"model":"autoencoder","variables":{"W2":[[1,2,3,4],[1,2,1e400,4]]}}`)
	f.Add(`{"byhand_exercise":1,"model":"autoencoder","mode":"exact","seed":0,"variables":{"X":[[1,2,3,4],[1,2,3,4],[0,0,0,0],[-1,-2,-3,-4]]}}`)
	f.Fuzz(func(t *testing.T, data string) {
		before := Default(ae)
		p, pr := Import(ae, before, []byte(data))
		finite(t, ae, p)
		if pr != nil && !p.Equal(before) {
			t.Fatal("a refused file changed the page")
		}
	})
}

func FuzzParseCommand(f *testing.F) {
	f.Add(`{"byhand":"set","var":"W1","row":2,"col":3,"value":-1.5}`)
	f.Add(`{"byhand":"goto","step":4}`)
	f.Fuzz(func(t *testing.T, data string) {
		c, err := ParseCommand("https://x.example", nil, []byte(data))
		if err == nil && (c.Name == "" || math.IsNaN(c.Value) || math.IsInf(c.Value, 0)) {
			t.Fatalf("accepted %q as %+v", data, c)
		}
	})
}
