package notify

import (
	"testing"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// A mistyped address is said in the reader's language.
func TestBadAddressInTheReadersLanguage(t *testing.T) {
	_, err := CheckAddress("bad")
	if err == nil {
		t.Fatal("accepted")
	}
	if fr, en := l10n.Error("fr", err), l10n.Error("en", err); fr != "« bad » n'est pas une adresse de courriel" || en != `"bad" is not an e-mail address` {
		t.Errorf("fr %q, en %q", fr, en)
	}
	if _, err := CheckAddress("a@b.example"); err != nil {
		t.Errorf("a good address refused: %v", err)
	}
}
