package quality

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

func hasRule(as vigie.Assessment, suffix string) *vigie.Finding {
	for i := range as.Findings {
		if strings.HasSuffix(as.Findings[i].Rule, suffix) {
			return &as.Findings[i]
		}
	}
	return nil
}

// The generic profile's contact check accepts the contact fields portals
// use, not only maintainer_email and author_email.
func TestContactFieldsOfEveryPortal(t *testing.T) {
	p := MustProfile("ckan")
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		d      vigie.Dataset
		want   string // "" (no finding), CONTACT-MISSING or EMAIL-INVALID
		inText string
	}{
		{"maintainer_email", vigie.Dataset{MaintainerEmail: "a@b.org"}, "", ""},
		{"author_email", vigie.Dataset{AuthorEmail: "a@b.org"}, "", ""},
		{"contact_email extra", vigie.Dataset{Extras: map[string]string{"contact_email": "open@tbs-sct.gc.ca"}}, "", ""},
		{"contact-email (old data.gov.uk)", vigie.Dataset{Extras: map[string]string{"contact-email": "x@y.gov.uk"}}, "", ""},
		{"contact_points (opendata.swiss)", vigie.Dataset{Extras: map[string]string{"contact_points": `[{"email":"auskunftsdienst@bfs.admin.ch","name":"info"}]`}}, "", ""},
		{"contactPoint hasEmail mailto (DCAT)", vigie.Dataset{Extras: map[string]string{"contactPoint": `{"fn":"Desk","hasEmail":"mailto:desk@example.gov"}`}}, "", ""},
		{"contact_point mailto", vigie.Dataset{Extras: map[string]string{"contact_point": "mailto:desk@example.gov"}}, "", ""},
		{"invalid then valid", vigie.Dataset{MaintainerEmail: "not an address", Extras: map[string]string{"contact_email": "ok@example.org"}}, "", ""},
		{"only invalid", vigie.Dataset{Extras: map[string]string{"contact_email": "nobody"}}, "EMAIL-INVALID", "nobody"},
		{"none", vigie.Dataset{Author: "Someone"}, "CONTACT-MISSING", "contact_email"},
		{"contact name without address", vigie.Dataset{Extras: map[string]string{"contact_points": `[{"name":"Desk"}]`}}, "CONTACT-MISSING", ""},
	} {
		d := c.d
		d.ID, d.Name, d.Title = "x", "x", "X"
		as := Score(&d, nil, p, now)
		for _, suffix := range []string{"CONTACT-MISSING", "EMAIL-INVALID"} {
			f := hasRule(as, suffix)
			if (f != nil) != (suffix == c.want) {
				t.Errorf("%s: %s finding %v, want %q", c.name, suffix, f != nil, c.want)
			}
			if f != nil && c.inText != "" && !strings.Contains(f.Message.EN, c.inText) {
				t.Errorf("%s: %q does not name %q", c.name, f.Message.EN, c.inText)
			}
		}
	}
}

// Only the Données Québec profile speaks of Données Québec.
func TestGenericProfilesSayNothingOfQuebec(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	bare := vigie.Dataset{ID: "x", Name: "x", Resources: []vigie.Resource{{ID: "r", URL: "ftp://x", Format: "zip"}}}
	for _, name := range []string{"ckan", "mqa"} {
		as := Score(&bare, nil, MustProfile(name), now)
		for _, f := range as.Findings {
			for _, s := range []string{f.Message.FR, f.Message.EN, f.Hint.FR, f.Hint.EN} {
				if strings.Contains(s, "Québec") || strings.Contains(s, "Quebec") {
					t.Errorf("%s profile, %s: %q", name, f.Rule, s)
				}
			}
		}
	}
	as := Score(&bare, nil, MustProfile("donneesquebec"), now)
	if f := hasRule(as, "LICENCE-MISSING"); f == nil || !strings.Contains(f.Hint.FR, "Données Québec") {
		t.Errorf("donneesquebec licence hint %+v", f)
	}
}
