package quality

import (
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// A profile with unknown settings says which lines, on one line: the YAML
// parser's "unmarshal errors:" is followed by its lines, not cut after it.
func TestProfileYAMLErrorsOnOneLine(t *testing.T) {
	_, err := ParseProfile([]byte("weights:\n  completeness: 40\nnosuch: 1\nalso: 2\n"))
	if err == nil {
		t.Fatal("unknown settings accepted")
	}
	for _, lang := range []string{"fr", "en"} {
		msg := l10n.Error(lang, err)
		if strings.Contains(msg, "\n") || !strings.Contains(msg, "line 3: field nosuch not found") || !strings.Contains(msg, "; line 4: field also not found") {
			t.Errorf("%s: %q", lang, msg)
		}
	}
}
