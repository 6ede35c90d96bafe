package ui

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// exportSessions returns a session of every model in both modes, and one
// of each pushed into overflow (every variable's first cell 1e308), so that
// undefined cells and steps are exported too.
func exportSessions(t *testing.T) map[string]*Session {
	t.Helper()
	out := map[string]*Session{}
	for _, m := range testModels(t) {
		slug := m.Info().Slug
		out[slug+"/hand"] = NewSession(m, engine.Hand)
		out[slug+"/exact"] = NewSession(m, engine.Exact)
		s := NewSession(m, engine.Hand)
		for _, v := range s.Exercise().Vars {
			_ = s.Set(v.ID, 0, 0, 1e308)
		}
		out[slug+"/overflow"] = s
	}
	if len(out) == 0 {
		t.Fatal("no models registered")
	}
	return out
}

// checkCSV parses MatrixCSV back and compares it with the cells.
func checkCSV(t *testing.T, where string, m *MatrixView) {
	t.Helper()
	text := MatrixCSV(m)
	if strings.Contains(text, "−") {
		t.Errorf("%s: CSV has a typographic minus", where)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: CSV does not parse: %v\n%s", where, err, text)
	}
	colLabels := len(m.ColLabels) == m.Cols && m.Cols > 0
	rowLabels := len(m.RowLabels) == m.Rows && m.Rows > 0
	if colLabels {
		if len(recs) == 0 {
			t.Fatalf("%s: no header", where)
		}
		head := recs[0]
		if rowLabels {
			if head[0] != "" {
				t.Errorf("%s: header starts with %q, want an empty field", where, head[0])
			}
			head = head[1:]
		}
		if strings.Join(head, "\x00") != strings.Join(m.ColLabels, "\x00") {
			t.Errorf("%s: header %q, want %q", where, head, m.ColLabels)
		}
		recs = recs[1:]
	}
	if len(recs) != m.Rows {
		t.Fatalf("%s: %d records of numbers, want %d rows", where, len(recs), m.Rows)
	}
	for i, rec := range recs {
		if rowLabels {
			if rec[0] != m.RowLabels[i] {
				t.Errorf("%s: row %d labelled %q, want %q", where, i, rec[0], m.RowLabels[i])
			}
			rec = rec[1:]
		}
		if len(rec) != m.Cols {
			t.Fatalf("%s: row %d has %d fields, want %d", where, i, len(rec), m.Cols)
		}
		for j, f := range rec {
			cell := m.Cells[i][j].Text
			if cell == "" {
				if f != "" {
					t.Errorf("%s: undefined cell [%d,%d] exported as %q", where, i, j, f)
				}
				continue
			}
			got, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatalf("%s: field [%d,%d] %q is not a number: %v", where, i, j, f, err)
			}
			want, err := engine.ParseNumber(cell)
			if err != nil {
				t.Fatalf("%s: cell [%d,%d] %q: %v", where, i, j, cell, err)
			}
			if got != want || engine.Format(got) != cell {
				t.Errorf("%s: field [%d,%d] %q, cell shows %q", where, i, j, f, cell)
			}
		}
	}
}

var latexEnv = regexp.MustCompile(`(?s)^(?:\\begin\{bmatrix\}\n(.*)\n\\end\{bmatrix\}|\\left\[\\begin\{array\}\{(c*)\|c\}\n(.*)\n\\end\{array\}\\right\])$`)

// checkLaTeX checks MatrixLaTeX has rows×cols entries, in order.
func checkLaTeX(t *testing.T, where string, m *MatrixView) {
	t.Helper()
	text := MatrixLaTeX(m)
	if strings.Contains(text, "−") {
		t.Errorf("%s: LaTeX has a typographic minus", where)
	}
	sm := latexEnv.FindStringSubmatch(text)
	if sm == nil {
		t.Fatalf("%s: not a bmatrix or bracketed array:\n%s", where, text)
	}
	body := sm[1]
	if sm[3] != "" {
		body = sm[3]
		if !m.BiasColumn || len(sm[2]) != m.Cols-1 {
			t.Errorf("%s: array {%s|c} for a %d-column matrix (bias %v)", where, sm[2], m.Cols, m.BiasColumn)
		}
	} else if m.BiasColumn && m.Cols > 1 {
		t.Errorf("%s: a bias column without its rule", where)
	}
	rows := strings.Split(body, " \\\\\n")
	if len(rows) != m.Rows {
		t.Fatalf("%s: %d rows, want %d:\n%s", where, len(rows), m.Rows, text)
	}
	n := 0
	for i, row := range rows {
		entries := strings.Split(row, " & ")
		if len(entries) != m.Cols {
			t.Fatalf("%s: row %d has %d entries, want %d: %q", where, i, len(entries), m.Cols, row)
		}
		for j, e := range entries {
			n++
			if want := latexNumber(m.Cells[i][j].Text); e != want {
				t.Errorf("%s: entry [%d,%d] %q, want %q", where, i, j, e, want)
			}
		}
	}
	if n != m.Rows*m.Cols {
		t.Errorf("%s: %d entries, want %d", where, n, m.Rows*m.Cols)
	}
}

// checkSVG checks StepSVG is a well-formed standalone SVG document that
// shows the step's title and every cell.
func checkSVG(t *testing.T, where string, v *StepView, lang i18n.Lang, dark bool) string {
	t.Helper()
	title := i18n.T(lang, v.Title)
	svg := StepSVG(v, title, lang, dark)
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	var root *xml.StartElement
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: SVG is not well-formed XML: %v", where, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == nil {
			se := se.Copy()
			root = &se
		}
	}
	if root == nil || root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("%s: root element %v, want svg in the SVG namespace", where, root)
	}
	attrs := map[string]string{}
	for _, a := range root.Attr {
		attrs[a.Name.Local] = a.Value
	}
	w, errW := strconv.ParseFloat(attrs["width"], 64)
	h, errH := strconv.ParseFloat(attrs["height"], 64)
	if errW != nil || errH != nil || !(w > 0) || !(h > 0) || attrs["viewBox"] != "0 0 "+attrs["width"]+" "+attrs["height"] {
		t.Errorf("%s: width %q height %q viewBox %q", where, attrs["width"], attrs["height"], attrs["viewBox"])
	}
	for _, bad := range []string{"NaN", "Inf", "href", "url(", "@import", "<image", "<script", "<foreignObject"} {
		if strings.Contains(svg, bad) {
			t.Errorf("%s: SVG contains %q", where, bad)
		}
	}
	if !strings.Contains(svg, ">"+esc(title)+"<") {
		t.Errorf("%s: SVG lacks the title %q", where, title)
	}
	if v.WaitsOn > 0 {
		return svg // the page shows only that it waits
	}
	for _, m := range v.Matrices {
		if !strings.Contains(svg, ">"+esc(m.Name)+"<") {
			t.Errorf("%s: SVG lacks matrix %q", where, m.Name)
		}
		for i, row := range m.Cells {
			for j, c := range row {
				text := c.Text
				if text == "" {
					text = "—"
				}
				if !strings.Contains(svg, ">"+esc(text)+"<") {
					t.Errorf("%s: SVG lacks %s[%d,%d] = %q", where, m.ID, i, j, text)
				}
				if c.Struck != "" && !strings.Contains(svg, ">"+esc(c.Struck)+"<") {
					t.Errorf("%s: SVG lacks the struck %s[%d,%d] = %q", where, m.ID, i, j, c.Struck)
				}
			}
		}
	}
	return svg
}

func TestExportEveryMatrixOfEveryStep(t *testing.T) {
	undefined, struck, waiting := 0, 0, 0
	for name, s := range exportSessions(t) {
		for k := range s.Views {
			v := &s.Views[k]
			for i := range v.Matrices {
				m := &v.Matrices[i]
				where := name + "/" + v.ID + "/" + m.ID
				checkCSV(t, where, m)
				checkLaTeX(t, where, m)
				for _, row := range m.Cells {
					for _, c := range row {
						if c.Text == "" {
							undefined++
						}
						if c.Struck != "" {
							struck++
						}
					}
				}
			}
			if v.WaitsOn > 0 {
				waiting++
			}
			for _, lang := range i18n.Langs {
				for _, dark := range []bool{false, true} {
					checkSVG(t, name+"/"+v.ID+"/"+string(lang)+"/dark="+strconv.FormatBool(dark), v, lang, dark)
				}
			}
		}
	}
	// The sessions must have exercised what they are there for.
	if undefined == 0 || struck == 0 || waiting == 0 {
		t.Errorf("exported %d undefined cells, %d struck ones and %d waiting steps: want some of each", undefined, struck, waiting)
	}
}

func TestMatrixCSVAndLaTeXByHand(t *testing.T) {
	m := &MatrixView{Rows: 2, Cols: 3, BiasColumn: true,
		Cells: [][]CellView{
			{{Text: "1"}, {Text: "−0.5"}, {Text: ""}},
			{{Text: "2.5e−05"}, {Text: "−1.5e+06"}, {Text: "0"}},
		}}
	if got, want := MatrixCSV(m), "1,-0.5,\r\n2.5e-05,-1.5e+06,0\r\n"; got != want {
		t.Errorf("CSV %q, want %q", got, want)
	}
	wantTeX := "\\left[\\begin{array}{cc|c}\n1 & -0.5 & \\text{---} \\\\\n" +
		"2.5\\times 10^{-5} & -1.5\\times 10^{6} & 0\n\\end{array}\\right]"
	if got := MatrixLaTeX(m); got != wantTeX {
		t.Errorf("LaTeX\n%s\nwant\n%s", got, wantTeX)
	}
	m.BiasColumn = false
	if got, want := MatrixLaTeX(m), "\\begin{bmatrix}\n1 & -0.5 & \\text{---} \\\\\n"+
		"2.5\\times 10^{-5} & -1.5\\times 10^{6} & 0\n\\end{bmatrix}"; got != want {
		t.Errorf("LaTeX\n%s\nwant\n%s", got, want)
	}
	// Labels: a header row, and a first column; a label with a comma or
	// a quote is quoted.
	m.ColLabels = []string{"a", "b,c", `say "x"`}
	m.RowLabels = []string{"I₁", "I₂"}
	if got, want := MatrixCSV(m), ",a,\"b,c\",\"say \"\"x\"\"\"\r\nI₁,1,-0.5,\r\nI₂,2.5e-05,-1.5e+06,0\r\n"; got != want {
		t.Errorf("CSV with labels %q, want %q", got, want)
	}
	// A row of one undefined cell is a quoted empty field, not an empty
	// line (which readers skip).
	lone := &MatrixView{Rows: 2, Cols: 1, Cells: [][]CellView{{{Text: ""}}, {{Text: "−2"}}}}
	if got, want := MatrixCSV(lone), "\"\"\r\n-2\r\n"; got != want {
		t.Errorf("CSV of a lone undefined cell %q, want %q", got, want)
	}
	// Labels that do not fit the matrix are left out, as on the page.
	m.RowLabels = []string{"only one"}
	if got := MatrixCSV(m); strings.Contains(got, "only one") || !strings.HasPrefix(got, "a,") {
		t.Errorf("CSV with a wrong number of row labels: %q", got)
	}
}

// TestStepSVGProduct: the autoencoder's first layer, a product with a
// folded bias and a ReLU, is drawn with its parts where the page has them.
func TestStepSVGProduct(t *testing.T) {
	s := aeSession(t)
	v := &s.Views[2]
	if v.ID != "enc1" || !v.Product || !v.FoldBias {
		t.Fatalf("step 3 is %s (product %v, fold %v), want the product enc1", v.ID, v.Product, v.FoldBias)
	}
	svg := checkSVG(t, "enc1", v, i18n.EN, false)
	for _, want := range []string{
		`>W₁ | b₁<`, `>trainable<`, `>X₁<`, // the frame's label, the top factor's column labels
		`font-style="italic">1<`,        // the row of 1s
		`stroke="` + lightPalette.train, // the trainable frame or a strike
		`fill="` + lightPalette.hues["image"][0],
		`fill="` + desaturate(lightPalette.hues["image"][0], 0.55), // the bias column
		`font-family="monospace"`, `font-family="sans-serif"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("enc1's SVG lacks %s", want)
		}
	}
	if strings.Count(svg, `font-style="italic">1<`) != 4 {
		t.Errorf("want four 1s under X")
	}
	// W is left of the result, X above it.
	pos := func(id string) (x, y float64) {
		re := regexp.MustCompile(`data-matrix="` + id + `">\n(?:<[^>]*>\n)*?<text x="([0-9.]+)" y="([0-9.]+)"`)
		sm := re.FindStringSubmatch(svg)
		if sm == nil {
			t.Fatalf("no text in matrix %s", id)
		}
		x, _ = strconv.ParseFloat(sm[1], 64)
		y, _ = strconv.ParseFloat(sm[2], 64)
		return x, y
	}
	wx, wy := pos("W1")
	xx, xy := pos("X")
	hx, hy := pos("H1")
	if !(wx < hx && xy < hy && wy == hy && xx == hx) {
		t.Errorf("W₁ at (%v,%v), X at (%v,%v), H₁ at (%v,%v): want W₁ left of H₁ on its line, X above it", wx, wy, xx, xy, hx, hy)
	}
	dark := StepSVG(v, "x", i18n.EN, true)
	if !strings.Contains(dark, darkPalette.card) || strings.Contains(dark, lightPalette.card) {
		t.Error("the dark SVG does not use the dark theme's card colour")
	}
}

// TestSVGPaletteMatchesCSS keeps the SVG's colours those of web/app.css.
func TestSVGPaletteMatchesCSS(t *testing.T) {
	css, err := os.ReadFile("../web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	block := func(selector string) map[string]string {
		i := bytes.Index(css, []byte(selector+" {"))
		if i < 0 {
			t.Fatalf("no %q rule in app.css", selector)
		}
		body := css[i+len(selector)+2:]
		body = body[:bytes.IndexByte(body, '}')]
		vars := map[string]string{}
		for _, sm := range regexp.MustCompile(`(--[a-z-]+):\s*([^;]+);`).FindAllSubmatch(body, -1) {
			vars[string(sm[1])] = strings.TrimSpace(string(sm[2]))
		}
		return vars
	}
	for _, c := range []struct {
		selector string
		pal      *svgPalette
	}{{":root", &lightPalette}, {`:root[data-theme="dark"]`, &darkPalette}} {
		vars := block(c.selector)
		want := map[string]string{"--card": c.pal.card, "--ink": c.pal.ink, "--muted": c.pal.muted, "--rule": c.pal.rule,
			"--neutral": c.pal.neutral, "--train": c.pal.train, "--frozen": c.pal.frozen}
		for hue, v := range map[string]string{"text": "text", "image": "image", "pixel": "pixel",
			"similarity": "sim", "gradient": "grad", "noise": "noise"} {
			want["--"+v] = c.pal.hues[hue][0]
			want["--"+v+"-ink"] = c.pal.hues[hue][1]
		}
		for k, v := range want {
			if vars[k] != v {
				t.Errorf("%s %s is %q in app.css, %q in the SVG palette", c.selector, k, vars[k], v)
			}
		}
	}
}

func TestStepExportRenders(t *testing.T) {
	s := aeSession(t)
	for i := range s.Views {
		v := &s.Views[i]
		html := app.HTMLString(&StepExport{Index: i, Lang: i18n.EN, Session: s})
		for _, want := range []string{"<details", `data-export="svg"`, `data-export="png"`, `aria-live="polite"`} {
			if !strings.Contains(html, want) {
				t.Fatalf("step %s: the export menu lacks %s", v.ID, want)
			}
		}
		for _, m := range v.Matrices {
			for _, kind := range []string{"csv", "latex"} {
				found := false
				for _, line := range strings.Split(html, "\n") {
					found = found || strings.Contains(line, "<button") && strings.Contains(line, `data-export="`+kind+`"`) &&
						strings.Contains(line, `data-export-m="`+m.ID+`"`)
				}
				if !found {
					t.Errorf("step %s: no %s button for %s", v.ID, kind, m.ID)
				}
			}
		}
	}
	// Out of range: nothing to export, and no panic.
	_ = app.HTMLString(&StepExport{Index: 99, Lang: i18n.ZH, Session: s})
	_ = app.HTMLString(&StepExport{})
	if got, want := exportFilename(s, 2, "svg"), "autoencoder-step-3-enc1.svg"; got != want {
		t.Errorf("filename %q, want %q", got, want)
	}
}
