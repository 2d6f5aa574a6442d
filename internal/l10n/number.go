// Package l10n writes numbers the way each of vigie's languages does. French
// follows fr-CA: a decimal comma and a narrow no-break space (U+202F) between
// groups of three digits ("1 567,5"); English uses a dot and commas
// ("1,567.5"). It is the only place vigie formats numbers for people.
package l10n

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ThinSpace is the French thousands separator (NARROW NO-BREAK SPACE).
const ThinSpace = "\u202F"

// Lang normalises a language tag to "fr" or "en"; French is the default.
func Lang(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return "en"
	}
	return "fr"
}

// Float writes v with at most decimals digits after the separator, trailing
// zeros dropped ("27,8", "100"), and its thousands grouped.
func Float(v float64, decimals int, lang string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return group(s, lang)
}

// Fixed writes v with exactly decimals digits after the separator ("0,50").
func Fixed(v float64, decimals int, lang string) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return group(s, lang)
}

// Int writes n with its thousands grouped ("1 567" in French).
func Int[T ~int | ~int64 | ~int32 | ~uint64](n T, lang string) string {
	return group(strconv.FormatInt(int64(n), 10), lang)
}

// Signed is Float with a leading "+" on positive numbers (changes).
func Signed(v float64, decimals int, lang string) string {
	s := Float(v, decimals, lang)
	if v > 0 && s != "0" {
		s = "+" + s
	}
	return s
}

// Plain writes v for a spreadsheet cell: no grouping, the decimal separator
// dec ('.' or ','), as many digits as needed.
func Plain(v float64, dec byte) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if dec != '.' {
		s = strings.Replace(s, ".", string(dec), 1)
	}
	return s
}

// group inserts the language's separators into a plain decimal string
// (optional '-', digits, optional '.' and digits).
func group(s, lang string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	sep, dec := ",", "."
	if Lang(lang) == "fr" {
		sep, dec = ThinSpace, ","
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(intPart[i])
	}
	if hasFrac {
		b.WriteString(dec)
		b.WriteString(frac)
	}
	return b.String()
}

// Duration writes d as Go does ("1.5s", "2m30s"), with a decimal comma in
// French ("1,5s").
func Duration(d time.Duration, lang string) string {
	s := d.String()
	if Lang(lang) == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
