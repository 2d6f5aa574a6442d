package ckantest

import (
	"encoding/json"
	"sort"
	"strings"
)

// CKAN's defaults for ckan.group_and_organization_list_all_fields_max and
// ckan.group_and_organization_list_max: limits above them are silently lowered.
const (
	orgListAllFieldsMax = 25
	orgListMax          = 1000
)

// orgCounts returns, per organization name, how many datasets the caller can
// see: public ones, and private ones for a caller holding the token.
func (c *call) orgCounts() map[string]int {
	counts := map[string]int{}
	c.p.mu.RLock()
	for _, e := range c.p.byID {
		if e.org != "" && e.state == "active" && (!e.private || c.privileged()) {
			counts[e.org]++
		}
	}
	c.p.mu.RUnlock()
	return counts
}

// orgDicts returns copies of all known organization dicts with package_count.
func (c *call) orgDicts() []map[string]any {
	counts := c.orgCounts()
	c.p.mu.RLock()
	out := make([]map[string]any, 0, len(c.p.orgs))
	for name, o := range c.p.orgs {
		d := make(map[string]any, len(o)+2)
		for k, v := range o {
			d[k] = v
		}
		d["name"] = name
		if str(d["display_name"]) == "" {
			d["display_name"] = textOf(d["title"])
		}
		d["package_count"] = counts[name]
		out = append(out, d)
	}
	c.p.mu.RUnlock()
	return out
}

func (c *call) organizationList() {
	all := c.boolParam("all_fields")
	max := orgListMax
	if all {
		max = orgListAllFieldsMax
	}
	limit, ok := c.intParam("limit", max)
	if !ok {
		return
	}
	if limit > max || limit == 0 {
		limit = max
	}
	offset, ok := c.intParam("offset", 0)
	if !ok {
		return
	}
	field, desc := "title", false
	if s := strings.TrimSpace(c.params.Get("sort")); s != "" {
		parts := strings.Fields(s)
		field = parts[0]
		if len(parts) > 1 {
			desc = strings.EqualFold(parts[1], "desc")
		}
		if field == "packages" {
			field = "package_count"
		}
		if field != "name" && field != "title" && field != "package_count" {
			c.validation("sort", "Cannot sort by field `"+parts[0]+"`")
			return
		}
	}
	orgs := c.orgDicts()
	if want := c.params.Get("organizations"); want != "" {
		var names []string
		if json.Unmarshal([]byte(want), &names) != nil {
			names = strings.Split(want, ",")
		}
		keep := map[string]bool{}
		for _, n := range names {
			keep[strings.TrimSpace(n)] = true
		}
		filtered := orgs[:0]
		for _, o := range orgs {
			if keep[str(o["name"])] {
				filtered = append(filtered, o)
			}
		}
		orgs = filtered
	}
	sort.SliceStable(orgs, func(i, j int) bool {
		a, b := orgs[i], orgs[j]
		var less, eq bool
		switch field {
		case "package_count":
			x, y := a["package_count"].(int), b["package_count"].(int)
			less, eq = x < y, x == y
		case "name":
			less, eq = str(a["name"]) < str(b["name"]), false
		default:
			x, y := strings.ToLower(textOf(a["title"])), strings.ToLower(textOf(b["title"]))
			less, eq = x < y, x == y
		}
		if eq {
			return str(a["name"]) < str(b["name"])
		}
		if desc {
			return !less
		}
		return less
	})
	orgs = window(orgs, offset, limit)
	if all {
		c.ok(orgs)
		return
	}
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = str(o["name"])
	}
	c.ok(names)
}

func (c *call) organizationShow() {
	id := c.params.Get("id")
	if id == "" {
		c.validation("id", "Missing value")
		return
	}
	c.p.mu.RLock()
	name := id
	if n, ok := c.p.orgByID[id]; ok {
		name = n
	}
	_, found := c.p.orgs[name]
	c.p.mu.RUnlock()
	if !found {
		c.notFound("Organization not found")
		return
	}
	var org map[string]any
	for _, o := range c.orgDicts() {
		if str(o["name"]) == name {
			org = o
		}
	}
	if c.boolParam("include_datasets") {
		var raws []json.RawMessage
		c.p.mu.RLock()
		for _, e := range c.p.byID {
			if e.org == name && c.visible(e) && len(raws) < orgListMax {
				raws = append(raws, e.json())
			}
		}
		c.p.mu.RUnlock()
		if raws == nil {
			raws = []json.RawMessage{}
		}
		org["packages"] = raws
	}
	c.ok(org)
}

func (c *call) groupList() {
	all := c.boolParam("all_fields")
	out := make([]any, 0, len(dqGroups))
	for _, g := range dqGroups {
		if all {
			out = append(out, groupDict(g))
		} else {
			out = append(out, g.name)
		}
	}
	c.ok(out)
}

func (c *call) licenseList() {
	c.p.mu.RLock()
	custom := c.p.licences
	c.p.mu.RUnlock()
	if custom != nil {
		c.ok(custom)
		return
	}
	c.ok(DQLicenseList())
}

// DQLicenseList is the license_list a Données Québec-shaped portal serves,
// as CKAN 2.x writes it: od_conformance approved for the open licences,
// rejected for the non-commercial and no-derivatives ones.
func DQLicenseList() []map[string]any {
	out := make([]map[string]any, 0, len(dqLicenses))
	for _, l := range dqLicenses {
		od := "rejected"
		if l.open {
			od = "approved"
		}
		out = append(out, map[string]any{"id": l.id, "title": l.title, "url": l.url,
			"od_conformance": od, "osd_conformance": "not reviewed", "status": "active",
			"is_okd_compliant": l.open, "is_osi_compliant": false, "is_generic": false, "domain_content": true, "domain_data": true})
	}
	return out
}

// SetLicences replaces the portal's license_list answer (CKAN licence
// dicts: id, title, url, od_conformance, is_okd_compliant, is_generic…).
// nil restores Données Québec's.
func (p *Portal) SetLicences(list []map[string]any) {
	p.mu.Lock()
	p.licences = list
	p.mu.Unlock()
}

// Organizations derives organization dicts (id, name, title, package_count)
// from package dicts, counting active public packages, sorted by name.
func Organizations(pkgs []map[string]any) []map[string]any {
	byName := map[string]map[string]any{}
	for _, pkg := range pkgs {
		org, ok := pkg["organization"].(map[string]any)
		if !ok || str(org["name"]) == "" {
			continue
		}
		name := str(org["name"])
		d, ok := byName[name]
		if !ok {
			id := str(org["id"])
			if id == "" {
				id = str(pkg["owner_org"])
			}
			d = map[string]any{"id": id, "name": name, "title": org["title"], "package_count": 0}
			byName[name] = d
		}
		state := str(pkg["state"])
		if pkg["private"] != true && (state == "" || state == "active") {
			d["package_count"] = d["package_count"].(int) + 1
		}
	}
	out := make([]map[string]any, 0, len(byName))
	for _, d := range byName {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return str(out[i]["name"]) < str(out[j]["name"]) })
	return out
}
