// byhand-reveal.js: a reveal.js 5 plugin that steps byhand walkthroughs
// embedded in slides with the deck's own keys, clicker, touch and controls.
//
//   <iframe data-byhand src="SITE/autoencoder?embed=1&from=2&to=6"></iframe>
//   <iframe data-byhand-src="autoencoder?embed=1&from=2&to=6"></iframe>
//   Reveal.initialize({ byhand: { site: "../../" }, plugins: [ByhandReveal] });
//
// data-byhand-src is resolved against the site's base URL: ?site=URL on the
// deck's own address, else the byhand.site option, else the deck's folder;
// the plugin then adds origin=<the deck's origin>, so that the walkthrough
// takes orders from this deck only and tells its steps to it only.
//
// How the deck decides when to move on: when a frame announces "ready" with
// its range first..last, the plugin puts last − first empty, hidden
// fragments (span.fragment.byhand-step) after it. reveal.js then does the
// rest by itself: "next" shows a hidden fragment while the slide has one,
// and only then goes to the next slide; "prev" likewise. After every
// fragment or slide change each frame is sent to first + (its fragments
// shown): a slide entered forwards shows none (the first step), one entered
// backwards shows them all (the last step). A step taken inside the frame
// (its own buttons) moves the slide's fragments to match.
/* exported ByhandReveal */
"use strict";
var ByhandReveal = (function () {
  const FRAMES = "iframe[data-byhand], iframe[data-byhand-src]";
  const known = new Map(); // iframe → {id, first, last, step, sent: gotos not yet answered}
  let deck = null, ids = 0;

  const frames = () => Array.from(deck.getSlidesElement().querySelectorAll(FRAMES));
  const originOf = (el) => { try { return new URL(el.src, location.href).origin; } catch (e) { return "null"; } };
  // post sends msg to the frame, only while it shows a page of its origin.
  const post = (el, msg) => {
    const o = originOf(el);
    if (el.contentWindow && o !== "null") el.contentWindow.postMessage(msg, o);
  };
  const stepsOf = (el, f) =>
    Array.from(el.closest("section").querySelectorAll('.byhand-step[data-byhand-frame="' + f.id + '"]'));

  // siteURL is where data-byhand-src points: http(s) only, so that a crafted
  // ?site=javascript:… cannot run in the deck.
  function siteURL(el, cfg) {
    let base = new URLSearchParams(location.search).get("site") || cfg.site || "./";
    if (!base.endsWith("/")) base += "/";
    const u = new URL(el.getAttribute("data-byhand-src"), new URL(base, location.href));
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s): " + u.href);
    if (!u.searchParams.has("origin") && location.origin !== "null") u.searchParams.set("origin", location.origin);
    return u.href;
  }

  // addSteps gives frame f its last − first hidden fragments, right after
  // it, and lets reveal.js number them anew.
  function addSteps(el, f) {
    const slide = el.closest("section"), old = stepsOf(el, f), want = f.last - f.first;
    if (old.length === want) return;
    old.forEach((s) => s.remove());
    const past = slide.classList.contains("past"); // a slide behind shows all its fragments
    let at = el;
    for (let i = 0; i < want; i++) {
      const s = document.createElement("span");
      s.className = "fragment byhand-step" + (past ? " visible" : "");
      s.hidden = true;
      s.setAttribute("data-byhand-frame", f.id);
      at.after(s);
      at = s;
    }
    // reveal.js puts unnumbered fragments after numbered ones, in page
    // order: so the walkthroughs of a slide run in page order, after the
    // slide's own fragments.
    slide.querySelectorAll(".byhand-step").forEach((s) => s.removeAttribute("data-fragment-index"));
    deck.sync();
  }

  // push sends frame f to the step its shown fragments say, unless it is
  // there already or has been asked already.
  function push(el, f) {
    if (!el.isConnected) return;
    const shown = stepsOf(el, f).filter((s) => s.classList.contains("visible")).length;
    const want = Math.min(f.first + shown, f.last);
    if (want === (f.sent.length ? f.sent[f.sent.length - 1] : f.step)) return;
    f.sent.push(want);
    if (f.sent.length > 32) f.sent.shift();
    post(el, { byhand: "goto", step: want });
  }
  const pushAll = () => known.forEach((f, el) => push(el, f));

  // follow shows as many of frame f's fragments as its step says, when the
  // frame moved by itself: reveal.js's fragment events then find it there.
  function follow(el, f) {
    const steps = stepsOf(el, f);
    if (!steps.length || el.closest("section") !== deck.getCurrentSlide()) return;
    const n = Math.max(0, Math.min(f.step - f.first, steps.length));
    deck.navigateFragment(n > 0 ? +steps[n - 1].dataset.fragmentIndex : +steps[0].dataset.fragmentIndex - 1);
  }

  function onMessage(e) {
    if (!deck.isReady()) return; // the deck asks every frame again once ready
    const el = frames().find((x) => x.contentWindow === e.source);
    const d = e.data;
    if (!el || e.origin !== originOf(el) || !d || typeof d !== "object" || typeof d.byhand !== "string") return;
    if (![d.step, d.first, d.last].every(Number.isInteger) || d.first > d.last || d.last - d.first > 500) return;
    let f = known.get(el);
    if (!f) known.set(el, (f = { id: String(++ids), sent: [] }));
    if (f.first !== d.first || f.last !== d.last) {
      f.first = d.first;
      f.last = d.last;
      addSteps(el, f);
    }
    if (d.byhand === "ready" || d.byhand === "link") {
      f.step = d.step;
      f.sent = [];
      push(el, f);
    } else if (d.byhand === "step") {
      f.step = d.step;
      const i = f.sent.indexOf(d.step);
      if (i >= 0) {
        f.sent.splice(0, i + 1); // the answer to a goto of ours
      } else {
        f.sent = []; // a step taken inside the frame
        follow(el, f);
      }
    }
  }

  return {
    id: "byhand",
    init(d) {
      deck = d;
      const cfg = d.getConfig().byhand || {};
      window.addEventListener("message", onMessage);
      for (const el of frames()) {
        if (!el.hasAttribute("data-byhand-src") || el.getAttribute("src")) continue;
        try { el.src = siteURL(el, cfg); } catch (err) { console.warn("byhand: bad walkthrough address:", err.message); }
      }
      ["slidechanged", "fragmentshown", "fragmenthidden"].forEach((t) => d.on(t, pushAll));
      // A frame that was ready before the deck is asked for its state.
      d.on("ready", () => frames().forEach((el) => known.has(el) || post(el, { byhand: "link" })));
    },
  };
})();
