package quality

import (
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// A profile with unknown settings says which lines, on one line and in the
// reader's language: the YAML parser's "unmarshal errors:" is followed by
// its lines, not cut after it.
func TestProfileYAMLErrorsOnOneLine(t *testing.T) {
	_, err := ParseProfile([]byte("weights:\n  completeness: 40\nnosuch: 1\nalso: 2\n"))
	if err == nil {
		t.Fatal("unknown settings accepted")
	}
	for lang, want := range map[string]string{
		"en": "not a valid profile: line 3: field nosuch not found in type quality.Profile; line 4: field also not found in type quality.Profile",
		"fr": "profil invalide : ligne 3 : réglage inconnu « nosuch » ; ligne 4 : réglage inconnu « also »",
	} {
		if msg := l10n.Error(lang, err); msg != want {
			t.Errorf("%s: %q, want %q", lang, msg, want)
		}
	}
	// Many mistakes: the first five, then an ellipsis.
	_, err = ParseProfile([]byte("a: 1\nb: 1\nc: 1\nd: 1\ne: 1\nf: 1\ng: 1\n"))
	if msg := l10n.Error("fr", err); strings.Count(msg, "réglage inconnu") != 5 || !strings.HasSuffix(msg, " ; …") || strings.Contains(msg, "« f »") {
		t.Errorf("seven unknown settings: %q", msg)
	}
}
