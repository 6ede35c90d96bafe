// Package ui holds the byhand pages as go-app components. It knows
// matrices, steps and roles, never model names: every model page is the
// same component reading a different engine.Model.
package ui

import (
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Paths returns every page's path: the home page, the page of an opened
// file, the print page of worksheets and one per model.
func Paths() []string {
	out := []string{"/", "/open", "/print"}
	for _, m := range engine.Models() {
		out = append(out, "/"+m.Info().Slug)
	}
	return out
}

// Register tells go-app which component serves which path.
func Register() {
	app.Route("/", func() app.Composer { return &Home{} })
	app.Route("/open", func() app.Composer { return &OpenPage{} })
	app.Route("/print", func() app.Composer { return &PrintPage{} })
	for _, m := range engine.Models() {
		slug := m.Info().Slug
		app.Route("/"+slug, func() app.Composer { return &ModelPage{Slug: slug} })
	}
	app.RouteWithRegexp("^/", func() app.Composer { return &NotFound{} }) // every other path (go-app v10.1.11 never reads app.NotFound)
}
