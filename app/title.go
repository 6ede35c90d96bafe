package ui

import (
	"github.com/byhand/byhand/app/i18n"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// documentTitle is a page's <title> in lang: the name titleKey gives,
// then the site's ("Autoencoder · byhand"), or for the home page
// (titleKey "") the site's own title.
func documentTitle(lang i18n.Lang, titleKey string) string {
	if titleKey == "" {
		return i18n.T(lang, "site.title")
	}
	return i18n.T(lang, titleKey) + " · byhand"
}

// setDocumentTitle sets the browser tab's title: a page calls it when it
// mounts and when its language changes. titleKey is the model's
// Info().Title message key, or "" for the home page. Outside a browser it
// does nothing.
func setDocumentTitle(lang i18n.Lang, titleKey string) {
	doc := app.Window().Get("document")
	if !doc.Truthy() {
		return
	}
	doc.Set("title", documentTitle(lang, titleKey))
}

// OnPreRender gives a model's pre-rendered page its English title.
func (p *ModelPage) OnPreRender(ctx app.Context) {
	key := notFoundTitleKey
	if p.s != nil {
		key = p.s.Model.Info().Title
	}
	ctx.Page().SetTitle(documentTitle(i18n.EN, key))
}
