package ui

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/byhand/byhand/engine"
)

// The views are plain values made from a trace: what a step card draws,
// already formatted. Components compare them to know what to redraw, so
// they hold no functions and no pointers into the engine.

// CellView is one cell as drawn.
type CellView struct {
	Text   string // engine.Format of the value; "" when it is not a number (then the cell has no data-v)
	Struck string // for a ReLU output, the negative it crossed out
	// Full and StruckFull are the same numbers in full (engine.FormatCell),
	// for the cell's tooltip and accessible name; "" when that is what Text
	// and Struck already say.
	Full, StruckFull string
	// Flash alternates between 1 and 2 each time an edit changes the
	// cell, restarting its highlight; 0 when the last edit left it alone.
	Flash uint8
	// Refresh: the last edit changed the number in full but not as shown
	// (0.8321 to 0.8324): it is patched, tooltip and name, without a flash.
	Refresh bool
	// Practice mode. Blank: the student fills the cell in; its answer is
	// nowhere in the view (Text, Full and Struck are empty). Entry is what
	// they entered, as typed numbers read back; Status is "right",
	// "wrong", "revealed", "waiting" (entered, not checkable yet) or ""
	// (empty). Unknown: a cell computed from an empty blank, not known yet.
	Blank         bool
	Entry, Status string
	Unknown       bool
	// Carried: with "carry the right values", a later step shows a blank
	// entered wrong with its right number, the one it computes from.
	Carried bool
}

// PictureView is a matrix drawn as grey-scale images.
type PictureView struct {
	Height, Width int
	Images        [][]uint8 // grey levels, row by row, one slice per image
	// Changed: the last edit changed some grey level (it is patched into
	// the page like the numbers).
	Changed bool
}

// MatrixView is one matrix as a step draws it.
type MatrixView struct {
	ID, Name             string
	Role, Hue            string
	Trainable, Frozen    bool
	BiasColumn           bool
	Editable             bool // an exercise variable: its cells are inputs
	Noise                bool // noise: a slider under every cell
	Rows, Cols           int
	Cells                [][]CellView
	RowLabels, ColLabels []string
	Picture              *PictureView
}

// StepView is one step as drawn.
type StepView struct {
	Index    int // 0-based position in the walkthrough
	ID       string
	Title    string // message keys
	Text     string
	Note     string
	Worked   string // "" unless true of the numbers shown (Session.recomputeAfter)
	Formula  string // MathML content
	Product  bool
	FoldBias bool
	Matrices []MatrixView
	Ops      []string
	// Undefined is a message key; WaitsOn the 1-based number of the step
	// this one waits on (0: none).
	Undefined string
	WaitsOn   int
	// Shape sums up everything but the numbers: which matrices, of what
	// size, whether the step is undefined or waiting. Cards redraw when it
	// changes; otherwise only numbers (strikes and grey levels included)
	// changed, and are patched. In practice mode it holds the numbers too:
	// nothing is patched, every change redraws its card.
	Shape string
	// Tally counts the step's blanks in practice mode (Blanks 0: none).
	Tally engine.Tally

	// stale: the numbers of Matrices are those of an earlier trace (a step
	// out of sight, brought up to date when drawn or when the page is
	// idle: Session.View, Session.Refresh). unsent: built since the last
	// patch, so its changed cells are still to be written into the page.
	stale, unsent bool
}

// viewHeader is a step view without its matrices: what changes with the
// numbers only through whether the step is defined and whether its worked
// example is true of them.
func viewHeader(t *engine.Trace, i int, s *engine.Step, worked bool) StepView {
	v := StepView{Index: i, ID: s.ID, Title: s.Title, Text: s.Text, Note: s.Note, Formula: s.Formula,
		Product: s.Layout == engine.Product, FoldBias: s.FoldBias, Ops: s.Ops, Undefined: s.Undefined}
	if worked {
		v.Worked = s.Worked
	}
	if s.WaitsOn != "" {
		for k, o := range t.Steps {
			if o.ID == s.WaitsOn {
				v.WaitsOn = k + 1
			}
		}
	}
	return v
}

// staleView is step i of trace t drawn with the numbers of its previous
// view prev: its header is current, its cells wait for Session.View. It
// reports false when prev does not hold the same matrices (then the view
// is built at once).
func staleView(t *engine.Trace, i int, s *engine.Step, prev *StepView, worked bool) (StepView, bool) {
	if prev == nil || prev.Index != i || len(prev.Matrices) != len(s.Matrices) {
		return StepView{}, false
	}
	for k, m := range s.Matrices {
		r, c := m.Dims()
		if o := &prev.Matrices[k]; o.ID != m.ID || o.Rows != r || o.Cols != c || (o.Picture == nil) != (m.Picture == nil) {
			return StepView{}, false
		}
	}
	v := viewHeader(t, i, s, worked)
	v.Matrices = prev.Matrices
	v.unflash()
	v.Shape = shape(&v)
	v.stale = true
	return v, true
}

func viewStep(t *engine.Trace, i int, s *engine.Step, editable map[string]bool, prev *StepView, flip uint8, worked bool) StepView {
	v := viewHeader(t, i, s, worked)
	v.unsent = true
	v.Matrices = make([]MatrixView, len(s.Matrices))
	for k, m := range s.Matrices {
		var old *MatrixView
		if prev != nil && k < len(prev.Matrices) && prev.Matrices[k].ID == m.ID {
			old = &prev.Matrices[k]
		}
		v.Matrices[k] = viewMatrix(m, editable[m.ID], old, flip)
	}
	v.Shape = shape(&v)
	return v
}

// shape writes a step view's signature: everything a redraw depends on
// except numbers, strikes and grey levels, which are patched (a worked
// example coming or going redraws the card).
func shape(v *StepView) string {
	var b strings.Builder
	b.WriteString(v.ID + "|" + v.Undefined + "|" + strconv.Itoa(v.WaitsOn) + "|" + v.Worked)
	for i := range v.Matrices {
		m := &v.Matrices[i]
		b.WriteString("|" + m.ID + ":" + strconv.Itoa(m.Rows) + "x" + strconv.Itoa(m.Cols))
		if m.Picture != nil {
			b.WriteString(":p" + strconv.Itoa(len(m.Picture.Images)))
		}
	}
	return b.String()
}

func viewMatrix(m *engine.Matrix, editable bool, old *MatrixView, flip uint8) MatrixView {
	rows, cols := m.Dims()
	v := MatrixView{ID: m.ID, Name: m.Name, Role: m.Role.String(), Hue: m.Hue.String(),
		Trainable: m.Trainable, Frozen: m.Frozen, BiasColumn: m.BiasColumn,
		Editable: editable, Noise: editable && m.Role == engine.RoleNoise,
		Rows: rows, Cols: cols, RowLabels: m.RowLabels, ColLabels: m.ColLabels}
	v.Cells = make([][]CellView, rows)
	for i := range v.Cells {
		v.Cells[i] = make([]CellView, cols)
		for j := range v.Cells[i] {
			x := m.At(i, j)
			var c CellView
			c.Text, c.Full = engine.FormatCell(x)
			if m.Before != nil && m.Before.At(i, j) != x {
				c.Struck, c.StruckFull = engine.FormatCell(m.Before.At(i, j))
			}
			if old != nil && old.Rows == rows && old.Cols == cols {
				if o := old.Cells[i][j]; o.Text != c.Text || o.Struck != c.Struck {
					c.Flash = flip
				} else if o.Full != c.Full || o.StruckFull != c.StruckFull {
					c.Refresh = true
				}
			}
			v.Cells[i][j] = c
		}
	}
	if m.Picture != nil {
		v.Picture = viewPicture(m)
		if old != nil && old.Picture != nil && !samePixels(old.Picture, v.Picture) {
			v.Picture.Changed = true
		}
	}
	return v
}

func samePixels(a, b *PictureView) bool {
	if a.Height != b.Height || a.Width != b.Width || len(a.Images) != len(b.Images) {
		return false
	}
	for k := range a.Images {
		if string(a.Images[k]) != string(b.Images[k]) {
			return false
		}
	}
	return true
}

// viewPicture turns a matrix into grey levels as its Picture says.
func viewPicture(m *engine.Matrix) *PictureView {
	p := m.Picture
	rows, cols := m.Dims()
	lo, hi := p.Lo, p.Hi
	if lo == hi {
		lo, hi = math.Inf(1), math.Inf(-1)
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				if x := m.At(i, j); !math.IsNaN(x) && !math.IsInf(x, 0) {
					lo, hi = math.Min(lo, x), math.Max(hi, x)
				}
			}
		}
		if !(hi > lo) {
			lo, hi = lo-1, lo+1
		}
	}
	grey := func(x float64) uint8 {
		if math.IsNaN(x) {
			return 0
		}
		f := (x - lo) / (hi - lo)
		f = math.Max(0, math.Min(1, f))
		return uint8(math.Round(f * 255))
	}
	pv := &PictureView{Height: p.Height, Width: p.Width}
	if p.PerColumn {
		for j := 0; j < cols; j++ {
			img := make([]uint8, 0, p.Height*p.Width)
			for i := 0; i < rows && i < p.Height*p.Width; i++ {
				img = append(img, grey(m.At(i, j)))
			}
			pv.Images = append(pv.Images, img)
		}
		return pv
	}
	for r0 := 0; r0+p.Height <= rows; r0 += p.Height {
		for c0 := 0; c0+p.Width <= cols; c0 += p.Width {
			img := make([]uint8, 0, p.Height*p.Width)
			for i := 0; i < p.Height; i++ {
				for j := 0; j < p.Width; j++ {
					img = append(img, grey(m.At(r0+i, c0+j)))
				}
			}
			pv.Images = append(pv.Images, img)
		}
	}
	return pv
}

// practiceView marks the blanks of step view v as the practice trace has
// them: each blank's entry and whether it is right, and the cells not
// known yet. A blank's answer is never written into the view.
func (s *Session) practiceView(v *StepView) {
	blanks := s.blanks
	pr := s.Page.Practice
	// A blank is filled in where its step computes it; a later step that
	// reads it shows the entry (never the trace's number, which with carry
	// is the answer), or that it is not known yet.
	var produces []string
	if st := s.Trace.Step(v.ID); st != nil {
		produces = st.Produces
	}
	var b strings.Builder
	b.WriteString(v.Shape + "|practice")
	for k := range v.Matrices {
		m := &v.Matrices[k]
		hidden := false
		for i, row := range m.Cells {
			for j := range row {
				c := &row[j]
				ref := engine.CellRef{Matrix: m.ID, Row: i, Col: j}
				if src, ok := s.viewed(ref, blanks); ok {
					// A view (a transpose) shows the blank's cell itself,
					// as a later step does.
					*c, hidden = s.shownBlank(src, *c), true
				} else if _, blank := blanks[ref]; blank && !slices.Contains(produces, m.ID) {
					*c, hidden = s.shownBlank(ref, *c), true
				} else if blank {
					*c, hidden = CellView{Blank: true}, true
					if e, ok := pr.Entries[ref]; ok {
						c.Entry = engine.Format(e)
						switch ver := s.Practice.Check(ref, e); {
						case ver.Unknown:
							c.Status = "waiting"
						case !ver.Right:
							c.Status = "wrong"
						case pr.Revealed[ref]:
							c.Status = "revealed"
						default:
							c.Status = "right"
						}
					}
				} else if c.Text == "" && !m.Editable && s.unknown(ref) {
					*c, hidden = CellView{Unknown: true}, true
				}
				c.Flash, c.Refresh = 0, false
				b.WriteString("|" + c.Text + "/" + c.Struck + "/" + c.Entry + "/" + c.Status)
				if c.Carried {
					b.WriteString("c")
				}
				if c.Unknown {
					b.WriteString("?")
				}
			}
		}
		if hidden {
			// Its picture would show a blank's answer in grey.
			m.Picture = nil
		}
	}
	v.Tally = s.Tallies[v.ID]
	b.WriteString("|" + strconv.Itoa(v.Tally.Blanks))
	v.Shape = b.String()
}

// shownBlank is how a step after the one that computes it shows blank
// ref, whose number in the practice trace the view drew as computed: not
// known while it is empty; else the entry, which is what the steps after
// it compute from; with carry, the right number, which they compute from
// then (it differs from the entry only where the entry is wrong, and says
// so). An empty blank's answer is never shown.
func (s *Session) shownBlank(ref engine.CellRef, computed CellView) CellView {
	e, ok := s.Page.Practice.Entries[ref]
	switch {
	case !ok:
		return CellView{Unknown: true}
	case !s.Page.Practice.Carry:
		return CellView{Text: engine.Format(e)}
	case computed.Text == "":
		return CellView{Unknown: true} // the right number is not known yet
	}
	ver := s.Practice.Check(ref, e)
	return CellView{Text: computed.Text, Full: computed.Full, Carried: !ver.Right && !ver.Unknown}
}

// viewed returns the blank cell that cell ref of a view (a transpose a
// later step shows) is, if it is one of blanks.
func (s *Session) viewed(ref engine.CellRef, blanks map[engine.CellRef]int) (engine.CellRef, bool) {
	m := s.Trace.Matrix(ref.Matrix)
	if m == nil || m.ViewOf() == "" {
		return engine.CellRef{}, false
	}
	e, ok := m.Explain(ref.Row, ref.Col)
	if !ok || len(e.Sources) != 1 {
		return engine.CellRef{}, false
	}
	_, blank := blanks[e.Sources[0]]
	return e.Sources[0], blank
}

// unknown reports whether a computed cell is not known yet in practice
// mode: not a number because a blank it is computed from is empty.
func (s *Session) unknown(ref engine.CellRef) bool {
	m := s.Trace.Matrix(ref.Matrix)
	if m == nil {
		return false
	}
	x := m.At(ref.Row, ref.Col)
	return x != x
}

// unflash marks every cell of a kept view as unchanged by the last edit.
func (v *StepView) unflash() {
	for k := range v.Matrices {
		m := &v.Matrices[k]
		for _, row := range m.Cells {
			for j := range row {
				row[j].Flash, row[j].Refresh = 0, false
			}
		}
		if m.Picture != nil && m.Picture.Changed {
			p := *m.Picture
			p.Changed = false
			m.Picture = &p
		}
	}
}
