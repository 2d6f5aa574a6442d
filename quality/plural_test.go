package quality_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
)

func findingText(a vigie.Assessment, rule string) (vigie.Text, bool) {
	for _, f := range a.Findings {
		if strings.HasSuffix(f.Rule, rule) {
			return f.Message, true
		}
	}
	return vigie.Text{}, false
}

// Counts agree with their noun in both languages: "1 caractère", never
// "1 caractères"; French takes the singular for 0 and 1, English only for 1.
func TestFindingCountsAgreeWithTheirNoun(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	for _, c := range []struct {
		notes, fr, en string
	}{
		{"V", "(1 caractère, moins de", "(1 character, fewer than"},
		{"Vélos.", "(6 caractères, moins de", "(6 characters, fewer than"},
	} {
		d := perfectDQ()
		d.Notes = c.notes
		m, ok := findingText(quality.Score(d, okLinks(d), dq, now), "DESCRIPTION-SHORT")
		if !ok || !strings.Contains(m.FR, c.fr) || !strings.Contains(m.EN, c.en) {
			t.Errorf("notes %q: %+v, want %q and %q", c.notes, m, c.fr, c.en)
		}
	}
	for _, c := range []struct {
		age    time.Duration
		fr, en string
	}{
		{day(1), "(il y a 1 jour,", "(1 day ago,"},
		{day(2), "(il y a 2 jours,", "(2 days ago,"},
	} {
		d := perfectDQ()
		d.Extras["update_frequency"] = "daily"
		for i := range d.Resources {
			d.Resources[i].LastModified = tp(now.Add(-c.age))
		}
		a := quality.Score(d, nil, dq, now)
		var m vigie.Text
		for _, f := range a.Findings {
			if f.Dimension == vigie.DimFreshness && strings.HasPrefix(f.Rule, "FRESH-") {
				m = f.Message
			}
		}
		if !strings.Contains(m.FR, c.fr) || !strings.Contains(m.EN, c.en) {
			t.Errorf("age %v: %+v, want %q and %q", c.age, m, c.fr, c.en)
		}
	}
}
