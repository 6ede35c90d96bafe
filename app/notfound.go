package ui

import (
	"strings"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// NotFound is the page of every address that names no page: an unknown
// path, a page's path with a trailing slash or with .html. Register routes
// every such path to it, and the static site's 404.html is it
// pre-rendered; GitHub Pages serves that file at any depth
// (/byhand/a/b/c), so every link it draws is absolute.
type NotFound struct {
	app.Compo
	prefs Prefs
}

// notFoundTitleKey is the not-found page's title message key.
const notFoundTitleKey = "notfound.doctitle"

func (n *NotFound) OnInit() { n.prefs = Prefs{Lang: i18n.EN, Theme: "system"} }

// OnPreRender gives the pre-rendered 404.html its title.
func (n *NotFound) OnPreRender(ctx app.Context) {
	ctx.Page().SetTitle(documentTitle(i18n.EN, notFoundTitleKey))
}

func (n *NotFound) OnMount(ctx app.Context) {
	n.prefs = loadPrefs(ctx)
	n.prefs.apply()
	setDocumentTitle(n.prefs.Lang, notFoundTitleKey)
	ctx.Defer(func(app.Context) { markReady("notfound") })
}

// onLang switches the language, and the tab's title with it.
func (n *NotFound) onLang(ctx app.Context, e app.Event) {
	n.prefs.OnLang(ctx, e)
	setDocumentTitle(n.prefs.Lang, notFoundTitleKey)
}

func (n *NotFound) Render() app.UI {
	return notFoundPage(n.prefs, n.onLang, n.prefs.OnTheme)
}

// notFoundPage is the whole not-found page: the top bar with the language
// and theme switches, then notFoundBody.
func notFoundPage(p Prefs, onLang, onTheme app.EventHandler) app.UI {
	return app.Div().Class("page notfound-page").Body(
		app.Header().Class("topbar").Body(
			app.A().Class("brand").Href(sitePath("/")).Text("byhand"),
			app.Span().Class("grow"),
			prefsControls(p, onLang, onTheme),
		),
		notFoundBody(p.Lang),
	)
}

// notFoundBody says, in lang, that no page lives at this address, and links
// the home page and every walkthrough.
func notFoundBody(lang i18n.Lang) app.UI {
	t := func(k string) string { return i18n.T(lang, k) }
	models := engine.Models()
	links := make([]app.UI, len(models))
	for i, m := range models {
		info := m.Info()
		links[i] = app.Li().Body(app.A().Href(sitePath("/"+info.Slug)).DataSet("model", info.Slug).Text(t(info.Title)))
	}
	return app.Main().Class("notfound").ID("notfound").Body(
		app.Div().Class("notfound-code").Attr("aria-hidden", "true").Body(
			app.Span().Text("4"), app.Span().Text("0"), app.Span().Text("4"),
		),
		app.H1().Text(t("notfound.heading")),
		app.P().Class("lead").Text(t("notfound.text")),
		app.P().Body(app.A().ID("notfound-home").Class("notfound-home").Href(sitePath("/")).Text(t("notfound.home"))),
		app.P().Class("notfound-list-label").Text(t("notfound.list")),
		app.Ul().Class("notfound-list").Body(links...),
	)
}

// sitePath returns the absolute address of the site's path p ("/",
// "/vae"), under the prefix the site is served from. While pre-rendering,
// go-app's resource resolver adds the prefix itself (and the builder's
// fixPages adds the slash that "/byhand" lacks); in the browser, go-app
// leaves such links as they are, so the prefix comes from app.js.
func sitePath(p string) string {
	if app.IsServer {
		return p
	}
	return strings.TrimSuffix(app.Getenv("GOAPP_ROOT_PREFIX"), "/") + p
}
