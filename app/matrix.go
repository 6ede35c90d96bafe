package ui

import (
	"strconv"

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
	return app.Div().Class(class).DataSet("matrix", m.ID).Body(
		app.Div().Class("mname").Body(
			app.Span().Class("mtitle").Text(m.Name),
			app.Span().Class("mrole").Text(i18n.T(look.lang, "role."+m.Role)),
			app.If(frame != "", func() app.UI { return app.Span().Class("mframe").Text(frame) }),
		),
		matrixTable(m, look),
		extra,
	)
}

// matrixTable draws the cells. Inputs and parameters are text inputs;
// computed cells take keyboard focus so they can explain themselves.
func matrixTable(m *MatrixView, look matrixLook) app.UI {
	rowLabels := look.rowLabels && len(m.RowLabels) == m.Rows
	var head app.UI
	if look.labels && len(m.ColLabels) == m.Cols {
		ths := make([]app.UI, 0, m.Cols+1)
		if rowLabels {
			ths = append(ths, app.Th())
		}
		for _, l := range m.ColLabels {
			ths = append(ths, app.Th().Class("clabel").Text(l))
		}
		head = app.THead().Body(app.Tr().Body(ths...))
	}
	rows := make([]app.UI, 0, m.Rows+1)
	for i := 0; i < m.Rows; i++ {
		tds := make([]app.UI, 0, m.Cols+1)
		if rowLabels {
			tds = append(tds, app.Th().Class("rlabel").Text(m.RowLabels[i]))
		}
		for j := 0; j < m.Cols; j++ {
			tds = append(tds, cell(m, i, j, look))
		}
		rows = append(rows, app.Tr().Body(tds...))
	}
	if look.ones {
		tds := make([]app.UI, 0, m.Cols+1)
		if rowLabels {
			tds = append(tds, app.Th())
		}
		for j := 0; j < m.Cols; j++ {
			class := "cell ones"
			if look.sources[cellKey{m.ID, m.Rows, j}] {
				class += " source"
			}
			tds = append(tds, app.Td().Class(class).Title(i18n.T(look.lang, "ones.title")).Text("1"))
		}
		rows = append(rows, app.Tr().Class("ones-row").Body(tds...))
	}
	return app.Table().Class("cells").Body(head, app.TBody().Body(rows...))
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
		DataSet("m", m.ID).DataSet("r", i).DataSet("c", j).DataSet("v", c.Text)
	if m.Editable {
		in := app.Input().Type("text").Class("cell-input")
		if look.readOnly {
			in = in.ReadOnly(true)
		}
		msg, bad := look.errors[k]
		if bad {
			class += " bad"
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
	// of numbers, strikes included, is patched without a redraw.
	text := c.Text
	if text == "" {
		class += " undef"
		text = "—"
	}
	if c.Struck != "" {
		class += " struck"
	}
	return td.Class(class).TabIndex(0).Body(app.S().Text(c.Struck), app.Span().Class("after").Text(text))
}

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
