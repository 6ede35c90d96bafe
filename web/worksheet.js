// byhand worksheets: the print page's helpers (app/worksheet.go). Loaded
// as a static script (no eval), like byhand.js.
//
// A sheet is as wide on screen as on its paper (app.css, "Worksheets"),
// so what is measured here is what prints.
"use strict";

(() => {
  const boxes = ".sheet .product, .sheet .sequence, .sheet .formula";

  // byhandFitSheets zooms out each product, sequence or formula of a
  // sheet that is wider than its sheet (--sheet-zoom on the box). A product
  // is as wide as its grid; a sequence wraps, so only its widest matrix
  // can be too wide. It returns how many boxes were zoomed.
  window.byhandFitSheets = function () {
    const all = document.querySelectorAll(boxes);
    for (const box of all) box.style.removeProperty("--sheet-zoom");
    const out = [];
    for (const box of all) {
      const step = box.closest(".ws-step");
      if (!step) continue;
      const room = step.clientWidth;
      const left = box.getBoundingClientRect().left;
      let w = 0;
      if (box.matches(".sequence")) {
        for (const c of box.children) w = Math.max(w, c.getBoundingClientRect().width);
      } else if (box.matches(".formula")) {
        w = box.scrollWidth;
      } else {
        for (const c of box.children) w = Math.max(w, c.getBoundingClientRect().right - left);
      }
      if (w > room + 0.5) out.push([box, Math.floor(room / w * 1000) / 1000]);
    }
    for (const [box, z] of out) box.style.setProperty("--sheet-zoom", String(z));
    return out.length;
  };

  // byhandPrintSheets opens the browser's print dialog once the sheets Go
  // just drew are laid out and painted.
  window.byhandPrintSheets = function () {
    requestAnimationFrame(() => requestAnimationFrame(() => window.print()));
  };
})();
