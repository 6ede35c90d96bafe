package ui

import (
	"strconv"
	"strings"

	"github.com/byhand/byhand/engine"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// patchNumbers writes every cell whose number changed since it was last
// written into the page, and the loss. A card that go-app redraws later
// reads the same numbers from the session, so the two never disagree.
// The writing is done by byhandPatch in web/byhand.js.
func patchNumbers(s *Session) {
	if s == nil || !app.IsClient {
		return
	}
	var b strings.Builder
	// In practice mode no number is patched: a card redraws when any of
	// its cells changes (StepView.Shape holds them), a blank's answer is
	// never sent to the page, and writes still waiting from before are
	// dropped.
	practising := s.Practising()
	if practising {
		b.WriteString("\x1fclear\n")
	}
	for i := 0; i < len(s.Views) && !practising; i++ {
		v := &s.Views[i]
		if v.stale || !v.unsent {
			continue // out of date (written when brought up to date), or written already
		}
		v.unsent = false
		for k := range v.Matrices {
			m := &v.Matrices[k]
			if p := m.Picture; p != nil && p.Changed {
				for n, img := range p.Images {
					b.WriteString("\x1fpic\x1f" + v.ID + "\x1f" + m.ID + "\x1f" + strconv.Itoa(n) + "\x1f")
					for i, g := range img {
						if i > 0 {
							b.WriteByte(',')
						}
						b.WriteString(strconv.Itoa(int(g)))
					}
					b.WriteByte('\n')
				}
			}
			for r, row := range m.Cells {
				for c, cell := range row {
					if cell.Flash == 0 && !cell.Refresh {
						continue
					}
					b.WriteString(v.ID + "\x1f" + m.ID + "\x1f" + strconv.Itoa(r) + "\x1f" + strconv.Itoa(c) + "\x1f" +
						cell.Text + "\x1f" + cell.Struck + "\x1f" + strconv.Itoa(int(cell.Flash)) + "\x1f" +
						cell.Full + "\x1f" + cell.StruckFull + "\n")
				}
			}
		}
	}
	if s.hovered.M != "" {
		if text, _, ok := s.explainText(s.hovered); ok {
			b.WriteString("\x1fexplain\x1f" + text + "\n")
		}
	}
	if l, ok := s.Loss(); ok {
		b.WriteString("\x1floss\x1f" + engine.Format(l) + "\n")
	}
	// How many steps out of sight still wait for their numbers (the tests
	// wait for none).
	stale := s.stale()
	b.WriteString("\x1fstale\x1f" + strconv.Itoa(stale) + "\n")
	app.Window().Call("byhandPatch", b.String())
	if stale > 0 && s.RefreshSoon != nil {
		s.RefreshSoon()
	}
}
