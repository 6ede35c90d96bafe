package ui

import (
	"strconv"

	"github.com/byhand/byhand/app/i18n"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// StepList lists a walkthrough's steps by number and title; a click asks
// the page to go to that step.
type StepList struct {
	app.Compo
	IDs, Titles []string // step ids and title keys
	Bad         []bool   // the step is undefined or waiting
	Cur         int
	Lang        i18n.Lang
}

func (l *StepList) Render() app.UI {
	items := make([]app.UI, len(l.IDs))
	for i, id := range l.IDs {
		class := "step-link"
		switch {
		case i == l.Cur:
			class += " current"
		case i < l.Cur:
			class += " done"
		}
		if i < len(l.Bad) && l.Bad[i] {
			class += " bad"
		}
		idx := i
		items[i] = app.Li().Body(app.Button().Class(class).DataSet("step", id).
			Attr("aria-current", i == l.Cur).
			OnClick(func(ctx app.Context, e app.Event) { ctx.NewActionWithValue(actionGoTo, idx) }, app.EventScope(id)).
			Body(app.Span().Class("n").Text(strconv.Itoa(i+1)), app.Span().Text(i18n.T(l.Lang, l.Titles[i]))))
	}
	return app.Nav().Class("step-list").Attr("aria-label", i18n.T(l.Lang, "nav.steps")).Body(app.Ol().Body(items...))
}
