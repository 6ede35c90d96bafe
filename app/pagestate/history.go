package pagestate

import (
	"maps"
	"slices"

	"github.com/byhand/byhand/engine"
)

// Snapshot is what undo brings back: the exercise and the loss curves
// trained on it. The step, the mode, the settings and the panels are not
// undone: they are where the reader is, not what they did.
type Snapshot struct {
	Exercise *engine.State
	Losses   []float64
	Curves   map[string][]float64
	// Numbers and Practice: New numbers and a student's work are undone
	// like any edit.
	Numbers  uint64
	Practice Practice
}

// Copy returns a deep copy.
func (s Snapshot) Copy() Snapshot {
	out := Snapshot{Losses: slices.Clone(s.Losses), Curves: make(map[string][]float64, len(s.Curves)),
		Numbers: s.Numbers, Practice: s.Practice.Clone()}
	if s.Exercise != nil {
		out.Exercise = s.Exercise.Clone()
	}
	for k, v := range s.Curves {
		out.Curves[k] = slices.Clone(v)
	}
	return out
}

func (s Snapshot) equal(o Snapshot) bool {
	return s.Exercise.Equal(o.Exercise) && slices.Equal(s.Losses, o.Losses) &&
		s.Numbers == o.Numbers && s.Practice.Equal(o.Practice) &&
		maps.EqualFunc(nonEmpty(s.Curves), nonEmpty(o.Curves), func(a, b []float64) bool { return slices.Equal(a, b) })
}

// nonEmpty leaves out the curves with no points: a curve that was started
// and taken back is no curve.
func nonEmpty(c map[string][]float64) map[string][]float64 {
	out := make(map[string][]float64, len(c))
	for k, v := range c {
		if len(v) > 0 {
			out[k] = v
		}
	}
	return out
}

// MaxHistory is how many steps back undo reaches.
const MaxHistory = 200

// History is the undo and redo history of a page. Each entry is the
// snapshot before one committed change: an edit, a whole drag, a resample,
// an update, a training run, a reset, an import or an opened link.
type History struct {
	past, future []Snapshot
	// committed is the snapshot as of the last commit: a change in
	// progress (a drag, typing) does not move it until it is committed.
	committed Snapshot
	started   bool
}

// Start forgets all history: cur is where it begins.
func (h *History) Start(cur Snapshot) {
	h.past, h.future, h.committed, h.started = nil, nil, cur.Copy(), true
}

// Commit records a change that led to cur: one entry, unless cur is the
// same as the last commit (an edit that set a cell to the value it had).
func (h *History) Commit(cur Snapshot) bool {
	if !h.started {
		h.Start(cur)
		return false
	}
	if h.committed.equal(cur) {
		return false
	}
	h.past = append(h.past, h.committed)
	if len(h.past) > MaxHistory {
		h.past = slices.Delete(h.past, 0, len(h.past)-MaxHistory)
	}
	h.future = nil
	h.committed = cur.Copy()
	return true
}

// Undo returns the snapshot before the last commit, if there is one; cur
// (the page as it is, a change in progress included) becomes redoable.
func (h *History) Undo(cur Snapshot) (Snapshot, bool) { return h.move(&h.past, &h.future, cur) }

// Redo brings back what the last undo took away.
func (h *History) Redo(cur Snapshot) (Snapshot, bool) { return h.move(&h.future, &h.past, cur) }

// move takes the last snapshot of from, puts cur on to, and makes the
// snapshot taken the last commit.
func (h *History) move(from, to *[]Snapshot, cur Snapshot) (Snapshot, bool) {
	if len(*from) == 0 {
		return Snapshot{}, false
	}
	next := (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	*to = append(*to, cur.Copy())
	h.committed = next
	return next.Copy(), true
}

// CanUndo and CanRedo say whether there is anything to undo or redo.
func (h *History) CanUndo() bool { return len(h.past) > 0 }
func (h *History) CanRedo() bool { return len(h.future) > 0 }
