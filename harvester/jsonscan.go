package harvester

import (
	"encoding/json"
	"errors"
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

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
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
		key, ok := plainString(b[i:end])
		if !ok && json.Unmarshal(b[i:end], &key) != nil {
			return errBadJSON
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
