//go:build !wasm

package main

// End-to-end tests of training and resampling.

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/byhand/byhand/engine"
	"github.com/chromedp/chromedp"
)

// TestUIResample: on the VAE page, resampling the noise changes the
// reconstruction Y.
func TestUIResample(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "vae")
	showAll(t, ctx, len(m.Run(m.Exercise(), mode).Steps))
	y := func() string {
		return evalJS[string](t, ctx, `[...document.querySelectorAll('td.cell[data-m="Y"]')].map(td => td.dataset.v).join(" ")`)
	}
	y0 := y()
	if y0 == "" {
		t.Fatal("no Y cells on the VAE page")
	}
	click(t, ctx, "button#resample")
	js := fmt.Sprintf(`[...document.querySelectorAll('td.cell[data-m="Y"]')].map(td => td.dataset.v).join(" ") !== %q`, y0)
	if err := pollJS(ctx, 5*time.Second, js); err != nil {
		t.Errorf("Y stayed %q after #resample", y0)
	}
}

// TestUITrain: training 50 steps lowers the loss on each trainable model.
func TestUITrain(t *testing.T) {
	t.Parallel()
	for _, slug := range []string{"autoencoder", "vae", "clip", "dit"} {
		t.Run(slug, func(t *testing.T) {
			ctx, _, _ := uiTest(t, slug)
			loss := func() float64 {
				s := evalJS[string](t, ctx, `(document.querySelector("#loss") || {dataset: {}}).dataset.v || ""`)
				if s == "" {
					return math.NaN() // undefined: not a number
				}
				v, err := engine.ParseNumber(s)
				if err != nil {
					t.Fatalf("#loss data-v = %q: %v", s, err)
				}
				return v
			}
			l0 := loss()
			if math.IsNaN(l0) {
				t.Fatal("#loss has no data-v before training")
			}
			setInput(t, ctx, "input#train-n", "50")
			click(t, ctx, "button#train")
			l0s := engine.Format(l0)
			waitJS(t, ctx, 60*time.Second, "training to end", fmt.Sprintf(`(() => {
				const b = document.querySelector("button#train"), l = document.querySelector("#loss");
				return !document.body.hasAttribute("data-training") && b && !b.disabled && l && l.dataset.v !== %q; })()`, l0s))
			if l1 := loss(); math.IsNaN(l1) {
				t.Errorf("the loss (was %v) is undefined after 50 steps: training diverged", l0)
			} else if !(l1 < l0) {
				t.Errorf("loss %v after 50 steps, was %v", l1, l0)
			}
		})
	}
}

// TestUITrainDiverges: a learning rate of 10 makes the autoencoder's loss
// run away; the run stops with the message, the loss shown is a number,
// and one undo takes the run back.
func TestUITrainDiverges(t *testing.T) {
	t.Parallel()
	ctx, _, _ := uiTest(t, "autoencoder")
	loss0 := evalJS[string](t, ctx, `document.getElementById("loss").dataset.v`)
	setInput(t, ctx, "#lr", "10")
	setInput(t, ctx, "#train-n", "300")
	click(t, ctx, "#train")
	waitJS(t, ctx, 60*time.Second, "the run to stop", `!document.body.hasAttribute("data-training") && document.querySelector(".train-status").textContent !== ""`)
	settle(t, ctx)
	status := evalJS[string](t, ctx, `document.querySelector(".train-status").textContent`)
	if !strings.Contains(status, "learning rate") {
		t.Errorf("the run ended with %q, not the message about the learning rate", status)
	}
	if v := evalJS[string](t, ctx, `document.getElementById("loss").dataset.v`); v == "" {
		t.Error("the loss shown is not a number after the run stopped")
	}
	pressKey(t, ctx, "z", chromedp.ModifierCtrl)
	if v := evalJS[string](t, ctx, `document.getElementById("loss").dataset.v`); v != loss0 {
		t.Errorf("after undo the loss is %s, want %s", v, loss0)
	}
}

// TestUISeedTyped: a typed seed draws the same noise as the engine from
// that seed; noise written by hand says so and shows no seed.
func TestUISeedTyped(t *testing.T) {
	t.Parallel()
	ctx, m, mode := uiTest(t, "vae")
	showAll(t, ctx, len(m.Run(m.Exercise(), mode).Steps))
	setInput(t, ctx, "#seed", "4242")
	settle(t, ctx)
	st := m.Exercise()
	m.(engine.Resampler).Resample(st, 4242)
	pageMatches(t, ctx, "seed 4242", m.Run(st, mode))
	setInput(t, ctx, "#seed", "abc")
	settle(t, ctx)
	if got := evalJS[string](t, ctx, `document.getElementById("seed").value`); got != "4242" {
		t.Errorf("a refused seed left %q in the box", got)
	}
	typeInto(t, ctx, cellSel("eps", 0, 0)+" input.cell-input", "0.5")
	settle(t, ctx)
	if got := evalJS[string](t, ctx, `document.getElementById("seed").value`); got != "" {
		t.Errorf("after ε was written by hand the seed box shows %q", got)
	}
	if !evalJS[bool](t, ctx, `!!document.getElementById("seed-note")`) {
		t.Error("no note says the noise was written by hand")
	}
}
