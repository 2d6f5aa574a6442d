package quality_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// loadPackage reads a real package_show payload (enveloped or bare) from
// testdata/real and maps it to vigie.Dataset the way a CKAN harvester does:
// core fields normalised, multilingual dicts reduced to French first, every
// other top-level field and extra kept in Extras (non-strings JSON-encoded).
func loadPackage(t testing.TB, rel string) *vigie.Dataset {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "real", rel))
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &env); err == nil && len(env.Result) > 0 {
		b = env.Result
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	d := &vigie.Dataset{Extras: map[string]string{}, Raw: b}
	core := map[string]*string{"id": &d.ID, "name": &d.Name, "title": &d.Title, "notes": &d.Notes, "license_id": &d.LicenseID,
		"license_title": &d.LicenseTitle, "license_url": &d.LicenseURL, "state": &d.CKANState, "type": &d.Type, "author": &d.Author,
		"author_email": &d.AuthorEmail, "maintainer": &d.Maintainer, "maintainer_email": &d.MaintainerEmail, "url": &d.URL, "version": &d.Version}
	for k, raw := range m {
		if p, ok := core[k]; ok {
			*p = text(raw)
			continue
		}
		switch k {
		case "metadata_created":
			d.MetadataCreated = ckanTime(text(raw))
		case "metadata_modified":
			d.MetadataModified = ckanTime(text(raw))
		case "isopen":
			var v *bool
			_ = json.Unmarshal(raw, &v)
			d.IsOpen = v
		case "private":
			_ = json.Unmarshal(raw, &d.Private)
		case "organization":
			var o struct {
				Name  string          `json:"name"`
				Title json.RawMessage `json:"title"`
			}
			_ = json.Unmarshal(raw, &o)
			d.Organization, d.OrganizationTitle = o.Name, text(o.Title)
		case "tags":
			var ts []struct {
				Name string `json:"name"`
			}
			_ = json.Unmarshal(raw, &ts)
			for _, x := range ts {
				if x.Name != "" {
					d.Tags = append(d.Tags, x.Name)
				}
			}
		case "groups":
			var gs []struct {
				Name string `json:"name"`
			}
			_ = json.Unmarshal(raw, &gs)
			for _, x := range gs {
				if x.Name != "" {
					d.Groups = append(d.Groups, x.Name)
				}
			}
		case "extras":
			var es []struct {
				Key   string          `json:"key"`
				Value json.RawMessage `json:"value"`
			}
			_ = json.Unmarshal(raw, &es)
			for _, e := range es {
				d.Extras[e.Key] = text(e.Value)
			}
		case "resources":
			var rs []map[string]json.RawMessage
			_ = json.Unmarshal(raw, &rs)
			for i, r := range rs {
				d.Resources = append(d.Resources, resource(i, r))
			}
		default:
			if v := text(raw); v != "" {
				d.Extras[k] = v
			}
		}
	}
	if d.Title == "" && m["title"] != nil {
		d.Title = text(m["title"])
	}
	if d.Notes == "" {
		d.Notes = text(m["description"])
	}
	return d
}

func resource(i int, r map[string]json.RawMessage) vigie.Resource {
	x := vigie.Resource{Position: i, Extras: map[string]string{}}
	core := map[string]*string{"id": &x.ID, "name": &x.Name, "description": &x.Description, "format": &x.Format, "mimetype": &x.Mimetype,
		"url": &x.URL, "resource_type": &x.ResourceType, "url_type": &x.URLType}
	for k, raw := range r {
		if p, ok := core[k]; ok {
			*p = text(raw)
			continue
		}
		switch k {
		case "size":
			var n *int64
			if json.Unmarshal(raw, &n) == nil {
				x.Size = n
			}
		case "created", "last_modified":
			if t := ckanTime(text(raw)); !t.IsZero() {
				if k == "created" {
					x.Created = &t
				} else {
					x.LastModified = &t
				}
			}
		case "position":
		default:
			if v := text(raw); v != "" {
				x.Extras[k] = v
			}
		}
	}
	return x
}

// text reads a JSON value as a string: strings as is, multilingual dicts
// French first, null as "", anything else JSON-encoded.
func text(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var ml map[string]json.RawMessage
	if json.Unmarshal(raw, &ml) == nil {
		for _, l := range []string{"fr", "en", "de", "it"} {
			var v string
			if json.Unmarshal(ml[l], &v) == nil && v != "" {
				return v
			}
		}
	}
	return strings.TrimSpace(string(raw))
}

func ckanTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
