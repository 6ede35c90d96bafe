package engine

import (
	"os"
	"path"
	"strings"
	"testing"
)

// testModels returns the models the generic tests check: every registered
// one, or, while one walkthrough is being written, only those named in
// BYHAND_MODELS (slugs, comma-separated), which the test says loudly.
func testModels(t *testing.T) []Model {
	t.Helper()
	only := os.Getenv("BYHAND_MODELS")
	if only == "" {
		return Models()
	}
	var out []Model
	for _, slug := range strings.Split(only, ",") {
		m := Lookup(strings.TrimSpace(slug))
		if m == nil {
			t.Fatalf("BYHAND_MODELS names %q, which is not registered", slug)
		}
		out = append(out, m)
	}
	t.Logf("CHECKING ONLY %d OF %d MODELS (BYHAND_MODELS=%s)", len(out), len(Models()), only)
	return out
}

// TestBuiltinFilesLoad: every walkthrough file the site ships reads and
// works through without a problem.
func TestBuiltinFilesLoad(t *testing.T) {
	if len(BuiltinFiles()) == 0 {
		t.Fatal("no walkthrough files are embedded")
	}
	for _, name := range BuiltinFiles() {
		if probs := builtinProblems[name]; probs != nil {
			t.Errorf("%s:\n%v", path.Base(name), probs)
		}
	}
}
