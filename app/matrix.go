package ui

import (
	"strconv"
	"strings"

	"github.com/byhand/byhand/app/i18n"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// This file draws matrices: one function for every matrix of every model.

// cellKey names a cell, for highlighting and errors.
type cellKey struct {
	M    string
	R, C int
}

// matrixLook is what the step card tells the drawing about the moment:
// the hovered cell, its sources, the cell being edited and its error.
type matrixLook struct {
	step    string // the step's id: cells get ids "c/step/matrix/row/col"
	lang    i18n.Lang
	hovered cellKey
	sources map[cellKey]bool
	errors  map[cellKey]string
	// ones: draw a row of 1s under the matrix (the input of a folded bias).
	ones bool
	// labels: draw the column labels above the cells; rowLabels: draw the
	// row labels to their left.
	labels, rowLabels bool
	// readOnly: inputs cannot be typed into (an embed's option).
	readOnly bool
	// print: a worksheet: blanks are empty boxes.
	print bool
}

// matrixBlock draws a matrix with its name, role and frame.
func matrixBlock(m *MatrixView, look matrixLook, extra app.UI) app.UI {
	class := "matrix hue-" + m.Hue + " role-" + m.Role
	frame := ""
	if m.Trainable {
		class += " trainable"
		frame = i18n.T(look.lang, "frame.trainable")
	} else if m.Frozen {
		class += " frozen"
		frame = i18n.T(look.lang, "frame.frozen")
	}
	caption := m.Name + i18n.T(look.lang, "table.sep") + i18n.T(look.lang, "role."+m.Role)
	if frame != "" {
		caption += i18n.T(look.lang, "table.sep") + frame
	}
	return app.Div().Class(class).DataSet("matrix", m.ID).Body(
		// What the name line shows, the table's caption says to screen
		// readers: they read it once, as the table's name.
		app.Div().Class("mname").Aria("hidden", "true").Body(
			app.Span().Class("mtitle").Text(m.Name),
			app.Span().Class("mrole").Text(i18n.T(look.lang, "role."+m.Role)),
			app.If(frame != "", func() app.UI { return app.Span().Class("mframe").Text(frame) }),
		),
		matrixTable(m, look, caption),
		extra,
	)
}

// matrixTable draws the cells as a data table: a caption (the matrix's
// name, role and frame), a header for every column and every row (its
// label, else its number), and the cells. Headers the layout does not
// show (a product shows row labels on its left factor only and column
// labels on its top factor only, so that the result lines up with both)
// are there for screen readers and take no room (class sr-h).
//
// The keyboard: each matrix is one Tab stop (a roving tabindex: the cell
// last visited in it has tabindex 0, every other -1; byhandGridKeys in
// web/byhand.js moves it). In a matrix of computed cells the arrow keys
// move between cells, Home and End to the ends of the row, Ctrl+Home and
// Ctrl+End to the first and last cell. In a matrix of inputs ↑ and ↓ step
// the number (StepCard.onKey) and ← → move the caret, so there
// Alt+arrows move between cells (Alt+arrows work in every matrix).
// Inputs and parameters are text inputs; computed cells take the focus
// so they can explain themselves.
func matrixTable(m *MatrixView, look matrixLook, caption string) app.UI {
	rowLabels := len(m.RowLabels) == m.Rows
	showRows := look.rowLabels && rowLabels
	colLabels := len(m.ColLabels) == m.Cols
	showCols := look.labels && colLabels
	rowHead := func(label string) app.UI {
		if showRows {
			return app.Th().Class("rlabel").Scope("row").Text(label)
		}
		return app.Th().Class("sr-h").Scope("row").Text(label)
	}

	ths := make([]app.UI, 0, m.Cols+1)
	corner := app.Td()
	if !showRows || !showCols {
		corner = corner.Class("sr-h")
	}
	ths = append(ths, corner)
	for j := 0; j < m.Cols; j++ {
		l := strconv.Itoa(j + 1)
		if colLabels {
			l = m.ColLabels[j]
		}
		if showCols {
			ths = append(ths, app.Th().Class("clabel").Scope("col").Text(l))
		} else {
			ths = append(ths, app.Th().Class("sr-h").Scope("col").Text(l))
		}
	}
	head := app.THead()
	if !showCols {
		head = head.Class("sr-h")
	}

	rows := make([]app.UI, 0, m.Rows+1)
	for i := 0; i < m.Rows; i++ {
		tds := make([]app.UI, 0, m.Cols+1)
		l := strconv.Itoa(i + 1)
		if rowLabels {
			l = m.RowLabels[i]
		}
		tds = append(tds, rowHead(l))
		for j := 0; j < m.Cols; j++ {
			tds = append(tds, cell(m, i, j, look))
		}
		rows = append(rows, app.Tr().Body(tds...))
	}
	if look.ones {
		tds := make([]app.UI, 0, m.Cols+1)
		tds = append(tds, app.Th().Class("sr-h").Scope("row").Text(i18n.T(look.lang, "table.ones")))
		for j := 0; j < m.Cols; j++ {
			class := "cell ones"
			if look.sources[cellKey{m.ID, m.Rows, j}] {
				class += " source"
			}
			tds = append(tds, app.Td().Class(class).Title(i18n.T(look.lang, "ones.title")).Text("1"))
		}
		rows = append(rows, app.Tr().Class("ones-row").Body(tds...))
	}
	// The cells' names are patched in the page when numbers change
	// (byhandPatch): the table carries the words they are made of.
	return app.Table().Class("cells").
		DataSet("relu", i18n.T(look.lang, "cell.relu")).DataSet("undef", i18n.T(look.lang, "cell.undefined")).
		Body(
			app.Caption().Class("sr-only").Text(caption),
			head.Body(app.Tr().Body(ths...)),
			app.TBody().Body(rows...),
		)
}

// cellName is what a screen reader says for a computed cell, and its
// tooltip: the number in full, "−1, ReLU gives 0" for a ReLU that crossed
// a negative out, "undefined" for a number that is not finite.
func cellName(c CellView, lang i18n.Lang) string {
	if c.Text == "" {
		return i18n.T(lang, "cell.undefined")
	}
	full := orText(c.Full, c.Text)
	if c.Carried {
		return strings.ReplaceAll(i18n.T(lang, "practice.carried"), "{value}", full)
	}
	if c.Struck == "" {
		return full
	}
	return strings.NewReplacer("{before}", orText(c.StruckFull, c.Struck), "{after}", full).
		Replace(i18n.T(lang, "cell.relu"))
}

func orText(full, text string) string {
	if full != "" {
		return full
	}
	return text
}

// roving is a cell's tabindex: the first cell of each matrix is its Tab
// stop until the reader moves on (byhandGridKeys).
func roving(i, j int) int {
	if i == 0 && j == 0 {
		return 0
	}
	return -1
}

func cell(m *MatrixView, i, j int, look matrixLook) app.UI {
	c := m.Cells[i][j]
	k := cellKey{m.ID, i, j}
	class := "cell"
	if m.BiasColumn && j == m.Cols-1 {
		class += " bias"
	}
	if c.Flash != 0 {
		class += " flash" + strconv.Itoa(int(c.Flash))
	}
	if look.sources[k] {
		class += " source"
	}
	if look.hovered == k {
		class += " hovered"
	}
	td := app.Td().ID(cellID(look.step, m.ID, i, j)).
		DataSet("m", m.ID).DataSet("r", i).DataSet("c", j)
	if c.Blank {
		return blankCell(td, m, i, j, c, class, look)
	}
	if c.Unknown {
		// Not known until the blanks it is computed from are filled in.
		name := i18n.T(look.lang, "practice.unknown")
		return td.Class(class+" unknown").TabIndex(roving(i, j)).Aria("label", name).
			Body(app.S(), app.Span().Class("after").Title(name).Text("?"))
	}
	td = td.DataSet("v", c.Text)
	if m.Editable {
		in := app.Input().Type("text").Class("cell-input").TabIndex(roving(i, j))
		if look.readOnly {
			in = in.ReadOnly(true)
		}
		msg, bad := look.errors[k]
		if bad {
			class += " bad"
		}
		if c.Full != "" {
			// The input shows the number as every cell does; its tooltip,
			// its description and, on focus, the label above it say it in
			// full.
			td = td.DataSet("full", c.Full)
			in = in.Title(c.Full)
		}
		label := m.Name + " [" + strconv.Itoa(i+1) + "," + strconv.Itoa(j+1) + "]"
		return td.Class(class+" editable").Body(
			in.Attr("inputmode", "decimal").Attr("autocomplete", "off").Attr("spellcheck", "false").
				Attr("aria-label", label).Attr("aria-invalid", bad).
				DataSet("m", m.ID).DataSet("r", i).DataSet("c", j).
				Value(c.Text),
			app.If(bad, func() app.UI {
				return app.Span().Class("cell-error").Attr("role", "alert").Text(msg)
			}),
		)
	}
	// Every computed cell has the same two parts, a struck-out value
	// (empty unless ReLU crossed one out) and the value, so that a change
	// of numbers, strikes included, is patched without a redraw. Its name
	// (aria-label) is the number in full; so are its tooltip and the label
	// shown above it on keyboard focus (data-full), when that says more
	// than the cell.
	text := c.Text
	if text == "" {
		class += " undef"
		text = "—"
	}
	if c.Struck != "" {
		class += " struck"
	}
	if c.Carried {
		class += " carried"
	}
	// The tooltip is the value's own (a block filling the cell): on the
	// cell it would be read again after the name.
	name := cellName(c, look.lang)
	after := app.Span().Class("after").Text(text)
	if name != c.Text {
		td = td.DataSet("full", name)
		after = after.Title(name)
	}
	return td.Class(class).TabIndex(roving(i, j)).Aria("label", name).Body(app.S().Text(c.Struck), after)
}

// blankCell draws a cell the student fills in: an input holding their
// entry, marked right, wrong, revealed or waiting. Its answer is nowhere:
// no data-v, no title, no name but its place. On a worksheet (look.print)
// it is an empty box.
func blankCell(td app.HTMLTd, m *MatrixView, i, j int, c CellView, class string, look matrixLook) app.UI {
	class += " blank"
	if c.Status != "" {
		class += " " + c.Status
	}
	place := m.Name + " [" + strconv.Itoa(i+1) + "," + strconv.Itoa(j+1) + "]"
	if look.print {
		return td.Class(class).Aria("label", place+": "+i18n.T(look.lang, "practice.blank")).Body(app.Span().Class("box"))
	}
	label := place + ", " + i18n.T(look.lang, "practice.blank")
	if c.Status != "" {
		label += ", " + i18n.T(look.lang, "practice.status."+c.Status)
	}
	in := app.Input().Type("text").Class("cell-input practice-input").TabIndex(roving(i, j)).
		Attr("inputmode", "decimal").Attr("autocomplete", "off").Attr("spellcheck", "false").
		Attr("aria-label", label).Attr("aria-invalid", c.Status == "wrong").
		DataSet("m", m.ID).DataSet("r", i).DataSet("c", j).Value(c.Entry)
	if look.readOnly {
		in = in.ReadOnly(true)
	}
	msg, bad := look.errors[cellKey{m.ID, i, j}]
	if bad {
		class += " bad"
	}
	return td.Class(class).Body(
		in,
		app.Span().Class("mark").Aria("hidden", "true").Text(statusMark[c.Status]),
		app.If(bad, func() app.UI { return app.Span().Class("cell-error").Attr("role", "alert").Text(msg) }),
	)
}

// statusMark is the sign beside an entry: ✓ right, ✗ wrong, 👁 revealed.
var statusMark = map[string]string{"right": "✓", "wrong": "✗", "revealed": "◉", "waiting": "…"}

// pictures draws a matrix's grey-scale images, if it has any.
func pictures(m *MatrixView, lang i18n.Lang) app.UI {
	p := m.Picture
	if p == nil || len(p.Images) == 0 {
		return nil
	}
	imgs := make([]app.UI, len(p.Images))
	for k, img := range p.Images {
		px := make([]app.UI, len(img))
		for i, g := range img {
			s := strconv.Itoa(int(g))
			px[i] = app.Span().Style("background", "rgb("+s+","+s+","+s+")")
		}
		imgs[k] = app.Div().Class("picture").DataSet("pm", m.ID).DataSet("k", k).
			Style("grid-template-columns", "repeat("+strconv.Itoa(p.Width)+", 1fr)").
			Style("--px-w", strconv.Itoa(p.Width)).
			Style("aspect-ratio", strconv.Itoa(p.Width)+"/"+strconv.Itoa(p.Height)).
			Attr("role", "img").Attr("aria-label", m.Name+" "+strconv.Itoa(k+1)).
			Body(px...)
	}
	return app.Div().Class("pictures").Title(i18n.T(lang, "pictures.title")).Body(imgs...)
}

// cellID is a cell's element id. A matrix appears at most once in a step
// (the engine's tests check it), so the id is unique on the page.
func cellID(step, m string, r, c int) string {
	return "c/" + step + "/" + m + "/" + strconv.Itoa(r) + "/" + strconv.Itoa(c)
}
