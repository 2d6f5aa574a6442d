package quality

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
)

// fixtureStrings returns the distinct string values found under any of keys,
// at any depth, in the real CKAN payloads of testdata/real: the seeds of the
// fuzz targets below.
func fixtureStrings(tb testing.TB, keys ...string) []string {
	tb.Helper()
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	seen := map[string]bool{}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && want[k] && !seen[s] && len(s) < 4096 {
					seen[s] = true
					out = append(out, s)
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	err := filepath.WalkDir(filepath.Join("..", "testdata", "real"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			walk(v)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Fatalf("no seeds for %v in testdata/real", keys)
	}
	return out
}

func FuzzLicenceOpen(f *testing.F) {
	for _, s := range fixtureStrings(f, "license_id", "license") {
		f.Add(s, 0)
	}
	f.Add("CC-BY-4.0 ", 1)
	f.Add("", 2)
	f.Fuzz(func(t *testing.T, id string, verdict int) {
		var isopen *bool
		switch verdict % 3 {
		case 1:
			v := true
			isopen = &v
		case 2:
			v := false
			isopen = &v
		}
		open, known := LicenceOpen(id, isopen)
		if !known && isopen != nil && open != *isopen {
			t.Fatalf("unknown licence %q: CKAN's verdict %v ignored", id, *isopen)
		}
		if !known && isopen == nil && open {
			t.Fatalf("unknown licence %q with no verdict called open", id)
		}
		// Case and surrounding spaces never change the verdict.
		o2, k2 := LicenceOpen("  "+strings.ToUpper(id)+"\t", isopen)
		if strings.ToLower(strings.ToUpper(id)) == strings.ToLower(id) && (o2 != open || k2 != known) {
			t.Fatalf("%q and its upper-case form disagree: %v/%v vs %v/%v", id, open, known, o2, k2)
		}
	})
}

func FuzzNormalizeFormat(f *testing.F) {
	for _, s := range fixtureStrings(f, "format", "mimetype", "mimetype_inner") {
		f.Add(s)
	}
	f.Add(".csv")
	f.Add("text/csv; charset=utf-8")
	f.Add("http://publications.europa.eu/resource/authority/file-type/JSON_LD")
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeFormat(s)
		if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), ".")) == "" && n != "" {
			t.Fatalf("blank format %q normalised to %q", s, n)
		}
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Fatalf("valid input %q gave invalid UTF-8 %q", s, n)
		}
		if utf8.ValidString(s) && strings.ToUpper(n) != n {
			t.Fatalf("%q normalised to %q, not upper case", s, n)
		}
		// A format vigie knows is its own normal form, and the tables agree.
		if KnownFormat(n) {
			if again := NormalizeFormat(n); again != n {
				t.Fatalf("known format %q (from %q) renormalises to %q", n, s, again)
			}
		}
		if stars, ok := FormatStars(n); ok && (stars < 0 || stars > 5) {
			t.Fatalf("%q has %d stars", n, stars)
		}
		if MachineReadable(n) && !KnownFormat(n) {
			t.Fatalf("%q machine-readable but unknown", n)
		}
	})
}

func FuzzURLFormat(f *testing.F) {
	for _, s := range fixtureStrings(f, "url", "download_url", "access_url") {
		f.Add(s)
	}
	f.Add("https://example.org/data/file.shp.zip?x=1#y")
	f.Add("%zz/a.csv")
	f.Fuzz(func(t *testing.T, raw string) {
		n, _ := urlFormat(raw)
		if n != "" && !KnownFormat(n) {
			t.Fatalf("urlFormat(%q) = %q, a format vigie does not know", raw, n)
		}
	})
}

func FuzzContentTypeFormat(f *testing.F) {
	for _, s := range fixtureStrings(f, "mimetype", "mimetype_inner") {
		f.Add(s)
	}
	f.Add("text/csv; charset=\"utf-8\"")
	f.Add("text/html;;;")
	f.Fuzz(func(t *testing.T, ct string) {
		n := contentTypeFormat(ct)
		if n != "" && NormalizeFormat(n) != n {
			t.Fatalf("contentTypeFormat(%q) = %q, not a normal form", ct, n)
		}
	})
}

func FuzzNormalizeFrequency(f *testing.F) {
	for _, s := range fixtureStrings(f, "update_frequency", "frequency", "accrual_periodicity", "accrualPeriodicity", "frequence") {
		f.Add(s)
	}
	for _, s := range []string{"P1Y", "PT1H", "p0.5m", "PNaNY", "PInfD", "P-1W", "PT", "[\"annual\"]",
		"http://publications.europa.eu/resource/authority/frequency/ANNUAL", "Mensuelle ", "P1e400Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		norm, ok := NormalizeFrequency(v)
		if ok && norm == "" {
			t.Fatalf("NormalizeFrequency(%q) recognised but empty", v)
		}
		if !ok && norm != "" {
			t.Fatalf("NormalizeFrequency(%q) = %q yet not recognised", v, norm)
		}
		if ok {
			if _, labelled := frequencyLabel[norm]; !labelled {
				t.Fatalf("NormalizeFrequency(%q) = %q, which has no label for reports", v, norm)
			}
			if again, ok2 := NormalizeFrequency(norm); !ok2 || again != norm {
				t.Fatalf("%q (from %q) renormalises to %q/%v", norm, v, again, ok2)
			}
		}
	})
}

func FuzzValidTemporal(f *testing.F) {
	for _, s := range fixtureStrings(f, "temporal", "temporal_coverage", "temporal_start", "temporal_end") {
		f.Add(s)
	}
	f.Add("2019-01-01 / 2019-12-31")
	f.Add("2019-02-30")
	f.Add("2020-01-01/2019-01-01")
	f.Fuzz(func(t *testing.T, v string) {
		if !validTemporal(v) {
			return
		}
		// Accepted values are one or two real dates, in order.
		parts := strings.Split(v, "/")
		first, err := time.Parse("2006-01-02", strings.TrimSpace(parts[0]))
		if err != nil {
			t.Fatalf("validTemporal(%q) accepted a bad date: %v", v, err)
		}
		if len(parts) == 2 {
			last, err := time.Parse("2006-01-02", strings.TrimSpace(parts[1]))
			if err != nil || last.Before(first) {
				t.Fatalf("validTemporal(%q) accepted a bad range", v)
			}
		}
	})
}

func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"3h", "30d", "1.5d", "NaNh", "1e300d", "-1d", "0h", "d", "9223372036854775807h", "Infd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseSpan(s)
		if err == nil && d <= 0 {
			t.Fatalf("parseSpan(%q) = %v: a profile threshold must be positive", s, d)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\r\n") && !strings.ContainsAny(s, "\r\n") {
			t.Fatalf("parseSpan(%q): error spans lines: %v", s, err)
		}
	})
}

func FuzzFreshnessStatus(f *testing.F) {
	f.Add(int64(0), int64(24), int64(48), int64(72))
	f.Add(int64(-5), int64(1), int64(1), int64(1))
	f.Fuzz(func(t *testing.T, ageH, a, b, c int64) {
		h := int64(time.Hour)
		clamp := func(x int64) time.Duration { return time.Duration((x % 1_000_000) * h) }
		th := [3]time.Duration{clamp(a), clamp(b), clamp(c)}
		if th[0] > th[1] || th[1] > th[2] {
			return
		}
		age := clamp(ageH)
		rank := map[vigie.Freshness]int{"fresh": 0, "due": 1, "overdue": 2, "delinquent": 3}
		s := FreshnessStatus(age, th)
		later := FreshnessStatus(age+time.Hour, th)
		if _, ok := rank[s]; !ok {
			t.Fatalf("status %q", s)
		}
		if rank[later] < rank[s] {
			t.Fatalf("older data is fresher: %v→%s, %v→%s (thresholds %v)", age, s, age+time.Hour, later, th)
		}
	})
}

// FuzzScore scores datasets built from fuzzed portal text: scoring never
// panics, scores stay within 0–100, MQA within 0–405, and every finding has a
// rule and a message in both languages.
func FuzzScore(f *testing.F) {
	titles := fixtureStrings(f, "title")
	licences := fixtureStrings(f, "license_id")
	formats := fixtureStrings(f, "format")
	freqs := fixtureStrings(f, "update_frequency", "frequency")
	urls := fixtureStrings(f, "url")
	for i := range 24 {
		f.Add(titles[i%len(titles)], licences[i%len(licences)], formats[i%len(formats)], freqs[i%len(freqs)],
			urls[i%len(urls)], "2019-01-01 / 2019-12-31", int64(i)*86400*37, uint8(i))
	}
	profiles := BuiltinProfiles()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	loaded := map[string]*Profile{}
	for _, name := range profiles {
		loaded[name] = MustProfile(name)
	}
	f.Fuzz(func(t *testing.T, title, licence, format, freq, url, temporal string, ageSec int64, pick uint8) {
		modified := now.Add(-time.Duration(ageSec%(40*365*86400)) * time.Second)
		size := int64(pick) * 1000
		d := &vigie.Dataset{
			ID: "fuzz", Name: "fuzz", Title: title, Notes: title + " " + temporal, Organization: "org",
			LicenseID: licence, MetadataCreated: modified, MetadataModified: modified, Tags: []string{title},
			Extras: map[string]string{"update_frequency": freq, "temporal": temporal, "language": format, "ext_spatial": licence},
			Resources: []vigie.Resource{
				{ID: "r1", Name: title, Format: format, URL: url, Size: &size, LastModified: &modified, ResourceType: "donnees"},
				{ID: "r2", Format: strings.ToLower(format), URL: url + ".csv", Mimetype: format},
			},
		}
		links := map[string]vigie.LinkResult{}
		if pick%2 == 0 {
			links[url] = vigie.LinkResult{URL: url, Class: []vigie.LinkClass{"ok", "broken", "unsure", "invalid", "blocked", "failing"}[int(pick/2)%6],
				Status: int(pick) * 3, ContentType: format, LastModified: &modified, CheckedAt: now}
		}
		name := profiles[int(pick)%len(profiles)]
		a := Score(d, links, loaded[name], now)
		for dim, s := range map[string]*float64{"overall": a.Scores.Overall, "completeness": a.Scores.Completeness,
			"freshness": a.Scores.Freshness, "openness": a.Scores.Openness, "availability": a.Scores.Availability} {
			if s != nil && (*s < 0 || *s > 100 || *s != *s) {
				t.Fatalf("profile %s: %s score %v out of 0–100", name, dim, *s)
			}
		}
		if a.MQA.Points < 0 || a.MQA.Points > 405 || a.MQA.Rating == "" {
			t.Fatalf("profile %s: MQA %+v", name, a.MQA)
		}
		if a.Stars < 0 || a.Stars > 5 {
			t.Fatalf("profile %s: %d stars", name, a.Stars)
		}
		for _, fd := range a.Findings {
			if fd.Rule == "" || fd.Message.FR == "" || fd.Message.EN == "" || fd.Points < 0 {
				t.Fatalf("profile %s: malformed finding %+v", name, fd)
			}
		}
	})
}
