// byhand on every surface: phones, projectors and paper. Browser helpers
// that need measuring, which CSS alone cannot do. Loaded as a static
// script (no eval), like byhand.js.
//
// - Phones: a matrix wider than its card scrolls sideways inside it; the
//   scrolling box gets data-more="right", "left" or "both" while some of it
//   is out of sight, and app.css fades that edge.
// - Present mode (data-present on <html>): the current step is zoomed so
//   that all of it fits in the window; the zoom is the CSS variable
//   --present-fit on <html>.
// - Print: byhandWatchPrint tells Go when a print starts and ends (Go then
//   draws every step), and each wide product or sequence is zoomed to the
//   paper's width (--print-zoom on the box).
"use strict";

(() => {
  const boxes = ".product, .sequence";
  const root = document.documentElement;

  // ---- Phones: a cue at the edge of a box that scrolls ------------------

  const cue = (el) => {
    const hidden = el.scrollWidth - el.clientWidth;
    let v = "";
    if (hidden > 1) {
      const x = Math.abs(el.scrollLeft);
      v = x < 1 ? "right" : x >= hidden - 1 ? "left" : "both";
    }
    if ((el.dataset.more || "") !== v) {
      if (v) el.dataset.more = v; else delete el.dataset.more;
    }
  };

  // Every box is watched for size changes (of itself: the window; of its
  // children: wider numbers, a redrawn matrix); the first report comes
  // when it is first laid out. Boxes are never measured here otherwise:
  // the cards out of sight are not laid out (content-visibility), and get
  // their cue as they come into view, before they are painted. New boxes
  // are looked for when the steps change, once per frame at most.
  const observed = new WeakSet();
  const sizes = new ResizeObserver((entries) => {
    const seen = new Set();
    for (const e of entries) {
      const box = e.target.matches(boxes) ? e.target : e.target.parentElement && e.target.parentElement.closest(boxes);
      if (box && !seen.has(box)) { seen.add(box); cue(box); }
    }
  });
  const observe = (el) => {
    if (!observed.has(el)) { observed.add(el); sizes.observe(el); }
  };
  const watch = (box) => {
    observe(box);
    for (const c of box.children) observe(c);
  };
  let scanDue = false;
  const scan = () => {
    scanDue = false;
    for (const box of document.querySelectorAll(boxes)) watch(box);
    watchCurrent();
    fit(false);
  };
  const scanSoon = () => {
    if (!scanDue) { scanDue = true; requestAnimationFrame(scan); }
  };
  document.addEventListener("scroll", (e) => {
    const t = e.target;
    if (t && t.nodeType === 1 && t.matches(boxes)) cue(t);
  }, { capture: true, passive: true });

  // The steps are drawn by go-app after this script runs, and drawn anew
  // as the reader moves and edits: new boxes and steps are looked for in
  // every node added to the page (numbers patched into the page change
  // text only, and cost nothing here).
  const changes = new MutationObserver((records) => {
    // Every step drawn at last for a print under way: measure them all.
    if (root.hasAttribute("data-print-partial") && !partial()) zoomForPaper();
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        const p = n.parentElement;
        if (n.matches(boxes) || n.matches("section.step") || (p && p.matches(boxes)) || n.querySelector(boxes)) { scanSoon(); return; }
      }
    }
  });
  const start = () => {
    changes.observe(document.body, { childList: true, subtree: true });
    scanSoon();
  };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);

  // ---- Present mode: the current step fits the window -------------------

  // The smallest zoom: below it the numbers are no longer legible from the
  // back of a room, and the page scrolls instead.
  const minFit = 0.45;
  let fitKey = "", fitDue = false;

  // The current card is watched for size while present mode is on.
  const grown = new ResizeObserver(() => fitSoon());
  let grownCard = null;
  const watchCurrent = () => {
    const card = root.hasAttribute("data-present") ? document.querySelector("#steps section.step.current") : null;
    if (card === grownCard) return;
    if (grownCard) grown.unobserve(grownCard);
    grownCard = card;
    if (card) grown.observe(card);
  };
  const fitSoon = () => {
    watchCurrent();
    if (!fitDue && (root.hasAttribute("data-present") || fitKey)) {
      fitDue = true;
      requestAnimationFrame(() => { fitDue = false; fit(false); });
    }
  };

  // fits reports whether the card, at the zoom now set, ends above the
  // window's bottom (by spare px) and shows all of its boxes without
  // scrolling.
  const fits = (card, spare) => {
    const r = card.getBoundingClientRect();
    const layout = card.closest(".layout");
    const pad = layout ? parseFloat(getComputedStyle(layout).paddingBottom) || 0 : 0;
    if (r.top + window.scrollY + r.height > window.innerHeight - pad - spare) return false;
    if (card.scrollWidth > card.clientWidth + 1) return false;
    for (const b of card.querySelectorAll(boxes + ", .formula")) {
      if (b.scrollWidth > b.clientWidth + 1) return false;
    }
    return true;
  };
  const setFit = (z) => root.style.setProperty("--present-fit", String(z));

  // fit finds the largest zoom at which the current step fits with 8 px
  // to spare (halving the interval eight times) when the step, the window,
  // the language or the mode changed. Otherwise it only shrinks a step
  // that grew past the spare pixels (a slider appeared), never grows it
  // back: the numbers under the pointer do not move while the teacher
  // points at them. (1 px is always spared: a fraction of a pixel over
  // the window's bottom would bring a scroll bar.)
  const fit = (force) => {
    if (!root.hasAttribute("data-present")) {
      if (fitKey) { fitKey = ""; root.style.removeProperty("--present-fit"); root.removeAttribute("data-present-fit"); }
      return 1;
    }
    const card = document.querySelector("#steps section.step.current");
    if (!card) return 1;
    const mode = document.querySelector('.mode [aria-pressed="true"]');
    const key = [card.id, window.innerWidth, window.innerHeight, root.lang, mode ? mode.dataset.mode : ""].join("|");
    const was = parseFloat(root.style.getPropertyValue("--present-fit")) || 1;
    const same = !force && key === fitKey;
    if (same && fits(card, 1)) return was;
    let lo = minFit, hi = same ? was : 1;
    setFit(hi);
    if (!fits(card, 8)) {
      for (let i = 0; i < 8; i++) {
        const mid = (lo + hi) / 2;
        setFit(mid);
        if (fits(card, 8)) lo = mid; else hi = mid;
      }
      hi = lo;
    }
    const z = Math.floor(hi * 1000) / 1000;
    setFit(z);
    fitKey = key;
    root.setAttribute("data-present-fit", card.dataset.step + " " + z);
    return z;
  };
  // byhandFitPresent fits the current step now, and returns its zoom.
  window.byhandFitPresent = () => { watchCurrent(); return fit(true); };

  new MutationObserver(() => { watchCurrent(); fit(true); }).observe(root, { attributes: true, attributeFilter: ["data-present", "lang"] });
  window.addEventListener("resize", fitSoon);

  // ---- Print -------------------------------------------------------------

  // The paper's width in CSS pixels: A4's 210 mm less the page margins of
  // app.css (@page), the narrower of A4 and Letter.
  const paperWidth = (210 - 2 * 12) * 96 / 25.4;
  const paperBoxes = boxes + ", .formula";

  // zoomForPaper measures every product, sequence and formula at the sizes
  // of print (data-print-measure gives the screen the print rules' sizes
  // for the time of one synchronous measure: nothing is painted in
  // between) and zooms out those wider than the paper. A product is as
  // wide as its grid. A sequence wraps: it is zoomed onto one line when a
  // little zoom does it, else only as far as its widest matrix needs.
  const zoomForPaper = () => {
    root.setAttribute("data-print-measure", "");
    const out = [];
    for (const card of document.querySelectorAll("#steps section.step")) {
      const cs = getComputedStyle(card);
      const room = paperWidth - (parseFloat(cs.paddingLeft) || 0) - (parseFloat(cs.paddingRight) || 0) -
        (parseFloat(cs.borderLeftWidth) || 0) - (parseFloat(cs.borderRightWidth) || 0);
      for (const box of card.querySelectorAll(paperBoxes)) {
        const left = box.getBoundingClientRect().left;
        let w = 0;
        if (box.matches(".sequence")) {
          const gap = parseFloat(getComputedStyle(box).columnGap) || 0;
          let line = 0, widest = 0;
          for (const c of box.children) {
            const cw = c.getBoundingClientRect().width;
            line += cw + (line ? gap : 0);
            widest = Math.max(widest, cw);
          }
          w = line <= room || room / line >= 0.85 ? line : widest;
        } else {
          for (const c of box.children) w = Math.max(w, c.getBoundingClientRect().right - left);
        }
        out.push([box, w > room ? Math.floor(room / w * 1000) / 1000 : 0]);
      }
    }
    root.removeAttribute("data-print-measure");
    for (const [box, z] of out) {
      if (z) box.style.setProperty("--print-zoom", String(z)); else box.style.removeProperty("--print-zoom");
    }
  };

  let printing = false, onPrintGo = null;
  // partial marks a print that lacks steps: those not yet drawn when the
  // browser lays the paper out (printed from its menu: Go draws them a
  // moment later) are named in a line at the end (app.css). The mark goes
  // as soon as every step is there. It reports whether steps lack.
  function partial() {
    const all = document.querySelectorAll(".step-list li").length;
    const drawn = document.querySelectorAll("#steps section.step").length;
    const lacks = printing && all > drawn;
    if (lacks) root.setAttribute("data-print-partial", ""); else root.removeAttribute("data-print-partial");
    return lacks;
  }
  const begin = () => {
    root.setAttribute("data-printing", "");
    partial();
    zoomForPaper();
  };
  const finish = () => {
    if (!printing) return;
    printing = false;
    root.removeAttribute("data-printing");
    root.removeAttribute("data-print-partial");
    for (const box of document.querySelectorAll(paperBoxes)) box.style.removeProperty("--print-zoom");
    if (onPrintGo) onPrintGo("after");
  };

  // byhandWatchPrint calls onPrint("before") when the browser is about to
  // print (from its menu, or after byhandPrintNow), onPrint("after") once
  // it printed, and onPrint("ask") when the reader presses Ctrl+P or ⌘P
  // (the browser's own dialog is then not opened: Go draws every step and
  // calls byhandPrintNow). It returns a function that stops watching.
  window.byhandWatchPrint = function (onPrint) {
    onPrintGo = onPrint;
    const before = () => {
      const first = !printing;
      printing = true;
      begin();
      if (first) onPrint("before");
    };
    const key = (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key === "p" || e.key === "P")) {
        e.preventDefault();
        e.stopPropagation();
        onPrint("ask");
      }
    };
    window.addEventListener("beforeprint", before);
    window.addEventListener("afterprint", finish);
    window.addEventListener("keydown", key, true);
    return () => {
      window.removeEventListener("beforeprint", before);
      window.removeEventListener("afterprint", finish);
      window.removeEventListener("keydown", key, true);
      if (onPrintGo === onPrint) onPrintGo = null;
    };
  };

  // byhandPrintStart marks the page as printing before Go draws every
  // step, so that the steps after the current one stay out of sight on
  // screen (app.css) while they are only there for the paper.
  window.byhandPrintStart = function () {
    printing = true;
    root.setAttribute("data-printing", "");
  };

  // byhandPrintNow opens the browser's print dialog once the steps Go
  // just drew are laid out. window.print returns when the dialog closes
  // (or at once, where printing is not possible): the print then ends,
  // whether or not the browser said "afterprint".
  window.byhandPrintNow = function () {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      printing = true;
      begin();
      try {
        window.print();
      } finally {
        setTimeout(finish, 0);
      }
    }));
  };
})();
