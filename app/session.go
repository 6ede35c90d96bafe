package ui

import (
	"strconv"
	"time"

	"github.com/byhand/byhand/engine"
)

// Session is one reader's walkthrough of one model: the exercise as they
// edited it, the arithmetic mode, and the traced steps drawn from them. It
// is plain Go, tested without a browser; the page component is a thin
// shell over it.
type Session struct {
	Model engine.Model
	State *engine.State
	Mode  engine.Mode
	Trace *engine.Trace
	Views []StepView
	// Losses holds the total loss before each applied update, for the
	// loss curve; Curves holds each named loss likewise.
	Losses []float64
	Curves map[string][]float64
	// Reshaped: the last recompute changed more than numbers (a step's
	// shape: strikes, undefined cells, pictures), so cards must redraw.
	Reshaped bool

	flip uint8
	// hovered is the computed cell whose explanation is on screen: when
	// numbers are patched, its explanation is patched too.
	hovered cellKey
}

// NewSession opens a model on its default exercise.
func NewSession(m engine.Model, mode engine.Mode) *Session {
	s := &Session{Model: m, State: m.Exercise(), Mode: mode, Curves: map[string][]float64{}}
	s.recompute()
	return s
}

// recompute works the walkthrough through again and rebuilds the views,
// marking the cells whose numbers changed.
func (s *Session) recompute() { s.recomputeAfter("") }

// recomputeAfter works the walkthrough through again after an edit of
// variable changed ("" for any change) and rebuilds the views of the steps
// the trace says depend on it; the others are kept, their cells marked
// unchanged.
func (s *Session) recomputeAfter(changed string) {
	before := s.Trace
	s.Trace = s.Model.Run(s.State, s.Mode)
	var affected map[string]bool
	if changed != "" && before != nil {
		affected = map[string]bool{}
		for _, id := range before.Downstream(changed) {
			affected[id] = true
		}
		for _, st := range before.Steps {
			for _, m := range st.Matrices {
				if m.ID == changed {
					affected[st.ID] = true
				}
			}
		}
	}
	editable := map[string]bool{}
	for _, v := range s.State.Vars {
		editable[v.ID] = true
	}
	if s.flip == 1 {
		s.flip = 2
	} else {
		s.flip = 1
	}
	old := map[string]*StepView{}
	for i := range s.Views {
		old[s.Views[i].ID] = &s.Views[i]
	}
	views := make([]StepView, len(s.Trace.Steps))
	for i, st := range s.Trace.Steps {
		if o := old[st.ID]; o != nil && affected != nil && !affected[st.ID] && o.Index == i {
			views[i] = *o
			views[i].unflash()
			continue
		}
		views[i] = viewStep(s.Trace, i, st, editable, old[st.ID], s.flip)
	}
	s.Reshaped = len(views) != len(s.Views)
	for i := range views {
		if o := old[views[i].ID]; o == nil || o.Shape != views[i].Shape {
			s.Reshaped = true
		}
	}
	s.Views = views
}

// Edit sets one cell of the exercise from typed text. A refused entry
// returns its message key and changes nothing.
func (s *Session) Edit(id string, r, c int, text string) error {
	v, err := engine.ParseNumber(text)
	if err != nil {
		return err
	}
	return s.Set(id, r, c, v)
}

// Set sets one cell of the exercise to a number.
func (s *Session) Set(id string, r, c int, v float64) error {
	if old := s.State.Var(id); old != nil {
		rows, cols := old.Data.Dims()
		if r >= 0 && c >= 0 && r < rows && c < cols && old.Data.At(r, c) == v {
			return nil
		}
	}
	if err := s.State.Set(id, r, c, v); err != nil {
		return err
	}
	s.recomputeAfter(id)
	return nil
}

// Value returns one cell of the exercise.
func (s *Session) Value(id string, r, c int) float64 { return s.State.Get(id).At(r, c) }

// SetMode switches between hand and exact arithmetic.
func (s *Session) SetMode(m engine.Mode) {
	if s.Mode == m {
		return
	}
	s.Mode = m
	s.recompute()
}

// Resample draws the exercise's noise anew from seed. It does nothing for
// a model without noise.
func (s *Session) Resample(seed uint64) bool {
	r, ok := s.Model.(engine.Resampler)
	if !ok {
		return false
	}
	r.Resample(s.State, seed)
	s.recompute()
	return true
}

// CanResample reports whether the model draws noise from a seed.
func (s *Session) CanResample() bool {
	_, ok := s.Model.(engine.Resampler)
	return ok
}

// Reset restores the default exercise and clears the loss curve.
func (s *Session) Reset() {
	s.State = s.Model.Exercise()
	s.Losses = nil
	s.Curves = map[string][]float64{}
	s.recompute()
}

// Train applies up to n updates with learning rate lr, recording the
// losses before each, and redraws the steps once at the end. It stops at
// the deadline (unless zero), having applied at least one update, and
// stops early, returning false, when an update is refused (an undefined
// step or a gradient that is not finite).
func (s *Session) Train(n int, lr float64, deadline time.Time) (done int, ok bool) {
	ok = true
	for done < n && (done == 0 || deadline.IsZero() || time.Now().Before(deadline)) {
		tr, applied := engine.Update(s.Model, s.State, s.Mode, lr)
		if !applied {
			ok = false
			break
		}
		s.record(tr)
		done++
	}
	s.recompute()
	return done, ok
}

func (s *Session) record(tr *engine.Trace) {
	s.Losses = append(s.Losses, engine.TotalLoss(tr))
	for _, l := range tr.Losses {
		s.Curves[l.Name] = append(s.Curves[l.Name], l.Value)
	}
}

// Loss is the current total loss; ok is false when it is not a number.
func (s *Session) Loss() (float64, bool) {
	if !s.Trace.Defined() {
		return 0, false
	}
	l := engine.TotalLoss(s.Trace)
	return l, engine.Format(l) != ""
}

// Explain returns how a computed cell was made, or false.
func (s *Session) Explain(id string, r, c int) (engine.Explanation, bool) {
	return s.Trace.Explain(id, r, c)
}

// explainText is a computed cell's explanation as the page shows it:
// "H₁ [2,1]: 0·1 + … = −2", and the cells it came from.
func (s *Session) explainText(k cellKey) (string, []engine.CellRef, bool) {
	e, ok := s.Trace.Explain(k.M, k.R, k.C)
	if !ok {
		return "", nil, false
	}
	name := k.M
	if m := s.Trace.Matrix(k.M); m != nil {
		name = m.Name
	}
	return name + " [" + strconv.Itoa(k.R+1) + "," + strconv.Itoa(k.C+1) + "]: " + e.Formula, e.Sources, true
}
