package engine

import (
	"embed"
	"io/fs"
	"sort"
)

// The walkthroughs the site ships are files (walkthroughs/*.toml), read
// and registered when the program starts, like a teacher's own file is
// when it is opened.

//go:embed walkthroughs/*.toml
var builtin embed.FS

// BuiltinFiles returns the names of the walkthrough files the site ships,
// sorted.
func BuiltinFiles() []string {
	names, _ := fs.Glob(builtin, "walkthroughs/*.toml")
	sort.Strings(names)
	return names
}

// BuiltinSource returns the text of one shipped walkthrough file.
func BuiltinSource(name string) string {
	b, err := builtin.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(b)
}

// LoadWalkthrough reads a walkthrough file and makes it a Model, or says
// every problem it has.
func LoadWalkthrough(src string) (Model, Problems) {
	w, probs := ReadWalkthrough(src)
	if probs != nil {
		return nil, probs
	}
	return NewModel(w)
}

// OpenedPrefix starts the message keys of a walkthrough a reader opened
// (a teacher's file), so that its texts never replace a shipped one's.
const OpenedPrefix = "opened."

// LoadOpened reads a walkthrough file a reader opened: as LoadWalkthrough,
// with its message keys kept apart from the shipped walkthroughs'.
func LoadOpened(src string) (Model, Problems) {
	w, probs := ReadWalkthrough(src)
	if probs != nil {
		return nil, probs
	}
	w.Key = OpenedPrefix + w.Key
	return NewModel(w)
}

// builtinProblems holds the problems of shipped files that did not load;
// a test fails on them (a broken file must not stop the others).
var builtinProblems = map[string]Problems{}

func init() {
	for _, name := range BuiltinFiles() {
		m, probs := LoadWalkthrough(BuiltinSource(name))
		if probs != nil {
			builtinProblems[name] = probs
			continue
		}
		Register(m)
	}
}
