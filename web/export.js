// byhand's export helpers: save a file, rasterise an SVG to PNG, copy text.
// Called from Go (app/exporttools.go) through syscall/js. Loaded as a
// static script (no eval, no new Function, no inline code), so the site
// runs under a strict Content-Security-Policy; the PNG is drawn from a
// blob: URL, which such a policy must allow for images (img-src 'self'
// blob:).
"use strict";

(function () {
  // save offers a Blob as a download under filename.
  const save = (filename, blob) => {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    a.rel = "noopener";
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    a.remove();
    // The download has its own reference by now; keep the URL a while for
    // browsers that read it late.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };

  // byhandDownload saves text as a file of the given type. It returns
  // whether the download was started.
  window.byhandDownload = function (filename, mime, text) {
    try {
      save(filename, new Blob([text], {type: mime}));
      return true;
    } catch (e) {
      return false;
    }
  };

  // svgSize reads an SVG document's width and height attributes.
  const svgSize = (svgText) => {
    const m = /<svg\b[^>]*>/.exec(svgText);
    if (!m) return null;
    const w = /\swidth="([\d.]+)"/.exec(m[0]), h = /\sheight="([\d.]+)"/.exec(m[0]);
    return w && h ? {w: parseFloat(w[1]), h: parseFloat(h[1])} : null;
  };

  // byhandDownloadPNG draws an SVG document on a canvas at scale times its
  // size (2 for slides) and saves it as a PNG. It returns a Promise of
  // whether the file was made; it never rejects.
  window.byhandDownloadPNG = function (filename, svgText, scale) {
    return new Promise((resolve) => {
      let url;
      try {
        url = URL.createObjectURL(new Blob([svgText], {type: "image/svg+xml;charset=utf-8"}));
      } catch (e) {
        resolve(false);
        return;
      }
      const img = new Image();
      const fail = () => { URL.revokeObjectURL(url); resolve(false); };
      img.onerror = fail;
      img.onload = () => {
        try {
          const size = svgSize(svgText) || {w: img.naturalWidth, h: img.naturalHeight};
          let s = scale > 0 ? scale : 2;
          // Stay within what every browser's canvas takes.
          const max = 8192;
          s = Math.min(s, max / Math.max(1, size.w), max / Math.max(1, size.h));
          const canvas = document.createElement("canvas");
          canvas.width = Math.max(1, Math.round(size.w * s));
          canvas.height = Math.max(1, Math.round(size.h * s));
          const g = canvas.getContext("2d");
          g.drawImage(img, 0, 0, canvas.width, canvas.height);
          URL.revokeObjectURL(url);
          canvas.toBlob((blob) => {
            if (!blob) { resolve(false); return; }
            try { save(filename, blob); resolve(true); } catch (e) { resolve(false); }
          }, "image/png");
        } catch (e) {
          fail();
        }
      };
      img.src = url;
    });
  };

  // copyByCommand copies text through a hidden textarea and
  // document.execCommand("copy"), for browsers (or pages not served over
  // HTTPS) without the asynchronous clipboard.
  const copyByCommand = (text) => {
    const active = document.activeElement;
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.setAttribute("aria-hidden", "true");
    ta.style.position = "fixed";
    ta.style.top = "0";
    ta.style.left = "0";
    ta.style.width = "1px";
    ta.style.height = "1px";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    let ok = false;
    try {
      ta.focus({preventScroll: true});
      ta.select();
      ta.setSelectionRange(0, text.length);
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    ta.remove();
    if (active && active.focus) active.focus({preventScroll: true});
    return ok;
  };

  // byhandCopy puts text on the clipboard. It returns a Promise of whether
  // it did; it never rejects.
  window.byhandCopy = function (text) {
    const clip = navigator.clipboard;
    if (clip && clip.writeText && window.isSecureContext) {
      return clip.writeText(text).then(() => true, () => copyByCommand(text));
    }
    return Promise.resolve(copyByCommand(text));
  };

  // byhandIsDark reports whether the page shows the dark theme: chosen, or
  // the system's when the reader chose none.
  window.byhandIsDark = function () {
    const t = document.documentElement.getAttribute("data-theme");
    if (t === "dark") return true;
    if (t === "light") return false;
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  };
})();
