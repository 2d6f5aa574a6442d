package store

import (
	"encoding/json"
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
// without whitespace or escapes, in valid UTF-8, as encoding/json writes
// them. ok is false for anything else.
func splitStrings(s string, open, close byte, object bool) (out []string, ok bool) {
	if len(s) < 2 || s[0] != open || s[len(s)-1] != close || !utf8.ValidString(s) {
		return nil, false
	}
	i, end := 1, len(s)-1
	if i == end {
		return []string{}, true
	}
	for {
		if i >= end || s[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < end && s[j] != '"' {
			if s[j] == '\\' || s[j] < 0x20 {
				return nil, false
			}
			j++
		}
		if j >= end {
			return nil, false
		}
		out = append(out, s[i+1:j])
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
