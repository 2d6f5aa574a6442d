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

// Num is a number as a sentence's argument (vigie.Error's Args): rendered
// in the reader's language by Error, in English by String (run.json, logs).
type Num struct {
	V        float64
	Decimals int  // at most this many digits after the separator
	Percent  bool // V is a share (0.25): written "25 %" in French, "25%" in English
	Sign     bool // a change: "+" before a positive number
}

// Number is v with at most decimals digits, as a sentence's argument.
func Number(v float64, decimals int) Num { return Num{V: v, Decimals: decimals} }

// Whole is a whole number as a sentence's argument ("1 567" in French).
func Whole[T ~int | ~int64 | ~int32](n T) Num { return Num{V: float64(n)} }

// Change is v with at most decimals digits and a "+" when positive.
func Change(v float64, decimals int) Num { return Num{V: v, Decimals: decimals, Sign: true} }

// Share is a share (0.99) written as a percentage with at most decimals
// digits, as a sentence's argument.
func Share(v float64, decimals int) Num { return Num{V: v, Decimals: decimals, Percent: true} }

func (n Num) String() string { return n.Localize("en") }

// Localize writes n in lang.
func (n Num) Localize(lang string) string {
	if n.Percent {
		return Percent(n.V*100, n.Decimals, lang)
	}
	if n.Sign {
		return Signed(n.V, n.Decimals, lang)
	}
	return Float(n.V, n.Decimals, lang)
}

// Percent writes v (already in percent: 99 for 99 %) with at most decimals
// digits and a percent sign: "99 %" in French, with a narrow no-break space
// before the sign, "99%" in English.
func Percent(v float64, decimals int, lang string) string {
	s := Float(v, decimals, lang)
	if Lang(lang) == "fr" {
		return s + ThinSpace + "%"
	}
	return s + "%"
}
