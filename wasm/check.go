//go:build !wasm

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/byhand/byhand/engine"
)

// checkCmd checks walkthrough files as the page does when one is opened,
// and prints each file's problems, one per line, prefixed by the file's
// name, or "ok" and what the file holds.
func checkCmd(w io.Writer, files []string) error {
	if len(files) == 0 {
		return errors.New("check: name at least one walkthrough file")
	}
	bad := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(w, "%s: %v\n", name, err)
			bad++
			continue
		}
		m, probs := engine.LoadOpened(string(src))
		if probs != nil {
			for _, p := range probs {
				fmt.Fprintf(w, "%s:%s\n", name, p.Error())
			}
			bad++
			continue
		}
		tr := m.Run(m.Exercise(), engine.Hand)
		fmt.Fprintf(w, "%s: ok: %q, %d steps, %d trainable\n", name, m.Info().Slug, len(tr.Steps), len(tr.Phases[0]))
	}
	if bad > 0 {
		return fmt.Errorf("check: %d of %d files have problems", bad, len(files))
	}
	return nil
}

// opsTable is the README's table of ops, from the registry: each op with
// what it reads and computes, its parameters, its formula and its
// backward.
func opsTable() string {
	var b strings.Builder
	b.WriteString("| op | in | out | parameters (default) | forward | backward |\n|---|---|---|---|---|---|\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	for _, name := range engine.OpNames() {
		op := engine.LookupOp(name)
		in := strings.Join(op.In, ", ")
		if op.Variadic {
			in += ", …"
		}
		var params []string
		for _, p := range op.Params {
			s := p.Name
			if p.Default != nil {
				switch p.Default.Kind {
				case engine.KindNumber:
					s += fmt.Sprintf(" (%g)", p.Default.Num)
				case engine.KindBool:
					s += fmt.Sprintf(" (%t)", p.Default.Bool)
				case engine.KindString:
					s += fmt.Sprintf(" (%q)", p.Default.Str)
				}
			}
			params = append(params, s)
		}
		kind := ""
		if op.Loss {
			kind = " (loss)"
		}
		back := op.Grad
		if op.Backward == nil {
			back = "none: shown only, nothing trained may depend on it"
		}
		fmt.Fprintf(&b, "| `%s`%s | %s | %s | %s | %s | %s |\n", name, kind, cell(in), cell(strings.Join(op.Out, ", ")),
			cell(strings.Join(params, ", ")), cell(op.Formula), cell(back))
	}
	return b.String()
}
