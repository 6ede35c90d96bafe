package ui

import (
	"html"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// lossCurve draws each named loss of the training so far as a line, with
// axes and a legend naming every curve.
func lossCurve(s *Session, lang i18n.Lang) app.UI {
	names := make([]string, 0, len(s.Curves))
	for k := range s.Curves {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(s.Losses) < 2 {
		return app.P().Class("curve-empty").Text(i18n.T(lang, "train.curve_empty"))
	}
	keys := make([]app.UI, 0, len(names))
	for k, n := range names {
		keys = append(keys, app.Li().Body(app.Span().Class("key line line"+strconv.Itoa(k)), app.Text(i18n.T(lang, n))))
	}
	return app.Figure().Class("curve-box").Body(app.Raw(curveSVG(s.Curves, names, lang)),
		app.FigCaption().Body(app.Ul().Class("curve-keys").Body(keys...),
			app.Span().Class("curve-range").Text(i18n.T(lang, "train.steps_done")+" "+strconv.Itoa(len(s.Losses)))))
}

// The curve's drawing box, in SVG units: the plot area and its margins
// for the axes' values.
const (
	curveW, curveH       = 260.0, 120.0
	curveLeft, curveBase = 46.0, 102.0 // the plot's left edge and its baseline
	curveTop, curveRight = 6.0, 254.0
)

// curveSVG draws the curves: the loss against the update number, with
// values on both axes; on a log scale when the losses span more than two
// orders of magnitude (then the axis says so).
func curveSVG(curves map[string][]float64, names []string, lang i18n.Lang) string {
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, name := range names {
		n = max(n, len(curves[name]))
		for _, v := range curves[name] {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	logScale := lo > 0 && hi/lo > 100
	scale := func(v float64) float64 { return v }
	if logScale {
		scale = math.Log10
		lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	slo, shi := scale(lo), scale(hi)
	y := func(v float64) float64 { return curveBase - (scale(v)-slo)/(shi-slo)*(curveBase-curveTop) }
	x := func(i int) float64 {
		return curveLeft + float64(i)/float64(max(1, n-1))*(curveRight-curveLeft)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	var b strings.Builder
	label := i18n.T(lang, "train.curve")
	if logScale {
		label += " (" + i18n.T(lang, "train.log_scale") + ")"
	}
	b.WriteString(`<svg class="curve" viewBox="0 0 ` + f(curveW) + ` ` + f(curveH) + `" role="img" aria-label="` +
		html.EscapeString(label) + `">`)
	// The y axis: its ends and middle (log scale: every power of ten, at
	// most five), each with its value and a faint grid line.
	var ticks []float64
	if logScale {
		step := math.Max(1, math.Ceil((shi-slo)/4))
		e := slo
		for ; e < shi-1e-9; e += step {
			ticks = append(ticks, math.Pow(10, e))
		}
		ticks = append(ticks, math.Pow(10, shi))
	} else {
		ticks = []float64{lo, (lo + hi) / 2, hi}
	}
	for _, v := range ticks {
		yy := f(y(v))
		b.WriteString(`<line class="grid" x1="` + f(curveLeft) + `" x2="` + f(curveRight) + `" y1="` + yy + `" y2="` + yy + `"/>`)
		b.WriteString(`<text class="tick" x="` + f(curveLeft-3) + `" y="` + yy + `" text-anchor="end" dominant-baseline="middle">` +
			html.EscapeString(engine.Format(v)) + `</text>`)
	}
	// The x axis: the first and the last update.
	b.WriteString(`<line class="axis" x1="` + f(curveLeft) + `" x2="` + f(curveRight) + `" y1="` + f(curveBase) + `" y2="` + f(curveBase) + `"/>`)
	b.WriteString(`<line class="axis" x1="` + f(curveLeft) + `" x2="` + f(curveLeft) + `" y1="` + f(curveTop) + `" y2="` + f(curveBase) + `"/>`)
	for _, i := range []int{0, n - 1} {
		anchor := "start"
		if i > 0 {
			anchor = "end"
		}
		b.WriteString(`<text class="tick" x="` + f(x(i)) + `" y="` + f(curveH-2) + `" text-anchor="` + anchor + `">` +
			strconv.Itoa(i+1) + `</text>`)
	}
	b.WriteString(`<text class="tick axis-name" x="` + f((curveLeft+curveRight)/2) + `" y="` + f(curveH-2) +
		`" text-anchor="middle">` + html.EscapeString(i18n.T(lang, "train.update_axis")) + `</text>`)
	for k, name := range names {
		vs := curves[name]
		var pts strings.Builder
		// At most ~220 points: one per unit of the plot's width.
		stride := max(1, len(vs)/220)
		for i := 0; i < len(vs); i += stride {
			v := vs[i]
			if math.IsNaN(v) || math.IsInf(v, 0) || (logScale && v <= 0) {
				continue
			}
			pts.WriteString(f(x(i)) + "," + f(y(v)) + " ")
		}
		b.WriteString(`<polyline class="line line` + strconv.Itoa(k) + `" points="` + pts.String() + `"/>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
