package quality

import "testing"

// The 2021 commitment baseline belongs to Données Québec: other portals
// scored with the donneesquebec profile, and other profiles, have none.
func TestProfileBaselineBelongsToItsPortal(t *testing.T) {
	for _, c := range []struct {
		profile, portal string
		want            int
	}{
		{"donneesquebec", "https://www.donneesquebec.ca/recherche", 1200},
		{"donneesquebec", "https://donneesquebec.ca", 1200},
		{"donneesquebec", "HTTPS://WWW.DONNEESQUEBEC.CA:443/recherche/", 1200},
		{"donneesquebec", "https://donnees.montreal.ca", 0},
		{"donneesquebec", "https://donneesquebec.ca.evil.example", 0},
		{"donneesquebec", "https://notdonneesquebec.ca", 0},
		{"ckan", "https://www.donneesquebec.ca/recherche", 0},
		{"ckan", "https://open.canada.ca/data", 0},
		{"mqa", "https://opendata.swiss", 0},
		{"./missing.yaml", "https://www.donneesquebec.ca/recherche", 0},
	} {
		b := ProfileBaseline(c.profile, c.portal)
		got := 0
		if b != nil {
			got = b.Datasets
			if b.Year != 2021 || b.Note.FR == "" || b.Note.EN == "" {
				t.Errorf("%s: baseline %+v lacks its year or note", c.profile, b)
			}
		}
		if got != c.want {
			t.Errorf("%s on %s: baseline %d, want %d", c.profile, c.portal, got, c.want)
		}
	}
	if _, err := ParseProfile([]byte("extends: ckan\nname: x\nbaseline: {datasets: -3}\n")); err == nil {
		t.Error("a negative baseline was accepted")
	}
}
