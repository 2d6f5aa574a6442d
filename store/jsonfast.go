package store

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// The JSON columns read with every dataset (tags, groups and extras, and each
// resource's extras) are written by encoding/json from []string and
// map[string]string. Decoding them is a large share of reading a catalogue,
// so plain strings (no escapes) are split here and anything else goes to
// encoding/json.

// decodeStrings decodes a JSON array of strings.
func decodeStrings(s string) []string {
	if out, ok := splitStrings(s, '[', ']', false); ok {
		return out
	}
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

// decodeStringMap decodes a JSON object of strings.
func decodeStringMap(s string) map[string]string {
	if kv, ok := splitStrings(s, '{', '}', true); ok {
		if len(kv) == 0 {
			return nil
		}
		m := make(map[string]string, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	var m map[string]string
	_ = json.Unmarshal([]byte(s), &m)
	return m
}

// splitStrings reads open "a" , "b" … close (with "k":"v" pairs when object)
// without whitespace, in valid UTF-8, as encoding/json writes them; a string
// may hold the escapes \" \\ \/ \b \f \n \r \t (a quoted list inside a
// resource's extras is common). ok is false for anything else, \u escapes
// included.
func splitStrings(s string, open, close byte, object bool) (out []string, ok bool) {
	if len(s) < 2 || s[0] != open || s[len(s)-1] != close || !utf8.ValidString(s) {
		return nil, false
	}
	i, end := 1, len(s)-1
	if i == end {
		return []string{}, true
	}
	// Allocated once at its size: every string has two quotes (an escaped
	// quote only makes it larger). Growing it from empty cost five
	// allocations for a resource's 13 extras.
	out = make([]string, 0, strings.Count(s, `"`)/2)
	for {
		if i >= end || s[i] != '"' {
			return nil, false
		}
		j := i + 1
		escaped := false
		for j < end && s[j] != '"' {
			if s[j] < 0x20 {
				return nil, false
			}
			if s[j] == '\\' {
				escaped = true
				j++ // the escaped byte, checked by unescapeJSON
			}
			j++
		}
		if j >= end {
			return nil, false
		}
		if escaped {
			u, ok := unescapeJSON(s[i+1 : j])
			if !ok {
				return nil, false
			}
			out = append(out, u)
		} else {
			out = append(out, s[i+1:j])
		}
		i = j + 1
		want := byte(',')
		if object && len(out)%2 == 1 {
			want = ':'
		}
		if i == end {
			if object && len(out)%2 == 1 {
				return nil, false
			}
			return out, true
		}
		if s[i] != want {
			return nil, false
		}
		i++
	}
}

// unescapeJSON decodes the inside of a JSON string holding the one-letter
// escapes; ok is false for a \u escape or anything encoding/json refuses.
func unescapeJSON(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i++; i == len(s) {
			return "", false
		}
		switch s[i] {
		case '"', '\\', '/':
			b.WriteByte(s[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		default:
			return "", false
		}
	}
	return b.String(), true
}

// encodeStrings is json.Marshal of a []string (nil as []), byte for byte:
// plain strings are written here, anything that encoding/json would escape
// goes to it.
func encodeStrings(ss []string) string {
	n := 2
	for _, s := range ss {
		if !plainJSON(s) {
			b, _ := json.Marshal(nonNil(ss))
			return string(b)
		}
		n += len(s) + 3
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

// encodeStringMap is json.Marshal of a map[string]string (keys sorted), byte
// for byte, "{}" when empty.
func encodeStringMap(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	keys := make([]string, 0, len(m))
	n := 2
	for k, v := range m {
		if !plainJSON(k) || !plainJSON(v) {
			b, _ := json.Marshal(m)
			return string(b)
		}
		keys = append(keys, k)
		n += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteString(`":"`)
		b.WriteString(m[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// plainJSON says whether encoding/json writes s as it is between quotes: no
// control character, quote, backslash, HTML character (<, >, &), invalid
// UTF-8 or U+2028/U+2029.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size - 1
	}
	return true
}
