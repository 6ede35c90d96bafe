package ui

import (
	"github.com/byhand/byhand/app/pagestate"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// sharePanel: undo and redo, a link to this state, an embed of it, and
// the exercise as a file to keep or to give a class.
func (p *ModelPage) sharePanel() app.UI {
	status := p.shareMessage
	return app.Section().Class("share").Attr("aria-label", p.t("share.title")).Body(
		app.Div().Class("share-row").Body(
			app.Button().ID("copy-link").Text(p.t("share.copy_link")).OnClick(p.onCopyLink),
			app.Button().ID("copy-embed").Text(p.t("share.copy_embed")).OnClick(p.onCopyEmbed),
		),
		app.Div().Class("share-row").Body(
			app.Button().ID("export-json").Text(p.t("share.export")).Title(p.t("share.export.title")).OnClick(p.onExport),
			app.Label().Class("button").For("import-json").Title(p.t("share.import.title")).Text(p.t("share.import")),
			app.Input().ID("import-json").Class("sr-only").Type("file").Attr("accept", ".json,application/json").
				OnChange(p.onImport),
		),
		app.If(p.importError != "", func() app.UI {
			return app.P().ID("import-error").Class("share-error").Attr("role", "alert").Text(p.importError)
		}),
		app.If(p.shareText != "", func() app.UI {
			return app.Textarea().ID("share-text").Class("share-text").Attr("readonly", true).Attr("rows", 3).
				Attr("aria-label", p.t("share.text")).Text(p.shareText).
				OnFocus(func(ctx app.Context, e app.Event) { ctx.JSSrc().Call("select") })
		}),
		app.P().ID("share-status").Class("share-status").Attr("role", "status").Text(status),
	)
}

// copyText copies text and says how it went; the text is also shown, to
// be read or copied by hand when the browser refuses.
func (p *ModelPage) copyText(ctx app.Context, text, what string) {
	p.shareText = text
	await(ctx, app.Window().Call("byhandCopy", text), func(ctx app.Context, ok bool) {
		if ok {
			p.shareMessage = p.t(what) + " " + p.t("share.copied")
		} else {
			p.shareMessage = p.t("share.copy_failed")
		}
	})
}

func (p *ModelPage) onCopyLink(ctx app.Context, e app.Event) {
	if p.sync != nil {
		p.copyText(ctx, p.sync.link(), "share.link")
	}
}

func (p *ModelPage) onCopyEmbed(ctx app.Context, e app.Event) {
	if p.sync != nil {
		p.copyText(ctx, p.sync.embedCode(string(p.prefs.Lang)), "share.embed")
	}
}

func (p *ModelPage) onExport(ctx app.Context, e app.Event) {
	name := p.s.Model.Info().Slug + "-exercise.json"
	app.Window().Call("byhandDownload", name, "application/json", string(pagestate.Export(p.s.Model, p.s.Page)))
	p.shareMessage = p.t("share.exported") + " " + name
}

// onImport reads an exercise file: a good one replaces the exercise (one
// undo entry); a bad one changes nothing and says which field is wrong.
func (p *ModelPage) onImport(ctx app.Context, e app.Event) {
	var done app.Func
	done = app.FuncOf(func(this app.Value, args []app.Value) any {
		done.Release()
		text, why := args[0].String(), args[1].String()
		ctx.Dispatch(func(ctx app.Context) { p.importText(text, why) })
		return nil
	})
	app.Window().Call("byhandReadFile", ctx.JSSrc(), pagestate.MaxSaved, done)
}

func (p *ModelPage) importText(text, why string) {
	switch why {
	case "":
	case "too_big":
		p.importError = p.t("share.import_failed") + " " + problemText(p.prefs.Lang, pagestate.Problem{Key: pagestate.ProbTooBig})
		return
	default:
		p.importError = p.t("share.import_failed") + " " + p.t("file.unreadable")
		return
	}
	page, pr := pagestate.Import(p.s.Model, p.s.Page, []byte(text))
	if pr != nil {
		p.importError = p.t("share.import_failed") + " " + problemText(p.prefs.Lang, *pr)
		return
	}
	p.importError = ""
	p.s.Load(page)
	patchNumbers(p.s)
	p.shareMessage = p.t("share.imported")
}
