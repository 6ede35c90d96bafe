package ui

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// pageSync writes a page's state out of the page, from the session's
// change hook only: the step into the URL (replacing the history entry,
// never pushing one per step), the saved work into the browser's storage,
// and the events a parent deck listens to. It also reads the parent's
// commands and the keyboard. It exists only in a browser.
type pageSync struct {
	p        *ModelPage
	slug     string
	saveDue  bool
	stateDue bool
	// lastChrome is chrome() as last drawn.
	lastChrome string
	removers   []func()
}

// workKey is where a model's saved work is kept in localStorage.
func workKey(slug string) string { return "byhand.work." + slug }

// loadWork reads a model's saved work, if there is any.
func loadWork(slug string) (string, bool) {
	ls := app.Window().Get("localStorage")
	if !ls.Truthy() {
		return "", false
	}
	v := ls.Call("getItem", workKey(slug))
	if !v.Truthy() {
		return "", false
	}
	return v.String(), true
}

func startSync(ctx app.Context, p *ModelPage) *pageSync {
	s := &pageSync{p: p, slug: p.storeAs()}
	s.lastChrome = s.chrome()
	keydown := app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) > 0 {
			p.onKey(ctx, args[0])
		}
		return nil
	})
	app.Window().Call("addEventListener", "keydown", keydown)
	s.removers = append(s.removers, func() {
		app.Window().Call("removeEventListener", "keydown", keydown)
		keydown.Release()
	})
	if p.view.Embed || app.Window().Get("parent").Truthy() && !app.Window().Get("parent").Equal(app.Window().JSValue()) {
		onMessage := app.FuncOf(func(this app.Value, args []app.Value) any {
			if len(args) == 2 {
				origin, data := args[0].String(), args[1].String()
				ctx.Dispatch(func(ctx app.Context) { s.command(ctx, origin, data) })
			}
			return nil
		})
		remove := app.Window().Call("byhandListen", onMessage)
		s.removers = append(s.removers, func() {
			remove.Invoke()
			onMessage.Release()
		})
	}
	// Work not yet saved is saved as the page goes away or out of sight.
	flush := app.FuncOf(func(this app.Value, args []app.Value) any {
		if s.saveDue {
			s.save()
		}
		return nil
	})
	app.Window().Call("addEventListener", "pagehide", flush)
	app.Window().Get("document").Call("addEventListener", "visibilitychange", flush)
	s.removers = append(s.removers, func() {
		app.Window().Call("removeEventListener", "pagehide", flush)
		app.Window().Get("document").Call("removeEventListener", "visibilitychange", flush)
		flush.Release()
	})
	s.writeURL()
	return s
}

func (s *pageSync) stop() {
	for _, f := range s.removers {
		f()
	}
	s.removers = nil
}

// chrome sums up what the page's own controls show of the state (undo
// and redo, the seed): an edit drawn straight into the cells redraws the
// page only when this changes.
func (s *pageSync) chrome() string {
	ps := s.p.s
	return strconv.FormatBool(ps.CanUndo()) + strconv.FormatBool(ps.CanRedo()) +
		strconv.FormatUint(ps.Page.Exercise.Seed, 10)
}

// changed is called by the session's change hook.
func (s *pageSync) changed(ctx app.Context, c Change) {
	if sig := s.chrome(); sig != s.lastChrome {
		s.lastChrome = sig
		ctx.Dispatch(func(ctx app.Context) {
			// go-app drops an empty value attribute rather than clearing
			// the box: set the seed box's text itself.
			ctx.Defer(func(app.Context) {
				if el := app.Window().GetElementByID("seed"); el.Truthy() &&
					!el.Equal(app.Window().Get("document").Get("activeElement")) {
					el.Set("value", s.p.seedValue())
				}
			})
		})
	}
	if c.Kind == ChangeStep {
		s.writeURL()
		s.announce("step")
	} else {
		if s.p.view.Embed {
			s.writeURL()
		}
		if !s.stateDue {
			s.stateDue = true
			ctx.After(100*time.Millisecond, func(ctx app.Context) {
				ctx.PreventUpdate() // nothing on the page changes
				s.stateDue = false
				s.announce("state")
			})
		}
	}
	if c.Kind.Content() && c.Kind != ChangeLoad {
		s.p.notice = notice{}
	}
	if !s.p.view.Embed && !s.saveDue {
		s.saveDue = true
		ctx.After(300*time.Millisecond, func(ctx app.Context) {
			ctx.PreventUpdate() // nothing on the page changes
			if s.saveDue {
				s.save()
			}
		})
	}
}

// save keeps the page's state in the browser, or forgets it when it is
// the default page.
func (s *pageSync) save() {
	s.saveDue = false
	ls := app.Window().Get("localStorage")
	if !ls.Truthy() {
		return
	}
	m, page := s.p.s.Model, s.p.s.Page
	if page.Equal(pagestate.Default(m)) {
		ls.Call("removeItem", workKey(s.slug))
		return
	}
	defer func() { _ = recover() }() // storage full or refused: the page goes on
	ls.Call("setItem", workKey(s.slug), pagestate.EncodeSaved(m, page))
}

// writeURL replaces the page's URL: the view options it was opened with,
// then the step (and in an embed, whose state is not saved, the whole
// state), keeping the #fragment out once the reader moves.
func (s *pageSync) writeURL() {
	loc := app.Window().Get("location")
	q := viewQuery(loc.Get("search").String())
	if s.p.view.Embed {
		if st := pagestate.Encode(s.p.s.Model, s.p.s.Page); st != "" {
			q = append(q, st)
		}
	} else if s.p.s.Page.Step > 0 {
		q = append(q, "step="+strconv.Itoa(s.p.s.Page.Step+1))
	}
	u := loc.Get("pathname").String()
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	if u != loc.Get("pathname").String()+loc.Get("search").String() || loc.Get("hash").String() != "" {
		app.Window().Get("history").Call("replaceState", app.Window().Get("history").Get("state"), "", u)
	}
}

// viewQuery keeps the view options of a query, as they were written.
func viewQuery(search string) []string {
	var out []string
	for _, part := range strings.Split(strings.TrimPrefix(search, "?"), "&") {
		k, _, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		if pagestate.IsViewKey(k) {
			out = append(out, part)
		}
	}
	return out
}

// link is the absolute URL that reopens the page in its state.
func (s *pageSync) link() string {
	loc := app.Window().Get("location")
	u := loc.Get("origin").String() + loc.Get("pathname").String()
	q := pagestate.Encode(s.p.s.Model, s.p.s.Page)
	if s.p.Source != "" {
		q = strings.TrimSuffix(s.p.Source+"&"+q, "&")
	}
	if q != "" {
		u += "?" + q
	}
	return u
}

// embedCode is a ready <iframe> for the page in its state and step.
func (s *pageSync) embedCode(lang string) string {
	loc := app.Window().Get("location")
	v := s.p.view
	v.Embed, v.Lang = true, lang
	q := pagestate.EmbedQuery(s.p.s.Model, s.p.s.Page, v)
	if s.p.Source != "" {
		q = s.p.Source + "&" + q
	}
	src := loc.Get("origin").String() + loc.Get("pathname").String() + "?" + q
	title := "byhand: " + s.p.t(s.p.s.Model.Info().Title)
	return `<iframe src="` + htmlAttr(src) + `" title="` + htmlAttr(title) +
		`" width="800" height="450" style="border:0;max-width:100%" loading="lazy"></iframe>`
}

func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// announce posts an event to the parent window, if there is one.
func (s *pageSync) announce(name string) {
	w := app.Window()
	if !w.Get("parent").Truthy() || w.Get("parent").Equal(w.JSValue()) {
		return
	}
	p := s.p
	first, last := p.view.Range(p.s.Steps())
	e := pagestate.Event{Name: name, Model: s.slug, Step: p.s.Page.Step + 1, Steps: p.s.Steps(),
		First: first + 1, Last: last + 1, Mode: p.s.Page.Mode.String(), Link: s.link()}
	b, _ := json.Marshal(e)
	// Only to a trusted parent when origins are named (byhand.js).
	w.Call("byhandPost", string(b), strings.Join(p.view.Origins, " "))
}

// command carries out a parent's command, or logs why it was ignored.
func (s *pageSync) command(ctx app.Context, origin, data string) {
	c, err := pagestate.ParseCommand(origin, s.p.view.Origins, []byte(data))
	if err != nil {
		level := "warn"
		if strings.HasPrefix(data, `"`) {
			level = "debug" // a string, such as reveal.js's own "slide:start": not meant for us
		}
		app.Window().Get("console").Call(level, "byhand: ignored a message: "+err.Error())
		return
	}
	p := s.p
	switch c.Name {
	case "next":
		p.goTo(ctx, p.s.Page.Step+1)
	case "prev":
		p.goTo(ctx, p.s.Page.Step-1)
	case "goto":
		p.goTo(ctx, c.Step-1)
	case "set":
		if err := p.s.Set(c.Var, c.Row-1, c.Col-1, c.Value); err != nil {
			app.Window().Get("console").Call("warn", "byhand: ignored a message: set "+c.Var+": "+p.t(err.Error()))
			return
		}
		patchNumbers(p.s)
	case "mode":
		m, _ := engine.ParseMode(c.ModeName) // checked by pagestate.ParseCommand
		p.s.SetMode(m)
		patchNumbers(p.s)
	case "reset":
		p.reset()
	case "link":
		s.announce("link")
	}
}

// shouldAnnounceUpdate reports whether a newly installed version is news
// to this page: only when a service worker served the page as it loaded
// (read by web/byhand.js before the app started, so that a worker that
// took control later, on a first visit, does not count).
func shouldAnnounceUpdate() bool {
	return app.Window().Get("byhandControlledAtLoad").Truthy()
}

// queryOf parses a raw query, ignoring what cannot be read (the decoders
// name it).
func queryOf(raw string) url.Values {
	q, _ := url.ParseQuery(raw)
	return q
}
