//go:build !wasm

package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
)

// The icon is a small matrix drawn as on a worksheet: a 3×3 grid of
// cells on the theme colour, one row tinted like a weight row (green),
// one column like an input column (yellow) and their crossing like the
// result they make (blue). It is drawn here so that the site ships no
// remote image and no binary file has to be kept in sync by hand.

var (
	iconBackground = color.RGBA{0x2b, 0x2d, 0x42, 0xff}
	iconCell       = color.RGBA{0xf4, 0xf1, 0xea, 0xff}
	iconRow        = color.RGBA{0x7f, 0xc8, 0x9a, 0xff}
	iconColumn     = color.RGBA{0xf0, 0xd0, 0x6a, 0xff}
	iconCross      = color.RGBA{0x6f, 0xa8, 0xe8, 0xff}
)

const (
	iconRowIndex = 1 // the tinted row
	iconColIndex = 2 // the tinted column
)

// iconGeometry returns, for an icon of the given size, the corner radius
// of the background (0: full bleed) and the position and size of the
// grid's cells.
func iconGeometry(size int, maskable bool) (radius, origin, cell, gap float64) {
	s := float64(size)
	grid := 0.64 * s // the 3×3 grid's side
	if maskable {
		// Maskable icons are cropped to a circle of 80% of their side:
		// keep the grid well inside it.
		grid = 0.50 * s
	} else {
		radius = 0.18 * s
	}
	gap = grid * 0.06
	cell = (grid - 2*gap) / 3
	origin = (s - grid) / 2
	return radius, origin, cell, gap
}

func iconCellColor(r, c int) color.RGBA {
	switch {
	case r == iconRowIndex && c == iconColIndex:
		return iconCross
	case r == iconRowIndex:
		return iconRow
	case c == iconColIndex:
		return iconColumn
	}
	return iconCell
}

// iconPNG draws the icon as a size×size PNG.
func iconPNG(size int, maskable bool) ([]byte, error) {
	radius, origin, cell, gap := iconGeometry(size, maskable)
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			if !insideRoundedRect(px, py, 0, 0, s, s, radius) {
				continue // transparent corner
			}
			col := iconBackground
			for r := 0; r < 3; r++ {
				for c := 0; c < 3; c++ {
					x0 := origin + float64(c)*(cell+gap)
					y0 := origin + float64(r)*(cell+gap)
					if insideRoundedRect(px, py, x0, y0, cell, cell, cell*0.12) {
						col = iconCellColor(r, c)
					}
				}
			}
			img.SetNRGBA(x, y, color.NRGBA(col))
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// insideRoundedRect reports whether (px, py) lies in the rectangle at
// (x, y) of size w×h with corners rounded by radius r.
func insideRoundedRect(px, py, x, y, w, h, r float64) bool {
	if px < x || py < y || px >= x+w || py >= y+h {
		return false
	}
	cx := min(max(px, x+r), x+w-r)
	cy := min(max(py, y+r), y+h-r)
	dx, dy := px-cx, py-cy
	return dx*dx+dy*dy <= r*r
}

// iconSVG draws the same icon as SVG, for the favicon.
func iconSVG() []byte {
	const size = 512
	radius, origin, cell, gap := iconGeometry(size, false)
	hex := func(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d">`, size, size)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" rx="%.1f" fill="%s"/>`, size, size, radius, hex(iconBackground))
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="%.1f" fill="%s"/>`,
				origin+float64(c)*(cell+gap), origin+float64(r)*(cell+gap), cell, cell, cell*0.12, hex(iconCellColor(r, c)))
		}
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}
