package ui

import (
	"encoding/base64"
	"net/url"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// A teacher's own walkthrough: a file opened from the home page (by the
// file picker or by dropping it there, which opens /open?file=…), from a
// link that carries the file (?file=), or from a same-origin URL (?src=). It gets the same page
// as a shipped walkthrough; a file with problems opens nothing and lists
// them, each with its line and field.

// maxWalkthroughFile is the largest walkthrough file a page opens.
const maxWalkthroughFile = 256 << 10

// encodeFile writes a walkthrough file into a link: base64url, no padding.
func encodeFile(src string) string { return base64.RawURLEncoding.EncodeToString([]byte(src)) }

// decodeFile reads a file from a link.
func decodeFile(s string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > maxWalkthroughFile {
		return "", false
	}
	return string(b), true
}

// OpenPage is the page of an opened walkthrough file.
type OpenPage struct {
	app.Compo
	prefs    Prefs
	model    engine.Model
	source   string
	problems engine.Problems
	reason   string // a message key when the file could not be had at all
	loading  bool
}

func (o *OpenPage) OnInit() { o.prefs = Prefs{Lang: i18n.EN, Theme: "system"} }

// OnPreRender gives the pre-rendered page its title.
func (o *OpenPage) OnPreRender(ctx app.Context) {
	ctx.Page().SetTitle(documentTitle(i18n.EN, "open.title"))
}

// onLang switches the language, and the tab's title with it.
func (o *OpenPage) onLang(ctx app.Context, e app.Event) {
	o.prefs.OnLang(ctx, e)
	setDocumentTitle(o.prefs.Lang, "open.title")
}

func (o *OpenPage) OnMount(ctx app.Context) {
	o.prefs = loadPrefs(ctx)
	o.prefs.apply()
	setDocumentTitle(o.prefs.Lang, "open.title") // the walkthrough's page, once open, gives its own
	q := ctx.Page().URL().Query()
	switch {
	case q.Get("file") != "":
		src, ok := decodeFile(q.Get("file"))
		if !ok {
			o.reason = "open.bad_link"
			break
		}
		o.load(src, "file="+q.Get("file"))
	case q.Get("src") != "":
		o.loading = true
		from := q.Get("src")
		var done app.Func
		done = app.FuncOf(func(this app.Value, args []app.Value) any {
			done.Release()
			text, why := args[0].String(), args[1].String()
			ctx.Dispatch(func(ctx app.Context) {
				o.loading = false
				if why == "" {
					o.load(text, "src="+url.QueryEscape(from))
				} else {
					o.reason = "open.fetch_" + why
				}
				if o.model == nil {
					ctx.Defer(func(app.Context) { markReady("open") })
				}
			})
			return nil
		})
		app.Window().Call("byhandFetchText", from, maxWalkthroughFile, done)
	default:
		o.reason = "open.none"
	}
	if o.model == nil && !o.loading {
		ctx.Defer(func(app.Context) { markReady("open") })
	}
}

// load reads the file; a good one becomes the page.
func (o *OpenPage) load(src, source string) {
	m, probs := engine.LoadOpened(src)
	if probs != nil {
		o.problems = probs
		return
	}
	o.model, o.source = m, source
}

func (o *OpenPage) Render() app.UI {
	if o.model != nil {
		return &ModelPage{Slug: "open", Model: o.model, Source: o.source}
	}
	t := func(k string) string { return i18n.T(o.prefs.Lang, k) }
	body := []app.UI{app.H1().Text(t("open.title"))}
	switch {
	case o.loading:
		body = append(body, app.P().Text(t("open.loading")))
	case o.problems != nil:
		body = append(body, app.P().Text(t("open.has_problems")), problemList(o.problems))
	case o.reason != "":
		body = append(body, app.P().Class("open-reason").Text(t(o.reason)))
	}
	body = append(body, app.P().Body(app.A().Href("./").Text(t("open.home"))))
	return app.Div().Class("page home").Body(
		app.Header().Class("topbar").Body(
			app.A().Class("brand").Href("./").Text("byhand"),
			app.Span().Class("grow"),
			prefsControls(o.prefs, o.onLang, o.prefs.OnTheme),
		),
		app.Main().Class("home-main open-main").Body(body...),
	)
}

// problemList shows a file's problems as text, one per line.
func problemList(probs engine.Problems) app.UI {
	items := make([]app.UI, len(probs))
	for i, p := range probs {
		items[i] = app.Li().Text(p.Error())
	}
	return app.Ul().Class("problems").Body(items...)
}

// openPanel is the home page's "open a walkthrough file": a file picker
// and a place to drop a file. A good file opens at /open, carried in the
// URL; a bad one stays here with its problems.
type openPanel struct {
	problems engine.Problems
	reason   string
	dragging bool
}

func (h *Home) renderOpen(t func(string) string) app.UI {
	o := &h.open
	cls := "open-file"
	if o.dragging {
		cls += " dragging"
	}
	var msg app.UI
	switch {
	case o.problems != nil:
		msg = app.Div().Body(app.P().Text(t("open.has_problems")), problemList(o.problems))
	case o.reason != "":
		msg = app.P().Class("open-reason").Text(t(o.reason))
	}
	return app.Section().Class(cls).ID("open-file").
		On("dragover", func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			o.dragging = true
		}).
		On("dragleave", func(ctx app.Context, e app.Event) { o.dragging = false }).
		On("drop", h.onDrop).
		Body(
			app.H2().Text(t("open.title")),
			app.P().Text(t("open.lead")),
			app.Label().Class("button").For("open-file-input").Text(t("open.pick")),
			app.Input().Type("file").ID("open-file-input").Class("sr-only").
				Attr("accept", ".toml,text/plain").OnChange(h.onPick),
			msg,
		)
}

func (h *Home) onPick(ctx app.Context, e app.Event) {
	app.Window().Call("byhandReadFile", ctx.JSSrc(), maxWalkthroughFile, h.readDone(ctx))
}

func (h *Home) onDrop(ctx app.Context, e app.Event) {
	h.open.dragging = false
	app.Window().Call("byhandReadDropped", e.JSValue(), maxWalkthroughFile, h.readDone(ctx))
}

// readDone is the callback of a file read: a good file is kept and
// opened, a bad one shows its problems.
func (h *Home) readDone(ctx app.Context) app.Func {
	var done app.Func
	done = app.FuncOf(func(this app.Value, args []app.Value) any {
		done.Release()
		text, why := args[0].String(), args[1].String()
		ctx.Dispatch(func(ctx app.Context) {
			h.open = openPanel{}
			if why != "" {
				h.open.reason = "open.read_" + why
				return
			}
			if _, probs := engine.LoadOpened(text); probs != nil {
				h.open.problems = probs
				return
			}
			ctx.Navigate("open?file=" + encodeFile(text))
		})
		return nil
	})
	return done
}
