//go:build wasm

package main

import "runtime/debug"

// In the browser the collector runs on the page's only thread, so each
// collection delays a frame. An edit makes about 150 kB of garbage and
// the live heap is small: collecting at 4× the live heap rather than 2×
// makes the pauses four times rarer at a cost of a few megabytes.
func init() { debug.SetGCPercent(400) }

// serve does nothing in the browser: app.RunWhenOnBrowser never returns
// there.
func serve() {}
