package engine

// This file holds the rules a walkthrough file gives for drawing the
// numbers of a new exercise ("New numbers").

const (
	// HandBound is the largest size of a whole number in a hand-sized
	// exercise: every number drawn, and every number a step computes
	// from them while the numbers stay whole.
	HandBound = 20
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
