package ui

import (
	"html"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/byhand/byhand/app/i18n"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// lossCurve draws each named loss of the training so far as a line.
func lossCurve(s *Session, lang i18n.Lang) app.UI {
	names := make([]string, 0, len(s.Curves))
	for k := range s.Curves {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(s.Losses) < 2 {
		return app.P().Class("curve-empty").Text(i18n.T(lang, "train.curve_empty"))
	}
	const w, h = 240.0, 90.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, n := range names {
		for _, v := range s.Curves[n] {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	var svg strings.Builder
	svg.WriteString(`<svg class="curve" viewBox="0 -4 240 98" preserveAspectRatio="none" role="img" aria-label="` +
		html.EscapeString(i18n.T(lang, "train.curve")) + `">`)
	keys := make([]app.UI, 0, len(names))
	for k, n := range names {
		vs := s.Curves[n]
		var b strings.Builder
		step := w / float64(max(1, len(vs)-1))
		// At most ~240 points: one per pixel column.
		stride := max(1, len(vs)/240)
		for i := 0; i < len(vs); i += stride {
			v := vs[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			x := float64(i) * step
			y := h - (v-lo)/(hi-lo)*h
			b.WriteString(strconv.FormatFloat(x, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64) + " ")
		}
		class := "line line" + strconv.Itoa(k)
		svg.WriteString(`<polyline class="` + class + `" points="` + b.String() + `"/>`)
		keys = append(keys, app.Li().Body(app.Span().Class("key "+class), app.Text(i18n.T(lang, n))))
	}
	svg.WriteString(`</svg>`)
	return app.Figure().Class("curve-box").Body(app.Raw(svg.String()),
		app.FigCaption().Body(app.Ul().Class("curve-keys").Body(keys...),
			app.Span().Class("curve-range").Text(i18n.T(lang, "train.steps_done")+" "+strconv.Itoa(len(s.Losses)))))
}
