package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// A walkthrough on paper. On screen a model page draws the steps up to the
// current one; while it prints, it draws every step. The browser side is
// in web/surfaces.js: it says when a print starts and ends, turns Ctrl+P
// into a print of every step, and zooms out what is wider than the paper.
// (Phones and present mode need no Go: web/surfaces.js and app.css.)
//
// ModelPage uses it through four calls: lastShown for the last card it
// draws, printButton in its header, and watchPrint / unwatchPrint from
// OnMount / OnDismount.

// lastShown is the index of the last step the page draws: the current
// one, or the walkthrough's last while the page prints.
func (p *ModelPage) lastShown() int {
	if p.printOn {
		return p.s.Steps() - 1
	}
	return p.s.Page.Step
}

// printButton prints the whole walkthrough.
func (p *ModelPage) printButton() app.UI {
	return app.Button().ID("print").Class("print").Title(p.t("print.title")).Text(p.t("print.label")).
		OnClick(func(ctx app.Context, e app.Event) { p.printAll(ctx, true) })
}

// printAll draws every step. With dialog, it then opens the browser's print
// dialog, once the steps are in the page; the print's end (onPrint
// "after") draws the steps up to the current one again.
func (p *ModelPage) printAll(ctx app.Context, dialog bool) {
	if p.printStop == nil {
		return
	}
	if !p.printOn {
		// The steps after the current one stay out of sight on screen.
		app.Window().Call("byhandPrintStart")
		p.printOn = true
	}
	// The paper gets every number: the steps out of sight too.
	p.s.Refresh(time.Hour)
	patchNumbers(p.s)
	if dialog {
		ctx.Defer(func(app.Context) { app.Window().Call("byhandPrintNow") })
	}
}

// onPrint answers web/surfaces.js: "ask" (Ctrl+P), "before" (the browser
// is about to print: from its menu, the steps drawn now may come too late
// for the paper, which then says how to print them all) and "after".
func (p *ModelPage) onPrint(ctx app.Context, kind string) {
	switch kind {
	case "ask":
		p.printAll(ctx, true)
	case "before":
		p.printAll(ctx, false)
	case "after":
		p.printOn = false
	}
}

// watchPrint follows the browser's print events while the page is
// mounted. An embed prints as it is.
func (p *ModelPage) watchPrint(ctx app.Context) {
	if p.view.Embed || p.printStop != nil {
		return
	}
	f := app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) > 0 {
			kind := args[0].String()
			ctx.Dispatch(func(ctx app.Context) { p.onPrint(ctx, kind) })
		}
		return nil
	})
	stop := app.Window().Call("byhandWatchPrint", f)
	p.printStop = func() {
		stop.Invoke()
		f.Release()
	}
}

// unwatchPrint stops watching the browser's print events.
func (p *ModelPage) unwatchPrint() {
	if p.printStop != nil {
		p.printStop()
		p.printStop = nil
	}
}
