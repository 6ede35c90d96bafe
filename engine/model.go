package engine

import (
	"math"
	"sort"
)

// Info presents a model on the home page.
type Info struct {
	Slug  string // the page's path, e.g. "autoencoder"
	Title string // message key
	Blurb string // message key: one line on what it does
	Order int    // position on the home page
	Group string // the home page's group, one of Groups
	// LearningRate is the default step size for training: one at which
	// the default exercise's loss falls steadily.
	LearningRate float64
	// Picture is a small grid of values drawn as the model's icon.
	Icon [][]float64
}

// Model is one walkthrough.
type Model interface {
	Info() Info
	// Exercise returns the default exercise: small integers chosen so that
	// every step can be done by hand.
	Exercise() *State
	// Run works the walkthrough through on st and traces every step.
	Run(st *State, mode Mode) *Trace
}

// DefaultTrace returns model m's default exercise worked through in mode:
// what a step's worked example is measured against (Trace.AsDefault). A
// walkthrough works it once per mode and keeps it, as it never changes;
// the trace is shared, and no one may change it.
func DefaultTrace(m Model, mode Mode) *Trace {
	if c, ok := m.(interface{ defaultTrace(Mode) *Trace }); ok {
		return c.defaultTrace(mode)
	}
	return m.Run(m.Exercise(), mode)
}

// Resampler is a model whose exercise holds noise drawn from a seed.
type Resampler interface {
	Resample(st *State, seed uint64)
}

var registry = map[string]Model{}

// Register makes a model available to the pages. Models register
// themselves from an init function.
func Register(m Model) {
	slug := m.Info().Slug
	if registry[slug] != nil {
		panic("engine: model registered twice: " + slug)
	}
	registry[slug] = m
}

// Models returns every registered model in home-page order: by group,
// then by order within the group.
func Models() []Model {
	out := make([]Model, 0, len(registry))
	for _, m := range registry {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Info(), out[j].Info()
		if ga, gb := GroupIndex(a.Group), GroupIndex(b.Group); ga != gb {
			return ga < gb
		}
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.Slug < b.Slug
	})
	return out
}

// GroupIndex is the position of a group on the home page (len(Groups)
// for an unknown one).
func GroupIndex(g string) int {
	for i, x := range Groups {
		if x == g {
			return i
		}
	}
	return len(Groups)
}

// Founding are the five walkthroughs of the founding article.
var Founding = []string{"autoencoder", "vae", "gan", "clip", "dit"}

// Lookup returns the model with the given slug, or nil.
func Lookup(slug string) Model { return registry[slug] }

// Update takes one stochastic-gradient-descent step on st with learning
// rate lr: for each of the walkthrough's phases, it works the walkthrough
// through and moves every trainable parameter against its gradient. It
// returns the trace worked before the update. An update whose gradients
// are not all finite changes nothing and returns false.
func Update(m Model, st *State, mode Mode, lr float64) (*Trace, bool) {
	first := m.Run(st, mode)
	tr := first
	for p := range first.Phases {
		if p > 0 {
			tr = m.Run(st, mode)
		}
		if p >= len(tr.Phases) || !tr.Defined() {
			return first, false
		}
		for _, g := range tr.Phases[p] {
			if !allFinite(g.Grad) {
				return first, false
			}
		}
		for _, g := range tr.Phases[p] {
			SGD(st.Get(g.Param), g.Grad, lr)
		}
	}
	return first, true
}

// TotalLoss returns the sum of a trace's losses, or NaN if it has none or
// one is not finite.
func TotalLoss(t *Trace) float64 {
	if len(t.Losses) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, l := range t.Losses {
		s += l.Value
	}
	return s
}

// PhaseLoss returns the loss that phase p of training descends: the loss
// of that phase when a walkthrough has several (Losses[p]), otherwise the
// sum of all its losses.
func (t *Trace) PhaseLoss(p int) float64 {
	if len(t.Phases) > 1 {
		return t.Losses[p].Value
	}
	return TotalLoss(t)
}
