package engine

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// This file draws new exercises of a walkthrough ("New numbers") and says
// whether an exercise is hand-sized: small whole numbers in, and small
// whole numbers in every step until a softmax, a sigmoid, a division or
// the like leaves whole numbers behind.

const (
	// HandBound is the largest size of a whole number in a hand-sized
	// exercise: every number drawn, and every number a step computes
	// from them while the numbers stay whole.
	HandBound = 20
	// PowerBound is the largest size of a whole number a softmax raises
	// to a power on paper (3ˣ): 3⁴ = 81 is still a number to work with.
	PowerBound = 4
	// DrawAttempts is how many exercises Draw tries before it gives up.
	DrawAttempts = 10000
)

// DrawKind is a way of drawing a variable's numbers.
type DrawKind int

const (
	// DrawByRole draws by the variable's role: an input or a target whole
	// numbers from 0 to 2, a parameter from −1 to 1, noise a standard
	// normal draw rounded to a whole number (−2 to 2).
	DrawByRole DrawKind = iota
	// DrawKeep keeps the file's numbers (draw = "keep").
	DrawKeep
	// DrawRange draws whole numbers from Min to Max, every Step-th, each
	// as likely (draw = { min = -1, max = 2, step = 1 }).
	DrawRange
	// DrawBinary draws 0 or 1 in each cell (draw = "binary").
	DrawBinary
	// DrawOneHot puts one 1 in each column, the rest 0 (draw = "onehot").
	DrawOneHot
	// DrawCopy copies the numbers of the variable From, above it
	// (draw = { copy = "X" }).
	DrawCopy
	// DrawAnswer makes a target the output a loss compares it with, worked
	// out with other drawn weights: an answer key training can reach
	// (draw = "answer").
	DrawAnswer
	// drawNoise is the rule of the noise role.
	drawNoise
)

// DrawRule says how Draw draws one variable.
type DrawRule struct {
	Kind           DrawKind
	Min, Max, Step int
	From           string
}

// random reports whether the rule draws numbers from the generator (and
// not from the file or another variable).
func (d DrawRule) random() bool {
	switch d.Kind {
	case DrawKeep, DrawCopy, DrawAnswer:
		return false
	}
	return true
}

// drawn reports whether Draw changes the variable's numbers.
func (d DrawRule) drawn() bool { return d.Kind != DrawKeep }

// drawRule is the rule a variable is drawn by: its file's, or its role's.
func (v *VarSpec) drawRule() DrawRule {
	if v.Draw.Kind != DrawByRole {
		return v.Draw
	}
	switch v.Role {
	case RoleParameter:
		return DrawRule{Kind: DrawRange, Min: -1, Max: 1, Step: 1}
	case RoleNoise:
		return DrawRule{Kind: drawNoise}
	}
	return DrawRule{Kind: DrawRange, Min: 0, Max: 2, Step: 1}
}

// noiseOdds are the chances, in thousandths, of −2, −1, 0, 1 and 2 for
// drawn noise: a standard normal draw rounded to the nearest whole number
// (the tails beyond ±2.5 counted at ±2). Whole thousandths draw the same
// numbers on every platform.
var noiseOdds = [5]int{67, 242, 382, 242, 67}

// fill draws the cells of d by a random rule.
func (d DrawRule) fill(rng *rand.Rand, m *mat.Dense) {
	rows, cols := m.Dims()
	if d.Kind == DrawOneHot {
		m.Zero()
		for j := 0; j < cols; j++ {
			m.Set(rng.IntN(rows), j, 1)
		}
		return
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			var v int
			switch d.Kind {
			case DrawRange:
				v = d.Min + d.Step*rng.IntN((d.Max-d.Min)/d.Step+1)
			case DrawBinary:
				v = rng.IntN(2)
			case drawNoise:
				u := rng.IntN(1000)
				v = -2
				for _, p := range noiseOdds {
					if u < p {
						break
					}
					u -= p
					v++
				}
			}
			m.Set(i, j, float64(v))
		}
	}
}

// answerOf returns the id of the output a loss step compares variable id
// with, or "".
func answerOf(w *Walkthrough, id string) string {
	for _, n := range w.Steps {
		if n.Op == nil || !n.Op.Loss || len(n.In) != 2 {
			continue
		}
		switch id {
		case n.In[1]:
			return n.In[0]
		case n.In[0]:
			return n.In[1]
		}
	}
	return ""
}

// Draw returns a new exercise of a walkthrough: the exercise numbered seed,
// the same for everyone who asks for it, on every platform. It is shaped
// as m.Exercise() (the same variables, shapes and labels) and hand-sized
// (see HandSized); each variable is drawn by its file's draw field, or
// else by its role (see DrawKind). Noise it draws is whole numbers, drawn
// with the rest of the exercise, so the exercise's Seed is then 0, as for
// noise written by hand; Resample still replaces it with a Gaussian draw,
// after which the exercise is in general no longer hand-sized.
//
// Draw draws exercises from a generator seeded with seed and the
// walkthrough's slug until one is hand-sized, and says so in an error if
// none of DrawAttempts is.
func Draw(m Model, seed uint64) (*State, error) {
	st, _, err := drawCounting(m, seed)
	return st, err
}

// drawCounting is Draw, which also returns how many exercises it tried.
func drawCounting(m Model, seed uint64) (*State, int, error) {
	w := walkthroughOf(m)
	if w == nil {
		return nil, 0, fmt.Errorf("%s is not a walkthrough file: it has no rules to draw new numbers by", m.Info().Slug)
	}
	h := fnv.New64a()
	h.Write([]byte(w.Slug))
	stream := h.Sum64()
	for attempt := 1; attempt <= DrawAttempts; attempt++ {
		rng := rand.New(rand.NewPCG(seed, splitMix(stream+uint64(attempt))))
		st := drawOnce(m, w, rng)
		if st == nil {
			continue
		}
		hand := m.Run(st, Hand)
		if handSized(w, st, hand, func() *Trace { return m.Run(st, Exact) }) != nil || solved(w, st, hand) {
			continue
		}
		return st, attempt, nil
	}
	return nil, DrawAttempts, fmt.Errorf("%s: none of %d exercises drawn from seed %d is hand-sized", w.Slug, DrawAttempts, seed)
}

// splitMix scrambles x (SplitMix64's finaliser): the generator of each
// attempt starts far from the others'.
func splitMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// drawOnce draws one exercise, or nil when its answers cannot be worked
// out.
func drawOnce(m Model, w *Walkthrough, rng *rand.Rand) *State {
	st := m.Exercise()
	for _, v := range w.Vars {
		rule := v.drawRule()
		d := st.Get(v.ID)
		switch {
		case rule.random():
			rule.fill(rng, d)
		case rule.Kind == DrawCopy:
			d.Copy(st.Get(rule.From))
		}
		if v.Random && rule.drawn() {
			st.Seed = 0 // the noise is the exercise's own, not a draw from a seed
		}
	}
	var answers []*VarSpec
	for _, v := range w.Vars {
		if v.Draw.Kind == DrawAnswer {
			answers = append(answers, v)
		}
	}
	if len(answers) == 0 {
		return st
	}
	// The answers: the outputs of the same exercise with other weights.
	hidden := st.Clone()
	for _, v := range w.Vars {
		if rule := v.drawRule(); v.Trainable && rule.random() {
			rule.fill(rng, hidden.Get(v.ID))
		}
	}
	tr := m.Run(hidden, Hand)
	for _, v := range answers {
		y := tr.Matrix(answerOf(w, v.ID))
		if y == nil || !y.Finite() {
			return nil
		}
		st.Get(v.ID).Copy(y.Data)
	}
	return st
}

// solved reports whether a target drawn as an answer is already met: an
// exercise with nothing to learn.
func solved(w *Walkthrough, st *State, hand *Trace) bool {
	for _, v := range w.Vars {
		if v.Draw.Kind != DrawAnswer {
			continue
		}
		if y := hand.Matrix(answerOf(w, v.ID)); y == nil || sameNumbers(y.Data, st.Get(v.ID)) {
			return true
		}
	}
	return false
}

// HandSized says, in plain words, why an exercise of a walkthrough is not
// hand-sized, or returns nil when it is. An exercise is hand-sized when
//
//   - every variable Draw draws (all but those kept, draw = "keep") holds
//     whole numbers of at most HandBound in size;
//   - every step is defined, in Hand mode and in Exact mode;
//   - every matrix a forward step computes from whole numbers with an op
//     that keeps them whole (Op.Integral: sums, products, ReLU, copies,
//     slices…) holds whole numbers of at most HandBound in size, and those
//     a softmax raises to powers on paper (3ˣ) at most PowerBound (scores
//     that are not whole, after a division by √dₖ, are at most PowerBound
//     too; a large negative one, such as a mask's, has a power of about
//     0). After a
//     softmax, a sigmoid, a division, a layer norm or a given matrix of
//     fractions, the numbers need not be whole; a loss is a score, not a
//     matrix to work with, and the backward pass follows from the forward;
//   - where the walkthrough has a ReLU, the inputs and weights hold a 0 and
//     a negative number, some ReLU strikes a negative number out, and no
//     ReLU strikes out every number of its matrix.
//
// The default exercises are hand-sized, but for the VAE's, whose noise ε
// is a Gaussian draw with two decimals.
func HandSized(m Model, st *State) error {
	w := walkthroughOf(m)
	if w == nil {
		return fmt.Errorf("%s is not a walkthrough file", m.Info().Slug)
	}
	return handSized(w, st, m.Run(st, Hand), func() *Trace { return m.Run(st, Exact) })
}

// handSized is HandSized on the exercise's trace in Hand mode; exact works
// it through in Exact mode, which it does last.
func handSized(w *Walkthrough, st *State, hand *Trace, exact func() *Trace) error {
	for _, v := range w.Vars {
		if v.drawRule().drawn() {
			if err := smallWhole(st.Var(v.ID).Name, st.Get(v.ID), HandBound, "a drawn number"); err != nil {
				return err
			}
		}
	}
	if s := undefinedStep(hand); s != "" {
		return fmt.Errorf("step %q has no numbers in hand mode", s)
	}
	whole := map[string]bool{}
	for _, v := range st.Vars {
		whole[v.ID] = isWhole(v.Data)
	}
	value := func(id string) *Matrix {
		if v := st.Var(id); v != nil {
			return v.Matrix()
		}
		return hand.Matrix(id)
	}
	var relus []*Matrix
	for _, n := range w.Steps {
		ok := n.Op.Integral != nil && n.Op.Integral(n)
		for _, ref := range n.In {
			ok = ok && whole[baseID(ref)]
		}
		for _, o := range n.Out {
			whole[o.ID] = ok
			m := hand.Matrix(o.ID)
			if m == nil {
				continue // not shown, so not worked by hand
			}
			if m.Before != nil {
				relus = append(relus, m)
			}
			if ok {
				if err := smallWhole(fmt.Sprintf("%s (step %q)", m.Name, n.ID), m.Data, HandBound, "a number worked by hand"); err != nil {
					return err
				}
			}
		}
		if powers(n.Op) {
			// Scores raised to powers: whole and small, or (after a
			// division, such as by √dₖ) at least small.
			z := value(baseID(n.In[0]))
			name := fmt.Sprintf("%s, read by step %q", z.Name, n.ID)
			if whole[baseID(n.In[0])] {
				if err := smallWhole(name, z.Data, PowerBound, "a power of 3 worked by hand"); err != nil {
					return err
				}
			} else if err := atMost(name, z.Data, PowerBound, "a score raised to a power"); err != nil {
				return err
			}
		}
	}
	if err := reluShown(st, relus); err != nil {
		return err
	}
	if s := undefinedStep(exact()); s != "" {
		return fmt.Errorf("step %q has no numbers in exact mode", s)
	}
	return nil
}

// powers reports whether an op raises its first input to powers on paper
// (hand_base³ of a softmax).
func powers(op *Op) bool {
	for _, p := range op.Params {
		if p.Name == "hand_base" {
			return true
		}
	}
	return false
}

// reluShown checks what a walkthrough with a ReLU shows: a 0 and a
// negative number among the inputs and weights, a negative struck out,
// and no ReLU that strikes out all its numbers.
func reluShown(st *State, relus []*Matrix) error {
	if len(relus) == 0 {
		return nil
	}
	zero, negative := false, false
	for _, v := range st.Vars {
		if v.Role == RoleInput || v.Role == RoleParameter || v.Role == RoleNoise {
			v.Data.Apply(func(_, _ int, x float64) float64 {
				zero = zero || x == 0
				negative = negative || x < 0
				return x
			}, v.Data)
		}
	}
	switch {
	case !zero:
		return fmt.Errorf("no input or weight is 0: an exercise with a ReLU shows a 0")
	case !negative:
		return fmt.Errorf("no input or weight is negative: an exercise with a ReLU shows a negative number")
	}
	struck := false
	for _, m := range relus {
		r, c := m.Dims()
		through := false
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				struck = struck || m.Before.At(i, j) < 0
				through = through || m.At(i, j) > 0
			}
		}
		if !through {
			return fmt.Errorf("the ReLU strikes out every number of %s: nothing gets through it", m.Name)
		}
	}
	if !struck {
		return fmt.Errorf("no ReLU strikes a negative number out: an exercise with a ReLU shows one")
	}
	return nil
}

// undefinedStep returns the id of the first step of a trace that has no
// numbers, or "".
func undefinedStep(t *Trace) string {
	for _, s := range t.Steps {
		if s.Undefined != "" || s.WaitsOn != "" {
			return s.ID
		}
	}
	return ""
}

// smallWhole says which cell of matrix name is not a whole number of at
// most bound in size, or returns nil.
// atMost says why a matrix holds a number larger than bound. (A large
// negative score is no trouble on paper: its power is about 0, as a
// mask's −99 is meant to be.)
func atMost(name string, d *mat.Dense, bound float64, what string) error {
	r, c := d.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := d.At(i, j); !(v <= bound) {
				return fmt.Errorf("%s holds %s in row %d, column %d: %s should be at most %g", name, Format(v), i+1, j+1, what, bound)
			}
		}
	}
	return nil
}

func smallWhole(name string, d *mat.Dense, bound float64, what string) error {
	r, c := d.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := d.At(i, j)
			switch {
			case v != math.Trunc(v):
				return fmt.Errorf("%s holds %s in row %d, column %d: %s should be whole", name, Format(v), i+1, j+1, what)
			case math.Abs(v) > bound:
				return fmt.Errorf("%s holds %s in row %d, column %d: %s should be at most %g in size", name, Format(v), i+1, j+1, what, bound)
			}
		}
	}
	return nil
}
