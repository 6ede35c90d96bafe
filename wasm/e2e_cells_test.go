//go:build !wasm

package main

// End-to-end tests of the numbers in their cells: whatever a cell holds
// (after long training, in both arithmetic modes, after typing a long
// number) its text fits its box, the cell keeps its width, and the number
// in full is its tooltip, its accessible name and its label on focus.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
)

// cellsOverflowJS lists the cells whose text does not fit: a cell wider
// than its set width (a table cell grows to fit its text), an input whose
// text scrolls, a number or struck-out number that sticks out of its cell.
// Every step is laid out for the measure (cards out of view are otherwise
// skipped by content-visibility).
const cellsOverflowJS = `(() => {
	const st = document.createElement("style");
	st.textContent = "section.step { content-visibility: visible !important }";
	document.head.appendChild(st);
	const bad = [];
	let cells = 0, inputs = 0, long = 0;
	for (const td of document.querySelectorAll("td.cell[data-m]")) {
		if (!td.getClientRects().length) continue;
		cells++;
		if ([...(td.dataset.v || "")].length >= 5) long++;
		const cs = getComputedStyle(td), box = td.getBoundingClientRect();
		const what = td.id + " (" + (td.dataset.v ?? "undefined") + ")";
		const set = parseFloat(cs.minWidth);
		if (box.width > set + 0.5) bad.push(what + ": the cell grew to " + box.width.toFixed(1) + " px, set " + set.toFixed(1));
		const inp = td.querySelector("input");
		if (inp) {
			inputs++;
			if (inp.scrollWidth > inp.clientWidth) bad.push(what + ": the input's text is " + inp.scrollWidth + " px in " + inp.clientWidth);
			continue;
		}
		const inner = td.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
		for (const el of td.children) {
			if (!el.textContent || !el.getClientRects().length) continue;
			const r = document.createRange();
			r.selectNodeContents(el);
			const b = r.getBoundingClientRect();
			if (el.tagName === "SPAN" && b.width > inner + 0.5) bad.push(what + ": the text is " + b.width.toFixed(1) + " px in " + inner.toFixed(1));
			if (b.left < box.left - 0.5 || b.right > box.right + 0.5) bad.push(what + ": its " + el.tagName.toLowerCase() + " sticks out of the cell");
		}
	}
	st.remove();
	return JSON.stringify({cells, inputs, long, bad});
})()`

type overflowReport struct {
	Cells, Inputs int
	Long          int // cells of five characters or more
	Bad           []string
}

// checkCellsFit fails the test for every cell whose text does not fit,
// and returns how many cells hold five characters or more.
func checkCellsFit(t *testing.T, ctx context.Context, what string) int {
	t.Helper()
	var r overflowReport
	if err := json.Unmarshal([]byte(evalJS[string](t, ctx, cellsOverflowJS)), &r); err != nil {
		t.Fatal(err)
	}
	if r.Cells == 0 || r.Inputs == 0 {
		t.Fatalf("%s: %d cells and %d inputs measured: the page shows no matrices", what, r.Cells, r.Inputs)
	}
	for i, b := range r.Bad {
		if i == 12 {
			t.Errorf("%s: … %d cells in all do not fit", what, len(r.Bad))
			break
		}
		t.Errorf("%s: %s", what, b)
	}
	t.Logf("%s: %d cells (%d inputs, %d of five characters or more) measured", what, r.Cells, r.Inputs, r.Long)
	return r.Long
}

// train runs n training steps with the page's #train button and waits for
// the run to end.
func train(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	setInput(t, ctx, "input#train-n", fmt.Sprint(n))
	// Any change of data-training counts: a run that ends (or is refused)
	// in its first slice sets and clears it before the observer is called.
	evalJS[bool](t, ctx, `document.activeElement.blur(), window.__byhandTrained = false,
		new MutationObserver(recs => { if (recs.some(r => r.attributeName === "data-training")) window.__byhandTrained = true })
			.observe(document.body, {attributes: true, attributeFilter: ["data-training"]}), true`)
	click(t, ctx, "button#train")
	waitJS(t, ctx, 120*time.Second, fmt.Sprintf("%d training steps", n),
		`window.__byhandTrained && !document.body.hasAttribute("data-training")`)
	settle(t, ctx)
	if msg := evalJS[string](t, ctx, `(document.querySelector(".train-status") || {}).textContent || ""`); msg != "" {
		t.Logf("after training: %s", msg)
	}
}

// TestUICellsFitAfterTraining trains every model for 300 steps in hand
// mode, then in exact mode, and checks that every cell's text fits, at a
// desktop's width and a phone's.
func TestUICellsFitAfterTraining(t *testing.T) {
	t.Parallel()
	for _, model := range foundingModels(t) {
		slug := model.Info().Slug
		t.Run(slug, func(t *testing.T) {
			ctx, m, mode := uiTest(t, slug)
			if err := within(ctx, 5*time.Second, chromedp.EmulateViewport(1280, 900)); err != nil {
				t.Fatal(err)
			}
			steps := len(m.Run(m.Exercise(), mode).Steps)
			showAll(t, ctx, steps)
			checkCellsFit(t, ctx, "the default exercise")
			train(t, ctx, 300)
			showAll(t, ctx, steps)
			if checkCellsFit(t, ctx, "after 300 steps ("+mode.String()+")") == 0 {
				t.Error("after 300 steps no cell holds five characters or more: did training run?")
			}

			other := engine.Exact
			if mode == engine.Exact {
				other = engine.Hand
			}
			evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector("button[data-mode=%s]").click(), true`, other))
			waitJS(t, ctx, 5*time.Second, "the "+other.String()+" mode",
				fmt.Sprintf(`document.querySelector("button[data-mode=%s]").getAttribute("aria-pressed") === "true"`, other))
			showAll(t, ctx, len(m.Run(m.Exercise(), other).Steps))
			checkCellsFit(t, ctx, "the trained numbers in "+other.String()+" mode")
			train(t, ctx, 300)
			showAll(t, ctx, len(m.Run(m.Exercise(), other).Steps))
			checkCellsFit(t, ctx, "after 300 more steps ("+other.String()+")")

			if err := within(ctx, 5*time.Second, chromedp.EmulateViewport(390, 844)); err != nil {
				t.Fatal(err)
			}
			settle(t, ctx)
			checkCellsFit(t, ctx, "at a phone's width")
		})
	}
}

// TestUICellsLongNumber types 3.14159265 into the first weight of every
// page: the input shows it as every surface does (engine.Format: 3.14), the
// number in full is the input's tooltip and its label on focus, and every
// cell still fits. The computed cells it changed say their numbers in full
// in their names (aria-label), as the engine has them.
func TestUICellsLongNumber(t *testing.T) {
	t.Parallel()
	for _, model := range foundingModels(t) {
		slug := model.Info().Slug
		t.Run(slug, func(t *testing.T) {
			ctx, m, mode := uiTest(t, slug)
			st := m.Exercise()
			var w *engine.Var
			for _, v := range st.Vars {
				if v.Role == engine.RoleParameter {
					w = v
					break
				}
			}
			if w == nil {
				t.Fatalf("%s has no weight", slug)
			}
			showAll(t, ctx, len(m.Run(st.Clone(), mode).Steps))
			const typed, full = "3.14159265", "3.14159265"
			sel := cellSel(w.ID, 0, 0)
			typeInto(t, ctx, sel+" input.cell-input", typed)
			waitJS(t, ctx, 5*time.Second, w.ID+"[0,0] to hold the typed number",
				fmt.Sprintf(`document.querySelector(%q).dataset.v === %q`, sel, engine.Format(3.14159265)))
			settle(t, ctx)
			// Focused: the input shows the cell's text; its tooltip and the
			// label above the cell give the number in full.
			got := evalJS[[]string](t, ctx, fmt.Sprintf(`(() => { const td = document.querySelector(%q), inp = td.querySelector("input");
				inp.focus();
				return [inp.value, inp.title, td.dataset.full || "", getComputedStyle(td, "::after").content,
					String(document.activeElement === inp)]; })()`, sel))
			want := []string{engine.Format(3.14159265), full, full, `"` + full + `"`, "true"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("the focused input %s[0,0]: value, title, data-full, label, focus = %q, want %q", w.ID, got, want)
			}
			evalJS[bool](t, ctx, `document.activeElement.blur(), true`)
			settle(t, ctx)
			if v := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, sel+" input")); v != engine.Format(3.14159265) {
				t.Errorf("after leaving it, %s[0,0] shows %q, want %q", w.ID, v, engine.Format(3.14159265))
			}
			checkCellsFit(t, ctx, "after typing "+typed)

			// The page's cells are named as the engine's numbers in full.
			if err := st.Set(w.ID, 0, 0, 3.14159265); err != nil {
				t.Fatal(err)
			}
			checkCellNames(t, ctx, m.Run(st, mode))
		})
	}
}

// checkCellNames compares every computed cell's aria-label and its
// tooltip with what the engine's numbers say in full: the name is the
// number, "−1, ReLU gives 0" for a crossed-out negative, "undefined" for
// a number that is not finite; the tooltip (and data-full) is there when
// the name says more than the cell.
func checkCellNames(t *testing.T, ctx context.Context, tr *engine.Trace) {
	t.Helper()
	var cells [][5]string
	b := evalJS[string](t, ctx, `JSON.stringify([...document.querySelectorAll("td.cell[data-m]:not(.editable)")].map(td =>
		[td.dataset.m, td.dataset.r + "," + td.dataset.c, td.getAttribute("aria-label") || "",
		 (td.querySelector(".after") || {}).title || "", td.dataset.full || ""]))`)
	if err := json.Unmarshal([]byte(b), &cells); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, c := range cells {
		m := tr.Matrix(c[0])
		var r, col int
		fmt.Sscanf(c[1], "%d,%d", &r, &col)
		if m == nil || stepOf(tr, c[0]) == nil || stepOf(tr, c[0]).WaitsOn != "" {
			continue
		}
		v := m.At(r, col)
		want := fullForTest(v)
		if want == "" {
			want = "undefined"
		} else if m.Before != nil && m.Before.At(r, col) != v {
			want = fullForTest(m.Before.At(r, col)) + ", ReLU gives " + want
		}
		tip := ""
		if want != engine.Format(v) {
			tip = want
		}
		if c[2] != want || c[3] != tip || c[4] != tip {
			if bad < 10 {
				t.Errorf("%s[%s] (%s): name %q, tooltip %q, data-full %q; want name %q, tooltip %q",
					c[0], c[1], engine.Format(v), c[2], c[3], c[4], want, tip)
			}
			bad++
		}
	}
	if len(cells) == 0 {
		t.Fatal("no computed cells")
	}
}

// fullForTest is a number in full as the page says it (twelve significant
// digits, a true minus, 0 below 10⁻⁹), written independently of the app.
func fullForTest(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return ""
	case math.Abs(v) < 1e-9:
		return "0"
	}
	s := fmt.Sprintf("%.12g", v)
	if mant, exp, ok := strings.Cut(s, "e"); ok {
		n, _ := strconv.Atoi(exp)
		s = fmt.Sprintf("%se%d", mant, n)
	}
	return strings.ReplaceAll(s, "-", "−")
}
