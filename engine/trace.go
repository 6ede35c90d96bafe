package engine

import (
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Layout is how a step arranges its matrices.
type Layout int

const (
	// Sequence shows the matrices left to right, with Ops between them.
	Sequence Layout = iota
	// Product lays out Matrices[0]·Matrices[1] = Matrices[2] by hand: the
	// left factor to the left, the top factor above, the result at their
	// crossing, so each result cell sits in the row and column that made it.
	Product
)

// Step is one step of a walkthrough.
type Step struct {
	ID string
	// Title and Text are message keys (see package app/i18n).
	Title, Text string
	// Note is an optional message key shown beside the step.
	Note string
	// Worked is an optional message key: the step worked through with the
	// numbers of the walkthrough's default exercise. It is true only
	// while the step's numbers are those (see AsDefault).
	Worked string
	// Formula is the step's formula as MathML content (without <math>).
	Formula  string
	Layout   Layout
	Matrices []*Matrix
	// Ops[i] is drawn before Sequence matrix i (Ops[0] is a prefix, often
	// empty): len(Ops) == len(Matrices), or no Ops at all.
	Ops []string
	// FoldBias: in a Product, the left factor's last column is a bias and
	// the top factor is drawn with a row of 1s under it.
	FoldBias bool
	// Reads lists the matrices this step computes from, by id.
	Reads []string
	// Undefined is a message key saying why this step's result is not a
	// number (a σ ≤ 0, an overflow); empty when it is defined.
	Undefined string
	// WaitsOn is the id of an earlier undefined step this one depends on.
	WaitsOn string
	// Produces lists, by id, the matrices this step computes.
	Produces []string
	// Backward: the step belongs to the backward pass, which carries the
	// gradient of the loss back to the parameters (see Ctx.backward).
	Backward bool
}

// Loss is one loss value the walkthrough states.
type Loss struct {
	Name  string // message key
	Value float64
}

// Gradient is the gradient of the loss with respect to one parameter.
type Gradient struct {
	Param string
	Grad  *mat.Dense
}

// Trace is a walkthrough worked through: its steps in order and what
// training needs from them.
type Trace struct {
	Model string
	Mode  Mode
	Steps []*Step
	// Losses are the losses the walkthrough computes, in order.
	Losses []Loss
	// Phases are the gradient updates one training step applies, in order.
	// Most models have one phase; the GAN has two (discriminator, then
	// generator), each computed afresh after the one before is applied.
	Phases [][]Gradient

	matrices map[string]*Matrix
	producer map[string]string // matrix id → id of the step that computed it
	stepByID map[string]*Step
	// practice, in a practice run, puts a student's entries into the
	// blank cells of every matrix a step computes (see Practice).
	practice *practiceRun
}

// NewTrace starts an empty walkthrough.
func NewTrace(model string, mode Mode) *Trace {
	return &Trace{
		Model:    model,
		Mode:     mode,
		matrices: map[string]*Matrix{},
		producer: map[string]string{},
		stepByID: map[string]*Step{},
	}
}

// Matrix returns the matrix with the given id, or nil.
func (t *Trace) Matrix(id string) *Matrix { return t.matrices[id] }

// Step returns the step with the given id, or nil.
func (t *Trace) Step(id string) *Step { return t.stepByID[id] }

// Explain returns how cell (r, c) of matrix id was computed.
func (t *Trace) Explain(id string, r, c int) (Explanation, bool) {
	m := t.matrices[id]
	if m == nil {
		return Explanation{}, false
	}
	return m.Explain(r, c)
}

// Add appends a step. Matrices the trace has not seen before are recorded
// as produced by it; a produced matrix that is not finite makes the step
// undefined, and a step that reads from an undefined or waiting step waits
// on the undefined one.
func (t *Trace) Add(s *Step) *Step {
	if t.stepByID[s.ID] != nil {
		panic("engine: duplicate step id " + s.ID)
	}
	for _, m := range s.Matrices {
		if m.from != "" && !slices.Contains(s.Reads, m.from) {
			s.Reads = append(s.Reads, m.from) // showing a view reads its matrix
		}
		if _, seen := t.matrices[m.ID]; seen {
			continue
		}
		t.matrices[m.ID] = m
		if m.Computed() {
			t.producer[m.ID] = s.ID
			s.Produces = append(s.Produces, m.ID)
			t.ready(m)
		}
	}
	for _, id := range s.Reads {
		if p, ok := t.producer[id]; ok && p != s.ID {
			ps := t.stepByID[p]
			if ps.Undefined != "" {
				s.WaitsOn = ps.ID
				break
			}
			if ps.WaitsOn != "" {
				s.WaitsOn = ps.WaitsOn
				break
			}
		}
	}
	if s.WaitsOn == "" && s.Undefined == "" {
		for _, id := range s.Produces {
			if !t.defined(t.matrices[id]) {
				s.Undefined = "undefined.overflow"
				break
			}
		}
	}
	if s.WaitsOn != "" {
		s.Undefined = ""
	}
	t.Steps = append(t.Steps, s)
	t.stepByID[s.ID] = s
	return s
}

// ready is called for each matrix a step computes, once its numbers are
// computed and before anything computes from them: in a practice run it
// puts the student's entries into the matrix's blank cells. Add calls it
// for every matrix a step computes; a step that computes one of its
// matrices from another must call it on that one first.
func (t *Trace) ready(m *Matrix) {
	if t.practice != nil {
		t.practice.fill(m)
	}
}

// defined reports whether every cell of a matrix a step computes is a
// number, or, in a practice run, not a number only because a cell it is
// computed from is not known yet.
func (t *Trace) defined(m *Matrix) bool {
	if t.practice != nil {
		return t.practice.defined(m)
	}
	return m.Finite()
}

// Defined reports whether every step of the walkthrough has numbers.
func (t *Trace) Defined() bool {
	for _, s := range t.Steps {
		if s.Undefined != "" || s.WaitsOn != "" {
			return false
		}
	}
	return true
}

// Downstream returns, in walkthrough order, the ids of the steps whose
// numbers depend on any of the given matrices: the steps that read them,
// and the steps that read what those compute, and so on.
func (t *Trace) Downstream(ids ...string) []string {
	dirty := map[string]bool{}
	for _, id := range ids {
		dirty[id] = true
	}
	var out []string
	for _, s := range t.Steps {
		hit := false
		for _, id := range s.Reads {
			if dirty[id] {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		out = append(out, s.ID)
		for _, id := range s.Produces {
			dirty[id] = true
		}
	}
	return out
}

// Changed returns, in walkthrough order, the ids of the steps of t whose
// shown numbers differ from those of the same step in before.
func (t *Trace) Changed(before *Trace) []string {
	var out []string
	for _, s := range t.Steps {
		b := before.stepByID[s.ID]
		if b == nil || !sameStep(s, b) {
			out = append(out, s.ID)
		}
	}
	return out
}

// AsDefault returns, in walkthrough order, the ids of the steps of t
// whose numbers are exactly those of the same step of def, the trace of
// the walkthrough's default exercise in the same mode (DefaultTrace): the
// numbers it shows, struck ones included, and those of every matrix it
// reads. A step's worked example (Step.Worked) quotes these numbers, so it
// is true of these steps and of no other. Editing a variable takes from
// the list at most the steps Downstream of it (and those showing it); a
// practice run's entries and New numbers take the steps they reach.
func (t *Trace) AsDefault(def *Trace) []string {
	if def == nil || t.Mode != def.Mode || t.Model != def.Model {
		return nil
	}
	var out []string
	for _, s := range t.Steps {
		if b := def.stepByID[s.ID]; b != nil && sameStep(s, b) && t.sameReads(s, def) {
			out = append(out, s.ID)
		}
	}
	return out
}

// sameReads reports whether every matrix step s of t reads holds the
// numbers it holds in def.
func (t *Trace) sameReads(s *Step, def *Trace) bool {
	for _, id := range s.Reads {
		a, b := t.matrices[id], def.matrices[id]
		if (a == nil) != (b == nil) || a != nil && !sameNumbers(a.Data, b.Data) {
			return false
		}
	}
	return true
}

// Worked returns the steps of t whose worked example is true: the steps
// with one (Step.Worked) among those AsDefault returns, by id.
func (t *Trace) Worked(def *Trace) map[string]bool {
	out := map[string]bool{}
	for _, id := range t.AsDefault(def) {
		if t.stepByID[id].Worked != "" {
			out[id] = true
		}
	}
	return out
}

// sameStep reports whether two steps show the same numbers (struck ones
// too) and are defined alike.
func sameStep(a, b *Step) bool {
	if len(a.Matrices) != len(b.Matrices) || a.Undefined != b.Undefined || a.WaitsOn != b.WaitsOn {
		return false
	}
	for i := range a.Matrices {
		x, y := a.Matrices[i], b.Matrices[i]
		if x.ID != y.ID || !sameNumbers(x.Data, y.Data) || (x.Before == nil) != (y.Before == nil) ||
			x.Before != nil && !sameNumbers(x.Before, y.Before) {
			return false
		}
	}
	return true
}

func sameNumbers(a, b *mat.Dense) bool {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return false
	}
	for i := 0; i < ar; i++ {
		for j := 0; j < ac; j++ {
			x, y := a.At(i, j), b.At(i, j)
			if x != y && !(x != x && y != y) {
				return false
			}
		}
	}
	return true
}
