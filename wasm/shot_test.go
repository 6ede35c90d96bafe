//go:build !wasm

package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestShot is a tool, not a check: it screenshots one URL of a running
// site. BYHAND_SHOT="url width height out.png" (e.g. against make run);
// BYHAND_SHOT_JS is a script run (and awaited) before the shot.
// It also prints the page's console messages and errors.
func TestShot(t *testing.T) {
	spec := strings.Fields(os.Getenv("BYHAND_SHOT"))
	if len(spec) != 4 {
		t.Skip("SKIPPED: set BYHAND_SHOT=\"url width height out.png\" to take a screenshot")
	}
	if chromiumPath == "" {
		chromiumPath = findChromium()
	}
	w, _ := strconv.Atoi(spec[1])
	h, _ := strconv.Atoi(spec[2])
	ctx := startBrowser(t, t.TempDir())
	_ = chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			t.Logf("console.%s: %s", e.Type, strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			t.Logf("exception: %s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception)
		}
	})
	if err := within(ctx, 60*time.Second, chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(spec[0])); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	_ = pollJS(ctx, 20*time.Second, `!!document.body && !!document.body.getAttribute("data-ready")`)
	time.Sleep(700 * time.Millisecond)
	if js := os.Getenv("BYHAND_SHOT_JS"); js != "" {
		evalJS[any](t, ctx, js)
		time.Sleep(700 * time.Millisecond)
	}
	buf, err := chromedp.Run(c, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec[3], buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
