package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// ModelPage is the page of one walkthrough.
type ModelPage struct {
	app.Compo
	Slug string
}

func (p *ModelPage) Render() app.UI { return app.Main().Text(p.Slug) }
