// Package engine computes the byhand walkthroughs: small neural networks
// worked step by step, the way they are worked on paper.
//
// A model reads an exercise (its inputs, parameters and noise, held in a
// State) and writes a Trace: the walkthrough's steps in order, each with the
// matrices it shows. Every computed cell can explain itself as its formula
// with the actual numbers, and the trace knows which steps depend on which
// matrices, so a page can recompute and redraw only what an edit changed.
//
// The package is pure Go over gonum: it imports nothing from the browser.
package engine
