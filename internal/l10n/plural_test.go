package l10n

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/vigie-audit/vigie"
)

func TestPlural(t *testing.T) {
	Add(map[string]Msg{"test.n": {FR: "%s jeu|%s jeux", EN: "%s dataset|%s datasets"}})
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"fr", 0, "0 jeu"}, {"fr", 1, "1 jeu"}, {"fr", 2, "2 jeux"}, {"fr", 1000, "1" + ThinSpace + "000 jeux"}, {"fr", -1, "-1 jeu"},
		{"en", 0, "0 datasets"}, {"en", 1, "1 dataset"}, {"en", 2, "2 datasets"}, {"en", 1000, "1,000 datasets"},
	} {
		if got := N(c.lang, "test.n", c.n); got != c.want {
			t.Errorf("N(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

// An error is rendered in the reader's language through its chain: its own
// sentence, its error arguments', and a wrapper's words kept around them;
// a server's or the system's text is kept.
func TestErrorRendersTheChain(t *testing.T) {
	Add(map[string]Msg{
		"test.outer": {FR: "moissonnage de %s : %s", EN: "harvest %s: %s"},
		"test.inner": {FR: "le portail %s ne répond pas", EN: "portal %s does not answer"},
	})
	inner := vigie.NewError(vigie.KindUnreachable, "test.inner", "https://a.example")
	outer := vigie.NewError(vigie.KindOther, "test.outer", "https://a.example", inner)
	if got := outer.Error(); got != "harvest https://a.example: portal https://a.example does not answer" {
		t.Errorf("English text: %q", got)
	}
	if got := Error("fr", outer); got != "moissonnage de https://a.example : le portail https://a.example ne répond pas" {
		t.Errorf("French: %q", got)
	}
	wrapped := fmt.Errorf("stage harvest: %w", inner)
	if got := Error("fr", wrapped); got != "stage harvest: le portail https://a.example ne répond pas" {
		t.Errorf("wrapped: %q", got)
	}
	if !errors.Is(outer, inner) || vigie.KindOf(wrapped) != vigie.KindUnreachable {
		t.Error("the chain is lost")
	}
	server := errors.New("HTTP 500: Internal Server Error")
	if got := Error("fr", vigie.NewError(vigie.KindOther, "test.outer", "x", server)); got != "moissonnage de x : HTTP 500: Internal Server Error" {
		t.Errorf("a server's text must stay as received: %q", got)
	}
	_, err := os.Open("/nonexistent/file")
	if got := Error("fr", errors.Unwrap(err)); got != "fichier ou dossier introuvable" {
		t.Errorf("system error: %q", got)
	}
	CheckCatalog(t)
}
