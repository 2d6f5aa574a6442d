package plain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// cleanByMap is Clean as it was before its fast path: every rune mapped.
// Clean must give exactly what it gives.
func cleanByMap(s string, oneLine bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && !oneLine:
			return r
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == 0xfffe, r == 0xffff:
			return ' '
		case r == 0x2028, r == 0x2029:
			if !oneLine {
				return '\n'
			}
			return ' '
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return -1
		}
		return r
	}, s)
}

// cleanCases are texts on each side of every character Clean changes.
var cleanCases = []string{
	"", "plain ASCII", "Données Québec — 2026 ★", "line\nbreak", "tab\there", "cr\rlf", "\x00nul", "del\x7f",
	"\x1f", " ", "~", "\u0080", "\u009f", "\u00a0nbsp", "\u061b\u061c\u061d", "\u200d\u200e\u200f\u2010",
	"\u2027\u2028\u2029\u202a", "\u202e\u202f", "\u2065\u2066\u2069\u206a", "\ufffd", "\ufffe", "\uffff", "\U0001F600",
	"bad\xffbyte", "\xc3", "\xc3(", "\xe2\x80", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 past U+10FFFF",
	"mixed é\x01\u202eRTL\u2028sep\n",
}

func TestCleanSameAsMapping(t *testing.T) {
	for _, s := range cleanCases {
		for _, oneLine := range []bool{false, true} {
			got, want := Clean(s, oneLine), cleanByMap(s, oneLine)
			if got != want {
				t.Errorf("Clean(%q, %v) = %q, want %q", s, oneLine, got, want)
			}
			if isClean(s, oneLine) != (s == want) {
				t.Errorf("isClean(%q, %v) = %v, but cleaning gives %q", s, oneLine, isClean(s, oneLine), want)
			}
		}
	}
	// Every rune up to U+FFFF and past it, alone and between ASCII.
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r > 0x3000 && r < 0xFF00 && r%97 != 0 {
			continue // the plain middle of the BMP: a sample is enough
		}
		if r > 0x10000 && r%1021 != 0 {
			continue
		}
		s := "a" + string(r) + "b"
		for _, oneLine := range []bool{false, true} {
			if got, want := Clean(s, oneLine), cleanByMap(s, oneLine); got != want {
				t.Fatalf("Clean(%q, %v) = %q, want %q", s, oneLine, got, want)
			}
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range cleanCases {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, oneLine bool) {
		if got, want := Clean(s, oneLine), cleanByMap(s, oneLine); got != want {
			t.Fatalf("Clean(%q, %v) = %q, want %q", s, oneLine, got, want)
		}
	})
}

func BenchmarkClean(b *testing.B) {
	texts := []string{
		"https://donnees.example.org/dataset/3f2a-licence-ouverte/resource/abc.csv",
		"Inventaire des arbres publics de la Ville — mise à jour 2026",
		"CC-BY-4.0", "Le fichier n'est pas lisible par machine.",
	}
	for _, c := range []struct {
		name string
		fn   func(string, bool) string
	}{{"Clean", Clean}, {"byMap", cleanByMap}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range texts {
					c.fn(s, false)
				}
			}
		})
	}
}
