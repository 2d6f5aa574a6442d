package quality_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
)

// Declared frequencies as real portals write them (issue 12): HDX day
// counts with their special values, open.canada.ca's older bilingual
// labels, DCAT-AP URIs and labels, ISO 8601 repeating intervals, ISO 19115
// codes.
func TestNormalizeFrequencyPortals(t *testing.T) {
	cases := map[string]string{
		// HDX data_update_frequency (hdx-python-api update_frequencies)
		"30": "monthly", "365": "annual", "7": "weekly", "14": "fortnightly", "90": "quarterly", "180": "semiannual",
		"1": "daily", "730": "biennial", "120": "triannual", "60": "bimonthly", "300": "annual",
		"-2": "asNeeded", "-1": "notPlanned", "0": "continuous",
		"Every month": "monthly", "Every two weeks": "fortnightly", "Every year": "annual", "As needed": "asNeeded", "Live": "continuous", "Never": "notPlanned",
		// open.canada.ca, older registry (maintenance_and_update_frequency) and current schema
		"Annually | Annuel": "annual", `{"en": "Monthly", "fr": "Mensuel"}`: "monthly", `{"fr": "inconnue"}`: "", "Monthly | Mensuel": "monthly", "As Needed | Au besoin": "asNeeded", "Quarterly | Trimestriel": "quarterly",
		"Unknown | Inconnu": "", "P1Y": "annual", "P1M": "monthly", "as_needed": "asNeeded", "not_planned": "notPlanned", "continual": "continuous",
		// ISO 8601 repeating intervals (catalog.data.gov accrualPeriodicity) and composite durations
		"R/P1Y": "annual", "R/P1M": "monthly", "R/P3M": "quarterly", "R/P1W": "weekly", "R/P1D": "daily", "R/PT1H": "hourly", "R/P6M": "semiannual",
		"R12/P1M": "monthly", "P1Y6M": "biennial", "P2W1D": "fortnightly", "P1DT12H": "daily", "R/P0.5M": "fortnightly",
		// DCAT-AP: EU authority URIs and codes, Dublin Core collection frequencies
		"http://publications.europa.eu/resource/authority/frequency/MONTHLY": "monthly", "IRREG": "irregular",
		"http://purl.org/cld/freq/annual": "annual", "http://purl.org/cld/freq/threeTimesAYear": "triannual",
		"twice a year": "semiannual",
		// ISO 19115 MD_MaintenanceFrequencyCode, by name and code
		"biannually": "semiannual", "asNeeded": "asNeeded", "notPlanned": "notPlanned", "fortnightly": "fortnightly", "008": "annual", "009": "asNeeded",
		// Données Québec codes and French labels
		"mensuel": "monthly", "annuelle": "annual", "Irrégulier": "irregular", "yearly": "annual", "quotidienne": "daily",
	}
	for in, want := range cases {
		got, ok := quality.NormalizeFrequency(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeFrequency(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"-3", "R/", "R/PXY", "Rx/P1Y", "P", "PT", "P1Y1", "1234567", "sometimes | parfois"} {
		if got, ok := quality.NormalizeFrequency(in); ok {
			t.Errorf("NormalizeFrequency(%q) = %q, want not recognised", in, got)
		}
	}
}

// One reader: the field list covers every common way, spellings that differ
// in case or separators meet, and the first field of the list wins.
func TestReadFrequency(t *testing.T) {
	cases := []struct {
		extras      map[string]string
		field, norm string
	}{
		{map[string]string{"data_update_frequency": "30"}, "data_update_frequency", "monthly"},
		{map[string]string{"maintenance_and_update_frequency": "Annually | Annuel"}, "maintenance_and_update_frequency", "annual"},
		{map[string]string{"UpdateFrequency": "Monthly"}, "UpdateFrequency", "monthly"},
		{map[string]string{"accrualPeriodicity": "R/P1Y"}, "accrualPeriodicity", "annual"},
		{map[string]string{"accrual_periodicity": ""}, "", ""},
		{map[string]string{"update_freq": "quarterly", "frequency": "P1M"}, "frequency", "monthly"},
		{map[string]string{"Update-Frequency": "weekly", "data_update_frequency": "365"}, "Update-Frequency", "weekly"},
		{map[string]string{"frequency-of-update": "quarterly"}, "frequency-of-update", "quarterly"},
		{map[string]string{"update_frequency": "bientôt"}, "update_frequency", ""},
		{map[string]string{"notes_frequency_words": "monthly"}, "", ""},
	}
	for _, c := range cases {
		d := &vigie.Dataset{Extras: c.extras}
		got := quality.ReadFrequency(d, nil)
		if got.Field != c.field || got.Norm != c.norm {
			t.Errorf("ReadFrequency(%v) = %+v, want field %q norm %q", c.extras, got, c.field, c.norm)
		}
	}
	// A profile's own list reads only those fields.
	d := &vigie.Dataset{Extras: map[string]string{"data_update_frequency": "30"}}
	if got := quality.ReadFrequency(d, []string{"update_frequency"}); got.Raw != "" {
		t.Errorf("a profile listing only update_frequency read %+v", got)
	}
}

// hdxRegister is HDX's license_list as its CKAN serves it: its own ids,
// all "not reviewed" and is_okd_compliant false, except other-pd-nr which
// HDX's code marks is_okd_compliant (values from ckanext-hdx_package's
// licence classes).
func hdxRegister(pdOK bool) map[string]vigie.Licence {
	f, pd := false, pdOK
	nr := func(id, title, url string) vigie.Licence {
		return vigie.Licence{ID: id, Title: title, URL: url, ODConformance: "not reviewed", OSDConformance: "not reviewed", OKDCompliant: &f, OSICompliant: &f}
	}
	r := map[string]vigie.Licence{}
	for _, l := range []vigie.Licence{
		nr("hdx-odc-odbl", "Open Database License (ODC-ODbL)", ""),
		nr("hdx-odc-by", "Open Data Commons Attribution License (ODC-BY)", ""),
		nr("hdx-pddl", "Open Data Commons Public Domain Dedication and License (PDDL)", ""),
		nr("hdx-multi", "Multiple Licenses", ""),
		nr("hdx-other", "Other", ""),
		nr("cc-by-igo", "Creative Commons Attribution for Intergovernmental Organisations", "http://creativecommons.org/licenses/by/3.0/igo/legalcode"),
		{ID: "other-pd-nr", Title: "Public Domain / No Restrictions", ODConformance: "not reviewed", OKDCompliant: &pd, Generic: true},
		{ID: "cc-by", Title: "Creative Commons Attribution", URL: "http://www.opendefinition.org/licenses/cc-by", ODConformance: "approved"},
		{ID: "cc-nc", Title: "Creative Commons Non-Commercial (Any)", ODConformance: "rejected"},
	} {
		r[l.ID] = l
	}
	return r
}

func TestJudgeLicence(t *testing.T) {
	tr, fa := true, false
	hdx := hdxRegister(true)
	cases := []struct {
		name, id, title, url string
		isopen               *bool
		portal               map[string]vigie.Licence
		status, by           string
	}{
		{"HDX ODbL, not reviewed by HDX, isopen false", "hdx-odc-odbl", "Open Database License (ODC-ODbL)", "", &fa, hdx, vigie.LicenceOpen, "register"},
		{"HDX ODbL without the register (import)", "hdx-odc-odbl", "", "", &fa, nil, vigie.LicenceOpen, "register"},
		{"HDX PDDL", "hdx-pddl", "", "", &fa, hdx, vigie.LicenceOpen, "register"},
		{"HDX ODC-BY", "hdx-odc-by", "", "", nil, hdx, vigie.LicenceOpen, "register"},
		{"HDX public domain, declared open by HDX", "other-pd-nr", "", "", &fa, hdx, vigie.LicenceOpen, "portal"},
		{"HDX public domain, not reviewed, title says public domain", "other-pd-nr", "", "", &fa, hdxRegister(false), vigie.LicenceOpen, "register"},
		{"ODbL in capitals", "ODbL", "", "", nil, nil, vigie.LicenceOpen, "register"},
		{"Public Domain as an id", "Public Domain", "", "", nil, nil, vigie.LicenceOpen, "register"},
		{"portal approves", "cc-by", "", "", nil, hdx, vigie.LicenceOpen, "portal"},
		{"portal rejects, isopen true", "cc-nc", "", "", &tr, hdx, vigie.LicenceNotOpen, "portal"},
		{"case-insensitive portal id", "CC-BY", "", "", nil, hdx, vigie.LicenceOpen, "portal"},
		{"HDX multiple licences: unknown", "hdx-multi", "", "", &fa, hdx, vigie.LicenceUnknown, ""},
		{"HDX other: unknown", "hdx-other", "", "", &fa, hdx, vigie.LicenceUnknown, ""},
		{"CC BY IGO by URL", "cc-by-igo", "", "", &fa, hdx, vigie.LicenceOpen, "register"},
		{"isopen true decides an unknown id", "licence-maison", "", "", &tr, nil, vigie.LicenceOpen, "isopen"},
		{"isopen false does not", "licence-maison", "", "", &fa, nil, vigie.LicenceUnknown, ""},
		{"open.canada: isopen false yet open", "ca-ogl-lgo", "Open Government Licence - Canada", "http://open.canada.ca/en/open-government-licence-canada", &fa, nil, vigie.LicenceOpen, "register"},
		{"by title abbreviation", "dq-1", "Attribution (CC-BY 4.0)", "", nil, nil, vigie.LicenceOpen, "register"},
		{"by URL", "x-1", "", "https://creativecommons.org/licenses/by-nc/4.0/deed.fr", nil, nil, vigie.LicenceNotOpen, "register"},
		{"SPDX ids", "CC-BY-SA-4.0", "", "", nil, nil, vigie.LicenceOpen, "register"},
		{"Open Definition rejects", "ukcrown", "", "", &tr, nil, vigie.LicenceNotOpen, "register"},
		{"not reviewed by the Open Definition", "Apache-2.0", "", "", nil, nil, vigie.LicenceOpen, "register"}, // OSI-approved: CKAN's isopen
		{"geogratis, judged by no one", "geogratis", "", "", nil, nil, vigie.LicenceUnknown, ""},
		{"public domain but non-commercial", "pd-nc", "Public domain, non-commercial use only", "", nil, nil, vigie.LicenceUnknown, ""},
		{"missing", " ", "", "", &tr, hdx, vigie.LicenceMissing, ""},
		{"notspecified", "notspecified", "License not specified", "", nil, nil, vigie.LicenceMissing, ""},
	}
	for _, c := range cases {
		v := quality.JudgeLicence(c.id, c.title, c.url, c.isopen, c.portal)
		if v.Status != c.status || v.By != c.by {
			t.Errorf("%s: JudgeLicence(%q) = %+v, want %s by %q", c.name, c.id, v, c.status, c.by)
		}
	}
}

// Through Score: an HDX dataset under hdx-odc-odbl gets its stars; one
// under a licence nobody knows has openness unknown, not 0, and a finding
// that names the licence in both languages.
func TestOpennessWithPortalRegister(t *testing.T) {
	ck := quality.MustProfile("ckan")
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	fa := false
	d := &vigie.Dataset{ID: "h1", Name: "h1", Title: "HDX", LicenseID: "hdx-odc-odbl", LicenseTitle: "Open Database License (ODC-ODbL)", IsOpen: &fa,
		Extras:    map[string]string{"data_update_frequency": "30"},
		Resources: []vigie.Resource{{ID: "r1", Name: "data", URL: "https://x.org/a.csv", Format: "CSV", LastModified: &now}}}
	a := quality.ScoreIn(d, nil, ck, now, quality.Env{Licences: hdxRegister(false)})
	if !a.OpenLicence || a.Stars != 3 || a.Scores.Openness == nil || *a.Scores.Openness != 60 || a.LicenceStatus != vigie.LicenceOpen {
		t.Errorf("hdx-odc-odbl: %+v stars %d openness %v", a.LicenceStatus, a.Stars, a.Scores.Openness)
	}
	if a.Frequency != "monthly" || a.FreshnessStatus != vigie.FreshFresh {
		t.Errorf("data_update_frequency 30: frequency %q status %q", a.Frequency, a.FreshnessStatus)
	}
	d.LicenseID, d.LicenseTitle = "hdx-multi", "Multiple Licenses"
	a = quality.ScoreIn(d, nil, ck, now, quality.Env{Licences: hdxRegister(false)})
	if a.Scores.Openness != nil || a.LicenceStatus != vigie.LicenceUnknown || a.OpenLicence {
		t.Fatalf("hdx-multi: openness %v status %q, want unknown", a.Scores.Openness, a.LicenceStatus)
	}
	var f *vigie.Finding
	for i := range a.Findings {
		if a.Findings[i].Rule == "OPEN-LICENCE-UNKNOWN" {
			f = &a.Findings[i]
		}
	}
	if f == nil || f.Points != 0 || f.Severity != vigie.SevWarning ||
		!contains(f.Message.FR, "hdx-multi") || !contains(f.Message.EN, "hdx-multi") || !contains(f.Hint.EN, "od_conformance") || !contains(f.Hint.FR, "licence") {
		t.Errorf("OPEN-LICENCE-UNKNOWN finding: %+v", f)
	}
	if a.Scores.Overall == nil {
		t.Error("overall must stay known from the other dimensions")
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// The per-dataset cost of the frequency reader and the licence judgement,
// on the shapes that cost most: a field found only under another spelling
// among many extras, and a licence found by title after the id misses.
func BenchmarkReadFrequency(b *testing.B) {
	ex := map[string]string{"UpdateFrequency": "Monthly"}
	for i := range 20 {
		ex["extra_field_"+string(rune('a'+i))] = "value"
	}
	dq := &vigie.Dataset{Extras: map[string]string{"update_frequency": "monthly", "language": "FR"}}
	other := &vigie.Dataset{Extras: ex}
	b.Run("update_frequency", func(b *testing.B) {
		for b.Loop() {
			quality.ReadFrequency(dq, nil)
		}
	})
	b.Run("other spelling among 21 extras", func(b *testing.B) {
		for b.Loop() {
			quality.ReadFrequency(other, nil)
		}
	})
}

func BenchmarkJudgeLicence(b *testing.B) {
	reg := hdxRegister(false)
	b.Run("alias id", func(b *testing.B) {
		for b.Loop() {
			quality.JudgeLicence("cc-by", "", "", nil, nil)
		}
	})
	b.Run("portal register, then title", func(b *testing.B) {
		for b.Loop() {
			quality.JudgeLicence("hdx-multi", "Multiple Licenses", "", nil, reg)
		}
	})
}

// A value freshness understands but the portal's vocabulary does not allow
// is still a completeness finding; freshness uses what it means.
func TestFrequencyOutsideVocabulary(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	d := perfectDQ()
	d.Extras["update_frequency"] = "mensuel"
	a := quality.Score(d, okLinks(d), dq, now)
	if got := rules(a, vigie.DimCompleteness); !slices.Contains(got, "DQ-FREQUENCY-INVALID@") {
		t.Errorf("completeness findings %v lack DQ-FREQUENCY-INVALID", got)
	}
	if a.Frequency != "monthly" || a.FreshnessStatus == vigie.FreshUnknown {
		t.Errorf("freshness: frequency %q status %s", a.Frequency, a.FreshnessStatus)
	}
}

// MQA's knownLicence ("part of a predefined collection") counts a licence the
// portal's own register lists, as well as those the Open Definition register
// and vigie's aliases know.
func TestMQAKnownLicenceReadsThePortalRegister(t *testing.T) {
	ck := quality.MustProfile("ckan")
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	d := &vigie.Dataset{ID: "m", Name: "m", Title: "m", LicenseID: "hdx-multi",
		Resources: []vigie.Resource{{ID: "r", Name: "r", URL: "https://x.org/a.csv", Format: "CSV"}}}
	without := quality.ScoreIn(d, nil, ck, now, quality.Env{}).MQA.Points
	with := quality.ScoreIn(d, nil, ck, now, quality.Env{Licences: hdxRegister(false)}).MQA.Points
	if with-without != 10 {
		t.Errorf("knownLicence: %d points without the register, %d with; want 10 more", without, with)
	}
	d.LicenseID = "ODbL"
	if got := quality.ScoreIn(d, nil, ck, now, quality.Env{}).MQA.Points; got != with {
		t.Errorf("ODbL is known to the Open Definition register: %d points, want %d", got, with)
	}
}
