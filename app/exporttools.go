package ui

import (
	"strconv"
	"strings"

	"github.com/byhand/byhand/app/i18n"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// StepExport is the export menu of a step card's header: a disclosure with
// "Save as SVG", "Save as PNG" and, for each of the step's matrices, "copy
// as CSV" and "copy as LaTeX". The texts are made when a button is pressed,
// from the session's views as they are then, so they match the numbers on
// the page even when these were patched in place without a redraw. The
// browser side (downloads, the PNG, the clipboard) is web/export.js.
type StepExport struct {
	app.Compo

	Index   int // the step's position in Session.Views
	Lang    i18n.Lang
	Session *Session

	status string // what the last action did, read out by screen readers
	manual string // text the clipboard refused: shown selected, to copy by hand
}

// view is the step, or nil when there is none at Index.
func (c *StepExport) view() *StepView {
	if c.Session == nil || c.Index < 0 || c.Index >= len(c.Session.Views) {
		return nil
	}
	return c.Session.View(c.Index)
}

func (c *StepExport) t(key string) string { return i18n.T(c.Lang, key) }

func (c *StepExport) Render() app.UI {
	v := c.view()
	items := []app.UI{
		app.Div().Class("export-row").Body(
			app.Button().Type("button").DataSet("export", "svg").Title(c.t("export.svg.title")).
				Text(c.t("export.svg")).OnClick(c.onSVG),
			app.Button().Type("button").DataSet("export", "png").Title(c.t("export.png.title")).
				Text(c.t("export.png")).OnClick(c.onPNG),
		),
	}
	if v != nil && v.WaitsOn == 0 {
		for k := range v.Matrices {
			m := &v.Matrices[k]
			csvLabel := strings.ReplaceAll(c.t("export.copy.csv"), "{name}", m.Name)
			texLabel := strings.ReplaceAll(c.t("export.copy.tex"), "{name}", m.Name)
			items = append(items, app.Div().Class("export-row").Body(
				app.Span().Class("export-name").Text(m.Name),
				app.Button().Type("button").DataSet("export", "csv").DataSet("export-m", m.ID).
					Attr("aria-label", csvLabel).Title(csvLabel).Text("CSV").
					OnClick(c.onCopy("csv", k), app.EventScope(m.ID+"/csv")),
				app.Button().Type("button").DataSet("export", "latex").DataSet("export-m", m.ID).
					Attr("aria-label", texLabel).Title(texLabel).Text("LaTeX").
					OnClick(c.onCopy("latex", k), app.EventScope(m.ID+"/latex")),
			))
		}
	}
	items = append(items, app.P().Class("export-status").Attr("role", "status").Attr("aria-live", "polite").Text(c.status))
	if c.manual != "" {
		items = append(items, app.Textarea().Class("export-manual").ReadOnly(true).
			Attr("aria-label", c.t("export.copy.text")).Rows(min(strings.Count(c.manual, "\n")+1, 8)).
			Text(c.manual))
	}
	return app.Details().Class("export").On("keydown", c.onKey).Body(
		app.Summary().Class("export-toggle").Title(c.t("export.title")).Text(c.t("export.label")),
		app.Div().Class("export-menu").Body(items...),
	)
}

// exportFilename names a step's file: <model>-step-<n>-<step id>.<ext>,
// with anything but letters, digits, dots and dashes made a dash.
func exportFilename(s *Session, index int, ext string) string {
	name := "byhand"
	if s != nil && s.Model != nil {
		name = s.Model.Info().Slug
	}
	name += "-step-" + strconv.Itoa(index+1)
	if s != nil && index >= 0 && index < len(s.Views) && s.Views[index].ID != "" {
		name += "-" + s.Views[index].ID
	}
	clean := []byte(name)
	for i, b := range clean {
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == '_') {
			clean[i] = '-'
		}
	}
	return string(clean) + "." + ext
}

// jsFunc reports whether web/export.js defined the function (a page served
// from an old cache might lack it).
func jsFunc(name string) bool {
	f := app.Window().Get(name)
	return f != nil && f.Truthy()
}

// darkTheme reports whether the page shows the dark theme, chosen or the
// system's.
func darkTheme() bool {
	return jsFunc("byhandIsDark") && app.Window().Call("byhandIsDark").Bool()
}

// svg draws the step as the page shows it now: language and theme.
func (c *StepExport) svg() (string, bool) {
	v := c.view()
	if v == nil {
		return "", false
	}
	return StepSVG(v, i18n.T(c.Lang, v.Title), c.Lang, darkTheme()), true
}

func (c *StepExport) saved(file string) string {
	return strings.ReplaceAll(c.t("export.saved"), "{file}", file)
}

func (c *StepExport) onSVG(ctx app.Context, e app.Event) {
	svg, ok := c.svg()
	c.manual = ""
	if !ok || !jsFunc("byhandDownload") {
		c.status = c.t("export.failed")
		return
	}
	file := exportFilename(c.Session, c.Index, "svg")
	if app.Window().Call("byhandDownload", file, "image/svg+xml", svg).Bool() {
		c.status = c.saved(file)
	} else {
		c.status = c.t("export.failed")
	}
}

func (c *StepExport) onPNG(ctx app.Context, e app.Event) {
	svg, ok := c.svg()
	c.manual = ""
	if !ok || !jsFunc("byhandDownloadPNG") {
		c.status = c.t("export.failed")
		return
	}
	file := exportFilename(c.Session, c.Index, "png")
	ctx.PreventUpdate() // the status comes when the picture is made
	await(ctx, app.Window().Call("byhandDownloadPNG", file, svg, 2), func(ctx app.Context, ok bool) {
		if ok {
			c.status = c.saved(file)
		} else {
			c.status = c.t("export.failed")
		}
	})
}

// onCopy copies matrix k of the step as CSV or LaTeX. When the browser
// refuses, the text is shown selected for the reader to copy.
func (c *StepExport) onCopy(kind string, k int) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		v := c.view()
		if v == nil || k >= len(v.Matrices) {
			return
		}
		m := &v.Matrices[k]
		text, done := MatrixCSV(m), "export.copied.csv"
		if kind == "latex" {
			text, done = MatrixLaTeX(m), "export.copied.tex"
		}
		copied := strings.ReplaceAll(c.t(done), "{name}", m.Name)
		if !jsFunc("byhandCopy") {
			c.copyFailed(ctx, text)
			return
		}
		ctx.PreventUpdate()
		await(ctx, app.Window().Call("byhandCopy", text), func(ctx app.Context, ok bool) {
			if ok {
				c.status, c.manual = copied, ""
				return
			}
			c.copyFailed(ctx, text)
		})
	}
}

// copyFailed shows the text selected in a box under the buttons.
func (c *StepExport) copyFailed(ctx app.Context, text string) {
	c.status, c.manual = c.t("export.copy.failed"), text
	ctx.Defer(func(app.Context) {
		root := c.JSValue()
		if root == nil || !root.Truthy() {
			return
		}
		if ta := root.Call("querySelector", "textarea"); ta.Truthy() {
			ta.Set("value", text)
			ta.Call("focus")
			ta.Call("select")
		}
	})
}

// onKey: Escape closes the menu and gives the focus back to its toggle.
func (c *StepExport) onKey(ctx app.Context, e app.Event) {
	ctx.PreventUpdate()
	if e.Get("key").String() != "Escape" {
		return
	}
	root := c.JSValue()
	if root == nil || !root.Truthy() || !root.Get("open").Bool() {
		return
	}
	e.PreventDefault()
	root.Set("open", false)
	if s := root.Call("querySelector", "summary"); s.Truthy() {
		s.Call("focus")
	}
}

// await calls done on the UI goroutine with what a JavaScript promise of a
// boolean resolved to (false when it rejects, or when p is no promise).
func await(ctx app.Context, p app.Value, done func(app.Context, bool)) {
	if p == nil || !p.Truthy() || !p.Get("then").Truthy() {
		ctx.Dispatch(func(ctx app.Context) { done(ctx, false) })
		return
	}
	var onOK, onErr app.Func
	settle := func(ok bool) {
		onOK.Release()
		onErr.Release()
		ctx.Dispatch(func(ctx app.Context) { done(ctx, ok) })
	}
	onOK = app.FuncOf(func(this app.Value, args []app.Value) any {
		settle(len(args) > 0 && args[0].Truthy())
		return nil
	})
	onErr = app.FuncOf(func(this app.Value, args []app.Value) any {
		settle(false)
		return nil
	})
	p.Call("then", onOK, onErr)
}
