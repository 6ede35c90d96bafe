package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// Home presents the models that work.
type Home struct{ app.Compo }

func (h *Home) Render() app.UI { return app.Main().Text("byhand") }
