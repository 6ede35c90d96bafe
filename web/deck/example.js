// The example deck's start: a file of its own, so that the deck runs under
// a Content-Security-Policy without inline scripts.
"use strict";
// The walkthroughs live at ../../ from this page's folder (web/deck/ of
// the site); ?site=URL on this page's address points them elsewhere.
if (typeof Reveal === "undefined" || typeof ByhandReveal === "undefined") {
  const p = document.createElement("p");
  p.id = "byhand-missing";
  p.textContent = typeof Reveal === "undefined"
    ? "reveal.js is missing: this deck loads reveal/dist/reveal.js from beside this page. " +
      "Run `npm install reveal.js` and copy node_modules/reveal.js to a folder named reveal next to example.html."
    : "byhand-reveal.js is missing: it must sit next to example.html.";
  document.body.replaceChildren(p);
} else {
  Reveal.initialize({ hash: true, byhand: { site: "../../" }, plugins: [ByhandReveal] });
}
