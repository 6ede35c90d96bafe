package ui

import (
	"encoding/csv"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/byhand/byhand/app/i18n"
)

// This file turns the plain views into text to take away: a matrix as CSV
// or LaTeX, a step as a standalone SVG picture for slides. It is pure Go;
// the browser side (clipboard, downloads, PNG) is web/export.js, and the
// menu a step card shows is StepExport (exporttools.go).
//
// The views hold numbers as the page shows them (engine.Format: three
// decimals at most, a typographic minus "−"), not the full precision of the
// engine, so the exports carry exactly what the reader sees, with an ASCII
// minus so that other programs read them as numbers.

// asciiMinus writes a cell's text with the ASCII minus sign.
func asciiMinus(s string) string { return strings.ReplaceAll(s, "−", "-") }

// MatrixCSV writes m as RFC 4180 CSV: one record per matrix row, fields
// separated by commas, records ended by CRLF. Numbers are the cells' text
// with "-" for the minus sign; an undefined cell is an empty field.
//
// Labels: when m has one column label per column, the first record is a
// header of those labels; when it has one row label per row, each record
// starts with its row label (and the header, if any, with an empty field).
// Labels that do not match the size are left out, as the page does. Fields
// are quoted only when they need it (a label with a comma or a quote).
func MatrixCSV(m *MatrixView) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	colLabels := len(m.ColLabels) == m.Cols && m.Cols > 0
	rowLabels := len(m.RowLabels) == m.Rows && m.Rows > 0
	if colLabels {
		rec := make([]string, 0, m.Cols+1)
		if rowLabels {
			rec = append(rec, "")
		}
		_ = w.Write(append(rec, m.ColLabels...))
	}
	for i := 0; i < m.Rows && i < len(m.Cells); i++ {
		rec := make([]string, 0, m.Cols+1)
		if rowLabels {
			rec = append(rec, m.RowLabels[i])
		}
		for _, c := range m.Cells[i] {
			rec = append(rec, asciiMinus(c.Text))
		}
		if len(rec) == 1 && rec[0] == "" {
			// A lone empty field would be an empty line, which readers
			// skip: quote it.
			w.Flush()
			b.WriteString("\"\"\r\n")
			continue
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.String()
}

// latexNumber writes a cell's text for LaTeX math: "-" for the minus, and
// "1.5e+06" as 1.5\times10^{6}; an undefined cell is an em dash.
func latexNumber(text string) string {
	if text == "" {
		return `\text{---}`
	}
	s := asciiMinus(text)
	mant, exp, ok := strings.Cut(s, "e")
	if !ok {
		return s
	}
	e, err := strconv.Atoi(exp)
	if err != nil {
		return s
	}
	return mant + `\times 10^{` + strconv.Itoa(e) + `}`
}

// MatrixLaTeX writes m for a LaTeX math environment, rows separated by
// " \\" and a newline, entries by " & ".
//
// A plain matrix is a bmatrix (amsmath). A matrix with a folded bias column
// (MatrixView.BiasColumn) is drawn, as on the page, with the bias set apart
// by a vertical rule; bmatrix has no column specification to put one in, so
// such a matrix is an array inside brackets instead,
// \left[\begin{array}{cc|c} … \end{array}\right], which the LaTeX kernel
// compiles by itself. Both use \text for an undefined cell, so both want
// \usepackage{amsmath}. Labels are left out: they are not part of the
// matrix.
func MatrixLaTeX(m *MatrixView) string {
	var b strings.Builder
	bias := m.BiasColumn && m.Cols > 1
	if bias {
		b.WriteString(`\left[\begin{array}{` + strings.Repeat("c", m.Cols-1) + "|c}\n")
	} else {
		b.WriteString(`\begin{bmatrix}` + "\n")
	}
	for i := 0; i < m.Rows && i < len(m.Cells); i++ {
		row := m.Cells[i]
		for j, c := range row {
			if j > 0 {
				b.WriteString(" & ")
			}
			b.WriteString(latexNumber(c.Text))
		}
		if i < m.Rows-1 {
			b.WriteString(` \\`)
		}
		b.WriteString("\n")
	}
	if bias {
		b.WriteString(`\end{array}\right]`)
	} else {
		b.WriteString(`\end{bmatrix}`)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// SVG

// svgPalette holds the colours of one theme. The values are those of
// web/app.css (its :root and :root[data-theme="dark"] rules); a test keeps
// the two in step.
type svgPalette struct {
	card, ink, muted, rule, neutral, train, frozen string
	hues                                           map[string][2]string // hue → background, ink
}

var lightPalette = svgPalette{
	card: "#ffffff", ink: "#1d1d1f", muted: "#5f5f66", rule: "#d9d5cc", neutral: "#f4f4f4",
	train: "#c62828", frozen: "#1e5bb8",
	hues: map[string][2]string{
		"text":       {"#efe6fb", "#5b2a86"},
		"image":      {"#e3f4e1", "#256b2b"},
		"pixel":      {"#fff4c7", "#7a5a00"},
		"similarity": {"#e0ecfb", "#1f4f91"},
		"gradient":   {"#fde5e3", "#a2261b"},
		"noise":      {"#ececec", "#444"},
	},
}

var darkPalette = svgPalette{
	card: "#202226", ink: "#ececf0", muted: "#a4a6ad", rule: "#3a3d44", neutral: "#2a2c31",
	train: "#ff6b5e", frozen: "#6ea8ff",
	hues: map[string][2]string{
		"text":       {"#3a2752", "#dcc3fa"},
		"image":      {"#1f3a22", "#b7e7b4"},
		"pixel":      {"#3d3416", "#f5df8c"},
		"similarity": {"#1c3150", "#b8d3fb"},
		"gradient":   {"#4a1f1c", "#ffb8b0"},
		"noise":      {"#34363a", "#d0d0d0"},
	},
}

// hue returns a matrix's cell background and ink; neutral and unknown
// hues are grey with the page's ink.
func (p *svgPalette) hue(name string) (bg, ink string) {
	if h, ok := p.hues[name]; ok {
		return h[0], h[1]
	}
	return p.neutral, p.ink
}

// Generic font families only: the picture names no font it would have to
// fetch, and every viewer has these three.
const (
	fontMono  = "monospace"
	fontSans  = "sans-serif"
	fontSerif = "serif"
)

// Sizes in pixels (the SVG's user units), after the page's stylesheet at
// 16 px: cells 1.9em high and at least 3.4em wide.
const (
	svgPad      = 24.0 // margin around everything
	cellFont    = 15.0 // numbers
	cellH       = 30.0
	cellMinW    = 54.0
	cellPadX    = 6.0
	struckFont  = 11.0
	nameFont    = 17.0
	nameH       = 26.0 // the matrix's name line
	smallFont   = 11.5 // roles, frames, labels
	labelH      = 17.0 // the column-label line
	pixelSize   = 14.0 // one pixel of a picture
	pictureGap  = 6.0
	titleFont   = 20.0
	headH       = 36.0 // the step's number and title
	opFont      = 22.0
	blockGap    = 14.0 // between matrices and operators
	productGapX = 10.0
	productGapY = 8.0
)

// charWidth estimates the advance of r in ems: wide for CJK, nothing for
// combining marks; in a monospace font 0.6, in a proportional one narrower
// for thin letters and wider for capitals. Estimates err on the wide side,
// so text never runs into what follows it.
func charWidth(r rune, mono bool) float64 {
	switch {
	case unicode.Is(unicode.Mn, r):
		return 0
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul),
		r >= 0x3000 && r <= 0x303f, r >= 0xff00 && r <= 0xff60:
		return 1
	case mono:
		return 0.6
	case strings.ContainsRune("iljtfr.,:;'|!() ", r):
		return 0.34
	case unicode.IsUpper(r) || r > 0x2000:
		return 0.72 // capitals, and symbols (→, ∂, 𝟙, ⊙…)
	}
	return 0.56
}

// textWidth estimates the width of s in a proportional font of the given
// size; monoWidth in a monospace one.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += charWidth(r, false)
	}
	return w * size
}

func monoWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += charWidth(r, true)
	}
	return w * size
}

// esc escapes text for XML, in content and in attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// num writes a coordinate: rounded to hundredths, never NaN (a coordinate
// that is not finite, which the layout never makes, is written as 0).
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// svgWriter collects an SVG's elements.
type svgWriter struct {
	strings.Builder
	pal *svgPalette
}

func (w *svgWriter) rect(x, y, width, height float64, fill string, extra string) {
	w.WriteString(`<rect x="` + num(x) + `" y="` + num(y) + `" width="` + num(width) + `" height="` + num(height) +
		`" fill="` + fill + `"` + extra + "/>\n")
}

func (w *svgWriter) line(x1, y1, x2, y2 float64, stroke string, width float64, extra string) {
	w.WriteString(`<line x1="` + num(x1) + `" y1="` + num(y1) + `" x2="` + num(x2) + `" y2="` + num(y2) +
		`" stroke="` + stroke + `" stroke-width="` + num(width) + `"` + extra + "/>\n")
}

// text writes one line of text with its baseline at y. anchor is "start",
// "middle" or "end"; attrs are more attributes (font weight, style…).
func (w *svgWriter) text(x, y float64, s, family string, size float64, fill, anchor, attrs string) {
	if s == "" {
		return
	}
	w.WriteString(`<text x="` + num(x) + `" y="` + num(y) + `" font-family="` + family + `" font-size="` + num(size) +
		`" fill="` + fill + `"`)
	if anchor != "" && anchor != "start" {
		w.WriteString(` text-anchor="` + anchor + `"`)
	}
	w.WriteString(attrs + ">" + esc(s) + "</text>\n")
}

// baseline is where text of the given size sits to look centred in a box
// from y to y+h.
func baseline(y, h, size float64) float64 { return y + h/2 + size*0.35 }

// svgBlock is something laid out: its size, and how to draw it with its
// top-left corner at (x, y).
type svgBlock struct {
	w, h float64
	draw func(w *svgWriter, x, y float64)
}

// matrixOpts says what a matrix shows around its cells, as matrixLook does
// for the page.
type matrixOpts struct {
	colLabels, rowLabels bool
	ones                 bool // a row of 1s under the cells (folded bias)
	picsAbove, picsBelow bool
	alignRight           bool // the name line flush right (the product's left factor)
}

// stepCellWidth is the width of every cell of a step: the page's minimum,
// or the widest text of the step (a struck value sits small in the corner,
// beside the value). One width for the whole step keeps a product's
// columns and rows lined up.
func stepCellWidth(v *StepView) float64 {
	w := cellMinW
	for k := range v.Matrices {
		for _, row := range v.Matrices[k].Cells {
			for _, c := range row {
				cw := monoWidth(c.Text, cellFont) + 2*cellPadX
				if c.Struck != "" {
					cw += monoWidth(c.Struck, struckFont) + 4
				}
				w = math.Max(w, cw)
			}
		}
	}
	return math.Ceil(w)
}

// pictureBlock lays out a matrix's grey-scale pictures in a row.
func pictureBlock(p *PictureView, name string) *svgBlock {
	if p == nil || len(p.Images) == 0 || p.Width <= 0 || p.Height <= 0 {
		return nil
	}
	iw, ih := float64(p.Width)*pixelSize, float64(p.Height)*pixelSize
	n := float64(len(p.Images))
	return &svgBlock{w: n*iw + (n-1)*pictureGap, h: ih, draw: func(w *svgWriter, x, y float64) {
		w.WriteString(`<g aria-label="` + esc(name) + `">` + "\n")
		for k, img := range p.Images {
			x0 := x + float64(k)*(iw+pictureGap)
			for i, g := range img {
				if i >= p.Width*p.Height {
					break
				}
				s := strconv.Itoa(int(g))
				// Each pixel a hair larger than its place, so that no seam
				// shows between neighbours.
				w.rect(x0+float64(i%p.Width)*pixelSize, y+float64(i/p.Width)*pixelSize, pixelSize+0.3, pixelSize+0.3,
					"rgb("+s+","+s+","+s+")", "")
			}
			w.rect(x0, y, iw, ih, "none", ` stroke="`+w.pal.rule+`" stroke-width="1"`)
		}
		w.WriteString("</g>\n")
	}}
}

// matrixBlockSVG lays out one matrix as the page draws it: its name, role
// and frame above, column labels, row labels at the left, cells in
// fixed-width boxes tinted by its hue, the bias column behind a rule, the
// row of 1s, and its pictures.
func matrixBlockSVG(m *MatrixView, o matrixOpts, cw float64, lang i18n.Lang, pal *svgPalette) *svgBlock {
	colLabels := o.colLabels && len(m.ColLabels) == m.Cols
	rowLabels := o.rowLabels && len(m.RowLabels) == m.Rows
	rows := m.Rows
	if o.ones {
		rows++
	}
	labelW := 0.0
	if rowLabels {
		for _, l := range m.RowLabels {
			labelW = math.Max(labelW, textWidth(l, smallFont))
		}
		labelW += 8
	}
	tableW, tableH := float64(m.Cols)*cw, float64(rows)*cellH
	role := i18n.T(lang, "role."+m.Role)
	frame, frameColour := "", ""
	if m.Trainable {
		frame, frameColour = i18n.T(lang, "frame.trainable"), pal.train
	} else if m.Frozen {
		frame, frameColour = i18n.T(lang, "frame.frozen"), pal.frozen
	}
	nameW := boldName(m.Name) + 8 + textWidth(role, smallFont)
	if frame != "" {
		nameW += 8 + textWidth(frame, smallFont)
	}
	var picAbove, picBelow *svgBlock
	if o.picsAbove {
		picAbove = pictureBlock(m.Picture, m.Name)
	}
	if o.picsBelow {
		picBelow = pictureBlock(m.Picture, m.Name)
	}
	// The outline of a trainable or frozen matrix sits outside the cells.
	// Every matrix keeps room for one, so that the cells of a product's
	// factors and result line up whether or not they are framed.
	const outline = 4.0
	width := math.Max(labelW+tableW+outline, nameW)
	height := nameH + tableH + outline
	if colLabels {
		height += labelH
	}
	if picAbove != nil {
		width = math.Max(width, picAbove.w)
		height += picAbove.h + pictureGap
	}
	if picBelow != nil {
		width = math.Max(width, picBelow.w)
		height += picBelow.h + pictureGap
	}
	return &svgBlock{w: width, h: height, draw: func(w *svgWriter, x, y float64) {
		w.WriteString(`<g class="matrix" data-matrix="` + esc(m.ID) + `">` + "\n")
		if picAbove != nil {
			picAbove.draw(w, x, y)
			y += picAbove.h + pictureGap
		}
		// The table's left edge: flush left, or flush right for the
		// product's left factor.
		tx := x + labelW
		if o.alignRight {
			tx = x + width - tableW - outline
		}
		// Name line.
		nx, anchor := x, "start"
		if o.alignRight {
			nx, anchor = x+width, "end"
		}
		nb := y + nameH - 8
		if anchor == "start" {
			w.text(nx, nb, m.Name, fontSerif, nameFont, pal.ink, "", ` font-weight="bold"`)
			nx += boldName(m.Name) + 8
			w.text(nx, nb, role, fontSans, smallFont, pal.muted, "", "")
			nx += textWidth(role, smallFont) + 8
			w.text(nx, nb, frame, fontSans, smallFont, frameColour, "", ` font-weight="bold"`)
		} else {
			w.text(nx, nb, frame, fontSans, smallFont, frameColour, "end", ` font-weight="bold"`)
			if frame != "" {
				nx -= textWidth(frame, smallFont) + 8
			}
			w.text(nx, nb, role, fontSans, smallFont, pal.muted, "end", "")
			nx -= textWidth(role, smallFont) + 8
			w.text(nx, nb, m.Name, fontSerif, nameFont, pal.ink, "end", ` font-weight="bold"`)
		}
		y += nameH
		if colLabels {
			for j, l := range m.ColLabels {
				w.text(tx+(float64(j)+0.5)*cw, y+labelH-5, l, fontSans, smallFont, pal.muted, "middle", "")
			}
			y += labelH
		}
		ty := y + outline/2
		tx += outline / 2
		if rowLabels {
			for i, l := range m.RowLabels {
				w.text(tx-6, baseline(ty+float64(i)*cellH, cellH, smallFont), l, fontSans, smallFont, pal.muted, "end", "")
			}
		}
		bg, ink := pal.hue(m.Hue)
		biasBG, biasInk := desaturate(bg, 0.55), desaturate(ink, 0.55)
		for i := 0; i < m.Rows && i < len(m.Cells); i++ {
			for j, c := range m.Cells[i] {
				cx, cy := tx+float64(j)*cw, ty+float64(i)*cellH
				fill, colour := bg, ink
				if m.BiasColumn && j == m.Cols-1 {
					fill, colour = biasBG, biasInk
				}
				// A gap of the card's colour between cells, as the page's
				// 1px borders make.
				w.rect(cx+1, cy+1, cw-2, cellH-2, fill, "")
				if c.Text == "" {
					w.text(cx+cw/2, baseline(cy, cellH, cellFont), "—", fontMono, cellFont, pal.hues["gradient"][1], "middle", "")
					continue
				}
				if c.Struck != "" {
					sx, sb := cx+4, cy+2+struckFont*0.85
					w.text(sx, sb, c.Struck, fontMono, struckFont, pal.ink, "", ` opacity="0.7"`)
					sy := sb - struckFont*0.3
					w.line(sx-1, sy, sx+monoWidth(c.Struck, struckFont)+1, sy, pal.train, 1.5, "")
				}
				w.text(cx+cw-cellPadX, baseline(cy, cellH, cellFont), c.Text, fontMono, cellFont, colour, "end", "")
			}
		}
		if m.BiasColumn && m.Cols > 1 {
			bx := tx + float64(m.Cols-1)*cw
			w.line(bx, ty, bx, ty+float64(m.Rows)*cellH, pal.muted, 2, "")
		}
		if o.ones {
			oy := ty + float64(m.Rows)*cellH
			for j := 0; j < m.Cols; j++ {
				cx := tx + float64(j)*cw
				w.rect(cx+1, oy+1, cw-2, cellH-2, pal.neutral, "")
				w.text(cx+cw-cellPadX, baseline(oy, cellH, cellFont), "1", fontMono, cellFont, pal.muted, "end", ` font-style="italic"`)
			}
			w.line(tx, oy, tx+tableW, oy, pal.muted, 2, "")
		}
		if frame != "" {
			dash := ""
			if !m.Trainable {
				dash = ` stroke-dasharray="6 4"`
			}
			w.rect(tx-outline/2, ty-outline/2, tableW+outline, tableH+outline, "none",
				` stroke="`+frameColour+`" stroke-width="2.5" rx="2"`+dash)
		}
		y = ty + tableH + outline/2
		if picBelow != nil {
			picBelow.draw(w, x, y+pictureGap)
		}
		w.WriteString("</g>\n")
	}}
}

// boldName estimates the width of a matrix's name, in bold.
func boldName(s string) float64 { return 1.1 * textWidth(s, nameFont) }

// desaturate applies CSS's saturate(s) filter to a #rgb or #rrggbb colour,
// as the page does to the bias column.
func desaturate(hex string, s float64) string {
	r, g, b, ok := parseHex(hex)
	if !ok {
		return hex
	}
	mix := [3][3]float64{
		{0.213 + 0.787*s, 0.715 - 0.715*s, 0.072 - 0.072*s},
		{0.213 - 0.213*s, 0.715 + 0.285*s, 0.072 - 0.072*s},
		{0.213 - 0.213*s, 0.715 - 0.715*s, 0.072 + 0.928*s},
	}
	in := [3]float64{r, g, b}
	out := "#"
	for _, row := range mix {
		v := row[0]*in[0] + row[1]*in[1] + row[2]*in[2]
		v = math.Max(0, math.Min(255, math.Round(v)))
		h := strconv.FormatInt(int64(v), 16)
		if len(h) == 1 {
			h = "0" + h
		}
		out += h
	}
	return out
}

func parseHex(hex string) (r, g, b float64, ok bool) {
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff), true
}

// textBlock is a line of text, for operators and the product's "·".
func textBlock(s, family string, size float64, fill string) *svgBlock {
	width := textWidth(s, size)
	if family == fontMono {
		width = monoWidth(s, size)
	}
	return &svgBlock{w: width, h: size * 1.3, draw: func(w *svgWriter, x, y float64) {
		w.text(x, baseline(y, size*1.3, size), s, family, size, fill, "", "")
	}}
}

// layoutSVG lays out a step's matrices like StepCard.layout: a product by
// hand (the left factor at the left, the top factor above, the result
// where they cross), or a sequence of matrices with their operators.
func layoutSVG(v *StepView, lang i18n.Lang, pal *svgPalette) *svgBlock {
	cw := stepCellWidth(v)
	if v.Product && len(v.Matrices) == 3 {
		left := matrixBlockSVG(&v.Matrices[0], matrixOpts{rowLabels: true, alignRight: true}, cw, lang, pal)
		top := matrixBlockSVG(&v.Matrices[1], matrixOpts{colLabels: true, ones: v.FoldBias, picsAbove: true}, cw, lang, pal)
		res := matrixBlockSVG(&v.Matrices[2], matrixOpts{picsBelow: true}, cw, lang, pal)
		times := textBlock("·", fontSerif, 44, pal.muted)
		col1 := math.Max(left.w, times.w)
		col2 := math.Max(top.w, res.w)
		row1 := math.Max(top.h, times.h)
		row2 := math.Max(left.h, res.h)
		return &svgBlock{w: col1 + productGapX + col2, h: row1 + productGapY + row2, draw: func(w *svgWriter, x, y float64) {
			x2, y2 := x+col1+productGapX, y+row1+productGapY
			times.draw(w, x2-productGapX/2-times.w, y+row1-times.h)
			top.draw(w, x2, y+row1-top.h)
			left.draw(w, x2-productGapX-left.w, y2)
			res.draw(w, x2, y2)
		}}
	}
	var items []*svgBlock
	for i := range v.Matrices {
		if i < len(v.Ops) && v.Ops[i] != "" {
			items = append(items, textBlock(v.Ops[i], fontMono, opFont, pal.muted))
		}
		items = append(items, matrixBlockSVG(&v.Matrices[i], matrixOpts{colLabels: true, rowLabels: true, picsBelow: true}, cw, lang, pal))
	}
	width, height := 0.0, 0.0
	for i, it := range items {
		if i > 0 {
			width += blockGap
		}
		width += it.w
		height = math.Max(height, it.h)
	}
	return &svgBlock{w: width, h: height, draw: func(w *svgWriter, x, y float64) {
		for _, it := range items {
			it.draw(w, x, y+(height-it.h)/2) // centred, as the page's flex row
			x += it.w + blockGap
		}
	}}
}

// StepSVG draws a step as a standalone SVG document, for slides: its number
// and title (title is the step's title already in lang), then its matrices
// laid out as the page lays them out, in the light or the dark theme's
// colours. A step that waits on an undefined one shows only that, as the
// page does; an undefined step says so above its matrices. The picture
// names no external resource and only generic fonts.
func StepSVG(v *StepView, title string, lang i18n.Lang, dark bool) string {
	pal := &lightPalette
	if dark {
		pal = &darkPalette
	}
	num1 := strconv.Itoa(v.Index + 1)
	var banner string
	var body *svgBlock
	if v.WaitsOn > 0 {
		banner = i18n.T(lang, "step.waits") + " " + strconv.Itoa(v.WaitsOn) + "."
	} else {
		if v.Undefined != "" {
			banner = i18n.T(lang, v.Undefined)
		}
		body = layoutSVG(v, lang, pal)
	}
	circle := 30.0
	width := circle + 10 + 1.08*textWidth(title, titleFont) // bold
	height := headH
	bannerH, bannerW := 0.0, 1.08*textWidth(banner, 14)+20 // bold
	if banner != "" {
		bannerH = 30
		width = math.Max(width, bannerW)
		height += 8 + bannerH
	}
	if body != nil {
		width = math.Max(width, body.w)
		height += 14 + body.h
	}
	W, H := math.Ceil(width+2*svgPad), math.Ceil(height+2*svgPad)

	w := &svgWriter{pal: pal}
	langAttr := map[i18n.Lang]string{i18n.EN: "en", i18n.ZH: "zh-Hans"}[lang]
	if langAttr == "" {
		langAttr = string(lang)
	}
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="` + num(W) + `" height="` + num(H) +
		`" viewBox="0 0 ` + num(W) + ` ` + num(H) + `" xml:lang="` + langAttr + `" role="img">` + "\n")
	w.WriteString("<title>" + esc(num1+". "+title) + "</title>\n")
	w.rect(0, 0, W, H, pal.card, "")
	x, y := svgPad, svgPad
	// The step's number in a disc, then its title.
	w.WriteString(`<circle cx="` + num(x+circle/2) + `" cy="` + num(y+headH/2) + `" r="` + num(circle/2) + `" fill="` + pal.neutral + `"/>` + "\n")
	w.text(x+circle/2, baseline(y, headH, 15), num1, fontSans, 15, pal.ink, "middle", ` font-weight="bold"`)
	w.text(x+circle+10, baseline(y, headH, titleFont), title, fontSans, titleFont, pal.ink, "", ` font-weight="bold"`)
	y += headH
	if banner != "" {
		y += 8
		bg, ink := pal.hue("gradient")
		w.rect(x, y, bannerW, bannerH, bg, ` rx="6"`)
		w.text(x+10, baseline(y, bannerH, 14), banner, fontSans, 14, ink, "", ` font-weight="bold"`)
		y += bannerH
	}
	if body != nil {
		y += 14
		body.draw(w, x, y)
	}
	w.WriteString("</svg>\n")
	return w.String()
}
