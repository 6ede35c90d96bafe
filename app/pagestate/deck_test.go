package pagestate

import (
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	good := []struct {
		msg  string
		want Command
	}{
		{`{"byhand":"next"}`, Command{Name: "next"}},
		{`{"byhand":"prev"}`, Command{Name: "prev"}},
		{`{"byhand":"goto","step":4}`, Command{Name: "goto", Step: 4}},
		{`{"byhand":"set","var":"W1","row":2,"col":3,"value":-1.5}`, Command{Name: "set", Var: "W1", Row: 2, Col: 3, Value: -1.5}},
		{`{"byhand":"mode","mode":"exact"}`, Command{Name: "mode", ModeName: "exact"}},
		{`{"byhand":"reset"}`, Command{Name: "reset"}},
		{`{"byhand":"link"}`, Command{Name: "link"}},
	}
	for _, c := range good {
		got, err := ParseCommand("https://deck.example", nil, []byte(c.msg))
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v", c.msg, got, err)
		}
	}
	bad := []struct{ msg, why string }{
		{`"next"`, "not an object"},
		{`null`, "no string field"},
		{`{}`, "no string field"},
		{`{"byhand":3}`, "no string field"},
		{`{"byhand":"jump"}`, "unknown command"},
		{`{"byhand":"goto"}`, "needs the field"},
		{`{"byhand":"goto","step":"3"}`, "wrong type"},
		{`{"byhand":"goto","step":0}`, "not a step number"},
		{`{"byhand":"goto","step":2.5}`, "wrong type"},
		{`{"byhand":"next","step":2}`, "unexpected field"},
		{`{"byhand":"set","var":"W1","row":1,"col":1}`, "needs the field"},
		{`{"byhand":"set","var":"W1","row":0,"col":1,"value":1}`, "must name a cell"},
		{`{"byhand":"set","var":"W1","row":1,"col":1,"value":1e400}`, "wrong type"},
		{`{"byhand":"mode","mode":"fast"}`, "neither"},
		{`{"byhand":"link","x":"` + strings.Repeat("a", MaxMessage) + `"}`, "too long"},
	}
	for _, c := range bad {
		if _, err := ParseCommand("https://deck.example", nil, []byte(c.msg)); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%.60s: error %v, want %q", c.msg, err, c.why)
		}
	}
	trusted := []string{"https://deck.example"}
	if _, err := ParseCommand("https://deck.example", trusted, []byte(`{"byhand":"next"}`)); err != nil {
		t.Error(err)
	}
	if _, err := ParseCommand("https://evil.example", trusted, []byte(`{"byhand":"next"}`)); err == nil {
		t.Error("a message from an untrusted origin was accepted")
	}
}
