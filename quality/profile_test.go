package quality

import (
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

func TestProfileHash(t *testing.T) {
	a, err := LoadProfile("donneesquebec", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := LoadProfile("donneesquebec", nil)
	c, _ := LoadProfile("ckan", nil)
	if a.Hash() != b.Hash() || len(a.Hash()) != 64 || a.Hash() == c.Hash() {
		t.Fatalf("hashes: %s %s %s", a.Hash(), b.Hash(), c.Hash())
	}
	// A file that extends a profile and changes one point is other rules.
	d, err := ParseProfile([]byte("extends: donneesquebec\nname: donneesquebec\nweights: {completeness: 2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Hash() == a.Hash() {
		t.Error("a changed weight kept the hash")
	}
	e, _ := ParseProfile([]byte("extends: donneesquebec\n"))
	if e.Hash() != a.Hash() {
		t.Error("a file that changes nothing has another hash")
	}
}

// A French finding carries no English link reason and no doubled HTTP code.
func TestLinkMessageInFrench(t *testing.T) {
	lr := &vigie.LinkResult{Status: 404, Reason: "not found (HTTP 404)", Failures: 2}
	m := linkMessage("LINK-FAILING", &vigie.Resource{Name: "Données"}, lr)
	if !strings.Contains(m.FR, "(HTTP 404)") || strings.Contains(m.FR, "not found") || strings.Count(m.FR, "404") != 1 ||
		!strings.Contains(m.FR, "introuvable (HTTP 404)") || !strings.Contains(m.EN, "not found (HTTP 404)") {
		t.Errorf("fr %q\nen %q", m.FR, m.EN)
	}
	lr = &vigie.LinkResult{Reason: "host name does not resolve (nope.example)"}
	if m := linkMessage("LINK-BROKEN", &vigie.Resource{Name: "x"}, lr); strings.Contains(m.FR, "does not resolve") {
		t.Errorf("fr %q", m.FR)
	}
}

// TestProfileChecksInBothLanguages: a profile file's mistakes read in
// French and English, numbers written the reader's way.
func TestProfileChecksInBothLanguages(t *testing.T) {
	nb := "\u202f"
	cases := []struct{ yaml, fr, en string }{
		{"name: x\nextends: ckan\nweights:\n  completeness: 1234.5\n",
			"le poids completeness vaut 1" + nb + "234,5 : donnez un nombre de 0 à 1" + nb + "000 (0 laisse la dimension de côté)",
			"weight completeness is 1,234.5: give a number from 0 to 1,000 (0 leaves the dimension out)"},
		{"name: x\nweights:\n  completness: 1\n",
			"poids inconnu « completness » : utilisez completeness, freshness, openness, availability ou mqa",
			`unknown weight "completness": use completeness, freshness, openness, availability or mqa`},
		{"name: x\nextends: ckan\nfreshness:\n  thresholds:\n    annual: [30d, 10d, 400d]\n",
			"freshness.thresholds.annual doit respecter due ≤ overdue ≤ delinquent, tous > 0",
			"freshness.thresholds.annual must be due ≤ overdue ≤ delinquent, all > 0"},
		{"name: x\nextends: ckan\nfreshness:\n  thresholds:\n    annual: [30x, 10d, 400d]\n",
			"freshness.thresholds.annual : durée « 30x » invalide : écrivez par exemple 3h ou 30d",
			`freshness.thresholds.annual: bad span "30x": write e.g. 3h or 30d`},
		{"weights:\n  completeness: 1\n", "le profil n'a pas de nom (name)", "the profile has no name"},
	}
	for _, c := range cases {
		_, err := ParseProfile([]byte(c.yaml))
		if err == nil {
			t.Errorf("%q: accepted", c.yaml)
			continue
		}
		if got := l10n.Error("fr", err); got != c.fr {
			t.Errorf("fr:\n got %q\nwant %q", got, c.fr)
		}
		if got := err.Error(); got != c.en {
			t.Errorf("en:\n got %q\nwant %q", got, c.en)
		}
		if vigie.KindOf(err) != vigie.KindUsage {
			t.Errorf("%q: kind %v, want usage", c.yaml, vigie.KindOf(err))
		}
	}
}
