package ckantest

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(300, 42, GenOptions{PrivateShare: 0.1})
	b := Generate(300, 42, GenOptions{PrivateShare: 0.1})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different catalogues")
	}
	c := Generate(300, 43, GenOptions{PrivateShare: 0.1})
	same := 0
	for i := range a {
		if a[i]["id"] == c[i]["id"] {
			same++
		}
	}
	if same != 0 {
		t.Fatalf("seeds 42 and 43 share %d ids", same)
	}
	// A longer catalogue extends a shorter one.
	d := Generate(310, 42, GenOptions{PrivateShare: 0.1})
	if !reflect.DeepEqual(a, d[:300]) {
		t.Fatal("Generate(310) does not start with Generate(300)")
	}
	// The encoding is stable too (the emulator serves these bytes).
	ea, _ := appendJSON(nil, a[7])
	eb, _ := appendJSON(nil, b[7])
	if !bytes.Equal(ea, eb) {
		t.Fatal("encodings differ")
	}
}

// schemaChoices reads the choices of a field of the Données Québec scheming schema.
func schemaChoices(t *testing.T, section, field string) []string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/real/schema/donneesqc_metadonnee_scheming_ville-de-montreal.json")
	if err != nil {
		t.Fatal(err)
	}
	type schemaField struct {
		FieldName string `json:"field_name"`
		Choices   []struct {
			Value string `json:"value"`
		} `json:"choices"`
	}
	var s struct {
		Dataset  []schemaField `json:"dataset_fields"`
		Resource []schemaField `json:"resource_fields"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	fields := s.Dataset
	if section == "resource_fields" {
		fields = s.Resource
	}
	for _, f := range fields {
		if f.FieldName == field {
			var out []string
			for _, c := range f.Choices {
				if c.Value != "" {
					out = append(out, c.Value)
				}
			}
			return out
		}
	}
	t.Fatalf("schema has no %s.%s", section, field)
	return nil
}

func TestVocabulariesMatchTheSchema(t *testing.T) {
	for _, c := range []struct {
		section, field string
		have           []string
	}{
		{"dataset_fields", "update_frequency", UpdateFrequencies},
		{"dataset_fields", "language", Languages},
		{"resource_fields", "resource_type", ResourceTypes},
		{"resource_fields", "relidi_description_champs", RelidiDescriptionChamps},
	} {
		want := schemaChoices(t, c.section, c.field)
		if !slices.Equal(c.have, want) {
			t.Errorf("%s: have %v, schema says %v", c.field, c.have, want)
		}
	}
	for _, f := range RelidiFields {
		if want := schemaChoices(t, "resource_fields", f); !slices.Equal(RelidiYesNo, want) {
			t.Errorf("%s: schema says %v", f, want)
		}
	}
}

// share counts how often pred holds over items, as a fraction.
func share[T any](items []T, pred func(T) bool) float64 {
	n := 0
	for _, x := range items {
		if pred(x) {
			n++
		}
	}
	return float64(n) / float64(len(items))
}

func TestGeneratedCatalogueIsValidWithARealisticMixOfDefects(t *testing.T) {
	pkgs := Generate(4000, 1, GenOptions{LinkBase: "http://127.0.0.1:9"})
	var res []map[string]any
	names := map[string]bool{}
	groups := GroupNames()
	licences := LicenseIDs()
	for _, p := range pkgs {
		if names[p["name"].(string)] {
			t.Fatalf("duplicate name %s", p["name"])
		}
		names[p["name"].(string)] = true
		for _, k := range []string{"id", "name", "title", "owner_org", "metadata_created", "metadata_modified", "extras_organisation_principale"} {
			if s, _ := p[k].(string); s == "" {
				t.Fatalf("%s missing in %v", k, p["name"])
			}
		}
		for _, k := range []string{"metadata_created", "metadata_modified"} {
			s := p[k].(string)
			if strings.HasSuffix(s, "Z") || ParseTime(s).IsZero() {
				t.Fatalf("%s = %q, want naive ISO", k, s)
			}
		}
		if ParseTime(p["metadata_modified"].(string)).Before(ParseTime(p["metadata_created"].(string))) {
			t.Fatalf("%s modified before created", p["name"])
		}
		org := p["organization"].(map[string]any)
		if org["id"] != p["owner_org"] || org["name"] == "" || org["title"] == "" {
			t.Fatalf("organization %v does not match owner_org %v", org, p["owner_org"])
		}
		for _, g := range p["groups"].([]any) {
			if !slices.Contains(groups, g.(map[string]any)["name"].(string)) {
				t.Fatalf("unknown group %v", g)
			}
		}
		if l, ok := p["license_id"].(string); ok && l != "" && !slices.Contains(licences, l) {
			t.Fatalf("unknown licence %q", l)
		}
		if l, ok := p["language"].(string); ok && !slices.Contains(Languages, l) {
			t.Fatalf("language %q outside the schema", l)
		}
		if p["num_resources"] != len(p["resources"].([]any)) || p["num_tags"] != len(p["tags"].([]any)) {
			t.Fatalf("num_resources/num_tags disagree in %s", p["name"])
		}
		for _, r := range p["resources"].([]any) {
			r := r.(map[string]any)
			if r["package_id"] != p["id"] {
				t.Fatal("resource package_id mismatch")
			}
			res = append(res, r)
		}
	}

	inRange := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s: share %.3f outside [%.3f, %.3f]", what, got, lo, hi)
		}
	}
	inRange("cc-by licence", share(pkgs, func(p map[string]any) bool { return p["license_id"] == "cc-by" }), 0.65, 0.85)
	inRange("CC0 licence", share(pkgs, func(p map[string]any) bool { return p["license_id"] == "CC0-1.0" }), 0.05, 0.2)
	inRange("cc-by-nc licence", share(pkgs, func(p map[string]any) bool { return p["license_id"] == "cc-by-nc" }), 0.01, 0.08)
	inRange("missing licence", share(pkgs, func(p map[string]any) bool { s, _ := p["license_id"].(string); return s == "" }), 0.02, 0.09)
	inRange("update_frequency outside the vocabulary", share(pkgs, func(p map[string]any) bool {
		s, ok := p["update_frequency"].(string)
		return ok && s != "" && !slices.Contains(UpdateFrequencies, s)
	}), 0.02, 0.09)
	inRange("update_frequency missing", share(pkgs, func(p map[string]any) bool { s, _ := p["update_frequency"].(string); return s == "" }), 0.05, 0.15)
	inRange("valid author_email", share(pkgs, func(p map[string]any) bool {
		s, _ := p["author_email"].(string)
		at := strings.Index(s, "@")
		return at > 0 && strings.Contains(s[at:], ".")
	}), 0.7, 0.9)
	inRange("no tags", share(pkgs, func(p map[string]any) bool { return len(p["tags"].([]any)) == 0 }), 0.02, 0.1)
	inRange("no groups", share(pkgs, func(p map[string]any) bool { return len(p["groups"].([]any)) == 0 }), 0.02, 0.1)
	inRange("empty notes", share(pkgs, func(p map[string]any) bool { return p["notes"] == "" }), 0.01, 0.08)
	inRange("badly formed temporal", share(pkgs, func(p map[string]any) bool {
		s, _ := p["temporal"].(string)
		return strings.Contains(s, "à") || strings.Contains(s, "/20")
	}), 0.05, 0.15)

	inRange("upper-case format", share(res, func(r map[string]any) bool {
		s := r["format"].(string)
		return s != "" && (s == strings.ToUpper(s) || s == "GeoJSON")
	}), 0.8, 0.95)
	inRange("empty format", share(res, func(r map[string]any) bool { return r["format"] == "" }), 0.01, 0.06)
	inRange("file/file.upload resource_type", share(res, func(r map[string]any) bool {
		return r["resource_type"] == "file" || r["resource_type"] == "file.upload"
	}), 0.01, 0.06)
	inRange("size as string", share(res, func(r map[string]any) bool { _, ok := r["size"].(string); return ok }), 0.08, 0.25)
	inRange("size null", share(res, func(r map[string]any) bool { return r["size"] == nil }), 0.25, 0.45)
	inRange("URL on the link base", share(res, func(r map[string]any) bool {
		return strings.HasPrefix(r["url"].(string), "http://127.0.0.1:9/files/")
	}), 0.95, 0.99)
	inRange("URL expected to answer 200", share(res, func(r map[string]any) bool {
		u := r["url"].(string)
		return strings.HasPrefix(u, "http://127.0.0.1:9/files/") && len(u) > 62 && u[61] == '/'
	}), 0.85, 0.93)
	for _, r := range res {
		if !utf8.ValidString(r["name"].(string)) || !utf8.ValidString(r["description"].(string)) {
			t.Fatalf("invalid UTF-8 in resource %v", r["id"])
		}
	}
	for _, p := range pkgs {
		if !utf8.ValidString(p["notes"].(string)) || !utf8.ValidString(p["title"].(string)) {
			t.Fatalf("invalid UTF-8 in %v", p["name"])
		}
	}
	inRange("URL answering 404", share(res, func(r map[string]any) bool {
		return strings.Contains(r["url"].(string), "/files/404/")
	}), 0.015, 0.05)
	for _, r := range res {
		if rt, ok := r["resource_type"].(string); ok && !slices.Contains(ResourceTypes, rt) {
			t.Fatalf("resource_type %q outside the schema", rt)
		}
		for _, f := range RelidiFields {
			if v, ok := r[f]; ok && !slices.Contains(RelidiYesNo, v.(string)) {
				t.Fatalf("%s = %v", f, v)
			}
		}
	}
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	pkgs := Generate(50, 5, GenOptions{})
	pkgs = append(pkgs, map[string]any{"weird": "tab\tquote\" back\\ nl\n ctrl\x01 html<>& sep\u2028 bad\xff é", "n": 3.5, "big": int64(1) << 60, "l": []any{nil, true, 1.0}})
	for _, p := range pkgs {
		got, err := appendJSON(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := marshal(p)
		if !bytes.Equal(got, want) {
			t.Fatalf("encodings differ:\n got %s\nwant %s", got, want)
		}
	}
}
