// Package plain makes untrusted text (portal fields, error messages) safe to
// print on one line or in a report.
package plain

import (
	"strings"
	"unicode/utf8"
)

// OneLine makes portal-supplied text safe for one line of a terminal, log or
// message: valid UTF-8, no control characters or bidirectional overrides,
// at most max runes (the last one "…" when cut).
func OneLine(s string, max int) string {
	s = Clean(s, true)
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// Clean makes text valid UTF-8 without control characters (newlines kept
// unless oneLine; U+2028 and U+2029 count as newlines) or bidirectional
// controls (embeddings, overrides, isolates and the LRM, RLM and ALM marks).
func Clean(s string, oneLine bool) string {
	if isClean(s, oneLine) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && !oneLine:
			return r
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == 0xfffe, r == 0xffff:
			return ' '
		case r == 0x2028, r == 0x2029: // line and paragraph separators
			if !oneLine {
				return '\n'
			}
			return ' '
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return -1 // bidirectional embeddings, overrides, isolates and marks
		}
		return r
	}, s)
}

// isClean says whether Clean would give s back as it is: valid UTF-8 with
// none of the characters Clean replaces or drops. Most text in a report is
// (at 100,000 datasets the xlsx writer cleans 1.1 million rows of cells):
// ASCII is checked a byte at a time, without decoding runes.
func isClean(s string, oneLine bool) bool {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < 0x20 && (b != '\n' || oneLine) || b == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1: // not UTF-8
			return false
		case r < 0xa0, r == 0xfffe, r == 0xffff, r == 0x2028, r == 0x2029,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return false
		}
		i += size
	}
	return true
}

// FirstLine is s up to its first newline: the line an error gives a log.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
