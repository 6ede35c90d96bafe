package ui

import (
	"os"
	"strings"
	"testing"

	"github.com/byhand/byhand/engine"
)

// testModels are the walkthroughs the generic tests of the app check:
// every one, or those BYHAND_MODELS names, which the test says loudly.
// make test names a sample under Node (the views are the same Go on every
// platform) and checks them all natively.
func testModels(t *testing.T) []engine.Model {
	t.Helper()
	only := os.Getenv("BYHAND_MODELS")
	if only == "" {
		return engine.Models()
	}
	var out []engine.Model
	for _, slug := range strings.Split(only, ",") {
		m := engine.Lookup(strings.TrimSpace(slug))
		if m == nil {
			t.Fatalf("BYHAND_MODELS names %q, which is not registered", slug)
		}
		out = append(out, m)
	}
	t.Logf("CHECKING ONLY %d OF %d MODELS (BYHAND_MODELS=%s)", len(out), len(engine.Models()), only)
	return out
}
