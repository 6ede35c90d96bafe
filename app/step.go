package ui

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// StepCard draws one step of a walkthrough. Its fields are plain values:
// go-app redraws a card only when its step's shape (which matrices, which
// cells are struck out or undefined, its pictures), the language or the
// focus changed. When only numbers change, patchNumbers writes the changed
// cells straight into the page, which is far cheaper than a redraw; a
// redraw reads the numbers from the session, so both agree. Hovering,
// focus and typing are handled once for the whole card (events bubble up
// to it), not cell by cell.
type StepCard struct {
	app.Compo

	Index   int    // the step's position in Session.Views
	Shape   string // StepView.Shape: changes force a redraw
	Lang    i18n.Lang
	Mode    engine.Mode
	Current bool
	// ReadOnly: the numbers cannot be edited from this page (an embed's
	// option); the cells still explain themselves.
	ReadOnly bool
	// Session is shared by every card of a page; the pointer never
	// changes, so it never causes a redraw.
	Session *Session

	hovered cellKey
	explain string
	sources map[cellKey]bool
	errors  map[cellKey]string
	active  cellKey // the input with focus: its slider is shown
	lo, hi  float64 // the slider's range, fixed when the input took focus

	// Practice: the blank whose hint is shown, and whether its sum is.
	practiced cellKey
	showSum   bool

	// A horizontal drag on an input scrubs its value.
	drag      cellKey
	dragX     float64
	dragFrom  float64
	dragMoved bool
}

// OnUpdate drops a hover explanation that refers to numbers that changed,
// highlights the sources of the hint as its entry now stands (undone, it
// highlights nothing), and in practice mode writes each blank's entry
// into its input once the card is redrawn.
func (c *StepCard) OnUpdate(ctx app.Context) {
	if c.hovered.M != "" {
		c.setHover(c.hovered)
	} else if c.practiced.M != "" {
		c.highlightHint()
	}
	if c.Session != nil && c.Session.Practising() {
		ctx.Defer(func(app.Context) { c.syncEntries() })
	}
}

// syncEntries writes each blank's entry, or nothing, into its input:
// go-app drops an empty value attribute rather than clearing the box, so
// a blank whose entry went away (undo, New numbers) kept showing it. An
// input being typed into keeps its text (web/byhand.js).
func (c *StepCard) syncEntries() {
	root := c.JSValue()
	if root == nil || !root.Truthy() {
		return
	}
	ins := root.Call("querySelectorAll", "input.practice-input")
	for i := 0; i < ins.Length(); i++ {
		in := ins.Index(i)
		ds := in.Get("dataset")
		r, err1 := strconv.Atoi(ds.Get("r").String())
		col, err2 := strconv.Atoi(ds.Get("c").String())
		if err1 != nil || err2 != nil {
			continue
		}
		k := cellKey{ds.Get("m").String(), r, col}
		if _, bad := c.errors[k]; bad {
			continue // a refused text stays until the cell is left
		}
		if want := c.entryText(k); in.Get("value").String() != want {
			in.Set("value", want)
		}
	}
}

// view is the card's step as the session has it now.
func (c *StepCard) view() *StepView {
	if c.Session == nil || c.Index < 0 || c.Index >= len(c.Session.Views) {
		return &StepView{}
	}
	return c.Session.View(c.Index)
}

func (c *StepCard) Render() app.UI {
	v := c.view()
	lang := c.Lang
	class := "step"
	if c.Current {
		class += " current"
	}
	body := []app.UI{
		app.Header().Class("step-head").Body(
			app.Span().Class("step-num").Text(strconv.Itoa(v.Index+1)),
			app.H2().Text(i18n.T(lang, v.Title)),
			c.tally(),
			&StepExport{Index: c.Index, Lang: lang, Session: c.Session},
		),
		app.P().Class("step-text").Text(i18n.T(lang, v.Text)),
	}
	// The worked example's paragraph is always there, hidden when it is
	// not true of the numbers: an edit that hides it must not shift the
	// card's later children, which go-app would then build anew, the input
	// being typed into with them.
	// It holds no text while hidden (in practice mode it would give
	// answers away).
	worked, workedClass := "", "step-worked off"
	if v.Worked != "" {
		worked, workedClass = i18n.T(lang, v.Worked), "step-worked"
	}
	body = append(body, app.P().Class(workedClass).Text(worked))
	if v.Note != "" {
		body = append(body, app.P().Class("step-note").Text(i18n.T(lang, v.Note)))
	}
	if v.Formula != "" {
		body = append(body, app.Div().Class("formula").Body(app.Raw(`<math display="block">`+v.Formula+`</math>`)))
	}
	if v.WaitsOn > 0 {
		body = append(body, app.P().Class("waiting").Attr("role", "status").
			Text(i18n.T(lang, "step.waits")+" "+strconv.Itoa(v.WaitsOn)+"."))
		return app.Section().Class(class+" is-waiting").DataSet("step", v.ID).ID("step-" + v.ID).Body(body...)
	}
	if v.Undefined != "" {
		body = append(body, app.P().Class("undefined").Attr("role", "status").Text(i18n.T(lang, v.Undefined)))
	}
	body = append(body, c.layout())
	if hint := c.hint(); hint != nil {
		body = append(body, hint)
	} else if c.explain != "" {
		body = append(body, app.Div().ID("explain").Class("explain").Attr("aria-live", "polite").Text(c.explain))
	} else {
		body = append(body, app.Div().Class("explain empty").Text(i18n.T(lang, "explain.hint")))
	}
	body = append(body, c.sliders())
	return app.Section().Class(class).DataSet("step", v.ID).ID("step-"+v.ID).
		On("mouseover", c.onOver).
		On("mouseleave", c.onLeave).
		On("focusin", c.onFocusIn).
		On("focusout", c.onFocusOut).
		On("input", c.onInput).
		On("change", c.onChange).
		On("keydown", c.onKey).
		On("pointerdown", c.onPointerDown).
		On("pointermove", c.onPointerMove).
		On("pointerup", c.onPointerUp).
		On("pointercancel", c.onPointerUp).
		Body(body...)
}

// tally is the step's practice count and its Reveal button.
func (c *StepCard) tally() app.UI {
	t := c.view().Tally
	if t.Blanks == 0 {
		return nil
	}
	// Revealed cells are counted apart: revealed is not solved.
	key := "practice.step_progress"
	if t.Revealed > 0 {
		key = "practice.step_revealed"
	}
	text := strings.NewReplacer("{right}", strconv.Itoa(t.Right), "{blanks}", strconv.Itoa(t.Blanks),
		"{revealed}", strconv.Itoa(t.Revealed)).Replace(i18n.T(c.Lang, key))
	class := "step-tally"
	if t.Right+t.Revealed == t.Blanks {
		class += " done"
	}
	return app.Span().Class(class).Body(
		app.Span().Class("tally-text").Text(text),
		app.If(!c.ReadOnly && t.Right+t.Revealed < t.Blanks, func() app.UI {
			return app.Button().Class("reveal-step").Text(i18n.T(c.Lang, "practice.reveal_step")).OnClick(c.onRevealStep)
		}),
	)
}

// hint is what the card says of the blank the student is on: right, to
// be checked later, or a hint (never the answer) for a wrong entry.
func (c *StepCard) hint() app.UI {
	s := c.Session
	k := c.practiced
	if s == nil || s.Practice == nil || k.M == "" {
		return nil
	}
	ref := engine.CellRef{Matrix: k.M, Row: k.R, Col: k.C}
	e, entered := s.Page.Practice.Entries[ref]
	if !entered || !s.Blank(ref) {
		return nil
	}
	t := func(key string) string { return i18n.T(c.Lang, key) }
	// Every step with an entry has its hint: its id names the step.
	box := app.Div().ID("practice-hint-"+c.view().ID).Class("explain practice-hint").Attr("aria-live", "polite")
	ver := s.Practice.Check(ref, e)
	switch {
	case ver.Unknown:
		return box.Class("waiting").Text(t("practice.hint.waiting"))
	case ver.Right:
		return box.Class("right").Text(t("practice.hint.right"))
	}
	var lines []string
	for _, l := range []*engine.Line{ver.Row, ver.Col} {
		if l != nil {
			lines = append(lines, l.Text(string(c.Lang)))
		}
	}
	made := t("practice.hint.sources")
	if len(lines) > 0 {
		made = strings.ReplaceAll(t("practice.hint.made"), "{lines}", capitalize(strings.Join(lines, t("practice.hint.and"))))
	}
	return box.Class("wrong").Body(
		app.P().Body(app.Strong().Text(t("practice.hint.wrong")), app.Text(" "+made)),
		app.If(c.showSum && ver.Sum != "", func() app.UI {
			return app.P().Class("sum").Text(ver.Sum + " = ?")
		}),
		app.Div().Class("hint-actions").Body(
			app.If(!c.showSum && ver.Sum != "", func() app.UI {
				return app.Button().Class("show-sum").Text(t("practice.show_sum")).OnClick(c.onShowSum)
			}),
			app.If(!c.ReadOnly, func() app.UI {
				return app.Button().Class("reveal-cell").Text(t("practice.reveal_cell")).OnClick(c.onRevealCell)
			}),
		),
	)
}

// capitalize starts a sentence with a capital letter.
func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func (c *StepCard) onShowSum(ctx app.Context, e app.Event) { c.showSum = true }

func (c *StepCard) onRevealCell(ctx app.Context, e app.Event) {
	k := c.practiced
	if c.Session.Reveal(engine.CellRef{Matrix: k.M, Row: k.R, Col: k.C}) > 0 {
		c.sources = nil
		ctx.NewAction(actionRecomputed)
	}
}

func (c *StepCard) onRevealStep(ctx app.Context, e app.Event) {
	var refs []engine.CellRef
	for _, ref := range c.Session.Practice.Blanks() {
		if c.Session.Trace.Step(c.view().ID) != nil && slices.Contains(c.Session.Trace.Step(c.view().ID).Produces, ref.Matrix) {
			refs = append(refs, ref)
		}
	}
	if c.Session.Reveal(refs...) > 0 {
		ctx.NewAction(actionRecomputed)
	}
}

// practise is the card's side of a committed entry in a blank: the
// session checks it; a refused text says why and changes nothing.
func (c *StepCard) practise(ctx app.Context, k cellKey, text string) bool {
	if err := c.Session.Enter(engine.CellRef{Matrix: k.M, Row: k.R, Col: k.C}, text); err != nil {
		if c.errors == nil {
			c.errors = map[cellKey]string{}
		}
		c.errors[k] = i18n.T(c.Lang, err.Error())
		return false
	}
	delete(c.errors, k)
	c.practiced, c.showSum = k, false
	c.highlightHint()
	ctx.NewAction(actionRecomputed)
	return true
}

// entryText is what a blank's input shows: the student's entry, or "".
func (c *StepCard) entryText(k cellKey) string {
	if e, ok := c.Session.Page.Practice.Entries[engine.CellRef{Matrix: k.M, Row: k.R, Col: k.C}]; ok {
		return engine.Format(e)
	}
	return ""
}

// highlightHint highlights the sources of a wrong entry's cell.
func (c *StepCard) highlightHint() {
	c.sources = nil
	k := c.practiced
	ref := engine.CellRef{Matrix: k.M, Row: k.R, Col: k.C}
	e, ok := c.Session.Page.Practice.Entries[ref]
	if !ok || c.Session.Practice == nil {
		return
	}
	if ver := c.Session.Practice.Check(ref, e); !ver.Right && !ver.Unknown {
		c.sources = make(map[cellKey]bool, len(ver.Sources))
		for _, s := range ver.Sources {
			c.sources[cellKey{s.Matrix, s.Row, s.Col}] = true
		}
	}
}

func (c *StepCard) look() matrixLook {
	return matrixLook{step: c.view().ID, lang: c.Lang, hovered: c.hovered, sources: c.sources, errors: c.errors,
		readOnly: c.ReadOnly}
}

// layout draws the step's matrices.
func (c *StepCard) layout() app.UI { return stepLayout(c.view(), c.look()) }

// stepLayout draws a step's matrices, on the page and on a worksheet
// alike: a product by hand, or a sequence.
func stepLayout(v *StepView, look matrixLook) app.UI {
	if v.Product && len(v.Matrices) == 3 {
		left, top, res := &v.Matrices[0], &v.Matrices[1], &v.Matrices[2]
		// Only the left factor shows row labels and only the top factor
		// column labels, so the result's cells line up with both.
		topLook := look
		topLook.ones, topLook.labels = v.FoldBias, true
		leftLook := look
		leftLook.rowLabels = true
		return app.Div().Class("product").Body(
			app.Div().Class("corner").Body(app.Span().Class("times").Text("·")),
			app.Div().Class("top").Body(pictures(top, look.lang), matrixBlock(top, topLook, nil)),
			app.Div().Class("left").Body(matrixBlock(left, leftLook, nil)),
			app.Div().Class("result").Body(matrixBlock(res, look, pictures(res, look.lang))),
		)
	}
	items := make([]app.UI, 0, 2*len(v.Matrices))
	look.labels, look.rowLabels = true, true
	for i := range v.Matrices {
		if i < len(v.Ops) && v.Ops[i] != "" {
			items = append(items, app.Span().Class("op").Text(v.Ops[i]))
		}
		m := &v.Matrices[i]
		items = append(items, matrixBlock(m, look, pictures(m, look.lang)))
	}
	return app.Div().Class("sequence").Body(items...)
}

// sliders draws a slider for the focused input and one per noise cell.
func (c *StepCard) sliders() app.UI {
	var out []app.UI
	v := c.view()
	for i := range v.Matrices {
		m := &v.Matrices[i]
		if !m.Noise || c.ReadOnly {
			continue
		}
		for r := 0; r < m.Rows; r++ {
			for col := 0; col < m.Cols; col++ {
				v := c.Session.Value(m.ID, r, col)
				lo, hi := math.Min(-3, math.Floor(v)), math.Max(3, math.Ceil(v))
				out = append(out, &Slider{Matrix: m.ID, Row: r, Col: col, Min: lo, Max: hi, Step: 0.01, Value: v,
					Label: m.Name + "[" + strconv.Itoa(r+1) + "," + strconv.Itoa(col+1) + "]"})
			}
		}
		break
	}
	ex := c.Session.Exercise()
	if c.active.M != "" && !c.ReadOnly && ex.Var(c.active.M) != nil && ex.Var(c.active.M).Role != engine.RoleNoise {
		v := c.Session.Value(c.active.M, c.active.R, c.active.C)
		out = append(out, &Slider{Matrix: c.active.M, Row: c.active.R, Col: c.active.C,
			Min: c.lo, Max: c.hi, Step: c.step(), Value: v, Wide: true,
			Label: ex.Var(c.active.M).Name + " [" + strconv.Itoa(c.active.R+1) + "," + strconv.Itoa(c.active.C+1) + "]"})
	}
	if len(out) == 0 {
		return nil
	}
	return app.Div().Class("sliders").Body(out...)
}

func (c *StepCard) step() float64 {
	if c.Mode == engine.Exact {
		return 0.1
	}
	return 1
}

// target finds the cell an event happened in.
func target(e app.Event) (el app.Value, k cellKey, ok bool) {
	t := e.Get("target")
	if !t.Truthy() || t.Get("closest").IsUndefined() {
		return nil, k, false
	}
	el = t.Call("closest", "[data-m]")
	if !el.Truthy() {
		return nil, k, false
	}
	ds := el.Get("dataset")
	r, err1 := strconv.Atoi(ds.Get("r").String())
	col, err2 := strconv.Atoi(ds.Get("c").String())
	if err1 != nil || err2 != nil {
		return nil, k, false
	}
	return el, cellKey{ds.Get("m").String(), r, col}, true
}

func (c *StepCard) setHover(k cellKey) bool {
	text, sources, ok := c.Session.explainText(k)
	if !ok {
		return c.clearHover()
	}
	c.hovered, c.explain = k, text
	c.sources = make(map[cellKey]bool, len(sources))
	for _, s := range sources {
		c.sources[cellKey{s.Matrix, s.Row, s.Col}] = true
	}
	c.Session.hovered = k
	return true
}

func (c *StepCard) clearHover() bool {
	if c.hovered.M == "" && c.explain == "" {
		return false
	}
	if c.Session.hovered == c.hovered {
		c.Session.hovered = cellKey{}
	}
	c.hovered, c.explain, c.sources = cellKey{}, "", nil
	return true
}

func (c *StepCard) onOver(ctx app.Context, e app.Event) {
	el, k, ok := target(e)
	if !ok || el.Get("tagName").String() != "TD" || k == c.hovered {
		ctx.PreventUpdate()
		return
	}
	if _, computed := c.Session.Explain(k.M, k.R, k.C); !computed {
		ctx.PreventUpdate()
		return
	}
	c.setHover(k)
}

func (c *StepCard) onLeave(ctx app.Context, e app.Event) {
	if !c.clearHover() {
		ctx.PreventUpdate()
	}
}

func (c *StepCard) onFocusIn(ctx app.Context, e app.Event) {
	el, k, ok := target(e)
	if !ok {
		ctx.PreventUpdate()
		return
	}
	if el.Get("tagName").String() == "TD" && el.Get("classList").Call("contains", "blank").Bool() ||
		e.Get("target").Get("classList").Call("contains", "practice-input").Bool() {
		c.clearHover()
		if c.practiced != k {
			c.practiced, c.showSum = k, false
		}
		c.highlightHint()
		return
	}
	if el.Get("tagName").String() == "INPUT" {
		if c.active != k {
			c.active = k
			v := c.Session.Value(k.M, k.R, k.C)
			span := math.Max(5, math.Ceil(math.Abs(v)))
			if c.Mode == engine.Exact {
				span = math.Max(3, math.Ceil(math.Abs(v)))
			}
			c.lo, c.hi = math.Floor(v)-span, math.Ceil(v)+span
		}
		c.clearHover()
		return
	}
	if k != c.hovered {
		c.setHover(k)
	}
}

// onInput follows the sliders live (one undo entry when the slide ends).
// Typed text is not applied while it is typed: "12a" typed key by key
// must never have set 1 and 12 on its way. It is applied, whole, when it
// is committed (Enter, Tab, or leaving the cell).
func (c *StepCard) onInput(ctx app.Context, e app.Event) {
	_, k, ok := target(e)
	if !ok || c.ReadOnly || e.Get("target").Get("type").String() != "range" {
		ctx.PreventUpdate()
		return
	}
	if v, err := engine.ParseNumber(e.Get("target").Get("value").String()); err == nil {
		c.setFrom(ctx, k, v, true, true)
		return
	}
	ctx.PreventUpdate()
}

// onFocusOut: leaving a cell whose entry was refused brings back its last
// good value and takes the message away.
func (c *StepCard) onFocusOut(ctx app.Context, e app.Event) {
	_, k, ok := target(e)
	t := e.Get("target")
	if ok && t.Get("classList").Truthy() && t.Get("classList").Call("contains", "practice-input").Bool() {
		// Leaving a blank: a refused entry gives way to the last good one.
		_, bad := c.errors[k]
		if !t.Get("__byhandTyped").Truthy() && !bad {
			ctx.PreventUpdate()
			return
		}
		t.Set("__byhandTyped", false)
		delete(c.errors, k)
		t.Set("value", c.entryText(k))
		return
	}
	if ok && t.Get("__byhandTyped").Truthy() {
		// Typed but not changed: patches were held back while it was typed.
		t.Set("__byhandTyped", false)
		if _, bad := c.errors[k]; !bad {
			t.Set("value", engine.Format(c.Session.Value(k.M, k.R, k.C)))
		}
	}
	if _, bad := c.errors[k]; !ok || !bad {
		ctx.PreventUpdate()
		return
	}
	delete(c.errors, k)
	t.Set("value", engine.Format(c.Session.Value(k.M, k.R, k.C)))
}

// onChange commits typed text: a number is set, anything else says why
// and changes nothing.
func (c *StepCard) onChange(ctx app.Context, e app.Event) {
	_, k, ok := target(e)
	if !ok || c.ReadOnly {
		return
	}
	t := e.Get("target")
	if t.Get("type").String() == "range" {
		c.Session.Commit()
		return
	}
	text := t.Get("value").String()
	if kept := t.Get("__byhandCommitted"); kept.Type() == app.TypeString {
		text = kept.String()
		t.Set("__byhandCommitted", app.Undefined())
		t.Set("value", text)
	}
	if t.Get("classList").Call("contains", "practice-input").Bool() {
		if c.practise(ctx, k, text) {
			t.Set("__byhandTyped", false)
		}
		return
	}
	v, err := engine.ParseNumber(text)
	if err != nil {
		// The refused text stays (typed) until the cell is left.
		if c.errors == nil {
			c.errors = map[cellKey]string{}
		}
		c.errors[k] = i18n.T(c.Lang, err.Error())
		return
	}
	t.Set("__byhandTyped", false)
	c.set(ctx, k, v)
	t.Set("value", engine.Format(c.Session.Value(k.M, k.R, k.C)))
}

// set commits one cell's value.
func (c *StepCard) set(ctx app.Context, k cellKey, v float64) { c.setFrom(ctx, k, v, false, false) }

// setFrom sets a cell and brings the page up to date the cheapest way: the
// changed numbers are written into the page at once; go-app redraws only
// when something besides numbers changed (a step's shape, an error shown,
// a slider's label).
func (c *StepCard) setFrom(ctx app.Context, k cellKey, v float64, slider, live bool) {
	_, hadError := c.errors[k]
	set := c.Session.Set
	if live {
		set = c.Session.SetLive
	}
	if err := set(k.M, k.R, k.C, v); err != nil {
		if c.errors == nil {
			c.errors = map[cellKey]string{}
		}
		c.errors[k] = i18n.T(c.Lang, err.Error())
		return
	}
	delete(c.errors, k)
	patchNumbers(c.Session)
	if hadError || slider {
		return // this card redraws, and with it the page
	}
	ctx.PreventUpdate()
	if c.Session.Reshaped {
		ctx.NewAction(actionRecomputed)
	}
}

// onKey: ↑/↓ step an input by one (0.1 in exact mode); Escape restores it.
func (c *StepCard) onKey(ctx app.Context, e app.Event) {
	_, k, ok := target(e)
	t := e.Get("target")
	if !ok || c.ReadOnly || t.Get("tagName").String() != "INPUT" || t.Get("type").String() != "text" ||
		c.Session.Exercise().Var(k.M) == nil { // a blank of practice mode: keys as usual
		ctx.PreventUpdate()
		return
	}
	cur := c.Session.Value(k.M, k.R, k.C)
	switch e.Get("key").String() {
	case "ArrowUp":
		e.PreventDefault()
		c.set(ctx, k, roundTo(cur+c.step(), c.step()))
	case "ArrowDown":
		e.PreventDefault()
		c.set(ctx, k, roundTo(cur-c.step(), c.step()))
	case "Escape":
		delete(c.errors, k)
		t.Set("value", engine.Format(cur))
		return
	default:
		ctx.PreventUpdate()
		return
	}
	t.Set("value", engine.Format(c.Session.Value(k.M, k.R, k.C)))
}

func roundTo(v, step float64) float64 { return math.Round(v/step) * step }

// Slider is a range input for one cell. go-app may set a range's value
// before its min and step, and the browser then rounds it; the slider sets
// its value again once it is in the page.
type Slider struct {
	app.Compo
	Matrix         string
	Row, Col       int
	Min, Max, Step float64
	Value          float64
	Label          string
	Wide           bool
}

func (s *Slider) OnMount(ctx app.Context)  { s.sync() }
func (s *Slider) OnUpdate(ctx app.Context) { ctx.Defer(func(app.Context) { s.sync() }) }

func (s *Slider) sync() {
	if s.JSValue() == nil {
		return
	}
	in := s.JSValue().Call("querySelector", "input")
	if in.Truthy() {
		in.Set("value", strconv.FormatFloat(s.Value, 'f', -1, 64))
	}
}

func (s *Slider) Render() app.UI {
	class := "slider"
	if s.Wide {
		class += " wide"
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return app.Label().Class(class).Body(
		app.Span().Class("slider-label").Text(s.Label),
		app.Input().Type("range").Attr("min", f(s.Min)).Attr("max", f(s.Max)).Attr("step", f(s.Step)).
			Value(f(s.Value)).DataSet("m", s.Matrix).DataSet("r", s.Row).DataSet("c", s.Col).
			Attr("aria-label", s.Label),
		app.Span().Class("slider-value").Text(engine.Format(s.Value)),
	)
}

// onPointerDown starts a possible scrub on an input that is not being
// typed into; a press without movement just focuses it.
func (c *StepCard) onPointerDown(ctx app.Context, e app.Event) {
	ctx.PreventUpdate()
	t := e.Get("target")
	_, k, ok := target(e)
	if !ok || c.ReadOnly || t.Get("className").String() != "cell-input" ||
		app.Window().Get("document").Get("activeElement").Equal(t) {
		return
	}
	c.drag, c.dragX, c.dragMoved = k, e.Get("clientX").Float(), false
	c.dragFrom = c.Session.Value(k.M, k.R, k.C)
	capturePointer(t, e.Get("pointerId"))
}

// capturePointer keeps a drag's events coming to the input even when the
// pointer leaves it. A pointer the browser does not know (a synthetic
// event) makes setPointerCapture throw; the drag then works without it.
func capturePointer(el, id app.Value) {
	defer func() { _ = recover() }()
	el.Call("setPointerCapture", id)
}

// onPointerMove: every 12 pixels to the right adds one step; to the left
// takes one away.
func (c *StepCard) onPointerMove(ctx app.Context, e app.Event) {
	if c.drag.M == "" {
		ctx.PreventUpdate()
		return
	}
	dx := e.Get("clientX").Float() - c.dragX
	if !c.dragMoved && math.Abs(dx) < 4 {
		ctx.PreventUpdate()
		return
	}
	c.dragMoved = true
	e.PreventDefault()
	v := roundTo(c.dragFrom+math.Trunc(dx/12)*c.step(), c.step())
	if v == c.Session.Value(c.drag.M, c.drag.R, c.drag.C) {
		ctx.PreventUpdate()
		return
	}
	c.setFrom(ctx, c.drag, v, false, true)
	e.Get("target").Set("value", engine.Format(v))
}

func (c *StepCard) onPointerUp(ctx app.Context, e app.Event) {
	ctx.PreventUpdate()
	if c.drag.M != "" && c.dragMoved {
		e.PreventDefault()
		c.Session.Commit() // the whole drag is one undo entry
	}
	c.drag = cellKey{}
}
