package harvester

// validJSON is json.Valid, for a package_search page of megabytes:
// encoding/json's scanner calls a function for every byte, this reads the
// text of strings (most of a page) in a tight loop. It accepts exactly what
// json.Valid accepts (a fuzz test compares them): one value between
// optional whitespace, strings without control characters and with JSON's
// escapes only (invalid UTF-8 is let through, as encoding/json does),
// numbers in JSON's grammar, and at most 10,000 levels of nesting.
func validJSON(b []byte) bool {
	i := skipWS(b, 0)
	// stack of open containers: true for an object
	var stackArr [64]bool
	stack := stackArr[:0]
	for {
		// a value at b[i]
		if i >= len(b) {
			return false
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(stack) >= 10000 {
				return false
			}
			stack = append(stack, c == '{')
			i = skipWS(b, i+1)
			closer := byte(']')
			if c == '{' {
				closer = '}'
			}
			if i < len(b) && b[i] == closer {
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				if i = validKey(b, i); i < 0 {
					return false
				}
			}
			continue // the first element's value
		case c == '"':
			if i = validString(b, i); i < 0 {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			if i = validNumber(b, i); i < 0 {
				return false
			}
		case c == 't':
			if !hasWord(b, i, "true") {
				return false
			}
			i += 4
		case c == 'f':
			if !hasWord(b, i, "false") {
				return false
			}
			i += 5
		case c == 'n':
			if !hasWord(b, i, "null") {
				return false
			}
			i += 4
		default:
			return false
		}
		// after a value: close containers, or go on to the next element
		for {
			i = skipWS(b, i)
			if len(stack) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			obj := stack[len(stack)-1]
			if b[i] == ',' {
				i = skipWS(b, i+1)
				if obj {
					if i = validKey(b, i); i < 0 {
						return false
					}
				}
				break
			}
			if obj && b[i] == '}' || !obj && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return false
		}
	}
}

// validKey checks `"key" :` at b[i] and returns the index of the value
// after it (whitespace skipped), -1 when invalid.
func validKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = validString(b, i); i < 0 {
		return -1
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipWS(b, i+1)
}

// validString checks the string at b[i] == '"' and returns the index after
// it, -1 when invalid.
func validString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		switch c {
		case '"':
			return j + 1
		case '\\':
			j++
			if j >= len(b) {
				return -1
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) {
					return -1
				}
				for _, h := range b[j+1 : j+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return -1
					}
				}
				j += 4
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
	return -1
}

// validNumber checks the number at b[i] and returns the index after it, -1
// when invalid.
func validNumber(b []byte, i int) int {
	digits := func(j int) int {
		k := j
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		return k
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(i + 1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func hasWord(b []byte, i int, w string) bool {
	return len(b)-i >= len(w) && string(b[i:i+len(w)]) == w
}
