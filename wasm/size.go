//go:build !wasm

package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"

	"github.com/andybalholm/brotli"
)

// sizeCmd prints each file's raw, gzip -9 and brotli -q 11 sizes: what a
// visitor downloads from a host that compresses (GitHub Pages sends gzip).
func sizeCmd(files []string) error {
	fmt.Printf("%-28s %12s %12s %12s\n", "file", "raw", "gzip -9", "brotli -q 11")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(b)
		if err := zw.Close(); err != nil {
			return err
		}
		var br bytes.Buffer
		bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
		bw.Write(b)
		if err := bw.Close(); err != nil {
			return err
		}
		fmt.Printf("%-28s %12s %12s %12s\n", f, mb(len(b)), mb(gz.Len()), mb(br.Len()))
	}
	return nil
}

func mb(n int) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }
