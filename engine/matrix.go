package engine

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// Mode is the arithmetic a walkthrough uses.
type Mode int

const (
	// Hand keeps the numbers doable on paper: where the original sheets
	// approximate (e^x ≈ 3^x), so does the engine.
	Hand Mode = iota
	// Exact uses e^x and full precision.
	Exact
)

// ParseMode reads a mode by its name, "hand" or "exact", as String writes
// it.
func ParseMode(name string) (Mode, bool) {
	switch name {
	case "hand":
		return Hand, true
	case "exact":
		return Exact, true
	}
	return Hand, false
}

func (m Mode) String() string {
	if m == Exact {
		return "exact"
	}
	return "hand"
}

// Role says what a matrix is in the walkthrough.
type Role int

const (
	RoleInput Role = iota
	RoleParameter
	RoleActivation
	RoleTarget
	RoleGradient
	RoleNoise
)

var roleNames = [...]string{"input", "parameter", "activation", "target", "gradient", "noise"}

func (r Role) String() string { return roleNames[r] }

// Hue is the colour family the original sheets give a matrix.
type Hue int

const (
	HueNeutral    Hue = iota
	HueText           // text features: purple
	HueImage          // image, latent and generator: green
	HuePixel          // pixels and the shared embedding: yellow
	HueSimilarity     // similarity and discriminator: blue
	HueGradient       // gradients: red
	HueNoise          // noise: grey
)

var hueNames = [...]string{"neutral", "text", "image", "pixel", "similarity", "gradient", "noise"}

func (h Hue) String() string { return hueNames[h] }

// CellRef names one cell of one matrix. A Row equal to the matrix's row
// count means the row of 1s drawn under the input of a folded-bias product.
type CellRef struct {
	Matrix   string
	Row, Col int
}

// Explanation is how a computed cell came to be: its formula with the
// actual numbers and the cells it was computed from.
type Explanation struct {
	Formula string
	Sources []CellRef
	// terms is the formula without its result, given where the formula
	// is not its terms, " = " and its result (a ReLU's "… = −2; ReLU → 0",
	// a mask's "2 > 0 → 1"); see Terms.
	terms string
}

// Terms returns what the cell is computed from, with its numbers, and not
// its value: "2·1 + (−1)·3 + 1" for the formula "2·1 + (−1)·3 + 1 = 0".
// It is what practice's "show the sum" writes. A formula is its terms,
// " = " and its result (the result never holds " = "), unless its cell
// gives its terms itself.
func (e Explanation) Terms() string {
	if e.terms != "" {
		return e.terms
	}
	if i := strings.LastIndex(e.Formula, " = "); i >= 0 {
		return e.Formula[:i]
	}
	return ""
}

// Picture says how to draw a matrix as grey-scale pixels beside its
// numbers, mapping Lo to black and Hi to white (Lo == Hi: the range of the
// data). With PerColumn, each column, read top to bottom and filled row by
// row, becomes one image of Height×Width pixels (a 4-value sample as a 2×2
// tile). Without it, the matrix is cut left to right into blocks of Height
// rows and Width columns, one image each (a 2×8 matrix as two 2×4 frames).
type Picture struct {
	Height, Width int
	PerColumn     bool
	Lo, Hi        float64
}

// Matrix is one matrix as a step shows it.
type Matrix struct {
	ID   string // stable id within the trace, e.g. "enc1.Wb"
	Name string // as printed on the sheet, e.g. "W₁ | b₁"
	Role Role
	Hue  Hue
	// Trainable parameters get a red frame; Frozen ones a blue frame.
	Trainable, Frozen bool
	// BiasColumn: the last column is a bias folded into the weights.
	BiasColumn bool
	// RowLabels and ColLabels name rows and columns (samples, words).
	RowLabels, ColLabels []string
	Data                 *mat.Dense
	// Before holds, for a ReLU output, the values before clamping: a cell
	// where it differs from Data is drawn struck through with its 0.
	Before  *mat.Dense
	Picture *Picture

	explain func(r, c int) Explanation
	// from is, for a view of another matrix (a transpose), the id of the
	// matrix it shows: a step showing the view reads that matrix.
	from string
}

// Dims returns the matrix's rows and columns.
func (m *Matrix) Dims() (int, int) { return m.Data.Dims() }

// At returns one cell.
func (m *Matrix) At(r, c int) float64 { return m.Data.At(r, c) }

// Computed reports whether the matrix's cells can explain themselves.
func (m *Matrix) Computed() bool { return m.explain != nil }

// Explain returns how cell (r, c) was computed.
func (m *Matrix) Explain(r, c int) (Explanation, bool) {
	if m.explain == nil {
		return Explanation{}, false
	}
	rows, cols := m.Dims()
	if r < 0 || c < 0 || r >= rows || c >= cols {
		return Explanation{}, false
	}
	return m.explain(r, c), true
}

// ViewOf returns, for a view of another matrix (a transpose a later step
// shows), the id of the matrix it shows; "" for a matrix of its own.
func (m *Matrix) ViewOf() string { return m.from }

// Finite reports whether every cell is a finite number.
func (m *Matrix) Finite() bool { return allFinite(m.Data) }

func allFinite(d *mat.Dense) bool {
	r, c := d.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := d.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

// isWhole reports whether every cell of d is a whole number.
func isWhole(d *mat.Dense) bool {
	r, c := d.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if v := d.At(i, j); v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}

// FormatWidth is the most characters Format ever writes: what a cell of
// the page holds (its width is six digits; web/app.css).
const FormatWidth = 6

// Format writes a number the way every surface of the page shows it (the
// cells, their data-v, explanations, formulas, exports): in at most
// FormatWidth characters, with a true minus sign, no "−0", and 0 for
// anything smaller than 10⁻⁹. Integers that fit are written bare (−12,
// 99999); other numbers are rounded to three significant digits (0.832,
// −12.3, 1235), fewer only where six characters cannot hold three
// (−0.083), and very large or very small numbers take the compact form
// 1.2e5, 4.5e−4, −1e−7. Of two forms with as many digits, the plain one
// wins.
//
// It rounds as by hand, half away from zero, the number as it reads to
// twelve significant digits: 1.325 shows as 1.33 whether the sum that made
// it came out a hair above or below, and the text always agrees with the
// number in full (twelve digits) that a cell's tooltip gives. Format of a
// number read back from its own text gives that text again. It returns ""
// for NaN and ±Inf, which are never printed as numbers.
func Format(v float64) string {
	text, _ := format(v, false)
	return text
}

// FormatCell returns Format(v) and FormatFull(v), the latter "" when it
// says no more than the former (integers, 2.5). It reads v once for both:
// it runs for every cell of every step a change reaches.
func FormatCell(v float64) (text, full string) { return format(v, true) }

func format(v float64, withFull bool) (text, full string) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", ""
	}
	a := math.Abs(v)
	if a < 1e-9 {
		// Rounding noise of a sum that is 0 by hand (2.2e−16): show 0, the
		// same on every machine whatever order it added in.
		return "0", ""
	}
	if v == math.Trunc(v) && a < 1e6 {
		// Six digits at most: the number in full is the same text.
		if s := trueMinus(strconv.FormatFloat(v, 'f', 0, 64)); fits(s) {
			return s, ""
		}
	}
	d := toDecimal(v)
	text = d.text()
	if withFull {
		if full = d.full(); full == text {
			full = ""
		}
	}
	return text, full
}

// text is Format's text of d.
func (d decimal) text() string {
	for digits := 3; digits >= 1; digits-- {
		// A plain number keeps its whole integer part: 1234.5 is 1235.
		if s := d.round(max(digits, d.exp+1)).plain(); fits(s) {
			return s
		}
		if s := d.round(digits).compact(); fits(s) {
			return s
		}
	}
	// Unreachable: one digit of the compact form fits any finite number
	// from 10⁻⁹ up ("−1e−9", "−2e308").
	return d.round(1).compact()
}

// full is FormatFull's text of d.
func (d decimal) full() string {
	x := d.round(12)
	if x.exp < -4 || x.exp >= 12 {
		return x.compact()
	}
	return x.plain()
}

// decimal is a number as significant digits: d[0].d[1:n] × 10^exp. It
// is a value (no allocation): Format runs for every cell of every step.
type decimal struct {
	neg bool
	n   int
	d   [12]byte
	exp int
}

// toDecimal reads v to twelve significant digits.
func toDecimal(v float64) decimal {
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], v, 'e', 11, 64) // −d.ddddddddddde±XX
	x := decimal{neg: s[0] == '-'}
	if x.neg {
		s = s[1:]
	}
	x.d[0] = s[0]
	x.n = 1 + copy(x.d[1:], s[2:13])
	e := s[14:] // ±XX or ±XXX
	for _, c := range e[1:] {
		x.exp = 10*x.exp + int(c-'0')
	}
	if e[0] == '-' {
		x.exp = -x.exp
	}
	return x
}

// round rounds to n significant digits, half away from zero.
func (x decimal) round(n int) decimal {
	if n < x.n {
		x = x.roundUp(n)
	}
	// Trailing zeros say nothing.
	for x.n > 1 && x.d[x.n-1] == '0' {
		x.n--
	}
	return x
}

func (x decimal) roundUp(n int) decimal {
	up := x.d[n] >= '5'
	x.n = n
	if up {
		i := n - 1
		for i >= 0 && x.d[i] == '9' {
			x.d[i] = '0'
			i--
		}
		if i >= 0 {
			x.d[i]++
		} else {
			copy(x.d[1:n], x.d[:n-1])
			x.d[0] = '1'
			x.exp++
		}
	}
	return x
}

// plain writes x without a power of ten: 0.0832, 12.3, 1235.
func (x decimal) plain() string {
	var buf [40]byte
	b := buf[:0]
	if x.neg {
		b = append(b, "−"...)
	}
	digits := x.d[:x.n]
	switch {
	case x.exp < 0:
		b = append(b, "0."...)
		for range -x.exp - 1 {
			b = append(b, '0')
		}
		b = append(b, digits...)
	case x.exp+1 >= len(digits):
		b = append(b, digits...)
		for range x.exp + 1 - len(digits) {
			b = append(b, '0')
		}
	default:
		b = append(b, digits[:x.exp+1]...)
		b = append(b, '.')
		b = append(b, digits[x.exp+1:]...)
	}
	return string(b)
}

// compact writes x as a mantissa and a power of ten: 1.2e5, −4.5e−4.
func (x decimal) compact() string {
	var buf [40]byte
	b := buf[:0]
	if x.neg {
		b = append(b, "−"...)
	}
	b = append(b, x.d[0])
	if x.n > 1 {
		b = append(b, '.')
		b = append(b, x.d[1:x.n]...)
	}
	b = append(b, 'e')
	if x.exp < 0 {
		b = append(b, "−"...)
	}
	b = strconv.AppendInt(b, int64(abs(x.exp)), 10)
	return string(b)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FormatFull writes a number in full, for a cell's tooltip and accessible
// name: to twelve significant digits (3.14159265, −0.832145678912), with a
// power of ten only from 10¹² up or below 10⁻⁴ (1.23456e15, 4.5e−7), a
// true minus, 0 below 10⁻⁹ as Format, and "" for NaN and ±Inf. Format's
// text is this number rounded.
func FormatFull(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if math.Abs(v) < 1e-9 {
		return "0"
	}
	return toDecimal(v).full()
}

func trueMinus(s string) string { return strings.ReplaceAll(s, "-", "−") }

func fits(s string) bool { return utf8.RuneCountInString(s) <= FormatWidth }

// paren writes a number for use inside a formula: negatives in brackets.
func paren(v float64) string {
	s := Format(v)
	if s == "" {
		return "?"
	}
	if strings.HasPrefix(s, "−") {
		return "(" + s + ")"
	}
	return s
}

// result writes the right-hand side of a formula.
func result(v float64) string {
	s := Format(v)
	if s == "" {
		return "undefined"
	}
	return s
}

// ParseNumber reads a number a person typed into a cell. It accepts an
// optional sign (ASCII or "−"), decimals with '.' or ',' and exponents, and
// refuses empty text, words, NaN and anything too large to be finite.
func ParseNumber(s string) (float64, error) {
	t := strings.TrimSpace(s)
	t = strings.ReplaceAll(t, "−", "-")
	t = strings.ReplaceAll(t, ",", ".")
	if t == "" {
		return 0, ErrEmpty
	}
	for _, r := range t {
		if !strings.ContainsRune("0123456789+-.eE", r) {
			return 0, ErrNotNumber
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && !(math.Abs(v) < 1) {
			return 0, ErrTooLarge
		}
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, nil // underflow: as close to zero as a cell can show
		}
		return 0, ErrNotNumber
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ErrTooLarge
	}
	return v, nil
}

// InputError is why typed text was refused; its text is a message key.
type InputError string

func (e InputError) Error() string { return string(e) }

// The reasons ParseNumber and State.Set refuse a value (message keys).
const (
	ErrEmpty     InputError = "error.empty"
	ErrNotNumber InputError = "error.not_number"
	ErrTooLarge  InputError = "error.too_large"
	ErrNoCell    InputError = "error.no_cell"
)
