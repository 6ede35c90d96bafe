// byhand's browser-side helpers: what Go cannot do well through
// syscall/js. Loaded as a static script (no eval, no new Function), so the
// site runs under a strict Content-Security-Policy.
"use strict";

// byhandPatch writes changed numbers into cells already on the page: the
// steps on screen at once, the others a slice at a time while the page is
// idle, so that a page of thousands of cells answers an edit as fast as
// one of a hundred. (Go does the same with the steps out of sight: it
// sends their numbers later, from its idle time; byhandOutOfSight tells it
// which they are.) It keeps go-app's text nodes (it sets their value
// rather than replacing them), so a later redraw still finds them, never
// touches an input being typed into, and never writes into a practice
// blank. s holds one line per change, fields separated by U+001F; a first
// line "\u001fclear" drops every write still waiting (practice mode: no
// number is sent to the page, and none left over may land).
const patchSep = "\u001f";
// Writes waiting for an idle moment, by cell (or picture): a newer write of
// the same cell replaces an older one, and a write done at once drops the
// waiting one, so the page always ends with the newest numbers.
const patchLater = new Map();
let patchIdle = false;
// Until when the page waits before writing cells out of sight: 150 ms
// after the last patch that wrote a cell in sight (an edit).
let patchQuietUntil = 0;
// How many steps out of sight Go has not sent yet (its line "\u001fstale").
let patchGoStale = 0;
// Which steps are on screen, kept by an IntersectionObserver: reading it
// forces no layout, however many cells the last patch dirtied.
const stepsSeen = new Map(), stepsWatched = new WeakSet();
const stepWatcher = window.IntersectionObserver ? new IntersectionObserver((entries) => {
  for (const e of entries) stepsSeen.set(e.target.id.slice(5), e.isIntersecting);
}) : null;
const patchKey = (ln) => {
  if (ln.startsWith(patchSep + "pic" + patchSep)) { const f = ln.split(patchSep); return "pic/" + f[2] + "/" + f[3] + "/" + f[4]; }
  let i = -1;
  for (let k = 0; k < 4; k++) i = ln.indexOf(patchSep, i + 1);
  return ln.slice(0, i);
};
const patchStep = (ln) => ln[0] !== patchSep ? ln.slice(0, ln.indexOf(patchSep)) : (ln.startsWith(patchSep + "pic" + patchSep) ? ln.split(patchSep)[2] : null);
const patchSetText = (el, t) => {
  if (el.firstChild && el.firstChild.nodeType === 3) el.firstChild.nodeValue = t;
  else if (t !== "") el.appendChild(document.createTextNode(t));
};
const patchApply = (ln, flashing) => {
  const sep = patchSep;
  if (ln.startsWith(sep + "loss" + sep)) {
    const el = document.getElementById("loss"), v = ln.slice(6);
    if (el && el.firstChild && el.dataset.v !== v) { el.dataset.v = v; el.firstChild.nodeValue = v; }
    return;
  }
  if (ln.startsWith(sep + "stale" + sep)) {
    patchGoStale = parseInt(ln.slice(7), 10) || 0;
    return;
  }
  if (ln.startsWith(sep + "explain" + sep)) {
    const el = document.getElementById("explain");
    if (el && el.firstChild) el.firstChild.nodeValue = ln.slice(9);
    return;
  }
  if (ln.startsWith(sep + "pic" + sep)) {
    const [, , st, m, k, greys] = ln.split(sep);
    const g = greys.split(",");
    const box = document.getElementById("step-" + st);
    if (!box) return;
    for (const pic of box.querySelectorAll('.picture[data-pm="' + CSS.escape(m) + '"][data-k="' + k + '"]')) {
      const px = pic.children;
      for (let i = 0; i < px.length && i < g.length; i++) px[i].style.background = "rgb(" + g[i] + "," + g[i] + "," + g[i] + ")";
    }
    return;
  }
  // full and struckFull: the numbers in full, "" when the text says it
  // all. A line with flash 0 changed only those (no flash).
  const [st, m, r, c, text, struck, flash, full, struckFull] = ln.split(sep);
  const td = document.getElementById("c/" + st + "/" + m + "/" + r + "/" + c);
  if (!td || td.classList.contains("blank")) return;
  if (text === "") td.removeAttribute("data-v"); else td.dataset.v = text;
  const inp = td.querySelector("input");
  if (inp) {
    // Text typed into the cell and not yet committed is the reader's:
    // it is never written over (the commit, in Go, may not have run yet).
    if (document.activeElement !== inp && !inp.__byhandTyped) inp.value = text;
    if (full) { inp.title = full; td.dataset.full = full; } else { inp.removeAttribute("title"); td.removeAttribute("data-full"); }
  } else if (td.children.length === 2) {
    patchSetText(td.children[0], struck);
    patchSetText(td.children[1], text === "" ? "\u2014" : text);
    td.classList.toggle("struck", struck !== "");
    td.classList.toggle("undef", text === "");
    // The cell's name, tooltip and focus label, as app/matrix.go's cellName.
    const table = td.closest("table"), f = full || text;
    let name = f;
    if (text === "") name = table ? table.dataset.undef : "";
    else if (struck !== "" && table) name = table.dataset.relu.replace("{before}", () => struckFull || struck).replace("{after}", () => f);
    td.setAttribute("aria-label", name);
    if (name !== text) { td.children[1].title = name; td.dataset.full = name; } else { td.children[1].removeAttribute("title"); td.removeAttribute("data-full"); }
  }
  if (flashing && flash !== "0") {
    td.classList.remove("flash1", "flash2");
    td.classList.add("flash" + flash);
  }
};
// patchDrain writes waiting cells while the page is idle, a slice of at
// most about 3 ms at a time: input that arrives meanwhile waits no longer
// than that, and the next frame has that much more style to work out.
const patchDrain = (deadline) => {
  patchIdle = false;
  // Not while the reader is busy: a drag, a slide or fast typing gets the
  // whole machine, and the steps out of sight wait for a pause.
  if (performance.now() < patchQuietUntil) {
    patchIdle = true;
    setTimeout(() => { patchIdle = false; patchSchedule(); }, patchQuietUntil - performance.now());
    return;
  }
  const end = performance.now() + 3;
  let n = 0;
  for (const [k, ln] of patchLater) {
    if (n % 32 === 0 && n > 0 && (performance.now() > end || deadline.timeRemaining() < 1) && !(deadline.didTimeout && n < 128)) break;
    patchLater.delete(k);
    patchApply(ln, false);
    n++;
  }
  if (patchLater.size) patchSchedule();
};
const patchSchedule = () => {
  if (patchIdle) return;
  patchIdle = true;
  if (window.requestIdleCallback) requestIdleCallback(patchDrain, {timeout: 250});
  else setTimeout(() => patchDrain({timeRemaining: () => 8, didTimeout: true}), 20);
};
// patchFlush writes every waiting cell at once: before a print.
const patchFlush = () => {
  for (const [k, ln] of patchLater) { patchLater.delete(k); patchApply(ln, false); }
};
window.addEventListener("beforeprint", patchFlush);
// byhandPatched reports whether every number is written: none waits here,
// and Go has none left to send.
window.byhandPatched = () => patchLater.size === 0 && patchGoStale === 0;
// byhandOutOfSight names the steps on the page that are out of sight, as
// far as the observer has said (a step it has not reported yet counts as in
// sight), separated by U+001F. It watches every step it finds.
window.byhandOutOfSight = function () {
  const out = [];
  for (const el of document.querySelectorAll("section.step[id^='step-']")) {
    if (stepWatcher && !stepsWatched.has(el)) { stepsWatched.add(el); stepWatcher.observe(el); }
    const id = el.id.slice(5);
    if (stepsSeen.get(id) === false) out.push(id);
  }
  return out.join(patchSep);
};
window.byhandPatch = function (s) {
  const lines = s.split("\n");
  if (lines[0] === patchSep + "clear") patchLater.clear();
  // Which steps are on screen: from the observer where it has spoken, and
  // measured (once, before any write) where it has not yet.
  const measured = new Map();
  const shown = (st) => {
    if (st === null) return true;
    const el = document.getElementById("step-" + st);
    if (!el) return true;
    if (stepWatcher && !stepsWatched.has(el)) { stepsWatched.add(el); stepWatcher.observe(el); }
    const seen = stepsSeen.get(st);
    if (seen !== undefined && stepWatcher) return seen;
    let v = measured.get(st);
    if (v === undefined) {
      const r = el.getBoundingClientRect();
      v = r.bottom > 0 && r.top < window.innerHeight;
      measured.set(st, v);
    }
    return v;
  };
  const now = [];
  for (const ln of lines) {
    if (!ln || ln === patchSep + "clear") continue;
    if (shown(patchStep(ln))) now.push(ln);
    else patchLater.set(patchKey(ln), ln);
  }
  for (const ln of now) {
    if (ln[0] !== patchSep || ln.startsWith(patchSep + "pic" + patchSep)) {
      patchLater.delete(patchKey(ln));
      patchQuietUntil = performance.now() + 150;
    }
    patchApply(ln, true);
  }
  if (patchLater.size) patchSchedule();
};

// A cell's input is marked typed from the first key until Go has read
// the text (app/step.go's onChange and onFocusOut clear the mark): Go's
// handlers run after the browser's events, and a patch that lands in
// between must not replace the text before it is committed.
// While it is marked, nothing else writes the input's text either: a
// redraw Go queued before the typing (go-app sets the value property it
// drew) is held back, as a patch is.
const inputValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
document.addEventListener("input", (e) => {
  const t = e.target;
  if (!t || !t.classList || !t.classList.contains("cell-input")) return;
  t.__byhandTyped = true;
  if (!t.__byhandGuarded) {
    t.__byhandGuarded = true;
    Object.defineProperty(t, "value", {
      configurable: true,
      get() { return inputValue.get.call(this); },
      set(v) { if (!this.__byhandTyped) inputValue.set.call(this, v); },
    });
  }
}, true);
// The text a cell's input held when it was committed, kept as the change
// event fires: by the time Go reads it, a redraw queued before the commit
// may have written the input's old number back (app/step.go's onChange
// reads this, not the input's value).
document.addEventListener("change", (e) => {
  const t = e.target;
  if (t && t.classList && t.classList.contains("cell-input")) t.__byhandCommitted = t.value;
}, true);

// Whether a service worker served this page as it loaded. Read now, before
// the app starts: on a first visit the new worker takes control while the
// app loads, and its installation is not news to this page.
window.byhandControlledAtLoad = !!(navigator.serviceWorker && navigator.serviceWorker.controller);

// byhandListen hands the parent window's messages to onMessage(origin,
// json) and returns a function that stops listening. Only messages from
// the parent window are passed on; their shape and origin are checked in
// Go (app/pagestate/deck.go). Data that is not plain JSON is logged and
// ignored.
window.byhandListen = function (onMessage) {
  const listener = (e) => {
    if (window.parent === window || e.source !== window.parent) return;
    let json;
    try {
      json = JSON.stringify(e.data);
    } catch (err) {
      console.warn("byhand: ignored a message that is not plain data");
      return;
    }
    onMessage(e.origin, json === undefined ? "null" : json);
  };
  window.addEventListener("message", listener);
  return () => window.removeEventListener("message", listener);
};

// byhandPost posts an event (JSON text) to the parent window: to the
// trusted origins (space-separated), or to any parent when none is named.
// Where the browser tells the parent's origin, only a trusted parent is
// posted to, and only once.
window.byhandPost = function (json, trusted) {
  if (window.parent === window) return;
  let targets = trusted ? trusted.split(" ") : ["*"];
  const parent = location.ancestorOrigins && location.ancestorOrigins.length ? location.ancestorOrigins[0] : null;
  if (trusted && parent) targets = targets.includes(parent) ? [parent] : [];
  for (const t of targets) {
    try {
      window.parent.postMessage(JSON.parse(json), t);
    } catch (err) {
      console.warn("byhand: could not post to the parent window: " + err);
    }
  }
};

// byhandReadFile reads the file chosen in a file input as text, up to max
// bytes, and calls done(text, "") or done("", reason).
window.byhandReadFile = function (input, max, done) {
  const f = input.files && input.files[0];
  input.value = "";
  if (!f) return;
  if (f.size > max) { done("", "too_big"); return; }
  f.text().then((t) => done(t, ""), () => done("", "unreadable"));
};

// byhandReadDropped reads the first file dropped on an element (a drop
// event) as byhandReadFile does; a drop without a file calls done("", "none").
window.byhandReadDropped = function (event, max, done) {
  event.preventDefault();
  const f = event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files[0];
  if (!f) { done("", "none"); return; }
  if (f.size > max) { done("", "too_big"); return; }
  f.text().then((t) => done(t, ""), () => done("", "unreadable"));
};

// byhandFetchText fetches a walkthrough file from the page's own origin
// and calls done(text, "") or done("", reason): "origin" for another
// origin (refused before any request), "status" or "network" otherwise.
window.byhandFetchText = function (src, max, done) {
  let u;
  try { u = new URL(src, document.baseURI); } catch (e) { done("", "origin"); return; }
  if (u.origin !== location.origin) { done("", "origin"); return; }
  fetch(u.href, { credentials: "same-origin" }).then((r) => {
    if (!r.ok) { done("", "status"); return; }
    return r.text().then((t) => t.length > max ? done("", "too_big") : done(t, ""));
  }, () => done("", "network"));
};

// byhandScrollTo brings the element with the given id to the top of the
// window, just below the sticky bar, once the page has laid it out.
window.byhandScrollTo = function (id, behavior) {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const el = document.getElementById(id);
    if (!el) return;
    const bar = document.querySelector(".embed-bar, .masthead, .topbar");
    const pos = bar ? getComputedStyle(bar).position : "";
    const below = bar && (pos === "sticky" || pos === "fixed") ? bar.getBoundingClientRect().height : 0;
    window.scrollTo({ top: el.getBoundingClientRect().top + window.scrollY - below - 8, behavior: behavior });
  }));
};

// byhandGridKeys: the keyboard inside a matrix (app/matrix.go draws the
// tables). Each matrix is one Tab stop, a roving tabindex: the cell last
// visited in it has tabindex 0 (its input, for a matrix of inputs), every
// other -1, so Tab enters a matrix where the reader left it and the next
// Tab leaves it. Inside a matrix of computed cells the arrow keys move
// one cell, Home and End to the ends of the row, Ctrl+Home and Ctrl+End to
// its first and last cell. In a matrix of inputs ↑ and ↓ step the number
// (StepCard.onKey in app/step.go) and ← → move the caret, so there
// Alt+arrows (and Alt+Home, Alt+End) move between cells; Alt+arrows work
// in every matrix. A key used here goes no further: the page's own ← →
// Home End (the walkthrough's steps) wait until the focus leaves the
// matrix. Listening on window in the capture phase puts this before any
// other listener.
window.byhandGridKeys = function () {
  const stop = (el) => el.querySelector("input") || el;
  // rove makes the cell holding el its matrix's Tab stop.
  const rove = (td) => {
    const table = td.closest("table.cells");
    if (!table) return;
    const mine = stop(td);
    for (const el of table.querySelectorAll('[tabindex="0"]')) if (el !== mine) el.tabIndex = -1;
    if (mine.tabIndex !== 0) mine.tabIndex = 0;
  };
  window.addEventListener("focusin", (e) => {
    const td = e.target && e.target.closest ? e.target.closest("table.cells td.cell[data-m]") : null;
    if (td) rove(td);
  }, true);
  window.addEventListener("keydown", (e) => {
    const t = e.target;
    const td = t && t.closest ? t.closest("table.cells td.cell[data-m]") : null;
    if (!td || e.metaKey || e.shiftKey || e.isComposing) return;
    const input = t.tagName === "INPUT";
    const alt = e.altKey && !e.ctrlKey;
    const plain = !e.altKey && !input;
    const ctrl = e.ctrlKey && !e.altKey && !input && (e.key === "Home" || e.key === "End");
    if (!alt && !(plain && !e.ctrlKey) && !ctrl) return;
    const table = td.closest("table.cells");
    const r = Number(td.dataset.r), c = Number(td.dataset.c);
    const cells = (sel) => table.querySelectorAll("td.cell[data-m]" + sel);
    let next = null;
    switch (e.key) {
      case "ArrowUp": next = cells('[data-r="' + (r - 1) + '"][data-c="' + c + '"]')[0]; break;
      case "ArrowDown": next = cells('[data-r="' + (r + 1) + '"][data-c="' + c + '"]')[0]; break;
      case "ArrowLeft": next = cells('[data-r="' + r + '"][data-c="' + (c - 1) + '"]')[0]; break;
      case "ArrowRight": next = cells('[data-r="' + r + '"][data-c="' + (c + 1) + '"]')[0]; break;
      case "Home": next = ctrl ? cells("")[0] : cells('[data-r="' + r + '"]')[0]; break;
      case "End": { const all = ctrl ? cells("") : cells('[data-r="' + r + '"]'); next = all[all.length - 1]; break; }
      default: return;
    }
    // At the edge nothing moves, and the key still goes no further.
    e.preventDefault();
    e.stopPropagation();
    if (!next || next === td) return;
    rove(next);
    stop(next).focus();
  }, true);
};
window.byhandGridKeys();
