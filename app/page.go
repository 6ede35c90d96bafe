package ui

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ModelPage is the page of one walkthrough: a header, the list of steps,
// the steps up to the current one, and the panels to share and to train.
// It knows nothing of any particular model. Everything a reader can
// change lives in the session's page state; the page holds only what is
// passing (a training run under way, a message on screen).
//
// With the URL option embed=1 the page is an embed: no site chrome, one
// bar with the step controls and the Hand/Exact switch, the other view
// options of pagestate.View, and commands from a parent deck (deck.go).
type ModelPage struct {
	app.Compo
	Slug string
	// Model, when set, is the walkthrough (a file a reader opened);
	// otherwise it is the registered one of Slug.
	Model engine.Model
	// Source is the part of a link that brings an opened walkthrough
	// back ("file=…" or "src=…"); empty for a shipped one.
	Source string

	s     *Session
	prefs Prefs
	view  pagestate.View

	// notice is a message over the steps: edits restored, a link opened,
	// what a link or file had that could not be used.
	notice notice
	// updated: a newer version was installed while the page was open.
	updated bool
	present bool

	training     bool
	stop         bool
	progress     int
	total        int
	trainMessage string
	// numbersMessage is a message key about the exercise number typed.
	numbersMessage string
	shareMessage   string
	shareText      string // the last link or embed code copied, shown
	importError    string

	sync *pageSync
	// printOn: every step is drawn, for the paper (surfaces.go);
	// printStop stops watching the browser's print events.
	printOn   bool
	printStop func()
	// refreshDue: an idle refresh of the steps out of sight is scheduled.
	refreshDue bool
}

// notice is a message over the steps. Key is a message key; Problems are
// the parts of a link, saved work or file that were ignored.
type notice struct {
	Key      string
	Problems []pagestate.Problem
	Undo     bool // offer undo (the reader's own work is one undo away)
}

func (p *ModelPage) OnInit() {
	m := p.Model
	if m == nil {
		m = engine.Lookup(p.Slug)
	}
	if m == nil {
		return
	}
	p.s = NewSession(m, engine.Hand)
	p.prefs = Prefs{Lang: i18n.EN, Theme: "system"}
	p.view = pagestate.View{To: -1}
}

// maxSteps is the most steps model m's walkthrough has, in either mode.
func maxSteps(m engine.Model) int {
	ex := m.Exercise()
	return max(len(m.Run(ex, engine.Hand).Steps), len(m.Run(ex, engine.Exact).Steps))
}

// storeAs is the name the page's saved work is kept under: the slug, and
// for an opened file the slug after "opened.", so that a teacher's file
// never takes a shipped walkthrough's work.
func (p *ModelPage) storeAs() string {
	if p.Source != "" {
		return "opened." + p.s.Model.Info().Slug
	}
	return p.s.Model.Info().Slug
}

// pageHref is the relative address of the page with the given query:
// for an opened file, with its source first.
func (p *ModelPage) pageHref(query string) string {
	if p.Source == "" {
		return p.s.Model.Info().Slug + "?" + query
	}
	if query == "" {
		return "open?" + p.Source
	}
	return "open?" + p.Source + "&" + query
}

// clamp keeps a step inside the walkthrough and the view's range.
func (p *ModelPage) clamp(i int) int { return p.view.Clamp(i, p.s.Steps()) }

func (p *ModelPage) OnMount(ctx app.Context) {
	if p.s == nil {
		p.prefs = loadPrefs(ctx)
		p.prefs.apply()
		return
	}
	u := ctx.Page().URL()
	var viewProbs []pagestate.Problem
	p.view, viewProbs = pagestate.ParseView(u.RawQuery, maxSteps(p.s.Model))
	p.prefs = loadPrefs(ctx)
	if p.view.Lang != "" {
		p.prefs.Lang, _ = i18n.Parse(p.view.Lang)
	}
	if p.view.Theme != "" {
		p.prefs.Theme = p.view.Theme
	}
	p.prefs.apply()
	setDocumentTitle(p.prefs.Lang, p.s.Model.Info().Title)
	p.open(u.RawQuery, u.Fragment)
	p.notice.Problems = append(viewProbs, p.notice.Problems...)
	if p.view.Embed {
		app.Window().Get("document").Get("documentElement").Call("setAttribute", "data-embed", "")
	}
	p.sync = startSync(ctx, p)
	p.s.OnChange(func(c Change) { p.sync.changed(ctx, c) })
	p.s.OutOfSight = p.outOfSight
	p.s.RefreshSoon = func() { p.refreshSoon(ctx) }
	ctx.Handle(actionGoTo, func(ctx app.Context, a app.Action) {
		if i, ok := a.Value.(int); ok {
			p.goTo(ctx, i)
		}
	})
	// A card changed numbers that change more than numbers: redraw.
	ctx.Handle(actionRecomputed, func(ctx app.Context, a app.Action) {})
	p.watchPrint(ctx)
	p.scrollToCurrent(ctx, "instant")
	ctx.Defer(func(ctx app.Context) {
		// The cards already on the page were drawn from the default
		// exercise: write in the numbers the page opened on (those a link
		// changed flash).
		patchNumbers(p.s)
		markReady(p.Slug)
		p.sync.announce("ready")
	})
}

// outOfSight names the steps the reader cannot see: those without a card
// on the page, and those web/byhand.js says are scrolled away.
func (p *ModelPage) outOfSight() map[string]bool {
	if p.printOn {
		return nil // the paper shows every step
	}
	from, to := 0, p.lastShown()
	if p.view.Embed {
		from, _ = p.view.Range(p.s.Steps())
		if p.view.Single {
			from = p.s.Page.Step
		}
		to = p.s.Page.Step
	}
	out := map[string]bool{}
	for i := range p.s.Views {
		if i < from || i > to {
			out[p.s.Views[i].ID] = true
		}
	}
	for id := range strings.SplitSeq(app.Window().Call("byhandOutOfSight").String(), "\x1f") {
		if id != "" {
			out[id] = true
		}
	}
	return out
}

// quiet is how long the page waits after the last change before it
// brings the steps out of sight up to date: a drag, a slide or fast typing
// gets the whole machine.
const quiet = 150 * time.Millisecond

// refreshSoon brings the steps out of sight up to date a slice at a time
// once the reader pauses, each slice written into the page as it is done.
func (p *ModelPage) refreshSoon(ctx app.Context) {
	if p.refreshDue {
		return
	}
	p.refreshDue = true
	wait := max(20*time.Millisecond, time.Until(p.s.Recomputed.Add(quiet)))
	ctx.After(wait, func(ctx app.Context) {
		ctx.PreventUpdate() // only numbers change: they are patched
		p.refreshDue = false
		if time.Since(p.s.Recomputed) < quiet {
			p.refreshSoon(ctx) // changed again meanwhile
			return
		}
		p.s.Refresh(3 * time.Millisecond) // input waits at most about this long
		patchNumbers(p.s)
	})
}

// open brings the page to the state a reader expects on arrival: their
// saved work, then a link's state over it (their work is then one undo
// away), then the step a link or a #step-id names.
func (p *ModelPage) open(rawQuery, fragment string) {
	m := p.s.Model
	if !p.view.Embed {
		if data, ok := loadWork(p.storeAs()); ok {
			saved, probs, ok := pagestate.DecodeSaved(m, data)
			switch {
			case !ok:
				p.notice = notice{Key: "notice.saved_ignored", Problems: probs}
			case !saved.Equal(pagestate.Default(m)):
				p.s = OpenSession(m, saved)
				p.notice = notice{Key: "notice.restored", Problems: probs}
			}
		}
	}
	q := queryOf(rawQuery)
	if pagestate.HasState(q) {
		// A link's state, over the reader's own work: one undo entry.
		link, probs := pagestate.Decode(m, rawQuery)
		hadWork := p.notice.Key == "notice.restored"
		p.s.Load(link)
		p.notice = notice{Key: "notice.link", Problems: append(p.notice.Problems, probs...), Undo: hadWork && p.s.CanUndo()}
	} else if step, ok := q["step"]; ok && len(step) > 0 {
		if n, err := strconv.Atoi(step[0]); err == nil && n >= 1 && n <= p.s.Steps() {
			p.s.Page.Step = n - 1
		} else {
			p.notice.Problems = append(p.notice.Problems, pagestate.Problem{Field: "step", Key: pagestate.ProbStep, Value: step[0]})
		}
	}
	if id, ok := strings.CutPrefix(fragment, "step-"); ok {
		for i := range p.s.Views {
			if p.s.Views[i].ID == id {
				p.s.Page.Step = i
			}
		}
	}
	p.s.Page.Step = p.clamp(p.s.Page.Step)
}

// The actions a page's children send it.
const (
	actionGoTo       = "byhand.goto"       // Value: the step's index
	actionRecomputed = "byhand.recomputed" // the session's numbers changed
)

func (p *ModelPage) OnDismount() {
	if p.sync != nil {
		p.sync.stop()
	}
	p.unwatchPrint()
	root := app.Window().Get("document").Get("documentElement")
	root.Call("removeAttribute", "data-present")
	root.Call("removeAttribute", "data-embed")
	p.stop = true
}

// OnAppUpdate offers a reload when a new version was installed while the
// page was open: never in an embed, never on a first visit (no worker was
// in control when the page loaded: the only version there is was just
// installed), and once per version.
func (p *ModelPage) OnAppUpdate(ctx app.Context) {
	p.updated = ctx.AppUpdateAvailable() && !p.view.Embed && shouldAnnounceUpdate()
}

// onKey: ← and → step through the walkthrough, Home and End jump, unless
// the reader is typing; Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo.
func (p *ModelPage) onKey(ctx app.Context, e app.Value) {
	active := app.Window().Get("document").Get("activeElement")
	typing := false
	if active.Truthy() {
		switch active.Get("tagName").String() {
		case "INPUT", "SELECT", "TEXTAREA":
			typing = true
		}
	}
	key := e.Get("key").String()
	if (e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool()) && !e.Get("altKey").Bool() {
		// In a cell, undo is the page's once the typed text is committed
		// (the text is then what the cell shows): web/byhand.js marks an
		// input typed until Go has read its text. (Its defaultValue is no
		// sign: go-app sets the value, not the attribute.)
		if typing && active.Get("classList").Call("contains", "cell-input").Bool() && !active.Get("__byhandTyped").Truthy() {
			typing = false
		}
		if typing || p.view.ReadOnly {
			return
		}
		switch {
		case (key == "z" || key == "Z") && !e.Get("shiftKey").Bool():
			e.Call("preventDefault")
			ctx.Dispatch(func(ctx app.Context) { p.undo(ctx) })
		case key == "z" || key == "Z" || key == "y" || key == "Y":
			e.Call("preventDefault")
			ctx.Dispatch(func(ctx app.Context) { p.redo(ctx) })
		}
		return
	}
	if typing || e.Get("altKey").Bool() {
		return
	}
	to := p.s.Page.Step
	switch key {
	case "ArrowRight", "PageDown":
		to++
	case "ArrowLeft", "PageUp":
		to--
	case "Home":
		to = 0
	case "End":
		to = p.s.Steps()
	case " ":
		if !p.view.Embed {
			return
		}
		to++
	default:
		return
	}
	e.Call("preventDefault")
	ctx.Dispatch(func(ctx app.Context) { p.goTo(ctx, to) })
}

func (p *ModelPage) goTo(ctx app.Context, i int) {
	i = p.clamp(i)
	if i == p.s.Page.Step {
		return
	}
	p.s.GoTo(i)
	p.scrollToCurrent(ctx, "smooth")
}

func (p *ModelPage) scrollToCurrent(ctx app.Context, behavior string) {
	if first, _ := p.view.Range(p.s.Steps()); p.view.Single || p.s.Page.Step == first {
		return
	}
	id := p.s.Views[p.s.Page.Step].ID
	ctx.Defer(func(app.Context) { app.Window().Call("byhandScrollTo", "step-"+id, behavior) })
}

func (p *ModelPage) undo(ctx app.Context) {
	blurCell()
	if p.s.Undo() {
		patchNumbers(p.s)
	}
}

func (p *ModelPage) redo(ctx app.Context) {
	blurCell()
	if p.s.Redo() {
		patchNumbers(p.s)
	}
}

// blurCell takes the focus from a cell input, so that the numbers undo
// brings back are written into it too.
func blurCell() {
	active := app.Window().Get("document").Get("activeElement")
	if active.Truthy() && active.Get("className").String() == "cell-input" {
		active.Call("blur")
	}
}

func (p *ModelPage) t(key string) string { return i18n.T(p.prefs.Lang, key) }

func (p *ModelPage) Render() app.UI {
	if p.s == nil {
		return notFoundBody(p.prefs.Lang)
	}
	if p.view.Embed {
		return p.renderEmbed()
	}
	info := p.s.Model.Info()
	n := p.s.Steps()
	cur := p.s.Page.Step
	return app.Div().Class("page model-page").Body(
		// The header and the notice stay in sight together.
		app.Div().Class("masthead").Body(p.header(info, n), p.noticeBar()),
		p.updateToast(),
		app.Div().Class("layout").Body(
			app.Aside().Class("sidebar").Body(
				// Training first: the loss is in sight from the start.
				p.panel("train", "train.title", p.trainPanel()),
				p.panel("practice", "practice.title", p.practicePanel()),
				p.panel("steps", "nav.steps", p.stepList()),
				p.panel("share", "share.title", p.sharePanel()),
				p.panel("legend", "legend.title", p.legend()),
			),
			app.Main().Class("steps").ID("steps").Body(
				app.Div().Class("steps-inner").Body(p.cards(0, p.lastShown())...),
				app.If(cur < n-1, func() app.UI {
					return app.Div().Class("more").Body(
						app.Button().ID("next-bottom").Class("primary").
							Text(p.t("nav.next")+" → "+strconv.Itoa(cur+2)+". "+p.t(p.s.Views[cur+1].Title)).
							OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, p.s.Page.Step+1) }),
						app.Button().ID("show-all").Text(p.t("nav.all")).
							OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, n-1) }),
					)
				}),
			),
		),
	)
}

// cards draws the step cards from step from to step to.
func (p *ModelPage) cards(from, to int) []app.UI {
	cards := make([]app.UI, 0, to-from+1)
	for i := from; i <= to && i < p.s.Steps(); i++ {
		cards = append(cards, &StepCard{Index: i, Shape: p.s.Views[i].Shape, Lang: p.prefs.Lang, Mode: p.s.Page.Mode,
			Current: i == p.s.Page.Step, ReadOnly: p.view.ReadOnly, Session: p.s})
	}
	return cards
}

// renderEmbed draws the embed: one bar, then the steps of the range (or
// the current step alone).
func (p *ModelPage) renderEmbed() app.UI {
	cur := p.s.Page.Step
	from, _ := p.view.Range(p.s.Steps())
	if p.view.Single {
		from = cur
	}
	v := p.s.View(cur)
	return app.Div().Class("page model-page embed").Body(
		app.Header().Class("embed-bar").Body(
			p.stepper(cur, p.s.Steps(), true),
			app.Span().Class("embed-title").Title(p.t(p.s.Model.Info().Title)).Text(p.t(v.Title)),
			p.modeSwitch(),
			app.A().Class("embed-open").Href(p.pageHref(pagestate.Encode(p.s.Model, p.s.Page))).
				Attr("target", "_blank").Attr("rel", "noopener").Title(p.t("embed.open")).Text("↗"),
		),
		p.noticeBar(),
		app.Main().Class("steps").ID("steps").Body(app.Div().Class("steps-inner").Body(p.cards(from, cur)...)),
	)
}

func (p *ModelPage) header(info engine.Info, n int) app.UI {
	return app.Header().Class("topbar").Body(
		app.A().Class("brand").Href("./").Text("byhand"),
		app.H1().Text(p.t(info.Title)),
		p.modeSwitch(),
		p.stepper(p.s.Page.Step, n, false),
		app.Div().Class("history").Attr("role", "group").Attr("aria-label", p.t("history.label")).Body(
			disable(app.Button().ID("undo").Title(p.t("history.undo")+" (Ctrl+Z)").Attr("aria-label", p.t("history.undo")).
				Text("↶"), !p.s.CanUndo()).OnClick(func(ctx app.Context, e app.Event) { p.undo(ctx) }),
			disable(app.Button().ID("redo").Title(p.t("history.redo")+" (Ctrl+Shift+Z)").Attr("aria-label", p.t("history.redo")).
				Text("↷"), !p.s.CanRedo()).OnClick(func(ctx app.Context, e app.Event) { p.redo(ctx) }),
		),
		app.Button().ID("present").Class("present").Attr("aria-pressed", p.present).
			Title(p.t("present.title")).Text(p.t("present.label")).OnClick(p.onPresent),
		p.printButton(),
		prefsControls(p.prefs, p.onLang, p.prefs.OnTheme),
	)
}

func (p *ModelPage) onLang(ctx app.Context, e app.Event) {
	p.prefs.OnLang(ctx, e)
	setDocumentTitle(p.prefs.Lang, p.s.Model.Info().Title)
}

func (p *ModelPage) modeSwitch() app.UI {
	mode := func(m engine.Mode, key string) app.UI {
		return app.Button().DataSet("mode", m.String()).Attr("aria-pressed", p.s.Page.Mode == m).
			Class("seg").Title(p.t(key + ".title")).Text(p.t(key)).
			OnClick(func(ctx app.Context, e app.Event) { p.s.SetMode(m); patchNumbers(p.s) })
	}
	return app.Div().Class("mode").Attr("role", "group").Attr("aria-label", p.t("mode.label")).Body(
		app.Span().Class("mode-label").Text(p.t("mode.label")),
		mode(engine.Hand, "mode.hand"), mode(engine.Exact, "mode.exact"),
	)
}

// stepper: previous, "step k / n", next, kept within the view's range.
func (p *ModelPage) stepper(cur, n int, compact bool) app.UI {
	label := p.t("nav.step") + " " + strconv.Itoa(cur+1) + " / " + strconv.Itoa(n)
	if compact {
		label = strconv.Itoa(cur+1) + " / " + strconv.Itoa(n)
	}
	first, last := p.view.Range(n)
	return app.Div().Class("stepper").Body(
		disable(app.Button().ID("prev").Attr("aria-label", p.t("nav.prev")).Text("←"), cur <= first).
			OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, p.s.Page.Step-1) }),
		app.Span().ID("step-count").Attr("aria-live", "polite").Attr("aria-label", p.t("nav.step")+" "+strconv.Itoa(cur+1)+" / "+strconv.Itoa(n)).Text(label),
		disable(app.Button().ID("next").Attr("aria-label", p.t("nav.next")).Text("→"), cur >= last).
			OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, p.s.Page.Step+1) }),
	)
}

// panel is a sidebar panel the reader can close; which are closed is part
// of the page state.
func (p *ModelPage) panel(name, titleKey string, body app.UI) app.UI {
	d := app.Details().Class("panel panel-"+name).DataSet("panel", name).Body(
		app.Summary().Text(p.t(titleKey)),
		body,
	).On("toggle", func(ctx app.Context, e app.Event) {
		p.s.SetPanel(name, ctx.JSSrc().Get("open").Bool())
	})
	if !p.s.Page.Closed.Get(name) {
		d = d.Open(true)
	}
	return d
}

// noticeBar says what the page opened on, and what it ignored.
func (p *ModelPage) noticeBar() app.UI {
	if p.notice.Key == "" && len(p.notice.Problems) == 0 {
		return nil
	}
	items := make([]app.UI, len(p.notice.Problems))
	for i, pr := range p.notice.Problems {
		items[i] = app.Li().Text(problemText(p.prefs.Lang, pr))
	}
	var body []app.UI
	if p.notice.Key != "" {
		body = append(body, app.Span().Class("notice-text").Text(p.t(p.notice.Key)))
	}
	if len(items) > 0 {
		body = append(body, app.Span().Class("notice-text").Text(p.t("notice.ignored")), app.Ul().Class("problems").Body(items...))
	}
	if p.notice.Undo {
		body = append(body, app.Button().ID("notice-undo").Text(p.t("history.undo")).
			OnClick(func(ctx app.Context, e app.Event) { p.undo(ctx); p.notice = notice{} }))
	}
	if p.notice.Key == "notice.restored" && !p.view.ReadOnly {
		body = append(body, app.Button().ID("notice-reset").Text(p.t("train.reset")).
			OnClick(func(ctx app.Context, e app.Event) { p.reset(); p.notice = notice{} }))
	}
	body = append(body, app.Button().Class("notice-close").Attr("aria-label", p.t("notice.dismiss")).Text("×").
		OnClick(func(ctx app.Context, e app.Event) { p.notice = notice{} }))
	return app.Div().ID("notice").Class("notice").Attr("role", "status").Body(body...)
}

// problemText is one ignored part of a link or file, as text (never HTML:
// what came from a link is shown as it was typed).
func problemText(lang i18n.Lang, pr pagestate.Problem) string {
	s := i18n.T(lang, pr.Key)
	if pr.Field != "" {
		s = pr.Field + ": " + s
	}
	if pr.Value != "" {
		s += " (“" + pr.Value + "”)"
	}
	return s
}

// updateToast offers a reload when a newer version is ready, out of the
// way in a corner, once.
func (p *ModelPage) updateToast() app.UI {
	if !p.updated {
		return nil
	}
	return app.Div().Class("update").Attr("role", "status").Body(
		app.Text(p.t("update.available")+" "),
		app.Button().Text(p.t("update.reload")).OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }),
		app.Button().Class("notice-close").Attr("aria-label", p.t("notice.dismiss")).Text("×").
			OnClick(func(ctx app.Context, e app.Event) { p.updated = false }),
	)
}

// onPresent switches the presentation mode: large type, the current step
// alone, for the back of a classroom.
func (p *ModelPage) onPresent(ctx app.Context, e app.Event) {
	p.present = !p.present
	root := app.Window().Get("document").Get("documentElement")
	if p.present {
		root.Call("setAttribute", "data-present", "")
	} else {
		root.Call("removeAttribute", "data-present")
	}
}

// stepList makes the list of steps: a component of plain values, so an
// edit that leaves the titles and the current step alone costs nothing.
func (p *ModelPage) stepList() app.UI {
	l := &StepList{Cur: p.s.Page.Step, Lang: p.prefs.Lang, IDs: make([]string, len(p.s.Views)),
		Titles: make([]string, len(p.s.Views)), Bad: make([]bool, len(p.s.Views))}
	for i := range p.s.Views {
		v := &p.s.Views[i]
		l.IDs[i], l.Titles[i], l.Bad[i] = v.ID, v.Title, v.Undefined != "" || v.WaitsOn > 0
	}
	return l
}

func (p *ModelPage) legend() app.UI { return &Legend{Lang: p.prefs.Lang} }

// Legend explains the frames and colours.
type Legend struct {
	app.Compo
	Lang i18n.Lang
}

func (l *Legend) Render() app.UI {
	t := func(k string) string { return i18n.T(l.Lang, k) }
	return app.Div().Class("legend").Body(
		app.Ul().Body(
			app.Li().Body(app.Span().Class("swatch trainable"), app.Text(t("frame.trainable"))),
			app.Li().Body(app.Span().Class("swatch frozen"), app.Text(t("frame.frozen"))),
			app.Li().Body(app.Span().Class("swatch hue-text"), app.Text(t("hue.text"))),
			app.Li().Body(app.Span().Class("swatch hue-image"), app.Text(t("hue.image"))),
			app.Li().Body(app.Span().Class("swatch hue-pixel"), app.Text(t("hue.pixel"))),
			app.Li().Body(app.Span().Class("swatch hue-similarity"), app.Text(t("hue.similarity"))),
			app.Li().Body(app.Span().Class("swatch hue-gradient"), app.Text(t("hue.gradient"))),
			app.Li().Body(app.Span().Class("swatch hue-noise"), app.Text(t("hue.noise"))),
			app.Li().Body(app.Span().Class("swatch ones"), app.Text(t("legend.ones"))),
		),
	)
}

// practicePanel: practice mode (which cells are blanks, carry the right
// values, the overall count) and New numbers.
func (p *ModelPage) practicePanel() app.UI {
	pr := p.s.Page.Practice
	scopes := make([]app.UI, 0, 4)
	for _, sc := range []engine.Scope{engine.ScopeOff, engine.ScopeForward, engine.ScopeAll, engine.ScopeRandom} {
		name := pagestate.ScopeNames[sc]
		scopes = append(scopes, app.Option().Value(name).Selected(pr.Scope == sc).Text(p.t("practice.scope."+name)))
	}
	var progress string
	if t := p.s.Tally; p.s.Practising() {
		progress = strings.NewReplacer("{right}", strconv.Itoa(t.Right), "{blanks}", strconv.Itoa(t.Blanks),
			"{wrong}", strconv.Itoa(t.Wrong), "{revealed}", strconv.Itoa(t.Revealed), "{left}", strconv.Itoa(t.Left()+t.Waiting)).
			Replace(p.t("practice.progress"))
	}
	return app.Section().Class("practice").Attr("aria-label", p.t("practice.title")).Body(
		app.P().Class("panel-lead").Text(p.t("practice.lead")),
		app.Div().Class("train-row").Body(
			app.Label().For("practice-scope").Text(p.t("practice.scope")),
			app.Select().ID("practice-scope").Disabled(p.view.ReadOnly).OnChange(p.onPracticeScope).Body(scopes...),
		),
		app.If(p.s.Practising(), func() app.UI {
			return app.Div().Body(
				app.Label().Class("check").Body(
					app.Input().ID("practice-carry").Type("checkbox").Checked(pr.Carry).Disabled(p.view.ReadOnly).OnChange(p.onCarry),
					app.Span().Text(" "+p.t("practice.carry")),
				),
				app.P().ID("practice-progress").Class("practice-progress").Attr("role", "status").Text(progress),
				app.P().Class("practice-note").Text(p.t("practice.tolerance")),
			)
		}),
		app.Div().Class("train-row").Body(
			app.Label().For("numbers").Text(p.t("numbers.seed")),
			app.Input().ID("numbers").Type("text").Attr("inputmode", "numeric").Attr("autocomplete", "off").
				Value(strconv.FormatUint(p.s.Page.Numbers, 10)).Disabled(p.view.ReadOnly).OnChange(p.onNumbers),
			disable(app.Button().ID("new-numbers").Text(p.t("numbers.new")), p.training || p.view.ReadOnly).OnClick(p.onNewNumbers),
		),
		app.P().Class("practice-note").ID("numbers-note").Attr("role", "status").Text(p.t(orKey(p.numbersMessage, "numbers.help"))),
		p.worksheetButton(),
	)
}

func orKey(k, def string) string {
	if k != "" {
		return k
	}
	return def
}

func (p *ModelPage) onPracticeScope(ctx app.Context, e app.Event) {
	if sc, ok := pagestate.ParseScope(ctx.JSSrc().Get("value").String()); ok {
		p.s.SetPractice(sc)
	}
	p.stop = true
	patchNumbers(p.s) // in practice mode: drops the writes still waiting
}

func (p *ModelPage) onCarry(ctx app.Context, e app.Event) {
	p.s.SetCarry(ctx.JSSrc().Get("checked").Bool())
}

func (p *ModelPage) onNumbers(ctx app.Context, e app.Event) {
	n, err := strconv.ParseUint(strings.TrimSpace(ctx.JSSrc().Get("value").String()), 10, 64)
	if err != nil || !p.s.NewNumbers(n) {
		p.numbersMessage = "numbers.bad"
		ctx.JSSrc().Set("value", strconv.FormatUint(p.s.Page.Numbers, 10))
		return
	}
	p.numbersMessage = ""
	patchNumbers(p.s)
}

func (p *ModelPage) onNewNumbers(ctx app.Context, e app.Event) {
	p.numbersMessage = ""
	p.s.NewNumbers(1 + rand.Uint64N(9999))
	patchNumbers(p.s)
}

// trainPanel: the loss, one update, N updates with a curve, reset and
// (for models with noise) resampling.
func (p *ModelPage) trainPanel() app.UI {
	loss, ok := p.s.Loss()
	lossText, lossV := p.t("loss.undefined"), ""
	if p.s.Practising() {
		lossText = p.t("loss.practice")
	}
	if ok {
		lossText, lossV = engine.Format(loss), engine.Format(loss)
	}
	var status string
	switch {
	case p.training:
		status = p.t("train.running") + " " + strconv.Itoa(p.progress) + " / " + strconv.Itoa(p.total)
	case p.trainMessage != "":
		status = p.t(p.trainMessage)
	}
	lr := engine.Format(p.s.Page.LR)
	return app.Section().Class("train").Attr("aria-label", p.t("train.title")).Body(
		app.P().Class("loss-line").Body(
			app.Span().Text(p.t("loss.label")+" "),
			app.Strong().ID("loss").DataSet("v", lossV).Text(lossText),
		),
		lossCurve(p.s, p.prefs.Lang),
		app.Div().Class("train-row").Body(
			app.Label().For("lr").Text(p.t("train.lr")),
			app.Input().ID("lr").Type("text").Attr("inputmode", "decimal").Value(lr).
				OnChange(p.onLR),
			disable(app.Button().ID("apply").Text(p.t("train.apply")), p.training || p.s.Practising()).OnClick(p.onApply),
		),
		app.Div().Class("train-row").Body(
			app.Label().For("train-n").Text(p.t("train.n")),
			app.Input().ID("train-n").Type("number").Attr("min", 1).Attr("max", pagestate.MaxN).Value(p.s.Page.N).
				OnChange(p.onN),
			app.If(!p.training, func() app.UI {
				return disable(app.Button().ID("train").Class("primary").Text(p.t("train.run")), p.s.Practising()).OnClick(p.onTrain)
			}).Else(func() app.UI {
				return app.Button().ID("stop").Text(p.t("train.stop")).OnClick(func(ctx app.Context, e app.Event) { p.stop = true })
			}),
			disable(app.Button().ID("reset").Text(p.t("train.reset")), p.training).
				OnClick(func(ctx app.Context, e app.Event) { p.reset() }),
		),
		app.If(p.s.CanResample(), func() app.UI {
			return app.Div().Class("train-row").Body(
				app.Label().For("seed").Text(p.t("noise.seed")),
				app.Input().ID("seed").Type("text").Attr("inputmode", "numeric").Attr("autocomplete", "off").
					Attr("placeholder", p.t("noise.by_hand")).Title(p.t("noise.seed.title")).
					Value(p.seedValue()).OnChange(p.onSeed),
				disable(app.Button().ID("resample").Text(p.t("noise.resample")), p.training).OnClick(p.onResample),
				app.If(p.s.Page.Exercise.Seed == 0, func() app.UI {
					return app.Span().ID("seed-note").Class("seed-note").Text(p.t("noise.by_hand.note"))
				}),
			)
		}),
		app.If(p.s.Practising(), func() app.UI { return app.P().Class("practice-note").Text(p.t("practice.training_off")) }),
		app.P().Class("train-status").Attr("role", "status").Text(status),
	)
}

func (p *ModelPage) onLR(ctx app.Context, e app.Event) {
	text := ctx.JSSrc().Get("value").String()
	v, err := engine.ParseNumber(text)
	if err != nil || !p.s.SetLR(v) {
		p.trainMessage = "train.bad_lr"
		ctx.JSSrc().Set("value", engine.Format(p.s.Page.LR))
		return
	}
	p.trainMessage = ""
}

func (p *ModelPage) onN(ctx app.Context, e app.Event) {
	v, err := strconv.Atoi(ctx.JSSrc().Get("value").String())
	if err != nil || !p.s.SetN(v) {
		p.trainMessage = "train.bad_n"
		ctx.JSSrc().Set("value", strconv.Itoa(p.s.Page.N))
		return
	}
	p.trainMessage = ""
}

func (p *ModelPage) onApply(ctx app.Context, e app.Event) {
	defer patchNumbers(p.s)
	if !p.s.Update() {
		p.trainMessage = p.stopReason()
		return
	}
	p.trainMessage = ""
}

func (p *ModelPage) reset() {
	p.s.Reset()
	p.trainMessage = ""
	patchNumbers(p.s)
}

func (p *ModelPage) onResample(ctx app.Context, e app.Event) {
	p.s.Resample(1 + rand.Uint64N(99999))
	patchNumbers(p.s)
}

// onTrain runs n updates in slices of a few milliseconds, yielding to the
// browser between slices so that the page stays responsive and the curve
// grows as it goes. The whole run is one undo entry.
func (p *ModelPage) onTrain(ctx app.Context, e app.Event) {
	if p.training {
		return
	}
	p.training, p.stop, p.progress, p.total, p.trainMessage = true, false, 0, p.s.Page.N, ""
	p.s.BeginRun()
	markTraining(true)
	ctx.After(0, p.trainSlice)
}

func (p *ModelPage) trainSlice(ctx app.Context) {
	if p.stop || p.progress >= p.total {
		p.training = false
		if p.stop && p.progress < p.total {
			p.trainMessage = "train.stopped"
		}
		p.s.Commit()
		markTraining(false)
		return
	}
	done, ok := p.s.Train(p.total-p.progress, time.Now().Add(12*time.Millisecond))
	p.progress += done
	patchNumbers(p.s)
	if !ok {
		p.training, p.trainMessage = false, p.stopReason()
		p.s.Commit()
		markTraining(false)
		return
	}
	ctx.After(4*time.Millisecond, p.trainSlice)
}

// stopReason is the message key for a training run or update that
// stopped early: it diverged, or it was refused.
func (p *ModelPage) stopReason() string {
	if p.s.Diverged {
		return "train.diverged"
	}
	return "train.refused"
}

func markTraining(on bool) {
	doc := app.Window().Get("document")
	if !doc.Truthy() {
		return
	}
	if on {
		doc.Get("body").Call("setAttribute", "data-training", "1")
	} else {
		doc.Get("body").Call("removeAttribute", "data-training")
	}
}

// disable marks a button disabled only when on: a pre-rendered
// disabled="false" would read as disabled until the wasm runs.
func disable(b app.HTMLButton, on bool) app.HTMLButton {
	if on {
		return b.Disabled(true)
	}
	return b
}

// seedValue is the noise's seed as the seed box shows it: empty when the
// noise was written by hand (the box then says so).
func (p *ModelPage) seedValue() string {
	if p.s.Page.Exercise.Seed == 0 {
		return ""
	}
	return strconv.FormatUint(p.s.Page.Exercise.Seed, 10)
}

// onSeed draws the noise from a typed seed, so that a class can share a
// draw; anything but a whole number from 1 up is refused.
func (p *ModelPage) onSeed(ctx app.Context, e app.Event) {
	text := strings.TrimSpace(ctx.JSSrc().Get("value").String())
	seed, err := strconv.ParseUint(text, 10, 64)
	if err != nil || seed == 0 {
		p.trainMessage = "noise.bad_seed"
		ctx.JSSrc().Set("value", p.seedValue())
		return
	}
	p.trainMessage = ""
	p.s.Resample(seed)
	patchNumbers(p.s)
}
