package pagestate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/byhand/byhand/engine"
)

// A parent page (a slide deck) drives an embedded page with messages, and
// the page tells the parent what it did. Both are plain objects whose
// string field "byhand" names the command or the event.
//
// Commands, parent to page:
//
//	{byhand: "next"}, {byhand: "prev"}      one step on or back, within the range
//	{byhand: "goto", step: K}                step K (1-based), clamped into the range
//	{byhand: "set", var: "W1", row: 1, col: 2, value: 5}
//	                                         one cell of the exercise (1-based)
//	{byhand: "mode", mode: "hand"|"exact"}
//	{byhand: "reset"}                        the default exercise
//	{byhand: "link"}                         ask for the state link
//
// Events, page to parent: {byhand: E, model, step, steps, first, last,
// mode, link}, E being "ready" (once, when the page is interactive),
// "step" (the current step changed), "state" (the exercise, the mode or a
// setting changed) or "link" (the answer to a "link" command).

// Command is one parent command, checked.
type Command struct {
	Name     string  `json:"byhand"`
	Step     int     `json:"step,omitempty"`
	Var      string  `json:"var,omitempty"`
	Row      int     `json:"row,omitempty"`
	Col      int     `json:"col,omitempty"`
	Value    float64 `json:"value,omitempty"`
	ModeName string  `json:"mode,omitempty"`
}

// Event is what the page posts to its parent.
type Event struct {
	Name  string `json:"byhand"`
	Model string `json:"model"`
	Step  int    `json:"step"`
	Steps int    `json:"steps"`
	First int    `json:"first"`
	Last  int    `json:"last"`
	Mode  string `json:"mode"`
	Link  string `json:"link"`
}

// MaxMessage is the largest message read, in bytes of JSON.
const MaxMessage = 4 << 10

// ParseCommand checks a message from origin (already known to come from
// the parent window), given as JSON, against the origins the page was
// told to trust (all, when none were named). A message from another
// origin or of the wrong shape is refused with the reason, to be logged.
func ParseCommand(origin string, trusted []string, data []byte) (Command, error) {
	if len(trusted) > 0 && !slices.Contains(trusted, origin) {
		return Command{}, fmt.Errorf("message from %q, which is not a trusted origin", origin)
	}
	if len(data) > MaxMessage {
		return Command{}, fmt.Errorf("message of %d bytes is too long", len(data))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return Command{}, fmt.Errorf("message is not an object: %s", clip(data))
	}
	var name string
	if err := json.Unmarshal(fields["byhand"], &name); err != nil {
		return Command{}, fmt.Errorf(`message has no string field "byhand": %s`, clip(data))
	}
	allowed := map[string][]string{
		"next": nil, "prev": nil, "reset": nil, "link": nil,
		"goto": {"step"},
		"set":  {"var", "row", "col", "value"},
		"mode": {"mode"},
	}
	need, ok := allowed[name]
	if !ok {
		return Command{}, fmt.Errorf("unknown command %q", name)
	}
	for k := range fields {
		if k != "byhand" && !slices.Contains(need, k) {
			return Command{}, fmt.Errorf("command %q has an unexpected field %q", name, k)
		}
	}
	for _, k := range need {
		if _, ok := fields[k]; !ok {
			return Command{}, fmt.Errorf("command %q needs the field %q", name, k)
		}
	}
	var c Command
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		return Command{}, fmt.Errorf("command %q has a field of the wrong type: %v", name, err)
	}
	switch name {
	case "goto":
		if c.Step < 1 {
			return Command{}, fmt.Errorf("goto: step %d is not a step number (1, 2, …)", c.Step)
		}
	case "set":
		if c.Var == "" || c.Row < 1 || c.Col < 1 {
			return Command{}, fmt.Errorf("set: var, row and col must name a cell (row and col from 1)")
		}
		if math.IsNaN(c.Value) || math.IsInf(c.Value, 0) {
			return Command{}, fmt.Errorf("set: the value is not a finite number")
		}
	case "mode":
		if _, ok := engine.ParseMode(c.ModeName); !ok {
			return Command{}, fmt.Errorf(`mode: %q is neither "hand" nor "exact"`, c.ModeName)
		}
	}
	return c, nil
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
