package ui

import (
	"strings"

	"github.com/byhand/byhand/app/i18n"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Prefs are what a reader's browser remembers: language and theme. They
// are read once when a page mounts; anything stored that is not one of the
// known values is ignored.
type Prefs struct {
	Lang  i18n.Lang
	Theme string // "system", "light" or "dark"
}

// Themes lists the theme choices in switch order.
var Themes = []string{"system", "light", "dark"}

const (
	keyLang  = "byhand.lang"
	keyTheme = "byhand.theme"
)

// ParseTheme returns the theme a stored value names, or "system".
func ParseTheme(s string) string {
	for _, t := range Themes {
		if s == t {
			return t
		}
	}
	return "system"
}

// loadPrefs reads the stored preferences, falling back to the browser's
// language and the system theme.
func loadPrefs(ctx app.Context) Prefs {
	p := Prefs{Lang: i18n.EN, Theme: "system"}
	var lang, theme string
	if err := ctx.LocalStorage().Get(keyLang, &lang); err == nil && lang != "" {
		if l, ok := i18n.Parse(lang); ok {
			p.Lang = l
		}
	} else if nav := app.Window().Get("navigator"); nav.Truthy() {
		if strings.HasPrefix(strings.ToLower(nav.Get("language").String()), "zh") {
			p.Lang = i18n.ZH
		}
	}
	if err := ctx.LocalStorage().Get(keyTheme, &theme); err == nil {
		p.Theme = ParseTheme(theme)
	}
	return p
}

// apply sets the page's language and theme on the document.
func (p Prefs) apply() {
	doc := app.Window().Get("document")
	if !doc.Truthy() {
		return
	}
	root := doc.Get("documentElement")
	root.Set("lang", map[i18n.Lang]string{i18n.EN: "en", i18n.ZH: "zh-Hans"}[p.Lang])
	if p.Theme == "system" {
		root.Call("removeAttribute", "data-theme")
	} else {
		root.Call("setAttribute", "data-theme", p.Theme)
	}
}

func (p Prefs) save(ctx app.Context) {
	ctx.LocalStorage().Set(keyLang, string(p.Lang))
	ctx.LocalStorage().Set(keyTheme, p.Theme)
}

// markReady tells tests and scripts that the page is interactive.
func markReady(name string) {
	doc := app.Window().Get("document")
	if doc.Truthy() && doc.Get("body").Truthy() {
		doc.Get("body").Call("setAttribute", "data-ready", name)
	}
}

// prefsControls draws the language and theme switches.
func prefsControls(p Prefs, onLang, onTheme app.EventHandler) app.UI {
	langs := make([]app.UI, len(i18n.Langs))
	for i, l := range i18n.Langs {
		langs[i] = selectIf(app.Option().Value(string(l)), l == p.Lang).Text(i18n.Native[l])
	}
	themes := make([]app.UI, len(Themes))
	for i, t := range Themes {
		themes[i] = selectIf(app.Option().Value(t), t == p.Theme).Text(i18n.T(p.Lang, "theme."+t))
	}
	return app.Div().Class("prefs").Body(
		app.Label().Class("sr-only").For("lang").Text(i18n.T(p.Lang, "lang.label")),
		app.Select().ID("lang").Attr("aria-label", i18n.T(p.Lang, "lang.label")).OnChange(onLang).Body(langs...),
		app.Label().Class("sr-only").For("theme").Text(i18n.T(p.Lang, "theme.label")),
		app.Select().ID("theme").Attr("aria-label", i18n.T(p.Lang, "theme.label")).OnChange(onTheme).Body(themes...),
	)
}

// selectIf marks an option selected only when on (see disable).
func selectIf(o app.HTMLOption, on bool) app.HTMLOption {
	if on {
		return o.Selected(true)
	}
	return o
}

// OnLang is the language switch's handler: it applies and remembers the
// choice. A page passes prefs.OnLang to prefsControls.
func (p *Prefs) OnLang(ctx app.Context, e app.Event) {
	if l, ok := i18n.Parse(ctx.JSSrc().Get("value").String()); ok {
		p.Lang = l
		p.apply()
		p.save(ctx)
	}
}

// OnTheme is the theme switch's handler.
func (p *Prefs) OnTheme(ctx app.Context, e app.Event) {
	p.Theme = ParseTheme(ctx.JSSrc().Get("value").String())
	p.apply()
	p.save(ctx)
}
