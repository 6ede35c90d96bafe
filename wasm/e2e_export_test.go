//go:build !wasm

package main

// End-to-end test of a step card's export menu (app/exporttools.go and
// web/export.js): the step saved as SVG and as PNG, a matrix copied as CSV.

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ui "github.com/byhand/byhand/app"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// exportDownloads records the browser's downloads into a directory.
type exportDownloads struct {
	dir  string
	mu   sync.Mutex
	name map[string]string // guid → suggested file name
	done chan [2]string    // guid, state, once a download ends
}

func watchDownloads(t *testing.T, ctx context.Context) *exportDownloads {
	t.Helper()
	d := &exportDownloads{dir: t.TempDir(), name: map[string]string{}, done: make(chan [2]string, 16)}
	on := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: d.dir, EventsEnabled: &on,
	}); err != nil {
		t.Fatalf("setting the download behaviour: %v", err)
	}
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		switch e := ev.(type) {
		case *browser.EventDownloadWillBegin:
			d.mu.Lock()
			d.name[e.GUID] = e.SuggestedFilename
			d.mu.Unlock()
		case *browser.EventDownloadProgress:
			if e.State == browser.DownloadProgressStateCompleted || e.State == browser.DownloadProgressStateCanceled {
				select {
				case d.done <- [2]string{e.GUID, string(e.State)}:
				default:
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

// next waits for the next download to end and returns its suggested name
// and its bytes.
func (d *exportDownloads) next(t *testing.T, what string) (string, []byte) {
	t.Helper()
	select {
	case ev := <-d.done:
		if ev[1] != string(browser.DownloadProgressStateCompleted) {
			t.Fatalf("%s: the download was %s", what, ev[1])
		}
		d.mu.Lock()
		name := d.name[ev[0]]
		d.mu.Unlock()
		b, err := os.ReadFile(filepath.Join(d.dir, ev[0]))
		if err != nil {
			t.Fatalf("%s: reading the downloaded file: %v", what, err)
		}
		return name, b
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no download within 20 s", what)
	}
	return "", nil
}

// TestUIExport opens the export menu of the autoencoder's third step (a
// product with a folded bias and a ReLU), saves the step as SVG and as
// PNG, and copies W₁ as CSV. The menu must be in the card: a missing one
// fails the test.
func TestUIExport(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "autoencoder")
	s := ui.NewSession(m, mode)
	const stepID, matrixID = "enc1", "W1"
	idx := -1
	for i := range s.Views {
		if s.Views[i].ID == stepID {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("the autoencoder has no step %q", stepID)
	}
	v := &s.Views[idx]
	showAll(t, ctx, len(s.Views))

	card := fmt.Sprintf(`section.step[data-step=%q]`, stepID)
	menu := card + " details.export"
	if !evalJS[bool](t, ctx, fmt.Sprintf(`!!document.querySelector(%q)`, menu)) {
		t.Fatalf("step %s's card has no export menu (%s): StepExport is not in the card's header", stepID, menu)
	}
	click(t, ctx, menu+" > summary")
	waitJS(t, ctx, 5*time.Second, "the export menu to open", fmt.Sprintf(`document.querySelector(%q).open`, menu))
	status := func() string {
		return evalJS[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, menu+" .export-status"))
	}

	dl := watchDownloads(t, ctx)
	wantFile := fmt.Sprintf("autoencoder-step-%d-%s", idx+1, stepID)

	// SVG: well-formed, and showing every number of the step.
	click(t, ctx, menu+` button[data-export="svg"]`)
	name, svg := dl.next(t, "Save as SVG")
	if name != wantFile+".svg" {
		t.Errorf("the SVG is offered as %q, want %q", name, wantFile+".svg")
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the saved SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Space + " " + se.Name.Local
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("the saved SVG's root element is %q", root)
	}
	for _, mx := range v.Matrices {
		for i, row := range mx.Cells {
			for j, c := range row {
				if c.Text != "" && !bytes.Contains(svg, []byte(">"+c.Text+"<")) {
					t.Errorf("the saved SVG lacks %s[%d,%d] = %s", mx.ID, i, j, c.Text)
				}
			}
		}
	}
	if st := status(); !strings.Contains(st, wantFile+".svg") {
		t.Errorf("after saving the SVG the menu says %q", st)
	}

	// PNG: decodes, twice the SVG's size, and not blank.
	click(t, ctx, menu+` button[data-export="png"]`)
	name, pngBytes := dl.next(t, "Save as PNG")
	if name != wantFile+".png" {
		t.Errorf("the PNG is offered as %q, want %q", name, wantFile+".png")
	}
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatalf("the saved PNG does not decode: %v", err)
	}
	var svgW, svgH float64
	if _, err := fmt.Sscanf(string(svg[bytes.Index(svg, []byte(`width="`)):]), `width="%g" height="%g"`, &svgW, &svgH); err != nil {
		t.Fatalf("reading the SVG's size: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != int(2*svgW+0.5) || b.Dy() != int(2*svgH+0.5) {
		t.Errorf("the PNG is %d×%d, want twice the SVG's %g×%g", b.Dx(), b.Dy(), svgW, svgH)
	}
	if len(pngBytes) < 10_000 || colours(img) < 8 {
		t.Errorf("the PNG (%d bytes, %d colours) looks blank", len(pngBytes), colours(img))
	}

	// CSV of W₁ on the clipboard, equal to MatrixCSV of the engine's view.
	var want string
	for k := range v.Matrices {
		if v.Matrices[k].ID == matrixID {
			want = ui.MatrixCSV(&v.Matrices[k])
		}
	}
	if want == "" {
		t.Fatalf("step %s has no matrix %s", stepID, matrixID)
	}
	for _, perm := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: perm}, Setting: browser.PermissionSettingGranted,
		}); err != nil {
			t.Fatalf("granting %s: %v", perm, err)
		}
	}
	// The clipboard answers only a focused page; headless windows are not.
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	evalJS[bool](t, ctx, `navigator.clipboard.writeText("").then(() => true, () => true)`)
	before := status()
	click(t, ctx, fmt.Sprintf(`%s button[data-export="csv"][data-export-m=%q]`, menu, matrixID))
	waitJS(t, ctx, 5*time.Second, "the copy to end", fmt.Sprintf(`(() => {
		const s = document.querySelector(%q); return !!s && s.textContent !== "" && s.textContent !== %q; })()`,
		menu+" .export-status", before))
	manual := evalJS[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {}).value || ""`, menu+" textarea.export-manual"))
	got := evalJS[string](t, ctx, `navigator.clipboard.readText().catch(() => "")`)
	switch {
	case got == want:
		if st := status(); !strings.Contains(st, "Copied") {
			t.Errorf("after copying, the menu says %q", st)
		}
	case manual != "":
		// The browser refused the clipboard: the text is shown, selected.
		t.Logf("the clipboard refused; the menu shows the text (%q)", status())
		if manual != want {
			t.Errorf("the menu shows\n%q\nto copy, want MatrixCSV\n%q", manual, want)
		}
	default:
		t.Errorf("the clipboard holds\n%q\nwant MatrixCSV of %s\n%q\n(the menu says %q)", got, matrixID, want, status())
	}
}

// colours counts the distinct colours of an image, up to 64.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= 64 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
