//go:build !wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"

	ui "github.com/byhand/byhand/app"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// buildOptions says how to write the static site.
type buildOptions struct {
	Out     string // output directory; Out/web/app.wasm must exist unless Wasm is set
	Base    string // path the site is served under: "/" or "/byhand/"
	Version string // a label for this build, e.g. the git commit; may be empty
	Domain  string // host name for og:url (e.g. "byhand.github.io"); may be empty
	Wasm    string // if set, the app.wasm to copy into Out/web
	Web     string // the directory of static assets to copy into Out/web
}

// site is a written static site.
type site struct {
	Dir      string
	Base     string   // "/" or "/byhand/"
	Prefix   string   // "" or "/byhand"
	Version  string   // the Handler's version: label and content hash
	Paths    []string // every page route, as ui.Paths returns them
	Precache []string // every URL the service worker caches on install
}

// Icon files written into web/ when the assets do not provide them.
const (
	icon192      = "/web/icon-192.png"
	icon512      = "/web/icon-512.png"
	iconMaskable = "/web/icon-maskable-512.png"
	iconVector   = "/web/icon.svg"
)

// normalizeBase turns "", "/", "byhand", "/byhand" or "/byhand/" into a
// path with a leading and a trailing slash.
func normalizeBase(base string) string {
	base = strings.Trim(base, "/")
	if base == "" {
		return "/"
	}
	return "/" + base + "/"
}

// buildSite writes the static site: the assets, the icons, one
// pre-rendered page per route, app.js, the service worker and the
// manifest.
func buildSite(o buildOptions) (*site, error) {
	base := normalizeBase(o.Base)
	s := &site{Dir: o.Out, Base: base, Prefix: strings.TrimSuffix(base, "/"), Paths: ui.Paths()}
	webOut := filepath.Join(o.Out, "web")
	if err := os.MkdirAll(webOut, 0o755); err != nil {
		return nil, err
	}
	wasmOut := filepath.Join(webOut, "app.wasm")
	if o.Wasm != "" {
		if err := copyFile(o.Wasm, wasmOut); err != nil {
			return nil, err
		}
	}
	wasmInfo, err := os.Stat(wasmOut)
	if err != nil {
		return nil, fmt.Errorf("%s is missing: build it first with GOOS=js GOARCH=wasm go build -o %s ./wasm", wasmOut, wasmOut)
	}

	// Static assets, then the icons and a placeholder stylesheet where the
	// assets lack them.
	if o.Web != "" {
		if err := copyAssets(o.Web, webOut); err != nil {
			return nil, err
		}
	}
	generated := map[string]func() ([]byte, error){
		icon192:        func() ([]byte, error) { return iconPNG(192, false) },
		icon512:        func() ([]byte, error) { return iconPNG(512, false) },
		iconMaskable:   func() ([]byte, error) { return iconPNG(512, true) },
		iconVector:     func() ([]byte, error) { return iconSVG(), nil },
		"/web/app.css": func() ([]byte, error) { return nil, nil },
	}
	for p, make := range generated {
		f := filepath.Join(o.Out, filepath.FromSlash(p))
		if _, err := os.Stat(f); err == nil {
			continue
		}
		b, err := make()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return nil, err
		}
	}

	// What the worker caches: every page, go-app's files and every asset.
	for _, p := range s.Paths {
		s.Precache = append(s.Precache, s.Prefix+p)
	}
	// 404.html answers 200 at its own address: the worker keeps it to
	// answer, offline, a path that names no page.
	s.Precache = append(s.Precache, s.Prefix+notFoundFile)
	for _, p := range []string{"/app.js", "/wasm_exec.js", "/app.css", "/manifest.webmanifest"} {
		s.Precache = append(s.Precache, s.Prefix+p)
	}
	assets, err := listFiles(webOut)
	if err != nil {
		return nil, err
	}
	for _, a := range assets {
		s.Precache = append(s.Precache, s.Prefix+"/web/"+a)
	}

	// The version is the label, then a hash of what the site is made
	// from: the wasm and the assets, and what the pages, the worker and the
	// manifest are generated from that the wasm does not hold (the
	// generated pages themselves are not byte-stable: go-app writes
	// attributes in map order). A changed wasm, asset or worker thus makes
	// a new worker with a new cache; an unchanged build keeps its version,
	// and visitors their cache.
	hash, err := contentHash(webOut, s.Base, fmt.Sprint(s.Paths), o.Domain,
		workerTemplate, loaderStyle, fmt.Sprintf("%+v", handler(s, o, "", 0)), goAppVersion())
	if err != nil {
		return nil, err
	}
	s.Version = hash
	if o.Version != "" {
		s.Version = o.Version + "-" + hash
	}
	// notFoundPage is a path no page has: go-app pre-renders it with the
	// page of every unknown path (ui.Register's catch-all route) into
	// 404.html, which GitHub Pages serves, with status 404, for any path
	// it has no file for.
	pages := append(slices.Clone(s.Paths), notFoundPage)
	if err := app.GenerateStaticWebsite(o.Out, handler(s, o, s.Version, wasmInfo.Size()), pages...); err != nil {
		return nil, err
	}
	if err := checkNotFound(filepath.Join(o.Out, filepath.FromSlash(notFoundFile))); err != nil {
		return nil, err
	}
	if err := fixManifest(filepath.Join(o.Out, "manifest.webmanifest"), s.Base); err != nil {
		return nil, err
	}
	if err := fixPages(o.Out, s.Prefix, o.Domain == ""); err != nil {
		return nil, err
	}
	// GitHub Pages runs Jekyll unless told not to; Jekyll skips some files.
	if err := os.WriteFile(filepath.Join(o.Out, ".nojekyll"), nil, 0o644); err != nil {
		return nil, err
	}
	// Every URL the worker precaches must exist, or its install fails.
	for _, u := range s.Precache {
		if _, status := resolvePages(o.Out, base, u); status != 200 {
			return nil, fmt.Errorf("precached URL %s would answer %d", u, status)
		}
	}
	return s, nil
}

// The path pre-rendered into the not-found page, and its file.
const (
	notFoundPage = "/404"
	notFoundFile = "/404.html"
)

// checkNotFound checks that 404.html is the site's own page: for a path no
// route matches, go-app writes its plain-text "404 page not found"
// instead, which is what a build without ui.Register's catch-all route
// would publish.
func checkNotFound(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(`id="notfound"`)) {
		return fmt.Errorf("%s is not the pre-rendered not-found page (%.60q): is every path routed (ui.Register)?", file, b)
	}
	return nil
}

// handler configures go-app for site s with the given version.
func handler(s *site, o buildOptions, version string, wasmSize int64) *app.Handler {
	h := &app.Handler{
		Name:        "byhand",
		ShortName:   "byhand",
		Title:       "byhand: small neural networks, worked by hand",
		Description: "Work small neural networks through one matrix product at a time, as on paper: an autoencoder, a VAE, CLIP, a GAN and a diffusion transformer.",
		Lang:        "en",
		Domain:      o.Domain,
		Icon: app.Icon{
			Default:  icon192,
			Large:    icon512,
			Maskable: iconMaskable,
			SVG:      iconVector,
		},
		BackgroundColor:       "#fbfaf7",
		ThemeColor:            "#2b2d42",
		LoadingLabel:          "Loading {progress}%",
		Styles:                []string{"/web/app.css"},
		Scripts:               []string{"/web/byhand.js", "/web/export.js", "/web/surfaces.js", "/web/worksheet.js"},
		RawHeaders:            []string{loaderStyle},
		Version:               version,
		WasmContentLength:     strconv.FormatInt(wasmSize, 10),
		StartURL:              "/", // fixManifest sets the real one
		ServiceWorkerTemplate: serviceWorker(s.Prefix, s.Precache),
	}
	if s.Prefix != "" {
		h.Resources = app.PrefixedLocation(s.Prefix)
	}
	return h
}

// goAppVersion returns the version of go-app this command was built with.
func goAppVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/maxence-charriere/go-app/v10" {
				return d.Version
			}
		}
	}
	return ""
}

// loaderStyle turns go-app's full-screen loader, which would hide the
// pre-rendered page until the wasm runs, into a small badge in a corner.
// Its selectors outrank go-app's and yield to an #app-wasm-loader rule in
// web/app.css.
const loaderStyle = `<style>aside.goapp-app-info{top:auto;left:auto;right:.75rem;bottom:.75rem;width:auto;height:auto;` +
	`flex-direction:row;gap:.5rem;padding:.3rem .75rem;border-radius:999px;font-size:12px;` +
	`box-shadow:0 1px 4px rgba(0,0,0,.25);pointer-events:none}` +
	`aside.goapp-app-info .goapp-logo{width:18px;height:18px}` +
	`aside.goapp-app-info .goapp-label{margin:0;font-size:12px;font-weight:400;letter-spacing:0}</style>`

// fixManifest sets the manifest's scope, start URL and id to the base
// (go-app hard-codes the scope "/").
func fixManifest(file, base string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	m["scope"] = base
	m["start_url"] = base
	m["id"] = base
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(out, '\n'), 0o644)
}

// brokenMeta matches the social meta tags go-app writes as "https://" with
// no host when Handler.Domain is unset
// (go-app writes attributes in random order).
var brokenMeta = regexp.MustCompile(`<meta\b[^>]*\bcontent="https://(?:/[^"]*)?"[^>]*>\s*`)

// fixPages rewrites the generated pages: it drops the host-less social
// tags (when strip is set) and, under a prefix, repairs relative links,
// which go-app's PrefixedLocation joins to the prefix without a slash
// (Href("clip") becomes "/byhandclip", Href("./") "/byhand./").
func fixPages(dir, prefix string, strip bool) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return err
	}
	var joined *regexp.Regexp
	if prefix != "" {
		joined = regexp.MustCompile(`\b(href|src)="` + regexp.QuoteMeta(prefix) + `([^/"][^"]*)?"`)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if strip {
			b = brokenMeta.ReplaceAll(b, nil)
		}
		if joined != nil {
			b = joined.ReplaceAllFunc(b, func(m []byte) []byte {
				sm := joined.FindSubmatch(m)
				rel := string(sm[2])
				for strings.HasPrefix(rel, "./") {
					rel = rel[2:]
				}
				if rel == "." {
					rel = ""
				}
				return []byte(string(sm[1]) + `="` + prefix + "/" + rel + `"`)
			})
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// contentHash hashes every file under dir and the given strings.
func contentHash(dir string, extra ...string) (string, error) {
	h := sha256.New()
	for _, e := range extra {
		fmt.Fprintf(h, "%q\n", e)
	}
	files, err := listFiles(dir)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		fmt.Fprintf(h, "file %q\n", f)
		r, err := os.Open(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// listFiles lists the regular files under dir, slash-separated and
// sorted, skipping dot files.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// copyAssets copies the static assets into web, except a stray app.wasm.
func copyAssets(src, dst string) error {
	files, err := listFiles(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, f := range files {
		if path.Base(f) == "app.wasm" {
			continue
		}
		if err := copyFile(filepath.Join(src, filepath.FromSlash(f)), filepath.Join(dst, filepath.FromSlash(f))); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
