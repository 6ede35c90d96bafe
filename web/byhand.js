// byhand's browser-side helpers: what Go cannot do well through
// syscall/js. Loaded as a static script (no eval, no new Function), so the
// site runs under a strict Content-Security-Policy.
"use strict";

// byhandPatch writes changed numbers into cells already on the page: the
// steps on screen at once, the others when the page is next idle. It keeps
// go-app's text nodes (it sets their value rather than replacing them), so
// a later redraw still finds them, and never touches an input being typed
// into. s holds one line per change, fields separated by U+001F.
window.byhandPatch = function (s) {
  const sep = "\u001f";
  // A batch left for later from the previous patch goes first, so that
  // writes land in the order they were made.
  if (window.__byhandLater) { const f = window.__byhandLater; window.__byhandLater = null; f(); }
  const setText = (el, t) => {
    if (el.firstChild && el.firstChild.nodeType === 3) el.firstChild.nodeValue = t;
    else if (t !== "") el.appendChild(document.createTextNode(t));
  };
  // Which steps are on screen: measured once, before any write, while the
  // layout is still clean. Their cells are written (and flash) at once; the
  // cells of steps out of sight are written when the page is next idle.
  const lines = s.split("\n"), onScreen = new Map();
  const stepOf = (ln) => ln[0] !== sep ? ln.slice(0, ln.indexOf(sep)) : (ln.startsWith(sep + "pic" + sep) ? ln.split(sep)[2] : null);
  const shown = (st) => {
    if (st === null) return true;
    let v = onScreen.get(st);
    if (v === undefined) {
      const el = document.getElementById("step-" + st);
      const r = el ? el.getBoundingClientRect() : null;
      v = !!r && r.bottom > 0 && r.top < window.innerHeight;
      onScreen.set(st, v);
    }
    return v;
  };
  const apply = (ln) => {
    if (ln.startsWith(sep + "loss" + sep)) {
      const el = document.getElementById("loss"), v = ln.slice(6);
      if (el && el.firstChild && el.dataset.v !== v) { el.dataset.v = v; el.firstChild.nodeValue = v; }
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
    const [st, m, r, c, text, struck, flash] = ln.split(sep);
    const td = document.getElementById("c/" + st + "/" + m + "/" + r + "/" + c);
    if (!td) return;
    if (text === "") td.removeAttribute("data-v"); else td.dataset.v = text;
    const inp = td.querySelector("input");
    if (inp) {
      if (document.activeElement !== inp) inp.value = text;
    } else if (td.children.length === 2) {
      setText(td.children[0], struck);
      setText(td.children[1], text === "" ? "\u2014" : text);
      td.classList.toggle("struck", struck !== "");
      td.classList.toggle("undef", text === "");
    }
    if (onScreen.get(st)) {
      td.classList.remove("flash1", "flash2");
      if (flash !== "0") td.classList.add("flash" + flash);
    }
  };
  const later = [];
  for (const ln of lines) {
    if (!ln) continue;
    if (shown(stepOf(ln))) apply(ln); else later.push(ln);
  }
  if (later.length) {
    const f = () => { for (const ln of later) apply(ln); };
    window.__byhandLater = f;
    const run = () => { if (window.__byhandLater === f) { window.__byhandLater = null; f(); } };
    if (window.requestIdleCallback) requestIdleCallback(run, {timeout: 250}); else setTimeout(run, 20);
  }
};

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
