package engine

import (
	"math"
	"testing"
)

func nan() float64 { return math.NaN() }
func inf() float64 { return math.Inf(1) }

func TestParseNumber(t *testing.T) {
	good := map[string]float64{"3": 3, " -1.5 ": -1.5, "−2": -2, "0,25": 0.25, "1e2": 100, "+4": 4, "1e-400": 0}
	for in, want := range good {
		got, err := ParseNumber(in)
		if err != nil || got != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]error{"": ErrEmpty, "  ": ErrEmpty, "abc": ErrNotNumber, "NaN": ErrNotNumber,
		"nan": ErrNotNumber, "Inf": ErrNotNumber, "1e400": ErrTooLarge, "-1e400": ErrTooLarge,
		"1..2": ErrNotNumber, "0x10": ErrNotNumber, "1_000": ErrNotNumber}
	for in, want := range bad {
		if _, err := ParseNumber(in); err != want {
			t.Errorf("ParseNumber(%q) error = %v; want %v", in, err, want)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := map[float64]string{0: "0", -1: "−1", 2.5: "2.5", 1.0 / 3: "0.333",
		1e7: "1e7", 0.0001: "0.0001", -1e-10: "0", 2.220446049250313e-16: "0", 3e-7: "3e−7", 12.0004: "12"}
	for in, want := range cases {
		if got := Format(in); got != want {
			t.Errorf("Format(%v) = %q, want %q", in, got, want)
		}
	}
	for _, v := range []float64{nan(), inf(), -inf()} {
		if Format(v) != "" {
			t.Errorf("Format(%v) = %q, want empty", v, Format(v))
		}
	}
}

// FuzzParseNumber: whatever is typed, the parser never panics and never
// returns a number that is not finite.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"3", "-1.5", "abc", "1e400", "NaN", "−0,5", "", "1e-400", "∞"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseNumber(s)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
		if err == nil && Format(v) == "" {
			t.Fatalf("ParseNumber(%q) = %v cannot be shown", s, v)
		}
	})
}
