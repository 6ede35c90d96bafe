//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// readyProbe records, in every new document, when body gets data-ready:
// performance.now() counts from the start of the navigation.
const readyProbe = `(() => {
	const mark = () => {
		if (!window.__byhandReady && document.body && document.body.hasAttribute("data-ready")) {
			window.__byhandReady = performance.now();
		}
	};
	new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-ready"]});
})();`

// editProbe makes n edits of the first editable cell, alternating its
// value and value+1 as a committed entry ("input", then "change"), and times each from the
// event to the first DOM change, to the start of the next frame (the first
// requestAnimationFrame callback after the change: the frame that shows
// it), and to the task after that frame (it has been painted). Each edit starts 0–16 ms after the
// previous paint, as real input does, rather than always right after one.
const editProbe = `(async (n) => {
	const el = document.querySelector("td.cell input.cell-input");
	if (!el) return {error: "no td.cell input.cell-input"};
	const base = parseFloat(el.value.replace("−", "-").replace(",", "."));
	if (!isFinite(base)) return {error: "cannot read " + el.value};
	// The frame that shows an edit starts with the first animation-frame
	// callback after the change; it has been painted by the task after it.
	const nextFrame = () => new Promise(r => requestAnimationFrame(() => {
		const f = performance.now();
		const ch = new MessageChannel(); ch.port1.onmessage = () => r(f); ch.port2.postMessage(0);
	}));
	const out = {dom: [], frame: [], paint: [], timeouts: 0, cell: el.closest("td.cell").dataset.m};
	for (let i = 0; i < n; i++) {
		const changed = new Promise(resolve => {
			const mo = new MutationObserver(() => { mo.disconnect(); resolve(true); });
			mo.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-v"]});
			setTimeout(() => { mo.disconnect(); resolve(false); }, 2000);
		});
		// Real input arrives at any moment of a frame, not just after one:
		// wait a random part of a frame (deterministic sequence) first.
		await new Promise(r => setTimeout(r, (i * 7919) % 17));
		const t0 = performance.now();
		el.value = String(i % 2 === 0 ? base + 1 : base);
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true})); // typed text applies when committed
		if (!(await changed)) { out.timeouts++; continue; }
		out.dom.push(performance.now() - t0);
		const f = await nextFrame();
		out.frame.push(f - t0);
		out.paint.push(performance.now() - t0);
	}
	return out;
})`

// TestBrowserBench measures, in headless Chromium on loopback, the time
// to interactive of a first and a repeat visit and the latency from an
// edit to the next frame on each model page. make bench runs it.
func TestBrowserBench(t *testing.T) {
	if os.Getenv("BYHAND_BENCH") != "1" {
		t.Skip("set BYHAND_BENCH=1 (make bench)")
	}
	needBrowser(t)
	srv := serveSite(t, rootSite)
	const runs = 5
	const edits = 120

	fmt.Printf("\nTime to interactive (navigation start → body[data-ready]), median of %d, ms\n", runs)
	fmt.Printf("%-14s %12s %12s\n", "page", "first visit", "repeat visit")
	for _, p := range []string{"/", "/autoencoder"} {
		if !slices.Contains(rootSite.Paths, p) {
			continue
		}
		url := pageURL(srv, rootSite, p)
		var first, repeat []float64
		for i := 0; i < runs; i++ {
			ctx := startBrowser(t, t.TempDir())
			addProbe(t, ctx)
			first = append(first, tti(t, ctx, url, readyName(p)))
			if i == runs-1 {
				// Repeat visits in the last profile, once the worker has
				// cached the site.
				waitPrecached(t, ctx, rootSite)
				for j := 0; j < runs; j++ {
					repeat = append(repeat, tti(t, ctx, url, readyName(p)))
				}
			}
		}
		fmt.Printf("%-14s %12.0f %12.0f\n", p, median(first), median(repeat))
	}

	fmt.Printf("\nEdit latency over %d edits of the first editable cell, all steps shown, ms\n", edits)
	fmt.Printf("%-14s %-8s %6s %9s %6s %11s %6s %11s %6s %9s\n", "page", "cell", "cells", "DOM p50", "p95", "frame p50", "p95", "paint p50", "p95", "timeouts")
	ctx := startBrowser(t, t.TempDir())
	only := os.Getenv("BYHAND_BENCH_PAGES") // e.g. "/dit,/transformer-stack": those pages only
	if only != "" {
		fmt.Printf("(only %s)\n", only)
	}
	for _, p := range rootSite.Paths {
		if !isModelPath(p) || only != "" && !slices.Contains(strings.Split(only, ","), p) {
			continue
		}
		open(t, ctx, pageURL(srv, rootSite, p), readyName(p))
		evalJS[bool](t, ctx, `document.activeElement && document.activeElement.blur && document.activeElement.blur(), true`)
		within(ctx, 5*time.Second, chromedp.KeyEvent(kb.End))
		settle(t, ctx)
		time.Sleep(200 * time.Millisecond)
		cells := evalJS[int](t, ctx, `document.querySelectorAll("td.cell").length`)
		c, cancel := context.WithTimeout(ctx, 5*time.Minute)
		raw, err := chromedp.Run(c, chromedp.Evaluate[[]byte](fmt.Sprintf("%s(%d)", editProbe, edits), chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var r struct {
			Error             string
			Cell              string
			DOM, Frame, Paint []float64
			Timeouts          int
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("%s: %v: %s", p, err, raw)
		}
		if r.Error != "" {
			fmt.Printf("%-14s %s\n", p, r.Error)
			continue
		}
		fmt.Printf("%-14s %-8s %6d %9.1f %6.1f %11.1f %6.1f %11.1f %6.1f %9d\n", p, r.Cell, cells,
			median(r.DOM), percentile(r.DOM, 95), median(r.Frame), percentile(r.Frame, 95),
			median(r.Paint), percentile(r.Paint, 95), r.Timeouts)
	}
	fmt.Println()
}

func addProbe(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: readyProbe}); err != nil {
		t.Fatal(err)
	}
}

// tti opens url and returns the ms from navigation start to data-ready.
func tti(t *testing.T, ctx context.Context, url, ready string) float64 {
	t.Helper()
	open(t, ctx, url, ready)
	waitJS(t, ctx, 10*time.Second, "the probe", `typeof window.__byhandReady === "number"`)
	return evalJS[float64](t, ctx, `window.__byhandReady`)
}

func median(v []float64) float64 { return percentile(v, 50) }

// percentile returns the p-th percentile (nearest rank) of v.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
