package quality_test

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
)

func day(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

func TestFreshnessThresholdEdges(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	cases := []struct {
		freq string
		age  time.Duration
		want vigie.Freshness
	}{
		{"hourly", 59 * time.Minute, vigie.FreshFresh},
		{"hourly", time.Hour, vigie.FreshDue},
		{"hourly", 2 * time.Hour, vigie.FreshOverdue},
		{"hourly", 3 * time.Hour, vigie.FreshDelinquent},
		{"daily", day(1) - time.Second, vigie.FreshFresh},
		{"daily", day(1), vigie.FreshDue},
		{"daily", day(2) - time.Second, vigie.FreshDue},
		{"daily", day(2), vigie.FreshOverdue},
		{"daily", day(3), vigie.FreshDelinquent},
		{"weekly", day(6), vigie.FreshFresh},
		{"weekly", day(14), vigie.FreshOverdue},
		{"monthly", day(29), vigie.FreshFresh},
		{"monthly", day(30), vigie.FreshDue},
		{"monthly", day(43), vigie.FreshDue},
		{"monthly", day(44), vigie.FreshOverdue},
		{"monthly", day(59), vigie.FreshOverdue},
		{"monthly", day(60), vigie.FreshDelinquent},
		{"quarterly", day(89), vigie.FreshFresh},
		{"quarterly", day(120), vigie.FreshOverdue},
		{"semiannual", day(179), vigie.FreshFresh},
		{"semiannual", day(180), vigie.FreshDue},
		{"semiannual", day(210), vigie.FreshOverdue},
		{"semiannual", day(240), vigie.FreshDelinquent},
		{"annual", day(364), vigie.FreshFresh},
		{"annual", day(365), vigie.FreshDue},
		{"annual", day(424), vigie.FreshDue},
		{"annual", day(425), vigie.FreshOverdue},
		{"annual", day(454), vigie.FreshOverdue},
		{"annual", day(455), vigie.FreshDelinquent},
		{"biennial", day(729), vigie.FreshFresh},
		{"biennial", day(785), vigie.FreshOverdue},
		{"triennial", day(1094), vigie.FreshFresh},
		{"triennial", day(1095), vigie.FreshDue},
		{"triennial", day(1275), vigie.FreshDelinquent},
		{"quinquennial", day(1824), vigie.FreshFresh},
		{"quinquennial", day(1975), vigie.FreshOverdue},
		{"quinquennial", day(2125), vigie.FreshDelinquent},
	}
	wantScore := map[vigie.Freshness]float64{vigie.FreshFresh: 100, vigie.FreshDue: 75, vigie.FreshOverdue: 40, vigie.FreshDelinquent: 0}
	for _, c := range cases {
		d := perfectDQ()
		d.Extras["update_frequency"] = c.freq
		for i := range d.Resources {
			d.Resources[i].LastModified = tp(now.Add(-c.age))
		}
		a := quality.Score(d, nil, dq, now)
		checkSums(t, a, false)
		if a.FreshnessStatus != c.want || *a.Scores.Freshness != wantScore[c.want] {
			t.Errorf("%s, age %v: %s %v, want %s", c.freq, c.age, a.FreshnessStatus, *a.Scores.Freshness, c.want)
		}
		if c.want != vigie.FreshFresh && !slices.Contains(rules(a, vigie.DimFreshness), "FRESH-"+strings.ToUpper(string(c.want))+"@") {
			t.Errorf("%s, age %v: findings %v", c.freq, c.age, rules(a, vigie.DimFreshness))
		}
	}
}

func TestFreshnessStatusesWithoutSchedule(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	for freq, want := range map[string]vigie.Freshness{
		"continuous": vigie.FreshNotApplicable, "asNeeded": vigie.FreshNotApplicable, "irregular": vigie.FreshNotApplicable,
		"notPlanned": vigie.FreshNotApplicable, "": vigie.FreshUnknown, "someday": vigie.FreshUnknown,
	} {
		d := perfectDQ()
		d.Extras["update_frequency"] = freq
		d.Resources[0].LastModified = tp(now.AddDate(-10, 0, 0))
		a := quality.Score(d, nil, dq, now)
		checkSums(t, a, false)
		if a.FreshnessStatus != want || a.Scores.Freshness != nil {
			t.Errorf("%q: %s %v, want %s and no score", freq, a.FreshnessStatus, a.Scores.Freshness, want)
		}
	}
}

func TestFreshnessEvidence(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	// Resource dates beat metadata_modified, even when older.
	d := perfectDQ()
	d.MetadataModified = now.Add(-time.Hour)
	d.Resources[0].LastModified = tp(now.AddDate(0, 0, -50))
	d.Resources[1].LastModified = nil
	d.Resources[1].Created = tp(now.AddDate(0, 0, -70))
	a := quality.Score(d, nil, dq, now)
	if a.FreshnessEvidence != quality.EvidenceResModified || a.FreshnessStatus != vigie.FreshOverdue {
		t.Fatalf("evidence %q status %q", a.FreshnessEvidence, a.FreshnessStatus)
	}
	// The link checker's Last-Modified counts when it is later and plausible.
	links := okLinks(d)
	lr := links[d.Resources[0].URL]
	lr.LastModified = tp(now.AddDate(0, 0, -3))
	links[d.Resources[0].URL] = lr
	a = quality.Score(d, links, dq, now)
	if a.FreshnessEvidence != quality.EvidenceHTTP || a.FreshnessStatus != vigie.FreshFresh {
		t.Fatalf("with Last-Modified: evidence %q status %q", a.FreshnessEvidence, a.FreshnessStatus)
	}
	// ...but not when it equals the check time (a page generated on the fly).
	lr.LastModified = tp(lr.CheckedAt)
	links[d.Resources[0].URL] = lr
	a = quality.Score(d, links, dq, now)
	if a.FreshnessEvidence == quality.EvidenceHTTP {
		t.Fatal("a Last-Modified equal to the check time must be ignored")
	}
	// No resource date: metadata_modified, said so.
	d = perfectDQ()
	for i := range d.Resources {
		d.Resources[i].LastModified, d.Resources[i].Created = nil, nil
	}
	d.MetadataModified = now.AddDate(0, 0, -31)
	a = quality.Score(d, nil, dq, now)
	if a.FreshnessEvidence != quality.EvidenceMetaModified || a.FreshnessStatus != vigie.FreshDue {
		t.Fatalf("metadata evidence %q status %q", a.FreshnessEvidence, a.FreshnessStatus)
	}
	var msg string
	for _, f := range a.Findings {
		if f.Rule == "FRESH-DUE" {
			msg = f.Message.FR + f.Message.EN
		}
	}
	if !strings.Contains(msg, "metadata_modified") || !strings.Contains(msg, "31") {
		t.Fatalf("the message must say which date was used and how old: %q", msg)
	}
	// Dates in the future are not evidence.
	d.Resources[0].LastModified = tp(now.AddDate(1, 0, 0))
	a = quality.Score(d, nil, dq, now)
	if a.FreshnessEvidence != quality.EvidenceMetaModified {
		t.Fatalf("a future date was used: %q", a.FreshnessEvidence)
	}
}

func TestNormalizeFrequency(t *testing.T) {
	cases := map[string]string{
		"annual": "annual", "ANNUAL": "annual", "http://publications.europa.eu/resource/authority/frequency/ANNUAL": "annual",
		"http://publications.europa.eu/resource/authority/frequency/ANNUAL_2": "semiannual", "ANNUAL_3": "triannual",
		"BIWEEKLY": "fortnightly", "IRREG": "irregular", "UPDATE_CONT": "continuous", "NEVER": "notPlanned", "NOT_PLANNED": "notPlanned",
		"Mensuel": "monthly", "trimestrielle": "quarterly", "semestriel": "semiannual", "Au besoin": "asNeeded", "temps réel": "continuous",
		"quinquennial": "quinquennial", "triennial": "triennial", "hourly": "hourly", "biannually": "semiannual", "annually": "annual",
		"P1Y": "annual", "P3M": "quarterly", "P1M": "monthly", "P1W": "weekly", "P1D": "daily", "PT1H": "hourly", "P6M": "semiannual", "P2Y": "biennial",
		`["monthly"]`: "monthly", "asNeeded": "asNeeded", "as_needed": "asNeeded",
	}
	for in, want := range cases {
		if got, ok := quality.NormalizeFrequency(in); !ok || got != want {
			t.Errorf("NormalizeFrequency(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "UNKNOWN", "OTHER", "sometimes", "P0D", "Pxyz"} {
		if got, ok := quality.NormalizeFrequency(in); ok {
			t.Errorf("NormalizeFrequency(%q) = %q, want not recognised", in, got)
		}
	}
}

func TestLicenceAliases(t *testing.T) {
	tr, fa := true, false
	cases := []struct {
		id          string
		isopen      *bool
		open, known bool
	}{
		{"cc-by", nil, true, true}, {"CC-BY-4.0", nil, true, true}, {"cc-zero", nil, true, true}, {"CC0-1.0", nil, true, true},
		{"OGL-Canada-2.0", nil, true, true}, {"odc-odbl", nil, true, true}, {"other-open", nil, true, true}, {"uk-ogl", nil, true, true},
		{"cc-by-sa", nil, true, true}, {"odc-pddl", nil, true, true}, {"dl-de-by-2.0", nil, true, true},
		{"cc-by-nc", nil, false, true}, {"cc-by-nd", nil, false, true}, {"CC-BY-NC-4.0", nil, false, true}, {"notspecified", nil, false, true},
		{"", nil, false, true}, {"other-closed", nil, false, true},
		{"cc-by-nc", &tr, false, true}, // the table beats a wrong isopen
		{"my-city-licence", &tr, true, true}, {"my-city-licence", &fa, false, false},
		{"ODbL", nil, true, true}, {"hdx-odc-odbl", nil, true, true}, {"hdx-pddl", nil, true, true}, {"Public Domain", nil, true, true},
		{"ca-ogl-lgo", &fa, true, true}, // isopen false is no verdict: CKAN computes it from an unreviewed register entry
		{"CC-BY-4.0", nil, true, true}, {"OGL-UK-3.0", nil, true, true}, {"ODbL-1.0", nil, true, true}, {"other-pd", nil, true, true},
		{"CC0-1.0", nil, true, true}, {"ODC-PDDL-1.0", nil, true, true}, {"dl-de-by-2.0", &fa, true, true}, {"ukcrown", nil, false, true}, {"my-city-licence", nil, false, false},
		{"https://creativecommons.org/licenses/by/4.0/", nil, true, true}, {"http://creativecommons.org/licenses/by-nc/4.0/legalcode", nil, false, true},
		{"http://dcat-ap.de/def/licenses/dl-by-de/2.0", nil, true, true}, {"https://www.donneesquebec.ca/licence/#cc-by", nil, true, true},
		{"http://publications.europa.eu/resource/authority/licence/CC_BY_4_0", nil, true, true},
		{"https://example.org/our-terms", nil, false, false},
	}
	for _, c := range cases {
		open, known := quality.LicenceOpen(c.id, c.isopen)
		if open != c.open || known != c.known {
			t.Errorf("LicenceOpen(%q, %v) = %v %v, want %v %v", c.id, c.isopen, open, known, c.open, c.known)
		}
	}
}

func TestOpennessStars(t *testing.T) {
	ck := quality.MustProfile("ckan")
	cases := []struct {
		name   string
		mutate func(d *vigie.Dataset, l map[string]vigie.LinkResult)
		stars  int
		rule   string
		score  float64
	}{
		{"CSV is three stars", nil, 3, "OPEN-NOT-LINKED", 60},
		{"RDF is five", func(d *vigie.Dataset, l map[string]vigie.LinkResult) { d.Resources[0].Format = "RDF" }, 5, "", 100},
		{"XLSX is two", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			d.Resources[0].Format = "XLSX"
			d.Resources[0].URL = "https://x.ca/a.xlsx"
		}, 2, "OPEN-FORMAT-STARS", 40},
		{"no format, URL extension", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			d.Resources[0].Format = ""
			d.Resources[0].URL = "https://x.ca/a.geojson"
		}, 3, "OPEN-NOT-LINKED", 60},
		{"no format, content type", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			d.Resources[0].Format = ""
			d.Resources[0].URL = "https://x.ca/export?id=3"
			l[d.Resources[0].URL] = vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "application/json; charset=utf-8"}
		}, 3, "OPEN-NOT-LINKED", 60},
		{"not open licence", func(d *vigie.Dataset, l map[string]vigie.LinkResult) { d.LicenseID = "cc-by-nc" }, 0, "OPEN-LICENCE-NOT-OPEN", 0},
		{"licence not specified", func(d *vigie.Dataset, l map[string]vigie.LinkResult) { d.LicenseID = "notspecified" }, 0, "OPEN-LICENCE-MISSING", 0},
		{"unknown licence", func(d *vigie.Dataset, l map[string]vigie.LinkResult) { d.LicenseID = "licence-maison" }, 0, "OPEN-LICENCE-UNKNOWN", -1},
		{"unknown licence CKAN says open", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			d.LicenseID = "licence-maison"
			v := true
			d.IsOpen = &v
		}, 3, "OPEN-NOT-LINKED", 60},
		{"broken CSV falls back to the PDF", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			l[d.Resources[0].URL] = vigie.LinkResult{Class: vigie.LinkBroken, Status: 404}
		}, 1, "OPEN-FORMAT-STARS", 20},
		{"a CSV that serves an HTML page falls back to the PDF", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			l[d.Resources[0].URL] = vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "text/html", LandingPage: true}
		}, 1, "OPEN-FORMAT-STARS", 20},
		{"only a landing page", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			d.Resources = d.Resources[:1]
			l[d.Resources[0].URL] = vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "text/html", LandingPage: true}
		}, 0, "OPEN-NOT-DATA", 0},
		{"everything broken", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			for _, r := range d.Resources {
				l[r.URL] = vigie.LinkResult{Class: vigie.LinkBroken, Status: 404}
			}
		}, 0, "OPEN-LINK-BROKEN", 0},
		{"only an HTML page", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			d.Resources = d.Resources[:1]
			d.Resources[0].Format = "HTML"
			d.Resources[0].URL = "https://x.ca/page"
		}, 0, "OPEN-NOT-DATA", 0},
		{"unknown format is one star", func(d *vigie.Dataset, l map[string]vigie.LinkResult) {
			d.Resources = d.Resources[:1]
			d.Resources[0].Format = "BLOB"
			d.Resources[0].URL = "https://x.ca/data"
		}, 1, "OPEN-FORMAT-STARS", 20},
	}
	for _, c := range cases {
		d := perfectDQ()
		l := okLinks(d)
		if c.mutate != nil {
			c.mutate(d, l)
		}
		a := quality.Score(d, l, ck, now)
		checkSums(t, a, false)
		got := rules(a, vigie.DimOpenness)
		var want []string
		if c.rule != "" {
			want = []string{c.rule + "@"}
			if !strings.HasPrefix(c.rule, "OPEN-LICENCE") {
				want = nil
				for _, f := range a.Findings {
					if f.Dimension == vigie.DimOpenness {
						want = append(want, c.rule+"@"+f.ResourceID)
					}
				}
			}
		}
		score := -1.0 // unknown
		if a.Scores.Openness != nil {
			score = *a.Scores.Openness
		}
		if a.Stars != c.stars || score != c.score || !slices.Equal(got, want) || (c.rule != "" && len(got) != 1) {
			t.Errorf("%s: %d stars, score %v, findings %v; want %d, %v, %s", c.name, a.Stars, score, got, c.stars, c.score, c.rule)
		}
	}
}

func TestAvailability(t *testing.T) {
	ck := quality.MustProfile("ckan")
	d := perfectDQ()
	d.Resources = append(d.Resources,
		vigie.Resource{ID: "r3", Name: "c", URL: "https://x.ca/c.csv", Format: "CSV"},
		vigie.Resource{ID: "r4", Name: "d", URL: "https://x.ca/d.csv", Format: "CSV"},
		vigie.Resource{ID: "r5", Name: "e", URL: "https://x.ca/e.csv", Format: "CSV"})
	l := okLinks(d)
	l["https://x.ca/c.csv"] = vigie.LinkResult{Class: vigie.LinkBroken, Status: 404, Reason: "Not Found"}
	l["https://x.ca/d.csv"] = vigie.LinkResult{Class: vigie.LinkUnsure, Status: 403}
	l["https://x.ca/e.csv"] = vigie.LinkResult{Class: vigie.LinkFailing, Status: 503, Failures: 2}
	a := quality.Score(d, l, ck, now)
	checkSums(t, a, false)
	// 3 assessed (unsure, and failing until confirmed, left out), 2 work.
	if *a.Scores.Availability != 66.67 {
		t.Fatalf("availability = %v", *a.Scores.Availability)
	}
	want := []string{"LINK-BROKEN@r3", "LINK-FAILING@r5", "LINK-UNSURE@"}
	if got := rules(a, vigie.DimAvailability); !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	for _, f := range a.Findings {
		if f.Rule == "LINK-FAILING" && (f.Points != 0 || f.Severity != vigie.SevWarning) {
			t.Fatalf("a link not yet confirmed broken costs %v points (%s); the debounce has not settled it", f.Points, f.Severity)
		}
	}
	// The same link, once confirmed broken, counts: 2 of 4 work.
	l["https://x.ca/e.csv"] = vigie.LinkResult{Class: vigie.LinkBroken, Status: 503, Failures: 3}
	if a := quality.Score(d, l, ck, now); *a.Scores.Availability != 50 {
		t.Fatalf("confirmed broken: availability = %v", *a.Scores.Availability)
	}
	// A dataset whose only link failed once: unknown, not 0.
	one := perfectDQ()
	one.Resources = one.Resources[:1]
	if a := quality.Score(one, map[string]vigie.LinkResult{one.Resources[0].URL: {Class: vigie.LinkFailing, Status: 503, Failures: 1}}, ck, now); a.Scores.Availability != nil {
		t.Fatalf("failed once: availability = %v, want unknown", *a.Scores.Availability)
	}
	// Three resources, one broken: the lost thirds still add up to 100 − score.
	d = perfectDQ()
	d.Resources = append(d.Resources, vigie.Resource{ID: "r3", URL: "https://x.ca/c.csv"})
	l = okLinks(d)
	l["https://x.ca/c.csv"] = vigie.LinkResult{Class: vigie.LinkBlocked, Reason: "resolves to 10.0.0.1"}
	a = quality.Score(d, l, ck, now)
	checkSums(t, a, false)
	if *a.Scores.Availability != 66.67 {
		t.Fatalf("availability = %v", *a.Scores.Availability)
	}
	// Only unsure or unchecked links: unknown, not zero.
	d = perfectDQ()
	l = map[string]vigie.LinkResult{d.Resources[0].URL: {Class: vigie.LinkUnsure, Status: 429}, "https://elsewhere": {Class: vigie.LinkOK}}
	a = quality.Score(d, l, ck, now)
	if a.Scores.Availability != nil {
		t.Fatalf("unsure/unchecked links gave %v", *a.Scores.Availability)
	}
	a = quality.Score(d, nil, ck, now)
	if a.Scores.Availability != nil || !slices.Contains(rules(a, vigie.DimAvailability), "LINK-NOT-CHECKED@") {
		t.Fatal("never checked must be unknown with a note")
	}
	// Links were checked, but none of this dataset's yet (an empty map, as
	// the store passes it): unknown, each resource counted as unchecked.
	a = quality.Score(d, map[string]vigie.LinkResult{}, ck, now)
	if got := rules(a, vigie.DimAvailability); a.Scores.Availability != nil || !slices.Equal(got, []string{"LINK-UNCHECKED@"}) {
		t.Fatalf("checked elsewhere only: availability %v, findings %v", a.Scores.Availability, got)
	}
}

func TestMQAPerfectIs405(t *testing.T) {
	d := perfectDQ()
	a := quality.Score(d, okLinks(d), quality.MustProfile("mqa"), now)
	checkSums(t, a, true)
	if a.MQA.Points != quality.MQAMax || a.MQA.Rating != "excellent" || len(rules(a, vigie.DimMQA)) != 0 {
		t.Fatalf("MQA = %+v, findings %v", a.MQA, rules(a, vigie.DimMQA))
	}
	if *a.Scores.Overall != 100 {
		t.Fatalf("mqa profile overall = %v, want 100", *a.Scores.Overall)
	}
	// Without link checks the URL status indicators (50 + 30) are not earned.
	a = quality.Score(d, nil, quality.MustProfile("mqa"), now)
	checkSums(t, a, true)
	if a.MQA.Points != 405-80 {
		t.Fatalf("unchecked links: %d points", a.MQA.Points)
	}
	// 3xx does not count, only 200–299.
	l := okLinks(d)
	for k, v := range l {
		v.Status = 301
		l[k] = v
	}
	if a = quality.Score(d, l, quality.MustProfile("mqa"), now); a.MQA.Points != 405-80 {
		t.Fatalf("3xx links: %d points", a.MQA.Points)
	}
	// An empty dataset earns only the dataset-level dates and DCAT-AP nothing.
	e := &vigie.Dataset{ID: "e", MetadataCreated: now, MetadataModified: now}
	a = quality.Score(e, nil, quality.MustProfile("mqa"), now)
	checkSums(t, a, true)
	if a.MQA.Points != 10 || a.MQA.Rating != "bad" {
		t.Fatalf("empty dataset MQA = %+v", a.MQA)
	}
}

func TestMQALicenceNotSpecified(t *testing.T) {
	d := perfectDQ()
	full := quality.Score(d, okLinks(d), quality.MustProfile("mqa"), now)
	d.LicenseID = "notspecified"
	a := quality.Score(d, okLinks(d), quality.MustProfile("mqa"), now)
	checkSums(t, a, true)
	got := rules(a, vigie.DimMQA)
	if full.MQA.Points-a.MQA.Points != 30 || !slices.Contains(got, "MQA-LICENCE@r1") || !slices.Contains(got, "MQA-LICENCE-VOCABULARY@r1") {
		t.Fatalf("notspecified: %d → %d points, findings %v", full.MQA.Points, a.MQA.Points, got)
	}
}

func TestMQABestDistributionOnly(t *testing.T) {
	d := perfectDQ()
	// A second, poorer distribution does not lower the score; a dataset
	// with only the poor one scores less.
	full := quality.Score(d, okLinks(d), quality.MustProfile("mqa"), now).MQA.Points
	d.Resources = d.Resources[1:]
	d.Resources[0].Mimetype = ""
	poor := quality.Score(d, okLinks(d), quality.MustProfile("mqa"), now).MQA.Points
	if full != 405 || poor >= full {
		t.Fatalf("full %d poor %d", full, poor)
	}
}

func TestMQARatingBands(t *testing.T) {
	for p, want := range map[int]vigie.Rating{0: "bad", 119: "bad", 120: "sufficient", 220: "sufficient", 221: "good", 350: "good", 351: "excellent", 405: "excellent"} {
		if got := quality.MQARating(p); got != want {
			t.Errorf("MQARating(%d) = %q, want %q", p, got, want)
		}
	}
}

// TestPointsAlwaysExplainTheScore generates many variants of a dataset and
// checks, for every profile, that the points lost in each dimension are
// exactly the gap to 100 (405 for MQA).
func TestPointsAlwaysExplainTheScore(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	profiles := []*quality.Profile{quality.MustProfile("donneesquebec"), quality.MustProfile("ckan"), quality.MustProfile("mqa")}
	for i := 0; i < 3000; i++ {
		d, l := randomDataset(rng, i)
		for _, p := range profiles {
			a := quality.Score(d, l, p, now)
			checkSums(t, a, p.MQAFindings)
		}
	}
}

var (
	formats   = []string{"CSV", "csv", "GeoJSON", "GEOJSON", "PDF", "HTML", "XLSX", "", "RDF", "FOO", "ZIP", "SHP", "json", "WMS"}
	types     = []string{"donnees", "support", "web", "cartes", "file", "file.upload", "", "autre"}
	classes   = []vigie.LinkClass{vigie.LinkOK, vigie.LinkOK, vigie.LinkBroken, vigie.LinkFailing, vigie.LinkUnsure, vigie.LinkInvalid, vigie.LinkBlocked, ""}
	licences  = []string{"cc-by", "CC0-1.0", "cc-by-nc", "", "notspecified", "odc-odbl", "maison"}
	freqs     = []string{"monthly", "annual", "daily", "irregular", "", "P1Y", "weird", "hourly", "quinquennial"}
	relidiVal = []string{"oui", "non", "n/a", "", "peut-être"}
)

func randomDataset(rng *rand.Rand, i int) (*vigie.Dataset, map[string]vigie.LinkResult) {
	d := perfectDQ()
	pick := func(xs []string) string { return xs[rng.Intn(len(xs))] }
	if rng.Intn(4) == 0 {
		d.Title = ""
	}
	if rng.Intn(4) == 0 {
		d.Notes = "court"
	}
	if rng.Intn(4) == 0 {
		d.Tags = nil
	}
	if rng.Intn(4) == 0 {
		d.Groups = nil
	}
	if rng.Intn(4) == 0 {
		d.Organization = ""
	}
	if rng.Intn(3) == 0 {
		d.AuthorEmail = pick([]string{"", "x", "a@b.ca"})
	}
	d.LicenseID = pick(licences)
	d.Extras["update_frequency"] = pick(freqs)
	for _, k := range []string{"language", "ext_spatial", "temporal", "methodologie", "access_rights"} {
		if rng.Intn(3) == 0 {
			delete(d.Extras, k)
		}
	}
	n := rng.Intn(9)
	d.Resources = nil
	links := map[string]vigie.LinkResult{}
	for j := 0; j < n; j++ {
		r := vigie.Resource{ID: "r" + string(rune('a'+j)), Position: j, Format: pick(formats), ResourceType: pick(types),
			URL: "https://x.ca/" + string(rune('a'+j)) + pick([]string{".csv", ".zip", "", ".pdf"}), Extras: map[string]string{}}
		if rng.Intn(2) == 0 {
			r.Name = "n"
		}
		if rng.Intn(2) == 0 {
			r.Description = "d"
		}
		if rng.Intn(2) == 0 {
			r.LastModified = tp(now.Add(-time.Duration(rng.Int63n(int64(3 * 365 * 24 * time.Hour)))))
		}
		if rng.Intn(5) == 0 {
			r.URL = ""
		}
		if rng.Intn(3) == 0 {
			r.Extras["relidi_ressource_complementaire"] = `["relidi.rescom"]`
		}
		for k := range relidiOK() {
			if strings.HasPrefix(k, "relidi_con") {
				r.Extras[k] = pick(relidiVal)
			}
		}
		if c := classes[rng.Intn(len(classes))]; c != "" && r.URL != "" {
			links[r.URL] = vigie.LinkResult{URL: r.URL, Class: c, Status: []int{200, 404, 0, 301, 503}[rng.Intn(5)]}
		}
		d.Resources = append(d.Resources, r)
	}
	if i%5 == 0 {
		links = nil
	}
	return d, links
}

func TestProfiles(t *testing.T) {
	names := quality.BuiltinProfiles()
	if !slices.Equal(names, []string{"ckan", "donneesquebec", "mqa"}) {
		t.Fatalf("built-ins = %v", names)
	}
	for _, n := range names {
		y, err := quality.ProfileYAML(n)
		if err != nil || !strings.Contains(string(y), "name: "+n) {
			t.Fatalf("ProfileYAML(%s): %v", n, err)
		}
		// What `vigie profile show` prints loads back.
		if _, err := quality.ParseProfile(y); err != nil {
			t.Fatalf("%s does not parse back: %v", n, err)
		}
	}
	if _, err := quality.LoadProfile("nope", nil); err == nil || !strings.Contains(err.Error(), "donneesquebec") {
		t.Fatalf("unknown profile error must list the built-ins: %v", err)
	}
	files := map[string]string{
		"ok.yaml":       "extends: donneesquebec\nname: strict\nweights: {completeness: 100, freshness: 0, openness: 0, availability: 0}\n",
		"typo.yaml":     "extends: ckan\nname: t\nweigths: {completeness: 1}\n",
		"badw.yaml":     "extends: ckan\nname: t\nweights: {completeness: 0, freshness: 0, openness: 0, availability: 0, mqa: 0}\n",
		"badcheck.yaml": "extends: ckan\nname: t\ncompleteness: [{check: colour, points: 3}]\n",
		"badspan.yaml":  "extends: ckan\nname: t\nfreshness: {thresholds: {daily: [1d, 2x, 3d]}}\n",
	}
	read := func(p string) ([]byte, error) {
		if s, ok := files[strings.TrimPrefix(p, "./")]; ok {
			return []byte(s), nil
		}
		return nil, errors.New("no such file")
	}
	p, err := quality.LoadProfile("./ok.yaml", read)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "strict" || p.CodePrefix != "DQ" || len(p.Completeness) == 0 {
		t.Fatalf("extended profile = %+v", p)
	}
	d := perfectDQ()
	d.Title = ""
	a := quality.Score(d, okLinks(d), p, now)
	if *a.Scores.Overall != *a.Scores.Completeness {
		t.Fatalf("weights ignored: overall %v completeness %v", *a.Scores.Overall, *a.Scores.Completeness)
	}
	for _, f := range []string{"./typo.yaml", "./badw.yaml", "./badcheck.yaml", "./badspan.yaml", "./missing.yaml"} {
		if _, err := quality.LoadProfile(f, read); err == nil {
			t.Errorf("%s: want an error", f)
		}
	}
}

func TestDefaultProfileFor(t *testing.T) {
	if quality.DefaultProfileFor("https://www.donneesquebec.ca/recherche", nil) != "donneesquebec" ||
		quality.DefaultProfileFor("https://donnees.montreal.ca", nil) != "donneesquebec" ||
		quality.DefaultProfileFor("https://demo.ckan.org", nil) != "ckan" {
		t.Fatal("portal URL not recognised")
	}
	plain := loadPackage(t, "data.gov.au/package_show_2021-04.json")
	if quality.DefaultProfileFor("https://data.gov.au", []*vigie.Dataset{plain, plain}) != "ckan" {
		t.Fatal("data.gov.au is plain CKAN")
	}
}

func TestTauAndShares(t *testing.T) {
	tau, n := quality.Tau([]vigie.Freshness{vigie.FreshFresh, vigie.FreshDue, vigie.FreshOverdue, vigie.FreshFresh, vigie.FreshNotApplicable, vigie.FreshUnknown, vigie.FreshDelinquent})
	if n != 5 || tau != 0.4 {
		t.Fatalf("Tau = %v over %d", tau, n)
	}
	if tau, n := quality.Tau([]vigie.Freshness{vigie.FreshUnknown}); tau != 0 || n != 0 {
		t.Fatalf("Tau of nothing assessable = %v %d", tau, n)
	}
	s := quality.SharesOf([]vigie.Assessment{{OpenLicence: true, OpenFormat: true}, {OpenLicence: true}, {}, {MachineReadable: true}})
	if s.OpenLicence != 0.5 || s.OpenFormat != 0.25 || s.MachineReadable != 0.25 || s.Datasets != 4 {
		t.Fatalf("shares = %+v", s)
	}
	v1, v2 := 10.0, 30.0
	if m, k := quality.Mean([]*float64{&v1, nil, &v2}); m != 20 || k != 2 {
		t.Fatalf("Mean = %v %d", m, k)
	}
}

func TestEmailValidation(t *testing.T) {
	ck := quality.MustProfile("donneesquebec")
	for e, ok := range map[string]bool{
		"donneesouvertes@montreal.ca": true, "a.b+c@sous.domaine.gouv.qc.ca": true, "x@b.ca": true,
		"x@localhost": false, "x @b.ca": false, "<x@b.ca>": false, "Jean <x@b.ca>": false, "x@@b.ca": false,
		"x@b..ca": false, ".x@b.ca": false, "x@-b.ca": false, "x@b.ca.": false, "x": false, "@b.ca": false, "x@": false,
	} {
		d := perfectDQ()
		d.AuthorEmail = e
		a := quality.Score(d, nil, ck, now)
		got := !slices.Contains(rules(a, vigie.DimCompleteness), "DQ-EMAIL-INVALID@")
		if got != ok {
			t.Errorf("%q valid = %v, want %v", e, got, ok)
		}
	}
}

// A Profile built in code rather than parsed still scores without panicking.
func TestUnparsedProfile(t *testing.T) {
	p := &quality.Profile{Name: "bare", Weights: map[vigie.Dimension]float64{"completeness": 1},
		Completeness: []quality.Check{{Check: "title", Points: 1}, {Check: "no-such-check", Points: 1}}}
	d := perfectDQ()
	d.Title = ""
	a := quality.Score(d, nil, p, now)
	if *a.Scores.Completeness != 0 || *a.Scores.Overall != 0 || a.Scores.Openness == nil {
		t.Fatalf("bare profile: %+v", a.Scores)
	}
}

// Score is safe for concurrent use (run with -race).
func TestScoreConcurrently(t *testing.T) {
	p := quality.MustProfile("donneesquebec")
	want := quality.Score(perfectDQ(), nil, p, now)
	done := make(chan vigie.Assessment)
	for i := 0; i < 8; i++ {
		go func() {
			var last vigie.Assessment
			for j := 0; j < 200; j++ {
				d, l := randomDataset(rand.New(rand.NewSource(int64(j))), j)
				quality.Score(d, l, p, now)
				last = quality.Score(perfectDQ(), nil, p, now)
			}
			done <- last
		}()
	}
	for i := 0; i < 8; i++ {
		got := <-done
		if *got.Scores.Overall != *want.Scores.Overall || len(got.Findings) != len(want.Findings) {
			t.Fatalf("concurrent result differs: %+v vs %+v", got.Scores, want.Scores)
		}
	}
}
