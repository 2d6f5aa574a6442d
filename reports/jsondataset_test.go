package reports

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/vigie-audit/vigie"
)

// jsonTexts are strings on each side of everything encoding/json escapes.
var jsonTexts = []string{"", "plain", "é ★ 日本", `quote " back \ slash`, "<script>&amp;</script>", "\x00\x01\b\f\n\r\t\x1f\x7f",
	"\u2027\u2028\u2029\u202a", "bad\xff\xfe utf-8 \xc3", "\xed\xa0\x80", "\U0001F600", "_x0041_", "=HYPERLINK(\"x\")"}

// jsonFloats are numbers on each side of encoding/json's format changes.
var jsonFloats = []float64{0, math.Copysign(0, -1), 1, -1, 42.5, 100, 1.0 / 3, 1e-6, 9.99999e-7, 1e-7, 1.5e-9, 1e20, 1e21, 1.2e21,
	-1e21, 5e-324, math.MaxFloat64, 123456789012345678}

// fillAll sets every field reachable from v (a pointer) to something not
// zero, slices to two elements: a field added to Dataset shows in
// json.Marshal's output, and the comparison below fails until
// appendDatasetJSON writes it too.
func fillAll(t *testing.T, v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillAll(t, v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			fillAll(t, v.Field(i), n+i)
		}
	case reflect.String:
		v.SetString(jsonTexts[n%len(jsonTexts)])
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(n*7 + 1))
	case reflect.Float64:
		v.SetFloat(jsonFloats[n%len(jsonFloats)])
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillAll(t, v.Index(i).Addr(), n+i+3)
		}
	default:
		t.Fatalf("no filler for a %s field", v.Type())
	}
}

func checkDatasetJSON(t *testing.T, d *Dataset) {
	t.Helper()
	checkHTMLRow(t, d)
	want, werr := json.Marshal(d)
	got, gerr := appendDatasetJSON([]byte("kept"), d)
	if (werr != nil) != (gerr != nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("error %v, json.Marshal's %v", gerr, werr)
	}
	if werr == nil && string(got) != "kept"+string(want) {
		t.Fatalf("got  %s\nwant kept%s", got, want)
	}
}

// The datasets' lines of audit.json are json.Marshal's, byte for byte.
func TestDatasetJSONSameAsMarshal(t *testing.T) {
	for n := range 40 {
		var d Dataset
		fillAll(t, reflect.ValueOf(&d), n)
		checkDatasetJSON(t, &d)
	}
	checkDatasetJSON(t, &Dataset{}) // empty: omitempty fields left out, no findings (null)
	checkDatasetJSON(t, &Dataset{Findings: []Finding{}})
	for _, f := range jsonFloats {
		checkDatasetJSON(t, &Dataset{Scores: vigie.Scores{Overall: &f, Availability: &f}, Findings: []Finding{{Points: f}, {Points: -f}}})
	}
	for _, s := range jsonTexts {
		checkDatasetJSON(t, &Dataset{ID: s, Title: s, Frequency: s, LicenceStatus: s, Visibility: s, MQA: vigie.MQA{Rating: vigie.Rating(s)},
			Findings: []Finding{{Rule: s, Message: s + s, Hint: s, Dimension: vigie.Dimension(s), Severity: vigie.Severity(s)}}})
	}
	// What json.Marshal refuses is refused, with its message.
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		checkDatasetJSON(t, &Dataset{Scores: vigie.Scores{Freshness: &f}})
		checkDatasetJSON(t, &Dataset{Findings: []Finding{{Points: f}}})
	}
}

func FuzzDatasetJSON(f *testing.F) {
	for i, s := range jsonTexts {
		f.Add(s, jsonFloats[i%len(jsonFloats)], i)
	}
	f.Fuzz(func(t *testing.T, s string, x float64, n int) {
		d := &Dataset{ID: s, Name: s, URL: s, Title: s + "<>", Stars: n, Counts: Severities{Error: n},
			Scores: vigie.Scores{Openness: &x}, Findings: []Finding{{Message: s, Points: x}}}
		if n%2 == 0 {
			d.Frequency, d.Findings = s, nil
		}
		checkDatasetJSON(t, d)
	})
}

// htmlRow is a dataset as the page's script reads it (an array indexed by
// the column numbers in report.js), as the page was written before
// appendHTMLRow: json.Marshal(htmlRow(d, strs)) is what it must write.
func htmlRow(d *Dataset, strs *interner) []any {
	fs := make([]any, len(d.Findings))
	for i, f := range d.Findings {
		fs[i] = []any{strs.id(f.Rule), f.Severity[:min(1, len(f.Severity))], strs.id(string(f.Dimension)), f.ResourceID, f.Points, strs.id(f.Message), strs.id(f.Hint)}
	}
	s := d.Scores
	return []any{d.ID, d.Name, d.Title, d.Organization, d.URL, round(s.Overall), round(s.Completeness), round(s.Freshness),
		round(s.Openness), round(s.Availability), d.MQA.Points, d.MQA.Rating, d.FreshnessStatus, d.Stars,
		d.Counts.Error, d.Counts.Warning, d.Counts.Info, fs}
}

func checkHTMLRow(t *testing.T, d *Dataset) {
	t.Helper()
	ws, gs := newInterner(), newInterner()
	ws.id("already there")
	gs.id("already there")
	want, werr := json.Marshal(htmlRow(d, ws))
	got, gerr := appendHTMLRow([]byte("kept"), d, gs)
	if (werr != nil) != (gerr != nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("html row: error %v, json.Marshal's %v", gerr, werr)
	}
	if werr == nil && string(got) != "kept"+string(want) {
		t.Fatalf("html row:\ngot  %s\nwant kept%s", got, want)
	}
	if werr == nil && !reflect.DeepEqual(gs.list, ws.list) {
		t.Fatalf("html row: strings %q, want %q", gs.list, ws.list)
	}
}
