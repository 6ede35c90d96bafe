package engine

import (
	"slices"
	"strings"
	"testing"
)

// A step's worked example (`worked` in a file) works the default
// exercise's numbers through: it is shown only while a step's numbers are
// exactly those (Trace.AsDefault), and in practice mode never in a step
// with blanks (PracticeTrace.Worked).

// workedFile is validFile with worked examples on a forward step and on a
// derived backward step.
var workedFile = strings.NewReplacer(
	`slug = "tiny"`, `slug = "tiny-worked"`,
	`text = { en = "Multiply.", zh = "相乘。" }`, "text = { en = \"Multiply.\", zh = \"相乘。\" }\nworked.en = \"Y₁ = 1·1 − 1·0 + 0 = 1.\"\nworked.zh = \"Y₁ = 1·1 − 1·0 + 0 = 1。\"",
).Replace(validFile) + `
[texts."loss.diff"]
worked = { en = "1 − 1 = 0 and 1 − 0 = 1.", zh = "1 − 1 = 0，1 − 0 = 1。" }
`

func TestWorkedReads(t *testing.T) {
	m, probs := LoadWalkthrough(workedFile)
	if probs != nil {
		t.Fatal(probs)
	}
	def := DefaultTrace(m, Hand)
	if def != DefaultTrace(m, Hand) {
		t.Error("the default trace is worked again on every call")
	}
	tr := m.Run(m.Exercise(), Hand)
	for id, want := range map[string]string{"layer": "Y₁ = 1·1 − 1·0 + 0 = 1.", "loss.diff": "1 − 1 = 0 and 1 − 0 = 1."} {
		s := tr.Step(id)
		if s == nil {
			t.Fatalf("no step %s", id)
		}
		if s.Worked != "tiny-worked."+id+".worked" {
			t.Errorf("step %s: Worked = %q", id, s.Worked)
		}
		if got, _ := LookupText("en", s.Worked); got != want {
			t.Errorf("step %s: worked text %q, want %q", id, got, want)
		}
		if _, ok := LookupText("zh", s.Worked); !ok {
			t.Errorf("step %s: no zh worked text", id)
		}
		if !tr.Worked(def)[id] {
			t.Errorf("step %s: the default exercise does not show its worked example", id)
		}
	}
	// An edit of X reaches both steps; the worked examples go.
	st := m.Exercise()
	if err := st.Set("X", 0, 0, 2); err != nil {
		t.Fatal(err)
	}
	if w := m.Run(st, Hand).Worked(def); len(w) != 0 {
		t.Errorf("after an edit of X, the worked examples of %v are still shown", w)
	}
	// Another mode's default trace is not this one's.
	if w := tr.Worked(DefaultTrace(m, Exact)); len(w) != 0 {
		t.Errorf("measured against the exact trace, a hand trace shows %v", w)
	}
}

func TestWorkedValidation(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		{`worked.zh = "Y₁ = 1·1 − 1·0 + 0 = 1。"`, ``, `step "layer" › worked.zh: the zh text is missing`},
		{`worked = { en = "1 − 1 = 0 and 1 − 0 = 1.", zh = "1 − 1 = 0，1 − 0 = 1。" }`, `worked = "1 − 1 = 0"`, `texts "loss.diff" › worked: should give every language`},
		{`worked = { en = "1 − 1 = 0 and 1 − 0 = 1.", zh = "1 − 1 = 0，1 − 0 = 1。" }`, `workd = { en = "x", zh = "x" }`, `workd: unknown field`},
	} {
		src := strings.Replace(workedFile, c.old, c.new, 1)
		if src == workedFile {
			t.Fatalf("%q not found", c.old)
		}
		_, probs := LoadWalkthrough(src)
		if !strings.Contains(probs.Error(), c.want) {
			t.Errorf("no problem says %q; got:\n%v", c.want, probs)
		}
	}
}

// TestWorkedOnDefault: on the default exercise every step qualifies, so
// every worked example of every built-in walkthrough is shown.
func TestWorkedOnDefault(t *testing.T) {
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Hand, Exact} {
			def := DefaultTrace(m, mode)
			tr := m.Run(m.Exercise(), mode)
			if got := tr.AsDefault(def); len(got) != len(tr.Steps) {
				t.Errorf("%s/%s: %d of %d steps are the default's", m.Info().Slug, mode, len(got), len(tr.Steps))
			}
			worked := tr.Worked(def)
			for _, s := range tr.Steps {
				if s.Worked != "" && !worked[s.ID] {
					t.Errorf("%s/%s: step %s hides its worked example on the default exercise", m.Info().Slug, mode, s.ID)
				}
			}
		}
	}
}

// TestWorkedAfterEdit edits each variable and checks that the steps that
// lose their default numbers are among those Downstream of it (or showing
// it), that every step that reads or shows it loses them, and so does
// every step whose shown numbers changed.
func TestWorkedAfterEdit(t *testing.T) {
	for _, m := range testModels(t) {
		for _, mode := range []Mode{Hand, Exact} {
			def := DefaultTrace(m, mode)
			for _, v := range m.Exercise().Vars {
				r, c := v.Data.Dims()
				for _, cell := range [][2]int{{0, 0}, {r - 1, c - 1}} {
					st := m.Exercise()
					if err := st.Set(v.ID, cell[0], cell[1], v.Data.At(cell[0], cell[1])+1); err != nil {
						t.Fatal(err)
					}
					tr := m.Run(st, mode)
					same := map[string]bool{}
					for _, id := range tr.AsDefault(def) {
						same[id] = true
					}
					down := map[string]bool{}
					for _, id := range def.Downstream(v.ID) {
						down[id] = true
					}
					where := m.Info().Slug + "/" + mode.String() + " " + v.ID
					for _, s := range tr.Steps {
						direct := slices.Contains(s.Reads, v.ID) || showsVar(s, v.ID)
						switch {
						case !same[s.ID] && !down[s.ID] && !direct:
							t.Errorf("%s: step %s, not downstream, lost its default numbers", where, s.ID)
						case same[s.ID] && direct:
							t.Errorf("%s: step %s reads or shows the edited variable and keeps its worked example", where, s.ID)
						}
					}
					for _, id := range tr.Changed(def) {
						if same[id] {
							t.Errorf("%s: step %s changed and keeps its worked example", where, id)
						}
					}
				}
			}
		}
	}
}

// TestWorkedAfterEditExactly: where an edit changes every number after
// it (a last layer without ReLU), exactly the steps downstream of it lose
// their worked examples.
func TestWorkedAfterEditExactly(t *testing.T) {
	for _, c := range []struct{ slug, v string }{{"autoencoder", "W4"}, {"autoencoder", "X"}, {"linear-layer", "W1"}, {"linear-layer", "x3"}} {
		m := Lookup(c.slug)
		def := DefaultTrace(m, Hand)
		st := m.Exercise()
		if err := st.Set(c.v, 0, 0, st.Get(c.v).At(0, 0)+1); err != nil {
			t.Fatal(err)
		}
		tr := m.Run(st, Hand)
		want := map[string]bool{}
		for _, id := range def.Downstream(c.v) {
			want[id] = true
		}
		for _, s := range def.Steps {
			if showsVar(s, c.v) {
				want[s.ID] = true
			}
		}
		var lost []string
		same := tr.AsDefault(def)
		for _, s := range tr.Steps {
			if !slices.Contains(same, s.ID) {
				lost = append(lost, s.ID)
			}
		}
		var wantIDs []string
		for _, s := range def.Steps {
			if want[s.ID] {
				wantIDs = append(wantIDs, s.ID)
			}
		}
		if !slices.Equal(lost, wantIDs) {
			t.Errorf("%s, %s edited: steps %v lost their default numbers, want %v", c.slug, c.v, lost, wantIDs)
		}
	}
}

// TestWorkedHiddenAfterDraw: after New numbers, no step that reads or
// shows a drawn variable keeps its default numbers. (A step that reads
// only kept variables does; the page shows no worked example on drawn
// numbers at all: see app's TestWorkedHiddenOnNewNumbers.)
func TestWorkedHiddenAfterDraw(t *testing.T) {
	for _, m := range testModels(t) {
		for seed := uint64(1); seed <= 4; seed++ {
			st, err := Draw(m, seed)
			if err != nil {
				t.Fatalf("%s: %v", m.Info().Slug, err)
			}
			base := m.Exercise()
			for _, mode := range []Mode{Hand, Exact} {
				def := DefaultTrace(m, mode)
				tr := m.Run(st.Clone(), mode)
				same := tr.AsDefault(def)
				for _, v := range st.Vars {
					if sameNumbers(v.Data, base.Get(v.ID)) {
						continue // kept, or drawn as it was
					}
					for _, s := range tr.Steps {
						if (slices.Contains(s.Reads, v.ID) || showsVar(s, v.ID)) && slices.Contains(same, s.ID) {
							t.Errorf("%s/%s seed %d: step %s reads drawn %s and keeps its default numbers", m.Info().Slug, mode, seed, s.ID, v.ID)
						}
					}
				}
			}
		}
	}
}

// TestWorkedNeverInPracticedSteps: in practice mode, a step with blanks
// never shows its worked example, whatever the entries and carry; nor
// does a step that reads a blank not entered right.
func TestWorkedNeverInPracticedSteps(t *testing.T) {
	for _, m := range testModels(t) {
		mode := Hand
		def := DefaultTrace(m, mode)
		plain := m.Run(m.Exercise(), mode)
		for _, scope := range []Scope{ScopeForward, ScopeAll, ScopeRandom} {
			blanks := Blanks(plain, scope, 1)
			right, wrong := Entries{}, Entries{}
			for _, ref := range blanks {
				x := plain.Matrix(ref.Matrix).At(ref.Row, ref.Col)
				right[ref], wrong[ref] = x, x+1
			}
			for _, c := range []struct {
				name  string
				e     Entries
				carry bool
			}{{"empty", nil, false}, {"empty, carry", nil, true}, {"right", right, false}, {"wrong, carry", wrong, true}} {
				pt := Practice(m, m.Exercise(), mode, blanks, c.e, c.carry)
				withBlanks := map[string]bool{}
				for _, ref := range pt.Blanks() {
					withBlanks[pt.producer[ref.Matrix]] = true
				}
				worked := pt.Worked(def)
				for id := range worked {
					if withBlanks[id] {
						t.Errorf("%s/%v %s: step %s has blanks and shows its worked example", m.Info().Slug, scope, c.name, id)
					}
				}
				if c.e == nil || c.name == "wrong, carry" {
					// Every blank is open: no step that reads one shows it.
					open := map[string]bool{}
					for _, ref := range pt.Blanks() {
						open[ref.Matrix] = true
					}
					for id := range worked {
						for _, r := range pt.Step(id).Reads {
							if open[r] {
								t.Errorf("%s/%v %s: step %s reads the open blanks of %s and shows its worked example", m.Info().Slug, scope, c.name, id, r)
							}
						}
					}
				}
				if c.name == "right" {
					// All entered right: the numbers are the default's, and
					// every step without blanks shows its worked example.
					for _, s := range pt.Steps {
						if s.Worked != "" && !withBlanks[s.ID] && !worked[s.ID] {
							t.Errorf("%s/%v right: step %s, without blanks, hides its worked example", m.Info().Slug, scope, s.ID)
						}
					}
				}
			}
		}
	}
}

// TestWorkedByMode: hand_worked and exact_worked are shown in their own
// mode only, before worked.
func TestWorkedByMode(t *testing.T) {
	src := strings.NewReplacer(`slug = "tiny-worked"`, `slug = "tiny-worked-modes"`,
		`worked.en = "Y₁ = 1·1 − 1·0 + 0 = 1."`, `hand_worked = { en = "On paper.", zh = "纸上。" }`+"\n"+`worked.en = "Y₁ = 1·1 − 1·0 + 0 = 1."`,
		`worked = { en = "1 − 1`, `exact_worked = { en = "Exactly.", zh = "精确。" }`+"\n"+`worked = { en = "1 − 1`).Replace(workedFile)
	m, probs := LoadWalkthrough(src)
	if probs != nil {
		t.Fatal(probs)
	}
	for _, c := range []struct {
		mode       Mode
		layer, sub string
	}{{Hand, "hand_worked", "worked"}, {Exact, "worked", "exact_worked"}} {
		tr := m.Run(m.Exercise(), c.mode)
		if got := tr.Step("layer").Worked; got != "tiny-worked-modes.layer."+c.layer {
			t.Errorf("%s: layer shows %q", c.mode, got)
		}
		if got := tr.Step("loss.diff").Worked; got != "tiny-worked-modes.loss.diff."+c.sub {
			t.Errorf("%s: loss.diff shows %q", c.mode, got)
		}
		if w := tr.Worked(DefaultTrace(m, c.mode)); !w["layer"] || !w["loss.diff"] {
			t.Errorf("%s: default shows %v", c.mode, w)
		}
	}
	if s, _ := LookupText("zh", "tiny-worked-modes.loss.diff.exact_worked"); s != "精确。" {
		t.Errorf("exact_worked zh = %q", s)
	}
}

// TestWorkedAgreesAcrossModes: a worked example for both modes (worked)
// sits only on a step whose default numbers are the same in both; where
// 3ˣ on paper and eˣ differ, it is hand_worked or exact_worked.
func TestWorkedAgreesAcrossModes(t *testing.T) {
	for _, m := range testModels(t) {
		hand, exact := DefaultTrace(m, Hand), DefaultTrace(m, Exact)
		for _, s := range hand.Steps {
			e := exact.Step(s.ID)
			if e == nil || !strings.HasSuffix(s.Worked, ".worked") {
				continue
			}
			if !sameStep(s, e) || !hand.sameReads(s, exact) {
				t.Errorf("%s: step %s's numbers differ between the modes; its worked example should be hand_worked or exact_worked",
					m.Info().Slug, s.ID)
			}
		}
	}
}
