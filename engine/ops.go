package engine

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// This file is the registry of ops a walkthrough file is written in. An op
// is a forward and a backward as a pair: the forward adds the steps that
// compute its outputs, the backward the steps that carry the gradient of
// the loss back to its inputs. Walkthroughs are built from their forward
// steps; the backward pass is derived from them (see Ctx.backward).

// Shape is a matrix's rows and columns.
type Shape struct{ Rows, Cols int }

func (s Shape) String() string { return fmt.Sprintf("%d×%d", s.Rows, s.Cols) }

// Param is one parameter of an op, written as a field of its step.
type Param struct {
	Name string
	Kind Kind
	// List: a list of values of Kind; Matrix: a list of rows of numbers.
	List, Matrix bool
	// Default is the value when the step leaves it out; nil: required.
	Default *Value
	// Choices, when set, are the texts the parameter may take.
	Choices []string
	Doc     string
}

func (p Param) check(v *Value) string {
	if p.Matrix {
		if _, msg := denseOf(v); msg != "" {
			return msg
		}
		return ""
	}
	if p.List {
		if v.Kind != KindArray {
			return "should be a list of " + p.Kind.String() + "s"
		}
		for i, x := range v.Arr {
			if x.Kind != p.Kind {
				return fmt.Sprintf("entry %d should be a %s", i+1, p.Kind)
			}
			if p.Kind == KindNumber && (math.IsNaN(x.Num) || math.IsInf(x.Num, 0)) {
				return fmt.Sprintf("entry %d is not a number", i+1)
			}
		}
		return ""
	}
	if v.Kind != p.Kind {
		return "should be a " + p.Kind.String()
	}
	if p.Kind == KindNumber && (math.IsNaN(v.Num) || math.IsInf(v.Num, 0) || math.Abs(v.Num) > 1e6) {
		return "should be a number no larger than 1e6"
	}
	if len(p.Choices) > 0 && !contains(p.Choices, v.Str) {
		return fmt.Sprintf("%q is not one of %s", v.Str, strings.Join(p.Choices, ", "))
	}
	return ""
}

// always is the Integral of an op that keeps whole numbers whole whatever
// its parameters: sums, products, copies, rearrangements.
func always(*Node) bool { return true }

// wholeParam is the Integral of an op that keeps whole numbers whole when
// its number parameter name is a whole number (a scale by k).
func wholeParam(name string) func(*Node) bool {
	return func(n *Node) bool { k := n.Num(name); return k == math.Trunc(k) }
}

// Default values for Param.Default.
func NumParam(x float64) *Value { return &Value{Kind: KindNumber, Num: x} }
func BoolParam(b bool) *Value   { return &Value{Kind: KindBool, Bool: b} }
func StrParam(s string) *Value  { return &Value{Kind: KindString, Str: s} }

// Op is one registered operation.
type Op struct {
	Name string
	// In and Out name the op's inputs and outputs, for messages and the
	// format's documentation; Variadic: the last input may repeat.
	In, Out  []string
	Variadic bool
	Params   []Param
	// Loss: the op computes a loss (its output is 1×1) and starts the
	// backward pass.
	Loss bool
	// Integral reports whether, with the step's parameters, the op gives
	// whole numbers whenever its inputs are whole numbers, in Hand mode
	// (nil: it need not, as a softmax, a sigmoid or a division). HandSized
	// holds such a step's outputs to whole numbers of hand size.
	Integral func(n *Node) bool
	// Formula and Grad document the forward and backward, in plain text.
	Formula, Grad string
	// Shape checks the inputs' shapes and returns the outputs'; its error
	// says, in plain words, what does not fit.
	Shape func(n *Node, in []Shape) ([]Shape, error)
	// Forward adds the op's steps to the trace and returns its outputs.
	Forward func(c *Ctx, n *Node, in []*Matrix) []*Matrix
	// Backward adds the steps that carry dOut (one gradient per output; a
	// loss gets nil) back to the inputs for which want is set, and returns
	// those gradients (nil where not wanted). A nil Backward: the op is
	// shown only, and nothing that trains may depend on it.
	Backward func(c *Ctx, n *Node, in, out, dOut []*Matrix, want []bool) []*Matrix
	// Texts are the titles and texts of the steps the op adds besides its
	// first forward step, keyed by the step id's suffix and "title" or
	// "text" ("dw.title"). {in0}, {in1}… and {out0}… stand for the names
	// of the step's inputs and outputs.
	Texts map[string]Text
}

var ops = map[string]*Op{}

// RegisterOps adds ops to the registry. Each file of ops calls it to
// initialise a package variable (var _ = RegisterOps(…)), which Go does
// before any init function, so that every op is known when the shipped
// walkthroughs are read.
func RegisterOps(list ...*Op) bool {
	for _, op := range list {
		RegisterOp(op)
	}
	return true
}

// RegisterOp adds one op to the registry.
func RegisterOp(op *Op) {
	if ops[op.Name] != nil {
		panic("engine: op registered twice: " + op.Name)
	}
	if op.Shape == nil || op.Forward == nil {
		panic("engine: op " + op.Name + " needs Shape and Forward")
	}
	ops[op.Name] = op
}

// LookupOp returns the op with the given name, or nil.
func LookupOp(name string) *Op { return ops[name] }

// OpNames returns the names of every op, sorted.
func OpNames() []string {
	out := make([]string, 0, len(ops))
	for n := range ops {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Ctx is a walkthrough being worked through.
type Ctx struct {
	T    *Trace
	Mode Mode
	W    *Walkthrough
	// m holds every matrix by id: the variables, then each step's outputs.
	m map[string]*Matrix
	// origin records, for each step, the node and the suffix that made it:
	// where its texts come from.
	origin map[string]stepOrigin
	node   *Node
	// prefix is put before the ids of backward steps in a walkthrough of
	// several phases ("d.", "g.").
	prefix string
	views  int
	// consumers counts, in the phase being derived, the steps each matrix
	// gets a gradient from.
	consumers map[string]int
}

type stepOrigin struct {
	node   *Node
	suffix string
}

// Step starts a step of the current node: its id is the node's id, or the
// node's id and suffix (backward steps get the phase's prefix too). The
// step's texts are the walkthrough's.
func (c *Ctx) Step(suffix string) *Step { return c.T.NewStep(c.ID(suffix)) }

// ID returns the id of the current node's step with the given suffix, for
// the shared builders that make their own steps, and records where its
// texts come from.
func (c *Ctx) ID(suffix string) string {
	id := c.node.ID
	if suffix != "" {
		id = c.prefix + id + "." + suffix
	}
	c.origin[id] = stepOrigin{c.node, suffix}
	return id
}

// Matrix returns the matrix with the given id, "X.T" for X transposed.
func (c *Ctx) Matrix(ref string) *Matrix {
	base, t := strings.CutSuffix(ref, ".T")
	m := c.m[base]
	if m == nil {
		panic("engine: no matrix " + ref)
	}
	if t {
		// One view per run: the backward pass shows the view the forward
		// step showed.
		if v := c.m[ref]; v != nil {
			return v
		}
		c.views++
		v := Transposed(m, fmt.Sprintf("%sᵀ%d", base, c.views), group(m.Name)+"ᵀ")
		c.m[ref] = v
		return v
	}
	return m
}

// GradOut describes the gradient of the loss with respect to in: a red
// matrix named ∂L/∂ and in's name.
func (c *Ctx) GradOut(in *Matrix) Out {
	id := "d" + in.ID
	if b := baseID(in.ID); c.consumers[b] > 1 || b != in.ID || c.m[in.ID] != in {
		id += "." + c.node.ID
	}
	if c.prefix != "" {
		id = c.prefix + id
	}
	return Out{ID: id, Name: "∂L/∂" + group(in.Name), Role: RoleGradient, Hue: HueGradient,
		RowLabels: in.RowLabels, ColLabels: in.ColLabels}
}

// Out returns the description of output k of the current node. A loss
// step may leave out its outputs after the loss: they get the op's names.
func (c *Ctx) Out(k int) Out {
	if k < len(c.node.Out) {
		return c.node.Out[k].out()
	}
	name := c.node.Op.Out[k]
	return Out{ID: c.prefix + name + "." + c.node.ID, Name: name}
}

// run works the walkthrough's forward steps, then its backward pass for
// every phase.
func (c *Ctx) run(st *State) {
	for _, v := range st.Vars {
		c.m[v.ID] = v.Matrix()
	}
	for _, n := range c.W.Steps {
		c.node = n
		in := make([]*Matrix, len(n.In))
		for i, ref := range n.In {
			in[i] = c.Matrix(ref)
		}
		out := n.Op.Forward(c, n, in)
		for k, o := range out {
			if k < len(n.Out) {
				c.m[n.Out[k].ID] = o
			}
		}
		if n.Op.Loss {
			c.T.Losses = append(c.T.Losses, Loss{Name: c.T.Model + "." + n.ID + ".label", Value: out[0].At(0, 0)})
		}
		c.addNotes(n)
	}
	forward := len(c.T.Steps)
	phases := c.W.Phases
	if len(phases) == 0 {
		p := &PhaseSpec{}
		for _, n := range c.W.Steps {
			if n.Op.Loss {
				p.Losses = append(p.Losses, n.ID)
			}
		}
		for _, v := range c.W.Vars {
			if v.Trainable {
				p.Train = append(p.Train, v.ID)
			}
		}
		phases = []*PhaseSpec{p}
	}
	for _, p := range phases {
		c.prefix = ""
		if len(phases) > 1 {
			c.prefix = p.ID + "."
		}
		c.T.Phases = append(c.T.Phases, c.backward(p))
	}
	for _, s := range c.T.Steps[forward:] {
		s.Backward = true
	}
}

// addNotes gives the node's first step its notes and its worked example.
func (c *Ctx) addNotes(n *Node) {
	s := c.T.Step(n.ID)
	if s == nil {
		return
	}
	key := c.T.Model + "." + n.ID
	switch {
	case c.Mode == Hand && n.HandNote != nil:
		s.Note = key + ".hand_note"
	case c.Mode == Exact && n.ExactNote != nil:
		s.Note = key + ".exact_note"
	case n.Note != nil:
		s.Note = key + ".note"
	}
	if part := workedPart(c.Mode, n.HandWorked != nil, n.ExactWorked != nil, n.Worked != nil); part != "" {
		s.Worked = key + "." + part
	}
}

// backward derives the gradient steps of one phase: from its losses back
// through every step, in reverse, to the variables it trains. A matrix
// read by several steps gets one gradient from each, and a step adds them
// up. It returns the phase's gradients.
func (c *Ctx) backward(p *PhaseSpec) []Gradient {
	steps := c.W.Steps
	// needs: the matrix depends on a variable this phase trains.
	needs := map[string]bool{}
	for _, v := range p.Train {
		needs[v] = true
	}
	for _, n := range steps {
		for _, ref := range n.In {
			if needs[baseID(ref)] {
				for _, o := range n.Out {
					needs[o.ID] = true
				}
			}
		}
	}
	// reaches: a gradient flows back from the phase's losses to the node.
	reaches := map[*Node]bool{}
	fed := map[string]bool{} // matrices a reaching node reads and needs
	for i := len(steps) - 1; i >= 0; i-- {
		n := steps[i]
		r := contains(p.Losses, n.ID)
		for _, o := range n.Out {
			r = r || fed[o.ID]
		}
		if !r || n.Op.Backward == nil {
			continue
		}
		reaches[n] = true
		for _, ref := range n.In {
			if needs[baseID(ref)] {
				fed[baseID(ref)] = true
			}
		}
	}
	// consumers: how many gradients each matrix will receive.
	consumers := map[string]int{}
	c.consumers = consumers
	for _, n := range steps {
		if !reaches[n] {
			continue
		}
		for _, ref := range n.In {
			if needs[baseID(ref)] {
				consumers[baseID(ref)]++
			}
		}
	}
	shares := map[string][]*Matrix{}
	for i := len(steps) - 1; i >= 0; i-- {
		n := steps[i]
		if !reaches[n] {
			continue
		}
		c.node = n
		want := make([]bool, len(n.In))
		any := false
		for k, ref := range n.In {
			want[k] = needs[baseID(ref)]
			any = any || want[k]
		}
		if !any {
			continue
		}
		dOut := make([]*Matrix, len(n.Out))
		if !n.Op.Loss {
			have := false
			for k, o := range n.Out {
				dOut[k] = c.gradient(o.ID, shares[o.ID])
				have = have || dOut[k] != nil
			}
			if !have {
				continue
			}
			for k, o := range n.Out {
				if dOut[k] == nil {
					r, cl := c.m[o.ID].Dims()
					dOut[k] = &Matrix{ID: "0" + o.ID, Name: "0", Role: RoleGradient, Hue: HueGradient, Data: mat.NewDense(r, cl, nil)}
				}
			}
		}
		in := make([]*Matrix, len(n.In))
		for k, ref := range n.In {
			in[k] = c.Matrix(ref)
			// A trainable variable this phase does not train is drawn
			// frozen in its steps (the GAN's discriminator while the
			// generator trains).
			if v := c.W.varSpec(baseID(ref)); v != nil && v.Trainable && !contains(p.Train, v.ID) {
				cp := *in[k]
				cp.Trainable, cp.Frozen = false, true
				in[k] = &cp
			}
		}
		out := make([]*Matrix, len(n.Out))
		for k, o := range n.Out {
			out[k] = c.m[o.ID]
		}
		grads := n.Op.Backward(c, n, in, out, dOut, want)
		for k, g := range grads {
			if g == nil || !want[k] {
				continue
			}
			base := baseID(n.In[k])
			if strings.HasSuffix(n.In[k], ".T") {
				g = Transposed(g, g.ID+"ᵀ", group(g.Name)+"ᵀ")
				g.Name = "∂L/∂" + group(c.m[base].Name)
			}
			shares[base] = append(shares[base], g)
		}
	}
	var out []Gradient
	for _, v := range p.Train {
		c.node = &Node{ID: v}
		g := c.gradient(v, shares[v])
		if g == nil {
			r, cl := c.m[v].Dims()
			out = append(out, Gradient{Param: v, Grad: mat.NewDense(r, cl, nil)})
			continue
		}
		out = append(out, Gradient{Param: v, Grad: g.Data})
	}
	return out
}

// gradient returns the gradient of matrix id from its shares: the one
// share, or a step that adds them up.
func (c *Ctx) gradient(id string, shares []*Matrix) *Matrix {
	switch len(shares) {
	case 0:
		return nil
	case 1:
		return shares[0]
	}
	m := c.m[id]
	for k, s := range shares {
		// A share passed on unchanged (an add's ∂L/∂Y) is another
		// matrix's gradient too: it keeps its own name.
		if s.Name == "∂L/∂"+group(m.Name) {
			s.Name = fmt.Sprintf("∂L/∂%s %s", group(m.Name), circled(k+1))
		}
	}
	saved := c.node
	c.node = &Node{ID: id}
	stepID := c.prefix + id + ".grad"
	c.origin[stepID] = stepOrigin{&Node{ID: id, Out: []OutSpec{{ID: id, Name: m.Name}}}, "grad"}
	g := c.T.sumStep(stepID, Out{ID: c.prefix + "d" + id, Name: "∂L/∂" + group(m.Name), Role: RoleGradient, Hue: HueGradient,
		RowLabels: m.RowLabels, ColLabels: m.ColLabels}, shares...)
	c.node = saved
	return g
}

func circled(k int) string {
	if k >= 1 && k <= 20 {
		return string(rune('①' + k - 1))
	}
	return fmt.Sprintf("(%d)", k)
}

func baseID(ref string) string { b, _ := strings.CutSuffix(ref, ".T"); return b }

// sumTexts are the texts of the step that adds up a matrix's gradients.
var sumTexts = map[string]Text{
	"grad.title": {"en": "Add up the gradients of {out0}", "zh": "把 {out0} 的各份梯度加起来"},
	"grad.text": {"en": "{out0} is used by more than one step, so the loss reaches it along more than one path. Its gradient is the sum of the gradients along each path, cell by cell.",
		"zh": "{out0} 被不止一个步骤用到，所以损失沿不止一条路径传到它。它的梯度是各条路径梯度的逐格之和。"},
}
