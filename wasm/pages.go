//go:build !wasm

package main

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// resolvePages says what GitHub Pages answers for urlPath on a site in dir
// served under base: the file it serves and 200, the location it
// redirects to and 301, or "" and 404.
//
//	/byhand          → 301 /byhand/
//	/byhand/         → index.html
//	/byhand/clip     → clip (a file), else clip.html, else 301 /byhand/clip/ if clip/index.html
//	/byhand/clip/    → clip/index.html
//	/byhand/clip.html → clip.html (a file: GitHub Pages serves it, the wasm then shows the not-found page)
//
// For a 404, pagesHandler serves the site's 404.html, as GitHub Pages does.
func resolvePages(dir, base, urlPath string) (string, int) {
	prefix := strings.TrimSuffix(base, "/")
	if prefix != "" && urlPath == prefix {
		return base, http.StatusMovedPermanently
	}
	if !strings.HasPrefix(urlPath, prefix+"/") {
		return "", http.StatusNotFound
	}
	rel := strings.TrimPrefix(urlPath, prefix)
	clean := path.Clean(rel)
	if strings.HasSuffix(rel, "/") {
		if clean != "/" {
			clean += "/"
		}
		f := filepath.Join(dir, filepath.FromSlash(clean), "index.html")
		if isFile(f) {
			return f, http.StatusOK
		}
		return "", http.StatusNotFound
	}
	f := filepath.Join(dir, filepath.FromSlash(clean))
	if isFile(f) {
		return f, http.StatusOK
	}
	if isFile(f + ".html") {
		return f + ".html", http.StatusOK
	}
	if isFile(filepath.Join(f, "index.html")) {
		return prefix + clean + "/", http.StatusMovedPermanently
	}
	return "", http.StatusNotFound
}

func isFile(f string) bool {
	fi, err := os.Stat(f)
	return err == nil && fi.Mode().IsRegular()
}

// contentTypes are the types GitHub Pages sends for our files.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "application/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".wasm":        "application/wasm",
	".webmanifest": "application/manifest+json",
	".png":         "image/png",
	".svg":         "image/svg+xml",
	".json":        "application/json; charset=utf-8",
	".txt":         "text/plain; charset=utf-8",
	".woff2":       "font/woff2",
}

// pagesHandler serves a static site like GitHub Pages does: the mapping of
// resolvePages, max-age=600, and for anything missing 404.html (if any)
// with status 404, whatever the depth of the path (/byhand/a/b/c).
func pagesHandler(dir, base string) http.Handler {
	base = normalizeBase(base)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
			return
		}
		target, status := resolvePages(dir, base, r.URL.Path)
		switch status {
		case http.StatusMovedPermanently:
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, status)
			return
		case http.StatusNotFound:
			notFound := filepath.Join(dir, "404.html")
			if b, err := os.ReadFile(notFound); err == nil {
				w.Header().Set("Content-Type", contentTypes[".html"])
				w.WriteHeader(http.StatusNotFound)
				w.Write(b)
				return
			}
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		}
		f, err := os.Open(target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if ct, ok := contentTypes[filepath.Ext(target)]; ok {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "max-age=600")
		http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
	})
}
