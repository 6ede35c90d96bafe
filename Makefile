# byhand: build, serve, test and measure the static site.
#
#   make build              the site for the root of a host, in dist/
#   make build BASE=/byhand/  the site for a sub-path (GitHub Pages project site)
#   make run [PORT=8000]    build, then serve dist/ on 127.0.0.1:$(PORT)
#   make test               formatting, vet, staticcheck, unit tests (native and
#                           wasm under node) and the end-to-end tests in Chromium
#   make bench              wasm sizes, time to interactive, edit latency, engine benchmarks
#   make fuzz               longer fuzzing of the parsers and decoders
#   make clean

SHELL    := /bin/bash
BASE     ?= /
PORT     ?= 8000
DIST     ?= dist
VERSION  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
GO       ?= go
CHROMIUM ?= /usr/bin/chromium
FUZZTIME ?= 60s
SHORTFUZZ ?= 5s
WASMEXEC := $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: build wasm run test chromium bench fuzz clean

build:
	rm -rf $(DIST)
	mkdir -p $(DIST)/web
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $(DIST)/web/app.wasm ./wasm
	$(GO) run ./wasm build -out $(DIST) -base $(BASE) -version $(VERSION)

run: build
	$(GO) run ./wasm serve -dir $(DIST) -addr 127.0.0.1:$(PORT) -base $(BASE)

# chromium installs Debian's Chromium (and node, for the wasm unit tests,
# npm, which fetches reveal.js for the slide-deck test, and poppler-utils,
# whose pdftotext reads the printed worksheets back) when missing and we
# are root, and otherwise says what to install.
chromium:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="chromium fonts-noto-cjk"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing (Debian)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  else \
	    echo "missing:$$missing; install as root with" >&2; \
	    echo "  DEBIAN_FRONTEND=noninteractive apt-get update && apt-get install -y$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi

test: chromium
	@echo "== gofmt"
	@out=$$(gofmt -l $$(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt'd:"; echo "$$out"; exit 1; fi
	@echo "== go vet"
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm ./engine/... ./app/...
	@echo "== staticcheck"
	$(GO) tool staticcheck ./...
	@echo "== go test (native, unit)"
	$(GO) test -short ./...
	@echo "== fuzz (a short bounded run of each decoder of links, saved work, files and messages)"
	@for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' app/pagestate/*_test.go | sed 's/^func //'); do \
	  echo "-- $$f"; \
	  $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(SHORTFUZZ) ./app/pagestate || exit 1; \
	done
	@echo "-- FuzzReadWalkthrough"
	$(GO) test -run '^$$' -fuzz '^FuzzReadWalkthrough$$' -fuzztime $(SHORTFUZZ) ./engine
	@echo "== go test (wasm, under node)"
	@# The engine's math is the same on every platform: under Node its generic
	@# tests check a sample of walkthroughs (they say so); natively, all.
	GOOS=js GOARCH=wasm BYHAND_MODELS=autoencoder,gan,clip,dit,transformer-stack,mamba,alphafold-triangle $(GO) test -exec "$(WASMEXEC)" ./engine/... ./app/...
	@echo "== end-to-end (Chromium)"
	BYHAND_E2E=1 $(GO) test -count=1 -timeout 25m ./wasm

bench: chromium
	rm -rf $(DIST)-bench
	mkdir -p $(DIST)-bench/web
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $(DIST)-bench/web/app.wasm ./wasm
	$(GO) run ./wasm size $(DIST)-bench/web/app.wasm
	BYHAND_BENCH=1 $(GO) test -count=1 -timeout 20m -run '^TestBrowserBench$$' -v ./wasm | grep -v '^=== RUN'
	$(GO) test -bench . -run '^$$' ./engine
	rm -rf $(DIST)-bench

# The fuzz targets are the engine's parsers and the page state's decoders
# (links, saved work, exercise files, deck messages); each runs for $(FUZZTIME).
fuzz:
	@for pkg in ./engine ./app/pagestate; do \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$pkg/*_test.go | sed 's/^func //'); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf $(DIST) $(DIST)-bench
	$(GO) clean -testcache
