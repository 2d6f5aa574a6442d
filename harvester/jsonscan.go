package harvester

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// A small splitter for JSON that was already validated (by the envelope's
// decoding): it cuts objects into fields and arrays into elements without
// decoding them, which is several times cheaper than encoding/json's
// repeated validation of nested values. It never panics on bad input; it
// returns errBadJSON.

var errBadJSON = errors.New("malformed JSON")

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"':
// the first quote after it that an odd run of backslashes does not escape
// (found with bytes.IndexByte, which reads many bytes a step: most of a
// package is the text of its strings).
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		j += k
		esc := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			esc++
		}
		if esc%2 == 0 {
			return j + 1, nil
		}
	}
	return 0, errBadJSON
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errBadJSON
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errBadJSON
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	if j == i {
		return 0, errBadJSON
	}
	return j, nil
}

// eachField calls fn for each field of the object b.
func eachField(b []byte, fn func(key string, val json.RawMessage)) error {
	return eachFieldKey(b, func(key []byte, val json.RawMessage) { fn(string(key), val) })
}

// eachFieldKey is eachField with each key as bytes (unescaped) that are
// only valid during fn: a switch on string(key) reads it without copying
// it, where a string for each key was most of a package's allocations.
func eachFieldKey(b []byte, fn func(key []byte, val json.RawMessage)) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errBadJSON
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errBadJSON
		}
		end, err := skipString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			// what plainString leaves to encoding/json
			var s string
			if json.Unmarshal(b[i:end], &s) != nil {
				return errBadJSON
			}
			key = []byte(s)
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return errBadJSON
		}
		i = skipWS(b, i+1)
		vend, err := skipValue(b, i)
		if err != nil {
			return err
		}
		fn(key, b[i:vend])
		i = skipWS(b, vend)
		if i >= len(b) {
			return errBadJSON
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return nil
		default:
			return errBadJSON
		}
	}
}

// fields returns the fields of the object b.
func fields(b []byte) (map[string]json.RawMessage, error) {
	m := make(map[string]json.RawMessage, 16)
	err := eachField(b, func(k string, v json.RawMessage) { m[k] = v })
	return m, err
}

// eachElem calls fn for each element of the array b.
func eachElem(b []byte, fn func(i int, val json.RawMessage) error) error {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return errBadJSON
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for n := 0; ; n++ {
		end, err := skipValue(b, i)
		if err != nil {
			return err
		}
		if err := fn(n, b[i:end]); err != nil {
			return err
		}
		i = skipWS(b, end)
		if i >= len(b) {
			return errBadJSON
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return nil
		default:
			return errBadJSON
		}
	}
}

// isArray and isObject look at the first significant byte.
func isArray(b []byte) bool  { i := skipWS(b, 0); return i < len(b) && b[i] == '[' }
func isObject(b []byte) bool { i := skipWS(b, 0); return i < len(b) && b[i] == '{' }
