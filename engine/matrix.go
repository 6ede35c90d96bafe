package engine

import (
	"math"
	"strconv"
	"strings"

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

// Format writes a number the way the sheets print it: integers bare,
// fractions with up to three decimals (very small and very large numbers
// with three significant digits), a true minus sign, no "−0", and 0 for
// anything smaller than 10⁻⁹. It returns "" for NaN and ±Inf, which are
// never printed as numbers.
func Format(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	a := math.Abs(v)
	if a < 1e-9 {
		// Rounding noise of a sum that is 0 by hand (2.2e−16): show 0, the
		// same on every machine whatever order it added in.
		return "0"
	}
	var s string
	switch {
	case a != 0 && (a >= 1e6 || a < 5e-4):
		s = strconv.FormatFloat(v, 'g', 3, 64)
	default:
		s = strconv.FormatFloat(v, 'f', 3, 64)
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return strings.ReplaceAll(s, "-", "−")
}

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
