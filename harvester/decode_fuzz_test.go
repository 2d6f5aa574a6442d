package harvester

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/ckantest"
)

// datasetStrings lists every text a decoded dataset carries.
func datasetStrings(d *vigie.Dataset) []string {
	s := []string{d.ID, d.Name, d.Title, d.TitleEN, d.Notes, d.Organization, d.OrganizationTitle, d.LicenseID,
		d.LicenseTitle, d.LicenseURL, d.CKANState, d.Type, d.Author, d.AuthorEmail, d.Maintainer, d.MaintainerEmail, d.URL, d.Version}
	s = append(s, d.Tags...)
	s = append(s, d.Groups...)
	for k, v := range d.Extras {
		s = append(s, k, v)
	}
	for _, r := range d.Resources {
		s = append(s, r.ID, r.Name, r.Description, r.Format, r.Mimetype, r.URL, r.ResourceType, r.URLType)
		for k, v := range r.Extras {
			s = append(s, k, v)
		}
	}
	return s
}

// FuzzDecodePackage: any package dict a portal sends decodes without panic,
// keeps its id, numbers its resources in order, gives the same result twice,
// and turns valid UTF-8 into valid UTF-8.
func FuzzDecodePackage(f *testing.F) {
	for _, p := range ckantest.FixturePackages(f, filepath.Join("..", "testdata", "real")) {
		f.Add([]byte(p))
	}
	for _, s := range []string{
		`{"id":"a","title":{"fr":"Titre","en":"Title"},"resources":[{"size":"12"},{"size":1e30},{"size":null}]}`,
		`{"name":"n","title":"caf\u00e9 \ud800","resources":null,"extras":[{"key":"k","value":[1,{"a":null}]}]}`,
		`{"id":"\u0000","organization":null,"license_id":null,"tags":[{"name":"x"},"y",3],"private":"True"}`,
		`{"id":["x"],"name":"n","metadata_modified":"2020-02-30T25:61:00","resources":[{"created":"9999-99-99"}]}`,
		`{"id":"x","resources":"none"}`, `{"id":"x","resources":[1,2]}`, `[]`, `null`, `"id"`, `{}`,
		"{\"id\":\"x\",\"title\":\"\xff\xfe\",\"notes\":{\"fr\":\"\xc3\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := DecodePackage(raw)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") && !bytes.ContainsAny(raw, "\r\n") {
				t.Fatalf("error spans lines: %v", err)
			}
			return
		}
		if d.ID == "" {
			t.Fatal("decoded a package without an id")
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			t.Fatalf("accepted %q, which is not a JSON object", raw)
		}
		var id string
		if json.Unmarshal(m["id"], &id) == nil && id != "" && d.ID != id {
			t.Fatalf("id %q decoded as %q", id, d.ID)
		}
		var res []json.RawMessage
		if json.Unmarshal(m["resources"], &res) == nil && len(res) != len(d.Resources) {
			t.Fatalf("%d resources sent, %d decoded", len(res), len(d.Resources))
		}
		for i, r := range d.Resources {
			if r.Position != i {
				t.Fatalf("resource %d has position %d", i, r.Position)
			}
			if r.Size != nil && *r.Size < 0 {
				t.Fatalf("resource %d has size %d", i, *r.Size)
			}
		}
		if utf8.Valid(raw) {
			for _, s := range datasetStrings(&d) {
				if !utf8.ValidString(s) {
					t.Fatalf("valid UTF-8 in, invalid out: %q", s)
				}
			}
		}
		again, err := DecodePackage(raw)
		if err != nil || !reflect.DeepEqual(d, again) {
			t.Fatalf("decoding twice differs: %v", err)
		}
	})
}

// FuzzParseEnvelope: whatever a server answers (status, headers, body), the
// client returns a result or an *APIError, never a panic, and a success
// result is the envelope's own valid JSON.
func FuzzParseEnvelope(f *testing.F) {
	for _, p := range ckantest.FixturePackages(f, filepath.Join("..", "testdata", "real"))[:5] {
		f.Add(200, "", []byte(`{"help":"h","success":true,"result":`+string(p)+`}`))
	}
	for _, s := range []string{
		`{"success":false,"error":{"__type":"Search Error","message":"Solr returned an error"}}`,
		`{"success":false,"error":{"name":["Missing value"],"__type":"Validation Error"}}`,
		`<html><head><title>502 Bad Gateway</title></head><body><h1>Bad <b>Gateway</b></h1></body></html>`,
		`"Bad request - Action name not known: x"`, `{"success":true,"result":[`, `{"result":{}}`, ``, `   `,
		strings.Repeat("[", 20000), `{"success":"yes","result":1}`, "\xef\xbb\xbf{\"success\":true,\"result\":1}",
	} {
		f.Add(200, "", []byte(s))
		f.Add(503, "120", []byte(s))
		f.Add(429, "9223372036854775807", []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, retry string, body []byte) {
		h := http.Header{}
		h.Set("Retry-After", retry)
		res, err := parseEnvelope("package_search", "https://portal.example/api/3/action/package_search", status, h, body, nil)
		if err != nil {
			ae, ok := err.(*APIError)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if ae.RetryAfter < 0 {
				t.Fatalf("negative Retry-After %v from %q", ae.RetryAfter, retry)
			}
			if ae.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if status >= 300 {
			t.Fatalf("status %d accepted as success", status)
		}
		if len(res) > 0 && !json.Valid(res) {
			t.Fatalf("success with invalid JSON result %q", res)
		}
	})
}

// FuzzJSONScan: on valid JSON the page splitter agrees with encoding/json,
// field for field and element for element; on anything else it fails
// cleanly.
func FuzzJSONScan(f *testing.F) {
	for _, p := range ckantest.FixturePackages(f, filepath.Join("..", "testdata", "real")) {
		f.Add([]byte(p))
	}
	for _, s := range []string{`{"a":1,"a":2}`, `{"\u0069d":"x","b":[1,{"c":"}"}],"d":"\"]"}`, `[1, "x" ,{},[],null,true]`,
		` { } `, `{"k":"\ud800"}`, "{\"\xff\":1}", `[`, `{"a"}`, `{"a":}`, `{"a":1,}`, `["\\"]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ferr := fields(b)
		var elems []json.RawMessage
		eerr := eachElem(b, func(_ int, v json.RawMessage) error { elems = append(elems, v); return nil })
		if !json.Valid(b) {
			return // only "no panic" is promised
		}
		var want map[string]json.RawMessage
		if json.Unmarshal(b, &want) == nil {
			if ferr != nil {
				t.Fatalf("fields(%q): %v", b, ferr)
			}
			if len(got) != len(want) {
				t.Fatalf("fields(%q): %d fields, encoding/json %d", b, len(got), len(want))
			}
			for k, v := range want {
				if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
					t.Fatalf("fields(%q)[%q] = %q, encoding/json %q", b, k, got[k], v)
				}
			}
		}
		var wantElems []json.RawMessage
		if json.Unmarshal(b, &wantElems) == nil {
			if eerr != nil || len(elems) != len(wantElems) {
				t.Fatalf("eachElem(%q): %d elements (%v), encoding/json %d", b, len(elems), eerr, len(wantElems))
			}
			for i := range elems {
				if !bytes.Equal(bytes.TrimSpace(elems[i]), bytes.TrimSpace(wantElems[i])) {
					t.Fatalf("eachElem(%q)[%d] = %q, encoding/json %q", b, i, elems[i], wantElems[i])
				}
			}
		}
	})
}

// FuzzSkipString: skipString ends every string, valid or not, where a
// byte-by-byte reading of its escapes does.
func FuzzSkipString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, `"a\\"b"`, `"\\\\\"x"`, `"\x\"`, `"`, `"\`, `"\\`, `"é\u00e9"rest`} {
		f.Add([]byte(s))
	}
	ref := func(b []byte) (int, error) {
		for j := 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errBadJSON
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		b = append([]byte{'"'}, b...)
		got, gerr := skipString(b, 0)
		want, werr := ref(b)
		if got != want || (gerr == nil) != (werr == nil) {
			t.Fatalf("skipString(%q) = %d, %v; byte by byte %d, %v", b, got, gerr, want, werr)
		}
	})
}

// FuzzValidJSON: validJSON accepts exactly what json.Valid accepts.
func FuzzValidJSON(f *testing.F) {
	for _, p := range ckantest.FixturePackages(f, filepath.Join("..", "testdata", "real")) {
		f.Add([]byte(p))
	}
	for _, s := range []string{``, ` `, `{}`, `[]`, `[1,2]`, `{"a":1,"b":[true,false,null]}`, `"\u00e9\ud800"`, `"\x"`, `"\u12"`,
		"\"\xff\"", "\"a\tb\"", `-0.5e+10`, `01`, `1.`, `-`, `1e`, `[1,]`, `{"a":1,}`, `{"a"}`, `{1:2}`, `truex`, `[true x]`,
		` [ { } , [ ] ] `, `nul`, `"\/"`, `{"a":"b"}}`, `[[`, "\"\x1f\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid %v", b, got, want)
		}
	})
}

func TestValidJSONDepth(t *testing.T) {
	for _, n := range []int{1, 9999, 10000, 10001, 20000} {
		for _, open := range []string{"[", `{"a":`} {
			closeCh := "]"
			if open != "[" {
				closeCh = "}"
			}
			b := []byte(strings.Repeat(open, n) + "1" + strings.Repeat(closeCh, n))
			if got, want := validJSON(b), json.Valid(b); got != want {
				t.Errorf("%d levels of %s: validJSON %v, json.Valid %v", n, open, got, want)
			}
		}
	}
}

// FuzzOrganizationFields: a package's organization dict read by the JSON
// splitter gives the name and title encoding/json's map gave (escaped and
// repeated keys, translated titles, nested values, odd spacing).
func FuzzOrganizationFields(f *testing.F) {
	for _, p := range ckantest.FixturePackages(f, filepath.Join("..", "testdata", "real")) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(p), &m) == nil && isObject(m["organization"]) {
			f.Add([]byte(m["organization"]))
		}
	}
	for _, s := range []string{
		`{"name":"a","title":"A"}`, `{"n\u0061me":"b","title":{"fr":"B","en":"Bee"}}`, `{"name":"a","name":"c"}`,
		`{ "name" : "x" , "title_translated" : {"en":"E"} , "title" : "T" }`, `{"title":null,"name":null}`,
		`{"name":"\u00e9","description":"a \"quoted\" {text}","extras":[{"k":[1,2]}],"title":"T\\"}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, org []byte) {
		if !validJSON(org) || !isObject(org) {
			return
		}
		var want map[string]json.RawMessage
		if json.Unmarshal(org, &want) != nil {
			t.Fatalf("valid object %q not decoded by encoding/json", org)
		}
		pkg := append(append([]byte(`{"id":"p","organization":`), org...), '}')
		d, err := DecodePackage(pkg)
		if err != nil {
			t.Fatal(err)
		}
		wantTitle := mergeText(textOf(want["title_translated"]), textOf(want["title"])).best()
		if d.Organization != str(want["name"]) || d.OrganizationTitle != wantTitle {
			t.Fatalf("organization %q: got %q %q, want %q %q", org, d.Organization, d.OrganizationTitle, str(want["name"]), wantTitle)
		}
	})
}
