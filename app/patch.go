package ui

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// patchJS writes changed numbers into cells already on the page. It keeps
// go-app's text nodes (it sets their value rather than replacing them), so
// a later redraw still finds them, and never touches an input being typed
// into.
const patchJS = `
const sep = "\u001f";
let sec = null, secID = null;
for (const ln of s.split("\n")) {
  if (!ln) continue;
  const [st, m, r, c, text, struck, flash] = ln.split(sep);
  if (st !== secID) { secID = st; sec = document.getElementById("step-" + st); }
  if (!sec) continue;
  const tds = sec.querySelectorAll('td[data-m="' + CSS.escape(m) + '"][data-r="' + r + '"][data-c="' + c + '"]');
  for (const td of tds) {
    td.dataset.v = text;
    const inp = td.querySelector("input");
    if (inp) {
      if (document.activeElement !== inp) inp.value = text;
    } else if (td.firstElementChild && td.firstElementChild.tagName === "S") {
      td.firstElementChild.firstChild.nodeValue = struck;
      td.lastElementChild.firstChild.nodeValue = text;
    } else if (td.firstChild && td.firstChild.nodeType === 3) {
      td.firstChild.nodeValue = text;
    }
    td.classList.remove("flash1", "flash2");
    if (flash !== "0") td.classList.add("flash" + flash);
  }
}`

var patchFunc app.Value

// afterRecompute schedules, once the current redraw is done, the writing
// of the numbers that the last recompute changed.
func afterRecompute(ctx app.Context, s *Session) {
	ctx.Defer(func(app.Context) { patchNumbers(s) })
}

// patchNumbers writes every cell whose number changed in the last
// recompute into the page.
func patchNumbers(s *Session) {
	if s == nil || !app.IsClient {
		return
	}
	var b strings.Builder
	for i := range s.Views {
		v := &s.Views[i]
		for k := range v.Matrices {
			m := &v.Matrices[k]
			for r, row := range m.Cells {
				for c, cell := range row {
					if cell.Flash == 0 {
						continue
					}
					b.WriteString(v.ID + "\x1f" + m.ID + "\x1f" + strconv.Itoa(r) + "\x1f" + strconv.Itoa(c) + "\x1f" +
						cell.Text + "\x1f" + cell.Struck + "\x1f" + strconv.Itoa(int(cell.Flash)) + "\n")
				}
			}
		}
	}
	if b.Len() == 0 {
		return
	}
	if patchFunc == nil {
		patchFunc = app.Window().Get("Function").New("s", patchJS)
	}
	patchFunc.Invoke(b.String())
}
