package pagestate

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/byhand/byhand/engine"
)

// steps is how many steps model m's walkthrough has.
func steps(m engine.Model) int { return len(m.Run(m.Exercise(), engine.Hand).Steps) }

// stepsIn is how many steps page p's walkthrough has in its mode.
func stepsIn(m engine.Model, p Page) int { return len(m.Run(p.Exercise, p.Mode).Steps) }

// randomPage changes a few things of the default page at random: cells
// typed as a person would type them, maybe the mode, step, settings, seed
// and panels.
func randomPage(m engine.Model, rng *rand.Rand, edits int) Page {
	p := Default(m)
	if rng.IntN(2) == 0 {
		p.Mode = engine.Exact
	}
	p.Step = rng.IntN(stepsIn(m, p))
	if rng.IntN(3) == 0 {
		p.LR = float64(1+rng.IntN(50)) / 100
	}
	if rng.IntN(3) == 0 {
		p.N = 1 + rng.IntN(MaxN)
	}
	if rng.IntN(3) == 0 {
		p.Closed.Legend, p.Closed.Train = true, rng.IntN(2) == 0
	}
	if r, ok := m.(Noise); ok && rng.IntN(2) == 0 {
		r.Resample(p.Exercise, 1+rng.Uint64N(99999))
	}
	for i := 0; i < edits; i++ {
		v := p.Exercise.Vars[rng.IntN(len(p.Exercise.Vars))]
		rows, cols := v.Data.Dims()
		x := float64(rng.IntN(21) - 10)
		if rng.IntN(3) == 0 {
			x = float64(rng.IntN(201)-100) / 10
		}
		v.Data.Set(rng.IntN(rows), rng.IntN(cols), x)
		if v.Role == engine.RoleNoise {
			p.Exercise.Seed = 0
		}
	}
	return p
}

func TestLinkRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range engine.Models() {
		for i := 0; i < 200; i++ {
			p := randomPage(m, rng, rng.IntN(12))
			q := Encode(m, p)
			got, probs := Decode(m, q)
			if len(probs) > 0 {
				t.Fatalf("%s: %q: problems %v", m.Info().Slug, q, probs)
			}
			if !got.Equal(p) {
				t.Fatalf("%s: %q does not reopen the same page", m.Info().Slug, q)
			}
			if again := Encode(m, got); again != q {
				t.Fatalf("%s: encoded twice differently: %q, then %q", m.Info().Slug, q, again)
			}
		}
	}
}

// Trained numbers have every digit: a link still reopens them exactly.
func TestLinkExactAfterTraining(t *testing.T) {
	for _, m := range engine.Models() {
		p := Default(m)
		for i := 0; i < 30; i++ {
			engine.Update(m, p.Exercise, p.Mode, p.LR)
		}
		got, probs := Decode(m, Encode(m, p))
		if len(probs) > 0 || !got.Equal(p) {
			t.Errorf("%s: a trained state does not reopen exactly (%v)", m.Info().Slug, probs)
		}
	}
}

func TestDefaultPageHasEmptyLink(t *testing.T) {
	for _, m := range engine.Models() {
		if q := Encode(m, Default(m)); q != "" {
			t.Errorf("%s: the default page encodes as %q", m.Info().Slug, q)
		}
	}
}

// A few edits stay under 120 characters; every cell of the largest
// exercise edited, under 2,000.
func TestLinkLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	largest, cells := engine.Model(nil), 0
	for _, m := range engine.Models() {
		p := Default(m)
		p.Step, p.Mode = steps(m)-1, engine.Exact
		for i := 0; i < 3; i++ {
			v := p.Exercise.Vars[i%len(p.Exercise.Vars)]
			v.Data.Set(0, 0, -7.5)
		}
		if q := Encode(m, p); len(q) >= 120 {
			t.Errorf("%s: three edits, mode and step take %d characters: %s", m.Info().Slug, len(q), q)
		}
		n := 0
		for _, v := range p.Exercise.Vars {
			r, c := v.Data.Dims()
			n += r * c
		}
		if n > cells {
			largest, cells = m, n
		}
	}
	p := Default(largest)
	for _, v := range p.Exercise.Vars {
		r, c := v.Data.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				v.Data.Set(i, j, float64(rng.IntN(2001)-1000)/100) // −10.00 … 10.00
			}
		}
	}
	p.Exercise.Seed = 0
	q := Encode(largest, p)
	if len(q) >= 2000 {
		t.Errorf("%s: every one of %d cells edited takes %d characters", largest.Info().Slug, cells, len(q))
	}
	t.Logf("%s, %d cells all edited: %d characters", largest.Info().Slug, cells, len(q))
}

// Links written by earlier formats (and by today's) keep opening to the
// same exercise. Each fixture is a model, a link query and the exercise
// file of the page it opened when it was written.
func TestLinkFixtures(t *testing.T) {
	fixtures := readFixtures(t)
	if len(fixtures) < 5 {
		t.Fatalf("only %d link fixtures", len(fixtures))
	}
	for _, f := range fixtures {
		m := engine.Lookup(f.model)
		if m == nil {
			t.Fatalf("fixture for unknown model %q", f.model)
		}
		p, probs := Decode(m, f.query)
		if len(probs) > 0 {
			t.Errorf("%s %s: %v", f.model, f.query, probs)
		}
		if got := string(Export(m, p)); got != f.export {
			t.Errorf("%s %s opens\n%s\nwant\n%s", f.model, f.query, got, f.export)
		}
		if want := "step=" + strconv.Itoa(p.Step+1); p.Step > 0 && !strings.Contains(f.query, want) {
			t.Errorf("%s %s: step %d", f.model, f.query, p.Step+1)
		}
	}
}

type fixture struct{ model, query, export string }

// readFixtures reads testdata/links.txt: blocks of "model query" on one
// line, then the exercise file, then a blank line.
func readFixtures(t *testing.T) []fixture {
	b := mustRead(t, "testdata/links.txt")
	var out []fixture
	for _, block := range strings.Split(strings.TrimSpace(b), "\n\n") {
		head, body, _ := strings.Cut(block, "\n")
		if strings.HasPrefix(head, "#") {
			continue
		}
		model, query, _ := strings.Cut(head, " ")
		out = append(out, fixture{model, query, body + "\n"})
	}
	return out
}

func TestLinkBadInput(t *testing.T) {
	ae := engine.Lookup("autoencoder")
	dit := engine.Lookup("dit")
	for _, c := range []struct {
		name, query string
		model       engine.Model
		field, key  string
		changed     bool // the rest of the link still applies
	}{
		{"newer format", "v=2&x.X=1.1:5", ae, "v", ProbNewer, false},
		{"bad version", "v=abc&x.X=1.1:5", ae, "v", ProbVersion, false},
		{"damaged escape", "v=1&x.X=1.1:5&%zz", ae, "", ProbDamaged, true},
		{"word for a number", "v=1&x.X=1.1:abc&step=2", ae, "x.X", ProbNumber, true},
		{"NaN", "v=1&x.X=1.1:NaN&step=2", ae, "x.X", ProbTooLarge, true},
		{"1e400", "v=1&x.X=1.1:1e400&step=2", ae, "x.X", ProbTooLarge, true},
		{"Inf", "v=1&x.W1=2.2:-Inf&step=2", ae, "x.W1", ProbTooLarge, true},
		{"no such cell", "v=1&x.X=9.9:1&step=2", ae, "x.X", ProbCell, true},
		{"cell zero", "v=1&x.X=0.1:1&step=2", ae, "x.X", ProbCell, true},
		{"truncated cell", "v=1&x.X=1.&step=2", ae, "x.X", ProbCount, true},
		{"truncated full matrix", "v=1&x.X=1,2,3&step=2", ae, "x.X", ProbCount, true},
		{"no such variable", "v=1&x.Q=1.1:1&step=2", ae, "x.Q", ProbNoVar, true},
		{"step too far", "v=1&step=999&mode=exact", ae, "step", ProbStep, true},
		{"step zero", "v=1&step=0&mode=exact", ae, "step", ProbStep, true},
		{"bad mode", "v=1&mode=magic&step=2", ae, "mode", ProbMode, true},
		{"learning rate 0", "v=1&lr=0&step=2", ae, "lr", ProbLR, true},
		{"learning rate too large", "v=1&lr=11&step=2", ae, "lr", ProbLR, true},
		{"runs of 0", "v=1&n=0&step=2", ae, "n", ProbN, true},
		{"seed for a model without noise", "v=1&seed=5&step=2", ae, "seed", ProbNoNoise, true},
		{"bad seed", "v=1&seed=-5&step=2", dit, "seed", ProbSeed, true},
		{"unknown panel", "v=1&closed=cellar&step=2", ae, "closed", ProbPanel, true},
		{"unknown option", "v=1&zap=1&step=2", ae, "zap", ProbUnknown, true},
		{"script", "v=1&x.X=1.1:<script>alert(1)</script>&step=2", ae, "x.X", ProbNumber, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, probs := Decode(c.model, c.query)
			if len(probs) != 1 || probs[0].Field != c.field || probs[0].Key != c.key {
				t.Fatalf("problems %+v, want one %s at %q", probs, c.key, c.field)
			}
			def := Default(c.model)
			if !p.Exercise.Equal(def.Exercise) && !strings.Contains(c.query, "x.X=1.1:5") {
				t.Errorf("a refused part changed the exercise")
			}
			if changed := !p.Equal(def); changed != c.changed {
				t.Errorf("rest of the link applied: %v, want %v", changed, c.changed)
			}
			for _, v := range p.Exercise.Vars {
				r, cc := v.Data.Dims()
				for i := 0; i < r; i++ {
					for j := 0; j < cc; j++ {
						if x := v.Data.At(i, j); math.IsNaN(x) || math.IsInf(x, 0) {
							t.Fatalf("%s holds %v", v.ID, x)
						}
					}
				}
			}
		})
	}
}

func TestSavedRoundTripAndBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, m := range engine.Models() {
		p := randomPage(m, rng, 5)
		got, probs, ok := DecodeSaved(m, EncodeSaved(m, p))
		if !ok || len(probs) > 0 || !got.Equal(p) {
			t.Errorf("%s: saved work does not come back (%v)", m.Info().Slug, probs)
		}
	}
	ae := engine.Lookup("autoencoder")
	for _, c := range []struct{ name, data, key string }{
		{"corrupted", `{"byhand_saved":1,"model":"autoencoder","state":"v=1&x.X=1.1:5"`, ProbCorrupt},
		{"not JSON", `hello`, ProbCorrupt},
		{"foreign", `{"some":"other app"}`, ProbCorrupt},
		{"another walkthrough", `{"byhand_saved":1,"model":"vae","state":"v=1"}`, ProbForeign},
		{"newer", `{"byhand_saved":9,"model":"autoencoder","state":"v=9"}`, ProbNewer},
		{"oversized", `{"byhand_saved":1,"model":"autoencoder","state":"` + strings.Repeat("x", MaxSaved) + `"}`, ProbTooBig},
	} {
		p, probs, ok := DecodeSaved(ae, c.data)
		if ok || len(probs) != 1 || probs[0].Key != c.key || !p.Equal(Default(ae)) {
			t.Errorf("%s: ok %v, problems %v, want %s and the default page", c.name, ok, probs, c.key)
		}
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, m := range engine.Models() {
		p := randomPage(m, rng, 8)
		p.Step = 0
		got, pr := Import(m, Default(m), Export(m, p))
		if pr != nil {
			t.Fatalf("%s: %+v\n%s", m.Info().Slug, *pr, Export(m, p))
		}
		want := Default(m)
		want.Exercise, want.Mode = p.Exercise, p.Mode
		if !got.Equal(want) {
			t.Errorf("%s: import of an export differs", m.Info().Slug)
		}
	}
}

func TestImportBadFiles(t *testing.T) {
	ae := engine.Lookup("autoencoder")
	good := string(Export(ae, Default(ae)))
	for _, c := range []struct{ name, data, field, key string }{
		{"not JSON", `{"byhand_exercise": 1,`, "", ProbNotJSON},
		{"an array", `[1,2]`, "", ProbNotJSON},
		{"no version", `{"model":"autoencoder","variables":{}}`, "byhand_exercise", ProbNoVersion},
		{"newer", strings.Replace(good, `"byhand_exercise": 1`, `"byhand_exercise": 7`, 1), "byhand_exercise", ProbNewer},
		{"other model", strings.Replace(good, `"autoencoder"`, `"vae"`, 1), "model", ProbWrongModel},
		{"bad mode", strings.Replace(good, `"hand"`, `"fast"`, 1), "mode", ProbMode},
		{"unknown field", strings.Replace(good, `"seed"`, `"colour": 1, "seed"`, 1), "colour", ProbUnknownKey},
		{"seed without noise", strings.Replace(good, `"seed": 0`, `"seed": 4`, 1), "seed", ProbNoNoise},
		{"no variables", `{"byhand_exercise":1,"model":"autoencoder"}`, "variables", ProbNoVariables},
		{"unknown variable", `{"byhand_exercise":1,"model":"autoencoder","variables":{"Q":[[1]]}}`, "variables.Q", ProbNoVar},
		{"too few rows", `{"byhand_exercise":1,"model":"autoencoder","variables":{"W2":[[1,2,3,4]]}}`, "variables.W2", ProbShape},
		{"short row", `{"byhand_exercise":1,"model":"autoencoder","variables":{"W2":[[1,2,3,4],[1,2]]}}`, "variables.W2[2]", ProbShape},
		{"string number", `{"byhand_exercise":1,"model":"autoencoder","variables":{"W2":[[1,2,3,4],[1,2,"x",4]]}}`, "variables.W2", ProbWrongType},
		{"1e400", `{"byhand_exercise":1,"model":"autoencoder","variables":{"W2":[[1,2,3,4],[1,2,1e400,4]]}}`, "variables.W2[2,3]", ProbTooLarge},
		{"oversized", good + strings.Repeat(" ", MaxSaved), "", ProbTooBig},
	} {
		before := Default(ae)
		before.Exercise.Get("X").Set(0, 0, 42)
		got, pr := Import(ae, before, []byte(c.data))
		if pr == nil || pr.Field != c.field || pr.Key != c.key {
			t.Errorf("%s: problem %+v, want %s at %q", c.name, pr, c.key, c.field)
		}
		if got.Exercise.Get("X").At(0, 0) != 42 || !got.Equal(before) {
			t.Errorf("%s: a refused file changed the page", c.name)
		}
	}
}

func TestView(t *testing.T) {
	v, probs := ParseView("embed=1&from=2&to=5&single=1&readonly=1&theme=dark&lang=zh&origin=https://a.example,https://b.example:8080/", 18)
	if len(probs) > 0 || !v.Embed || !v.Single || !v.ReadOnly || v.From != 1 || v.To != 4 || v.Theme != "dark" || v.Lang != "zh" ||
		len(v.Origins) != 2 || v.Origins[1] != "https://b.example:8080" {
		t.Fatalf("%+v %v", v, probs)
	}
	if v.Clamp(0, 18) != 1 || v.Clamp(10, 18) != 4 || v.Clamp(3, 18) != 3 || v.Clamp(4, 4) != 3 {
		t.Error("clamp")
	}
	for _, q := range []string{"from=0", "to=99", "from=5&to=2", "theme=neon", "lang=fr", "origin=javascript:alert(1)", "embed=maybe"} {
		v, probs := ParseView(q, 18)
		if len(probs) != 1 || v.From != 0 || v.To != -1 {
			t.Errorf("%s: %+v %v", q, v, probs)
		}
	}
	ae := engine.Lookup("autoencoder")
	p := Default(ae)
	p.Step = 3
	q := EmbedQuery(ae, p, View{From: 1, To: 5, Single: true})
	if q != "embed=1&v=1&step=4&from=2&to=6&single=1" {
		t.Errorf("embed query %q", q)
	}
}
