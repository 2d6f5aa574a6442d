package quality

import "testing"

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
