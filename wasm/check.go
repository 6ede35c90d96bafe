//go:build !wasm

package main

import (
	"errors"
	"fmt"
	"io"
	"os"

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
