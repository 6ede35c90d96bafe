package engine

import (
	"strings"
	"testing"
)

// The ops of the diffusion transformer, their derived gradients compared
// with finite differences in both modes (CheckOpGradients).
func TestDiTOpGradients(t *testing.T) {
	param := func(id string, rows ...string) string {
		return "[[var]]\nid = \"" + id + "\"\nrole = \"parameter\"\ntrain = true\ndata = [" + strings.Join(rows, ",") + "]\n"
	}
	target := func(id string, rows ...string) string {
		return "[[var]]\nid = \"" + id + "\"\nrole = \"target\"\ndata = [" + strings.Join(rows, ",") + "]\n"
	}
	step := func(id, op, in, out, extra string) string {
		return "[[step]]\nid = \"" + id + "\"\nop = \"" + op + "\"\nin = [" + in + "]\nout = " + out + "\n" + extra +
			"title = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"
	}
	loss := func(y string) string {
		return "[[step]]\nid = \"loss\"\nop = \"squared_error\"\nin = [\"" + y + "\", \"T\"]\nlabel = { en = \"l\", zh = \"l\" }\n" +
			"title = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n"
	}
	cases := map[string][2]string{
		// Two frames of 2×2 side by side → two patches of 2×2.
		"patchify": {param("A", "[1, 2, 0, 1]", "[0, -1, 1, 2]") + target("T", "[1, 0]", "[0, 1]", "[1, 1]", "[0, 0]"),
			step("s", "patchify", `"A"`, `"Y"`, "height = 2\nwidth = 2\n") + loss("Y")},
		// Patches of 2×3 over two rows of tiles.
		"patchify 2×3": {param("A", "[1, 2, 0, 1, 0, 1]", "[0, -1, 1, 2, 1, 1]", "[1, 1, 0, 0, 2, 1]", "[0, 0, 1, -1, 1, 2]") +
			target("T", "[1, 0, 0, 1]", "[0, 1, 0, 1]", "[1, 1, 0, 1]", "[0, 0, 1, 1]", "[1, 0, 1, 0]", "[0, 1, 1, 0]"),
			step("s", "patchify", `"A"`, `"Y"`, "height = 2\nwidth = 3\n") + loss("Y")},
		"unpatchify": {param("A", "[1, 2]", "[0, -1]", "[1, 1]", "[2, 0]") + target("T", "[1, 0, 0, 1]", "[0, 1, 1, 0]"),
			step("s", "unpatchify", `"A"`, `"Y"`, "height = 2\nwidth = 2\nrows = 2\ncols = 4\n") + loss("Y")},
		// Both parts reach the loss, through their product.
		"split_rows": {param("A", "[1]", "[2]", "[0]", "[-1]") + target("T", "[1]", "[0]"),
			step("s", "split_rows", `"A"`, `["G", "B"]`, "count = 2\n") + step("m", "hadamard", `"G", "B"`, `"Y"`, "") + loss("Y")},
		// Only the first part reaches the loss: the second's gradient is 0.
		"split_rows one part": {param("A", "[1]", "[2]", "[0]") + target("T", "[1]"),
			step("s", "split_rows", `"A"`, `["G", "B"]`, "count = 1\n") + loss("G")},
		"scale_shift": {param("G", "[1]", "[-2]") + param("X", "[1, 2, 0]", "[0, -1, 1]") + param("B", "[0]", "[1]") +
			target("T", "[1, 0, 0]", "[0, 1, 0]"),
			step("s", "scale_shift", `"G", "X", "B"`, `"Y"`, "") + loss("Y")},
		// As in the DiT: the scale and the shift split from one column,
		// a matrix that is not trained.
		"scale_shift from a split": {param("S", "[1]", "[-2]", "[0]", "[1]") +
			"[[var]]\nid = \"X\"\ndata = [[1, 2, 0], [0, -1, 1]]\n" + target("T", "[1, 0, 0]", "[0, 1, 0]"),
			step("s", "split_rows", `"S"`, `["G", "B"]`, "count = 2\n") +
				step("a", "scale_shift", `"G", "X", "B"`, `"Y"`, "") + loss("Y")},
		// The scale's gradient only, the shift trained elsewhere.
		"scale_shift, scale and input": {param("G", "[1]", "[-2]") + param("X", "[1, 2, 0]", "[0, -1, 1]") +
			"[[var]]\nid = \"B\"\ndata = [[0], [1]]\n" + target("T", "[1, 0, 0]", "[0, 1, 0]"),
			step("s", "scale_shift", `"G", "X", "B"`, `"Y"`, "") + loss("Y")},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { CheckOpGradients(t, c[0], c[1], 20) })
	}
}

// Each op says in plain words what does not fit.
func TestDiTOpShapes(t *testing.T) {
	for _, c := range []struct {
		name, vars, steps, want string
	}{
		{"patches do not tile", "[[var]]\nid = \"A\"\ndata = [[1, 2, 3], [4, 5, 6]]\n",
			"op = \"patchify\"\nin = [\"A\"]\nout = \"Y\"\n", "do not tile"},
		{"unpatchify wrong count", "[[var]]\nid = \"A\"\ndata = [[1, 2, 3], [4, 5, 6], [1, 1, 1], [0, 0, 0]]\n",
			"op = \"unpatchify\"\nin = [\"A\"]\nout = \"Y\"\nrows = 2\ncols = 4\n", "one column of 4 values per patch"},
		{"split a matrix", "[[var]]\nid = \"A\"\ndata = [[1, 2], [3, 4]]\n",
			"op = \"split_rows\"\nin = [\"A\"]\nout = [\"G\", \"B\"]\ncount = 1\n", "single column"},
		{"split everything", "[[var]]\nid = \"A\"\ndata = [[1], [2]]\n",
			"op = \"split_rows\"\nin = [\"A\"]\nout = [\"G\", \"B\"]\ncount = 2\n", "both parts have rows"},
		{"scale of the wrong size", "[[var]]\nid = \"G\"\ndata = [[1], [2], [3]]\n[[var]]\nid = \"X\"\ndata = [[1, 2], [3, 4]]\n",
			"op = \"scale_shift\"\nin = [\"G\", \"X\", \"G\"]\nout = \"Y\"\n", "one value per row"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.NewReplacer("%VARS%", c.vars, "%STEPS%", "[[step]]\nid = \"s\"\n"+c.steps+
				"title = { en = \"t\", zh = \"t\" }\ntext = { en = \"t\", zh = \"t\" }\n").Replace(opCheckFile)
			_, probs := ReadWalkthrough(src)
			if !strings.Contains(probs.Error(), c.want) {
				t.Errorf("problems %q, want one saying %q", probs.Error(), c.want)
			}
		})
	}
}
