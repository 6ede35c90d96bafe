package ui

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/byhand/byhand/app/i18n"
	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// TestCellTextsFit: every cell of every step of every model, in both
// modes, holds at most engine.FormatWidth characters (what a cell's width
// holds): the default exercise, after 300 training steps, and with every
// variable drawn from 10⁻¹² to 10¹². The number in full reads back as the
// number.
func TestCellTextsFit(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, m := range testModels(t) {
		for _, mode := range []engine.Mode{engine.Hand, engine.Exact} {
			where := m.Info().Slug + "/" + mode.String()
			s := NewSession(m, mode)
			checkTexts(t, where+" default", s)
			s.Train(300, time.Now().Add(time.Minute))
			checkTexts(t, where+" trained", s)
			for _, v := range s.Page.Exercise.Vars {
				rows, cols := v.Data.Dims()
				for i := range rows {
					for j := range cols {
						x := math.Pow(10, r.Float64()*24-12)
						if r.IntN(2) == 0 {
							x = -x
						}
						_ = s.Set(v.ID, i, j, x)
					}
				}
			}
			checkTexts(t, where+" wild", s)
		}
	}
}

func checkTexts(t *testing.T, where string, s *Session) {
	t.Helper()
	for _, v := range s.Views {
		for _, m := range v.Matrices {
			for i, row := range m.Cells {
				for j, c := range row {
					for _, text := range []string{c.Text, c.Struck} {
						if n := utf8.RuneCountInString(text); n > engine.FormatWidth {
							t.Fatalf("%s: %s %s[%d,%d] shows %q: %d characters, a cell holds %d", where, v.ID, m.ID, i, j, text, n, engine.FormatWidth)
						}
					}
					if c.Full == "" {
						continue
					}
					full, err := engine.ParseNumber(c.Full)
					if err != nil || engine.Format(full) != c.Text {
						t.Fatalf("%s: %s %s[%d,%d] shows %q, in full %q (%v → %q)", where, v.ID, m.ID, i, j, c.Text, c.Full, err, engine.Format(full))
					}
				}
			}
		}
	}
}

// TestFullText pins the number in full: the tooltip and the accessible
// name of a cell.
func TestFullText(t *testing.T) {
	fullText := engine.FormatFull
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {-1, "−1"}, {2.5, "2.5"}, {3.14159265, "3.14159265"}, {-0.83214567891234, "−0.832145678912"},
		{1.0 / 3, "0.333333333333"}, {0.1 + 0.2, "0.3"}, {123456, "123456"}, {-1234567.5, "−1234567.5"},
		{1.23456e15, "1.23456e15"}, {4.5e-7, "4.5e−7"}, {1e-10, "0"}, {math.NaN(), ""}, {math.Inf(-1), ""},
	} {
		if got := fullText(c.in); got != c.want {
			t.Errorf("fullText(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	// Only what says more than the cell is kept.
	for _, c := range []struct {
		in         float64
		text, want string
	}{
		{3, "3", ""}, {2.5, "2.5", ""}, {-0.832145, "−0.832", "−0.832145"}, {123456, "123456", ""}, {-123456, "−1.2e5", "−123456"},
	} {
		if text, got := engine.FormatCell(c.in); text != c.text || got != c.want {
			t.Errorf("%v shows %q (want %q), in full %q (want %q)", c.in, engine.Format(c.in), c.text, got, c.want)
		}
	}
}

var (
	tableRe   = regexp.MustCompile(`(?s)<table\b.*?</table>`)
	matrixRe  = regexp.MustCompile(`\bdata-matrix="([^"]*)"`)
	captionRe = regexp.MustCompile(`<caption[^>]*>([^<]*)</caption>`)
	colHeadRe = regexp.MustCompile(`<th\b[^>]*\bscope="col"[^>]*>([^<]*)</th>`)
	rowHeadRe = regexp.MustCompile(`<th\b[^>]*\bscope="row"[^>]*>([^<]*)</th>`)
	trRe      = regexp.MustCompile(`(?s)<tr\b.*?</tr>`)
	stopRe    = regexp.MustCompile(`\btabindex="0"`)
	cellTagRe = regexp.MustCompile(`<td\b[^>]*\bdata-m="[^"]*"[^>]*>`)
	attrRe    = func(name string) *regexp.Regexp { return regexp.MustCompile(`\b` + name + `="([^"]*)"`) }
)

// TestMatrixTables renders every step of every model and checks that each
// matrix is a data table: a caption naming the matrix and its role (and
// frame), a header for every column and every row (labels where the
// matrix has them, else numbers), no layout role, and one Tab stop.
func TestMatrixTables(t *testing.T) {
	for _, m := range testModels(t) {
		s := NewSession(m, engine.Hand)
		for i, v := range s.Views {
			html := app.HTMLString(&StepCard{Index: i, Shape: v.Shape, Lang: i18n.EN, Session: s, Current: true})
			tables := tableRe.FindAllStringIndex(html, -1)
			if len(tables) != len(v.Matrices) {
				t.Fatalf("%s/%s: %d tables for %d matrices", m.Info().Slug, v.ID, len(tables), len(v.Matrices))
			}
			for _, at := range tables {
				tbl := html[at[0]:at[1]]
				// The table's matrix is the last one named before it.
				named := matrixRe.FindAllStringSubmatch(html[:at[0]], -1)
				if len(named) == 0 {
					t.Fatalf("%s/%s: a table outside any matrix", m.Info().Slug, v.ID)
				}
				var mx *MatrixView
				for k := range v.Matrices {
					if v.Matrices[k].ID == named[len(named)-1][1] {
						mx = &v.Matrices[k]
					}
				}
				if mx == nil {
					t.Fatalf("%s/%s: no matrix %q", m.Info().Slug, v.ID, named[len(named)-1][1])
				}
				where := m.Info().Slug + "/" + v.ID + "/" + mx.ID
				if strings.Contains(tbl, `role="`) && !strings.Contains(tbl, `role="alert"`) {
					t.Errorf("%s: a role on the table or its parts: %.200s", where, tbl)
				}
				want := mx.Name + ", " + i18n.T(i18n.EN, "role."+mx.Role)
				if mx.Trainable {
					want += ", trainable"
				} else if mx.Frozen {
					want += ", frozen"
				}
				if c := captionRe.FindStringSubmatch(tbl); c == nil || unescape(c[1]) != want {
					t.Errorf("%s: caption %q, want %q", where, c, want)
				}
				cols := colHeadRe.FindAllStringSubmatch(tbl, -1)
				if len(cols) != mx.Cols {
					t.Errorf("%s: %d column headers for %d columns", where, len(cols), mx.Cols)
				}
				for j, h := range cols {
					want := strconv.Itoa(j + 1)
					if len(mx.ColLabels) == mx.Cols {
						want = mx.ColLabels[j]
					}
					if unescape(h[1]) != want {
						t.Errorf("%s: column %d's header is %q, want %q", where, j+1, h[1], want)
					}
				}
				rows := rowHeadRe.FindAllStringSubmatch(tbl, -1)
				if n := len(trRe.FindAllString(tbl, -1)) - 1; len(rows) != n || n < mx.Rows {
					t.Errorf("%s: %d row headers for %d rows (%d of numbers)", where, len(rows), n, mx.Rows)
				}
				for r := 0; r < mx.Rows && r < len(rows); r++ {
					want := strconv.Itoa(r + 1)
					if len(mx.RowLabels) == mx.Rows {
						want = mx.RowLabels[r]
					}
					if unescape(rows[r][1]) != want {
						t.Errorf("%s: row %d's header is %q, want %q", where, r+1, rows[r][1], want)
					}
				}
				if n := len(stopRe.FindAllString(tbl, -1)); n != 1 {
					t.Errorf("%s: %d Tab stops, want 1", where, n)
				}
			}
		}
	}
}

func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(s)
}

// TestCellNames: a computed cell is named by its number in full, a ReLU
// cell that crossed a negative out as "−1, ReLU gives 0" (in the reader's
// language), and the tooltip is there when the name says more than the
// cell.
func TestCellNames(t *testing.T) {
	s := aeSession(t)
	// W₁[1,1] = 1/3: H₁ holds thirds.
	if err := s.Edit("W1", 0, 0, "0.333333333333333"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang             i18n.Lang
		m                string
		r, c             int
		name, title, raw string
	}{
		{i18n.EN, "H1", 0, 1, "−1, ReLU gives 0", "−1, ReLU gives 0", "0"},
		{i18n.ZH, "H1", 0, 1, "−1，经 ReLU 得 0", "−1，经 ReLU 得 0", "0"},
		{i18n.EN, "H1", 1, 1, "1", "", "1"},
		{i18n.EN, "H1", 0, 0, "1.33333333333", "1.33333333333", "1.33"},
	} {
		html := app.HTMLString(&StepCard{Index: 2, Lang: c.lang, Session: s})
		var td string
		for _, tag := range cellTagRe.FindAllString(html, -1) {
			if strings.Contains(tag, `id="`+cellID("enc1", c.m, c.r, c.c)+`"`) {
				td = tag
			}
		}
		if td == "" {
			t.Fatalf("no cell %s[%d,%d]", c.m, c.r, c.c)
		}
		get := func(name string) string {
			if m := attrRe(name).FindStringSubmatch(td); m != nil {
				return unescape(m[1])
			}
			return ""
		}
		if got := get("aria-label"); got != c.name {
			t.Errorf("%s %s[%d,%d] is named %q, want %q", c.lang, c.m, c.r, c.c, got, c.name)
		}
		if got := get("data-full"); got != c.title {
			t.Errorf("%s %s[%d,%d] has data-full %q, want %q", c.lang, c.m, c.r, c.c, got, c.title)
		}
		if c.title != "" && !strings.Contains(html, `title="`+c.title+`"`) {
			t.Errorf("%s %s[%d,%d]: no tooltip %q", c.lang, c.m, c.r, c.c, c.title)
		}
		if got := get("data-v"); got != engine.Format(mustParse(t, c.raw)) {
			t.Errorf("%s %s[%d,%d] shows %q", c.lang, c.m, c.r, c.c, got)
		}
	}
	// An input shows the cell's text; its tooltip says the number in full.
	html := app.HTMLString(&StepCard{Index: 2, Lang: i18n.EN, Session: s})
	if !regexp.MustCompile(`<input\b[^>]*\btitle="0\.333333333333"`).MatchString(html) ||
		!regexp.MustCompile(`<td\b[^>]*\bdata-full="0\.333333333333"`).MatchString(html) {
		t.Error("W₁[1,1] = 1/3: no tooltip or data-full in full on its input")
	}
}

func mustParse(t *testing.T, s string) float64 {
	v, err := engine.ParseNumber(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
