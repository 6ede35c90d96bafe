package ui

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Printable worksheets and their answer keys. The print page (/print)
// draws, for each exercise number of a range, the walkthrough as a
// student works it on paper: a header with the walkthrough's title, the
// exercise number and lines for a name and a date, then its steps with
// the practice blanks as empty boxes (stepLayout, as on the page, with
// matrixLook.print). After the worksheets come their answer keys, one per
// exercise number, every number filled in and the ones the students
// write framed. Each sheet starts a new page; the paper is a CSS named
// page (web/app.css, "Worksheets"). With auto=1 the page opens the
// browser's print dialog once it is drawn: one print job for the lot.
//
// The URL: print?m=<slug>&from=1&to=30&keys=1&paper=a4|letter
// &blanks=forward|all|random&mode=hand|exact&auto=1 (an opened walkthrough
// file is file=… or src=… instead of m=, as on /open). The model page's
// Practice panel makes it with WorksheetDialog.
//
// No answer is in a worksheet: a blank is drawn from a practice
// session's view, which holds no number for it (CellView.Blank), and a
// matrix with blanks has no picture. Only the keys hold the answers.

// maxSheets is the most worksheets one print job makes (as many keys again).
const maxSheets = 60

// The paper sizes a sheet prints on (CSS named pages of the same names).
var papers = []string{"a4", "letter"}

// sheetScopes are the practice scopes a worksheet can have.
var sheetScopes = []engine.Scope{engine.ScopeForward, engine.ScopeAll, engine.ScopeRandom}

// SheetOptions is what the print page's URL asks for.
type SheetOptions struct {
	// The walkthrough: a shipped one (Slug, m=), or an opened file
	// carried in the link (File, file=) or fetched from this site (Src, src=).
	Slug, File, Src string
	// From and To are the first and last exercise numbers (0 is the
	// walkthrough's own numbers).
	From, To uint64
	Keys     bool   // print the answer keys after the worksheets
	Paper    string // "a4" or "letter"
	Scope    engine.Scope
	Mode     engine.Mode
	Auto     bool // open the print dialog once drawn
}

// DefaultSheetOptions are the print page's options where its URL says nothing.
func DefaultSheetOptions() SheetOptions {
	return SheetOptions{From: 1, To: 1, Keys: true, Paper: "a4", Scope: engine.ScopeForward, Mode: engine.Hand}
}

// Count is how many worksheets the options make.
func (o SheetOptions) Count() int { return int(o.To-o.From) + 1 }

// Query writes the options as the print page's query.
func (o SheetOptions) Query() string {
	var b strings.Builder
	switch {
	case o.File != "":
		b.WriteString("file=" + url.QueryEscape(o.File))
	case o.Src != "":
		b.WriteString("src=" + url.QueryEscape(o.Src))
	default:
		b.WriteString("m=" + url.QueryEscape(o.Slug))
	}
	flag := func(on bool) string {
		if on {
			return "1"
		}
		return "0"
	}
	b.WriteString("&from=" + strconv.FormatUint(o.From, 10) + "&to=" + strconv.FormatUint(o.To, 10) +
		"&keys=" + flag(o.Keys) + "&paper=" + o.Paper + "&blanks=" + pagestate.ScopeNames[o.Scope] +
		"&mode=" + o.Mode.String())
	if o.Auto {
		b.WriteString("&auto=1")
	}
	return b.String()
}

// ParseSheetOptions reads the print page's query. Every value that is
// not one the page can print is a problem (its field, its message key
// and the value as written); with any problem, nothing is printed.
// Parameters the page does not know are ignored.
func ParseSheetOptions(raw string) (SheetOptions, []pagestate.Problem) {
	o := DefaultSheetOptions()
	q := queryOf(raw)
	var probs []pagestate.Problem
	bad := func(field, key, value string) {
		if utf8.RuneCountInString(value) > 40 {
			value = string([]rune(value)[:40]) + "…"
		}
		probs = append(probs, pagestate.Problem{Field: field, Key: key, Value: value})
	}
	get := func(k string) (string, bool) {
		v, ok := q[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return strings.TrimSpace(v[0]), true
	}
	switch {
	case q.Has("file"):
		o.File, _ = get("file")
	case q.Has("src"):
		o.Src, _ = get("src")
	case q.Has("m"):
		o.Slug, _ = get("m")
		if engine.Lookup(o.Slug) == nil {
			bad("m", "worksheet.bad_model", o.Slug)
		}
	default:
		bad("m", "worksheet.no_model", "")
	}
	number := func(field string, def uint64) (uint64, bool) {
		s, ok := get(field)
		if !ok {
			return def, true
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			bad(field, "worksheet.bad_number", s)
			return def, false
		}
		return n, true
	}
	var okFrom, okTo bool
	o.From, okFrom = number("from", 1)
	o.To, okTo = number("to", o.From)
	switch {
	case !okFrom || !okTo:
	case o.To < o.From:
		bad("to", "worksheet.order", strconv.FormatUint(o.To, 10))
	case o.To-o.From >= maxSheets:
		bad("to", "worksheet.too_many", strconv.FormatUint(o.To-o.From+1, 10))
	}
	flag := func(field string, def bool) bool {
		s, ok := get(field)
		switch {
		case !ok:
			return def
		case s == "1":
			return true
		case s == "0":
			return false
		}
		bad(field, "worksheet.bad_flag", s)
		return def
	}
	o.Keys = flag("keys", true)
	o.Auto = flag("auto", false)
	if s, ok := get("paper"); ok {
		o.Paper = strings.ToLower(s)
		if o.Paper != "a4" && o.Paper != "letter" {
			bad("paper", "worksheet.bad_paper", s)
		}
	}
	if s, ok := get("blanks"); ok {
		if sc, ok := pagestate.ParseScope(s); ok && sc != engine.ScopeOff {
			o.Scope = sc
		} else {
			bad("blanks", "worksheet.bad_blanks", s)
		}
	}
	if s, ok := get("mode"); ok {
		if mode, ok := engine.ParseMode(s); ok {
			o.Mode = mode
		} else {
			bad("mode", "worksheet.bad_mode", s)
		}
	}
	return o, probs
}

// sheet is one printed document: a worksheet, or an answer key.
type sheet struct {
	N   uint64
	Key bool
	// Steps are the steps the sheet prints, as a practice session (a
	// worksheet) or a plain one (a key) draws them.
	Steps []StepView
	// Marks, on a key, are each step's cells the students write in: the
	// worksheet's boxes.
	Marks []map[cellKey]bool
}

// buildSheets works out exercise number n's worksheet and answer key. A
// step is printed when it has blanks, or when it has nothing not known
// from the numbers given (a step that only reads blanks, such as a
// backward step on a sheet of the forward steps, would be all dotted
// boxes). It reports false for a number that draws no exercise.
func buildSheets(m engine.Model, o SheetOptions, n uint64) (work, key sheet, ok bool) {
	base, ok := pagestate.Base(m, n)
	if !ok {
		return work, key, false
	}
	p := pagestate.Default(m)
	p.Numbers, p.Exercise, p.Mode = n, base, o.Mode
	plain := p.Clone()
	p.Practice = pagestate.Practice{Scope: o.Scope}
	ws := OpenSession(m, p)
	ks := OpenSession(m, plain)
	byID := make(map[string]*StepView, len(ks.Views))
	for i := range ks.Views {
		byID[ks.Views[i].ID] = &ks.Views[i]
	}
	work, key = sheet{N: n}, sheet{N: n, Key: true}
	for i := range ws.Views {
		v := ws.Views[i]
		marks := map[cellKey]bool{}
		blanks, unknown := 0, 0
		for _, mv := range v.Matrices {
			for r, row := range mv.Cells {
				for c, cell := range row {
					if cell.Blank {
						blanks++
					}
					if cell.Unknown {
						unknown++
					}
					if cell.Blank || cell.Unknown {
						marks[cellKey{mv.ID, r, c}] = true
					}
				}
			}
		}
		kv := byID[v.ID]
		if blanks == 0 && unknown > 0 || kv == nil {
			continue
		}
		work.Steps = append(work.Steps, paperView(v))
		key.Steps = append(key.Steps, paperView(*kv))
		key.Marks = append(key.Marks, marks)
	}
	return work, key, true
}

// paperView is a step's view for paper: the exercise's numbers are
// printed, not inputs. (The sessions leave out the worked examples of an
// exercise N ≠ 0, and on a worksheet those of steps with blanks.)
func paperView(v StepView) StepView {
	v.Matrices = append([]MatrixView(nil), v.Matrices...)
	for i := range v.Matrices {
		v.Matrices[i].Editable, v.Matrices[i].Noise = false, false
	}
	return v
}

// The print page's states.
const (
	printLoading = iota // before the wasm has read the URL (the pre-rendered page)
	printEmpty          // no options: the page says what it is for
	printBad            // the URL has problems: they are listed, nothing is printed
	printReady          // the sheets are drawn
)

// PrintPage is the print page: worksheets and answer keys for a range of
// exercise numbers. Its bar (on screen only) says what it holds and
// prints it again.
type PrintPage struct {
	app.Compo
	prefs    Prefs
	state    int
	opts     SheetOptions
	model    engine.Model
	problems []pagestate.Problem
	sheets   []sheet // the worksheets, then the keys
	// shown is how many sheets are drawn so far: a few more each frame,
	// so that the tab stays alive and says how far it is.
	shown   int
	printed bool
}

func (pg *PrintPage) OnInit() { pg.prefs = Prefs{Lang: i18n.EN, Theme: "system"} }

// OnPreRender gives the pre-rendered page its title.
func (pg *PrintPage) OnPreRender(ctx app.Context) {
	ctx.Page().SetTitle(documentTitle(i18n.EN, "worksheet.title"))
}

func (pg *PrintPage) OnMount(ctx app.Context) {
	pg.prefs = loadPrefs(ctx)
	pg.prefs.apply()
	pg.setTitle()
	raw := ctx.Page().URL().RawQuery
	// The work is done in a dispatch: the sheets are drawn in the frame
	// after it, and only then measured, marked ready and printed.
	ctx.Dispatch(func(ctx app.Context) {
		if strings.TrimSpace(raw) == "" {
			pg.state = printEmpty
			ctx.Defer(func(app.Context) { markReady("print") })
			return
		}
		pg.opts, pg.problems = ParseSheetOptions(raw)
		switch {
		case len(pg.problems) > 0:
			pg.finish(ctx)
		case pg.opts.Src != "":
			pg.fetch(ctx)
		case pg.opts.File != "":
			if src, ok := decodeFile(pg.opts.File); ok {
				pg.model, _ = engine.LoadOpened(src)
			}
			pg.build()
			pg.finish(ctx)
		default:
			pg.model = engine.Lookup(pg.opts.Slug)
			pg.build()
			pg.finish(ctx)
		}
	})
}

// fetch reads the walkthrough file of src= (same origin only, as /open).
func (pg *PrintPage) fetch(ctx app.Context) {
	var done app.Func
	done = app.FuncOf(func(this app.Value, args []app.Value) any {
		done.Release()
		text, why := args[0].String(), args[1].String()
		ctx.Dispatch(func(ctx app.Context) {
			if why == "" {
				pg.model, _ = engine.LoadOpened(text)
			}
			pg.build()
			pg.finish(ctx)
		})
		return nil
	})
	app.Window().Call("byhandFetchText", pg.opts.Src, maxWalkthroughFile, done)
}

// build works out every sheet, or says why it cannot.
func (pg *PrintPage) build() {
	if pg.model == nil {
		field := "file"
		if pg.opts.Src != "" {
			field = "src"
		}
		pg.problems = append(pg.problems, pagestate.Problem{Field: field, Key: "worksheet.bad_file"})
		return
	}
	var works, keys []sheet
	for n := pg.opts.From; ; n++ {
		w, k, ok := buildSheets(pg.model, pg.opts, n)
		if !ok {
			pg.problems = append(pg.problems, pagestate.Problem{Field: "from", Key: "worksheet.no_draw", Value: strconv.FormatUint(n, 10)})
			return
		}
		works, keys = append(works, w), append(keys, k)
		if n == pg.opts.To {
			break
		}
	}
	pg.sheets = works
	if pg.opts.Keys {
		pg.sheets = append(pg.sheets, keys...)
	}
}

// sheetsPerFrame is how many sheets are drawn in one frame.
const sheetsPerFrame = 2

// finish shows the problems, or draws the sheets a few at a time; once
// they are all in the page it fits them to the paper, marks the page ready
// and, with auto=1, opens the print dialog, once.
func (pg *PrintPage) finish(ctx app.Context) {
	if len(pg.problems) > 0 {
		pg.state, pg.sheets = printBad, nil
		ctx.Defer(func(app.Context) { markReady("print") })
		return
	}
	pg.state, pg.shown = printReady, 0
	pg.setTitle()
	pg.more(ctx)
}

// more draws the next sheets; after the frame that draws them, it asks
// for the next ones, until every sheet is drawn.
func (pg *PrintPage) more(ctx app.Context) {
	pg.shown = min(pg.shown+sheetsPerFrame, len(pg.sheets))
	ctx.Defer(func(ctx app.Context) {
		if pg.shown < len(pg.sheets) {
			ctx.Dispatch(pg.more)
			return
		}
		app.Window().Call("byhandFitSheets")
		markReady("print")
		if pg.opts.Auto && !pg.printed {
			pg.printed = true
			app.Window().Call("byhandPrintSheets")
		}
	})
}

// setTitle names the tab (and the PDF a browser saves): "Worksheets:
// Autoencoder · byhand".
func (pg *PrintPage) setTitle() {
	if pg.model == nil || pg.state != printReady {
		setDocumentTitle(pg.prefs.Lang, "worksheet.title")
		return
	}
	doc := app.Window().Get("document")
	if doc.Truthy() {
		doc.Set("title", i18n.T(pg.prefs.Lang, "worksheet.title")+": "+i18n.T(pg.prefs.Lang, pg.model.Info().Title)+" · byhand")
	}
}

func (pg *PrintPage) onLang(ctx app.Context, e app.Event) {
	pg.prefs.OnLang(ctx, e)
	pg.setTitle()
	if pg.state == printReady {
		ctx.Defer(func(app.Context) { app.Window().Call("byhandFitSheets") })
	}
}

func (pg *PrintPage) onPrint(ctx app.Context, e app.Event) {
	app.Window().Call("byhandPrintSheets")
}

func (pg *PrintPage) t(k string) string { return i18n.T(pg.prefs.Lang, k) }

func (pg *PrintPage) Render() app.UI {
	title := pg.t("worksheet.title")
	back := app.A().Class("print-back").Href("./").Text(pg.t("open.home"))
	var body []app.UI
	switch pg.state {
	case printLoading:
		body = append(body, app.P().Class("print-message").Text(pg.t("worksheet.preparing")))
	case printEmpty:
		body = append(body, app.P().Class("print-message").Text(pg.t("worksheet.lead")))
	case printBad:
		items := make([]app.UI, len(pg.problems))
		for i, pr := range pg.problems {
			items[i] = app.Li().Text(problemText(pg.prefs.Lang, pr))
		}
		body = append(body, app.Div().ID("print-problems").Class("print-message").Attr("role", "alert").Body(
			app.P().Text(pg.t("worksheet.not_printed")),
			app.Ul().Class("problems").Body(items...),
		))
	case printReady:
		title += ": " + pg.t(pg.model.Info().Title)
		back = app.A().Class("print-back").Href(pg.walkthroughHref()).Text(pg.t("worksheet.back"))
		for i := range pg.sheets[:pg.shown] {
			body = append(body, &SheetPaper{Sheet: &pg.sheets[i], Lang: pg.prefs.Lang, Title: pg.model.Info().Title,
				Paper: pg.opts.Paper, Scope: pg.opts.Scope, Mode: pg.opts.Mode})
		}
	}
	var summary, printBtn app.UI
	switch {
	case pg.state == printReady && pg.shown < len(pg.sheets):
		summary = app.Span().ID("print-summary").Class("print-summary").Attr("role", "status").
			Text(pg.t("worksheet.preparing") + " " + strconv.Itoa(pg.shown) + " / " + strconv.Itoa(len(pg.sheets)))
	case pg.state == printReady:
		summary = app.Span().ID("print-summary").Class("print-summary").Attr("role", "status").Text(pg.summary())
		printBtn = app.Button().ID("print-now").Class("primary").Title(pg.t("worksheet.print_hint")).
			Text(pg.t("worksheet.print_now")).OnClick(pg.onPrint)
	}
	return app.Div().Class("page print-page").Body(
		app.Header().Class("topbar print-bar").Body(
			app.A().Class("brand").Href("./").Text("byhand"),
			app.H1().Text(title),
			summary,
			app.Span().Class("grow"),
			printBtn,
			back,
			prefsControls(pg.prefs, pg.onLang, pg.prefs.OnTheme),
		),
		app.Main().ID("sheets").Class("sheets").Body(body...),
	)
}

// walkthroughHref is the relative address of the walkthrough's page.
func (pg *PrintPage) walkthroughHref() string {
	switch {
	case pg.opts.File != "":
		return "open?file=" + url.QueryEscape(pg.opts.File)
	case pg.opts.Src != "":
		return "open?src=" + url.QueryEscape(pg.opts.Src)
	}
	return pg.opts.Slug
}

// summary says what the page holds: "3 worksheets and 3 answer keys · A4 ·
// The forward steps · hand arithmetic".
func (pg *PrintPage) summary() string {
	key := "worksheet.summary"
	if pg.opts.Keys {
		key = "worksheet.summary_keys"
	}
	if pg.opts.Count() == 1 {
		key += "_one"
	}
	return strings.NewReplacer("{sheets}", strconv.Itoa(pg.opts.Count()),
		"{paper}", strings.ToUpper(pg.opts.Paper[:1])+pg.opts.Paper[1:],
		"{blanks}", pg.t("practice.scope."+pagestate.ScopeNames[pg.opts.Scope]),
		"{mode}", pg.t("worksheet.mode."+pg.opts.Mode.String())).Replace(pg.t(key))
}

// SheetPaper draws one worksheet or answer key. Its fields are plain
// values and a pointer that never changes: a sheet is drawn once, and
// again only when the language changes.
type SheetPaper struct {
	app.Compo
	Sheet *sheet
	Lang  i18n.Lang
	Title string // the walkthrough's title key
	Paper string
	Scope engine.Scope
	Mode  engine.Mode
}

func (sp *SheetPaper) Render() app.UI {
	sh := sp.Sheet
	t := func(k string) string { return i18n.T(sp.Lang, k) }
	n := strconv.FormatUint(sh.N, 10)
	title := t(sp.Title)
	kind, id, class := t("worksheet.kind"), "sheet-"+n, "sheet worksheet paper-"+sp.Paper
	if sh.Key {
		kind, id, class = t("worksheet.key"), "key-"+n, "sheet key paper-"+sp.Paper
	}
	meta := t("practice.scope."+pagestate.ScopeNames[sp.Scope]) + " · " + t("worksheet.mode."+sp.Mode.String())
	head := []app.UI{
		app.P().Class("sheet-kind").Body(app.Span().Class("sheet-brand").Text("byhand"), app.Text(" · "+kind)),
		app.H2().Class("sheet-title").Text(title),
	}
	if sh.Key {
		head = append(head,
			app.P().Class("sheet-number").Text(strings.ReplaceAll(t("worksheet.key_head"), "{n}", n)),
			app.P().Class("sheet-meta").Text(meta+". "+t("worksheet.key_note")),
		)
	} else {
		head = append(head,
			app.P().Class("sheet-number").Text(strings.ReplaceAll(t("worksheet.number"), "{n}", n)),
			app.Div().Class("sheet-fields").Body(
				app.P().Class("sheet-field name").Body(app.Span().Text(t("worksheet.name")), app.Span().Class("sheet-line")),
				app.P().Class("sheet-field date").Body(app.Span().Text(t("worksheet.date")), app.Span().Class("sheet-line")),
			),
			app.P().Class("sheet-meta").Text(meta+". "+t("worksheet.instructions")),
		)
	}
	body := []app.UI{app.Header().Class("sheet-head").Body(head...)}
	prefix, tag := "w"+n+".", strings.ReplaceAll(t("worksheet.tag"), "{n}", n)
	if sh.Key {
		prefix, tag = "k"+n+".", strings.ReplaceAll(t("worksheet.key_tag"), "{n}", n)
	}
	for i := range sh.Steps {
		look := matrixLook{step: prefix + sh.Steps[i].ID, lang: sp.Lang, print: true, readOnly: true}
		if sh.Key {
			look.sources = sh.Marks[i] // drawn as the answers (app.css)
		}
		body = append(body, sheetStep(&sh.Steps[i], look, !sh.Key, tag))
	}
	return app.Section().ID(id).Class(class).DataSet("n", n).Attr("aria-label", kind+" "+n).Body(body...)
}

// sheetStep draws one step on a sheet: its number and title, on a
// worksheet its text, note and formula, and its matrices. Its head also
// carries tag, the sheet's exercise number: a page of a sheet starts with
// a step, so every page says which exercise it belongs to.
func sheetStep(v *StepView, look matrixLook, full bool, tag string) app.UI {
	lang := look.lang
	body := []app.UI{app.Header().Class("ws-step-head").Body(
		app.Span().Class("step-num").Text(strconv.Itoa(v.Index+1)),
		app.H3().Text(i18n.T(lang, v.Title)),
		app.Span().Class("sheet-tag").Text(tag),
	)}
	if full {
		body = append(body, app.P().Class("step-text").Text(i18n.T(lang, v.Text)))
		if v.Worked != "" {
			body = append(body, app.P().Class("step-worked").Text(i18n.T(lang, v.Worked)))
		}
		if v.Note != "" {
			body = append(body, app.P().Class("step-note").Text(i18n.T(lang, v.Note)))
		}
		if v.Formula != "" {
			body = append(body, app.Div().Class("formula").Body(app.Raw(`<math display="block">`+v.Formula+`</math>`)))
		}
	}
	if v.WaitsOn > 0 {
		body = append(body, app.P().Class("waiting").Text(i18n.T(lang, "step.waits")+" "+strconv.Itoa(v.WaitsOn)+"."))
	} else {
		if v.Undefined != "" {
			body = append(body, app.P().Class("undefined").Text(i18n.T(lang, v.Undefined)))
		}
		body = append(body, stepLayout(v, look))
	}
	return app.Section().Class("ws-step").DataSet("step", v.ID).Body(body...)
}

// WorksheetDialog is the model page's "Print worksheets…": a button, and
// a dialog that chooses the exercise numbers, the paper, the blanks and
// the answer keys, and opens the print page in a new tab (a relative
// link, so that a site under a sub-path works).
type WorksheetDialog struct {
	app.Compo
	Lang i18n.Lang
	// The walkthrough: Slug, or for an opened file its link's source
	// ("file=…" or "src=…", ModelPage.Source).
	Slug, Source string
	// The page's exercise number, practice scope and mode: the dialog's
	// defaults when it opens.
	Numbers uint64
	Scope   engine.Scope
	Mode    engine.Mode

	from, to string // as typed
	paper    string
	scope    engine.Scope
	mode     engine.Mode
	keys     bool
}

func (d *WorksheetDialog) OnInit() { d.reset("a4") }

// reset sets the dialog's choices to their defaults.
func (d *WorksheetDialog) reset(paper string) {
	n := max(d.Numbers, 1)
	d.from, d.to = strconv.FormatUint(n, 10), strconv.FormatUint(n, 10)
	d.paper, d.scope, d.mode, d.keys = paper, d.Scope, d.Mode, true
	if d.scope == engine.ScopeOff {
		d.scope = engine.ScopeForward
	}
}

// localePaper is the paper the browser's language suggests: Letter in
// the United States and Canada, A4 elsewhere.
func localePaper() string {
	nav := app.Window().Get("navigator")
	if !nav.Truthy() {
		return "a4"
	}
	switch strings.ToLower(nav.Get("language").String()) {
	case "en-us", "en-ca", "es-us", "fr-ca":
		return "letter"
	}
	return "a4"
}

func (d *WorksheetDialog) t(k string) string { return i18n.T(d.Lang, k) }

// options are the dialog's choices, and false when the numbers typed are
// not a range the print page prints.
func (d *WorksheetDialog) options() (SheetOptions, bool) {
	o := DefaultSheetOptions()
	o.Slug = d.Slug
	if d.Source != "" {
		q := queryOf(d.Source)
		o.File, o.Src = q.Get("file"), q.Get("src")
	}
	o.Paper, o.Scope, o.Keys, o.Mode, o.Auto = d.paper, d.scope, d.keys, d.mode, true
	from, err1 := strconv.ParseUint(strings.TrimSpace(d.from), 10, 64)
	to, err2 := strconv.ParseUint(strings.TrimSpace(d.to), 10, 64)
	o.From, o.To = from, to
	return o, err1 == nil && err2 == nil && to >= from && to-from < maxSheets
}

func (d *WorksheetDialog) dialog() app.Value { return app.Window().GetElementByID("worksheet-dialog") }

func (d *WorksheetDialog) onOpen(ctx app.Context, e app.Event) {
	d.reset(localePaper())
	ctx.Defer(func(app.Context) {
		if dl := d.dialog(); dl.Truthy() && !dl.Get("open").Bool() {
			dl.Call("showModal")
		}
	})
}

func (d *WorksheetDialog) onClose(ctx app.Context, e app.Event) {
	if dl := d.dialog(); dl.Truthy() && dl.Get("open").Bool() {
		dl.Call("close")
	}
}

func (d *WorksheetDialog) Render() app.UI {
	t := d.t
	o, ok := d.options()
	var count string
	if ok {
		key := "worksheet.count"
		if o.Keys {
			key = "worksheet.count_keys"
		}
		if o.Count() == 1 {
			key += "_one"
		}
		count = strings.ReplaceAll(t(key), "{sheets}", strconv.Itoa(o.Count()))
	} else {
		count = t("worksheet.bad_range")
	}
	scopes := make([]app.UI, len(sheetScopes))
	for i, sc := range sheetScopes {
		name := pagestate.ScopeNames[sc]
		scopes[i] = selectIf(app.Option().Value(name), sc == d.scope).Text(t("practice.scope." + name))
	}
	paperOpts := make([]app.UI, len(papers))
	for i, p := range papers {
		paperOpts[i] = selectIf(app.Option().Value(p), p == d.paper).Text(t("worksheet.paper." + p))
	}
	modes := make([]app.UI, 0, 2)
	for _, m := range []engine.Mode{engine.Hand, engine.Exact} {
		modes = append(modes, selectIf(app.Option().Value(m.String()), m == d.mode).Text(t("worksheet.mode."+m.String())))
	}
	var goBtn app.UI
	if ok {
		goBtn = app.A().ID("worksheet-go").Class("button primary").Href("print?"+o.Query()).
			Attr("target", "_blank").Attr("rel", "noopener").Text(t("worksheet.print")).OnClick(d.onClose)
	} else {
		goBtn = app.Button().ID("worksheet-go").Class("primary").Disabled(true).Text(t("worksheet.print"))
	}
	return app.Div().Class("worksheet-print").Body(
		app.Button().ID("worksheet-open").Title(t("worksheet.open.title")).Text(t("worksheet.open")).OnClick(d.onOpen),
		app.Dialog().ID("worksheet-dialog").Class("worksheet-dialog").Aria("labelledby", "worksheet-dialog-title").Body(
			app.H2().ID("worksheet-dialog-title").Text(t("worksheet.dialog")),
			app.P().Class("panel-lead").Text(t("worksheet.dialog.lead")),
			app.Div().Class("ws-row").Body(
				app.Label().For("worksheet-from").Text(t("worksheet.from")),
				app.Input().ID("worksheet-from").Type("number").Attr("min", 0).Attr("inputmode", "numeric").
					Value(d.from).OnInput(func(ctx app.Context, e app.Event) { d.from = ctx.JSSrc().Get("value").String() }),
				app.Label().For("worksheet-to").Text(t("worksheet.to")),
				app.Input().ID("worksheet-to").Type("number").Attr("min", 0).Attr("inputmode", "numeric").
					Value(d.to).OnInput(func(ctx app.Context, e app.Event) { d.to = ctx.JSSrc().Get("value").String() }),
			),
			app.Div().Class("ws-row").Body(
				app.Label().For("worksheet-paper").Text(t("worksheet.paper")),
				app.Select().ID("worksheet-paper").Body(paperOpts...).
					OnChange(func(ctx app.Context, e app.Event) { d.paper = ctx.JSSrc().Get("value").String() }),
			),
			app.Div().Class("ws-row").Body(
				app.Label().For("worksheet-blanks").Text(t("worksheet.blanks")),
				app.Select().ID("worksheet-blanks").Body(scopes...).OnChange(d.onScope),
			),
			app.Div().Class("ws-row").Body(
				app.Label().For("worksheet-mode").Text(t("mode.label")),
				app.Select().ID("worksheet-mode").Body(modes...).OnChange(func(ctx app.Context, e app.Event) {
					if m, ok := engine.ParseMode(ctx.JSSrc().Get("value").String()); ok {
						d.mode = m
					}
				}),
			),
			app.Label().Class("check").Body(
				app.Input().ID("worksheet-keys").Type("checkbox").Checked(d.keys).
					OnChange(func(ctx app.Context, e app.Event) { d.keys = ctx.JSSrc().Get("checked").Bool() }),
				app.Span().Text(" "+t("worksheet.keys")),
			),
			app.P().ID("worksheet-count").Class("practice-note").Attr("role", "status").Text(count),
			app.P().Class("practice-note").Text(t("worksheet.new_tab")),
			app.Div().Class("ws-actions").Body(
				app.Button().ID("worksheet-cancel").Text(t("worksheet.cancel")).OnClick(d.onClose),
				goBtn,
			),
		),
	)
}

func (d *WorksheetDialog) onScope(ctx app.Context, e app.Event) {
	if sc, ok := pagestate.ParseScope(ctx.JSSrc().Get("value").String()); ok && sc != engine.ScopeOff {
		d.scope = sc
	}
}

// worksheetButton is the Practice panel's "Print worksheets…".
func (p *ModelPage) worksheetButton() app.UI {
	d := &WorksheetDialog{Lang: p.prefs.Lang, Slug: p.s.Model.Info().Slug, Numbers: p.s.Page.Numbers,
		Scope: p.s.Page.Practice.Scope, Mode: p.s.Page.Mode}
	if p.Source != "" {
		d.Source = p.Source
	}
	return d
}
