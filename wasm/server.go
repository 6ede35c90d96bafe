//go:build !wasm

package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

const usage = `usage:
  wasm build -out DIR [-base /byhand/] [-version V] [-domain HOST] [-wasm FILE] [-web DIR]
      write the static site into DIR (DIR/web/app.wasm must be built first, or given with -wasm)
  wasm serve -dir DIR [-addr 127.0.0.1:8000] [-base /byhand/]
      serve DIR the way GitHub Pages does
  wasm size FILE...
      print raw, gzip -9 and brotli -q 11 sizes
  wasm check FILE...
      check walkthrough files: print every problem with its line and field
      (the messages a page shows when the file is opened); exit 1 if any
  wasm ops
      print the table of ops walkthrough files are written in (README)
`

// serve runs the command line.
func serve() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "build":
		err = buildCmd(args)
	case "serve":
		err = serveCmd(args)
	case "size":
		err = sizeCmd(args)
	case "check":
		err = checkCmd(os.Stdout, args)
	case "ops":
		fmt.Print(opsTable())
	case "-h", "-help", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "wasm: unknown command %q\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "byhand:", err)
		os.Exit(1)
	}
}

func buildCmd(args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	var o buildOptions
	fs.StringVar(&o.Out, "out", "dist", "output directory")
	fs.StringVar(&o.Base, "base", "/", "path the site is served under, e.g. /byhand/")
	fs.StringVar(&o.Version, "version", "", "version label, e.g. the git commit (a content hash is appended)")
	fs.StringVar(&o.Domain, "domain", "", "host name for og:url, e.g. byhand.github.io (social tags are left out without it)")
	fs.StringVar(&o.Wasm, "wasm", "", "app.wasm to copy into OUT/web (default: use OUT/web/app.wasm)")
	fs.StringVar(&o.Web, "web", "web", "directory of static assets")
	fs.Parse(args)
	s, err := buildSite(o)
	if err != nil {
		return err
	}
	fmt.Printf("byhand: wrote %s (base %s, version %s, %d pages, %d files precached)\n",
		s.Dir, s.Base, s.Version, len(s.Paths), len(s.Precache))
	return nil
}

func serveCmd(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := fs.String("dir", "dist", "directory of the static site")
	addr := fs.String("addr", "127.0.0.1:8000", "address to listen on")
	base := fs.String("base", "/", "path the site is served under, e.g. /byhand/")
	fs.Parse(args)
	if _, err := os.Stat(*dir); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", *dir, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	host := ln.Addr().String()
	if h, p, err := net.SplitHostPort(host); err == nil && (h == "::" || h == "0.0.0.0" || h == "") {
		host = net.JoinHostPort("127.0.0.1", p)
	}
	fmt.Printf("byhand: serving on http://%s%s\n", host, normalizeBase(*base))
	return http.Serve(ln, logRequests(pagesHandler(*dir, *base)))
}

// logRequests prints every request that does not answer 200 or 304.
func logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		h.ServeHTTP(rec, r)
		if rec.status != 200 && rec.status != 304 {
			fmt.Fprintf(os.Stderr, "%d %s %s\n", rec.status, r.Method, strings.ReplaceAll(r.URL.String(), "\n", ""))
		}
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
