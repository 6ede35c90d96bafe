package engine

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// This file turns a walkthrough file (see README-format.md) into a
// Walkthrough, and says in plain words what is wrong with one that does
// not make sense: every problem names its line and its field.

// Langs are the languages every text of a walkthrough is written in.
var Langs = []string{"en", "zh"}

// Text is one sentence in every language, keyed by language code.
type Text map[string]string

// Problem is one thing wrong with a walkthrough file.
type Problem struct {
	Line  int    // 1-based; 0 when the whole file is meant
	Field string // e.g. `step "enc1" › in`
	Msg   string
}

func (p Problem) Error() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem of a file, in the order of its lines.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Error()
	}
	return strings.Join(s, "\n")
}

// Groups are the home page's groups of walkthroughs, in order.
var Groups = []string{"basics", "workbook", "networks", "attention", "sequence", "generative", "frontier"}

// Walkthrough is a walkthrough read from its file.
type Walkthrough struct {
	Slug string // the page's path
	Key  string // the prefix of its message keys (default: the slug)
	// Group is the home page's group, one of Groups.
	Group        string
	Order        int
	LearningRate float64
	// Seed is the seed the default noise was drawn with (0: none given).
	// Random variables the file gives no numbers for are drawn from it
	// (from seed 1 when it is 0), and the default exercise records it.
	Seed         uint64
	Icon         [][]float64
	Title, Blurb Text
	Vars         []*VarSpec
	Steps        []*Node
	Phases       []*PhaseSpec
	// Texts are the titles, texts and notes of derived steps (the
	// backward pass, an op's extra steps) that the file writes itself,
	// keyed by step id, then by "title", "text" or "note".
	Texts map[string]map[string]Text
	// Source is the file's text, as read.
	Source string
}

// VarSpec is one variable of the exercise.
type VarSpec struct {
	Line int
	Var
	// Random: the variable is noise drawn from the exercise's seed
	// (standard normal, two decimals); Data is then its default, written
	// by hand, or nil to draw it from seed 1.
	Random     bool
	Rows, Cols int
	// Draw says how "New numbers" draws the variable (see Draw); its zero
	// value draws it by its role.
	Draw DrawRule
}

// OutSpec says how a step shows one matrix it computes.
type OutSpec struct {
	ID, Name             string
	Role                 Role
	Hue                  Hue
	RowLabels, ColLabels []string
	Picture              *Picture
}

func (o OutSpec) out() Out { return Out(o) }

// Node is one forward step of a walkthrough: an op with its inputs,
// outputs and parameters.
type Node struct {
	Line   int
	ID     string
	Op     *Op
	In     []string // matrix ids; "X.T" is X transposed
	Out    []OutSpec
	Params map[string]*Value
	Title  Text
	Text   Text
	Note   Text // shown in both modes
	// HandNote and ExactNote are shown in one mode only.
	HandNote, ExactNote Text
	// Worked works the default exercise's numbers through; it is shown
	// only while they are the numbers on the page (Trace.AsDefault).
	// HandWorked and ExactWorked do so in one mode only, where the modes'
	// numbers differ (3ˣ on paper, eˣ exactly).
	Worked, HandWorked, ExactWorked Text
	// Label names a loss in the training panel.
	Label Text
}

// Num returns a number parameter (its default when the file leaves it out).
func (n *Node) Num(name string) float64 { return n.param(name).Num }

// Int returns a whole-number parameter.
func (n *Node) Int(name string) int { return int(n.param(name).Num) }

// Bool returns a true-or-false parameter.
func (n *Node) Bool(name string) bool { return n.param(name).Bool }

// Str returns a text parameter.
func (n *Node) Str(name string) string { return n.param(name).Str }

// Nums returns a parameter that is a list of numbers.
func (n *Node) Nums(name string) []float64 {
	v := n.param(name)
	out := make([]float64, len(v.Arr))
	for i, x := range v.Arr {
		out[i] = x.Num
	}
	return out
}

// Strs returns a parameter that is a list of texts.
func (n *Node) Strs(name string) []string {
	v := n.param(name)
	out := make([]string, len(v.Arr))
	for i, x := range v.Arr {
		out[i] = x.Str
	}
	return out
}

// Matrix returns a parameter that is a list of rows of numbers.
func (n *Node) Matrix(name string) *mat.Dense {
	d, _ := denseOf(n.param(name))
	return d
}

// Has reports whether the file gives parameter name.
func (n *Node) Has(name string) bool { return n.Params[name] != nil }

func (n *Node) param(name string) *Value {
	if v := n.Params[name]; v != nil {
		return v
	}
	for _, p := range n.Op.Params {
		if p.Name == name {
			return p.Default
		}
	}
	panic("engine: op " + n.Op.Name + " has no parameter " + name)
}

// PhaseSpec is one phase of a training step: the losses it descends and
// the parameters it moves.
type PhaseSpec struct {
	Line   int
	ID     string
	Losses []string // step ids of loss steps
	Train  []string // variable ids
}

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	stepPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$`)
)

var roleByName = map[string]Role{"input": RoleInput, "parameter": RoleParameter, "target": RoleTarget, "noise": RoleNoise}
var hueByName = func() map[string]Hue {
	m := map[string]Hue{}
	for i, n := range hueNames {
		m[n] = Hue(i)
	}
	return m
}()

// reader collects problems while a file is read.
type reader struct {
	probs Problems
}

func (r *reader) add(line int, field, format string, args ...any) {
	r.probs = append(r.probs, Problem{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// known checks that t has only the given keys.
func (r *reader) known(t *Table, field string, keys ...string) {
	for _, k := range t.Keys {
		if !contains(keys, k) {
			r.add(t.Fields[k].Line, join(field, k), "unknown field; the fields here are %s", strings.Join(keys, ", "))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + " › " + key
}

func (r *reader) str(t *Table, field, key string, required bool) (string, int) {
	v := t.Get(key)
	if v == nil {
		if required {
			r.add(t.Line, join(field, key), "is missing")
		}
		return "", t.Line
	}
	if v.Kind != KindString {
		r.add(v.Line, join(field, key), "should be text in quotes, not a %s", v.Kind)
		return "", v.Line
	}
	return v.Str, v.Line
}

func (r *reader) num(t *Table, field, key string, def float64) float64 {
	v := t.Get(key)
	if v == nil {
		return def
	}
	if v.Kind != KindNumber || math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
		r.add(v.Line, join(field, key), "should be a number")
		return def
	}
	return v.Num
}

func (r *reader) boolean(t *Table, field, key string) bool {
	v := t.Get(key)
	if v == nil {
		return false
	}
	if v.Kind != KindBool {
		r.add(v.Line, join(field, key), "should be true or false")
		return false
	}
	return v.Bool
}

func (r *reader) strs(t *Table, field, key string) []string {
	v := t.Get(key)
	if v == nil {
		return nil
	}
	if v.Kind == KindString {
		return []string{v.Str}
	}
	if v.Kind != KindArray {
		r.add(v.Line, join(field, key), "should be a list of texts")
		return nil
	}
	out := make([]string, len(v.Arr))
	for i, x := range v.Arr {
		if x.Kind != KindString {
			r.add(x.Line, join(field, key), "entry %d should be text in quotes", i+1)
			continue
		}
		out[i] = x.Str
	}
	return out
}

// text reads a sentence in every language: { en = "…", zh = "…" }.
func (r *reader) text(t *Table, field, key string, required bool) Text {
	v := t.Get(key)
	if v == nil {
		if required {
			r.add(t.Line, join(field, key), "is missing; write it as %s = { en = \"…\", zh = \"…\" }", key)
		}
		return nil
	}
	if v.Kind != KindTable {
		r.add(v.Line, join(field, key), "should give every language, as %s = { en = \"…\", zh = \"…\" }", key)
		return nil
	}
	out := Text{}
	for _, k := range v.Tab.Keys {
		if !contains(Langs, k) {
			r.add(v.Tab.Fields[k].Line, join(field, key+"."+k), "unknown language; the languages are %s", strings.Join(Langs, ", "))
		}
	}
	for _, l := range Langs {
		s, _ := r.str(v.Tab, join(field, key), l, false)
		if strings.TrimSpace(s) == "" {
			r.add(v.Line, join(field, key+"."+l), "the %s text is missing", l)
			continue
		}
		out[l] = s
	}
	return out
}

// denseOf reads a list of rows of numbers.
func denseOf(v *Value) (*mat.Dense, string) {
	if v.Kind != KindArray || len(v.Arr) == 0 {
		return nil, "should be a list of rows, e.g. [[1, 0], [0, 1]]"
	}
	cols := -1
	var data []float64
	for i, row := range v.Arr {
		if row.Kind != KindArray || len(row.Arr) == 0 {
			return nil, fmt.Sprintf("row %d should be a list of numbers", i+1)
		}
		if cols >= 0 && len(row.Arr) != cols {
			return nil, fmt.Sprintf("row %d has %d numbers, row 1 has %d", i+1, len(row.Arr), cols)
		}
		cols = len(row.Arr)
		for j, x := range row.Arr {
			if x.Kind != KindNumber {
				return nil, fmt.Sprintf("row %d, entry %d is not a number", i+1, j+1)
			}
			if math.IsNaN(x.Num) || math.IsInf(x.Num, 0) || math.Abs(x.Num) > 1e6 {
				return nil, fmt.Sprintf("row %d, entry %d is not a number a page can show (at most 1e6 in size)", i+1, j+1)
			}
			data = append(data, x.Num)
		}
	}
	if len(v.Arr) > 64 || cols > 64 {
		return nil, "is larger than 64×64"
	}
	return mat.NewDense(len(v.Arr), cols, data), ""
}

// ReadWalkthrough reads a walkthrough file. It returns every problem it
// finds; a walkthrough with problems is nil.
func ReadWalkthrough(src string) (*Walkthrough, Problems) {
	if len(src) > 1<<20 {
		return nil, Problems{{Msg: "the file is larger than 1 MB"}}
	}
	root, err := ParseTOML(src)
	if err != nil {
		se := err.(*SyntaxError)
		return nil, Problems{{Line: se.Line, Msg: se.Msg}}
	}
	root.Line = 0 // a field missing from the file is not on a line
	r := &reader{}
	w := &Walkthrough{Source: src, Texts: map[string]map[string]Text{}}
	r.known(root, "", "slug", "key", "group", "order", "learning_rate", "seed", "icon", "title", "blurb", "var", "step", "phase", "texts")
	var line int
	w.Slug, line = r.str(root, "", "slug", true)
	if w.Slug != "" && !slugPattern.MatchString(w.Slug) {
		r.add(line, "slug", "should be lower-case letters, digits and hyphens, e.g. \"self-attention\"")
	}
	w.Key, line = r.str(root, "", "key", false)
	if w.Key == "" {
		w.Key = w.Slug
	} else if !slugPattern.MatchString(w.Key) {
		r.add(line, "key", "should be lower-case letters, digits and hyphens")
	}
	w.Group, line = r.str(root, "", "group", true)
	if w.Group != "" && !contains(Groups, w.Group) {
		r.add(line, "group", "unknown group %q; the groups are %s", w.Group, strings.Join(Groups, ", "))
	}
	w.Order = int(r.num(root, "", "order", 0))
	w.LearningRate = r.num(root, "", "learning_rate", 0.01)
	if w.LearningRate <= 0 || w.LearningRate > 10 {
		r.add(root.Get("learning_rate").Line, "learning_rate", "should be between 0 and 10")
	}
	if v := root.Get("seed"); v != nil {
		if v.Kind != KindNumber || v.Num < 1 || v.Num != math.Trunc(v.Num) || v.Num > 1<<53 {
			r.add(v.Line, "seed", "should be a whole number from 1 to 9007199254740992")
		} else {
			w.Seed = uint64(v.Num)
		}
	}
	if v := root.Get("icon"); v != nil {
		d, msg := denseOf(v)
		if msg != "" {
			r.add(v.Line, "icon", "%s", msg)
		} else {
			rows, cols := d.Dims()
			for i := 0; i < rows; i++ {
				w.Icon = append(w.Icon, mat.Row(nil, i, d)[:cols])
			}
		}
	}
	w.Title = r.text(root, "", "title", true)
	w.Blurb = r.text(root, "", "blurb", true)

	defined := map[string]Shape{} // matrix id → shape
	r.vars(w, root, defined)
	r.steps(w, root, defined)
	r.phases(w, root)
	r.answers(w, defined)
	r.texts(w, root)
	if len(r.probs) > 0 {
		sort.SliceStable(r.probs, func(i, j int) bool { return r.probs[i].Line < r.probs[j].Line })
		return nil, r.probs
	}
	return w, nil
}

// tables returns the tables of a [[name]] list.
func (r *reader) tables(root *Table, name string, required bool) []*Table {
	v := root.Get(name)
	if v == nil {
		if required {
			r.add(0, name, "the file has no [[%s]]", name)
		}
		return nil
	}
	if v.Kind != KindArray {
		r.add(v.Line, name, "should be written as [[%s]] tables", name)
		return nil
	}
	var out []*Table
	for _, x := range v.Arr {
		if x.Kind != KindTable {
			r.add(x.Line, name, "should be written as [[%s]] tables", name)
			continue
		}
		out = append(out, x.Tab)
	}
	return out
}

func (r *reader) labels(t *Table, field, key string, n int) []string {
	l := r.strs(t, field, key)
	if l != nil && len(l) != n {
		r.add(t.Get(key).Line, join(field, key), "has %d labels for %d", len(l), n)
		return nil
	}
	return l
}

func (r *reader) picture(t *Table, field string) *Picture {
	v := t.Get("picture")
	if v == nil {
		return nil
	}
	if v.Kind != KindTable {
		r.add(v.Line, join(field, "picture"), "should be { height = 2, width = 2, per_column = true, lo = 0, hi = 2 }")
		return nil
	}
	f := join(field, "picture")
	r.known(v.Tab, f, "height", "width", "per_column", "lo", "hi")
	p := &Picture{Height: int(r.num(v.Tab, f, "height", 0)), Width: int(r.num(v.Tab, f, "width", 0)),
		PerColumn: r.boolean(v.Tab, f, "per_column"), Lo: r.num(v.Tab, f, "lo", 0), Hi: r.num(v.Tab, f, "hi", 0)}
	if p.Height < 1 || p.Width < 1 || p.Height > 64 || p.Width > 64 {
		r.add(v.Line, f, "height and width should be whole numbers from 1 to 64")
		return nil
	}
	return p
}

func (r *reader) vars(w *Walkthrough, root *Table, defined map[string]Shape) {
	for i, t := range r.tables(root, "var", true) {
		field := fmt.Sprintf("var %d", i+1)
		r.known(t, field, "id", "name", "role", "hue", "train", "frozen", "bias", "row_labels", "col_labels", "picture", "data", "random", "shape", "draw")
		v := &VarSpec{Line: t.Line}
		id, line := r.str(t, field, "id", true)
		if id != "" {
			field = fmt.Sprintf("var %q", id)
			if !idPattern.MatchString(id) {
				r.add(line, join(field, "id"), "should start with a letter and hold only letters, digits and _")
			} else if _, dup := defined[id]; dup {
				r.add(line, join(field, "id"), "%q is defined twice", id)
			}
		}
		v.ID = id
		v.Name, _ = r.str(t, field, "name", false)
		if v.Name == "" {
			v.Name = id
		}
		role, line := r.str(t, field, "role", false)
		if role == "" {
			role = "input"
		}
		if rl, ok := roleByName[role]; ok {
			v.Role = rl
		} else {
			r.add(line, join(field, "role"), "unknown role %q; the roles are input, parameter, target, noise", role)
		}
		v.Hue = r.hue(t, field)
		v.Trainable = r.boolean(t, field, "train")
		v.Frozen = r.boolean(t, field, "frozen")
		if (v.Trainable || v.Frozen) && v.Role != RoleParameter {
			r.add(t.Line, field, "only a parameter can be trained or frozen; set role = \"parameter\"")
		}
		v.BiasColumn = r.boolean(t, field, "bias")
		v.Random = r.boolean(t, field, "random")
		dataGiven := t.Get("data") != nil
		if dv := t.Get("data"); dv != nil {
			d, msg := denseOf(dv)
			if msg != "" {
				r.add(dv.Line, join(field, "data"), "%s", msg)
			}
			v.Data = d
		}
		if sv := t.Get("shape"); sv != nil {
			if sv.Kind != KindArray || len(sv.Arr) != 2 || sv.Arr[0].Kind != KindNumber || sv.Arr[1].Kind != KindNumber ||
				sv.Arr[0].Num < 1 || sv.Arr[1].Num < 1 || sv.Arr[0].Num > 64 || sv.Arr[1].Num > 64 {
				r.add(sv.Line, join(field, "shape"), "should be [rows, columns], each from 1 to 64")
			} else {
				v.Rows, v.Cols = int(sv.Arr[0].Num), int(sv.Arr[1].Num)
			}
		}
		switch {
		case v.Data != nil:
			v.Rows, v.Cols = v.Data.Dims()
			if t.Get("shape") != nil {
				r.add(t.Get("shape").Line, join(field, "shape"), "give data or shape, not both")
			}
		case v.Random && v.Rows > 0:
		case v.Random:
			r.add(t.Line, field, "random noise needs its shape = [rows, columns]")
		case dataGiven:
			// its problem is already said
		default:
			r.add(t.Line, join(field, "data"), "is missing: give the numbers as a list of rows")
		}
		if v.Random && v.Role != RoleNoise {
			r.add(t.Get("random").Line, join(field, "random"), "only noise is drawn at random; set role = \"noise\"")
		}
		v.RowLabels = r.labels(t, field, "row_labels", v.Rows)
		v.ColLabels = r.labels(t, field, "col_labels", v.Cols)
		v.Picture = r.picture(t, field)
		if v.BiasColumn && v.Cols < 2 {
			r.add(t.Line, join(field, "bias"), "a bias column needs at least 2 columns")
		}
		v.Draw = r.draw(t, field, v, w, defined)
		if id != "" && idPattern.MatchString(id) {
			defined[id] = Shape{v.Rows, v.Cols}
		}
		w.Vars = append(w.Vars, v)
	}
}

func (r *reader) hue(t *Table, field string) Hue {
	name, line := r.str(t, field, "hue", false)
	if name == "" {
		return HueNeutral
	}
	h, ok := hueByName[name]
	if !ok {
		r.add(line, join(field, "hue"), "unknown hue %q; the hues are %s", name, strings.Join(hueNames[:], ", "))
	}
	return h
}

// stepFields are the fields every step may have; an op adds its own
// parameters.
var stepFields = []string{"id", "op", "in", "out", "name", "hue", "role", "row_labels", "col_labels", "picture",
	"title", "text", "note", "hand_note", "exact_note", "worked", "hand_worked", "exact_worked", "label"}

func (r *reader) steps(w *Walkthrough, root *Table, defined map[string]Shape) {
	stepIDs := map[string]bool{}
	for i, t := range r.tables(root, "step", true) {
		field := fmt.Sprintf("step %d", i+1)
		n := &Node{Line: t.Line, Params: map[string]*Value{}}
		id, line := r.str(t, field, "id", true)
		if id != "" {
			field = fmt.Sprintf("step %q", id)
			if !stepPattern.MatchString(id) {
				r.add(line, join(field, "id"), "should be lower-case letters, digits, _ and -, parts joined by dots")
			} else if stepIDs[id] {
				r.add(line, join(field, "id"), "%q is used by two steps", id)
			}
			stepIDs[id] = true
		}
		n.ID = id
		opName, line := r.str(t, field, "op", true)
		if opName != "" {
			n.Op = ops[opName]
			if n.Op == nil {
				hint := ""
				if near := nearestOp(opName); near != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", near)
				}
				r.add(line, join(field, "op"), "unknown op %q%s; the ops are %s", opName, hint, strings.Join(OpNames(), ", "))
			}
		}
		var allowed []string
		allowed = append(allowed, stepFields...)
		if n.Op != nil {
			for _, p := range n.Op.Params {
				allowed = append(allowed, p.Name)
			}
		}
		r.known(t, field, allowed...)
		n.In = r.strs(t, field, "in")
		outs := r.strs(t, field, "out")
		names := r.strs(t, field, "name")
		if len(names) > 0 && len(names) != len(outs) {
			r.add(t.Line, join(field, "name"), "gives %d names for %d outputs", len(names), len(outs))
			names = nil
		}
		hue := r.hue(t, field)
		var role Role
		if rn, line := r.str(t, field, "role", false); rn != "" {
			switch rn {
			case "target":
				role = RoleTarget
			case "gradient":
				role = RoleGradient
			case "noise":
				role = RoleNoise
			case "activation":
			default:
				r.add(line, join(field, "role"), "unknown role %q; a computed matrix is an activation, target, gradient or noise", rn)
			}
		}
		pic := r.picture(t, field)
		for k, o := range outs {
			spec := OutSpec{ID: o, Name: o, Hue: hue, Role: role, Picture: pic}
			if names != nil {
				spec.Name = names[k]
			}
			if !idPattern.MatchString(o) {
				r.add(t.Get("out").Line, join(field, "out"), "%q should start with a letter and hold only letters, digits and _", o)
			} else if _, dup := defined[o]; dup {
				r.add(t.Get("out").Line, join(field, "out"), "%q is already defined", o)
			}
			n.Out = append(n.Out, spec)
		}
		n.Title = r.text(t, field, "title", true)
		n.Text = r.text(t, field, "text", true)
		n.Note = r.text(t, field, "note", false)
		n.HandNote = r.text(t, field, "hand_note", false)
		n.ExactNote = r.text(t, field, "exact_note", false)
		n.Worked = r.text(t, field, "worked", false)
		n.HandWorked = r.text(t, field, "hand_worked", false)
		n.ExactWorked = r.text(t, field, "exact_worked", false)
		n.Label = r.text(t, field, "label", false)
		if n.Op == nil {
			for _, o := range outs {
				defined[o] = Shape{}
			}
			w.Steps = append(w.Steps, n)
			continue
		}
		r.params(n, t, field)
		ins := r.resolve(n, t, field, defined)
		if len(outs) != len(n.Op.Out) && !(n.Op.Loss && len(outs) < len(n.Op.Out)) {
			r.add(t.Line, join(field, "out"), "op %s computes %d matri%s (%s); give out = %s", n.Op.Name, len(n.Op.Out),
				map[bool]string{true: "x", false: "ces"}[len(n.Op.Out) == 1], strings.Join(n.Op.Out, ", "), outExample(n.Op.Out))
		}
		if n.Op.Loss && n.Label == nil {
			r.add(t.Line, join(field, "label"), "a loss needs a label = { en = \"…\", zh = \"…\" } for the training panel")
		}
		var shapes []Shape
		if ins != nil && (len(outs) == len(n.Op.Out) || n.Op.Loss && len(outs) < len(n.Op.Out)) {
			var err error
			shapes, err = n.Op.Shape(n, ins)
			if err != nil {
				r.add(t.Get("in").Line, join(field, "in"), "%v", err)
			}
		}
		for k, o := range n.Out {
			s := Shape{}
			if k < len(shapes) {
				s = shapes[k]
				if o.RowLabels == nil {
					n.Out[k].RowLabels = r.labels(t, field, "row_labels", s.Rows)
				}
				n.Out[k].ColLabels = r.labels(t, field, "col_labels", s.Cols)
			}
			defined[o.ID] = s
		}
		w.Steps = append(w.Steps, n)
	}
	losses := 0
	for _, n := range w.Steps {
		if n.Op != nil && n.Op.Loss {
			losses++
		}
	}
	if len(w.Steps) > 0 && losses == 0 {
		r.add(0, "step", "the walkthrough has no loss step: every walkthrough trains, so one step must be a loss (e.g. op = \"squared_error\")")
	}
}

func outExample(names []string) string {
	if len(names) == 1 {
		return `"` + names[0] + `"`
	}
	return `["` + strings.Join(names, `", "`) + `"]`
}

// params checks the op's parameters.
func (r *reader) params(n *Node, t *Table, field string) {
	for _, p := range n.Op.Params {
		v := t.Get(p.Name)
		if v == nil {
			if p.Default == nil {
				r.add(t.Line, join(field, p.Name), "is missing: %s", p.Doc)
			}
			continue
		}
		if msg := p.check(v); msg != "" {
			r.add(v.Line, join(field, p.Name), "%s", msg)
			continue
		}
		n.Params[p.Name] = v
	}
}

// resolve checks a step's inputs and returns their shapes, or nil.
func (r *reader) resolve(n *Node, t *Table, field string, defined map[string]Shape) []Shape {
	line := t.Line
	if v := t.Get("in"); v != nil {
		line = v.Line
	}
	op := n.Op
	if len(n.In) < len(op.In) || len(n.In) > len(op.In) && !op.Variadic {
		want := fmt.Sprint(len(op.In))
		if op.Variadic {
			want = "at least " + want
		}
		r.add(line, join(field, "in"), "op %s reads %s matri%s (%s), not %d", op.Name, want,
			map[bool]string{true: "x", false: "ces"}[len(op.In) == 1 && !op.Variadic], strings.Join(op.In, ", "), len(n.In))
		return nil
	}
	shapes := make([]Shape, len(n.In))
	ok := true
	for i, ref := range n.In {
		base, transposed := strings.CutSuffix(ref, ".T")
		s, found := defined[base]
		if !found {
			r.add(line, join(field, "in"), "%q is used before it is defined (define it as a [[var]] or as the out of an earlier step)", base)
			ok = false
			continue
		}
		if s.Rows == 0 {
			ok = false // its own step had a problem, already said
			continue
		}
		if transposed {
			s = Shape{s.Cols, s.Rows}
		}
		shapes[i] = s
	}
	if !ok {
		return nil
	}
	return shapes
}

func (r *reader) phases(w *Walkthrough, root *Table) {
	lossIDs := map[string]bool{}
	for _, n := range w.Steps {
		if n.Op != nil && n.Op.Loss {
			lossIDs[n.ID] = true
		}
	}
	for i, t := range r.tables(root, "phase", false) {
		field := fmt.Sprintf("phase %d", i+1)
		r.known(t, field, "id", "losses", "train")
		p := &PhaseSpec{Line: t.Line}
		var line int
		p.ID, line = r.str(t, field, "id", true)
		if p.ID != "" && !stepPattern.MatchString(p.ID) {
			r.add(line, join(field, "id"), "should be lower-case letters and digits")
		}
		p.Losses = r.strs(t, field, "losses")
		p.Train = r.strs(t, field, "train")
		for _, l := range p.Losses {
			if !lossIDs[l] {
				r.add(t.Get("losses").Line, join(field, "losses"), "%q is not a loss step", l)
			}
		}
		for _, v := range p.Train {
			spec := w.varSpec(v)
			if spec == nil || !spec.Trainable {
				r.add(t.Get("train").Line, join(field, "train"), "%q is not a trainable variable (train = true)", v)
			}
		}
		if len(p.Losses) == 0 || len(p.Train) == 0 {
			r.add(t.Line, field, "a phase needs its losses and the variables it trains")
		}
		w.Phases = append(w.Phases, p)
	}
}

func (r *reader) texts(w *Walkthrough, root *Table) {
	v := root.Get("texts")
	if v == nil {
		return
	}
	if v.Kind != KindTable {
		r.add(v.Line, "texts", "should be tables [texts.\"step-id\"] with a title and a text")
		return
	}
	for _, id := range v.Tab.Keys {
		tv := v.Tab.Fields[id]
		field := fmt.Sprintf("texts %q", id)
		if tv.Kind != KindTable {
			r.add(tv.Line, field, "should be a table with a title and a text")
			continue
		}
		parts := []string{"title", "text", "note", "worked", "hand_worked", "exact_worked"}
		r.known(tv.Tab, field, parts...)
		m := map[string]Text{}
		for _, k := range parts {
			if t := r.text(tv.Tab, field, k, false); t != nil {
				m[k] = t
			}
		}
		w.Texts[id] = m
	}
}

func (w *Walkthrough) varSpec(id string) *VarSpec {
	for _, v := range w.Vars {
		if v.ID == id {
			return v
		}
	}
	return nil
}

// nearestOp is the op whose name is closest to a mistyped one (at most
// two letters off), or "".
func nearestOp(name string) string {
	best, bestD := "", 3
	for _, n := range OpNames() {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// drawWays is the vocabulary of a variable's draw field, for messages.
const drawWays = `"keep", "binary", "onehot", "answer", { min = -1, max = 2 } (and step = 2 for every second number) or { copy = "X" }`

// draw reads how "New numbers" draws a variable: draw = "keep", "binary",
// "onehot", "answer", { min, max, step } or { copy = "X" }.
func (r *reader) draw(t *Table, field string, v *VarSpec, w *Walkthrough, defined map[string]Shape) DrawRule {
	dv := t.Get("draw")
	if dv == nil {
		return DrawRule{}
	}
	field = join(field, "draw")
	switch dv.Kind {
	case KindString:
		kind, ok := map[string]DrawKind{"keep": DrawKeep, "binary": DrawBinary, "onehot": DrawOneHot, "answer": DrawAnswer}[dv.Str]
		if !ok {
			r.add(dv.Line, field, "unknown way %q; write %s", dv.Str, drawWays)
			return DrawRule{}
		}
		if kind == DrawAnswer && v.Role != RoleTarget {
			r.add(dv.Line, field, "only a target can be an answer; set role = \"target\"")
			return DrawRule{}
		}
		return DrawRule{Kind: kind}
	case KindTable:
	default:
		r.add(dv.Line, field, "should be %s", drawWays)
		return DrawRule{}
	}
	tab := dv.Tab
	r.known(tab, field, "min", "max", "step", "copy")
	if cv := tab.Get("copy"); cv != nil {
		if len(tab.Keys) > 1 {
			r.add(dv.Line, field, "a copy takes no min, max or step: it has the numbers of the variable it copies")
			return DrawRule{}
		}
		from, line := r.str(tab, field, "copy", true)
		if from == "" {
			return DrawRule{}
		}
		s, ok := defined[from]
		if !ok || w.varSpec(from) == nil {
			r.add(line, join(field, "copy"), "%q is not a variable above this one", from)
			return DrawRule{}
		}
		if w.varSpec(from).Draw.Kind == DrawAnswer {
			r.add(line, join(field, "copy"), "%s is an answer, worked out after the other variables: copy what it is compared with instead", from)
			return DrawRule{}
		}
		if s != (Shape{v.Rows, v.Cols}) {
			r.add(line, join(field, "copy"), "%s is %v but this variable is %v: a copy needs one shape", from, s, Shape{v.Rows, v.Cols})
			return DrawRule{}
		}
		return DrawRule{Kind: DrawCopy, From: from}
	}
	whole := func(key string, def float64, lo, hi float64) (int, bool) {
		x := tab.Get(key)
		if x == nil && def == 0 {
			r.add(dv.Line, join(field, key), "is missing: give the range as { min = -1, max = 2 }")
			return 0, false
		}
		n := r.num(tab, field, key, def)
		if n != math.Trunc(n) || n < lo || n > hi {
			r.add(x.Line, join(field, key), "should be a whole number from %g to %g", lo, hi)
			return 0, false
		}
		return int(n), true
	}
	lo, ok1 := whole("min", 0, -HandBound, HandBound)
	hi, ok2 := whole("max", 0, -HandBound, HandBound)
	step, ok3 := whole("step", 1, 1, 2*HandBound)
	if !ok1 || !ok2 || !ok3 {
		return DrawRule{}
	}
	if lo > hi {
		r.add(dv.Line, field, "min (%d) is larger than max (%d)", lo, hi)
		return DrawRule{}
	}
	return DrawRule{Kind: DrawRange, Min: lo, Max: hi, Step: step}
}

// answers checks that every variable drawn as an answer is a target a loss
// compares with an output, in a walkthrough with weights to draw.
func (r *reader) answers(w *Walkthrough, defined map[string]Shape) {
	for _, v := range w.Vars {
		if v.Draw.Kind != DrawAnswer {
			continue
		}
		if out := answerOf(w, v.ID); out == "" || defined[out] != (Shape{v.Rows, v.Cols}) {
			r.add(v.Line, fmt.Sprintf("var %q › draw", v.ID), "an answer is the output a loss compares it with: no loss step reads %s with an output of its shape", v.ID)
		}
		trained := false
		for _, p := range w.Vars {
			trained = trained || p.Trainable && p.drawRule().random()
		}
		if !trained {
			r.add(v.Line, fmt.Sprintf("var %q › draw", v.ID), "an answer is worked out with other weights, but the walkthrough has no trainable variable that is drawn")
		}
	}
}
