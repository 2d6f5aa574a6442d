// Package jsonstr writes a string as a JSON string, byte for byte as
// encoding/json does, without reflection: the hot loops of vigie's own
// encoders (the audit's datasets, the CKAN emulator's package dicts) write
// millions of strings.
package jsonstr

import "unicode/utf8"

// safe marks, for each mode (escaping HTML or not), the ASCII bytes
// encoding/json writes as they are: printable, but for " and \, and
// < > & when it escapes HTML.
var safe = func() (t [2][utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[0][c], t[1][c] = true, true
	}
	for _, c := range `"\` {
		t[0][c], t[1][c] = false, false
	}
	for _, c := range `<>&` {
		t[1][c] = false
	}
	return t
}()

const hex = "0123456789abcdef"

// Append appends s quoted as encoding/json writes a string: invalid UTF-8 as
// U+FFFD, U+2028 and U+2029 escaped, and with html (as json.Marshal does,
// unlike an Encoder told SetEscapeHTML(false)) < > & as \u00XX.
func Append(b []byte, s string, html bool) []byte {
	ok := &safe[0]
	if html {
		ok = &safe[1]
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if ok[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
