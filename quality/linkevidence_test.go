package quality_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
)

// A landing page's Last-Modified dates the web page, not the data: a fresh
// resource must not turn delinquent because its page says 2020.
func TestLandingPageLastModifiedIsNotTheDataDate(t *testing.T) {
	dq := quality.MustProfile("donneesquebec")
	d := perfectDQ()
	d.Resources = d.Resources[:1]
	d.Resources[0].LastModified = tp(now.AddDate(0, 0, -5))
	links := okLinks(d)
	old := time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, lr := range []vigie.LinkResult{
		{Class: vigie.LinkOK, Status: 200, ContentType: "text/html; charset=utf-8", LandingPage: true, LastModified: &old},
		{Class: vigie.LinkOK, Status: 200, ContentType: "text/html", LastModified: &old}, // a page declared as such
	} {
		lr.URL, lr.CheckedAt = d.Resources[0].URL, now.Add(-time.Hour)
		links[lr.URL] = lr
		a := quality.Score(d, links, dq, now)
		if a.FreshnessEvidence == quality.EvidenceHTTP || a.FreshnessStatus != vigie.FreshFresh {
			t.Errorf("%+v: evidence %q, status %q; want the resource's date, fresh", lr, a.FreshnessEvidence, a.FreshnessStatus)
		}
	}
	// The same header on a file still counts.
	links[d.Resources[0].URL] = vigie.LinkResult{URL: d.Resources[0].URL, Class: vigie.LinkOK, Status: 200,
		ContentType: "text/csv", LastModified: &old, CheckedAt: now.Add(-time.Hour)}
	if a := quality.Score(d, links, dq, now); a.FreshnessEvidence != quality.EvidenceHTTP {
		t.Errorf("a file's Last-Modified: evidence %q", a.FreshnessEvidence)
	}
}

// A resource with no URL has 0 stars and is neither machine-readable nor
// open-format, whatever its declared format and mimetype.
func TestResourceWithoutURL(t *testing.T) {
	ck := quality.MustProfile("ckan")
	d := perfectDQ()
	d.Resources = d.Resources[:1]
	d.Resources[0].URL = " "
	a := quality.Score(d, okLinks(d), ck, now)
	checkSums(t, a, false)
	if a.Stars != 0 || a.MachineReadable || a.OpenFormat {
		t.Fatalf("no URL: %d stars, machine-readable %v, open format %v", a.Stars, a.MachineReadable, a.OpenFormat)
	}
	if got := rules(a, vigie.DimOpenness); len(got) != 1 || got[0] != "OPEN-NO-URL@r1" {
		t.Fatalf("openness findings %v", got)
	}
	if rs := quality.StarsOf(&d.Resources[0], nil); rs.Stars != 0 {
		t.Fatalf("StarsOf: %+v", rs)
	}
}

// Machine-readable and open-format follow what the server served when the
// link was checked; the declared format only when it was not (or the server
// named no format).
func TestFormatFlagsFollowServedContent(t *testing.T) {
	ck := quality.MustProfile("ckan")
	one := func(format, mime string) *vigie.Dataset {
		d := perfectDQ()
		d.Resources = d.Resources[:1]
		d.Resources[0].Format, d.Resources[0].Mimetype = format, mime
		d.Resources[0].URL = "https://x.ca/export?id=1"
		return d
	}
	cases := []struct {
		name             string
		format, mime     string
		link             *vigie.LinkResult
		machine, openFmt bool
	}{
		{"unchecked: declared CSV", "CSV", "text/csv", nil, true, true},
		{"landing page declared CSV", "CSV", "text/csv",
			&vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "text/html", LandingPage: true}, false, false},
		{"declared PDF, served CSV", "PDF", "application/pdf",
			&vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "text/csv; charset=utf-8"}, true, true},
		{"declared CSV, served XLSX", "CSV", "text/csv",
			&vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, true, false},
		{"served octet-stream: declared stands", "CSV", "",
			&vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "application/octet-stream"}, true, true},
		{"served text/plain: declared stands", "CSV", "",
			&vigie.LinkResult{Class: vigie.LinkOK, Status: 200, ContentType: "text/plain"}, true, true},
		{"unsure: declared stands", "CSV", "",
			&vigie.LinkResult{Class: vigie.LinkUnsure, Status: 403}, true, true},
		{"broken", "CSV", "text/csv", &vigie.LinkResult{Class: vigie.LinkBroken, Status: 404}, false, false},
	}
	for _, c := range cases {
		d := one(c.format, c.mime)
		links := map[string]vigie.LinkResult{}
		if c.link != nil {
			links[d.Resources[0].URL] = *c.link
		}
		a := quality.Score(d, links, ck, now)
		if a.MachineReadable != c.machine || a.OpenFormat != c.openFmt {
			t.Errorf("%s: machine-readable %v, open format %v; want %v, %v", c.name, a.MachineReadable, a.OpenFormat, c.machine, c.openFmt)
		}
	}
}

// Landing pages and chains of more than two redirects are findings (they
// cost no availability point: the link answers).
func TestLandingPageAndRedirectFindings(t *testing.T) {
	ck := quality.MustProfile("ckan")
	d := perfectDQ()
	links := okLinks(d)
	lp := links[d.Resources[0].URL]
	lp.LandingPage, lp.ContentType = true, "text/html"
	links[d.Resources[0].URL] = lp
	rd := links[d.Resources[1].URL]
	rd.Redirects, rd.FinalURL = 3, "https://final.example/guide.pdf"
	links[d.Resources[1].URL] = rd
	a := quality.Score(d, links, ck, now)
	checkSums(t, a, false)
	got := rules(a, vigie.DimAvailability)
	if len(got) != 2 || got[0] != "LINK-LANDING-PAGE@r1" || got[1] != "LINK-REDIRECTS@r2" {
		t.Fatalf("availability findings %v", got)
	}
	if *a.Scores.Availability != 100 {
		t.Errorf("availability %v: the links answer", *a.Scores.Availability)
	}
	for _, f := range a.Findings {
		switch f.Rule {
		case "LINK-LANDING-PAGE":
			if f.Severity != vigie.SevWarning || !strings.Contains(f.Message.FR, "des données CSV") || !strings.Contains(f.Message.EN, "CSV data") {
				t.Errorf("landing page finding %+v", f)
			}
		case "LINK-REDIRECTS":
			if !strings.Contains(f.Message.FR, "3 redirections, à https://final.example/guide.pdf") || !strings.Contains(f.Message.EN, "after 3 redirects") {
				t.Errorf("redirect finding %+v", f)
			}
		}
	}
	// Two redirects are not worth a note.
	rd.Redirects = 2
	links[d.Resources[1].URL] = rd
	if got := rules(quality.Score(d, links, ck, now), vigie.DimAvailability); len(got) != 1 {
		t.Errorf("two redirects: %v", got)
	}
}

// The MQA's URL status points read the link check as vigie makes it (HEAD,
// then GET when HEAD fails) unless the profile asks for piveau's strict
// HEAD-only reading.
func TestMQAAccessURLReading(t *testing.T) {
	mqa := quality.MustProfile("mqa")
	strict, err := quality.ParseProfile([]byte("extends: mqa\nname: mqa-head-only\nmqa_access_url: head_only\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := quality.ParseProfile([]byte("extends: mqa\nname: x\nmqa_access_url: get\n")); err == nil || !strings.Contains(err.Error(), "head_only") {
		t.Fatalf("a bad reading was accepted: %v", err)
	}
	d := perfectDQ()
	d.Resources = d.Resources[:1]
	links := okLinks(d)
	lr := links[d.Resources[0].URL]
	lr.HeadStatus = 405 // HEAD refused; the GET fallback got 200
	links[d.Resources[0].URL] = lr
	lenient := quality.Score(d, links, mqa, now)
	headOnly := quality.Score(d, links, strict, now)
	// accessUrlStatusCode (50) and downloadUrlStatusCode (30) are lost.
	if lenient.MQA.Points-headOnly.MQA.Points != 80 {
		t.Fatalf("points %d (HEAD then GET) vs %d (HEAD only), want 80 apart", lenient.MQA.Points, headOnly.MQA.Points)
	}
	var lost []string
	for _, f := range headOnly.Findings {
		if f.Dimension == vigie.DimMQA && strings.HasSuffix(f.Rule, "URL-STATUS") {
			lost = append(lost, f.Rule)
		}
	}
	if len(lost) != 2 {
		t.Errorf("head-only findings %v", lost)
	}
	lr.HeadStatus = 200
	links[d.Resources[0].URL] = lr
	if a := quality.Score(d, links, strict, now); a.MQA.Points != lenient.MQA.Points {
		t.Errorf("HEAD 200: %d points, want %d", a.MQA.Points, lenient.MQA.Points)
	}
}
