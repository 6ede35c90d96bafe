package ui

import (
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
)

// Session is one reader's walkthrough of one model: their page state (the
// exercise as they edited it, the mode, the step, the settings) and the
// traced steps drawn from it. It is plain Go, tested without a browser;
// the page component is a thin shell over it.
//
// Every change of the page state goes through one of Session's methods,
// and every one of them ends in the change hook: the undo history, the
// page's URL, the saved work and the messages to a parent deck are all
// written from there (see OnChange), never from a click handler.
type Session struct {
	Model engine.Model
	// Page is the one home of the reader's state.
	Page  pagestate.Page
	Trace *engine.Trace
	Views []StepView
	// Losses holds the total loss before each applied update, for the
	// loss curve; Curves holds each named loss likewise.
	Losses []float64
	Curves map[string][]float64
	// Reshaped: the last recompute changed more than numbers (a step's
	// shape: strikes, undefined cells, pictures), so cards must redraw.
	Reshaped bool
	// Practice is the walkthrough worked with the student's entries when
	// practice mode is on (then Trace is its trace), else nil.
	Practice *engine.PracticeTrace
	// Tallies counts the blanks of each step (by step id) and of the whole
	// walkthrough, in practice mode.
	Tallies map[string]engine.Tally
	Tally   engine.Tally

	hist      pagestate.History
	listeners []func(Change)

	// Diverged: the last training run stopped because its loss ran away.
	Diverged bool
	runStart float64       // the loss where the current training run started
	runGood  *engine.State // the state before the run's last update

	// OutOfSight, when set, names the steps the reader cannot see now
	// (their views are brought up to date later: see View and Refresh).
	// The page sets it; nil builds every view at once.
	OutOfSight func() map[string]bool
	// RefreshSoon, when set, asks for Refresh to be called when the page
	// is next idle. Recomputed is when the walkthrough was last worked.
	RefreshSoon func()
	Recomputed  time.Time

	editable map[string]bool // the exercise's variables
	// blankRefs are the blanks engine.Blanks chose for blanksFor.
	blankRefs []engine.CellRef
	blanksFor blankChoice
	blanks    map[engine.CellRef]int // practice mode: the blanks, by cell
	flip      uint8
	// hovered is the computed cell whose explanation is on screen: when
	// numbers are patched, its explanation is patched too.
	hovered cellKey
}

// blankChoice is what decides which cells are blanks.
type blankChoice struct {
	mode  engine.Mode
	scope engine.Scope
	seed  uint64
}

// ChangeKind says what a change of the page state was.
type ChangeKind uint8

const (
	ChangeCell     ChangeKind = iota // a cell of the exercise
	ChangeMode                       // hand or exact arithmetic
	ChangeStep                       // the current step
	ChangeSettings                   // learning rate, run length, panels
	ChangeResample                   // the noise drawn anew
	ChangeUpdate                     // one update applied
	ChangeTrain                      // a training run (its slices are live)
	ChangeReset                      // back to the default exercise
	ChangeUndo
	ChangeRedo
	ChangeLoad     // a link, saved work or an exercise file opened
	ChangeCommit   // the end of a drag or of typing
	ChangeNumbers  // New numbers drew another exercise
	ChangePractice // practice mode: its scope, an entry, a reveal
)

// Change is one change of the page state, as the change hook sees it.
type Change struct {
	Kind ChangeKind
	// Live: part of a drag, of typing or of a training run still going.
	// It makes no history entry; the Commit that ends it makes one.
	Live bool
}

// recorded reports whether a change of this kind is an undo entry once
// committed.
func (k ChangeKind) recorded() bool {
	switch k {
	case ChangeCell, ChangeResample, ChangeUpdate, ChangeTrain, ChangeReset, ChangeLoad, ChangeCommit,
		ChangeNumbers, ChangePractice:
		return true
	}
	return false
}

// Content reports whether a change of this kind changed the exercise or
// the mode (and not only where the reader is).
func (k ChangeKind) Content() bool { return k != ChangeStep && k != ChangeSettings }

// NewSession opens a model on its default page in the given mode.
func NewSession(m engine.Model, mode engine.Mode) *Session {
	p := pagestate.Default(m)
	p.Mode = mode
	return OpenSession(m, p)
}

// OpenSession opens a model on page p; the undo history starts there.
func OpenSession(m engine.Model, p pagestate.Page) *Session {
	s := &Session{Model: m, Page: p.Clone(), Curves: map[string][]float64{}, runStart: math.NaN()}
	s.recompute()
	s.Page.Step = max(0, min(s.Page.Step, len(s.Views)-1))
	s.hist.Start(s.snapshot())
	return s
}

// OnChange adds f to the change hook: it is called after every change of
// the page state, once the views are up to date.
func (s *Session) OnChange(f func(Change)) { s.listeners = append(s.listeners, f) }

// changed is the change hook: every change of the page state ends here.
func (s *Session) changed(c Change) {
	if !c.Live && c.Kind.recorded() {
		s.hist.Commit(s.snapshot())
	}
	for _, f := range s.listeners {
		f(c)
	}
}

func (s *Session) snapshot() pagestate.Snapshot {
	return pagestate.Snapshot{Exercise: s.Page.Exercise, Losses: s.Losses, Curves: s.Curves,
		Numbers: s.Page.Numbers, Practice: s.Page.Practice}
}

// Steps is how many steps the walkthrough has.
func (s *Session) Steps() int { return len(s.Views) }

// Exercise is the exercise as the reader has it.
func (s *Session) Exercise() *engine.State { return s.Page.Exercise }

// recompute works the walkthrough through again and rebuilds the views,
// marking the cells whose numbers changed.
func (s *Session) recompute() { s.recomputeAfter("") }

// recomputeAfter works the walkthrough through again after an edit of
// variable changed ("" for any change) and rebuilds the views of the steps
// the trace says depend on it; the others are kept, their cells marked
// unchanged.
func (s *Session) recomputeAfter(changed string) {
	s.Recomputed = time.Now()
	before := s.Trace
	s.Practice, s.Tallies, s.Tally, s.blanks = nil, nil, engine.Tally{}, nil
	if pr := s.Page.Practice; pr.Scope == engine.ScopeOff {
		s.Trace = s.Model.Run(s.Page.Exercise, s.Page.Mode)
	} else {
		// Which cells are blanks depends on the steps and their shapes,
		// not on the numbers: worked out once per mode, scope and seed.
		k := blankChoice{s.Page.Mode, pr.Scope, max(s.Page.Numbers, 1)}
		if s.blankRefs == nil || s.blanksFor != k {
			s.blankRefs, s.blanksFor = engine.Blanks(s.Model.Run(s.Page.Exercise, s.Page.Mode), k.scope, k.seed), k
		}
		s.Practice = engine.Practice(s.Model, s.Page.Exercise, s.Page.Mode, s.blankRefs, pr.Entries, pr.Carry)
		s.blanks = make(map[engine.CellRef]int, len(s.blankRefs))
		for i, ref := range s.Practice.Blanks() {
			s.blanks[ref] = i
		}
		s.Trace = s.Practice.Trace
		steps, total := s.Practice.Progress(pr.Revealed)
		s.Tallies, s.Tally = map[string]engine.Tally{}, total
		for _, t := range steps {
			s.Tallies[t.Step] = t
		}
		changed = "" // every step may show another blank's state
	}
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
	s.editable = map[string]bool{}
	for _, v := range s.Page.Exercise.Vars {
		s.editable[v.ID] = true
	}
	// Steps out of sight keep their old numbers until drawn or until the
	// page is idle, except in practice mode, where every card's shape
	// holds its cells. The current step is always brought up to date.
	var later map[string]bool
	if s.OutOfSight != nil && s.Practice == nil {
		later = s.OutOfSight()
	}
	if s.flip == 1 {
		s.flip = 2
	} else {
		s.flip = 1
	}
	// A step's worked example shows while its numbers are the default
	// exercise's (in practice mode, less the steps it would give answers
	// of): the default trace is worked once per model and mode. On drawn
	// numbers (and so on a worksheet of exercise N ≠ 0) none is shown,
	// not even of a step that reads only numbers New numbers keeps.
	var worked map[string]bool
	if s.Page.Numbers == 0 {
		def := engine.DefaultTrace(s.Model, s.Page.Mode)
		if s.Practice != nil {
			worked = s.Practice.Worked(def)
		} else {
			worked = s.Trace.Worked(def)
		}
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
		if later[st.ID] && i != s.Page.Step {
			if v, ok := staleView(s.Trace, i, st, old[st.ID], worked[st.ID]); ok {
				views[i] = v
				continue
			}
		}
		views[i] = viewStep(s.Trace, i, st, s.editable, old[st.ID], s.flip, worked[st.ID])
		if s.Practice != nil {
			s.practiceView(&views[i])
		}
	}
	s.Reshaped = len(views) != len(s.Views)
	for i := range views {
		if o := old[views[i].ID]; o == nil || o.Shape != views[i].Shape {
			s.Reshaped = true
		}
	}
	s.Views = views
}

// View returns step i's view, brought up to date if it was left stale.
func (s *Session) View(i int) *StepView {
	v := &s.Views[i]
	if v.stale {
		*v = viewStep(s.Trace, i, s.Trace.Steps[i], s.editable, v, s.flip, v.Worked != "")
	}
	return v
}

// Refresh brings stale views up to date, in walkthrough order, for about
// budget, and returns how many are left.
func (s *Session) Refresh(budget time.Duration) int {
	end := time.Now().Add(budget)
	left := 0
	for i := range s.Views {
		if !s.Views[i].stale {
			continue
		}
		if time.Now().Before(end) {
			s.View(i)
		} else {
			left++
		}
	}
	return left
}

// stale counts the views not up to date.
func (s *Session) stale() int {
	n := 0
	for i := range s.Views {
		if s.Views[i].stale {
			n++
		}
	}
	return n
}

// Edit sets one cell of the exercise from typed text, as one committed
// edit. A refused entry returns its message key and changes nothing.
func (s *Session) Edit(id string, r, c int, text string) error {
	v, err := engine.ParseNumber(text)
	if err != nil {
		return err
	}
	return s.Set(id, r, c, v)
}

// Set sets one cell of the exercise to a number, as one committed edit.
func (s *Session) Set(id string, r, c int, v float64) error { return s.set(id, r, c, v, false) }

// SetLive sets one cell as part of a drag, a slide or typing: the change
// is shown and announced, and makes one undo entry when Commit ends it.
func (s *Session) SetLive(id string, r, c int, v float64) error { return s.set(id, r, c, v, true) }

func (s *Session) set(id string, r, c int, v float64, live bool) error {
	if old := s.Page.Exercise.Var(id); old != nil {
		rows, cols := old.Data.Dims()
		if r >= 0 && c >= 0 && r < rows && c < cols && old.Data.At(r, c) == v {
			if !live {
				s.Commit() // the end of a drag that came back where it started
			}
			return nil
		}
	}
	if err := s.Page.Exercise.Set(id, r, c, v); err != nil {
		return err
	}
	if s.Page.Exercise.Var(id).Role == engine.RoleNoise {
		s.Page.Exercise.Seed = 0 // noise written by hand: no seed draws it
	}
	s.recomputeAfter(id)
	s.changed(Change{Kind: ChangeCell, Live: live})
	return nil
}

// Practising reports whether practice mode is on.
func (s *Session) Practising() bool { return s.Practice != nil }

// SetPractice turns practice mode on with the given scope, or off. The
// student's entries are kept: turning it back on brings them back.
func (s *Session) SetPractice(scope engine.Scope) {
	if s.Page.Practice.Scope == scope {
		return
	}
	s.Page.Practice.Scope = scope
	s.recompute()
	s.changed(Change{Kind: ChangePractice})
}

// SetCarry says whether the steps after a wrong entry read the right
// number (true) or the entry (false).
func (s *Session) SetCarry(carry bool) {
	if s.Page.Practice.Carry == carry {
		return
	}
	s.Page.Practice.Carry = carry
	s.recompute()
	s.changed(Change{Kind: ChangePractice})
}

// Enter commits a student's typed entry for blank cell ref: a number is
// kept (and checked), empty text takes the entry back, anything else is
// refused with its message key and changes nothing.
func (s *Session) Enter(ref engine.CellRef, text string) error {
	pr := &s.Page.Practice
	if strings.TrimSpace(text) == "" {
		if _, ok := pr.Entries[ref]; !ok {
			return nil
		}
		pr.Entries = maps.Clone(pr.Entries)
		delete(pr.Entries, ref)
	} else {
		v, err := engine.ParseNumber(text)
		if err != nil {
			return err
		}
		if old, ok := pr.Entries[ref]; ok && old == v && !pr.Revealed[ref] {
			return nil
		}
		pr.Entries = maps.Clone(pr.Entries)
		if pr.Entries == nil {
			pr.Entries = engine.Entries{}
		}
		pr.Entries[ref] = v
	}
	if pr.Revealed[ref] {
		pr.Revealed = maps.Clone(pr.Revealed)
		delete(pr.Revealed, ref)
	}
	s.recompute()
	s.changed(Change{Kind: ChangePractice})
	return nil
}

// Reveal fills in the answers of the given blank cells and marks them
// revealed (not solved). A cell whose entry is right keeps it: it is the
// student's. A cell whose answer cannot be known yet (it is computed from
// an empty cell) waits: cells revealed together are filled in order, so a
// step's later cells can follow from its earlier ones. It reports how
// many were revealed.
func (s *Session) Reveal(refs ...engine.CellRef) int {
	if s.Practice == nil {
		return 0
	}
	pr := &s.Page.Practice
	pr.Entries, pr.Revealed = maps.Clone(pr.Entries), maps.Clone(pr.Revealed)
	if pr.Entries == nil {
		pr.Entries = engine.Entries{}
	}
	if pr.Revealed == nil {
		pr.Revealed = map[engine.CellRef]bool{}
	}
	n := 0
	for progress := true; progress; {
		progress = false
		for _, ref := range refs {
			if pr.Revealed[ref] {
				continue
			}
			want, ok := s.Practice.Expected(ref)
			if !ok {
				continue
			}
			if e, entered := pr.Entries[ref]; entered && engine.Agrees(e, want) {
				continue // right already
			}
			pr.Entries[ref], pr.Revealed[ref] = want, true
			n++
			progress = true
		}
		if progress {
			s.recompute()
		}
	}
	if n > 0 {
		s.changed(Change{Kind: ChangePractice})
	}
	return n
}

// Blank reports whether cell ref is a blank of practice mode.
func (s *Session) Blank(ref engine.CellRef) bool {
	if s.Practice == nil {
		return false
	}
	_, ok := s.blanks[ref]
	return ok
}

// NewNumbers draws the exercise numbered seed (0: the walkthrough's own
// numbers) and starts over on it: the loss curve and the student's entries
// go, as they were for other numbers. It reports false, changing nothing,
// for a seed that draws nothing.
func (s *Session) NewNumbers(seed uint64) bool {
	base, ok := pagestate.Base(s.Model, seed)
	if !ok {
		return false
	}
	s.Page.Numbers, s.Page.Exercise = seed, base
	s.Page.Practice.Entries, s.Page.Practice.Revealed = nil, nil
	s.Losses, s.Curves = nil, map[string][]float64{}
	s.recompute()
	s.changed(Change{Kind: ChangeNumbers})
	return true
}

// Commit ends a drag, a slide, typing or a training run: what changed
// since the last entry becomes one undo entry (none if nothing changed).
func (s *Session) Commit() { s.changed(Change{Kind: ChangeCommit}) }

// Value returns one cell of the exercise.
func (s *Session) Value(id string, r, c int) float64 { return s.Page.Exercise.Get(id).At(r, c) }

// SetMode switches between hand and exact arithmetic.
func (s *Session) SetMode(m engine.Mode) {
	if s.Page.Mode == m {
		return
	}
	s.Page.Mode = m
	s.recompute()
	s.Page.Step = min(s.Page.Step, len(s.Views)-1) // the walkthrough may have fewer steps in this mode
	s.changed(Change{Kind: ChangeMode})
}

// GoTo makes step i (0-based, kept within the walkthrough) the current one.
func (s *Session) GoTo(i int) {
	i = max(0, min(i, len(s.Views)-1))
	if i == s.Page.Step {
		return
	}
	s.Page.Step = i
	s.changed(Change{Kind: ChangeStep})
}

// SetLR sets the learning rate; a value that cannot be one is refused.
func (s *Session) SetLR(lr float64) bool {
	if !pagestate.ValidLR(lr) {
		return false
	}
	if lr != s.Page.LR {
		s.Page.LR = lr
		s.changed(Change{Kind: ChangeSettings})
	}
	return true
}

// SetN sets the number of updates of a training run.
func (s *Session) SetN(n int) bool {
	if !pagestate.ValidN(n) {
		return false
	}
	if n != s.Page.N {
		s.Page.N = n
		s.changed(Change{Kind: ChangeSettings})
	}
	return true
}

// SetPanel opens or closes a sidebar panel.
func (s *Session) SetPanel(name string, open bool) {
	closed, ok := s.Page.Closed.With(name, !open)
	if !ok || closed == s.Page.Closed {
		return
	}
	s.Page.Closed = closed
	s.changed(Change{Kind: ChangeSettings})
}

// Resample draws the exercise's noise anew from seed. It does nothing for
// a model without noise.
func (s *Session) Resample(seed uint64) bool {
	r, ok := s.Model.(engine.Resampler)
	if !ok {
		return false
	}
	r.Resample(s.Page.Exercise, seed)
	s.recompute()
	s.changed(Change{Kind: ChangeResample})
	return true
}

// CanResample reports whether the model draws noise from a seed.
func (s *Session) CanResample() bool {
	_, ok := s.Model.(engine.Resampler)
	return ok
}

// Reset restores the default exercise and clears the loss curve; the
// mode, the step and the settings stay. It is one undo entry.
func (s *Session) Reset() {
	s.Page.Exercise, _ = pagestate.Base(s.Model, s.Page.Numbers)
	s.Losses = nil
	s.Curves = map[string][]float64{}
	s.recompute()
	s.changed(Change{Kind: ChangeReset})
}

// Load replaces the whole page state (an opened link, saved work or an
// exercise file), as one undo entry.
func (s *Session) Load(p pagestate.Page) {
	s.Page = p.Clone()
	s.Page.Step = max(0, min(s.Page.Step, len(s.Views)-1))
	s.recompute()
	s.changed(Change{Kind: ChangeLoad})
}

// Undo takes back the last committed change; it reports false when there
// is none.
func (s *Session) Undo() bool { return s.travel(s.hist.Undo, ChangeUndo) }

// Redo brings back what Undo took.
func (s *Session) Redo() bool { return s.travel(s.hist.Redo, ChangeRedo) }

// travel moves through the history one way, then announces it.
func (s *Session) travel(move func(pagestate.Snapshot) (pagestate.Snapshot, bool), kind ChangeKind) bool {
	snap, ok := move(s.snapshot())
	if ok {
		s.restore(snap)
		s.changed(Change{Kind: kind})
	}
	return ok
}

// CanUndo and CanRedo say whether Undo and Redo would do anything.
func (s *Session) CanUndo() bool { return s.hist.CanUndo() }
func (s *Session) CanRedo() bool { return s.hist.CanRedo() }

func (s *Session) restore(snap pagestate.Snapshot) {
	s.Page.Exercise, s.Losses, s.Curves = snap.Exercise, snap.Losses, snap.Curves
	s.Page.Numbers, s.Page.Practice = snap.Numbers, snap.Practice.Clone()
	if s.Curves == nil {
		s.Curves = map[string][]float64{}
	}
	s.recompute()
}

// Update applies one update at the page's learning rate, as one undo
// entry. It returns false, changing nothing, when the update is refused
// (an undefined step or a gradient that is not finite) or when it would
// make the loss diverge (see Train).
func (s *Session) Update() bool {
	s.BeginRun()
	done, ok := s.Train(1, time.Time{})
	if done > 0 {
		s.Commit()
	}
	return ok && done > 0
}

// BeginRun marks the start of a training run: its loss is the one that
// divergence is measured against.
func (s *Session) BeginRun() { s.runStart, s.runGood, s.Diverged = math.NaN(), nil, false }

// divergeFactor is how far past the run's starting loss a loss may grow
// before the run is stopped as diverging.
const divergeFactor = 1000

// Train applies up to n updates at the page's learning rate, recording
// the losses before each, and redraws the steps once at the end. It stops
// at the deadline (unless zero), having applied at least one update, and
// stops early, returning false, when an update is refused, or when the
// loss stops being a number or grows past divergeFactor times where the
// run started: the run has diverged (Diverged), and the exercise goes
// back to the last state whose loss was still in bounds. The updates are
// live: a training run is one undo entry once Commit ends it.
func (s *Session) Train(n int, deadline time.Time) (done int, ok bool) {
	ok = true
	for done < n && (done == 0 || deadline.IsZero() || time.Now().Before(deadline)) {
		before := s.Page.Exercise.Clone()
		tr, applied := engine.Update(s.Model, s.Page.Exercise, s.Page.Mode, s.Page.LR)
		loss := engine.TotalLoss(tr) // the loss of the state before the update
		if math.IsNaN(s.runStart) {
			s.runStart = loss
		}
		if !applied || !s.inBounds(loss) {
			// Refused: the exercise is undefined or a gradient is not a
			// number. Within a run, that is the run running away.
			ok = false
			if s.runGood != nil {
				done -= s.diverge()
			}
			break
		}
		s.runGood = before
		s.record(tr)
		done++
	}
	if ok && done > 0 {
		// Where the last update led may itself have run away.
		if after := s.Model.Run(s.Page.Exercise, s.Page.Mode); !after.Defined() || !s.inBounds(engine.TotalLoss(after)) {
			ok = false
			done -= s.diverge()
		}
	}
	s.recompute()
	if done > 0 || s.Diverged {
		s.changed(Change{Kind: ChangeTrain, Live: true})
	}
	return done, ok
}

// diverge takes the run back to the last state whose loss was in bounds
// (the one before the last update), forgets that update's loss, and says
// the run diverged. It returns the number of updates undone.
func (s *Session) diverge() int {
	s.Page.Exercise, s.runGood, s.Diverged = s.runGood, nil, true
	s.Losses = s.Losses[:len(s.Losses)-1]
	for k, v := range s.Curves {
		if len(v) > 0 {
			s.Curves[k] = v[:len(v)-1]
		}
	}
	return 1
}

// inBounds reports whether a loss is a number no more than divergeFactor
// times the run's starting loss.
func (s *Session) inBounds(loss float64) bool {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return false
	}
	start := s.runStart
	if math.IsNaN(start) || math.IsInf(start, 0) {
		return true
	}
	return loss <= divergeFactor*math.Max(start, 0.01)
}

func (s *Session) record(tr *engine.Trace) {
	s.Losses = append(s.Losses, engine.TotalLoss(tr))
	for _, l := range tr.Losses {
		s.Curves[l.Name] = append(s.Curves[l.Name], l.Value)
	}
}

// Loss is the current total loss; ok is false when it is not a number.
func (s *Session) Loss() (float64, bool) {
	if !s.Trace.Defined() || s.Practising() { // practice: the loss may be a blank's answer
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
	if !ok || e.Formula == "" { // a blank explains nothing: its hint is Check's
		return "", nil, false
	}
	if s.Practice != nil {
		// Nor does a view's cell that is a blank (with carry, its formula
		// would say the answer).
		if _, ok := s.viewed(engine.CellRef{Matrix: k.M, Row: k.R, Col: k.C}, s.blanks); ok {
			return "", nil, false
		}
	}
	name := k.M
	if m := s.Trace.Matrix(k.M); m != nil {
		name = m.Name
	}
	return name + " [" + strconv.Itoa(k.R+1) + "," + strconv.Itoa(k.C+1) + "]: " + e.Formula, e.Sources, true
}
