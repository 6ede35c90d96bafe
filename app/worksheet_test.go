package ui

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// TestSheetOptions: the print page's URL is read back as written, its
// defaults are those of the issue, and every bad value is named.
func TestSheetOptions(t *testing.T) {
	o, probs := ParseSheetOptions("m=autoencoder")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if want := (SheetOptions{Slug: "autoencoder", From: 1, To: 1, Keys: true, Paper: "a4", Scope: engine.ScopeForward, Mode: engine.Hand}); o != want {
		t.Errorf("defaults %+v, want %+v", o, want)
	}
	if o, _ := ParseSheetOptions("m=autoencoder&from=7"); o.From != 7 || o.To != 7 {
		t.Errorf("from=7 alone is %d to %d, want 7 to 7", o.From, o.To)
	}
	for _, o := range []SheetOptions{
		{Slug: "autoencoder", From: 1, To: 30, Keys: true, Paper: "letter", Scope: engine.ScopeRandom, Mode: engine.Exact, Auto: true},
		{Slug: "gan", From: 0, To: 59, Keys: false, Paper: "a4", Scope: engine.ScopeAll, Mode: engine.Hand},
		{File: "IyBhIGZpbGU", From: 3, To: 3, Keys: true, Paper: "a4", Scope: engine.ScopeForward, Mode: engine.Hand},
		{Src: "/walks/my file.toml?x=1&y=2", From: 2, To: 5, Keys: true, Paper: "a4", Scope: engine.ScopeForward, Mode: engine.Hand},
	} {
		q := o.Query()
		back, probs := ParseSheetOptions(q)
		if back != o || len(probs) > 0 {
			t.Errorf("%s reads back as %+v (%v), want %+v", q, back, probs, o)
		}
	}
	for _, c := range []struct {
		query  string
		fields []string
	}{
		{"", []string{"m"}},
		{"m=nope", []string{"m"}},
		{"m=autoencoder&from=-1", []string{"from"}},
		{"m=autoencoder&from=x&to=3", []string{"from"}},
		{"m=autoencoder&from=5&to=4", []string{"to"}},
		{"m=autoencoder&from=1&to=60", nil},
		{"m=autoencoder&from=1&to=61", []string{"to"}},
		{"m=autoencoder&paper=a5&blanks=off&mode=fast&keys=yes&auto=2", []string{"keys", "auto", "paper", "blanks", "mode"}},
		{"m=autoencoder&utm_source=mail", nil},
	} {
		_, probs := ParseSheetOptions(c.query)
		var fields []string
		for _, p := range probs {
			fields = append(fields, p.Field)
			if !i18n.Has(i18n.EN, p.Key) || !i18n.Has(i18n.ZH, p.Key) {
				t.Errorf("%q: problem key %q has no message", c.query, p.Key)
			}
		}
		if !slices.Equal(fields, c.fields) {
			t.Errorf("%q: problems in %v, want %v", c.query, fields, c.fields)
		}
	}
}

// TestSheetsHoldNoAnswer: on every walkthrough's worksheets, in every
// scope, a blank's view holds no number and a matrix with a box has no
// picture; the key prints the same steps with every number, and marks
// exactly the worksheet's boxes; a worksheet prints every step that has
// blanks, and no step all of whose cells are dotted boxes.
func TestSheetsHoldNoAnswer(t *testing.T) {
	for _, m := range testModels(t) {
		for _, sc := range sheetScopes {
			o := DefaultSheetOptions()
			o.Scope = sc
			work, key, ok := buildSheets(m, o, 2)
			if !ok {
				t.Fatalf("%s: exercise 2 draws nothing", m.Info().Slug)
			}
			name := m.Info().Slug + " " + pagestate.ScopeNames[sc]
			if len(work.Steps) == 0 || len(work.Steps) != len(key.Steps) || len(key.Marks) != len(key.Steps) {
				t.Fatalf("%s: %d steps on the worksheet, %d on the key", name, len(work.Steps), len(key.Steps))
			}
			boxes := 0
			for i, v := range work.Steps {
				k := key.Steps[i]
				if k.ID != v.ID {
					t.Fatalf("%s: the key's step %d is %s, the worksheet's %s", name, i, k.ID, v.ID)
				}
				for mi, mv := range v.Matrices {
					hidden := false
					if mv.Editable {
						t.Errorf("%s/%s: %s is drawn as inputs", name, v.ID, mv.ID)
					}
					for r, row := range mv.Cells {
						for c, cell := range row {
							box := cell.Blank || cell.Unknown
							if box && (cell.Text != "" || cell.Full != "" || cell.Struck != "" || cell.StruckFull != "") {
								t.Fatalf("%s/%s: box %s[%d,%d] holds %+v", name, v.ID, mv.ID, r, c, cell)
							}
							if box != key.Marks[i][cellKey{mv.ID, r, c}] {
								t.Fatalf("%s/%s: %s[%d,%d] is a box %v, marked on the key %v", name, v.ID, mv.ID, r, c, box, !box)
							}
							if kc := k.Matrices[mi].Cells[r][c]; kc.Text == "" || kc.Blank || kc.Unknown {
								t.Fatalf("%s/%s: the key's %s[%d,%d] is %+v", name, v.ID, mv.ID, r, c, kc)
							}
							hidden = hidden || box
							if cell.Blank {
								boxes++
							}
						}
					}
					if hidden && mv.Picture != nil {
						t.Errorf("%s/%s: %s has boxes and a picture", name, v.ID, mv.ID)
					}
				}
			}
			if boxes == 0 {
				t.Errorf("%s: no blank on the worksheet", name)
			}
			if sc == engine.ScopeAll {
				if n := len(OpenSession(m, pagestate.Default(m)).Views); len(work.Steps) != n {
					t.Errorf("%s: %d of %d steps printed", name, len(work.Steps), n)
				}
			}
		}
	}
}

var tdTag = regexp.MustCompile(`<td\b[^>]*>`)

// TestSheetPaperRenders: a worksheet draws its header (title, exercise
// number, name and date) and its boxes with no number in them; a key
// draws every number, its header says whose key it is.
func TestSheetPaperRenders(t *testing.T) {
	m := engine.Lookup("autoencoder")
	work, key, _ := buildSheets(m, DefaultSheetOptions(), 4)
	html := app.HTMLString(&SheetPaper{Sheet: &work, Lang: i18n.EN, Title: m.Info().Title, Paper: "letter", Scope: engine.ScopeForward})
	for _, want := range []string{"Exercise number 4", "Name:", "Date:", "Autoencoder", `class="sheet worksheet paper-letter"`, `data-n="4"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the worksheet has no %q", want)
		}
	}
	blanks := 0
	for _, td := range tdTag.FindAllString(html, -1) {
		if strings.Contains(td, "blank") || strings.Contains(td, "unknown") {
			blanks++
			if strings.Contains(td, "data-v") || strings.Contains(td, "data-full") || strings.Contains(td, "title=") {
				t.Errorf("a box carries its number: %s", td)
			}
		}
	}
	if blanks == 0 || strings.Contains(html, "<input") {
		t.Errorf("%d boxes; inputs on paper: %v", blanks, strings.Contains(html, "<input"))
	}
	html = app.HTMLString(&SheetPaper{Sheet: &key, Lang: i18n.ZH, Title: m.Info().Title, Paper: "a4", Scope: engine.ScopeForward})
	if !strings.Contains(html, "答案 — 题目编号 4") || strings.Contains(html, "blank") || !strings.Contains(html, `class="sheet key paper-a4"`) {
		t.Error("the key in Chinese lacks its header, or has boxes")
	}
}

// TestNoWalkthroughTakesAPageRoute: a walkthrough named like a page would
// never be reached.
func TestNoWalkthroughTakesAPageRoute(t *testing.T) {
	for _, m := range engine.Models() {
		if p := "/" + m.Info().Slug; p == "/open" || p == "/print" || p == "/" {
			t.Errorf("walkthrough %q has the path of a page", m.Info().Slug)
		}
	}
}
