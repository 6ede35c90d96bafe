// Package pagestate is the one home of what a reader can change on a model
// page: the exercise's numbers and noise seed, the arithmetic mode, the
// current step, the training settings and which panels are open. It is
// plain Go, tested without a browser. Its encodings (links, saved work,
// exercise files) are all in codec.go; the undo history in history.go; the
// parent-page messages of an embedded page in deck.go.
package pagestate

import (
	"maps"

	"github.com/byhand/byhand/engine"
)

// Page is a reader's whole state on one model page.
type Page struct {
	// Exercise holds every variable's numbers and the noise seed (0 when
	// the noise was written by hand).
	Exercise *engine.State
	Mode     engine.Mode
	// Step is the current step, 0-based.
	Step int
	// LR is the learning rate of an update; N the number of updates a
	// training run makes.
	LR float64
	N  int
	// Closed lists the sidebar panels the reader closed.
	Closed Panels
	// Numbers is the seed "New numbers" drew the exercise from
	// (engine.Draw); 0 for the walkthrough's own numbers. Edits are kept
	// over those numbers, and Reset goes back to them.
	Numbers uint64
	// Practice is a student's work in practice mode.
	Practice Practice
}

// Practice is a student's work in practice mode: which cells are blanks,
// what they entered and which cells they revealed.
type Practice struct {
	Scope engine.Scope
	// Carry: the steps after a wrong entry read the right number instead.
	Carry bool
	// Entries holds the student's numbers; a revealed cell holds its
	// answer and is in Revealed too.
	Entries  engine.Entries
	Revealed map[engine.CellRef]bool
}

// Clone returns a deep copy.
func (p Practice) Clone() Practice {
	p.Entries = maps.Clone(p.Entries)
	p.Revealed = maps.Clone(p.Revealed)
	return p
}

// Equal reports whether two practices are the same (no entries and an
// empty map of entries are the same).
func (p Practice) Equal(o Practice) bool {
	return p.Scope == o.Scope && p.Carry == o.Carry && maps.Equal(p.Entries, o.Entries) &&
		maps.Equal(nonEmptySet(p.Revealed), nonEmptySet(o.Revealed))
}

func nonEmptySet(m map[engine.CellRef]bool) map[engine.CellRef]bool {
	out := map[engine.CellRef]bool{}
	for k, v := range m {
		if v {
			out[k] = true
		}
	}
	return out
}

// ScopeNames are the practice scopes as links name them.
var ScopeNames = map[engine.Scope]string{
	engine.ScopeOff: "off", engine.ScopeForward: "forward", engine.ScopeAll: "all", engine.ScopeRandom: "random",
}

// ParseScope reads a practice scope by the name links give it.
func ParseScope(name string) (engine.Scope, bool) {
	for sc, n := range ScopeNames {
		if n == name {
			return sc, true
		}
	}
	return engine.ScopeOff, false
}

// Base is the exercise a page starts from: the walkthrough's own numbers,
// or those New numbers drew from seed numbers. A seed that draws nothing
// gives the walkthrough's own numbers and false.
func Base(m engine.Model, numbers uint64) (*engine.State, bool) {
	if numbers == 0 {
		return m.Exercise(), true
	}
	st, err := engine.Draw(m, numbers)
	if err != nil {
		return m.Exercise(), false
	}
	return st, true
}

// Panels is a set of sidebar panels.
type Panels struct {
	Steps, Share, Train, Legend bool
}

// PanelNames lists the panels in the order of the sidebar, with the name
// a link uses for each.
var PanelNames = []string{"train", "steps", "share", "legend"}

// Get reports whether the named panel is in the set.
func (p Panels) Get(name string) bool {
	switch name {
	case "steps":
		return p.Steps
	case "share":
		return p.Share
	case "train":
		return p.Train
	case "legend":
		return p.Legend
	}
	return false
}

// With returns the set with the named panel put in or taken out; an
// unknown name changes nothing and reports false.
func (p Panels) With(name string, on bool) (Panels, bool) {
	switch name {
	case "steps":
		p.Steps = on
	case "share":
		p.Share = on
	case "train":
		p.Train = on
	case "legend":
		p.Legend = on
	default:
		return p, false
	}
	return p, true
}

// DefaultN is the number of updates a training run makes unless the reader
// says otherwise.
const DefaultN = 100

// MaxN is the most updates one training run may make.
const MaxN = 10000

// MaxLR is the largest learning rate a reader may set.
const MaxLR = 10.0

// Default is the page as it first opens: the model's default exercise in
// hand arithmetic, at the first step, every panel open.
func Default(m engine.Model) Page {
	lr := m.Info().LearningRate
	if !(lr > 0) || lr > MaxLR {
		lr = 0.01
	}
	return Page{Exercise: m.Exercise(), Mode: engine.Hand, LR: lr, N: DefaultN}
}

// Clone returns a deep copy.
func (p Page) Clone() Page {
	p.Exercise = p.Exercise.Clone()
	p.Practice = p.Practice.Clone()
	return p
}

// Equal reports whether two pages are the same state.
func (p Page) Equal(o Page) bool {
	return p.Mode == o.Mode && p.Step == o.Step && p.LR == o.LR && p.N == o.N && p.Closed == o.Closed &&
		p.Exercise.Equal(o.Exercise) && p.Numbers == o.Numbers && p.Practice.Equal(o.Practice)
}

// ValidLR reports whether lr can be a learning rate.
func ValidLR(lr float64) bool { return lr > 0 && lr <= MaxLR }

// ValidN reports whether n can be the length of a training run.
func ValidN(n int) bool { return n >= 1 && n <= MaxN }
