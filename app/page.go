package ui

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ModelPage is the page of one walkthrough: a header, the list of steps,
// the steps up to the current one, and the training panel. It knows
// nothing of any particular model.
type ModelPage struct {
	app.Compo
	Slug string

	s       *Session
	prefs   Prefs
	cur     int // index of the current step
	updated bool
	// controlled: a service worker served the page when it loaded.
	controlled bool
	present    bool

	lr           float64
	n            int
	training     bool
	stop         bool
	progress     int
	total        int
	trainMessage string
	removeKeys   func()
}

func (p *ModelPage) OnInit() {
	m := engine.Lookup(p.Slug)
	if m == nil {
		return
	}
	p.s = NewSession(m, engine.Hand)
	p.prefs = Prefs{Lang: i18n.EN, Theme: "system"}
	p.lr, p.n = m.Info().LearningRate, 100
	if !(p.lr > 0) {
		p.lr = 0.01
	}
}

func (p *ModelPage) OnMount(ctx app.Context) {
	p.prefs = loadPrefs(ctx)
	p.prefs.apply()
	p.controlled = controlledBySW()
	keydown := app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) > 0 {
			p.onKey(ctx, args[0])
		}
		return nil
	})
	app.Window().Call("addEventListener", "keydown", keydown)
	p.removeKeys = func() {
		app.Window().Call("removeEventListener", "keydown", keydown)
		keydown.Release()
	}
	ctx.Handle(actionGoTo, func(ctx app.Context, a app.Action) {
		if i, ok := a.Value.(int); ok {
			p.goTo(ctx, i)
		}
	})
	// A card changed numbers that change more than numbers: redraw.
	ctx.Handle(actionRecomputed, func(ctx app.Context, a app.Action) {})
	ctx.Defer(func(app.Context) { markReady(p.Slug) })
}

// The actions a page's children send it.
const (
	actionGoTo       = "byhand.goto"       // Value: the step's index
	actionRecomputed = "byhand.recomputed" // the session's numbers changed
)

func (p *ModelPage) OnDismount() {
	if p.removeKeys != nil {
		p.removeKeys()
	}
	app.Window().Get("document").Get("documentElement").Call("removeAttribute", "data-present")
	p.stop = true
}

// OnAppUpdate offers a reload when a new version was installed while the
// page was open. A first visit (no worker in control yet) installs the
// only version there is: nothing to offer then.
func (p *ModelPage) OnAppUpdate(ctx app.Context) {
	p.updated = ctx.AppUpdateAvailable() && p.controlled
}

// controlledBySW reports whether a service worker served this page.
func controlledBySW() bool {
	nav := app.Window().Get("navigator")
	if !nav.Truthy() || !nav.Get("serviceWorker").Truthy() {
		return false
	}
	return nav.Get("serviceWorker").Get("controller").Truthy()
}

// onKey: ← and → step through the walkthrough, Home and End jump, unless
// the reader is typing.
func (p *ModelPage) onKey(ctx app.Context, e app.Value) {
	active := app.Window().Get("document").Get("activeElement")
	if active.Truthy() {
		switch active.Get("tagName").String() {
		case "INPUT", "SELECT", "TEXTAREA":
			return
		}
	}
	if e.Get("altKey").Bool() || e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool() {
		return
	}
	last := len(p.s.Views) - 1
	to := p.cur
	switch e.Get("key").String() {
	case "ArrowRight":
		to++
	case "ArrowLeft":
		to--
	case "Home":
		to = 0
	case "End":
		to = last
	default:
		return
	}
	e.Call("preventDefault")
	ctx.Dispatch(func(ctx app.Context) { p.goTo(ctx, to) })
}

func (p *ModelPage) goTo(ctx app.Context, i int) {
	if i < 0 {
		i = 0
	}
	if last := len(p.s.Views) - 1; i > last {
		i = last
	}
	p.cur = i
	id := p.s.Views[i].ID
	ctx.Defer(func(app.Context) {
		el := app.Window().GetElementByID("step-" + id)
		if el.Truthy() {
			el.Call("scrollIntoView", map[string]any{"block": "start", "behavior": "smooth"})
		}
	})
}

func (p *ModelPage) t(key string) string { return i18n.T(p.prefs.Lang, key) }

func (p *ModelPage) Render() app.UI {
	if p.s == nil {
		return app.Main().Class("notfound").Body(app.H1().Text(p.t("notfound.title")),
			app.A().Href("./").Text(p.t("nav.home")))
	}
	info := p.s.Model.Info()
	n := len(p.s.Views)
	cards := make([]app.UI, 0, p.cur+1)
	for i := 0; i <= p.cur && i < n; i++ {
		cards = append(cards, &StepCard{Index: i, Shape: p.s.Views[i].Shape, Lang: p.prefs.Lang, Mode: p.s.Mode,
			Current: i == p.cur, Session: p.s})
	}
	return app.Div().Class("page model-page").Body(
		p.header(info, n),
		app.If(p.updated, func() app.UI {
			return app.Div().Class("update").Body(app.Text(p.t("update.available")+" "),
				app.Button().Text(p.t("update.reload")).OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }))
		}),
		app.Div().Class("layout").Body(
			app.Aside().Class("sidebar").Body(p.stepList(), p.trainPanel(), p.legend()),
			app.Main().Class("steps").ID("steps").Body(
				app.Div().Class("steps-inner").Body(cards...),
				app.If(p.cur < n-1, func() app.UI {
					return app.Div().Class("more").Body(
						app.Button().ID("next-bottom").Class("primary").
							Text(p.t("nav.next")+" → "+strconv.Itoa(p.cur+2)+". "+p.t(p.s.Views[p.cur+1].Title)).
							OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, p.cur+1) }),
						app.Button().ID("show-all").Text(p.t("nav.all")).
							OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, n-1) }),
					)
				}),
			),
		),
	)
}

func (p *ModelPage) header(info engine.Info, n int) app.UI {
	mode := func(m engine.Mode, key string) app.UI {
		return app.Button().DataSet("mode", m.String()).Attr("aria-pressed", p.s.Mode == m).
			Class("seg").Title(p.t(key + ".title")).Text(p.t(key)).
			OnClick(func(ctx app.Context, e app.Event) { p.s.SetMode(m); patchNumbers(p.s) })
	}
	return app.Header().Class("topbar").Body(
		app.A().Class("brand").Href("./").Text("byhand"),
		app.H1().Text(p.t(info.Title)),
		app.Div().Class("mode").Attr("role", "group").Attr("aria-label", p.t("mode.label")).Body(
			app.Span().Class("mode-label").Text(p.t("mode.label")),
			mode(engine.Hand, "mode.hand"), mode(engine.Exact, "mode.exact"),
		),
		app.Div().Class("stepper").Body(
			disable(app.Button().ID("prev").Attr("aria-label", p.t("nav.prev")).Text("←"), p.cur == 0).
				OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, p.cur-1) }),
			app.Span().ID("step-count").Attr("aria-live", "polite").
				Text(p.t("nav.step")+" "+strconv.Itoa(p.cur+1)+" / "+strconv.Itoa(n)),
			disable(app.Button().ID("next").Attr("aria-label", p.t("nav.next")).Text("→"), p.cur >= n-1).
				OnClick(func(ctx app.Context, e app.Event) { p.goTo(ctx, p.cur+1) }),
		),
		app.Button().ID("present").Class("present").Attr("aria-pressed", p.present).
			Title(p.t("present.title")).Text(p.t("present.label")).OnClick(p.onPresent),
		prefsControls(p.prefs, p.prefs.OnLang, p.prefs.OnTheme),
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
	l := &StepList{Cur: p.cur, Lang: p.prefs.Lang, IDs: make([]string, len(p.s.Views)),
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
		app.H3().Text(t("legend.title")),
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

// trainPanel: the loss, one update, N updates with a curve, reset and
// (for models with noise) resampling.
func (p *ModelPage) trainPanel() app.UI {
	loss, ok := p.s.Loss()
	lossText, lossV := p.t("loss.undefined"), ""
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
	return app.Section().Class("train").Attr("aria-label", p.t("train.title")).Body(
		app.H3().Text(p.t("train.title")),
		app.P().Class("loss-line").Body(
			app.Span().Text(p.t("loss.label")+" "),
			app.Strong().ID("loss").DataSet("v", lossV).Text(lossText),
		),
		lossCurve(p.s, p.prefs.Lang),
		app.Div().Class("train-row").Body(
			app.Label().For("lr").Text(p.t("train.lr")),
			app.Input().ID("lr").Type("text").Attr("inputmode", "decimal").Value(engine.Format(p.lr)).
				OnChange(p.onLR),
			disable(app.Button().ID("apply").Text(p.t("train.apply")), p.training).OnClick(p.onApply),
		),
		app.Div().Class("train-row").Body(
			app.Label().For("train-n").Text(p.t("train.n")),
			app.Input().ID("train-n").Type("number").Attr("min", 1).Attr("max", 10000).Value(p.n).
				OnChange(p.onN),
			app.If(!p.training, func() app.UI {
				return app.Button().ID("train").Class("primary").Text(p.t("train.run")).OnClick(p.onTrain)
			}).Else(func() app.UI {
				return app.Button().ID("stop").Text(p.t("train.stop")).OnClick(func(ctx app.Context, e app.Event) { p.stop = true })
			}),
			disable(app.Button().ID("reset").Text(p.t("train.reset")), p.training).OnClick(p.onReset),
		),
		app.If(p.s.CanResample(), func() app.UI {
			return app.Div().Class("train-row").Body(
				app.Span().Text(p.t("noise.seed")+" "),
				app.Code().ID("seed").Text(p.seedText()),
				disable(app.Button().ID("resample").Text(p.t("noise.resample")), p.training).OnClick(p.onResample),
			)
		}),
		app.P().Class("train-status").Attr("role", "status").Text(status),
	)
}

func (p *ModelPage) onLR(ctx app.Context, e app.Event) {
	v, err := engine.ParseNumber(ctx.JSSrc().Get("value").String())
	if err != nil || v <= 0 || v > 10 {
		p.trainMessage = "train.bad_lr"
		ctx.JSSrc().Set("value", engine.Format(p.lr))
		return
	}
	p.lr, p.trainMessage = v, ""
}

func (p *ModelPage) onN(ctx app.Context, e app.Event) {
	v, err := strconv.Atoi(ctx.JSSrc().Get("value").String())
	if err != nil || v < 1 || v > 10000 {
		p.trainMessage = "train.bad_n"
		ctx.JSSrc().Set("value", strconv.Itoa(p.n))
		return
	}
	p.n, p.trainMessage = v, ""
}

func (p *ModelPage) onApply(ctx app.Context, e app.Event) {
	defer patchNumbers(p.s)
	if _, ok := p.s.Train(1, p.lr, time.Time{}); !ok {
		p.trainMessage = "train.refused"
		return
	}
	p.trainMessage = ""
}

func (p *ModelPage) onReset(ctx app.Context, e app.Event) {
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
// grows as it goes.
func (p *ModelPage) onTrain(ctx app.Context, e app.Event) {
	if p.training {
		return
	}
	p.training, p.stop, p.progress, p.total, p.trainMessage = true, false, 0, p.n, ""
	markTraining(true)
	ctx.After(0, p.trainSlice)
}

func (p *ModelPage) trainSlice(ctx app.Context) {
	if p.stop || p.progress >= p.total {
		p.training = false
		if p.stop && p.progress < p.total {
			p.trainMessage = "train.stopped"
		}
		markTraining(false)
		return
	}
	done, ok := p.s.Train(p.total-p.progress, p.lr, time.Now().Add(12*time.Millisecond))
	p.progress += done
	patchNumbers(p.s)
	if !ok {
		p.training, p.trainMessage = false, "train.refused"
		markTraining(false)
		return
	}
	ctx.After(4*time.Millisecond, p.trainSlice)
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

// seedText shows the noise's seed, or says the noise was chosen by hand.
func (p *ModelPage) seedText() string {
	if p.s.State.Seed == 0 {
		return p.t("noise.by_hand")
	}
	return strconv.FormatUint(p.s.State.Seed, 10)
}
