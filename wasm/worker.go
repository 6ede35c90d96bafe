//go:build !wasm

package main

import (
	"encoding/json"
	"strings"
)

// workerTemplate is the service worker (app-worker.js). go-app fills in
// {{.Version}}; serviceWorker fills in the rest. Compared with go-app's
// default worker it:
//   - precaches every page route, not only the root page, so that a page
//     never visited still opens offline;
//   - makes install fail, and so keep the previous worker, when any listed
//     URL cannot be fetched, rather than activating with an empty cache;
//   - fetches with cache: "reload" so that an HTTP cache never mixes files
//     of two versions into one cache;
//   - answers navigations from the cached page of that path (the file
//     GitHub Pages would serve for it: /x from x.html, /x.html too, /
//     and /index.html from index.html; /x/ has none) and, for a path
//     with no page when offline, the cached 404.html with status 404, as
//     GitHub Pages would (the wasm then shows the not-found page);
//   - re-wraps redirected responses, which a navigation may not use;
//   - names its cache after the site's scope and version, and deletes only
//     its own older caches (a GitHub Pages origin is shared by every
//     repository of its owner).
const workerTemplate = `// byhand service worker, version {{.Version}}.
"use strict";

const version = "{{.Version}}";
const cachePrefix = "byhand:" + %SCOPE% + ":";
const cacheName = cachePrefix + version;
const notFoundPage = %NOTFOUND%;
const precache = %PRECACHE%;

self.addEventListener("install", (event) => {
  event.waitUntil(install());
});

async function install() {
  const cache = await caches.open(cacheName);
  try {
    await Promise.all(precache.map(async (url) => {
      const response = await fetch(new Request(url, { cache: "reload" }));
      if (!response.ok) {
        throw new Error("precaching " + url + " failed: HTTP " + response.status);
      }
      await cache.put(url, await unredirect(response));
    }));
  } catch (err) {
    // An incomplete cache must never serve: drop it, and let the
    // previous worker (if any) go on serving its complete one.
    await caches.delete(cacheName);
    console.error("byhand worker", version, "install failed:", err);
    throw err;
  }
  console.log("byhand worker", version, "installed:", precache.length, "files");
  await self.skipWaiting();
}

self.addEventListener("activate", (event) => {
  event.waitUntil(activate());
});

async function activate() {
  for (const key of await caches.keys()) {
    if (key.startsWith(cachePrefix) && key !== cacheName) {
      await caches.delete(key);
    }
  }
  await self.clients.claim();
  console.log("byhand worker", version, "activated");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
    return;
  }
  event.respondWith(resource(request));
});

async function resource(request) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) {
    return hit;
  }
  return fetch(request);
}

async function navigate(request, url) {
  const cache = await caches.open(cacheName);
  for (const key of pageKeys(url.pathname)) {
    const hit = await cache.match(key);
    if (hit) {
      return unredirect(hit);
    }
  }
  try {
    return await fetch(request);
  } catch (err) {
    // Offline, and no page of the site lives at this path (every page is
    // precached): answer what GitHub Pages answers.
    const missing = await cache.match(notFoundPage);
    if (missing) {
      return new Response(await missing.blob(), {
        status: 404,
        statusText: "Not Found",
        headers: missing.headers,
      });
    }
    throw err;
  }
}

// pageKeys lists the cache keys of the file GitHub Pages serves for a
// page path: the page's own path, and for /x.html the page /x, for
// /index.html the page /. A path with a trailing slash is a directory:
// only the root page is one.
function pageKeys(path) {
  const keys = [path];
  if (path.endsWith("/index.html")) {
    keys.push(path.slice(0, -"index.html".length));
  } else if (path.endsWith(".html")) {
    keys.push(path.slice(0, -".html".length));
  }
  return keys;
}

// unredirect copies a response that followed a redirect: the browser
// refuses a redirected response as the answer to a navigation.
async function unredirect(response) {
  if (!response.redirected) {
    return response;
  }
  return new Response(await response.blob(), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
`

// serviceWorker returns the worker template for a site under prefix ("" at
// the root, "/byhand" under a sub-path) that precaches the given URLs.
func serviceWorker(prefix string, precache []string) string {
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	return strings.NewReplacer(
		"%SCOPE%", js(prefix+"/"),
		"%NOTFOUND%", js(prefix+notFoundFile),
		"%PRECACHE%", js(precache),
	).Replace(workerTemplate)
}
