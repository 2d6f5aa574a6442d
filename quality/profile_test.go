package quality

import (
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
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
