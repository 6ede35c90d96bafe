package engine

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"unicode/utf8"
)

// TestFormatTable pins the display rule: integers bare, three significant
// digits, fewer only where six characters cannot hold them, a compact
// power of ten for the very large and the very small.
func TestFormatTable(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {1, "1"}, {-1, "−1"}, {2.5, "2.5"}, {-0.5, "−0.5"},
		{1.0 / 3, "0.333"}, {-1.0 / 3, "−0.333"},
		{0.832145, "0.832"}, {-0.832145, "−0.832"}, // G₁ of the GAN after training
		{0.0832, "0.0832"}, {-0.0832, "−0.083"},
		{0.00832, "0.0083"}, {-0.00832, "−0.008"},
		{0.000832, "8.3e−4"}, {-0.000832, "−8e−4"},
		{0.00045, "4.5e−4"}, {0.0004, "0.0004"}, {-0.0004, "−4e−4"},
		{3e-7, "3e−7"}, {-3e-7, "−3e−7"}, {1e-9, "1e−9"}, {-1e-10, "0"}, {2.220446049250313e-16, "0"},
		{12.345, "12.3"}, {-12.345, "−12.3"}, {123.456, "123"}, {-123.456, "−123"},
		{1234.56, "1235"}, {-12345.6, "−12346"}, {12.0004, "12"}, {0.09996, "0.1"}, {9.9996, "10"},
		{3.14159265, "3.14"}, {89, "89"},
		// Half away from zero, as by hand, whatever the last bits say.
		{1.325, "1.33"}, {1.3249999999999997, "1.33"}, {1.3250000000000002, "1.33"}, {1.3249999, "1.32"},
		{2.675, "2.68"}, {-2.675, "−2.68"}, {-0.0125, "−0.013"}, {0.1 + 0.2, "0.3"}, {2.9999999999999996, "3"},
		{99999, "99999"}, {-99999, "−99999"}, {123456, "123456"}, {-123456, "−1.2e5"},
		{123456.7, "123457"}, {999999.6, "1e6"}, {1234567, "1.23e6"}, {-1234567, "−1.2e6"},
		{1e7, "1e7"}, {-1e7, "−1e7"}, {1.2345e15, "1.2e15"}, {-1.2345e15, "−1e15"},
		{1e300, "1e300"}, {-1e308, "−1e308"},
		{math.NaN(), ""}, {math.Inf(1), ""}, {math.Inf(-1), ""},
	}
	for _, c := range cases {
		if got := Format(c.in); got != c.want {
			t.Errorf("Format(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestFormatProperties checks the rule on numbers of every size: the text
// is at most FormatWidth characters, reads back as the number rounded to
// the digits it shows, and is its own format (a cell showing it, read back
// and shown again, shows the same text).
func TestFormatProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []float64{math.MaxFloat64 / 2, math.SmallestNonzeroFloat64, 5e-324, 1e-9, 0.5, 1e5, 1e6 - 0.5}
	for range 200000 {
		v := math.Pow(10, r.Float64()*326-16) // 1e−16 to 1e310
		if r.IntN(2) == 0 {
			v = -v
		}
		if r.IntN(8) == 0 {
			v = math.Round(v) // integers
		}
		values = append(values, v)
	}
	for _, v := range values {
		if math.IsInf(v, 0) {
			continue
		}
		s := Format(v)
		if n := utf8.RuneCountInString(s); n == 0 || n > FormatWidth {
			t.Fatalf("Format(%v) = %q: %d characters, at most %d fit a cell", v, s, n, FormatWidth)
		}
		back, err := ParseNumber(s)
		if err != nil {
			if math.Abs(v) >= 1.5e308 {
				continue // "2e308": the rounding of the largest numbers is beyond the largest
			}
			t.Fatalf("Format(%v) = %q, which does not read back: %v", v, s, err)
		}
		if math.Abs(v) >= 1e-9 {
			// Rounded to at least one significant digit, three where they fit.
			if rel := math.Abs(back-v) / math.Abs(v); rel > 0.5 {
				t.Fatalf("Format(%v) = %q: off by %.0f%%", v, s, rel*100)
			}
			if math.Abs(v) >= 0.1 && math.Abs(v) < 1e5 {
				if rel := math.Abs(back-v) / math.Abs(v); rel > 0.5e-2 {
					t.Fatalf("Format(%v) = %q: fewer than three significant digits", v, s)
				}
			}
		}
		if again := Format(back); again != s {
			t.Fatalf("Format(%v) = %q, but Format(%v) = %q", v, s, back, again)
		}
		// The number in full rounds to the text: a tooltip never
		// contradicts its cell.
		text, full := FormatCell(v)
		if text != s || full == s {
			t.Fatalf("FormatCell(%v) = %q, %q; Format gives %q", v, text, full, s)
		}
		if full == "" {
			full = s
		}
		if f, err := ParseNumber(full); err != nil || Format(f) != s || full != FormatFull(v) {
			t.Fatalf("Format(%v) = %q, but in full %q (FormatFull %q) reads %v, shown %q (%v)", v, s, full, FormatFull(v), f, Format(f), err)
		}
		if v == math.Trunc(v) && v != 0 && math.Abs(v) < 1e5 && s != trueMinus(strconv.FormatFloat(v, 'f', 0, 64)) {
			t.Fatalf("the integer %v shows as %q", v, s)
		}
	}
}

// TestFormatFull pins the number in full, a cell's tooltip and accessible
// name: twelve significant digits, a power of ten only from 10¹² up or
// below 10⁻⁴.
func TestFormatFull(t *testing.T) {
	for _, c := range []struct {
		in         float64
		full, cell string // FormatFull, and FormatCell's full ("" when the cell says it all)
	}{
		{0, "0", ""}, {-1, "−1", ""}, {2.5, "2.5", ""}, {123456, "123456", ""},
		{3.14159265, "3.14159265", "3.14159265"}, {-0.83214567891234, "−0.832145678912", "−0.832145678912"},
		{1.0 / 3, "0.333333333333", "0.333333333333"}, {0.1 + 0.2, "0.3", ""}, {-123456, "−123456", "−123456"},
		{-1234567.5, "−1234567.5", "−1234567.5"}, {1.23456e15, "1.23456e15", "1.23456e15"}, {1e12, "1e12", ""},
		{4.5e-7, "4.5e−7", ""}, {1.25e-5, "1.25e−5", "1.25e−5"}, {0.00012345, "0.00012345", "0.00012345"},
		{1e-10, "0", ""}, {math.NaN(), "", ""}, {math.Inf(-1), "", ""},
	} {
		if got := FormatFull(c.in); got != c.full {
			t.Errorf("FormatFull(%v) = %q, want %q", c.in, got, c.full)
		}
		if text, full := FormatCell(c.in); text != Format(c.in) || full != c.cell {
			t.Errorf("FormatCell(%v) = %q, %q; want %q, %q", c.in, text, full, Format(c.in), c.cell)
		}
	}
}
