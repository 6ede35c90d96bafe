//go:build !wasm

package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeOps: the README's table of ops is the registry's, as
// `go run ./wasm ops` prints it.
func TestReadmeOps(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	const begin, end = "<!-- ops:begin (go run ./wasm ops) -->\n", "<!-- ops:end -->"
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README has no ops table markers")
	}
	if got, want := s[i+len(begin):j], opsTable(); got != want {
		t.Errorf("README's op table is stale: regenerate it with go run ./wasm ops")
	}
}

// TestCheckCommand: the check command says ok for a good file and names
// the line and field of a bad one.
func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	good, bad := dir+"/good.toml", dir+"/bad.toml"
	os.WriteFile(good, []byte(tinyFile), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(tinyFile, `in = ["W", "X"]`, `in = ["W", "Z"]`, 1)), 0o644)
	var out strings.Builder
	if err := checkCmd(&out, []string{good}); err != nil || !strings.Contains(out.String(), `ok: "tiny"`) {
		t.Errorf("good file: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := checkCmd(&out, []string{bad}); err == nil || !strings.Contains(out.String(), `bad.toml:line 26: step "layer" › in: "Z" is used before it is defined`) {
		t.Errorf("bad file: %v\n%s", err, out.String())
	}
}
