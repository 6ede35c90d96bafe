package ui

import (
	"strconv"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Home presents every model that works, each with a small picture and one
// line, in the order a course would take them.
type Home struct {
	app.Compo
	prefs Prefs
	open  openPanel
}

func (h *Home) OnInit() { h.prefs = Prefs{Lang: i18n.EN, Theme: "system"} }

// OnPreRender gives the pre-rendered home page the site's title.
func (h *Home) OnPreRender(ctx app.Context) { ctx.Page().SetTitle(documentTitle(i18n.EN, "")) }

func (h *Home) OnMount(ctx app.Context) {
	h.prefs = loadPrefs(ctx)
	h.prefs.apply()
	setDocumentTitle(h.prefs.Lang, "")
	ctx.Defer(func(app.Context) { markReady("home") })
}

// onLang switches the language, and the tab's title with it.
func (h *Home) onLang(ctx app.Context, e app.Event) {
	h.prefs.OnLang(ctx, e)
	setDocumentTitle(h.prefs.Lang, "")
}

func (h *Home) Render() app.UI {
	t := func(k string) string { return i18n.T(h.prefs.Lang, k) }
	// One list of cards per group, in the groups' order; the cards are
	// numbered across the groups, in the order a course would take them.
	var groups []app.UI
	var cards []app.UI
	group := ""
	flush := func() {
		if len(cards) > 0 {
			groups = append(groups, app.Section().Class("model-group").DataSet("group", group).Body(
				app.H2().Class("group-title").Text(t("group."+group)),
				app.Ul().Class("model-cards").Body(cards...),
			))
		}
		cards = nil
	}
	for i, m := range engine.Models() {
		info := m.Info()
		if info.Group != group {
			flush()
			group = info.Group
		}
		cards = append(cards, app.Li().Body(app.A().Class("model-card").Href(info.Slug).DataSet("model", info.Slug).Body(
			icon(info.Icon),
			app.Div().Body(
				app.H3().Text(strconv.Itoa(i+1)+". "+t(info.Title)),
				app.P().Text(t(info.Blurb)),
			),
		)))
	}
	flush()
	return app.Div().Class("page home").Body(
		app.Header().Class("topbar").Body(
			app.A().Class("brand").Href("./").Text("byhand"),
			app.Span().Class("grow"),
			prefsControls(h.prefs, h.onLang, h.prefs.OnTheme),
		),
		app.Main().Class("home-main").Body(
			app.H1().Text(t("home.title")),
			app.P().Class("lead").Text(t("home.lead")),
			app.Div().Class("model-groups").Body(groups...),
			h.renderOpen(t),
			app.P().Class("home-how").Text(t("home.how")),
		),
	)
}

// icon draws a model's small picture: a grid of grey cells.
func icon(grid [][]float64) app.UI {
	if len(grid) == 0 {
		return nil
	}
	cells := make([]app.UI, 0, len(grid)*len(grid[0]))
	for _, row := range grid {
		for _, v := range row {
			g := strconv.Itoa(int(40 + 200*clamp01(v)))
			cells = append(cells, app.Span().Style("background", "rgb("+g+","+g+","+g+")"))
		}
	}
	return app.Div().Class("icon").Attr("aria-hidden", "true").
		Style("grid-template-columns", "repeat("+strconv.Itoa(len(grid[0]))+", 1fr)").Body(cells...)
}

func clamp01(v float64) float64 {
	if v < 0 || v != v {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}
