// Package engine computes the byhand walkthroughs: small neural networks
// worked step by step, the way they are worked on paper.
//
// A model reads an exercise (its inputs, parameters and noise, held in a
// State) and writes a Trace: the walkthrough's steps in order, each with the
// matrices it shows. Every computed cell can explain itself as its formula
// with the actual numbers, and the trace knows which steps depend on which
// matrices, so a page can recompute and redraw only what an edit changed.
//
// In practice (Practice), chosen computed cells are blanks a student fills
// in: the walkthrough is worked through by the same ops, with the
// student's numbers in those cells, and each entry is checked against the
// number its step computed from the numbers before it.
//
// The package is pure Go over gonum: it imports nothing from the browser.
package engine
