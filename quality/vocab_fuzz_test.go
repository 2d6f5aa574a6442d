package quality

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
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
		n := urlFormat(raw)
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
