package pagestate

// This file is the one place where a page's state becomes text and back:
// the link (a URL query), saved work (the link's query in a small JSON
// envelope), the exercise file a teacher exports and imports (JSON), and
// the view options of an embedded page (URL options that are not state).
//
// # Links, format version 1
//
// A link carries only what differs from the default page, so a link with
// a few edits stays short. Its query holds, in this order:
//
//	v=1                 the format version (always first)
//	mode=exact          the arithmetic (hand is the default)
//	step=5              the current step, 1-based
//	lr=0.05             the learning rate
//	n=200               the number of updates of a training run
//	num=7               the seed New numbers drew the exercise from
//	seed=123            the noise seed; 0 when the noise was written by hand
//	closed=legend,train the sidebar panels the reader closed
//	x.W1=2.3:-1,1.1:5   cells of variable W1 that differ: row.col:value, 1-based
//	x.X=1,0,2,…         or every cell of X, row by row, when that is shorter
//	practice=forward    practice mode: forward, all or random blanks
//	carry=1             practice: the steps after a wrong entry read the right number
//	e.H1=1.2:3,2.1:-1   practice: the student's entries in H1, row.col:value, 1-based
//	shown.H1=1.2        practice: the cells of H1 the student revealed
//
// Numbers are written in the shortest form that reads back to the same
// float64, so a link reopens exactly the state it was made from. The
// noise of a link with a seed is drawn from that seed first, and the x.
// cells of noise differ from that draw. Likewise the x. cells of a link
// with num= differ from the numbers that seed draws.
//
// A link from an older format keeps opening: each format version has its
// decoder here (fixtures of real links are in testdata/links.txt). A link
// from a newer format is not opened, and says so.

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/byhand/byhand/engine"
)

// Version is the link format this code writes.
const Version = 1

// Problem is one part of a link, saved work or file that was refused. Key
// is a message key; Field names the part ("x.W1", "step", "variables.X");
// Value quotes what was found, cut short.
type Problem struct {
	Field, Key, Value string
}

func problem(field, key, value string) Problem {
	if utf8.RuneCountInString(value) > 40 {
		r := []rune(value)
		value = string(r[:40]) + "…"
	}
	return Problem{Field: field, Key: key, Value: value}
}

// The problems' message keys.
const (
	ProbNewer       = "state.newer"
	ProbVersion     = "state.bad_version"
	ProbDamaged     = "state.damaged"
	ProbUnknown     = "state.unknown_option"
	ProbNumber      = "state.bad_number"
	ProbTooLarge    = "state.too_large"
	ProbNoVar       = "state.no_var"
	ProbCount       = "state.bad_count"
	ProbCell        = "state.bad_cell"
	ProbStep        = "state.bad_step"
	ProbMode        = "state.bad_mode"
	ProbLR          = "state.bad_lr"
	ProbN           = "state.bad_n"
	ProbSeed        = "state.bad_seed"
	ProbNoNoise     = "state.no_noise"
	ProbPanel       = "state.bad_panel"
	ProbCorrupt     = "state.corrupt"
	ProbForeign     = "state.foreign"
	ProbTooBig      = "state.too_big"
	ProbNotJSON     = "file.not_json"
	ProbNoVersion   = "file.no_version"
	ProbWrongModel  = "file.wrong_model"
	ProbShape       = "file.bad_shape"
	ProbMissing     = "file.missing"
	ProbWrongType   = "file.wrong_type"
	ProbUnknownKey  = "file.unknown_field"
	ProbNoVariables = "file.no_variables"
	ProbNumbers     = "state.bad_numbers"
	ProbPractice    = "state.bad_practice"
)

// viewKeys are the URL options of the view (see View): they are not
// state, and a link decoder passes over them.
// "file" and "src" say where an opened walkthrough comes from (the file
// itself, or its URL): they stay with the page's URL and links.
var viewKeys = []string{"embed", "from", "to", "single", "readonly", "theme", "lang", "origin", "file", "src"}

// IsViewKey reports whether k is a URL option of the view, not of the
// state.
func IsViewKey(k string) bool { return slices.Contains(viewKeys, k) }

// stateKeys are the options of a link other than the exercise's cells.
var stateKeys = []string{"v", "mode", "step", "lr", "n", "num", "seed", "closed", "practice", "carry"}

// Noise is implemented by a walkthrough whose exercise holds noise drawn
// from a seed (engine.Resampler).
type Noise = engine.Resampler

// Encode writes the link query of page p of model m: what differs from the
// default page, or "" when nothing does.
func Encode(m engine.Model, p Page) string {
	def := Default(m)
	var parts []string
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	if p.Mode != def.Mode {
		add("mode", p.Mode.String())
	}
	if p.Step != def.Step {
		add("step", strconv.Itoa(p.Step+1))
	}
	if p.LR != def.LR {
		add("lr", num(p.LR))
	}
	if p.N != def.N {
		add("n", strconv.Itoa(p.N))
	}
	base := def.Exercise
	if p.Numbers != 0 {
		add("num", strconv.FormatUint(p.Numbers, 10))
		base, _ = Base(m, p.Numbers)
	}
	if p.Exercise.Seed != base.Seed {
		add("seed", strconv.FormatUint(p.Exercise.Seed, 10))
		if r, ok := m.(Noise); ok && p.Exercise.Seed != 0 {
			r.Resample(base, p.Exercise.Seed)
		}
	}
	if p.Closed != def.Closed {
		var names []string
		for _, n := range PanelNames {
			if p.Closed.Get(n) {
				names = append(names, n)
			}
		}
		add("closed", strings.Join(names, ","))
	}
	for _, v := range p.Exercise.Vars {
		b := base.Var(v.ID)
		if b == nil {
			continue
		}
		if s := diffCells(b, v); s != "" {
			add("x."+url.QueryEscape(v.ID), s)
		}
	}
	parts = append(parts, encodePractice(p.Practice)...)
	if len(parts) == 0 {
		return ""
	}
	return "v=" + strconv.Itoa(Version) + "&" + strings.Join(parts, "&")
}

// encodePractice writes a student's work: the scope, carry, then the
// entries and the revealed cells of each matrix, matrices by id.
func encodePractice(pr Practice) []string {
	var parts []string
	if pr.Scope != engine.ScopeOff {
		parts = append(parts, "practice="+ScopeNames[pr.Scope])
	}
	if pr.Carry {
		parts = append(parts, "carry=1")
	}
	entries, shown := map[string][]string{}, map[string][]string{}
	for _, ref := range slices.SortedFunc(maps.Keys(pr.Entries), compareRefs) {
		at := strconv.Itoa(ref.Row+1) + "." + strconv.Itoa(ref.Col+1)
		entries[ref.Matrix] = append(entries[ref.Matrix], at+":"+num(pr.Entries[ref]))
		if pr.Revealed[ref] {
			shown[ref.Matrix] = append(shown[ref.Matrix], at)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(entries)) {
		parts = append(parts, "e."+url.QueryEscape(id)+"="+strings.Join(entries[id], ","))
	}
	for _, id := range slices.Sorted(maps.Keys(shown)) {
		parts = append(parts, "shown."+url.QueryEscape(id)+"="+strings.Join(shown[id], ","))
	}
	return parts
}

func compareRefs(a, b engine.CellRef) int {
	if c := strings.Compare(a.Matrix, b.Matrix); c != 0 {
		return c
	}
	if a.Row != b.Row {
		return a.Row - b.Row
	}
	return a.Col - b.Col
}

// diffCells writes the cells of v that differ from base: as a list of
// row.col:value, or every cell when that is shorter.
func diffCells(base, v *engine.Var) string {
	rows, cols := v.Data.Dims()
	if br, bc := base.Data.Dims(); br != rows || bc != cols {
		return ""
	}
	var sparse, full []string
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			x := v.Data.At(r, c)
			full = append(full, num(x))
			if math.Float64bits(x) != math.Float64bits(base.Data.At(r, c)) && !(x == 0 && base.Data.At(r, c) == 0) {
				sparse = append(sparse, strconv.Itoa(r+1)+"."+strconv.Itoa(c+1)+":"+num(x))
			}
		}
	}
	if len(sparse) == 0 {
		return ""
	}
	s, f := strings.Join(sparse, ","), strings.Join(full, ",")
	if len(f) <= len(s) {
		return f
	}
	return s
}

// num writes a number in the shortest form that reads back the same, with
// no '+' (a '+' in a query reads as a space).
func num(x float64) string {
	if x == 0 {
		return "0" // and not "-0"
	}
	return strings.Replace(strconv.FormatFloat(x, 'g', -1, 64), "e+", "e", 1)
}

// parseNum reads a number of a link or file: finite, and not too large.
func parseNum(s string) (float64, string) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			if math.Abs(v) < 1 {
				return 0, "" // underflow: as near to zero as a float goes
			}
			return 0, ProbTooLarge
		}
		return 0, ProbNumber
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ProbTooLarge
	}
	return v, ""
}

// HasState reports whether a URL query holds any state (anything besides
// the current step and the view options).
func HasState(q url.Values) bool {
	for k := range q {
		if k != "step" && !slices.Contains(viewKeys, k) {
			return true
		}
	}
	return false
}

// Decode reads the link query q of model m over the default page. Whatever it cannot use it leaves at the
// default and names among the problems; it never fails as a whole, but a
// link from a newer format is not read at all.
func Decode(m engine.Model, rawQuery string) (Page, []Problem) {
	p := Default(m)
	q, err := url.ParseQuery(rawQuery)
	var probs []Problem
	if err != nil {
		probs = append(probs, problem("", ProbDamaged, ""))
	}
	version := 1
	if vs, ok := q["v"]; ok {
		v, err := strconv.Atoi(first(vs))
		switch {
		case err != nil || v < 1:
			return p, append(probs, problem("v", ProbVersion, first(vs)))
		case v > Version:
			return p, append(probs, problem("v", ProbNewer, first(vs)))
		}
		version = v
	}
	switch version {
	case 1:
		probs = append(probs, decodeV1(m, q, &p)...)
	}
	return p, probs
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// decodeV1 reads a version 1 link query into p.
func decodeV1(m engine.Model, q url.Values, p *Page) []Problem {
	var probs []Problem
	bad := func(field, key, value string) { probs = append(probs, problem(field, key, value)) }
	// The numbers first: the noise seed and the cells change them.
	if s, ok := q["num"]; ok {
		n, err := strconv.ParseUint(first(s), 10, 64)
		if base, drawn := Base(m, n); err == nil && drawn {
			p.Numbers, p.Exercise = n, base
		} else {
			bad("num", ProbNumbers, first(s))
		}
	}
	if s, ok := q["practice"]; ok {
		if sc, ok := ParseScope(first(s)); ok {
			p.Practice.Scope = sc
		} else {
			bad("practice", ProbPractice, first(s))
		}
	}
	if s, ok := q["carry"]; ok {
		switch first(s) {
		case "1":
			p.Practice.Carry = true
		case "0":
		default:
			bad("carry", ProbPractice, first(s))
		}
	}
	if s, ok := q["mode"]; ok {
		if mode, ok := engine.ParseMode(first(s)); ok {
			p.Mode = mode
		} else {
			bad("mode", ProbMode, first(s))
		}
	}
	if s, ok := q["lr"]; ok {
		if v, why := parseNum(first(s)); why == "" && ValidLR(v) {
			p.LR = v
		} else {
			bad("lr", ProbLR, first(s))
		}
	}
	if s, ok := q["n"]; ok {
		if n, err := strconv.Atoi(first(s)); err == nil && ValidN(n) {
			p.N = n
		} else {
			bad("n", ProbN, first(s))
		}
	}
	if s, ok := q["seed"]; ok {
		r, noisy := m.(Noise)
		seed, err := strconv.ParseUint(first(s), 10, 64)
		switch {
		case !noisy:
			bad("seed", ProbNoNoise, first(s))
		case err != nil:
			bad("seed", ProbSeed, first(s))
		case seed == 0:
			p.Exercise.Seed = 0
		default:
			r.Resample(p.Exercise, seed)
		}
	}
	if s, ok := q["closed"]; ok {
		for _, name := range strings.Split(first(s), ",") {
			if name == "" {
				continue
			}
			if c, ok := p.Closed.With(name, true); ok {
				p.Closed = c
			} else {
				bad("closed", ProbPanel, name)
			}
		}
	}
	// The step last: how many steps there are depends on the mode and,
	// for some walkthroughs, on the numbers.
	if s, ok := q["step"]; ok {
		steps := len(m.Run(p.Exercise, p.Mode).Steps)
		if n, err := strconv.Atoi(first(s)); err == nil && n >= 1 && n <= steps {
			p.Step = n - 1
		} else {
			bad("step", ProbStep, first(s))
		}
	}
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var tr *engine.Trace // the trace the practice cells are in, once needed
	trace := func() *engine.Trace {
		if tr == nil {
			tr = m.Run(p.Exercise.Clone(), p.Mode)
		}
		return tr
	}
	var shownKeys []string
	for _, k := range keys {
		id, isVar := strings.CutPrefix(k, "x.")
		entered, isEntry := strings.CutPrefix(k, "e.")
		_, isShown := strings.CutPrefix(k, "shown.")
		switch {
		case isVar:
			if pr, ok := decodeCells(p.Exercise, id, first(q[k])); !ok {
				probs = append(probs, pr)
			}
		case isEntry:
			if pr, ok := decodeEntries(trace(), &p.Practice, entered, first(q[k])); !ok {
				probs = append(probs, pr)
			}
		case isShown:
			shownKeys = append(shownKeys, k)
		case slices.Contains(stateKeys, k), slices.Contains(viewKeys, k):
		default:
			bad(k, ProbUnknown, first(q[k]))
		}
	}
	// Revealed cells last: each must hold an entry.
	for _, k := range shownKeys {
		id := strings.TrimPrefix(k, "shown.")
		if pr, ok := decodeShown(&p.Practice, id, first(q[k])); !ok {
			probs = append(probs, pr)
		}
	}
	return probs
}

// decodeEntries reads a student's entries in matrix id, all or nothing:
// the matrix must be one the walkthrough computes, every cell in it, and
// every number finite.
func decodeEntries(tr *engine.Trace, pr *Practice, id, s string) (Problem, bool) {
	field := "e." + id
	m := tr.Matrix(id)
	if m == nil || !m.Computed() {
		return problem(field, ProbNoVar, id), false
	}
	rows, cols := m.Dims()
	next := engine.Entries{}
	for _, it := range strings.Split(s, ",") {
		at, val, ok := strings.Cut(it, ":")
		ref, okAt := parseAt(id, at, rows, cols)
		if !ok || !okAt {
			return problem(field, ProbCell, it), false
		}
		x, why := parseNum(val)
		if why != "" {
			return problem(field, why, val), false
		}
		next[ref] = x
	}
	if pr.Entries == nil {
		pr.Entries = engine.Entries{}
	}
	maps.Copy(pr.Entries, next)
	return Problem{}, true
}

// decodeShown reads the cells of matrix id a student revealed, all or
// nothing: each must hold an entry.
func decodeShown(pr *Practice, id, s string) (Problem, bool) {
	field := "shown." + id
	var refs []engine.CellRef
	for _, at := range strings.Split(s, ",") {
		ref, ok := parseAt(id, at, math.MaxInt32, math.MaxInt32)
		if _, entered := pr.Entries[ref]; !ok || !entered {
			return problem(field, ProbCell, at), false
		}
		refs = append(refs, ref)
	}
	if pr.Revealed == nil {
		pr.Revealed = map[engine.CellRef]bool{}
	}
	for _, ref := range refs {
		pr.Revealed[ref] = true
	}
	return Problem{}, true
}

// parseAt reads a cell's place, "row.col" counted from 1, within rows×cols.
func parseAt(id, at string, rows, cols int) (engine.CellRef, bool) {
	rs, cs, ok := strings.Cut(at, ".")
	r, err1 := strconv.Atoi(rs)
	c, err2 := strconv.Atoi(cs)
	if !ok || err1 != nil || err2 != nil || r < 1 || c < 1 || r > rows || c > cols {
		return engine.CellRef{}, false
	}
	return engine.CellRef{Matrix: id, Row: r - 1, Col: c - 1}, true
}

// decodeCells sets the cells of variable id from a link's value, all or
// nothing: a value with any fault leaves the variable as it was.
func decodeCells(st *engine.State, id, s string) (Problem, bool) {
	field := "x." + id
	v := st.Var(id)
	if v == nil {
		return problem(field, ProbNoVar, id), false
	}
	rows, cols := v.Data.Dims()
	next := make([]float64, 0, rows*cols)
	for r := 0; r < rows; r++ {
		next = append(next, v.Data.RawRowView(r)...)
	}
	items := strings.Split(s, ",")
	if strings.Contains(s, ":") {
		for _, it := range items {
			at, val, ok := strings.Cut(it, ":")
			rs, cs, ok2 := strings.Cut(at, ".")
			r, err1 := strconv.Atoi(rs)
			c, err2 := strconv.Atoi(cs)
			if !ok || !ok2 || err1 != nil || err2 != nil || r < 1 || c < 1 || r > rows || c > cols {
				return problem(field, ProbCell, it), false
			}
			x, why := parseNum(val)
			if why != "" {
				return problem(field, why, val), false
			}
			next[(r-1)*cols+c-1] = x
		}
	} else {
		if len(items) != rows*cols {
			return problem(field, ProbCount, strconv.Itoa(len(items))), false
		}
		for i, it := range items {
			x, why := parseNum(it)
			if why != "" {
				return problem(field, why, it), false
			}
			next[i] = x
		}
	}
	for r := 0; r < rows; r++ {
		copy(v.Data.RawRowView(r), next[r*cols:(r+1)*cols])
	}
	if v.Role == engine.RoleNoise {
		st.Seed = 0 // noise written by hand
	}
	return Problem{}, true
}

// Saved work is kept in the browser as a small JSON envelope around the
// link query, so that it is read by the same decoder as a link.
type saved struct {
	Format int    `json:"byhand_saved"`
	Model  string `json:"model"`
	State  string `json:"state"`
}

// MaxSaved is the largest saved work or exercise file read, in bytes.
const MaxSaved = 256 << 10

// EncodeSaved writes page p of model m as saved work.
func EncodeSaved(m engine.Model, p Page) string {
	b, _ := json.Marshal(saved{Format: Version, Model: m.Info().Slug, State: Encode(m, p)})
	return string(b)
}

// DecodeSaved reads saved work of model m. Saved work that is damaged,
// from a newer version or from another walkthrough is refused whole (ok
// false, and the page is the default); otherwise, like a link, what cannot
// be used is named among the problems.
func DecodeSaved(m engine.Model, data string) (p Page, probs []Problem, ok bool) {
	if len(data) > MaxSaved {
		return Default(m), []Problem{problem("", ProbTooBig, strconv.Itoa(len(data)))}, false
	}
	var s saved
	if err := json.Unmarshal([]byte(data), &s); err != nil || s.Format == 0 {
		return Default(m), []Problem{problem("", ProbCorrupt, data)}, false
	}
	if s.Format > Version {
		return Default(m), []Problem{problem("", ProbNewer, strconv.Itoa(s.Format))}, false
	}
	if s.Model != m.Info().Slug {
		return Default(m), []Problem{problem("model", ProbForeign, s.Model)}, false
	}
	p, probs = Decode(m, s.State)
	return p, probs, true
}

// An exercise file holds every variable, the noise seed and the arithmetic
// mode of a walkthrough, as a teacher exports and imports it:
//
//	{
//	  "byhand_exercise": 1,
//	  "model": "autoencoder",
//	  "mode": "hand",
//	  "seed": 0,
//	  "variables": {
//	    "X": [[1, 0, 1, 0], …],
//	    …
//	  }
//	}

// Export writes page p's exercise as a file, variables in the order the
// walkthrough meets them, one matrix row per line.
func Export(m engine.Model, p Page) []byte {
	var b bytes.Buffer
	b.WriteString("{\n")
	b.WriteString(`  "byhand_exercise": ` + strconv.Itoa(Version) + ",\n")
	b.WriteString(`  "model": ` + quote(m.Info().Slug) + ",\n")
	b.WriteString(`  "mode": ` + quote(p.Mode.String()) + ",\n")
	b.WriteString(`  "seed": ` + strconv.FormatUint(p.Exercise.Seed, 10) + ",\n")
	b.WriteString(`  "variables": {`)
	for i, v := range p.Exercise.Vars {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    " + quote(v.ID) + ": [")
		rows, cols := v.Data.Dims()
		for r := 0; r < rows; r++ {
			if r > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n      [")
			for c := 0; c < cols; c++ {
				if c > 0 {
					b.WriteString(", ")
				}
				b.WriteString(num(v.Data.At(r, c)))
			}
			b.WriteString("]")
		}
		b.WriteString("\n    ]")
	}
	b.WriteString("\n  }\n}\n")
	return b.Bytes()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Import reads an exercise file for model m over page p. A file with any
// fault changes nothing: the page is returned as it was, with the
// problem that names the bad field. Variables the file leaves out keep
// their numbers.
func Import(m engine.Model, p Page, data []byte) (Page, *Problem) {
	fail := func(field, key, value string) (Page, *Problem) {
		pr := problem(field, key, value)
		return p, &pr
	}
	if len(data) > MaxSaved {
		return fail("", ProbTooBig, strconv.Itoa(len(data)))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return fail("", ProbNotJSON, err.Error())
	}
	var format int
	if err := json.Unmarshal(top["byhand_exercise"], &format); err != nil || format < 1 {
		return fail("byhand_exercise", ProbNoVersion, string(top["byhand_exercise"]))
	}
	if format > Version {
		return fail("byhand_exercise", ProbNewer, strconv.Itoa(format))
	}
	for k := range top {
		switch k {
		case "byhand_exercise", "model", "mode", "seed", "variables":
		default:
			return fail(k, ProbUnknownKey, k)
		}
	}
	var model string
	if err := json.Unmarshal(top["model"], &model); err != nil {
		return fail("model", ProbWrongType, string(top["model"]))
	}
	if model != m.Info().Slug {
		return fail("model", ProbWrongModel, model)
	}
	out := p.Clone()
	if raw, ok := top["mode"]; ok {
		var mode string
		if err := json.Unmarshal(raw, &mode); err != nil {
			return fail("mode", ProbWrongType, string(raw))
		}
		m, ok := engine.ParseMode(mode)
		if !ok {
			return fail("mode", ProbMode, mode)
		}
		out.Mode = m
	}
	if raw, ok := top["seed"]; ok {
		var seed uint64
		if err := json.Unmarshal(raw, &seed); err != nil {
			return fail("seed", ProbSeed, string(raw))
		}
		if _, noisy := m.(Noise); !noisy && seed != 0 {
			return fail("seed", ProbNoNoise, string(raw))
		}
		out.Exercise.Seed = seed
	}
	raw, ok := top["variables"]
	if !ok {
		return fail("variables", ProbNoVariables, "")
	}
	var vars map[string]json.RawMessage
	if err := json.Unmarshal(raw, &vars); err != nil {
		return fail("variables", ProbWrongType, string(raw))
	}
	ids := make([]string, 0, len(vars))
	for id := range vars {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		field := "variables." + id
		v := out.Exercise.Var(id)
		if v == nil {
			return fail(field, ProbNoVar, id)
		}
		var rows [][]json.Number
		dec := json.NewDecoder(bytes.NewReader(vars[id]))
		dec.UseNumber()
		if err := dec.Decode(&rows); err != nil {
			return fail(field, ProbWrongType, string(vars[id]))
		}
		nr, nc := v.Data.Dims()
		shape := strconv.Itoa(nr) + "×" + strconv.Itoa(nc)
		if len(rows) != nr {
			return fail(field, ProbShape, strconv.Itoa(len(rows))+" / "+shape)
		}
		for r, row := range rows {
			if len(row) != nc {
				return fail(field+"["+strconv.Itoa(r+1)+"]", ProbShape, strconv.Itoa(len(row))+" / "+shape)
			}
			for c, n := range row {
				x, why := parseNum(string(n))
				if why != "" {
					return fail(field+"["+strconv.Itoa(r+1)+","+strconv.Itoa(c+1)+"]", why, string(n))
				}
				v.Data.Set(r, c, x)
			}
		}
	}
	return out, nil
}

// View is how an embedded page is shown: URL options that are not state,
// never saved, and not part of a state link.
//
//	embed=1        no site chrome: a one-row bar with the step controls
//	               and the Hand/Exact switch
//	step=K         the starting step, 1-based (a state option, see above)
//	from=F, to=L   only steps F to L (1-based, inclusive)
//	single=1       one step at a time
//	readonly=1     numbers cannot be edited from the page
//	theme=light|dark, lang=en|zh
//	origin=https://a.example,https://b.example
//	               act only on messages from these parent origins
type View struct {
	Embed, Single, ReadOnly bool
	From, To                int // 0-based, inclusive; To is −1 when not set: the last step
	Theme, Lang             string
	Origins                 []string
}

// ParseView reads the view options of a URL query for a walkthrough of at
// most steps steps (in either mode). Options it cannot use are left at
// their default and named.
func ParseView(rawQuery string, steps int) (View, []Problem) {
	v := View{To: -1}
	q, _ := url.ParseQuery(rawQuery)
	var probs []Problem
	flag := func(k string) bool {
		s, ok := q[k]
		if !ok {
			return false
		}
		switch first(s) {
		case "1", "true", "yes", "":
			return true
		case "0", "false", "no":
			return false
		}
		probs = append(probs, problem(k, ProbUnknown, first(s)))
		return false
	}
	v.Embed, v.Single, v.ReadOnly = flag("embed"), flag("single"), flag("readonly")
	bound := func(k string, def int) int {
		s, ok := q[k]
		if !ok {
			return def
		}
		n, err := strconv.Atoi(first(s))
		if err != nil || n < 1 || n > steps {
			probs = append(probs, problem(k, ProbStep, first(s)))
			return def
		}
		return n - 1
	}
	v.From, v.To = bound("from", 0), bound("to", -1)
	if v.To >= 0 && v.From > v.To {
		probs = append(probs, problem("from", ProbStep, strconv.Itoa(v.From+1)+"–"+strconv.Itoa(v.To+1)))
		v.From, v.To = 0, -1
	}
	switch t := first(q["theme"]); t {
	case "", "system":
	case "light", "dark":
		v.Theme = t
	default:
		probs = append(probs, problem("theme", ProbUnknown, t))
	}
	switch l := first(q["lang"]); l {
	case "":
	case "en", "zh":
		v.Lang = l
	default:
		probs = append(probs, problem("lang", ProbUnknown, l))
	}
	for _, s := range q["origin"] {
		for _, o := range strings.Split(s, ",") {
			o = strings.TrimSuffix(strings.TrimSpace(o), "/")
			if o == "" {
				continue
			}
			if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
				probs = append(probs, problem("origin", ProbUnknown, o))
				continue
			}
			v.Origins = append(v.Origins, o)
		}
	}
	return v, probs
}

// Range is the view's first and last step in a walkthrough of steps steps.
func (v View) Range(steps int) (first, last int) {
	last = steps - 1
	if v.To >= 0 && v.To < last {
		last = v.To
	}
	return min(v.From, last), last
}

// Clamp keeps a step inside the view's range.
func (v View) Clamp(step, steps int) int {
	first, last := v.Range(steps)
	return max(first, min(step, last))
}

// EmbedQuery writes the URL query of an embed of page p with view v: the
// state link, then the view options that differ from a plain embed.
func EmbedQuery(m engine.Model, p Page, v View) string {
	parts := []string{"embed=1"}
	if s := Encode(m, p); s != "" {
		parts = append(parts, s)
	}
	if v.From > 0 {
		parts = append(parts, "from="+strconv.Itoa(v.From+1))
	}
	if v.To >= 0 {
		parts = append(parts, "to="+strconv.Itoa(v.To+1))
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{v.Single, "single"}, {v.ReadOnly, "readonly"}} {
		if f.on {
			parts = append(parts, f.name+"=1")
		}
	}
	if v.Theme != "" {
		parts = append(parts, "theme="+v.Theme)
	}
	if v.Lang != "" {
		parts = append(parts, "lang="+v.Lang)
	}
	if len(v.Origins) > 0 {
		parts = append(parts, "origin="+url.QueryEscape(strings.Join(v.Origins, ",")))
	}
	return strings.Join(parts, "&")
}
