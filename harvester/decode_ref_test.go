package harvester

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

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
	title := translated(m, "title")
	d.Title, d.TitleEN = title.best(), title["en"]
	if d.TitleEN == d.Title {
		d.TitleEN = ""
	}
	notes := translated(m, "notes")
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
