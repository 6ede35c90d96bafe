// Package i18n is the message catalog: every sentence the interface shows,
// in English and 简体中文, looked up by key. Model texts live in one file per
// model; interface texts in ui.go.
package i18n

import (
	"sort"

	"github.com/byhand/byhand/engine"
)

// Lang is a language of the catalog.
type Lang string

const (
	EN Lang = "en"
	ZH Lang = "zh"
)

// Langs lists the catalog's languages in the order the switch shows them.
var Langs = []Lang{EN, ZH}

// Native is each language's name in itself.
var Native = map[Lang]string{EN: "English", ZH: "简体中文"}

var catalog = map[Lang]map[string]string{EN: {}, ZH: {}}

// Entry is one message in both languages.
type Entry struct{ EN, ZH string }

// Add puts messages into the catalog. Each file of the package calls it
// from an init function; a key added twice is a programming error.
func Add(entries map[string]Entry) {
	for k, e := range entries {
		if _, dup := catalog[EN][k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[EN][k] = e.EN
		catalog[ZH][k] = e.ZH
	}
}

// T returns the message for key in lang, falling back to English and then
// to the key itself, so a missing message shows as its key, never blank.
func T(lang Lang, key string) string {
	if s, ok := catalog[lang][key]; ok && s != "" {
		return s
	}
	if s, ok := catalog[EN][key]; ok && s != "" {
		return s
	}
	if s, ok := engine.LookupText(string(lang), key); ok && s != "" {
		return s
	}
	if s, ok := engine.LookupText(string(EN), key); ok && s != "" {
		return s
	}
	return key
}

// Has reports whether key has a non-empty message in lang: in the
// catalog, or in a walkthrough file.
func Has(lang Lang, key string) bool {
	if catalog[lang][key] != "" {
		return true
	}
	s, _ := engine.LookupText(string(lang), key)
	return s != ""
}

// Keys returns every key, sorted.
func Keys() []string {
	out := make([]string, 0, len(catalog[EN]))
	for k := range catalog[EN] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Parse returns the language a stored or linked value names, and false if
// it names none.
func Parse(s string) (Lang, bool) {
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return EN, false
}
