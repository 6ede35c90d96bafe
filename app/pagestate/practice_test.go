package pagestate

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/byhand/byhand/engine"
)

// practiceValues are numbers a student types, and a few a link must
// still carry exactly: thirds, tiny and large numbers, a negative zero.
var practiceValues = []float64{0, 1, -1, 2, 7, -12, 0.18, 0.5, -2.5, 1.0 / 3, 1e-7, 123456.789, -1e12, math.Copysign(0, -1)}

// randomPracticePage is randomPage with a student's work on it: maybe
// the numbers of New numbers (and edits over them), a scope, carry, and
// entries of every kind of number on computed cells of its trace, some of
// them revealed.
func randomPracticePage(m engine.Model, rng *rand.Rand) Page {
	p := randomPage(m, rng, rng.IntN(4))
	if rng.IntN(2) == 0 {
		n := 1 + rng.Uint64N(500)
		if base, ok := Base(m, n); ok {
			p.Numbers, p.Exercise = n, base
			for i := 0; i < rng.IntN(3); i++ {
				v := p.Exercise.Vars[rng.IntN(len(p.Exercise.Vars))]
				if v.Role == engine.RoleNoise {
					continue
				}
				rows, cols := v.Data.Dims()
				v.Data.Set(rng.IntN(rows), rng.IntN(cols), float64(rng.IntN(21)-10))
			}
		}
	}
	p.Step = min(p.Step, stepsIn(m, p)-1)
	p.Practice.Scope = engine.Scope(rng.IntN(4))
	p.Practice.Carry = rng.IntN(2) == 0
	cells := engine.Blanks(m.Run(p.Exercise.Clone(), p.Mode), engine.ScopeAll, 0)
	if len(cells) == 0 || rng.IntN(5) == 0 {
		return p // a scope and no entries yet
	}
	p.Practice.Entries, p.Practice.Revealed = engine.Entries{}, map[engine.CellRef]bool{}
	for i := 1 + rng.IntN(12); i > 0; i-- {
		ref := cells[rng.IntN(len(cells))]
		v := practiceValues[rng.IntN(len(practiceValues))]
		if rng.IntN(2) == 0 {
			v = float64(rng.IntN(41) - 20)
		}
		p.Practice.Entries[ref] = v
		if rng.IntN(3) == 0 {
			p.Practice.Revealed[ref] = true
		}
	}
	return p
}

// TestPracticeLinkRoundTrip: a page with a student's work on it (every
// scope, carry, entries and revealed cells in many matrices, New numbers)
// makes a link that reopens it exactly, and the same link again; 25 pages
// of each walkthrough (under Node, several times slower, 3: it says so).
func TestPracticeLinkRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	scopes, entries, shown, nums := map[engine.Scope]int{}, 0, 0, 0
	pages := 25
	if runtime.GOOS == "js" {
		pages = 3
		t.Logf("UNDER NODE: %d PAGES OF EACH WALKTHROUGH, NOT 25", pages)
	}
	for _, m := range engine.Models() {
		for i := 0; i < pages; i++ {
			p := randomPracticePage(m, rng)
			scopes[p.Practice.Scope]++
			entries += len(p.Practice.Entries)
			shown += len(p.Practice.Revealed)
			if p.Numbers != 0 {
				nums++
			}
			q := Encode(m, p)
			got, probs := Decode(m, q)
			if len(probs) > 0 {
				t.Fatalf("%s: %q: problems %v", m.Info().Slug, q, probs)
			}
			if !got.Equal(p) {
				t.Fatalf("%s: %q does not reopen the same page:\n got %+v\nwant %+v", m.Info().Slug, q, got.Practice, p.Practice)
			}
			if again := Encode(m, got); again != q {
				t.Fatalf("%s: encoded twice differently: %q, then %q", m.Info().Slug, q, again)
			}
			// Saved work is the same link in an envelope.
			saved, probs, ok := DecodeSaved(m, EncodeSaved(m, p))
			if !ok || len(probs) > 0 || !saved.Equal(p) {
				t.Fatalf("%s: saved work %q does not come back (%v)", m.Info().Slug, q, probs)
			}
		}
	}
	if len(scopes) != 4 || entries == 0 || shown == 0 || nums == 0 {
		t.Fatalf("the random pages missed a case: scopes %v, %d entries, %d revealed, %d with New numbers", scopes, entries, shown, nums)
	}
	t.Logf("%d models: scopes %v, %d entries, %d revealed, %d pages with New numbers", len(engine.Models()), scopes, entries, shown, nums)
}

// TestPracticeLinkKeys pins the link's practice keys on the autoencoder:
// their order, 1-based places, values written back exactly, and revealed
// cells with their entries.
func TestPracticeLinkKeys(t *testing.T) {
	ae := engine.Lookup("autoencoder")
	p := Default(ae)
	p.Numbers, p.Exercise = 7, mustBase(t, ae, 7)
	p.Practice = Practice{Scope: engine.ScopeRandom, Carry: true,
		Entries:  engine.Entries{{Matrix: "H1", Row: 0, Col: 0}: 2, {Matrix: "H1", Row: 2, Col: 3}: -0.5, {Matrix: "Z", Row: 1, Col: 0}: 3},
		Revealed: map[engine.CellRef]bool{{Matrix: "H1", Row: 2, Col: 3}: true}}
	const want = "v=1&num=7&practice=random&carry=1&e.H1=1.1:2,3.4:-0.5&e.Z=2.1:3&shown.H1=3.4"
	if q := Encode(ae, p); q != want {
		t.Errorf("Encode = %q, want %q", q, want)
	}
	got, probs := Decode(ae, want)
	if len(probs) > 0 || !got.Equal(p) {
		t.Errorf("%q opens %+v (%v)", want, got.Practice, probs)
	}
	// Practice off, its work kept: the entries stay in the link.
	p.Practice.Scope, p.Practice.Carry = engine.ScopeOff, false
	if q := Encode(ae, p); strings.Contains(q, "practice=") || !strings.Contains(q, "e.H1=") {
		t.Errorf("practice off with entries encodes as %q", q)
	}
	// Revealed cells without an entry are not state: a revealed cell holds
	// its answer.
	p = Default(ae)
	p.Practice.Revealed = map[engine.CellRef]bool{{Matrix: "H1", Row: 0, Col: 0}: true}
	if q := Encode(ae, p); q != "" {
		t.Errorf("a revealed cell without an entry encodes as %q", q)
	}
}

func mustBase(t *testing.T, m engine.Model, n uint64) *engine.State {
	t.Helper()
	st, ok := Base(m, n)
	if !ok {
		t.Fatalf("%s: exercise number %d draws nothing", m.Info().Slug, n)
	}
	return st
}

// TestPracticeLinkBadInput: each refused practice key names its field and
// why, and the rest of the link still applies.
func TestPracticeLinkBadInput(t *testing.T) {
	ae := engine.Lookup("autoencoder")
	for _, c := range []struct {
		name, query string
		field, key  string
	}{
		{"unknown scope", "v=1&practice=sideways&step=2", "practice", ProbPractice},
		{"carry 2", "v=1&practice=all&carry=2&step=2", "carry", ProbPractice},
		{"no such matrix", "v=1&practice=all&e.NOPE=1.1:2&step=2", "e.NOPE", ProbNoVar},
		{"a variable is not a blank", "v=1&practice=all&e.X=1.1:2&step=2", "e.X", ProbNoVar},
		{"outside the matrix", "v=1&practice=all&e.H1=9.9:1&step=2", "e.H1", ProbCell},
		{"row zero", "v=1&practice=all&e.H1=0.1:1&step=2", "e.H1", ProbCell},
		{"no place", "v=1&practice=all&e.H1=3&step=2", "e.H1", ProbCell},
		{"a word for a number", "v=1&practice=all&e.H1=1.1:abc&step=2", "e.H1", ProbNumber},
		{"1e400", "v=1&practice=all&e.H1=1.1:1e400&step=2", "e.H1", ProbTooLarge},
		{"NaN", "v=1&practice=all&e.H1=1.1:NaN&step=2", "e.H1", ProbTooLarge},
		{"shown without an entry", "v=1&practice=all&e.H1=1.2:0&shown.H1=1.1&step=2", "shown.H1", ProbCell},
		{"shown outside", "v=1&practice=all&e.H1=1.1:2&shown.H1=x&step=2", "shown.H1", ProbCell},
		{"negative exercise number", "v=1&num=-3&step=2", "num", ProbNumbers},
		{"a word for an exercise number", "v=1&num=abc&step=2", "num", ProbNumbers},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, probs := Decode(ae, c.query)
			if len(probs) != 1 || probs[0].Field != c.field || probs[0].Key != c.key {
				t.Fatalf("problems %+v, want one %s at %q", probs, c.key, c.field)
			}
			if p.Step != 1 {
				t.Errorf("the rest of the link did not apply: step %d", p.Step+1)
			}
			if p.Numbers != 0 || !p.Exercise.Equal(ae.Exercise()) {
				t.Errorf("a refused part changed the exercise")
			}
			// A refused part of a matrix's entries refuses them all: the
			// entries left are those of other keys.
			for ref := range p.Practice.Entries {
				if "e."+ref.Matrix == c.field {
					t.Errorf("refused %s still entered %v", c.field, ref)
				}
			}
			for ref := range p.Practice.Revealed {
				if _, ok := p.Practice.Entries[ref]; !ok {
					t.Errorf("%v is revealed without an entry", ref)
				}
			}
			// What opened makes a link that opens with no problem.
			again, probs := Decode(ae, Encode(ae, p))
			if len(probs) > 0 || !again.Equal(p) {
				t.Errorf("the page it opened does not reopen (%v)", probs)
			}
		})
	}
}

// TestPracticeHistory: entries, reveals, scope and New numbers are undone
// and redone like edits, and the history keeps its own copies of a
// student's work.
func TestPracticeHistory(t *testing.T) {
	ae := engine.Lookup("autoencoder")
	h1 := engine.CellRef{Matrix: "H1", Row: 0, Col: 0}
	z := engine.CellRef{Matrix: "Z", Row: 0, Col: 0}
	cur := Snapshot{Exercise: ae.Exercise()}
	var h History
	h.Start(cur)
	var states []Practice
	step := func(f func(p *Practice)) {
		t.Helper()
		f(&cur.Practice) // the page changes its state in place
		if !h.Commit(cur) {
			t.Fatalf("%+v made no history entry", cur.Practice)
		}
		states = append(states, cur.Practice.Clone())
	}
	states = append(states, cur.Practice.Clone())
	step(func(p *Practice) { p.Scope = engine.ScopeForward })
	step(func(p *Practice) { p.Entries = engine.Entries{h1: 3} })
	step(func(p *Practice) { p.Entries[h1] = 2 }) // in place: the history must not share the map
	step(func(p *Practice) { p.Entries[z] = 3; p.Revealed = map[engine.CellRef]bool{z: true} })
	step(func(p *Practice) { p.Carry = true })
	if h.Commit(cur) {
		t.Error("the same work made a second entry")
	}
	// Revealed false is no reveal: the same work.
	same := cur.Copy()
	same.Practice.Revealed[h1] = false
	if h.Commit(same) {
		t.Error("a cell marked not revealed made an entry")
	}
	// New numbers: the exercise and its number.
	cur.Numbers, cur.Exercise = 7, mustBase(t, ae, 7)
	cur.Practice.Entries, cur.Practice.Revealed = nil, nil
	if !h.Commit(cur) {
		t.Fatal("New numbers made no entry")
	}
	s, ok := h.Undo(cur)
	if !ok || s.Numbers != 0 || !s.Exercise.Equal(ae.Exercise()) || !s.Practice.Equal(states[len(states)-1]) {
		t.Fatalf("undoing New numbers gave numbers %d and %+v", s.Numbers, s.Practice)
	}
	for i := len(states) - 2; i >= 0; i-- {
		s, ok = h.Undo(s)
		if !ok || !s.Practice.Equal(states[i]) {
			t.Fatalf("undo %d gave %+v, want %+v", len(states)-1-i, s.Practice, states[i])
		}
	}
	if h.CanUndo() {
		t.Error("more to undo than was done")
	}
	for i := 1; i < len(states); i++ {
		s, _ = h.Redo(s)
		if !s.Practice.Equal(states[i]) {
			t.Fatalf("redo %d gave %+v, want %+v", i, s.Practice, states[i])
		}
	}
	s, _ = h.Redo(s)
	if s.Numbers != 7 || len(s.Practice.Entries) != 0 {
		t.Errorf("redoing New numbers gave numbers %d and %d entries", s.Numbers, len(s.Practice.Entries))
	}
	// A snapshot given back is the caller's: a change made to it in place
	// is a change, not the commit the history holds.
	s, _ = h.Undo(s)
	s.Practice.Entries[h1] = 99
	if !h.Commit(s) {
		t.Errorf("the history shares a student's entries with the page")
	}
}
