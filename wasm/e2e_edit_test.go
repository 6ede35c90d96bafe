//go:build !wasm

package main

// End-to-end tests of editing: typed entries, refusals, round trips through overflow, scrubbing, the mode switch.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestUIEditWeight types a new value into W1[0,0] and checks every cell on
// the page against the engine, and that exactly the cells the engine
// changes changed.
// TestUIEditWeight edits the first weight of every page's exercise (half a
// step up) and checks every number on the page against the engine, and
// that exactly the cells the engine changes changed.
func TestUIEditWeight(t *testing.T) {
	t.Parallel()
	for _, model := range foundingModels(t) {
		t.Run(model.Info().Slug, func(t *testing.T) { checkEditWeight(t, model.Info().Slug) })
	}
}

// checkEditWeight edits a weight of a model's page and compares every
// cell with the engine, before and after; it returns the browser.
func checkEditWeight(t *testing.T, slug string) context.Context {
	ctx, _, _ := uiTest(t, slug)
	checkEditWeightIn(t, ctx, slug)
	return ctx
}

// checkEditWeightIn is checkEditWeight on a page already open in ctx.
func checkEditWeightIn(t *testing.T, ctx context.Context, slug string) {
	m, mode := engine.Lookup(slug), pageMode(t, ctx)
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
	// A trace shares its inputs' numbers with the state: run on a copy.
	before := m.Run(st.Clone(), mode)
	showAll(t, ctx, len(before.Steps))
	page0, _ := pageMatches(t, ctx, "before the edit", before)

	value := w.Data.At(0, 0) + 0.5
	// Typed on a keyboard: an ASCII minus, not the "−" the page prints.
	typeInto(t, ctx, cellSel(w.ID, 0, 0)+" input.cell-input", strings.ReplaceAll(engine.Format(value), "−", "-"))
	if err := st.Set(w.ID, 0, 0, value); err != nil {
		t.Fatal(err)
	}
	after := m.Run(st, mode)
	waitJS(t, ctx, 5*time.Second, w.ID+"[0,0] to show the new value",
		fmt.Sprintf(`document.querySelector(%q).dataset.v === %q`, cellSel(w.ID, 0, 0), engine.Format(value)))
	page1, want1 := pageMatches(t, ctx, "after the edit", after)
	if got, want := changedKeys(page0, page1), changedKeys(engineCells(t, before, page1), want1); !slices.Equal(got, want) {
		t.Errorf("cells changed on the page:\n%v\nthe engine changes:\n%v", got, want)
	}
}

// typeInto focuses an input, selects its text, types text and presses Enter.
func typeInto(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	ok := evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.scrollIntoView({block: "center", behavior: "instant"}); el.focus(); el.select(); return document.activeElement === el; })()`, sel))
	if !ok {
		t.Fatalf("cannot focus %s", sel)
	}
	if err := within(ctx, 10*time.Second, chromedp.KeyEvent(text), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
}

// TestUIBadEntry: text that is not a finite number shows .cell-error and
// changes no number on the page.
func TestUIBadEntry(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	showAll(t, ctx, len(m.Run(m.Exercise(), mode).Steps))
	sel := cellSel("W1", 0, 0) + " input.cell-input"
	original := evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, sel))
	for _, bad := range []string{"abc", "1e400", "NaN"} {
		t.Run(bad, func(t *testing.T) {
			page0 := pageCells(t, ctx)
			// Set the whole text at once (as a paste does): typed key by key,
			// "1e400" passes through numbers such as 1e40 that do parse.
			setInput(t, ctx, sel, bad)
			waitJS(t, ctx, 5*time.Second, "a .cell-error with a message",
				`[...document.querySelectorAll(".cell-error")].some(e => e.textContent.trim() !== "")`)
			settle(t, ctx)
			if d := changedKeys(page0, pageCells(t, ctx)); len(d) > 0 {
				t.Errorf("%q changed %v", bad, d)
			}
			setInput(t, ctx, sel, original)
			settle(t, ctx)
		})
	}
}

// setInput sets an input's text at once, as a paste does (through the
// browser's own value, not a page's hold on it), and sends input and
// change events.
func setInput(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	ok := evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.focus(); Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value").set.call(el, %q);
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return true; })()`, sel, text))
	if !ok {
		t.Fatalf("no %s", sel)
	}
}

// TestUIRoundTrip edits a weight through values that change only numbers,
// that strike out new negatives, and that overflow (steps undefined, then
// waiting), then back again. After each edit every cell's value and its
// visible text must agree with the engine: numbers patched in place and
// cards redrawn by go-app must never disagree.
func TestUIRoundTrip(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	st := m.Exercise()
	showAll(t, ctx, len(m.Run(st.Clone(), mode).Steps))
	sel := cellSel("W1", 0, 0) + " input.cell-input"
	for _, v := range []float64{2, -3, 1e300, 1e308, 2.5, 1} {
		text := strconv.FormatFloat(v, 'g', -1, 64)
		setInput(t, ctx, sel, text)
		if err := st.Set("W1", 0, 0, v); err != nil {
			t.Fatal(err)
		}
		evalJS[bool](t, ctx, `document.activeElement.blur(), true`)
		pageMatches(t, ctx, "after W1[0,0] = "+text, m.Run(st.Clone(), mode))
		// What a reader sees matches data-v: the value, "—" when undefined.
		bad := evalJS[string](t, ctx, `(() => {
			for (const td of document.querySelectorAll("td.cell[data-m]")) {
				const inp = td.querySelector("input");
				const shown = inp ? inp.value : (td.children.length === 2 ? td.children[1].textContent : td.textContent);
				const want = (td.dataset.v ?? "") === "" ? "—" : td.dataset.v;
				if (shown !== want && !(inp && want === "—" && shown === "")) return td.id + " shows " + shown + ", data-v " + td.dataset.v;
				if (!inp && td.children.length === 2 && (td.children[0].textContent !== "") !== td.classList.contains("struck"))
					return td.id + " strike and class disagree";
			}
			return "";
		})()`)
		if bad != "" {
			t.Errorf("after W1[0,0] = %s: %s", text, bad)
		}
	}
}

// TestUIScrub: dragging sideways on an input changes its value by one
// step per 12 pixels, and the steps after it follow.
func TestUIScrub(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	st := m.Exercise()
	showAll(t, ctx, len(m.Run(st.Clone(), mode).Steps))
	sel := cellSel("W1", 0, 0) + " input.cell-input"
	got := evalJS[string](t, ctx, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		el.scrollIntoView({block: "center", behavior: "instant"});
		const r = el.getBoundingClientRect(), x = r.left + 5, y = r.top + r.height / 2;
		const ev = (type, dx) => el.dispatchEvent(new PointerEvent(type, {bubbles: true, clientX: x + dx, clientY: y, pointerId: 1, isPrimary: true}));
		ev("pointerdown", 0); ev("pointermove", 10); ev("pointermove", 30); ev("pointerup", 30);
		return el.value;
	})()`, sel))
	// Hand mode: 1 + trunc(30/12)·1 = 3.
	if got != "3" {
		t.Fatalf("after a 30 px drag W1[0,0] shows %q, want 3", got)
	}
	if err := st.Set("W1", 0, 0, 3); err != nil {
		t.Fatal(err)
	}
	pageMatches(t, ctx, "after the drag", m.Run(st, mode))
}

// TestUIModeSwitch: switching the DiT page to exact arithmetic adds its
// scaled-scores step and shows every number as the engine computes it in
// exact mode; switching back restores hand mode's.
func TestUIModeSwitch(t *testing.T) {
	t.Parallel()
	ctx, m, _ := uiTest(t, "dit")
	for _, mode := range []engine.Mode{engine.Exact, engine.Hand} {
		evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector("button[data-mode=%s]").click(), true`, mode))
		waitJS(t, ctx, 5*time.Second, "the "+mode.String()+" button pressed",
			fmt.Sprintf(`document.querySelector("button[data-mode=%s]").getAttribute("aria-pressed") === "true"`, mode))
		tr := m.Run(m.Exercise(), mode)
		showAll(t, ctx, len(tr.Steps))
		settle(t, ctx)
		if n := evalJS[int](t, ctx, `document.querySelectorAll("section.step").length`); n != len(tr.Steps) {
			t.Errorf("%s: %d steps on the page, the engine has %d", mode, n, len(tr.Steps))
		}
		pageMatches(t, ctx, mode.String()+" mode", tr)
	}
}

// TestUITypingKeyByKey: "12a" typed key by key never changes a number
// downstream; Enter refuses it with a message, and leaving the cell brings
// the last good value back and takes the message away.
func TestUITypingKeyByKey(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	showAll(t, ctx, len(m.Run(m.Exercise(), mode).Steps))
	sel := cellSel("W1", 0, 0) + " input.cell-input"
	page0 := pageCells(t, ctx)
	if !evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		el.scrollIntoView({block: "center", behavior: "instant"}); el.focus(); el.select(); return document.activeElement === el; })()`, sel)) {
		t.Fatal("cannot focus W1[1,1]")
	}
	for _, k := range []string{"1", "2", "a"} {
		if err := within(ctx, 5*time.Second, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
		settle(t, ctx)
		if d := changedKeys(page0, pageCells(t, ctx)); len(d) > 1 || len(d) == 1 && d[0] != "W1[0,0]" {
			t.Fatalf("typing %q changed %v", k, d)
		}
	}
	if err := within(ctx, 5*time.Second, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, 5*time.Second, "the refusal", `[...document.querySelectorAll(".cell-error")].some(e => e.textContent.trim() !== "")`)
	if d := changedKeys(page0, pageCells(t, ctx)); len(d) > 1 || len(d) == 1 && d[0] != "W1[0,0]" {
		t.Fatalf("a refused entry changed %v", d)
	}
	evalJS[bool](t, ctx, `document.activeElement.blur(), true`)
	waitJS(t, ctx, 5*time.Second, "the message to go on blur", `![...document.querySelectorAll(".cell-error")].some(e => e.textContent.trim() !== "")`)
	if got := cellValue(t, ctx, sel); got != page0[cellKey{"W1", 0, 0}] {
		t.Errorf("after leaving the cell it shows %q, want the last good %q", got, page0[cellKey{"W1", 0, 0}])
	}
}

// TestUIEditKeepsTheCell: committing an edit in a step whose worked
// example it makes untrue hides the example without rebuilding the step:
// the input typed into is the same element, still focused, so the reader
// can go on typing.
func TestUIEditKeepsTheCell(t *testing.T) {
	t.Parallel()
	ctx, _, _ := uiTest(t, "linear-layer")
	worked := `document.querySelector('section[data-step="ex1"] .step-worked')`
	if !evalJS[bool](t, ctx, worked+` && !`+worked+`.classList.contains("off") && `+worked+`.textContent !== ""`) {
		t.Fatal("step 1 of the linear layer shows no worked example on its default numbers")
	}
	sel := `section[data-step="ex1"] ` + cellSel("W1", 0, 0) + " input.cell-input"
	if !evalJS[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%q); window.__typed = el;
		el.scrollIntoView({block: "center", behavior: "instant"}); el.focus(); el.select(); return document.activeElement === el; })()`, sel)) {
		t.Fatal("cannot focus W1[1,1]")
	}
	for _, k := range []string{"5", kb.Enter} {
		if err := within(ctx, 5*time.Second, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
	}
	waitJS(t, ctx, 5*time.Second, "the worked example to go", `(() => { const w = `+worked+`; return !w || w.classList.contains("off") && w.textContent === ""; })()`)
	settle(t, ctx)
	if !evalJS[bool](t, ctx, `window.__typed.isConnected && document.activeElement === window.__typed && window.__typed.value === "5"`) {
		t.Errorf("after the commit the cell typed into was rebuilt or lost the focus (connected %v, focused %v, value %q)",
			evalJS[bool](t, ctx, `window.__typed.isConnected`), evalJS[bool](t, ctx, `document.activeElement === window.__typed`),
			evalJS[string](t, ctx, `window.__typed.value`))
	}
}
