package engine

import (
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file is practice: the computed cells of chosen steps become blanks
// that a student fills in. The walkthrough is worked through as on the
// page, by the same ops, with one difference (Trace.ready): as each step
// computes a matrix, its blank cells take the student's numbers, or no
// number (NaN) while they are empty. What comes after is computed from
// them, so a wrong entry shows where it leads, and a cell computed from
// an empty one is not known yet, cell by cell. Each blank cell keeps the
// number the step computed for it, before the student's replaced it: the
// answer the entry is checked against, never written into the trace.

// Scope says which computed cells practice blanks.
type Scope int

const (
	// ScopeOff: no practice, no blanks.
	ScopeOff Scope = iota
	// ScopeForward blanks the cells of the forward steps.
	ScopeForward
	// ScopeAll blanks the cells of every step, forward and backward.
	ScopeAll
	// ScopeRandom blanks about half of the cells of every step, at least
	// one, drawn from a seed.
	ScopeRandom
)

// Blanks lists, in step order, the cells a student fills in under scope:
// the cells of every matrix a step computes (Step.Produces; never the
// variables, never a view such as "X.T" that shows another matrix), matrix
// by matrix and row by row. ScopeForward takes the forward steps only (a
// step is backward when Step.Backward: the backward pass derived it),
// ScopeAll every step, and ScopeRandom about half of each step's cells, at
// least one, drawn from seed and the step's id: the same on every platform
// and whatever the other steps are.
func Blanks(tr *Trace, scope Scope, seed uint64) []CellRef {
	if scope == ScopeOff {
		return nil
	}
	var out []CellRef
	for _, s := range tr.Steps {
		if scope == ScopeForward && s.Backward {
			continue
		}
		cells := stepCells(tr, s)
		if scope == ScopeRandom {
			cells = somePart(cells, seed, s.ID)
		}
		out = append(out, cells...)
	}
	return out
}

// stepCells returns the cells of the matrices step s computes, views
// excepted, matrix by matrix and row by row.
func stepCells(tr *Trace, s *Step) []CellRef {
	var out []CellRef
	for _, id := range s.Produces {
		m := tr.Matrix(id)
		if m.from != "" {
			continue
		}
		r, c := m.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				out = append(out, CellRef{id, i, j})
			}
		}
	}
	return out
}

// somePart returns about half of cells, at least one, in their order:
// a shuffle's first half, the shuffle drawn from seed and the step's id by
// splitmix64, which every platform computes alike.
func somePart(cells []CellRef, seed uint64, step string) []CellRef {
	n := len(cells)
	if n == 0 {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(step))
	x := seed ^ h.Sum64()
	next := func() uint64 {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		return z ^ z>>31
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	k := (n + 1) / 2
	for i := 0; i < k; i++ {
		j := i + int(next()%uint64(n-i))
		idx[i], idx[j] = idx[j], idx[i]
	}
	chosen := idx[:k]
	slices.Sort(chosen)
	out := make([]CellRef, k)
	for i, c := range chosen {
		out[i] = cells[c]
	}
	return out
}

// Entries are a student's numbers, by cell.
type Entries map[CellRef]float64

// Tolerance is how close an entry must be to an answer that is not a
// whole number (a power 3ˣ, a softmax, anything e^x touches): within
// 0.01, or within 1% of an answer larger than 1. An answer that is a whole
// number, as every answer of the sheets' integer arithmetic is, must be
// entered exactly.
const Tolerance = 0.01

// Agrees reports whether entry is right for the answer want (see
// Tolerance). An answer within a billionth of a whole number (3·⅓ added up
// in floating point) counts as that whole number.
func Agrees(entry, want float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) || math.IsNaN(entry) || math.IsInf(entry, 0) {
		return false
	}
	if n := math.Round(want); math.Abs(want-n) <= 1e-9*math.Max(1, math.Abs(want)) {
		return math.Abs(entry-n) <= 1e-9*math.Max(1, math.Abs(n))
	}
	return math.Abs(entry-want) <= Tolerance*math.Max(1, math.Abs(want))
}

// practiser is a model that can work a practice run: a walkthrough file.
type practiser interface {
	run(st *State, mode Mode, p *practiceRun) *Trace
}

// Practice works m through on st with a student's entries in the blank
// cells. In the trace it returns, every blank cell holds the entered
// number when there is one and is unknown (NaN) when there is not; with
// carry, an entered cell holds the right number instead, so that a wrong
// entry does not reach the steps after it. Every cell computed from an
// unknown cell is unknown, cell by cell (a matmul cell only if a cell its
// row or column reads is); a softmax spreads it to its whole line. Steps
// are undefined, and wait on undefined steps, only where the numbers
// have no value, as in Run: never because a cell is unknown.
//
// The walkthrough is worked through by the same ops as Run. Entries for
// cells that are not blanks, and blanks that name no computed cell of
// the trace, are ignored. The trace is not safe for concurrent use.
func Practice(m Model, st *State, mode Mode, blanks []CellRef, e Entries, carry bool) *PracticeTrace {
	pm, ok := m.(practiser)
	if !ok {
		panic("engine: " + m.Info().Slug + " is not a walkthrough file and cannot be practised")
	}
	p := &practiceRun{cells: map[string][]CellRef{}, grids: map[string]*grid{}, entries: e, carry: carry}
	for _, ref := range blanks {
		p.cells[ref.Matrix] = append(p.cells[ref.Matrix], ref)
	}
	tr := pm.run(st, mode, p)
	pt := &PracticeTrace{Trace: tr, run: p}
	for _, ref := range blanks {
		if g, k := p.cell(ref); g != nil && g.blank[k] && !g.listed[k] {
			g.listed[k] = true
			pt.blanks = append(pt.blanks, ref)
		}
	}
	for id, g := range p.grids {
		if g.explain != nil {
			pt.hide(tr.Matrix(id), g)
		}
	}
	return pt
}

// practiceRun is what a practice run adds to Trace.Add (see Trace.ready).
type practiceRun struct {
	cells   map[string][]CellRef // the blank cells, by matrix
	grids   map[string]*grid     // what practice knows of each matrix's cells
	entries Entries
	carry   bool
}

// grid is what practice knows of the cells of one matrix, row by row.
type grid struct {
	rows, cols int
	// blank: the cell is a blank; listed: PracticeTrace.blanks has it;
	// done: its entry is in; unknown: it is an empty blank, or computed
	// from an unknown cell.
	blank, listed, done, unknown []bool
	// expected holds each blank cell's number as its step computed it,
	// before its entry replaced it.
	expected []float64
	// explain is the matrix's own explanation, kept when practice hides
	// or leaves unknown some of its cells (see PracticeTrace.hide).
	explain func(r, c int) Explanation
}

// grid returns m's grid, made when a step first computes m.
func (p *practiceRun) grid(m *Matrix) *grid {
	if g := p.grids[m.ID]; g != nil {
		return g
	}
	r, c := m.Dims()
	n := r * c
	g := &grid{rows: r, cols: c, blank: make([]bool, n), listed: make([]bool, n), done: make([]bool, n),
		unknown: make([]bool, n), expected: make([]float64, n)}
	if m.from == "" { // a view shows another matrix's cells: never blank
		for _, ref := range p.cells[m.ID] {
			if ref.Row >= 0 && ref.Row < r && ref.Col >= 0 && ref.Col < c {
				g.blank[ref.Row*c+ref.Col] = true
			}
		}
	}
	p.grids[m.ID] = g
	return g
}

// cell returns the grid of ref's matrix and ref's index in it; nil when
// no step has computed the matrix or ref is outside it (the row of 1s
// under a folded bias).
func (p *practiceRun) cell(ref CellRef) (*grid, int) {
	g := p.grids[ref.Matrix]
	if g == nil || ref.Row < 0 || ref.Row >= g.rows || ref.Col < 0 || ref.Col >= g.cols {
		return nil, 0
	}
	return g, ref.Row*g.cols + ref.Col
}

func (p *practiceRun) isUnknown(ref CellRef) bool {
	g, k := p.cell(ref)
	return g != nil && g.unknown[k]
}

// fillCell puts the student's entry, or NaN, into one blank cell of m
// and keeps the number the step computed for it; a cell that is not blank
// or is filled already is left as it is. A step whose later cells are
// computed from its earlier ones (a scan) calls it (by Trace.readyCell)
// on each cell before computing from it.
func (p *practiceRun) fillCell(m *Matrix, r, c int) {
	g := p.grid(m)
	k := r*g.cols + c
	if !g.blank[k] || g.done[k] {
		return
	}
	g.done[k] = true
	v := m.Data.At(r, c)
	g.expected[k] = v
	e, entered := p.entries[CellRef{m.ID, r, c}]
	switch {
	case !entered:
		v = math.NaN()
		g.unknown[k] = true
	case !p.carry:
		v = e
	case v != v:
		g.unknown[k] = true // the right number is not known yet
	}
	m.Data.Set(r, c, v)
	if m.Before != nil {
		// A ReLU's number before clamping is the number itself now: the
		// page strikes nothing through, and the mask reads the entry.
		m.Before.Set(r, c, v)
	}
}

// fill fills in every blank cell of m, then marks unknown each cell
// that is not a number and is computed from an unknown cell.
func (p *practiceRun) fill(m *Matrix) {
	g := p.grid(m)
	for _, ref := range p.cells[m.ID] {
		if g, _ := p.cell(ref); g != nil && g.blank[ref.Row*g.cols+ref.Col] {
			p.fillCell(m, ref.Row, ref.Col)
		}
	}
	var open []int // not numbers, not known to be unknown
	for k := range g.unknown {
		if v := m.Data.At(k/g.cols, k%g.cols); !g.unknown[k] && (math.IsNaN(v) || math.IsInf(v, 0)) {
			open = append(open, k)
		}
	}
	// A cell may read earlier cells of its own matrix (a scan): repeat
	// until nothing changes.
	for changed := true; changed && len(open) > 0; {
		changed = false
		for i := 0; i < len(open); i++ {
			k := open[i]
			e, _ := m.Explain(k/g.cols, k%g.cols)
			for _, s := range e.Sources {
				if p.isUnknown(s) {
					g.unknown[k] = true
					open = slices.Delete(open, i, i+1)
					i--
					changed = true
					break
				}
			}
		}
	}
	if g.explain == nil && m.explain != nil && (slices.Contains(g.blank, true) || slices.Contains(g.unknown, true)) {
		g.explain = m.explain
	}
}

// defined reports whether every cell of m that is not a number is
// unknown: not a number only because it waits for the student.
func (p *practiceRun) defined(m *Matrix) bool {
	g := p.grid(m)
	for k, unknown := range g.unknown {
		if v := m.Data.At(k/g.cols, k%g.cols); (math.IsNaN(v) || math.IsInf(v, 0)) && !unknown {
			return false
		}
	}
	return true
}

// readyCell is ready for one cell: a step that computes later cells of a
// matrix from its earlier ones (a scan) calls it on each cell once the
// cell is computed and before computing from it.
func (t *Trace) readyCell(m *Matrix, r, c int) {
	if t.practice != nil {
		t.practice.fillCell(m, r, c)
	}
}

// PracticeTrace is a walkthrough worked through with a student's entries.
type PracticeTrace struct {
	// Trace is what the page shows. A blank cell holds its entry, or NaN
	// while it is empty, and explains nothing (an empty Explanation: its
	// hint comes from Check); a cell computed from an empty one is NaN,
	// and its formula ends in "= ?".
	*Trace
	run    *practiceRun
	blanks []CellRef
}

// hide makes m's blank cells explain nothing, and its unknown cells say
// "= ?" for their number; g.explain is the matrix's own.
func (pt *PracticeTrace) hide(m *Matrix, g *grid) {
	m.explain = func(r, c int) Explanation {
		k := r*g.cols + c
		if g.blank[k] {
			return Explanation{}
		}
		e := g.explain(r, c)
		if g.unknown[k] {
			e.Formula = e.Terms() + " = ?"
			e.terms = ""
		}
		return e
	}
}

// Blanks returns the blank cells of the trace, in step order.
func (pt *PracticeTrace) Blanks() []CellRef { return pt.blanks }

// Expected returns the number blank cell ref should hold, computed from
// the numbers before it as they stand: the student's entries upstream,
// and for an entered cell the number before its own entry replaced it.
// ok is false when the number cannot be known yet, because a cell it is
// computed from is empty or computed from an empty one ("fill in … first"),
// when its step is undefined, and when ref is not a blank cell.
func (pt *PracticeTrace) Expected(ref CellRef) (v float64, ok bool) {
	g, k := pt.run.cell(ref)
	if g == nil || !g.blank[k] {
		return 0, false
	}
	v = g.expected[k]
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

// Verdict is what Check says of an entry.
type Verdict struct {
	// Right: the entry agrees with the answer (see Agrees).
	Right bool
	// Unknown: the entry cannot be checked yet (see Expected).
	Unknown bool
	// A hint for a wrong entry, never its answer. Row and Col are the row
	// and the column that make the cell when there are such (a product's
	// row of its left factor and column of its top one; in other steps,
	// the row or column that holds all the cells one matrix gives it),
	// nil when there are none.
	Row, Col *Line
	// Sources are the cells the cell is computed from, to highlight.
	Sources []CellRef
	// Sum is "show the sum": the cell's formula with the numbers as they
	// stand and without its result, "2·1 + (−1)·3 + 1" (see
	// Explanation.Terms).
	Sum string
}

// Line is a row or a column of a matrix, as a hint names it.
type Line struct {
	// Key is the message key of its text, "practice.row" or
	// "practice.column", in which {n} stands for N and {name} for Name.
	Key string
	// Matrix is the matrix's id, Name its name as the page prints it.
	Matrix, Name string
	// N is the row's or column's number, counted from 1.
	N int
}

// Text writes the line in lang ("en", "zh"): "row 2 of W₁ | b₁".
func (l *Line) Text(lang string) string {
	s, ok := LookupText(lang, l.Key)
	if !ok {
		s, _ = LookupText("en", l.Key)
	}
	return strings.NewReplacer("{n}", strconv.Itoa(l.N), "{name}", l.Name).Replace(s)
}

func init() {
	setText("practice.row", Text{"en": "row {n} of {name}", "zh": "{name} 的第 {n} 行"})
	setText("practice.column", Text{"en": "column {n} of {name}", "zh": "{name} 的第 {n} 列"})
}

// Check checks an entry v for blank cell ref: right, not checkable yet
// (as is a cell that is not a blank), or wrong with a hint that names
// what makes the cell and never its answer.
func (pt *PracticeTrace) Check(ref CellRef, v float64) Verdict {
	want, ok := pt.Expected(ref)
	if !ok {
		return Verdict{Unknown: true}
	}
	if Agrees(v, want) {
		return Verdict{Right: true}
	}
	g, _ := pt.run.cell(ref)
	e := g.explain(ref.Row, ref.Col)
	row, col := pt.lines(ref, e.Sources)
	return Verdict{Row: row, Col: col, Sources: e.Sources, Sum: e.Terms()}
}

// lines returns the row and the column that make cell ref: in a product,
// the row of its left factor and the column of its top factor; elsewhere,
// of the matrices it reads, the first whose cells it reads lie in one row,
// and the first whose cells lie in one column (two cells at least).
func (pt *PracticeTrace) lines(ref CellRef, sources []CellRef) (row, col *Line) {
	line := func(key, id string, n int) *Line {
		name := id
		if m := pt.Matrix(id); m != nil {
			name = m.Name
		}
		return &Line{Key: key, Matrix: id, Name: name, N: n + 1}
	}
	if s := pt.Step(pt.producer[ref.Matrix]); s != nil && s.Layout == Product && len(s.Matrices) == 3 && s.Matrices[2].ID == ref.Matrix {
		return line("practice.row", s.Matrices[0].ID, ref.Row), line("practice.column", s.Matrices[1].ID, ref.Col)
	}
	var order []string
	byMatrix := map[string][]CellRef{}
	for _, s := range sources {
		if byMatrix[s.Matrix] == nil {
			order = append(order, s.Matrix)
		}
		byMatrix[s.Matrix] = append(byMatrix[s.Matrix], s)
	}
	for _, id := range order {
		cells := byMatrix[id]
		if len(cells) < 2 {
			continue
		}
		sameRow, sameCol := true, true
		for _, c := range cells[1:] {
			sameRow = sameRow && c.Row == cells[0].Row
			sameCol = sameCol && c.Col == cells[0].Col
		}
		if sameRow && row == nil {
			row = line("practice.row", id, cells[0].Row)
		}
		if sameCol && col == nil {
			col = line("practice.column", id, cells[0].Col)
		}
	}
	return row, col
}

// Tally counts the blank cells of one step, or of the whole walkthrough.
type Tally struct {
	Step string // the step's id; "" for the whole walkthrough
	// Blanks is how many cells there are to fill in, of which Right are
	// entered and right, Wrong entered and wrong, Revealed revealed (and
	// still right: a revealed cell that later steps' inputs have made
	// wrong counts as wrong), and Waiting entered but not checkable yet.
	Blanks, Right, Wrong, Revealed, Waiting int
}

// Left is how many cells are still empty.
func (t Tally) Left() int { return t.Blanks - t.Right - t.Wrong - t.Revealed - t.Waiting }

// Progress counts the blank cells of each step that has any, in step
// order, and of the whole walkthrough. revealed holds the cells the
// student revealed: the page enters their expected number and marks them.
func (pt *PracticeTrace) Progress(revealed map[CellRef]bool) (steps []Tally, total Tally) {
	at := map[string]int{}
	for _, ref := range pt.blanks {
		id := pt.producer[ref.Matrix]
		k, ok := at[id]
		if !ok {
			k = len(steps)
			at[id] = k
			steps = append(steps, Tally{Step: id})
		}
		t := &steps[k]
		t.Blanks++
		v, entered := pt.run.entries[ref]
		if !entered {
			continue
		}
		switch ver := pt.Check(ref, v); {
		case ver.Unknown:
			t.Waiting++
		case !ver.Right:
			t.Wrong++
		case revealed[ref]:
			t.Revealed++
		default:
			t.Right++
		}
	}
	for _, t := range steps {
		total.Blanks += t.Blanks
		total.Right += t.Right
		total.Wrong += t.Wrong
		total.Revealed += t.Revealed
		total.Waiting += t.Waiting
	}
	return steps, total
}

// Worked returns the steps of a practice run whose worked example may be
// shown, by id: those Trace.Worked returns, less every step with blank
// cells (its worked example would give their answers away) and every step
// that reads or shows a blank whose entry is not right yet (with carry,
// such a blank holds its right number, which the worked example quotes).
func (pt *PracticeTrace) Worked(def *Trace) map[string]bool {
	out := pt.Trace.Worked(def)
	if len(out) == 0 {
		return out
	}
	open := map[string]bool{} // matrices holding a blank not entered right
	for _, ref := range pt.blanks {
		delete(out, pt.producer[ref.Matrix])
		e, entered := pt.run.entries[ref]
		if want, ok := pt.Expected(ref); !entered || !ok || !Agrees(e, want) {
			open[ref.Matrix] = true
		}
	}
	for id := range out {
		s := pt.Step(id)
		for _, r := range s.Reads {
			if open[r] {
				delete(out, id)
			}
		}
		for _, m := range s.Matrices {
			if open[m.ID] || open[m.from] {
				delete(out, id)
			}
		}
	}
	return out
}
