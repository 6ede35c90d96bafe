package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads the text format of walkthrough files: TOML (toml.io),
// the part of it a walkthrough needs. Tables, arrays of tables, dotted
// keys, strings (basic, literal and multi-line), numbers, booleans, arrays
// over several lines and inline tables are read; dates and times are
// refused with a message. Every value remembers the line it starts on, so
// that validation can name the line of every problem. It is written here,
// not taken from a library, to keep it small in the browser's program and
// to keep those lines.

// Kind is what a TOML value is.
type Kind int

const (
	KindString Kind = iota
	KindNumber
	KindBool
	KindArray
	KindTable
)

var kindNames = [...]string{"text", "number", "true or false", "list", "table"}

func (k Kind) String() string { return kindNames[k] }

// Value is one value of a TOML document.
type Value struct {
	Line int
	Kind Kind
	Str  string
	Num  float64
	Bool bool
	Arr  []*Value
	Tab  *Table
	// isInt: the number was written without a point or an exponent.
	isInt bool
	// closed: a table that was written as a whole (inline, or under its
	// own header) and may not be opened again.
	closed bool
}

// Table is a TOML table: its keys in the order they were written.
type Table struct {
	Line   int
	Keys   []string
	Fields map[string]*Value
}

// Get returns the value of key, or nil.
func (t *Table) Get(key string) *Value {
	if t == nil {
		return nil
	}
	return t.Fields[key]
}

func newTable(line int) *Table { return &Table{Line: line, Fields: map[string]*Value{}} }

func (t *Table) set(key string, v *Value) {
	t.Keys = append(t.Keys, key)
	t.Fields[key] = v
}

// SyntaxError is a line the reader could not read.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ParseTOML reads a TOML document into its root table.
func ParseTOML(src string) (root *Table, err error) {
	if !utf8.ValidString(src) {
		return nil, &SyntaxError{Line: 1, Msg: "the file is not UTF-8 text"}
	}
	p := &tomlParser{src: src, line: 1}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			root, err = nil, se
		}
	}()
	return p.document(), nil
}

type tomlParser struct {
	src  string
	pos  int
	line int
}

func (p *tomlParser) fail(format string, args ...any) {
	panic(&SyntaxError{Line: p.line, Msg: fmt.Sprintf(format, args...)})
}

func (p *tomlParser) eof() bool { return p.pos >= len(p.src) }

func (p *tomlParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *tomlParser) next() byte {
	c := p.src[p.pos]
	p.pos++
	if c == '\n' {
		p.line++
	}
	return c
}

// blank skips spaces and tabs.
func (p *tomlParser) blank() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

// comment skips a comment to the end of its line.
func (p *tomlParser) comment() {
	if p.peek() == '#' {
		for !p.eof() && p.peek() != '\n' {
			p.pos++
		}
	}
}

// endOfLine requires the rest of the line to be blank or a comment.
func (p *tomlParser) endOfLine() {
	p.blank()
	p.comment()
	if p.eof() {
		return
	}
	if p.peek() == '\r' {
		p.pos++
	}
	if p.peek() != '\n' {
		p.fail("unexpected %q after the value; put one key = value on each line", p.rest())
	}
	p.next()
}

// rest is the rest of the line, for messages.
func (p *tomlParser) rest() string {
	end := strings.IndexByte(p.src[p.pos:], '\n')
	s := p.src[p.pos:]
	if end >= 0 {
		s = s[:end]
	}
	s = strings.TrimSpace(s)
	if len(s) > 30 {
		s = s[:30] + "…"
	}
	return s
}

// gap skips blanks, newlines and comments, inside an array.
func (p *tomlParser) gap() {
	for !p.eof() {
		switch p.peek() {
		case ' ', '\t', '\r', '\n':
			p.next()
		case '#':
			p.comment()
		default:
			return
		}
	}
}

func (p *tomlParser) document() *Table {
	root := newTable(1)
	current := root
	for {
		p.gap()
		if p.eof() {
			return root
		}
		if p.peek() == '[' {
			current = p.header(root)
			p.endOfLine()
			continue
		}
		p.keyValue(current)
		p.endOfLine()
	}
}

// header reads [a.b] or [[a.b]] and returns the table it opens.
func (p *tomlParser) header(root *Table) *Table {
	line := p.line
	p.next()
	array := p.peek() == '['
	if array {
		p.next()
	}
	p.blank()
	keys := p.key()
	p.blank()
	if p.eof() || p.next() != ']' || array && (p.eof() || p.next() != ']') {
		p.fail("a table header must end with %s", map[bool]string{false: "]", true: "]]"}[array])
	}
	t := root
	for _, k := range keys[:len(keys)-1] {
		t = p.descend(t, k, line)
	}
	last := keys[len(keys)-1]
	v := t.Get(last)
	if array {
		if v == nil {
			v = &Value{Line: line, Kind: KindArray}
			v.closed = false
			t.set(last, v)
		} else if v.Kind != KindArray || v.closed {
			p.fail("%q is already defined, and not as a list of tables", strings.Join(keys, "."))
		}
		nt := newTable(line)
		v.Arr = append(v.Arr, &Value{Line: line, Kind: KindTable, Tab: nt})
		return nt
	}
	if v == nil {
		nt := newTable(line)
		t.set(last, &Value{Line: line, Kind: KindTable, Tab: nt, closed: true})
		return nt
	}
	if v.Kind != KindTable || v.closed {
		p.fail("table %q is defined twice", strings.Join(keys, "."))
	}
	v.closed = true
	return v.Tab
}

// descend returns the table under key k of t, making it when it is not
// there; in a list of tables, the last one.
func (p *tomlParser) descend(t *Table, k string, line int) *Table {
	v := t.Get(k)
	switch {
	case v == nil:
		nt := newTable(line)
		t.set(k, &Value{Line: line, Kind: KindTable, Tab: nt})
		return nt
	case v.Kind == KindTable:
		return v.Tab
	case v.Kind == KindArray && len(v.Arr) > 0 && v.Arr[len(v.Arr)-1].Kind == KindTable && !v.closed:
		return v.Arr[len(v.Arr)-1].Tab
	}
	p.fail("%q is already a %s, not a table", k, v.Kind)
	return nil
}

// keyValue reads key = value into t.
func (p *tomlParser) keyValue(t *Table) {
	line := p.line
	keys := p.key()
	p.blank()
	if p.eof() || p.next() != '=' {
		p.line = line
		p.fail("expected key = value")
	}
	p.blank()
	v := p.value()
	for _, k := range keys[:len(keys)-1] {
		sub := t.Get(k)
		if sub != nil && sub.Kind == KindTable && sub.closed {
			p.line = line
			p.fail("table %q was already written whole", k)
		}
		t = p.descend(t, k, line)
	}
	last := keys[len(keys)-1]
	if t.Get(last) != nil {
		p.line = line
		p.fail("key %q is given twice", strings.Join(keys, "."))
	}
	t.set(last, v)
}

// key reads a key, dotted or not.
func (p *tomlParser) key() []string {
	var keys []string
	for {
		p.blank()
		switch c := p.peek(); {
		case c == '"':
			keys = append(keys, p.basicString())
		case c == '\'':
			keys = append(keys, p.literalString())
		default:
			start := p.pos
			for !p.eof() && isBareKey(p.peek()) {
				p.pos++
			}
			if start == p.pos {
				p.fail("expected a key, found %q", p.rest())
			}
			keys = append(keys, p.src[start:p.pos])
		}
		p.blank()
		if p.peek() != '.' {
			return keys
		}
		p.pos++
	}
}

func isBareKey(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (p *tomlParser) value() *Value {
	line := p.line
	if p.eof() {
		p.fail("a value is missing")
	}
	switch c := p.peek(); {
	case c == '"':
		return &Value{Line: line, Kind: KindString, Str: p.basicString()}
	case c == '\'':
		return &Value{Line: line, Kind: KindString, Str: p.literalString()}
	case c == '[':
		return p.array()
	case c == '{':
		return p.inlineTable()
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return &Value{Line: line, Kind: KindBool, Bool: true}
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return &Value{Line: line, Kind: KindBool}
	}
	return p.number()
}

func (p *tomlParser) number() *Value {
	line := p.line
	start := p.pos
	for !p.eof() && strings.IndexByte("+-0123456789._eEinfaxob", p.peek()) >= 0 {
		p.pos++
	}
	text := p.src[start:p.pos]
	if !p.eof() && (p.peek() == ':' || p.peek() == 'T' || p.peek() == 'Z') || strings.Count(text, "-") > 1 && !strings.ContainsAny(text, "eE") {
		p.fail("dates and times are not supported")
	}
	if text == "" {
		p.fail("expected a value, found %q", p.rest())
	}
	clean := strings.ReplaceAll(text, "_", "")
	v := &Value{Line: line, Kind: KindNumber}
	switch strings.TrimLeft(clean, "+-") {
	case "inf":
		v.Num = math.Inf(1)
		if clean[0] == '-' {
			v.Num = math.Inf(-1)
		}
		return v
	case "nan":
		v.Num = math.NaN()
		return v
	}
	if digits := strings.TrimLeft(clean, "+-"); len(clean)-len(digits) <= 1 && digits != "" && strings.Trim(digits, "0123456789") == "" {
		if i, err := strconv.ParseInt(clean, 10, 64); err == nil {
			v.Num, v.isInt = float64(i), true
			return v
		}
	}
	f, err := strconv.ParseFloat(clean, 64)
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		p.fail("the number %s is too large", text)
	}
	if err != nil || strings.Trim(strings.TrimLeft(clean, "+-"), "0123456789.eE+-") != "" ||
		strings.HasPrefix(strings.TrimLeft(clean, "+-"), ".") || strings.Contains(clean, ".e") || strings.HasSuffix(clean, ".") {
		p.fail("%q is not a number", text)
	}
	v.Num = f
	return v
}

func (p *tomlParser) array() *Value {
	v := &Value{Line: p.line, Kind: KindArray, closed: true}
	p.next() // [
	for {
		p.gap()
		if p.eof() {
			p.fail("a list opened on line %d is not closed with ]", v.Line)
		}
		if p.peek() == ']' {
			p.next()
			return v
		}
		v.Arr = append(v.Arr, p.value())
		p.gap()
		if p.eof() {
			p.fail("a list opened on line %d is not closed with ]", v.Line)
		}
		switch p.peek() {
		case ',':
			p.next()
		case ']':
		default:
			p.fail("expected , or ] in the list, found %q", p.rest())
		}
	}
}

func (p *tomlParser) inlineTable() *Value {
	t := newTable(p.line)
	v := &Value{Line: p.line, Kind: KindTable, Tab: t, closed: true}
	p.next() // {
	p.blank()
	if p.peek() == '}' {
		p.next()
		return v
	}
	for {
		p.blank()
		if p.eof() || p.peek() == '\n' || p.peek() == '\r' {
			p.fail("an inline table must close with } on the line it opens")
		}
		p.keyValue(t)
		p.blank()
		if p.eof() || p.peek() == '\n' {
			p.fail("an inline table must close with } on the line it opens")
		}
		switch p.next() {
		case ',':
		case '}':
			return v
		default:
			p.pos--
			p.fail("expected , or } in the inline table, found %q", p.rest())
		}
	}
}

func (p *tomlParser) literalString() string {
	if strings.HasPrefix(p.src[p.pos:], "'''") {
		p.pos += 3
		p.skipFirstNewline()
		end := strings.Index(p.src[p.pos:], "'''")
		if end < 0 {
			p.fail("a text opened with ''' is not closed")
		}
		target := p.pos + end
		s := p.src[p.pos:target]
		for p.pos < target {
			p.next()
		}
		p.pos += 3
		return s
	}
	p.next()
	start := p.pos
	for {
		if p.eof() || p.peek() == '\n' {
			p.fail("a text opened with ' is not closed on its line")
		}
		if p.peek() == '\'' {
			s := p.src[start:p.pos]
			p.next()
			return s
		}
		p.next()
	}
}

func (p *tomlParser) skipFirstNewline() {
	if strings.HasPrefix(p.src[p.pos:], "\r\n") {
		p.pos++
	}
	if p.peek() == '\n' {
		p.next()
	}
}

func (p *tomlParser) basicString() string {
	multi := strings.HasPrefix(p.src[p.pos:], `"""`)
	if multi {
		p.pos += 3
		p.skipFirstNewline()
	} else {
		p.next()
	}
	var b strings.Builder
	for {
		if p.eof() {
			p.fail("a text is not closed with %s", map[bool]string{false: `"`, true: `"""`}[multi])
		}
		c := p.peek()
		switch {
		case multi && strings.HasPrefix(p.src[p.pos:], `"""`):
			p.pos += 3
			// Up to two more quotes belong to the text.
			for i := 0; i < 2 && p.peek() == '"'; i++ {
				b.WriteByte('"')
				p.pos++
			}
			return b.String()
		case !multi && c == '"':
			p.next()
			return b.String()
		case !multi && c == '\n':
			p.fail(`a text opened with " is not closed on its line (use """ for several lines)`)
		case c == '\\':
			p.next()
			p.escape(&b, multi)
		default:
			b.WriteByte(p.next())
		}
	}
}

func (p *tomlParser) escape(b *strings.Builder, multi bool) {
	if p.eof() {
		p.fail("a text ends in the middle of an escape")
	}
	c := p.next()
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case '"':
		b.WriteByte('"')
	case '\\':
		b.WriteByte('\\')
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if p.pos+n > len(p.src) {
			p.fail("a \\%c escape needs %d hex digits", c, n)
		}
		r, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(r)) {
			p.fail("\\%c%s is not a character", c, p.src[p.pos:p.pos+n])
		}
		p.pos += n
		b.WriteRune(rune(r))
	case ' ', '\t', '\r', '\n':
		if !multi {
			p.fail("a backslash at the end of a line is allowed only in a \"\"\" text")
		}
		// A line-ending backslash joins the lines, dropping the spaces.
		for !p.eof() && strings.IndexByte(" \t\r\n", p.peek()) >= 0 {
			p.next()
		}
	default:
		p.fail("\\%c is not an escape TOML knows", c)
	}
}
