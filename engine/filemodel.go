package engine

import (
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// This file makes a walkthrough read from its file into a Model the pages
// run: the same trace, steps and training as any other.

// texts holds the sentences walkthrough files bring, by language and
// message key; the interface's catalog looks here for the keys it does
// not know.
var texts = struct {
	sync.RWMutex
	m map[string]map[string]string
}{m: map[string]map[string]string{}}

func setText(key string, t Text) {
	texts.Lock()
	defer texts.Unlock()
	for l, s := range t {
		if texts.m[l] == nil {
			texts.m[l] = map[string]string{}
		}
		texts.m[l][key] = s
	}
}

// LookupText returns the sentence a walkthrough file gives for key in
// lang.
func LookupText(lang, key string) (string, bool) {
	texts.RLock()
	defer texts.RUnlock()
	s, ok := texts.m[lang][key]
	return s, ok
}

// FileModel is a walkthrough read from a file.
type FileModel struct {
	W *Walkthrough

	defaults struct {
		sync.Mutex
		t map[Mode]*Trace // the default exercise's trace by mode (DefaultTrace)
	}
}

// defaultTrace is the default exercise worked through in mode, worked
// once and kept.
func (m *FileModel) defaultTrace(mode Mode) *Trace {
	d := &m.defaults
	d.Lock()
	defer d.Unlock()
	if t := d.t[mode]; t != nil {
		return t
	}
	if d.t == nil {
		d.t = map[Mode]*Trace{}
	}
	t := m.Run(m.Exercise(), mode)
	d.t[mode] = t
	return t
}

// walkthroughOf returns the walkthrough a model runs, or nil.
func walkthroughOf(m Model) *Walkthrough {
	if f, ok := m.(interface{ walkthrough() *Walkthrough }); ok {
		return f.walkthrough()
	}
	return nil
}

func (m *FileModel) walkthrough() *Walkthrough { return m.W }

// seededModel is a walkthrough with noise drawn from a seed.
type seededModel struct{ *FileModel }

// NewModel makes a Model of a walkthrough: it works the default exercise
// through in both modes, which must succeed, and makes the texts of every
// step known. A walkthrough whose noise is random can be resampled.
func NewModel(w *Walkthrough) (Model, Problems) {
	m := &FileModel{W: w}
	var probs Problems
	for _, mode := range []Mode{Hand, Exact} {
		c, p := m.try(m.Exercise(), mode)
		if p != nil {
			return nil, Problems{*p}
		}
		probs = append(probs, m.learnTexts(c)...)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	key := w.Key
	setText(key+".name", w.Title)
	setText(key+".blurb", w.Blurb)
	// A softmax whose powers all fall to 0 on a line (normalizeStep).
	setText(key+".undefined.underflow", Text{
		"en": "Undefined: every power in a row or column is too small to tell from zero, so the sum is 0 and the division has no answer. Exact mode first subtracts each line's largest value, which keeps every sum at least 1: switch to Exact, or make an earlier number smaller.",
		"zh": "无定义：某一行或一列的每个幂都小到无法与 0 区分，所以和为 0，除法没有答案。精确模式会先减去每条线上的最大值，使每个和至少为 1：请切换到精确模式，或把前面的某个数改小。",
	})
	for _, n := range w.Steps {
		setText(key+"."+n.ID+".title", n.Title)
		setText(key+"."+n.ID+".text", n.Text)
		for suffix, t := range map[string]Text{"note": n.Note, "hand_note": n.HandNote, "exact_note": n.ExactNote,
			"worked": n.Worked, "hand_worked": n.HandWorked, "exact_worked": n.ExactWorked, "label": n.Label} {
			if t != nil {
				setText(key+"."+n.ID+"."+suffix, t)
			}
		}
	}
	for _, v := range w.Vars {
		if v.Random {
			return seededModel{m}, nil
		}
	}
	return m, nil
}

// workedPart is the field whose worked example a step shows in mode: the
// mode's own (hand_worked, exact_worked), else worked; "" for none.
func workedPart(mode Mode, hand, exact, both bool) string {
	switch {
	case mode == Hand && hand:
		return "hand_worked"
	case mode == Exact && exact:
		return "exact_worked"
	case both:
		return "worked"
	}
	return ""
}

// try works the walkthrough through, turning a failure into the problem of
// the step that failed.
func (m *FileModel) try(st *State, mode Mode) (c *Ctx, p *Problem) {
	c = m.ctx(mode)
	defer func() {
		if r := recover(); r != nil {
			line, id := 0, ""
			if c.node != nil {
				line, id = c.node.Line, c.node.ID
			}
			p = &Problem{Line: line, Field: fmt.Sprintf("step %q", id), Msg: fmt.Sprintf("working it through in %s mode failed: %v", mode, r)}
		}
	}()
	c.run(st)
	return c, nil
}

func (m *FileModel) ctx(mode Mode) *Ctx {
	return &Ctx{T: NewTrace(m.W.Key, mode), Mode: mode, W: m.W, m: map[string]*Matrix{}, origin: map[string]stepOrigin{}}
}

// learnTexts makes known the texts of the steps an op adds besides its
// first: the file's own ([texts."id"]) or else the op's, with the names of
// the step's matrices filled in.
func (m *FileModel) learnTexts(c *Ctx) Problems {
	var probs Problems
	key := m.W.Key
	for _, s := range c.T.Steps {
		o, ok := c.origin[s.ID]
		if !ok || o.suffix == "" {
			continue
		}
		own := m.W.Texts[s.ID]
		for _, part := range []string{"title", "text"} {
			if t := own[part]; t != nil {
				setText(key+"."+s.ID+"."+part, t)
				continue
			}
			tmpl := sumTexts[o.suffix+"."+part]
			if o.node.Op != nil {
				tmpl = o.node.Op.Texts[o.suffix+"."+part]
			}
			if tmpl == nil {
				probs = append(probs, Problem{Line: o.node.Line, Field: fmt.Sprintf("texts %q", s.ID),
					Msg: fmt.Sprintf("the step %q has no %s: write one under [texts.%q]", s.ID, part, s.ID)})
				continue
			}
			setText(key+"."+s.ID+"."+part, fill(tmpl, c, o.node))
		}
		for _, part := range []string{"note", "worked", "hand_worked", "exact_worked"} {
			if t := own[part]; t != nil {
				setText(key+"."+s.ID+"."+part, t)
			}
		}
	}
	return probs
}

// fill puts the names of a node's matrices into an op's text.
func fill(t Text, c *Ctx, n *Node) Text {
	pairs := []string{}
	for i, ref := range n.In {
		name := ref
		if mm := c.m[baseID(ref)]; mm != nil {
			name = mm.Name
			if strings.HasSuffix(ref, ".T") {
				name = group(name) + "ᵀ"
			}
		}
		pairs = append(pairs, fmt.Sprintf("{in%d}", i), name)
	}
	for i, o := range n.Out {
		pairs = append(pairs, fmt.Sprintf("{out%d}", i), o.Name)
	}
	r := strings.NewReplacer(pairs...)
	out := Text{}
	for l, s := range t {
		out[l] = r.Replace(s)
	}
	return out
}

// Info presents the walkthrough on the home page.
func (m *FileModel) Info() Info {
	w := m.W
	return Info{Slug: w.Slug, Title: w.Key + ".name", Blurb: w.Key + ".blurb", Order: w.Order, Group: w.Group,
		LearningRate: w.LearningRate, Icon: w.Icon}
}

// Exercise returns the default exercise: the file's numbers, and noise
// drawn from seed 1 where the file gives none.
func (m *FileModel) Exercise() *State {
	st := &State{Seed: m.W.Seed}
	seed := max(m.W.Seed, 1)
	k := 0
	for _, v := range m.W.Vars {
		cp := v.Var
		if v.Data == nil {
			cp.Data = Gaussian(noiseSeed(seed, v.ID, k), v.Rows, v.Cols)
			st.Seed = seed
		} else {
			cp.Data = mat.DenseCopyOf(v.Data)
		}
		if v.Random {
			k++
		}
		st.Vars = append(st.Vars, &cp)
	}
	return st
}

// noiseSeed is the seed of one random variable: the exercise's seed for
// the first, and a mix of it with the variable's id for the others.
func noiseSeed(seed uint64, id string, k int) uint64 {
	if k == 0 {
		return seed
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return seed ^ h.Sum64()
}

// Resample draws fresh noise from seed.
func (m seededModel) Resample(st *State, seed uint64) {
	st.Seed = seed
	k := 0
	for _, v := range m.W.Vars {
		if v.Random {
			st.Var(v.ID).Data = Gaussian(noiseSeed(seed, v.ID, k), v.Rows, v.Cols)
			k++
		}
	}
}

// Run works the walkthrough through on st.
func (m *FileModel) Run(st *State, mode Mode) *Trace { return m.run(st, mode, nil) }

// run works the walkthrough through on st; in a practice run, p puts the
// student's entries into the blank cells as the steps compute them.
func (m *FileModel) run(st *State, mode Mode, p *practiceRun) *Trace {
	c := m.ctx(mode)
	c.T.practice = p
	c.run(st)
	for id, t := range m.W.Texts {
		s := c.T.Step(id)
		if s == nil {
			continue
		}
		if t["note"] != nil {
			s.Note = m.W.Key + "." + id + ".note"
		}
		if part := workedPart(mode, t["hand_worked"] != nil, t["exact_worked"] != nil, t["worked"] != nil); part != "" {
			s.Worked = m.W.Key + "." + id + "." + part
		}
	}
	return c.T
}
