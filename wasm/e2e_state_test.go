//go:build !wasm

package main

// End-to-end tests of the page state: links, saved work, undo and redo,
// bad links, exercise files.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/app/pagestate"
	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
)

// firstInput is the first editable cell of model m's exercise, as the
// page shows it in the first step that shows it.
func firstInput(m engine.Model) (id string, sel string) {
	v := m.Exercise().Vars[0]
	return v.ID, cellSel(v.ID, 0, 0) + " input.cell-input"
}

// copiedLink clicks "Copy link" and reads the link the page shows.
func copiedLink(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	click(t, ctx, "#"+id)
	waitJS(t, ctx, 5*time.Second, "the copied text to show", `!!document.getElementById("share-text") && document.getElementById("share-text").value !== ""`)
	return evalJS[string](t, ctx, `document.getElementById("share-text").value`)
}

// pageState reads what the page shows of its state: the step counter,
// the mode, and every cell checked against the engine on page p.
func checkPageShows(t *testing.T, ctx context.Context, m engine.Model, p pagestate.Page) {
	t.Helper()
	n := len(m.Run(p.Exercise, p.Mode).Steps)
	want := fmt.Sprintf("%d / %d", p.Step+1, n)
	waitJS(t, ctx, 10*time.Second, "the step counter to read "+want,
		fmt.Sprintf(`document.getElementById("step-count").textContent.includes(%q)`, want))
	if got := pageMode(t, ctx); got != p.Mode {
		t.Errorf("the page is in %v mode, want %v", got, p.Mode)
	}
	tr := m.Run(p.Exercise, p.Mode)
	// Cells of steps out of sight are written when the page is next idle.
	pageMatches(t, ctx, "reopened", tr)
}

// TestStateLinkRoundTrip: on every model, an edit, a step and the mode
// make a short link that reopens exactly that state in a fresh browser.
func TestStateLinkRoundTrip(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, subSite)
	// Three of the founding walkthroughs: the smallest, one with noise
	// drawn from a seed, and the largest (pagestate's tests round-trip the
	// links of every walkthrough; this checks the page writes and reads them).
	t.Logf("CHECKING 3 OF THE %d FOUNDING WALKTHROUGHS: autoencoder, vae, dit", len(engine.Founding))
	for _, slug := range []string{"autoencoder", "vae", "dit"} {
		m := engine.Lookup(slug)
		t.Run(slug, func(t *testing.T) {
			ctx := newBrowser(t)
			base := pageURL(srv, subSite, "/"+slug)
			open(t, ctx, base, slug)
			id, sel := firstInput(m)
			typeInto(t, ctx, sel, "5")
			settle(t, ctx)
			click(t, ctx, `button[data-mode="exact"]`)
			for i := 0; i < 4; i++ {
				click(t, ctx, "#next")
			}
			settle(t, ctx)
			link := copiedLink(t, ctx, "copy-link")
			if !strings.HasPrefix(link, base+"?") || len(link)-len(base) >= 120 {
				t.Fatalf("link %q: not %s?… under 120 characters more", link, base)
			}
			u, _ := url.Parse(link)
			want, probs := pagestate.Decode(m, u.RawQuery)
			if len(probs) > 0 {
				t.Fatalf("the page's link has problems: %v", probs)
			}
			if want.Exercise.Get(id).At(0, 0) != 5 || want.Step != 4 || want.Mode != engine.Exact {
				t.Fatalf("the link %q does not hold the edit, step 5 and exact", link)
			}
			// The URL keeps the step as the reader moves.
			if got := evalJS[string](t, ctx, `location.search`); !strings.Contains(got, "step=5") {
				t.Errorf("the page's own URL is %q, want step=5 in it", got)
			}
			fresh := newBrowser(t)
			open(t, fresh, link, slug)
			checkPageShows(t, fresh, m, want)
			if !evalJS[bool](t, fresh, `!!document.getElementById("notice")`) {
				t.Error("no notice says the page opened a link's state")
			}
		})
	}
}

// TestStateSavedAcrossReload: edits and the step survive a reload, with a
// notice that offers a one-click reset.
func TestStateSavedAcrossReload(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	m := engine.Lookup("autoencoder")
	ctx := newBrowser(t)
	u := pageURL(srv, rootSite, "/autoencoder")
	open(t, ctx, u, "autoencoder")
	_, sel := firstInput(m)
	typeInto(t, ctx, sel, "5")
	click(t, ctx, "#next")
	click(t, ctx, "#next")
	waitJS(t, ctx, 5*time.Second, "the work to be saved", `(localStorage.getItem("byhand.work.autoencoder") || "").includes("step=3")`)
	if err := within(ctx, 30*time.Second, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx, "autoencoder")
	p := pagestate.Default(m)
	p.Exercise.Get("X").Set(0, 0, 5)
	p.Step = 2
	checkPageShows(t, ctx, m, p)
	if !evalJS[bool](t, ctx, `!!document.getElementById("notice") && !!document.getElementById("notice-reset")`) {
		t.Fatal("no notice with a reset after the reload")
	}
	// Leaving the page and coming back restores it too.
	open(t, ctx, pageURL(srv, rootSite, "/"), "home")
	open(t, ctx, u, "autoencoder")
	checkPageShows(t, ctx, m, p)
	click(t, ctx, "#notice-reset")
	p.Exercise = m.Exercise()
	checkPageShows(t, ctx, m, p)
	waitJS(t, ctx, 5*time.Second, "the saved edits to be forgotten (the step stays)",
		`!(localStorage.getItem("byhand.work.autoencoder") || "").includes("x.X")`)
}

func pressKey(t *testing.T, ctx context.Context, key string, mods ...chromedp.Modifier) {
	t.Helper()
	evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
	if err := within(ctx, 5*time.Second, chromedp.KeyEvent(key, chromedp.KeyModifiers(mods...))); err != nil {
		t.Fatal(err)
	}
	settle(t, ctx)
}

func cellValue(t *testing.T, ctx context.Context, sel string) string {
	return evalJS[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).value`, sel))
}

// cellBecomes waits (5 s) until the input sel reads want, and returns what
// it read last: a cell out of sight is written once the reader pauses.
func cellBecomes(t *testing.T, ctx context.Context, sel, want string) (string, bool) {
	t.Helper()
	if pollJS(ctx, 5*time.Second, fmt.Sprintf(`document.querySelector(%q).value === %q`, sel, want)) == nil {
		return want, true
	}
	return cellValue(t, ctx, sel), false
}

// TestStateUndoRedo: one history entry per committed edit, per drag, per
// update and per reset; Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y and the buttons.
func TestStateUndoRedo(t *testing.T) {
	t.Parallel()
	ctx, m, _ := uiTest(t, "autoencoder")
	showAll(t, ctx, len(m.Run(m.Exercise(), engine.Hand).Steps))
	x := cellSel("X", 0, 0) + " input.cell-input"
	w := cellSel("W1", 0, 1) + " input.cell-input"
	if evalJS[bool](t, ctx, `!document.getElementById("undo").disabled`) {
		t.Fatal("undo is enabled before any change")
	}
	typeInto(t, ctx, x, "5") // entry 1
	// A drag on W1[1,2] through several values: entry 2.
	cx, cy := center(t, ctx, w)
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent("mousePressed", cx, cy, chromedp.ButtonLeft)}
	for dx := 6.0; dx <= 40; dx += 6 {
		steps = append(steps, chromedp.MouseEvent("mouseMoved", cx+dx, cy, chromedp.ButtonLeft))
	}
	steps = append(steps, chromedp.MouseEvent("mouseReleased", cx+40, cy, chromedp.ButtonLeft))
	if err := within(ctx, 10*time.Second, steps...); err != nil {
		t.Fatal(err)
	}
	settle(t, ctx)
	dragged := cellValue(t, ctx, w)
	if dragged == "0" {
		t.Fatal("the drag did not change W1[1,2]")
	}
	click(t, ctx, "#apply") // entry 3
	settle(t, ctx)
	loss3 := evalJS[string](t, ctx, `document.getElementById("loss").dataset.v`)
	click(t, ctx, "#reset") // entry 4
	settle(t, ctx)
	if got, ok := cellBecomes(t, ctx, x, "1"); !ok {
		t.Fatalf("reset left X[1,1] at %s", got)
	}
	pressKey(t, ctx, "z", chromedp.ModifierCtrl) // before the reset
	if got := evalJS[string](t, ctx, `document.getElementById("loss").dataset.v`); got != loss3 {
		t.Errorf("undoing the reset: loss %s, want %s", got, loss3)
	}
	pressKey(t, ctx, "z", chromedp.ModifierCtrl) // before the update
	if got, ok := cellBecomes(t, ctx, w, dragged); !ok {
		t.Errorf("undoing the update: W1[1,2] = %s, want the dragged %s", got, dragged)
	}
	click(t, ctx, "#undo") // before the drag: the whole drag at once
	settle(t, ctx)
	if got, ok := cellBecomes(t, ctx, w, "0"); !ok {
		t.Errorf("undoing the drag: W1[1,2] = %s, want 0", got)
	}
	if got, ok := cellBecomes(t, ctx, x, "5"); !ok {
		t.Errorf("undoing the drag undid the edit too: X[1,1] = %s", got)
	}
	pressKey(t, ctx, "z", chromedp.ModifierCtrl) // before the edit
	if got, ok := cellBecomes(t, ctx, x, "1"); !ok {
		t.Errorf("undoing the edit: X[1,1] = %s, want 1", got)
	}
	if evalJS[bool](t, ctx, `!document.getElementById("undo").disabled`) {
		t.Error("undo is still enabled with nothing left to undo")
	}
	pressKey(t, ctx, "z", chromedp.ModifierCtrl, chromedp.ModifierShift)
	if got, ok := cellBecomes(t, ctx, x, "5"); !ok {
		t.Errorf("Ctrl+Shift+Z: X[1,1] = %s, want 5", got)
	}
	pressKey(t, ctx, "y", chromedp.ModifierCtrl)
	if got, ok := cellBecomes(t, ctx, w, dragged); !ok {
		t.Errorf("Ctrl+Y: W1[1,2] = %s, want %s", got, dragged)
	}
	click(t, ctx, "#redo")
	settle(t, ctx)
	click(t, ctx, "#redo")
	settle(t, ctx)
	if got, ok := cellBecomes(t, ctx, x, "1"); !ok {
		t.Errorf("redoing the reset: X[1,1] = %s, want 1", got)
	}
	pageMatches(t, ctx, "after undo and redo", m.Run(m.Exercise(), engine.Hand))
}

// TestStateBadLinks: a tampered link opens with a message naming what
// was ignored, shown as text, and everything else of the link applied.
func TestStateBadLinks(t *testing.T) {
	t.Parallel()
	ctx, m, _ := uiTest(t, "autoencoder")
	srv := serveSite(t, rootSite)
	base := pageURL(srv, rootSite, "/autoencoder")
	for _, c := range []struct {
		query, want string
		step        int
	}{
		{"v=1&step=3&x.X=1.1:abc", "x.X", 3},
		{"v=1&step=4&x.X=1.1:1e400", "x.X", 4},
		{"v=1&step=2&x.Q=1.1:1", "x.Q", 2},
		{"v=1&step=2&x.X=1.1:" + url.QueryEscape(`<img src=x id=injected>`), "<img src=x id=injected>", 2},
		{"v=7&step=3", "newer version", 1},
		{"v=1&step=99&mode=exact", "step", 1},
		{"v=1&x.X=1.1:2&x.W1=1,2", "x.W1", 1},
	} {
		t.Run(c.query, func(t *testing.T) {
			open(t, ctx, base+"?"+c.query, "autoencoder")
			waitJS(t, ctx, 5*time.Second, "a notice", `!!document.getElementById("notice")`)
			text := evalJS[string](t, ctx, `document.getElementById("notice").textContent`)
			if !strings.Contains(text, c.want) {
				t.Errorf("the notice says %q, want it to name %q", text, c.want)
			}
			if evalJS[bool](t, ctx, `!!document.getElementById("injected")`) {
				t.Fatal("text from the link became HTML")
			}
			if got := evalJS[string](t, ctx, `document.getElementById("step-count").textContent`); !strings.Contains(got, fmt.Sprintf("%d /", c.step)) {
				t.Errorf("step counter %q, want step %d", got, c.step)
			}
			p, _ := pagestate.Decode(m, c.query)
			pageMatches(t, ctx, c.query, m.Run(p.Exercise, p.Mode))
			evalJS[bool](t, ctx, `localStorage.clear(), true`)
		})
	}
	// Damaged saved work: the page opens on the default exercise and says so.
	evalJS[bool](t, ctx, `localStorage.setItem("byhand.work.autoencoder", '{"byhand_saved":1,"model":"autoencoder","sta'), true`)
	open(t, ctx, base, "autoencoder")
	waitJS(t, ctx, 5*time.Second, "a notice about the saved work", `!!document.getElementById("notice")`)
	pageMatches(t, ctx, "damaged saved work", m.Run(m.Exercise(), engine.Hand))
}

// TestStateImportExport: the exported exercise file imports back; a bad
// file names its bad field and changes nothing.
func TestStateImportExport(t *testing.T) {
	t.Parallel()
	ctx, m, _ := uiTest(t, "vae")
	d := watchDownloads(t, ctx)
	_, sel := firstInput(m)
	typeInto(t, ctx, sel, "7")
	click(t, ctx, "#resample")
	settle(t, ctx)
	click(t, ctx, "#export-json")
	name, data := d.next(t, "the exported exercise")
	if name != "vae-exercise.json" {
		t.Errorf("the exercise downloads as %q", name)
	}
	exported, pr := pagestate.Import(m, pagestate.Default(m), data)
	if pr != nil {
		t.Fatalf("the exported file does not import: %+v\n%s", *pr, data)
	}
	if exported.Exercise.Get(m.Exercise().Vars[0].ID).At(0, 0) != 7 || exported.Exercise.Seed == m.Exercise().Seed {
		t.Fatalf("the export lacks the edit or the new seed:\n%s", data)
	}
	click(t, ctx, "#reset")
	settle(t, ctx)
	upload := func(name, content string) {
		f := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := within(ctx, 10*time.Second, chromedp.SetUploadFiles(chromedp.CSS("#import-json"), []string{f})); err != nil {
			t.Fatal(err)
		}
		settle(t, ctx)
	}
	upload("good.json", string(data))
	waitJS(t, ctx, 5*time.Second, "the import to apply", fmt.Sprintf(`document.querySelector(%q).value === "7"`, sel))
	page, _ := pageMatches(t, ctx, "imported", m.Run(exported.Exercise, exported.Mode))
	bad := strings.Replace(string(data), `"eps": [`, `"eps": [[1, 2],`, 1)
	upload("bad.json", bad)
	waitJS(t, ctx, 5*time.Second, "the import error", `!!document.getElementById("import-error")`)
	if msg := evalJS[string](t, ctx, `document.getElementById("import-error").textContent`); !strings.Contains(msg, "variables.eps") {
		t.Errorf("the error %q does not name variables.eps", msg)
	}
	after := pageCells(t, ctx)
	if d := changedKeys(page, after); len(d) > 0 {
		t.Errorf("a bad file changed %v", d)
	}
}

// TestStateLinkFirstStep: a link that stays on the first step still shows
// its numbers in the card that was drawn before the link was read.
func TestStateLinkFirstStep(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	srv := serveSite(t, rootSite)
	ctx := newBrowser(t)
	m := engine.Lookup("autoencoder")
	open(t, ctx, pageURL(srv, rootSite, "/autoencoder")+"?v=1&x.X=1.1:3,4.4:-2", "autoencoder")
	p, _ := pagestate.Decode(m, "v=1&x.X=1.1:3,4.4:-2")
	checkPageShows(t, ctx, m, p)
	if got := cellValue(t, ctx, cellSel("X", 0, 0)+" input.cell-input"); got != "3" {
		t.Errorf("X[1,1] shows %q, want 3", got)
	}
}
