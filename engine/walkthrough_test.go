package engine

import (
	"strings"
	"testing"
)

// validFile is a small walkthrough that reads; the table below breaks it
// one way at a time.
const validFile = `# a comment
slug = "tiny"
group = "basics"
title = { en = "Tiny", zh = "小" }
blurb = { en = "One layer.", zh = "一层。" }

[[var]]
id = "X"
data = [[1, 2], [0, 1]]

[[var]]
id = "W"
role = "parameter"
train = true
bias = true
data = [[1, -1, 0]]

[[var]]
id = "T"
role = "target"
data = [[1, 0]]

[[step]]
id = "layer"
op = "linear"
in = ["W", "X"]
out = "Y"
title = { en = "A layer", zh = "一层" }
text = { en = "Multiply.", zh = "相乘。" }

[[step]]
id = "loss"
op = "squared_error"
in = ["Y", "T"]
label = { en = "loss", zh = "损失" }
title = { en = "Loss", zh = "损失" }
text = { en = "Square.", zh = "平方。" }
`

func TestValidFileReads(t *testing.T) {
	m, probs := LoadWalkthrough(strings.Replace(validFile, `slug = "tiny"`, `slug = "tiny-ok"`, 1))
	if probs != nil {
		t.Fatal(probs)
	}
	tr := m.Run(m.Exercise(), Exact)
	// Y = [1 −1 | 0]·[X ; 1] = [1−0, 2−1] = [1, 1]; L = (1−1)² + (1−0)² = 1.
	if y := tr.Matrix("Y"); y.At(0, 0) != 1 || y.At(0, 1) != 1 {
		t.Errorf("Y = %v", y.Data)
	}
	if l := TotalLoss(tr); l != 1 {
		t.Errorf("loss %g, want 1", l)
	}
}

// TestValidationMessages gives every kind of problem its message, on its
// line and field.
func TestValidationMessages(t *testing.T) {
	cases := []struct {
		name, old, new string
		line           int
		want           string
	}{
		{"syntax", `slug = "tiny"`, `slug = "tiny`, 2, `not closed on its line`},
		{"date", `slug = "tiny"`, `slug = 1979-05-27`, 2, `dates and times are not supported`},
		{"duplicate key", `group = "basics"`, "group = \"basics\"\ngroup = \"basics\"", 4, `given twice`},
		{"unknown field", `group = "basics"`, "group = \"basics\"\ncolour = 1", 4, `colour: unknown field`},
		{"bad slug", `slug = "tiny"`, `slug = "Tiny Page"`, 2, `lower-case letters`},
		{"unknown group", `group = "basics"`, `group = "misc"`, 3, `unknown group "misc"`},
		{"missing title", `title = { en = "Tiny", zh = "小" }`, ``, 0, `title: is missing`},
		{"missing language", `title = { en = "Tiny", zh = "小" }`, `title = { en = "Tiny" }`, 4, `title.zh: the zh text is missing`},
		{"unknown language", `title = { en = "Tiny", zh = "小" }`, `title = { en = "Tiny", zh = "小", fr = "Petit" }`, 4, `unknown language`},
		{"ragged data", `data = [[1, 2], [0, 1]]`, `data = [[1, 2], [0]]`, 9, `row 2 has 1 numbers, row 1 has 2`},
		{"text in data", `data = [[1, 2], [0, 1]]`, `data = [[1, 2], [0, "a"]]`, 9, `row 2, entry 2 is not a number`},
		{"huge number", `data = [[1, 2], [0, 1]]`, `data = [[1, 2], [0, 1e400]]`, 9, `too large`},
		{"nan", `data = [[1, 2], [0, 1]]`, `data = [[1, 2], [0, nan]]`, 9, `not a number a page can show`},
		{"duplicate var", `id = "T"`, `id = "X"`, 19, `"X" is defined twice`},
		{"bad role", `role = "target"`, `role = "label"`, 20, `unknown role "label"`},
		{"train a target", `role = "target"`, "role = \"target\"\ntrain = true", 18, `only a parameter can be trained`},
		{"unknown op", `op = "linear"`, `op = "lineer"`, 25, `unknown op "lineer" (did you mean "linear"?)`},
		{"used before defined", `in = ["W", "X"]`, `in = ["W", "Z"]`, 26, `"Z" is used before it is defined`},
		{"wrong arity", `in = ["W", "X"]`, `in = ["W"]`, 26, `op linear reads 2 matrices (W|b, X), not 1`},
		{"shape", `data = [[1, -1, 0]]`, `data = [[1, -1]]`, 26, `needs one column more than X has rows`},
		{"shape of loss", `data = [[1, 0]]`, `data = [[1, 0, 1]]`, 34, `needs one shape`},
		{"missing out", `out = "Y"`, ``, 23, `give out = "Y"`},
		{"unknown param", `out = "Y"`, "out = \"Y\"\nrelux = true", 28, `relux: unknown field`},
		{"bad param type", `out = "Y"`, "out = \"Y\"\nrelu = 1", 28, `relu: should be a true or false`},
		{"missing step text", `text = { en = "Multiply.", zh = "相乘。" }`, ``, 23, `step "layer" › text: is missing`},
		{"no loss", `op = "squared_error"`, `op = "sub"`, 0, `no loss step`},
		{"loss label", `label = { en = "loss", zh = "损失" }`, ``, 31, `a loss needs a label`},
		{"duplicate step", `id = "loss"`, `id = "layer"`, 32, `"layer" is used by two steps`},
		{"bad phase", `text = { en = "Square.", zh = "平方。" }`, "text = { en = \"Square.\", zh = \"平方。\" }\n[[phase]]\nid = \"p\"\nlosses = [\"layer\"]\ntrain = [\"X\"]", 40, `"layer" is not a loss step`},
		{"worked language", `text = { en = "Multiply.", zh = "相乘。" }`, "text = { en = \"Multiply.\", zh = \"相乘。\" }\nworked = { en = \"1·1 = 1\" }", 30, `step "layer" › worked.zh: the zh text is missing`},
		{"texts of a step", `text = { en = "Square.", zh = "平方。" }`, "text = { en = \"Square.\", zh = \"平方。\" }\n[texts.\"loss.diff\"]\ntitle = { en = \"x\" }", 39, `the zh text is missing`},
		{"inline table over lines", `title = { en = "Tiny", zh = "小" }`, "title = { en = \"Tiny\",\nzh = \"小\" }", 4, `must close with }`},
		{"not utf-8", `slug = "tiny"`, "slug = \"ti\xffny\"", 1, `not UTF-8`},
		{"unknown draw", `id = "X"`, "id = \"X\"\ndraw = \"random\"", 9, `var "X" › draw: unknown way "random"; write "keep", "binary"`},
		{"draw a number", `id = "X"`, "id = \"X\"\ndraw = 3", 9, `var "X" › draw: should be "keep"`},
		{"answer an input", `id = "X"`, "id = \"X\"\ndraw = \"answer\"", 9, `only a target can be an answer`},
		{"copy from below", `id = "X"`, "id = \"X\"\ndraw = { copy = \"W\" }", 9, `draw › copy: "W" is not a variable above this one`},
		{"copy a shape", `id = "T"`, "id = \"T\"\ndraw = { copy = \"X\" }", 20, `X is 2×2 but this variable is 1×2: a copy needs one shape`},
		{"copy with a range", `id = "X"`, "id = \"X\"\ndraw = { copy = \"T\", min = 0 }", 9, `a copy takes no min, max or step`},
		{"draw min above max", `id = "X"`, "id = \"X\"\ndraw = { min = 2, max = 1 }", 9, `min (2) is larger than max (1)`},
		{"draw a fraction", `id = "X"`, "id = \"X\"\ndraw = { min = 0.5, max = 1 }", 9, `draw › min: should be a whole number from -20 to 20`},
		{"draw too large", `id = "X"`, "id = \"X\"\ndraw = { min = 0, max = 50 }", 9, `draw › max: should be a whole number from -20 to 20`},
		{"draw no max", `id = "X"`, "id = \"X\"\ndraw = { min = 0 }", 9, `draw › max: is missing`},
		{"draw step", `id = "X"`, "id = \"X\"\ndraw = { min = 0, max = 4, step = 0 }", 9, `draw › step: should be a whole number from 1 to 40`},
		{"draw unknown key", `id = "X"`, "id = \"X\"\ndraw = { min = 0, max = 1, lo = 1 }", 9, `draw › lo: unknown field`},
		{"answer no loss", `id = "T"`, "id = \"T2\"\nrole = \"target\"\ndraw = \"answer\"\ndata = [[1]]\n[[var]]\nid = \"T\"", 18, `var "T2" › draw: an answer is the output a loss compares it with`},
		{"answer no weights", "bias = true\ndata = [[1, -1, 0]]\n\n[[var]]\nid = \"T\"", "bias = true\ndraw = \"keep\"\ndata = [[1, -1, 0]]\n\n[[var]]\nid = \"T\"\ndraw = \"answer\"",
			19, `var "T" › draw: an answer is worked out with other weights, but the walkthrough has no trainable variable that is drawn`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(validFile, c.old, c.new, 1)
			if src == validFile {
				t.Fatalf("the case changes nothing: %q not found", c.old)
			}
			_, probs := LoadWalkthrough(src)
			if probs == nil {
				t.Fatal("the broken file reads")
			}
			for _, p := range probs {
				if strings.Contains(p.Error(), c.want) {
					if p.Line != c.line {
						t.Errorf("%q on line %d, want line %d", p.Error(), p.Line, c.line)
					}
					return
				}
			}
			t.Errorf("no problem says %q; got:\n%v", c.want, probs)
		})
	}
}

// FuzzReadWalkthrough: no file makes the reader, the validator or the
// first run panic, and a file that reads runs in both modes.
func FuzzReadWalkthrough(f *testing.F) {
	f.Add(validFile)
	for _, name := range BuiltinFiles() {
		f.Add(BuiltinSource(name))
	}
	f.Add("a = [1, [2, {b = 'c'}], \"\"\"x\ny\"\"\"]\n[[t]]\n[t.u]\nv = -1.5e3")
	f.Fuzz(func(t *testing.T, src string) {
		m, probs := LoadOpened(src)
		if probs != nil {
			for _, p := range probs {
				if p.Msg == "" {
					t.Fatalf("a problem without a message: %+v", p)
				}
			}
			return
		}
		for _, mode := range []Mode{Hand, Exact} {
			m.Run(m.Exercise(), mode)
		}
	})
}

func TestTOMLValues(t *testing.T) {
	root, err := ParseTOML("a = 'lit\\n'\nb = \"\\u00e9\\t\"\nc = \"\"\"\nx \\\n   y\"\"\"\nd = [1, 2.5, -3e2, +4]\ne.f = true\n[g]\nh = { i = 1 }\n[[j]]\nk = 1\n[[j]]\nk = 2\n")
	if err != nil {
		t.Fatal(err)
	}
	if v := root.Get("a").Str; v != `lit\n` {
		t.Errorf("literal %q", v)
	}
	if v := root.Get("b").Str; v != "é\t" {
		t.Errorf("basic %q", v)
	}
	if v := root.Get("c").Str; v != "x y" {
		t.Errorf("multi-line %q", v)
	}
	d := root.Get("d").Arr
	if len(d) != 4 || d[0].Num != 1 || d[1].Num != 2.5 || d[2].Num != -300 || d[3].Num != 4 {
		t.Errorf("numbers %+v", d)
	}
	if !root.Get("e").Tab.Get("f").Bool {
		t.Error("dotted key")
	}
	if root.Get("g").Tab.Get("h").Tab.Get("i").Num != 1 || root.Get("g").Line != 8 {
		t.Error("table")
	}
	if j := root.Get("j").Arr; len(j) != 2 || j[1].Tab.Get("k").Num != 2 || j[1].Line != 12 {
		t.Error("array of tables")
	}
}
