// Package ckantest emulates a CKAN portal's action API for tests, demos and
// benchmarks, and generates Données Québec-shaped catalogues of any size.
//
// A Portal holds package dicts (as CKAN's package_show returns them) and
// answers status_show, package_search, package_show, package_list,
// organization_list, organization_show, group_list and license_list the way
// CKAN 2.9–2.11 does: the {"help","success","result"} envelope, CKAN's error
// types and HTTP statuses, naive ISO timestamps, a silent clamp on rows, Solr
// style fq ranges and sort orders. Faults can be injected per action.
//
// Each package is kept as its JSON encoding plus a small index, so a portal
// of 100,000 generated datasets costs a few hundred megabytes and a page of
// 1,000 results is served by concatenating stored bytes.
package ckantest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options configures a Portal.
type Options struct {
	RowsMax     int    // package_search rows clamp, like ckan.search.rows_max (default 1000)
	Token       string // if set, private datasets are only visible with header "Authorization: <Token>" (and include_private=true in searches); if empty, include_private=true alone shows them
	IgnoreStart bool   // fault: package_search ignores start (always returns the first page)
	CKANVersion string // status_show ckan_version (default "2.11.3")
	SiteTitle   string // status_show site_title (default "Données Québec")
	Gzip        bool   // gzip API answers when the client accepts it, as portals behind nginx do
	HideVersion bool   // status_show omits ckan_version, like ckan.hide_version for anonymous callers
}

// Fault is a hook run before normal handling of every API request. It
// returns true when it has written a response itself.
type Fault func(w http.ResponseWriter, r *http.Request, action string) (handled bool)

// Portal is an in-memory CKAN portal. All methods are safe for concurrent use.
type Portal struct {
	opts Options

	mu      sync.RWMutex
	byID    map[string]*entry
	byName  map[string]string // name → id
	orgs    map[string]map[string]any
	orgByID map[string]string // id → name
	version uint64            // bumped by every change
	seq     uint64            // Solr-like insertion order, for ties
	now     func() time.Time
	faults  []Fault
	// licences is the license_list answer; nil serves Données Québec's.
	licences []map[string]any
	// indexServes, when > 0, limits package_search to the first that many
	// datasets in id order (SetIndexServes).
	indexServes int

	reqMu    sync.Mutex
	requests map[string]int

	cacheMu sync.Mutex
	cache   []cachedQuery
}

// entry is one stored package: its JSON encoding and what search needs.
type entry struct {
	id, name, title string // title lower-cased, for q
	org, orgID      string
	license         string
	state           string
	private         bool
	created         time.Time
	modified        time.Time
	tags, groups    []string
	formats         []string
	seq             uint64
	raw             []byte   // the JSON encoding, or nil for a generated package
	gen             *genSpec // how to regenerate it when raw is nil
	genIndex        int
	partial         bool // tags, groups and formats not indexed: see full
}

// completeIndex indexes the tags, groups and formats of packages added by
// PutGenerated (once: the first query on those fields pays for it).
func (p *Portal) completeIndex() {
	p.mu.RLock()
	var partial []*entry
	for _, e := range p.byID {
		if e.partial {
			partial = append(partial, e)
		}
	}
	p.mu.RUnlock()
	if len(partial) == 0 {
		return
	}
	done := make([]*entry, len(partial))
	parallel(len(partial), func(i int) {
		c := *partial[i]
		f := indexEntry(generateOne(c.genIndex, c.gen.seed, c.gen.opts))
		c.tags, c.groups, c.formats, c.partial = f.tags, f.groups, f.formats, false
		done[i] = &c
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, e := range done {
		if p.byID[e.id] == partial[i] {
			p.byID[e.id] = e
		}
	}
	p.version++
}

// genSpec is the recipe of a generated catalogue.
type genSpec struct {
	seed int64
	opts GenOptions
}

// json returns the package's JSON encoding, generating it when needed.
func (e *entry) json() []byte {
	if e.raw != nil {
		return e.raw
	}
	b, _ := appendJSON(make([]byte, 0, 8192), generateOne(e.genIndex, e.gen.seed, e.gen.opts))
	return b
}

type cachedQuery struct {
	key     string
	version uint64
	list    []*entry
}

// New returns an empty portal.
func New(opts Options) *Portal {
	if opts.RowsMax <= 0 {
		opts.RowsMax = 1000
	}
	if opts.CKANVersion == "" {
		opts.CKANVersion = "2.11.3"
	}
	if opts.SiteTitle == "" {
		opts.SiteTitle = "Données Québec"
	}
	return &Portal{
		opts:     opts,
		byID:     map[string]*entry{},
		byName:   map[string]string{},
		orgs:     map[string]map[string]any{},
		orgByID:  map[string]string{},
		now:      time.Now,
		requests: map[string]int{},
	}
}

// Serve starts a loopback HTTP server for the portal. Its URL is the portal
// base (the CKAN site root): the API lives under srv.URL+"/api/3/action/".
func (p *Portal) Serve() *httptest.Server { return httptest.NewServer(p.Handler()) }

// SetNow sets the clock used by Edit to bump metadata_modified.
func (p *Portal) SetNow(now func() time.Time) {
	p.mu.Lock()
	p.now = now
	p.mu.Unlock()
}

// Inject adds a fault hook. Hooks run in the order added.
func (p *Portal) Inject(f Fault) {
	p.mu.Lock()
	p.faults = append(p.faults, f)
	p.mu.Unlock()
}

// Requests returns how many API requests named action were received
// (faulted ones included); "" counts all API requests.
func (p *Portal) Requests(action string) int {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	if action == "" {
		n := 0
		for _, c := range p.requests {
			n += c
		}
		return n
	}
	return p.requests[action]
}

// Len returns the number of stored packages, whatever their state or visibility.
func (p *Portal) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.byID)
}

// Put adds or replaces packages, keyed by "id". A package without an id gets
// one derived from its name. Its organization dict, if any, is recorded.
func (p *Portal) Put(pkgs ...map[string]any) {
	type prepared struct {
		e   *entry
		org map[string]any
	}
	prep := make([]prepared, 0, len(pkgs))
	for _, pkg := range pkgs {
		if pkg == nil {
			continue
		}
		if str(pkg["id"]) == "" {
			pkg["id"] = uuidFrom("package:" + str(pkg["name"]))
		}
		e, err := newEntry(pkg)
		if err != nil {
			continue
		}
		org, _ := pkg["organization"].(map[string]any)
		prep = append(prep, prepared{e, org})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range prep {
		p.putLocked(pr.e, pr.org)
	}
}

// PutGenerated adds the catalogue Generate(n, seed, o) would return without
// keeping it: only a search index is stored and each package is generated
// again whenever it is served, so 100,000 datasets take a few tens of
// megabytes. Edit stores the edited package in full.
func (p *Portal) PutGenerated(n int, seed int64, o GenOptions) {
	spec := &genSpec{seed: seed, opts: o.withDefaults()}
	entries := make([]*entry, n)
	parallel(n, func(i int) {
		e := generateHead(i, seed, spec.opts).entry()
		e.gen, e.genIndex = spec, i
		entries[i] = e
	})
	orgs := map[string]map[string]any{}
	for k := 0; k < spec.opts.Orgs; k++ {
		org := GeneratedOrganization(k)
		orgs[str(org["name"])] = org
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range entries {
		p.putLocked(e, orgs[e.org])
	}
}

// StoreJSON encodes every package added by PutGenerated once and keeps the
// bytes, trading about 5 KB per dataset for pages that cost no generation.
func (p *Portal) StoreJSON() {
	p.mu.RLock()
	var lazy []*entry
	for _, e := range p.byID {
		if e.raw == nil {
			lazy = append(lazy, e)
		}
	}
	p.mu.RUnlock()
	stored := make([]*entry, len(lazy))
	parallel(len(lazy), func(i int) {
		c := *lazy[i]
		pkg := generateOne(c.genIndex, c.gen.seed, c.gen.opts)
		raw, _ := appendJSON(make([]byte, 0, 8192), pkg)
		c.raw = bytes.Clone(raw)
		if c.partial {
			f := indexEntry(pkg)
			c.tags, c.groups, c.formats, c.partial = f.tags, f.groups, f.formats, false
		}
		c.gen = nil
		stored[i] = &c
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, e := range stored {
		if p.byID[e.id] == lazy[i] { // not edited meanwhile
			p.byID[e.id] = e
		}
	}
	p.version++
}

// PutJSON adds or replaces one package given as its JSON encoding.
func (p *Portal) PutJSON(raw []byte) error {
	var pkg map[string]any
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return fmt.Errorf("ckantest: package JSON: %w", err)
	}
	p.Put(pkg)
	return nil
}

// PutOrganizations records organization dicts (keyed by "name"), for
// organizations that hold no dataset or to override titles.
func (p *Portal) PutOrganizations(orgs ...map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, o := range orgs {
		name := str(o["name"])
		if name == "" {
			continue
		}
		c := make(map[string]any, len(o))
		for k, v := range o {
			if k != "package_count" && k != "packages" {
				c[k] = v
			}
		}
		p.orgs[name] = c
		if id := str(c["id"]); id != "" {
			p.orgByID[id] = name
		}
	}
	p.version++
}

func (p *Portal) putLocked(e *entry, org map[string]any) {
	if old, ok := p.byID[e.id]; ok && old.name != e.name && p.byName[old.name] == e.id {
		delete(p.byName, old.name)
	}
	p.seq++
	e.seq = p.seq
	p.byID[e.id] = e
	if e.name != "" {
		p.byName[e.name] = e.id
	}
	if org != nil && e.org != "" {
		if _, ok := p.orgs[e.org]; !ok {
			c := map[string]any{}
			for k, v := range org {
				c[k] = v
			}
			p.orgs[e.org] = c
			if e.orgID != "" {
				p.orgByID[e.orgID] = e.org
			}
		}
	}
	p.version++
}

// Package returns a copy of the stored package dict.
func (p *Portal) Package(idOrName string) (map[string]any, bool) {
	p.mu.RLock()
	e := p.lookupLocked(idOrName)
	p.mu.RUnlock()
	if e == nil {
		return nil, false
	}
	var pkg map[string]any
	if err := json.Unmarshal(e.json(), &pkg); err != nil {
		return nil, false
	}
	return pkg, true
}

// RawPackage returns the stored JSON encoding of a package (do not modify it).
func (p *Portal) RawPackage(idOrName string) ([]byte, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	e := p.lookupLocked(idOrName)
	if e == nil {
		return nil, false
	}
	return e.json(), true
}

// SetIndexServes makes package_search see only the first n datasets in id
// order, with a count that matches them, as a search index being rebuilt
// does; package_show and package_list still see every dataset. 0 restores
// the whole index.
func (p *Portal) SetIndexServes(n int) {
	p.mu.Lock()
	p.indexServes = n
	p.mu.Unlock()
}

// IDs returns the ids of all stored packages, sorted.
func (p *Portal) IDs() []string {
	p.mu.RLock()
	ids := make([]string, 0, len(p.byID))
	for id := range p.byID {
		ids = append(ids, id)
	}
	p.mu.RUnlock()
	sort.Strings(ids)
	return ids
}

// Edit mutates a stored package with fn, then sets its metadata_modified to
// the portal clock, as CKAN does on package_update. Unknown ids are ignored.
func (p *Portal) Edit(id string, fn func(pkg map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.lookupLocked(id)
	if e == nil {
		return
	}
	var pkg map[string]any
	if err := json.Unmarshal(e.json(), &pkg); err != nil {
		return
	}
	if fn != nil {
		fn(pkg)
	}
	pkg["metadata_modified"] = FormatTime(p.now())
	ne, err := newEntry(pkg)
	if err != nil {
		return
	}
	if ne.id != e.id {
		delete(p.byID, e.id)
	}
	org, _ := pkg["organization"].(map[string]any)
	p.putLocked(ne, org)
}

// Delete removes a package: package_show then answers 404 Not Found Error
// and searches no longer list it (a purge, in CKAN terms).
func (p *Portal) Delete(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.lookupLocked(id)
	if e == nil {
		return
	}
	delete(p.byID, e.id)
	if p.byName[e.name] == e.id {
		delete(p.byName, e.name)
	}
	p.version++
}

// SetPrivate changes a package's visibility without touching metadata_modified.
func (p *Portal) SetPrivate(id string, private bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.lookupLocked(id)
	if e == nil || e.private == private {
		return
	}
	var pkg map[string]any
	if err := json.Unmarshal(e.json(), &pkg); err != nil {
		return
	}
	pkg["private"] = private
	ne, err := newEntry(pkg)
	if err != nil {
		return
	}
	ne.seq = e.seq
	p.byID[ne.id] = ne
	p.version++
}

func (p *Portal) lookupLocked(idOrName string) *entry {
	if e, ok := p.byID[idOrName]; ok {
		return e
	}
	if id, ok := p.byName[idOrName]; ok {
		return p.byID[id]
	}
	return nil
}

func newEntry(pkg map[string]any) (*entry, error) {
	raw, err := appendJSON(make([]byte, 0, 8192), pkg)
	if err != nil {
		return nil, err
	}
	e := indexEntry(pkg)
	e.raw = bytes.Clone(raw)
	return e, nil
}

// indexEntry extracts what search needs from a package dict.
func indexEntry(pkg map[string]any) *entry {
	e := &entry{
		id:       str(pkg["id"]),
		name:     str(pkg["name"]),
		title:    strings.ToLower(textOf(pkg["title"])),
		orgID:    str(pkg["owner_org"]),
		license:  str(pkg["license_id"]),
		state:    str(pkg["state"]),
		private:  pkg["private"] == true,
		created:  ParseTime(str(pkg["metadata_created"])),
		modified: ParseTime(str(pkg["metadata_modified"])),
	}
	if e.state == "" {
		e.state = "active"
	}
	if org, ok := pkg["organization"].(map[string]any); ok {
		e.org = str(org["name"])
		if e.orgID == "" {
			e.orgID = str(org["id"])
		}
	}
	for _, t := range list(pkg["tags"]) {
		if m, ok := t.(map[string]any); ok {
			e.tags = append(e.tags, str(m["name"]))
		}
	}
	for _, g := range list(pkg["groups"]) {
		if m, ok := g.(map[string]any); ok {
			e.groups = append(e.groups, str(m["name"]))
		}
	}
	for _, r := range list(pkg["resources"]) {
		if m, ok := r.(map[string]any); ok {
			e.formats = append(e.formats, str(m["format"]))
		}
	}
	return e
}

// TimeLayout is how CKAN writes timestamps in payloads: naive ISO 8601 in UTC
// with microseconds and no zone designator.
const TimeLayout = "2006-01-02T15:04:05.000000"

// FormatTime writes t the way CKAN does (UTC, no "Z").
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a CKAN timestamp (naive ISO taken as UTC, or with a zone).
// It returns the zero time when s is not a timestamp.
func ParseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// textOf reads a plain or multilingual ({"fr":..,"en":..}) text field.
func textOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		for _, k := range []string{"fr", "en", "de", "it"} {
			if s := str(t[k]); s != "" {
				return s
			}
		}
		for _, x := range t {
			if s := str(x); s != "" {
				return s
			}
		}
	}
	return ""
}

// parallel calls fn(0) … fn(n-1) on every core and returns when all are done.
// fn must only touch what belongs to its index.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}(w)
	}
	wg.Wait()
}
