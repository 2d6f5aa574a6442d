package l10n

import "testing"

func TestLinkReason(t *testing.T) {
	for en, fr := range map[string]string{
		"not found (HTTP 404)":                      "introuvable (HTTP 404)",
		"host name does not resolve (nope.example)": "le nom d'hôte ne se résout pas (nope.example)",
		"no answer within 15s":                      "aucune réponse en 15s",
		"serves an HTML page where CSV data was declared; reached after 5 redirects: point the resource at the final address": "sert une page HTML là où des données CSV étaient déclarées ; atteint après 5 redirections : pointez la ressource vers l'adresse finale",
		"something new": "something new",
	} {
		if got := LinkReason("fr", en); got != fr {
			t.Errorf("%q: got %q, want %q", en, got, fr)
		}
		if got := LinkReason("en", en); got != en {
			t.Errorf("English changed %q", en)
		}
	}
}
