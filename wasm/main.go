// Command wasm is byhand's entry point. Built for the browser
// (GOOS=js GOARCH=wasm) it mounts the pages; built natively it is the
// command line that writes the static site and serves it:
//
//	go run ./wasm build -out dist -base /byhand/ -version v1
//	go run ./wasm serve -dir dist -addr 127.0.0.1:8000 -base /byhand/
//	go run ./wasm size dist/web/app.wasm
//
// Everything that needs net/http or the static generator lives in files
// behind the !wasm build constraint, so it never reaches app.wasm.
package main

import (
	ui "github.com/byhand/byhand/app"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func main() {
	ui.Register()
	app.RunWhenOnBrowser()
	serve()
}
