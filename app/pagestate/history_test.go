package pagestate

import (
	"testing"

	"github.com/byhand/byhand/engine"
)

func snap(x float64) Snapshot {
	st := engine.Lookup("autoencoder").Exercise()
	st.Get("X").Set(0, 0, x)
	return Snapshot{Exercise: st}
}

func x00(s Snapshot) float64 { return s.Exercise.Get("X").At(0, 0) }

func TestHistory(t *testing.T) {
	var h History
	h.Start(snap(1))
	if h.CanUndo() || h.CanRedo() {
		t.Fatal("a new history has nothing to undo")
	}
	// An edit to 2, then a drag through 3 and 4 that ends at 5: two entries.
	h.Commit(snap(2))
	// (the drag's moves change the page but are not committed)
	h.Commit(snap(5))
	// Setting a cell to the value it has is not an entry.
	if h.Commit(snap(5)) {
		t.Error("a change to the same numbers made an entry")
	}
	s, ok := h.Undo(snap(5))
	if !ok || x00(s) != 2 {
		t.Fatalf("undo gave %v, want 2", x00(s))
	}
	s, _ = h.Undo(s)
	if x00(s) != 1 || h.CanUndo() {
		t.Fatalf("second undo gave %v, want 1 and nothing more", x00(s))
	}
	s, _ = h.Redo(s)
	if x00(s) != 2 || !h.CanRedo() {
		t.Fatalf("redo gave %v", x00(s))
	}
	// A new commit after undo drops the redo branch.
	h.Commit(snap(9))
	if h.CanRedo() {
		t.Error("redo survived a new change")
	}
	s, _ = h.Undo(snap(9))
	if x00(s) != 2 {
		t.Errorf("undo after the branch gave %v", x00(s))
	}
	// Undo in the middle of a drag (uncommitted 7) makes 7 redoable.
	h.Start(snap(1))
	h.Commit(snap(3))
	s, _ = h.Undo(snap(7))
	if x00(s) != 1 {
		t.Errorf("undo gave %v", x00(s))
	}
	s, _ = h.Redo(s)
	if x00(s) != 7 {
		t.Errorf("redo gave %v, want the uncommitted 7", x00(s))
	}
}

func TestHistoryKeepsCopies(t *testing.T) {
	var h History
	cur := snap(1)
	h.Start(cur)
	cur.Exercise.Get("X").Set(0, 0, 2) // the page changes its own state in place
	h.Commit(cur)
	cur.Exercise.Get("X").Set(0, 0, 3)
	h.Commit(cur)
	s, _ := h.Undo(cur)
	if x00(s) != 2 {
		t.Errorf("undo gave %v: the history shares numbers with the page", x00(s))
	}
}

func TestHistoryLimit(t *testing.T) {
	var h History
	h.Start(snap(0))
	for i := 1; i <= MaxHistory+50; i++ {
		h.Commit(snap(float64(i)))
	}
	n := 0
	s := snap(MaxHistory + 50)
	for h.CanUndo() {
		s, _ = h.Undo(s)
		n++
	}
	if n != MaxHistory || x00(s) != 50 {
		t.Errorf("%d undos back to %v", n, x00(s))
	}
}
