package harvester

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/ckantest"
)

// The decoder as it was before it read packages, resources, tags and
// organizations in one pass over their fields instead of through maps of
// them: the reference the fast path is fuzzed against (FuzzDecodeOnePass).

func decodeValidRef(raw json.RawMessage) (vigie.Dataset, error) {
	if !isObject(raw) {
		return vigie.Dataset{}, fmt.Errorf("%w: not an object", ErrNotPackage)
	}
	m, err := pooledFields(raw)
	defer releaseFields(m)
	if err != nil {
		return vigie.Dataset{}, fmt.Errorf("%w: %v", ErrNotPackage, err)
	}
	d := vigie.Dataset{
		ID:   str(m["id"]),
		Name: str(m["name"]),
		Raw:  raw,
	}
	if d.ID == "" {
		d.ID = d.Name
	}
	if d.ID == "" {
		return vigie.Dataset{}, fmt.Errorf("%w: it has neither id nor name", ErrNotPackage)
	}
	title := translatedRef(m, "title")
	d.Title, d.TitleEN = title.best(), title["en"]
	if d.TitleEN == d.Title {
		d.TitleEN = ""
	}
	notes := translatedRef(m, "notes")
	if len(notes) == 0 && isObject(m["description"]) {
		notes = textOf(m["description"]) // DCAT-style portals (opendata.swiss) put the multilingual notes there
	}
	d.Notes = notes.best()
	if org := m["organization"]; len(org) > 0 && org[0] == '{' {
		// split like the package (valid JSON already), not by encoding/json,
		// which validated the organization's text once more for each package
		o, err := pooledFields(org)
		if err == nil {
			d.Organization = str(o["name"])
			d.OrganizationTitle = mergeText(textOf(o["title_translated"]), textOf(o["title"])).best()
		}
		releaseFields(o)
	} else if len(org) > 0 && org[0] == '"' {
		d.Organization = str(org)
	}
	d.LicenseID = str(m["license_id"])
	d.LicenseTitle = str(m["license_title"])
	d.LicenseURL = str(m["license_url"])
	if b, ok := boolOf(m["isopen"]); ok {
		d.IsOpen = &b
	}
	d.Private, _ = boolOf(m["private"])
	d.CKANState = strings.ToLower(strings.TrimSpace(str(m["state"])))
	d.Type = str(m["type"])
	d.Author = str(m["author"])
	d.AuthorEmail = str(m["author_email"])
	d.Maintainer = str(m["maintainer"])
	d.MaintainerEmail = str(m["maintainer_email"])
	d.URL = str(m["url"])
	d.Version = str(m["version"])
	d.MetadataCreated = parseTime(str(m["metadata_created"]))
	d.MetadataModified = parseTime(str(m["metadata_modified"]))
	d.Tags = namesRef(m["tags"], "name", "display_name")
	if len(d.Tags) == 0 {
		d.Tags = keywordsRef(m["keywords"])
	}
	d.Groups = namesRef(m["groups"], "name", "id")

	d.Extras = map[string]string{}
	if ex := m["extras"]; isArray(ex) {
		_ = eachElem(ex, func(_ int, e json.RawMessage) error {
			var k string
			var v json.RawMessage
			_ = eachField(e, func(key string, val json.RawMessage) {
				switch key {
				case "key":
					k = str(val)
				case "value":
					v = val
				}
			})
			if s, ok := fieldString(v); ok && k != "" {
				d.Extras[k] = s
			}
			return nil
		})
	}
	for k, v := range m {
		if knownPackageKey[k] || ignored[k] {
			continue
		}
		if s, ok := fieldString(v); ok {
			d.Extras[k] = s
		}
	}
	if len(d.Extras) == 0 {
		d.Extras = nil
	}

	d.Resources = []vigie.Resource{}
	if r := bytes.TrimSpace(m["resources"]); len(r) > 0 && string(r) != "null" {
		err := eachElem(r, func(i int, rr json.RawMessage) error {
			rm, err := pooledFields(rr)
			defer releaseFields(rm)
			if err != nil {
				return err
			}
			d.Resources = append(d.Resources, decodeResourceRef(rm, i))
			return nil
		})
		if err != nil {
			return vigie.Dataset{}, fmt.Errorf("package %s: resources is not a list of objects", d.ID)
		}
	}
	return d, nil
}

func decodeResourceRef(m map[string]json.RawMessage, pos int) vigie.Resource {
	r := vigie.Resource{
		ID:           str(m["id"]),
		Position:     pos,
		Name:         bestTextRef(m, "name", "name_translated"),
		Description:  bestTextRef(m, "description", "description_translated"),
		Format:       strings.TrimSpace(str(m["format"])),
		Mimetype:     str(m["mimetype"]),
		URL:          strings.TrimSpace(str(m["url"])),
		ResourceType: str(m["resource_type"]),
		URLType:      str(m["url_type"]),
		Size:         parseSize(m["size"]),
		Created:      timePtr(m["created"]),
		LastModified: timePtr(m["last_modified"]),
	}
	for k, v := range m {
		if knownResourceKey[k] || resourceIgnored[k] {
			continue
		}
		if s, ok := fieldString(v); ok {
			if r.Extras == nil {
				r.Extras = map[string]string{}
			}
			r.Extras[k] = s
		}
	}
	return r
}

func namesRef(raw json.RawMessage, keys ...string) []string {
	out := []string{}
	if !isArray(raw) {
		return out
	}
	_ = eachElem(raw, func(_ int, v json.RawMessage) error {
		var s string
		if isObject(v) {
			m, err := pooledFields(v)
			if err == nil {
				for _, k := range keys {
					if s = str(m[k]); s != "" {
						break
					}
				}
			}
			releaseFields(m)
		} else {
			s = str(v)
		}
		if s != "" {
			out = append(out, s)
		}
		return nil
	})
	return out
}

func bestTextRef(m map[string]json.RawMessage, key, tr string) string {
	if _, ok := m[tr]; !ok {
		return str(m[key])
	}
	return mergeText(textOf(m[tr]), textOf(m[key])).best()
}

func keywordsRef(raw json.RawMessage) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(list json.RawMessage) {
		for _, w := range namesRef(list, "name", "display_name") {
			if k := strings.ToLower(strings.TrimSpace(w)); k != "" && !seen[k] {
				seen[k] = true
				out = append(out, strings.TrimSpace(w))
			}
		}
	}
	switch {
	case isArray(raw):
		add(raw)
	case isObject(raw):
		byLang := map[string]json.RawMessage{}
		_ = eachField(raw, func(k string, v json.RawMessage) { byLang[strings.ToLower(k)] = v })
		langs := make([]string, 0, len(byLang))
		for k := range byLang {
			if k != "fr" && k != "en" {
				langs = append(langs, k)
			}
		}
		sort.Strings(langs)
		for _, k := range append([]string{"fr", "en"}, langs...) {
			if v, ok := byLang[k]; ok {
				add(v)
			}
		}
	}
	return out
}

var resourceIgnored = map[string]bool{
	"package_id": true, "revision_id": true, "tracking_summary": true, "position": true, "cache_url": true,
	"cache_last_updated": true, "revision_timestamp": true, "state": true,
}

var knownResourceKey = map[string]bool{
	"id": true, "name": true, "description": true, "format": true, "mimetype": true, "url": true,
	"resource_type": true, "url_type": true, "size": true, "created": true, "last_modified": true,
	"name_translated": true, "description_translated": true,
}

// FuzzDecodeOnePass: the one-pass reading of resources, tags, groups and
// organizations decodes every valid package exactly as the map-based
// decoder did (repeated keys, a key repeated with null, translated names,
// extras of every type, nested values, errors).
func FuzzDecodeOnePass(f *testing.F) {
	for _, p := range ckantest.FixturePackages(f, filepath.Join("..", "testdata", "real")) {
		f.Add([]byte(p))
	}
	for _, s := range []string{
		`{"id":"a","resources":[{"id":"r","x":"1","x":null},{"x":null,"x":"2","name":"n","name_translated":{"en":"N"}}]}`,
		`{"id":"a","resources":[{"description":"d","description_translated":null,"size":"12","size":3,"state":"x"}]}`,
		`{"id":"a","resources":[{"url":" u ","url":"v","format":" CSV ","created":"2020-01-01","last_modified":null,"y":[1,{"a":2}]}]}`,
		`{"id":"a","resources":[{},{"package_id":"p","position":9,"cache_url":"c","k":true,"k2":1.5e3,"k3":""}]}`,
		`{"id":"a","resources":[1]}`, `{"id":"a","resources":[{"a":1},"x"]}`, `{"id":"a","resources":{}}`,
		`{"id":"a","tags":[{"name":"t","name":"","display_name":"D"},{"display_name":"E"},"f",{"name":null},{}],"groups":[{"id":"g"},{"name":"h","id":"i"}]}`,
		`{"id":"a","keywords":{"fr":[{"name":"m"}],"de":["n"]},"organization":{"name":"o","name":"p","title":"T","title_translated":{"fr":""}}}`,
		`{"id":"a","organization":{"title_translated":{"en":"E"}},"resources":[{"n\u0061me":"esc","id":"r\"1"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !validJSON(raw) {
			return
		}
		got, gerr := decodeValid(raw)
		want, werr := decodeValidRef(raw)
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("%q: error %v, want %v", raw, gerr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", raw, got, want)
		}
	})
}

// parseTimeRef is parseTime as it was: every layout tried in turn.
func parseTimeRef(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// FuzzParseTime: skipping the layouts with a zone for a text without one
// reads every text as trying them all did.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-02-28T14:11:55.837024", "2024-02-28T14:11:55Z", "2024-02-28 14:11:55+02:00",
		"2024-02-28T14:11-05:00", "2024-02-28", "2024-2-28T10:00Z", "  2024-02-28T14:11:55.1z ", "9999-99-99", "", "Z",
		"2024-02-28T14:11:55.837024-0500", "2024-02-28T14:11", "2024-02-28T24:00:00+14:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := parseTime(s), parseTimeRef(s); !got.Equal(want) || got.Location() != want.Location() {
			t.Fatalf("%q: %v, want %v", s, got, want)
		}
	})
}

// translated reads a multilingual field every way portals send it: key as
// a string or a {lang: text} dict, key_translated (ckanext-fluent), and the
// older key_fr / key_en pairs. Explicit translations win over the plain value.
func translatedRef(m map[string]json.RawMessage, key string) text {
	t := textOf(m[key])
	pairs := text{}
	for _, lang := range []string{"fr", "en"} {
		if s := strings.TrimSpace(str(m[key+"_"+lang])); s != "" && isString(m[key+"_"+lang]) {
			pairs[lang] = s
		}
	}
	switch {
	case pairs["fr"] == "" && pairs["en"] != "" && len(t) > 0:
		// Only an English pair: the plain value stays the main title.
		c := text{}
		for k, v := range t {
			c[k] = v
		}
		c["en"] = pairs["en"]
		t = c
	case len(pairs) > 0:
		t = mergeText(pairs, t)
	}
	if tt := textOf(m[key+"_translated"]); len(tt) > 0 {
		t = mergeText(tt, t)
	}
	return t
}

var knownPackageKey = map[string]bool{
	"id": true, "name": true, "title": true, "notes": true, "license_id": true, "license_title": true,
	"license_url": true, "isopen": true, "private": true, "state": true, "type": true, "author": true,
	"author_email": true, "maintainer": true, "maintainer_email": true, "url": true, "version": true,
	"metadata_created": true, "metadata_modified": true, "tags": true, "groups": true, "extras": true,
	"resources": true,
}

// ignored are package keys that are derived, volatile or internal and would
// make unchanged datasets look changed.
var ignored = map[string]bool{
	"num_resources": true, "num_tags": true, "tracking_summary": true, "relationships_as_object": true,
	"relationships_as_subject": true, "revision_id": true, "revision_timestamp": true, "creator_user_id": true,
	"score": true, "_version_": true, "index_id": true, "indexed_ts": true, "site_id": true, "data_dict": true,
	"validated_data_dict": true, "owner_org": true, "num_followers": true, "entity_type": true, "capacity": true,
	"organization": true, "title_translated": true, "notes_translated": true,
}

// fieldMaps keeps the maps of decoded objects (a package, a resource, a
// tag) for the next one: a page of 1,000 packages used to allocate about
// 4,000 maps, most of the decoding's garbage.
var fieldMaps = sync.Pool{New: func() any { return make(map[string]json.RawMessage, 64) }}

// pooledFields is fields into a map that releaseFields gives back once the
// values are no longer read.
func pooledFields(b []byte) (map[string]json.RawMessage, error) {
	m := fieldMaps.Get().(map[string]json.RawMessage)
	err := eachField(b, func(k string, v json.RawMessage) { m[k] = v })
	return m, err
}

func releaseFields(m map[string]json.RawMessage) {
	if len(m) > 1024 { // an unusual object: let it go
		return
	}
	clear(m)
	fieldMaps.Put(m)
}

// TestDecodeEveryKnownKey: each key the decoder knows, ignores or reads as
// well as keeping it, given a string, a dict or null, decodes as the map-based
// decoder did (the one-pass switch lists them by hand).
func TestDecodeEveryKnownKey(t *testing.T) {
	keys := []string{"title_fr", "title_en", "notes_fr", "notes_en", "description", "keywords", "other"}
	for k := range knownPackageKey {
		keys = append(keys, k)
	}
	for k := range ignored {
		keys = append(keys, k)
	}
	for _, k := range keys {
		for _, v := range []string{`"x"`, `{"fr":"y","en":"z"}`, `null`, `[{"name":"w"}]`, `true`} {
			raw := []byte(`{"id":"a","name":"n",` + strconv.Quote(k) + `:` + v + `}`)
			got, gerr := decodeValid(raw)
			want, werr := decodeValidRef(raw)
			if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: got %+v %v, want %+v %v", raw, got, gerr, want, werr)
			}
		}
	}
	for k := range knownResourceKey {
		keys = append(keys, k)
	}
	for k := range resourceIgnored {
		keys = append(keys, k)
	}
	for _, k := range keys {
		for _, v := range []string{`"x"`, `{"fr":"y","en":"z"}`, `null`, `"12"`, `"2020-01-02T03:04:05"`} {
			raw := []byte(`{"id":"a","resources":[{` + strconv.Quote(k) + `:` + v + `}]}`)
			got, gerr := decodeValid(raw)
			want, werr := decodeValidRef(raw)
			if (gerr == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: got %+v %v, want %+v %v", raw, got, gerr, want, werr)
			}
		}
	}
}
