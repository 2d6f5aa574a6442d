package quality_test

import (
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func tp(t time.Time) *time.Time { return &t }
func ip(n int64) *int64         { return &n }

func relidiOK() map[string]string {
	return map[string]string{
		"relidi_description_champs": "relidi.descha.foudoc", "relidi_confic_separateur_virgule": "oui", "relidi_confic_utf8": "oui",
		"relidi_confic_epsg": "n/a", "relidi_confic_pascom": "oui", "relidi_condon_valinc": "oui", "relidi_condon_datheu": "oui",
		"relidi_condon_nombre": "oui", "relidi_condon_boolee": "n/a", "relidi_ressource_complementaire": "[]",
		"rights": "CC-BY 4.0",
	}
}

// perfectDQ is a dataset that follows every Données Québec rule.
func perfectDQ() *vigie.Dataset {
	return &vigie.Dataset{
		ID: "d1", Name: "comptages-velos", Title: "Comptages de vélos",
		Notes:        "Nombre de passages de vélos par jour et par compteur sur le réseau cyclable, depuis 2020.",
		Organization: "ville-de-montreal", LicenseID: "cc-by", Author: "Service de l'urbanisme et de la mobilité",
		AuthorEmail: "donneesouvertes@montreal.ca", Maintainer: "Équipe des données",
		MetadataCreated: now.AddDate(-3, 0, 0), MetadataModified: now.AddDate(0, 0, -5),
		Tags: []string{"Vélo", "Mobilité"}, Groups: []string{"transport"},
		Extras: map[string]string{
			"update_frequency": "monthly", "language": "FR", "ext_spatial": "ville-montreal",
			"temporal": "2020-01-01 / 2026-10-31", "methodologie": "Les compteurs sont des boucles magnétiques; coordonnées en EPSG:4326.",
			"access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
		},
		Resources: []vigie.Resource{
			{ID: "r1", Name: "Comptages 2020-2026", Description: "Un enregistrement par compteur et par jour.", Format: "CSV", Mimetype: "text/csv",
				URL: "https://donnees.example.ca/comptages.csv", ResourceType: "donnees", Size: ip(123456),
				Created: tp(now.AddDate(-3, 0, 0)), LastModified: tp(now.AddDate(0, 0, -10)), Extras: relidiOK()},
			{ID: "r2", Position: 1, Name: "Guide des champs", Description: "Définition de chaque colonne.", Format: "PDF", Mimetype: "application/pdf",
				URL: "https://donnees.example.ca/guide.pdf", ResourceType: "support", Size: ip(2048),
				Created: tp(now.AddDate(-3, 0, 0)), LastModified: tp(now.AddDate(-1, 0, 0)), Extras: map[string]string{}},
		},
	}
}

func okLinks(d *vigie.Dataset) map[string]vigie.LinkResult {
	m := map[string]vigie.LinkResult{}
	for _, r := range d.Resources {
		m[r.URL] = vigie.LinkResult{URL: r.URL, Class: vigie.LinkOK, Status: 200, CheckedAt: now.Add(-time.Hour)}
	}
	return m
}

func rules(a vigie.Assessment, dim vigie.Dimension) []string {
	var out []string
	for _, f := range a.Findings {
		if dim == "" || f.Dimension == dim {
			out = append(out, f.Rule+"@"+f.ResourceID)
		}
	}
	sort.Strings(out)
	return out
}

// checkSums asserts the invariant: in each dimension, the points lost add up
// to the gap between the score and its maximum; unknown dimensions and info
// findings cost nothing.
func checkSums(t *testing.T, a vigie.Assessment, mqaFindings bool) {
	t.Helper()
	sum := map[vigie.Dimension]float64{}
	for _, f := range a.Findings {
		if f.Points < 0 || math.IsNaN(f.Points) {
			t.Fatalf("%s: negative points %v", f.Rule, f.Points)
		}
		if f.Severity == vigie.SevInfo && f.Points != 0 {
			t.Fatalf("%s: info finding costs %v points", f.Rule, f.Points)
		}
		if f.Message.FR == "" || f.Message.EN == "" || f.Hint.FR == "" || f.Hint.EN == "" || strings.Contains(f.Message.FR+f.Message.EN, "%!") {
			t.Fatalf("%s: incomplete text %+v %+v", f.Rule, f.Message, f.Hint)
		}
		sum[f.Dimension] += f.Points
	}
	for dim, s := range map[vigie.Dimension]*float64{vigie.DimCompleteness: a.Scores.Completeness, vigie.DimFreshness: a.Scores.Freshness,
		vigie.DimOpenness: a.Scores.Openness, vigie.DimAvailability: a.Scores.Availability} {
		if s == nil {
			if sum[dim] != 0 {
				t.Fatalf("%s unknown but findings cost %v", dim, sum[dim])
			}
			continue
		}
		if *s < 0 || *s > 100 {
			t.Fatalf("%s score %v out of range", dim, *s)
		}
		if math.Abs(sum[dim]-(100-*s)) > 1e-9 {
			t.Fatalf("%s: score %v but findings cost %v (%v)", dim, *s, sum[dim], rules(a, dim))
		}
	}
	if mqaFindings && math.Abs(sum[vigie.DimMQA]-float64(quality.MQAMax-a.MQA.Points)) > 1e-9 {
		t.Fatalf("mqa: %d points but findings cost %v", a.MQA.Points, sum[vigie.DimMQA])
	}
	if a.MQA.Rating != quality.MQARating(a.MQA.Points) {
		t.Fatalf("rating %q for %d points", a.MQA.Rating, a.MQA.Points)
	}
}

func TestPerfectDatasetLosesNothing(t *testing.T) {
	d := perfectDQ()
	a := quality.Score(d, okLinks(d), quality.MustProfile("donneesquebec"), now)
	checkSums(t, a, false)
	if got := rules(a, ""); len(got) != 0 {
		t.Fatalf("perfect dataset has findings: %v", got)
	}
	for name, s := range map[string]*float64{"overall": a.Scores.Overall, "completeness": a.Scores.Completeness, "freshness": a.Scores.Freshness,
		"openness": a.Scores.Openness, "availability": a.Scores.Availability} {
		if s == nil || *s != 100 {
			t.Errorf("%s = %v, want 100", name, s)
		}
	}
	if a.Stars != 3 || !a.OpenLicence || !a.OpenFormat || !a.MachineReadable || a.FreshnessStatus != vigie.FreshFresh ||
		a.Frequency != "monthly" || a.FreshnessEvidence != quality.EvidenceResModified {
		t.Fatalf("assessment = %+v", a)
	}
}

func TestCompletenessRules(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	res := func(i int, f func(r *vigie.Resource)) func(d *vigie.Dataset) {
		return func(d *vigie.Dataset) { f(&d.Resources[i]) }
	}
	cases := []struct {
		name   string
		mutate func(d *vigie.Dataset)
		want   []string // completeness rules@resource
		points float64  // points lost in completeness (0: not checked)
	}{
		{"no title", func(d *vigie.Dataset) { d.Title = " " }, []string{"DQ-TITLE-MISSING@"}, 8},
		{"no description", func(d *vigie.Dataset) { d.Notes = "" }, []string{"DQ-DESCRIPTION-MISSING@"}, 8},
		{"short description", func(d *vigie.Dataset) { d.Notes = "Vélos." }, []string{"DQ-DESCRIPTION-SHORT@"}, 4},
		{"no keywords", func(d *vigie.Dataset) { d.Tags = []string{""} }, []string{"DQ-KEYWORDS-MISSING@"}, 6},
		{"no licence", func(d *vigie.Dataset) { d.LicenseID = "" }, []string{"DQ-LICENCE-MISSING@"}, 8},
		{"licence not specified", func(d *vigie.Dataset) { d.LicenseID = "notspecified" }, []string{"DQ-LICENCE-MISSING@"}, 8},
		{"licence not in DQ list", func(d *vigie.Dataset) { d.LicenseID = "odc-odbl" }, []string{"DQ-LICENCE-NOT-ALLOWED@"}, 8},
		{"licence case-insensitive", func(d *vigie.Dataset) { d.LicenseID = "CC-BY" }, nil, 0},
		{"no publisher", func(d *vigie.Dataset) { d.Organization = "" }, []string{"DQ-PUBLISHER-MISSING@"}, 6},
		{"no author", func(d *vigie.Dataset) { d.Author = "" }, []string{"DQ-AUTHOR-MISSING@"}, 3},
		{"no e-mail", func(d *vigie.Dataset) { d.AuthorEmail = "" }, []string{"DQ-EMAIL-MISSING@"}, 5},
		{"bad e-mail", func(d *vigie.Dataset) { d.AuthorEmail = "donnees at montreal" }, []string{"DQ-EMAIL-INVALID@"}, 5},
		{"display-name e-mail", func(d *vigie.Dataset) { d.AuthorEmail = "Données <donnees@montreal.ca>" }, []string{"DQ-EMAIL-INVALID@"}, 5},
		{"no domain dot", func(d *vigie.Dataset) { d.AuthorEmail = "donnees@localhost" }, []string{"DQ-EMAIL-INVALID@"}, 5},
		{"no frequency", func(d *vigie.Dataset) { delete(d.Extras, "update_frequency") }, []string{"DQ-FREQUENCY-MISSING@"}, 6},
		{"frequency off vocabulary", func(d *vigie.Dataset) { d.Extras["update_frequency"] = "sometimes" }, []string{"DQ-FREQUENCY-INVALID@"}, 6},
		{"no language", func(d *vigie.Dataset) { d.Extras["language"] = "" }, []string{"DQ-LANGUAGE-MISSING@"}, 4},
		{"language EN", func(d *vigie.Dataset) { d.Extras["language"] = "EN" }, []string{"DQ-LANGUAGE-INVALID@"}, 4},
		{"language as list", func(d *vigie.Dataset) { d.Extras["language"] = `["FR_EN"]` }, nil, 0},
		{"no ext_spatial", func(d *vigie.Dataset) { delete(d.Extras, "ext_spatial") }, []string{"DQ-SPATIAL-MISSING@"}, 4},
		{"no temporal", func(d *vigie.Dataset) { d.Extras["temporal"] = "" }, []string{"DQ-TEMPORAL-MISSING@"}, 3},
		{"temporal years only", func(d *vigie.Dataset) { d.Extras["temporal"] = "2020/2021" }, []string{"DQ-TEMPORAL-FORMAT@"}, 3},
		{"temporal reversed", func(d *vigie.Dataset) { d.Extras["temporal"] = "2021-01-01 / 2020-01-01" }, []string{"DQ-TEMPORAL-FORMAT@"}, 3},
		{"temporal impossible date", func(d *vigie.Dataset) { d.Extras["temporal"] = "2020-02-30 / 2021-01-01" }, []string{"DQ-TEMPORAL-FORMAT@"}, 3},
		{"temporal snapshot", func(d *vigie.Dataset) { d.Extras["temporal"] = "2022-12-19" }, nil, 0},
		{"blank methodology", func(d *vigie.Dataset) { d.Extras["methodologie"] = "\n\n" }, []string{"DQ-METHODOLOGY-MISSING@"}, 4},
		{"no category", func(d *vigie.Dataset) { d.Groups = nil }, []string{"DQ-CATEGORY-MISSING@"}, 2},
		{"no data resource", res(0, func(r *vigie.Resource) { r.ResourceType = "web" }), []string{"DQ-DATA-RESOURCE-MISSING@"}, 5},
		{"resource without name", res(0, func(r *vigie.Resource) { r.Name = "" }), []string{"RES-NAME-MISSING@r1"}, 1.5},
		{"resource without description", res(1, func(r *vigie.Resource) { r.Description = "" }), []string{"RES-DESCRIPTION-MISSING@r2"}, 2},
		{"resource without format", res(0, func(r *vigie.Resource) { r.Format = "" }), []string{"RES-FORMAT-MISSING@r1"}, 2},
		{"lower-case format", res(0, func(r *vigie.Resource) { r.Format = "csv" }), []string{"RES-FORMAT-CASE@r1"}, 1},
		{"GEOJSON must be GeoJSON", res(0, func(r *vigie.Resource) { r.Format = "GEOJSON" }), []string{"RES-FORMAT-CASE@r1"}, 1},
		{"GeoJSON is right", res(0, func(r *vigie.Resource) { r.Format = "GeoJSON" }), nil, 0},
		{"unknown format", res(0, func(r *vigie.Resource) { r.Format = "FOOBAR" }), []string{"RES-FORMAT-UNKNOWN@r1"}, 1},
		{"no resource type", res(1, func(r *vigie.Resource) { r.ResourceType = "" }), []string{"RES-TYPE-MISSING@r2"}, 2},
		{"file.upload type", res(1, func(r *vigie.Resource) { r.ResourceType = "file.upload" }), []string{"RES-TYPE-FILE@r2"}, 2},
		{"odd type", res(1, func(r *vigie.Resource) { r.ResourceType = "autre" }), []string{"RES-TYPE-INVALID@r2"}, 2},
		{"relidi missing", res(0, func(r *vigie.Resource) { delete(r.Extras, "relidi_confic_utf8") }), []string{"RES-RELIDI-MISSING@r1"}, 0.44},
		{"relidi says non", res(0, func(r *vigie.Resource) { r.Extras["relidi_confic_utf8"] = "non" }), []string{"RES-RELIDI-NONCONFORM@r1"}, 0.44},
		{"fields undocumented", res(0, func(r *vigie.Resource) { r.Extras["relidi_description_champs"] = "relidi.descha.absent" }), []string{"RES-RELIDI-NONCONFORM@r1"}, 0.44},
		{"complementary resource is exempt", func(d *vigie.Dataset) {
			d.Resources = append(d.Resources, vigie.Resource{ID: "r3", Name: "Extrait", Description: "Échantillon.", Format: "JSON", URL: "https://donnees.example.ca/e.json",
				ResourceType: "donnees", Extras: map[string]string{"relidi_ressource_complementaire": `["relidi.rescom"]`}})
		}, nil, 0},
		{"support resource needs no relidi", res(1, func(r *vigie.Resource) { r.Extras = nil }), nil, 0},
		{"zip of CSV", res(0, func(r *vigie.Resource) { r.URL = "https://donnees.example.ca/comptages.zip" }), []string{"RES-COMPRESSED@r1"}, 1},
		{"zipped shapefile is fine", res(0, func(r *vigie.Resource) { r.Format, r.URL = "SHP", "https://donnees.example.ca/c.zip" }), nil, 0},
		{"no resources", func(d *vigie.Dataset) { d.Resources = nil }, []string{"DQ-DATA-RESOURCE-MISSING@", "DQ-RESOURCES-MISSING@"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := perfectDQ()
			c.mutate(d)
			a := quality.Score(d, okLinks(d), dq, now)
			checkSums(t, a, false)
			got := rules(a, vigie.DimCompleteness)
			want := c.want
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Fatalf("completeness findings = %v, want %v", got, want)
			}
			if c.points > 0 && math.Abs(100-*a.Scores.Completeness-c.points) > 0.011 {
				t.Fatalf("lost %v points, want %v", 100-*a.Scores.Completeness, c.points)
			}
		})
	}
}

func TestCKANProfileRules(t *testing.T) {
	ck := quality.MustProfile("ckan")
	d := perfectDQ()
	d.MaintainerEmail = ""
	d.AuthorEmail = ""
	d.Resources[0].URL = "not a url"
	a := quality.Score(d, nil, ck, now)
	checkSums(t, a, false)
	want := []string{"CKAN-CONTACT-MISSING@", "RES-URL-INVALID@r1"}
	if got := rules(a, vigie.DimCompleteness); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// ckan has no ext_spatial, language, relidi or resource-type rules.
	d = perfectDQ()
	d.Extras = map[string]string{"frequency": "http://publications.europa.eu/resource/authority/frequency/MONTHLY"}
	d.Resources[1].ResourceType = "file.upload"
	a = quality.Score(d, nil, ck, now)
	if got := rules(a, vigie.DimCompleteness); len(got) != 0 {
		t.Fatalf("ckan profile applied Données Québec rules: %v", got)
	}
	if a.Frequency != "monthly" {
		t.Fatalf("frequency from EU URI = %q", a.Frequency)
	}
}

func TestRealShawiniganRecord(t *testing.T) {
	d := loadPackage(t, "donneesquebec.ca/NOT_API_esri2ckan_package_create_input_shawinigan_2019.json")
	if quality.DefaultProfileFor("https://example.org", []*vigie.Dataset{d}) != "donneesquebec" {
		t.Fatal("a record with update_frequency and relidi_* declarations must pick the donneesquebec profile")
	}
	a := quality.Score(d, nil, quality.MustProfile("donneesquebec"), now)
	checkSums(t, a, false)
	// The harvester-built record has no organization, no temporal coverage, a
	// blank methodology and no resource descriptions; every other rule passes
	// (cc-by, FR, ville-shawinigan, irregular, GeoJSON spelled right, the REST
	// service ticked complementary, the zipped SHP allowed).
	want := []string{"DQ-METHODOLOGY-MISSING@", "DQ-PUBLISHER-MISSING@", "DQ-TEMPORAL-MISSING@"}
	for i := 0; i < 6; i++ {
		want = append(want, "RES-DESCRIPTION-MISSING@")
	}
	sort.Strings(want)
	if got := rules(a, vigie.DimCompleteness); !slices.Equal(got, want) {
		t.Fatalf("completeness findings = %v\nwant %v", got, want)
	}
	// 6 + 3 + 4 points, plus the 4 points of res_description: 83.
	if *a.Scores.Completeness != 83 {
		t.Fatalf("completeness = %v, want 83", *a.Scores.Completeness)
	}
	if a.FreshnessStatus != vigie.FreshNotApplicable || a.Scores.Freshness != nil || a.Frequency != "irregular" {
		t.Fatalf("freshness = %q %v %q", a.FreshnessStatus, a.Scores.Freshness, a.Frequency)
	}
	if a.Stars != 3 || *a.Scores.Openness != 100 || !a.OpenLicence {
		t.Fatalf("openness = %d stars, %v, open licence %v", a.Stars, *a.Scores.Openness, a.OpenLicence)
	}
	if a.Scores.Availability != nil {
		t.Fatal("links never checked: availability must be unknown")
	}
	// overall = (40×83 + 20×100) / 60
	if math.Abs(*a.Scores.Overall-88.67) > 0.001 {
		t.Fatalf("overall = %v", *a.Scores.Overall)
	}
}

func TestRealOpendataSwissHasNoLicence(t *testing.T) {
	d := loadPackage(t, "opendata.swiss/package_show_reisen-der-schweizer-wohnbevolkerung-2019.json")
	if quality.DefaultProfileFor("https://ckan.opendata.swiss", []*vigie.Dataset{d}) != "ckan" {
		t.Fatal("opendata.swiss must get the ckan profile")
	}
	a := quality.Score(d, nil, quality.MustProfile("ckan"), now)
	checkSums(t, a, false)
	// No licence_id, but every distribution's dct:rights gives
	// opendata.swiss's terms: commercial use only with permission, not open.
	if a.Stars != 0 || *a.Scores.Openness != 0 || a.OpenLicence || a.LicenceStatus != vigie.LicenceNotOpen {
		t.Fatalf("terms needing permission for commercial use must give 0 stars: %+v", a)
	}
	if got := rules(a, vigie.DimOpenness); !slices.Equal(got, []string{"OPEN-LICENCE-NOT-OPEN@"}) {
		t.Fatalf("openness findings = %v", got)
	}
	comp := rules(a, vigie.DimCompleteness)
	if !slices.Contains(comp, "CKAN-LICENCE-MISSING@") {
		t.Fatalf("completeness findings %v lack the licence", comp)
	}
	// Its formats are PDF and HTML: open format (HTML, EDP list) but nothing machine-readable.
	if !a.OpenFormat || a.MachineReadable {
		t.Fatalf("open format %v, machine readable %v", a.OpenFormat, a.MachineReadable)
	}
	// accrual_periodicity is null: no frequency.
	if a.FreshnessStatus != vigie.FreshUnknown {
		t.Fatalf("freshness status %q", a.FreshnessStatus)
	}
}

func TestRealFixturesKeepTheInvariant(t *testing.T) {
	files := []string{
		"data.boston.gov/package_show_crime-incident-reports_2020-06.json",
		"data.gov.au/package_show_2021-04.json",
		"data.gov.uk/package_show_create.json",
		"data.gov.uk/package_show_update.json",
		"data.gov.uk/package_show_inspire.json",
		"data.gov.uk/package_show_empty.json",
		"govdata.de/package_show_2020-09.json",
		"open.canada.ca/package_show_fuel-consumption-ratings_2023-08.json",
		"demo.ckan.org/package_show_17be64bb-da74-4195-9bb8-565c39846af2_2017-10.json",
	}
	for _, f := range files {
		d := loadPackage(t, f)
		for _, p := range quality.BuiltinProfiles() {
			prof := quality.MustProfile(p)
			a := quality.Score(d, nil, prof, now)
			checkSums(t, a, prof.MQAFindings)
			// And with every kind of link result spread over the resources.
			for shift := range 6 {
				links := map[string]vigie.LinkResult{}
				for i, r := range d.Resources {
					c := []vigie.LinkClass{vigie.LinkOK, vigie.LinkBroken, vigie.LinkUnsure, vigie.LinkFailing, vigie.LinkBlocked, vigie.LinkInvalid}[(i+shift)%6]
					links[r.URL] = vigie.LinkResult{URL: r.URL, Class: c, Status: 200, CheckedAt: now}
				}
				checkSums(t, quality.Score(d, links, prof, now), prof.MQAFindings)
			}
		}
	}
	// govdata.de declares dct:accrualPeriodicity as an EU URI (NEVER) and
	// its licence on the distributions only (dl-by-de/2.0, open).
	d := loadPackage(t, "govdata.de/package_show_2020-09.json")
	a := quality.Score(d, nil, quality.MustProfile("ckan"), now)
	if a.Frequency != "notPlanned" || a.FreshnessStatus != vigie.FreshNotApplicable {
		t.Fatalf("govdata.de frequency %q (%s) not understood: %q", d.Extra("frequency"), a.FreshnessStatus, a.Frequency)
	}
	if d.LicenseID != "" || !a.OpenLicence || a.Stars != 3 || slices.Contains(rules(a, vigie.DimCompleteness), "CKAN-LICENCE-MISSING@") {
		t.Fatalf("govdata.de distribution licence not used: open %v, %d stars, %v", a.OpenLicence, a.Stars, rules(a, ""))
	}
	// data.gov.au declares update_freq quarterly; its resources are years old.
	d = loadPackage(t, "data.gov.au/package_show_2021-04.json")
	a = quality.Score(d, nil, quality.MustProfile("ckan"), now)
	if a.Frequency != "quarterly" || a.FreshnessStatus != vigie.FreshDelinquent || *a.Scores.Freshness != 0 {
		t.Fatalf("data.gov.au freshness %s %s", a.Frequency, a.FreshnessStatus)
	}
}

func TestLegacyDatasetsGetWarnings(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	d := perfectDQ()
	d.Title = ""
	d.MetadataCreated = time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)
	a := quality.Score(d, okLinks(d), dq, now)
	checkSums(t, a, false)
	var title *vigie.Finding
	for i := range a.Findings {
		if a.Findings[i].Rule == "DQ-TITLE-MISSING" {
			title = &a.Findings[i]
		}
	}
	if title == nil || title.Severity != vigie.SevWarning || title.Points != 8 || !slices.Contains(rules(a, vigie.DimCompleteness), "DQ-LEGACY@") {
		t.Fatalf("legacy dataset findings: %+v", a.Findings)
	}
	d.MetadataCreated = time.Date(2016, 4, 1, 0, 0, 0, 0, time.UTC)
	a = quality.Score(d, okLinks(d), dq, now)
	if slices.Contains(rules(a, vigie.DimCompleteness), "DQ-LEGACY@") || a.Findings[0].Severity != vigie.SevError {
		t.Fatalf("a dataset of April 2016 is not legacy: %+v", a.Findings)
	}
}
