package harvester

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
)

// text is a field that may be a string, a {"fr":…,"en":…} dict, a number
// or null.
type text map[string]string

// plainString returns the value of a JSON string without escapes cheaply;
// ok is false for anything else.
func plainString(raw []byte) (string, bool) {
	n := len(raw)
	if n < 2 || raw[0] != '"' || raw[n-1] != '"' {
		return "", false
	}
	body := raw[1 : n-1]
	if bytes.IndexByte(body, '\\') >= 0 || bytes.IndexByte(body, '"') >= 0 || !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// str reads a JSON value as one string (see textOf).
func str(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if s, ok := plainString(raw); ok {
		return s
	}
	return textOf(raw).best()
}

// textOf reads a JSON value as text; "" is the untranslated value.
func textOf(raw json.RawMessage) text {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	switch raw[0] {
	case '"':
		if s, ok := plainString(raw); ok {
			return text{"": s}
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return text{"": s}
		}
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			t := text{}
			for k, v := range m {
				if s := textOf(v).best(); s != "" {
					t[strings.ToLower(k)] = s
				}
			}
			return t
		}
	}
	return text{"": string(raw)}
}

// best is the plain value, else French, else English, else any language.
func (t text) best() string {
	for _, k := range []string{"", "fr", "fr-ca", "en"} {
		if s := t[k]; s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// fieldString is a custom field's value as stored in Extras: strings as is,
// other values JSON-encoded, null and empty skipped.
func fieldString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		if s, ok := plainString(raw); ok {
			return s, s != ""
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, s != ""
		}
	}
	if raw[0] != '{' && raw[0] != '[' {
		return string(raw), true // numbers and booleans are already compact
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String(), true
	}
	return string(raw), true
}

// timeLayouts are the forms CKAN and harvested sources use; naive ones are UTC.
var timeLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTime reads a timestamp; unparseable or empty gives the zero time.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	// most timestamps are naive: the layouts with a zone cannot read a
	// text with no Z, + or - after its date, so they are not tried (a
	// failed time.Parse builds an error)
	zoned := len(s) > 10 && strings.ContainsAny(s[10:], "Z+-")
	for _, l := range timeLayouts {
		if !zoned && strings.HasSuffix(l, "Z07:00") {
			continue
		}
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func timePtr(raw json.RawMessage) *time.Time {
	t := parseTime(str(raw))
	if t.IsZero() {
		return nil
	}
	return &t
}

// parseSize reads a resource size given as a number, a numeric string,
// null, "" or "None".
func parseSize(raw json.RawMessage) *int64 {
	s := strings.TrimSpace(str(raw))
	if s == "" {
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return &n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1<<62 {
		n := int64(f)
		return &n
	}
	return nil
}

// ErrNotPackage is wrapped when a JSON value is not a CKAN package dict.
var ErrNotPackage = errors.New("not a CKAN package dict")

// notPackage is ErrNotPackage with why (a catalogue sentence), in the
// reader's language.
func notPackage(why string) error {
	return &vigie.Error{ID: "harvester.not_package.why", Args: []any{vigie.NewError(vigie.KindOther, why)}, Err: ErrNotPackage}
}

// notPackageErr is ErrNotPackage with the scanner's error.
func notPackageErr(err error) error {
	if errors.Is(err, errBadJSON) {
		return notPackage("harvester.why.malformed")
	}
	return &vigie.Error{ID: "harvester.not_package.why", Args: []any{err}, Err: ErrNotPackage}
}

// DecodePackage normalises one CKAN package dict. It accepts the variety of
// real portals: multilingual titles and notes (dicts or *_translated), null
// licence or organization, resource sizes as numbers, strings or null,
// extras values that are lists or booleans, custom top-level fields (kept in
// Extras, non-string values JSON-encoded) and naive timestamps (read as UTC).
// A package without an id (a package_create input) is keyed by its name.
func DecodePackage(raw json.RawMessage) (vigie.Dataset, error) {
	if !validJSON(raw) {
		return vigie.Dataset{}, notPackage("harvester.why.invalid_json")
	}
	return decodeValid(raw)
}

// pkgFields are the fields of a package that decodeValid reads, found in
// one pass over it (a key given twice counts by its last value, as in a
// map), and the others, kept as extras.
type pkgFields struct {
	id, name, title, titleFR, titleEN, titleTr, notes, notesFR, notesEN, notesTr, description, organization,
	licenseID, licenseTitle, licenseURL, isopen, private, state, typ, author, authorEmail, maintainer,
	maintainerEmail, url, version, created, modified, tags, keywords, groups, extras, resources json.RawMessage
	other []field // in order, repeats included
}

type field struct {
	key string
	val json.RawMessage
}

// read fills f from the package dict b.
func (f *pkgFields) read(b json.RawMessage) error {
	return eachFieldKey(b, func(k []byte, v json.RawMessage) {
		switch string(k) {
		case "id":
			f.id = v
		case "name":
			f.name = v
		case "title":
			f.title = v
		case "notes":
			f.notes = v
		case "organization":
			f.organization = v
		case "license_id":
			f.licenseID = v
		case "license_title":
			f.licenseTitle = v
		case "license_url":
			f.licenseURL = v
		case "isopen":
			f.isopen = v
		case "private":
			f.private = v
		case "state":
			f.state = v
		case "type":
			f.typ = v
		case "author":
			f.author = v
		case "author_email":
			f.authorEmail = v
		case "maintainer":
			f.maintainer = v
		case "maintainer_email":
			f.maintainerEmail = v
		case "url":
			f.url = v
		case "version":
			f.version = v
		case "metadata_created":
			f.created = v
		case "metadata_modified":
			f.modified = v
		case "tags":
			f.tags = v
		case "groups":
			f.groups = v
		case "extras":
			f.extras = v
		case "resources":
			f.resources = v
		case "title_translated":
			f.titleTr = v
		case "notes_translated":
			f.notesTr = v
		// derived, volatile or internal keys that would make unchanged
		// datasets look changed
		case "num_resources", "num_tags", "tracking_summary", "relationships_as_object", "relationships_as_subject",
			"revision_id", "revision_timestamp", "creator_user_id", "score", "_version_", "index_id", "indexed_ts",
			"site_id", "data_dict", "validated_data_dict", "owner_org", "num_followers", "entity_type", "capacity":
		default:
			// read, and kept as extras too
			switch string(k) {
			case "title_fr":
				f.titleFR = v
			case "title_en":
				f.titleEN = v
			case "notes_fr":
				f.notesFR = v
			case "notes_en":
				f.notesEN = v
			case "description":
				f.description = v
			case "keywords":
				f.keywords = v
			}
			f.other = append(f.other, field{string(k), v})
		}
	})
}

// decodeValid is DecodePackage for JSON already known to be valid.
func decodeValid(raw json.RawMessage) (vigie.Dataset, error) {
	if !isObject(raw) {
		return vigie.Dataset{}, notPackage("harvester.why.not_object")
	}
	var other [32]field
	m := pkgFields{other: other[:0]}
	if err := m.read(raw); err != nil {
		return vigie.Dataset{}, notPackageErr(err)
	}
	d := vigie.Dataset{
		ID:   str(m.id),
		Name: str(m.name),
		Raw:  raw,
	}
	if d.ID == "" {
		d.ID = d.Name
	}
	if d.ID == "" {
		return vigie.Dataset{}, notPackage("harvester.why.no_id")
	}
	title := translated(m.title, m.titleFR, m.titleEN, m.titleTr)
	d.Title, d.TitleEN = title.best(), title["en"]
	if d.TitleEN == d.Title {
		d.TitleEN = ""
	}
	notes := translated(m.notes, m.notesFR, m.notesEN, m.notesTr)
	if len(notes) == 0 && isObject(m.description) {
		notes = textOf(m.description) // DCAT-style portals (opendata.swiss) put the multilingual notes there
	}
	d.Notes = notes.best()
	if org := m.organization; len(org) > 0 && org[0] == '{' {
		// split like the package (valid JSON already), not by encoding/json,
		// which validated the organization's text once more for each package;
		// only three of its fields are read, in one pass (a repeated key:
		// the last one counts)
		var name, title, titleTr json.RawMessage
		err := eachFieldKey(org, func(k []byte, v json.RawMessage) {
			switch string(k) {
			case "name":
				name = v
			case "title":
				title = v
			case "title_translated":
				titleTr = v
			}
		})
		if err == nil {
			d.Organization = str(name)
			d.OrganizationTitle = mergeText(textOf(titleTr), textOf(title)).best()
		}
	} else if len(org) > 0 && org[0] == '"' {
		d.Organization = str(org)
	}
	d.LicenseID = str(m.licenseID)
	d.LicenseTitle = str(m.licenseTitle)
	d.LicenseURL = str(m.licenseURL)
	if b, ok := boolOf(m.isopen); ok {
		d.IsOpen = &b
	}
	d.Private, _ = boolOf(m.private)
	d.CKANState = strings.ToLower(strings.TrimSpace(str(m.state)))
	d.Type = str(m.typ)
	d.Author = str(m.author)
	d.AuthorEmail = str(m.authorEmail)
	d.Maintainer = str(m.maintainer)
	d.MaintainerEmail = str(m.maintainerEmail)
	d.URL = str(m.url)
	d.Version = str(m.version)
	d.MetadataCreated = parseTime(str(m.created))
	d.MetadataModified = parseTime(str(m.modified))
	d.Tags = names(m.tags, "name", "display_name")
	if len(d.Tags) == 0 {
		d.Tags = keywords(m.keywords)
	}
	d.Groups = names(m.groups, "name", "id")

	d.Extras = map[string]string{}
	if ex := m.extras; isArray(ex) {
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
	// the other top-level fields, each by its last value: walked from the
	// end, a key already met is skipped
	var seen map[string]bool // for a package with many custom fields (a hostile one)
	if len(m.other) > 64 {
		seen = make(map[string]bool, len(m.other))
	}
	for i := len(m.other) - 1; i >= 0; i-- {
		f := m.other[i]
		if seen != nil {
			if seen[f.key] {
				continue
			}
			seen[f.key] = true
		} else if laterKey(m.other[i+1:], f.key) {
			continue
		}
		if s, ok := fieldString(f.val); ok {
			d.Extras[f.key] = s
		}
	}
	if len(d.Extras) == 0 {
		d.Extras = nil
	}

	d.Resources = []vigie.Resource{}
	if r := bytes.TrimSpace(m.resources); len(r) > 0 && string(r) != "null" {
		err := eachElem(r, func(i int, rr json.RawMessage) error {
			res, err := decodeResource(rr, i)
			if err != nil {
				return err
			}
			d.Resources = append(d.Resources, res)
			return nil
		})
		if err != nil {
			return vigie.Dataset{}, vigie.NewError(vigie.KindOther, "harvester.resources_not_list", d.ID)
		}
	}
	return d, nil
}

// laterKey says whether key is among the fields of later.
func laterKey(later []field, key string) bool {
	for _, f := range later {
		if f.key == key {
			return true
		}
	}
	return false
}

func decodeResource(b json.RawMessage, pos int) (vigie.Resource, error) {
	// One pass over the fields, without a map of them: a resource is read
	// from a dozen known keys and its other fields become extras. A key
	// given twice counts by its last value, as in a map.
	var id, name, nameTr, desc, descTr, format, mimetype, url, resType, urlType, size, created, modified json.RawMessage
	var hasNameTr, hasDescTr bool
	var extras map[string]string
	err := eachFieldKey(b, func(k []byte, v json.RawMessage) {
		switch string(k) {
		case "id":
			id = v
		case "name":
			name = v
		case "name_translated":
			nameTr, hasNameTr = v, true
		case "description":
			desc = v
		case "description_translated":
			descTr, hasDescTr = v, true
		case "format":
			format = v
		case "mimetype":
			mimetype = v
		case "url":
			url = v
		case "resource_type":
			resType = v
		case "url_type":
			urlType = v
		case "size":
			size = v
		case "created":
			created = v
		case "last_modified":
			modified = v
		case "package_id", "revision_id", "tracking_summary", "position", "cache_url", "cache_last_updated",
			"revision_timestamp", "state":
			// derived, volatile or internal: they would make unchanged
			// datasets look changed
		default:
			if s, ok := fieldString(v); ok {
				if extras == nil {
					extras = map[string]string{}
				}
				extras[string(k)] = s
			} else if extras != nil {
				delete(extras, string(k)) // an earlier value of the key, overridden
			}
		}
	})
	if err != nil {
		return vigie.Resource{}, err
	}
	if len(extras) == 0 {
		extras = nil
	}
	return vigie.Resource{
		ID:           str(id),
		Position:     pos,
		Name:         bestText(name, nameTr, hasNameTr),
		Description:  bestText(desc, descTr, hasDescTr),
		Format:       strings.TrimSpace(str(format)),
		Mimetype:     str(mimetype),
		URL:          strings.TrimSpace(str(url)),
		ResourceType: str(resType),
		URLType:      str(urlType),
		Size:         parseSize(size),
		Created:      timePtr(created),
		LastModified: timePtr(modified),
		Extras:       extras,
	}, nil
}

// bestText is mergeText(textOf(tr), textOf(v)).best(), read directly when
// there is no translated field (most resources).
func bestText(v, tr json.RawMessage, hasTr bool) string {
	if !hasTr {
		return str(v)
	}
	return mergeText(textOf(tr), textOf(v)).best()
}

// translated reads a multilingual field every way portals send it: v as a
// string or a {lang: text} dict, tr its key_translated (ckanext-fluent),
// and the older key_fr / key_en pairs. Explicit translations win over the
// plain value.
func translated(v, fr, en, tr json.RawMessage) text {
	t := textOf(v)
	pairs := text{}
	for _, p := range [2]struct {
		lang string
		raw  json.RawMessage
	}{{"fr", fr}, {"en", en}} {
		if s := strings.TrimSpace(str(p.raw)); s != "" && isString(p.raw) {
			pairs[p.lang] = s
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
	if tt := textOf(tr); len(tt) > 0 {
		t = mergeText(tt, t)
	}
	return t
}

func isString(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '"'
}

// keywords reads a keywords field, {lang: [words]} (ckanext-fluent tags,
// opendata.swiss, open.canada.ca) or a plain list, as tags: French first,
// then English, then the other languages in order, each word once.
func keywords(raw json.RawMessage) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(list json.RawMessage) {
		for _, w := range names(list, "name", "display_name") {
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

// mergeText prefers a's translations and fills gaps from b.
func mergeText(a, b text) text {
	if len(a) == 0 {
		return b
	}
	out := text{}
	for k, v := range b {
		out[k] = v
	}
	for k, v := range a {
		if v != "" {
			out[k] = v
		}
	}
	if len(a) > 0 && out[""] != "" && (a["fr"] != "" || a["en"] != "") {
		delete(out, "") // an untranslated value loses to explicit translations
	}
	return out
}

func boolOf(raw json.RawMessage) (bool, bool) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(string(raw)), `"`)) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

// names reads a list of dicts (or strings) into their names: of a dict,
// the first of keys (one or two) it has a non-empty value for.
func names(raw json.RawMessage, keys ...string) []string {
	out := []string{}
	if !isArray(raw) {
		return out
	}
	_ = eachElem(raw, func(_ int, v json.RawMessage) error {
		var s string
		if isObject(v) {
			// one pass over the dict's fields; a repeated key counts by its
			// last value
			var vals [2]json.RawMessage
			err := eachFieldKey(v, func(k []byte, val json.RawMessage) {
				for i, want := range keys[:min(len(keys), len(vals))] {
					if string(k) == want {
						vals[i] = val
					}
				}
			})
			if err == nil {
				for i := range keys[:min(len(keys), len(vals))] {
					if s = str(vals[i]); s != "" {
						break
					}
				}
			}
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

// DecodeOrganization normalises an organization dict (organization_list
// with all_fields, organization_show).
func DecodeOrganization(raw json.RawMessage) (vigie.Organization, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		var name string
		if json.Unmarshal(raw, &name) == nil && name != "" {
			return vigie.Organization{ID: name, Name: name}, nil
		}
		return vigie.Organization{}, vigie.NewError(vigie.KindOther, "harvester.not_org")
	}
	o := vigie.Organization{ID: str(m["id"]), Name: str(m["name"]),
		Title: mergeText(textOf(m["title_translated"]), textOf(m["title"])).best()}
	if n, err := strconv.Atoi(str(m["package_count"])); err == nil {
		o.PackageCount = n
	}
	if o.Name == "" {
		return vigie.Organization{}, vigie.NewError(vigie.KindOther, "harvester.org_no_name")
	}
	if o.ID == "" {
		o.ID = o.Name
	}
	return o, nil
}
