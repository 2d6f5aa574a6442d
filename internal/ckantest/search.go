package ckantest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const defaultSort = "score desc, metadata_modified desc"

func (c *call) packageSearch() {
	rows, ok := c.intParam("rows", 10)
	if !ok {
		return
	}
	if rows > c.p.opts.RowsMax {
		rows = c.p.opts.RowsMax // limit_to_configured_maximum: silent
	}
	start, ok := c.intParam("start", 0)
	if !ok {
		return
	}
	if c.p.opts.IgnoreStart {
		start = 0
	}
	sortSpec := strings.TrimSpace(c.params.Get("sort"))
	if sortSpec == "" {
		sortSpec = defaultSort
	}
	keys, err := parseSort(sortSpec)
	if err != nil {
		c.fail(http.StatusBadRequest, "Search Query Error", `Search Query is invalid: "Invalid \"sort\" parameter"`, nil)
		return
	}
	q := strings.TrimSpace(c.params.Get("q"))
	fq := strings.TrimSpace(c.params.Get("fq"))
	for _, extra := range c.params["fq_list"] {
		var l []string
		if json.Unmarshal([]byte(extra), &l) != nil {
			l = []string{extra}
		}
		for _, s := range l {
			fq += " +(" + s + ")"
		}
	}
	withPrivate := c.boolParam("include_private") && c.authorized
	// include_drafts and include_deleted (CKAN ≥ 2.10) widen the implicit
	// state filter; like CKAN, only authorized callers see drafts and deleted.
	states := []string{"active"}
	if c.boolParam("include_drafts") && c.privileged() {
		states = append(states, "draft")
	}
	if c.boolParam("include_deleted") && c.privileged() {
		states = append(states, "deleted")
	}

	if needsFullIndex(q, fq) {
		c.p.completeIndex()
	}
	filter, err := compileQuery(q, fq, withPrivate, states)
	if err != nil {
		c.fail(http.StatusConflict, "Search Error",
			fmt.Sprintf("Search error: ('SOLR returned an error running query: %s',)", err), nil)
		return
	}
	results := c.p.search(strings.Join([]string{q, fq, sortSpec, strconv.FormatBool(withPrivate), strings.Join(states, ",")}, "\x00"), filter, keys)

	p := c.p
	p.mu.RLock()
	serves := p.indexServes
	p.mu.RUnlock()
	if serves > 0 {
		ids := p.IDs()
		indexed := make(map[string]bool, serves)
		for _, id := range ids[:min(serves, len(ids))] {
			indexed[id] = true
		}
		kept := make([]*entry, 0, min(serves, len(results)))
		for _, e := range results {
			if indexed[e.id] {
				kept = append(kept, e)
			}
		}
		results = kept
	}
	page := window(results, start, rows)
	var fields []string
	if fl := strings.TrimSpace(c.params.Get("fl")); fl != "" {
		fields = strings.FieldsFunc(fl, func(r rune) bool { return r == ',' || r == ' ' })
	}

	raws := encodePage(page)
	size := 0
	for _, r := range raws {
		size += len(r) + 2
	}
	var buf bytes.Buffer
	buf.Grow(size + 256)
	fmt.Fprintf(&buf, `{"count": %d, "facets": {}, "results": [`, len(results))
	for i, raw := range raws {
		if i > 0 {
			buf.WriteString(", ")
		}
		if fields == nil {
			buf.Write(raw)
			continue
		}
		var pkg map[string]any
		_ = json.Unmarshal(raw, &pkg)
		sub := make(map[string]any, len(fields))
		for _, f := range fields {
			if v, ok := pkg[f]; ok {
				sub[f] = v
			}
		}
		b, _ := marshal(sub)
		buf.Write(b)
	}
	buf.WriteString(`], "sort": `)
	writeJSONString(&buf, sortSpec)
	buf.WriteString(`, "search_facets": {}}`)
	c.okRaw(buf.Bytes())
}

// encodePage returns the JSON of each entry, generating lazy ones in parallel.
func encodePage(page []*entry) [][]byte {
	out := make([][]byte, len(page))
	var lazy []int
	for i, e := range page {
		if e.raw != nil {
			out[i] = e.raw
		} else {
			lazy = append(lazy, i)
		}
	}
	if len(lazy) < 16 {
		for _, i := range lazy {
			out[i] = page[i].json()
		}
		return out
	}
	parallel(len(lazy), func(k int) { out[lazy[k]] = page[lazy[k]].json() })
	return out
}

// search returns the matching entries in order, caching the last few
// queries so that paging through a large result costs one sort.
func (p *Portal) search(key string, match func(*entry) bool, keys []sortKey) []*entry {
	p.mu.RLock()
	version := p.version
	p.mu.RUnlock()
	p.cacheMu.Lock()
	for _, cq := range p.cache {
		if cq.key == key && cq.version == version {
			p.cacheMu.Unlock()
			return cq.list
		}
	}
	p.cacheMu.Unlock()

	p.mu.RLock()
	version = p.version
	out := make([]*entry, 0, len(p.byID))
	for _, e := range p.byID {
		if match(e) {
			out = append(out, e)
		}
	}
	p.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		for _, k := range keys {
			if c := k.cmp(a, b); c != 0 {
				return c < 0
			}
		}
		return a.seq < b.seq // Solr's index order breaks ties
	})

	p.cacheMu.Lock()
	p.cache = append(p.cache, cachedQuery{key: key, version: version, list: out})
	if len(p.cache) > 8 {
		p.cache = p.cache[len(p.cache)-8:]
	}
	p.cacheMu.Unlock()
	return out
}

type sortKey struct {
	field string
	desc  bool
}

func (k sortKey) cmp(a, b *entry) int {
	c := 0
	switch k.field {
	case "id":
		c = strings.Compare(a.id, b.id)
	case "name":
		c = strings.Compare(a.name, b.name)
	case "title_string":
		c = strings.Compare(a.title, b.title)
	case "metadata_modified":
		c = a.modified.Compare(b.modified)
	case "metadata_created":
		c = a.created.Compare(b.created)
	case "score":
		return 0 // every match scores the same here
	}
	if k.desc {
		return -c
	}
	return c
}

var sortFields = map[string]bool{"id": true, "name": true, "title_string": true,
	"metadata_modified": true, "metadata_created": true, "score": true}

func parseSort(s string) ([]sortKey, error) {
	var keys []sortKey
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) != 2 || !sortFields[f[0]] {
			return nil, fmt.Errorf("invalid sort %q", part)
		}
		switch strings.ToLower(f[1]) {
		case "asc":
			keys = append(keys, sortKey{field: f[0]})
		case "desc":
			keys = append(keys, sortKey{field: f[0], desc: true})
		default:
			return nil, fmt.Errorf("invalid sort order %q", f[1])
		}
	}
	return keys, nil
}

// needsFullIndex reports whether a query reads index fields that generated
// packages only get from completeIndex: tags, groups, formats (free text
// matches tags too).
func needsFullIndex(q, fq string) bool {
	if q != "" && q != "*:*" && !strings.Contains(q, ":") {
		return true
	}
	for _, f := range []string{"tags:", "groups:", "res_format:"} {
		if strings.Contains(q, f) || strings.Contains(fq, f) {
			return true
		}
	}
	return false
}

// compileQuery turns q and fq into a predicate, adding CKAN's implicit
// filters: active datasets only (unless fq names a state) and public ones
// only (unless private ones are allowed).
func compileQuery(q, fq string, withPrivate bool, states []string) (func(*entry) bool, error) {
	var preds []func(*entry) bool
	explicitState := false
	if q != "" && q != "*:*" {
		if strings.Contains(q, ":") {
			p, st, err := parseFilter(q)
			if err != nil {
				return nil, err
			}
			explicitState = explicitState || st
			preds = append(preds, p)
		} else {
			words := strings.Fields(strings.ToLower(q))
			preds = append(preds, func(e *entry) bool {
				for _, w := range words {
					if !strings.Contains(e.name, w) && !strings.Contains(e.title, w) && !containsFold(e.tags, w) {
						return false
					}
				}
				return true
			})
		}
	}
	if fq != "" {
		p, st, err := parseFilter(fq)
		if err != nil {
			return nil, err
		}
		explicitState = explicitState || st
		preds = append(preds, p)
	}
	if !explicitState {
		preds = append(preds, func(e *entry) bool { return slices.Contains(states, e.state) })
	}
	if !withPrivate {
		preds = append(preds, func(e *entry) bool { return !e.private })
	}
	return func(e *entry) bool {
		for _, p := range preds {
			if !p(e) {
				return false
			}
		}
		return true
	}, nil
}

func containsFold(l []string, w string) bool {
	for _, s := range l {
		if strings.Contains(strings.ToLower(s), w) {
			return true
		}
	}
	return false
}

// parseFilter reads a Solr-like filter: clauses field:value joined by spaces,
// AND, OR or '+'; '-' or NOT negates a clause. Values may be bare, quoted,
// a range [a TO b] / {a TO b}, or a parenthesised OR list. OR binds looser
// than AND. It reports whether a clause filters on state.
func parseFilter(s string) (func(*entry) bool, bool, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, false, err
	}
	var groups [][]func(*entry) bool
	var cur []func(*entry) bool
	state := false
	negate := false
	for _, t := range toks {
		switch t {
		case "AND", "&&":
			continue
		case "OR", "||":
			if len(cur) > 0 {
				groups = append(groups, cur)
			}
			cur = nil
			continue
		case "NOT", "!":
			negate = true
			continue
		}
		if strings.HasPrefix(t, "-") {
			negate, t = true, t[1:]
		} else if strings.HasPrefix(t, "+") {
			t = t[1:]
		}
		if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
			p, st, err := parseFilter(t[1 : len(t)-1])
			if err != nil {
				return nil, false, err
			}
			state = state || st
			cur = append(cur, maybeNot(p, negate))
			negate = false
			continue
		}
		field, value, ok := strings.Cut(t, ":")
		if !ok || field == "" || value == "" {
			return nil, false, fmt.Errorf("org.apache.solr.search.SyntaxError: Cannot parse '%s'", s)
		}
		if field == "state" {
			state = true
		}
		p, err := clause(field, value)
		if err != nil {
			return nil, false, err
		}
		cur = append(cur, maybeNot(p, negate))
		negate = false
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return func(e *entry) bool {
		if len(groups) == 0 {
			return true
		}
		for _, g := range groups {
			all := true
			for _, p := range g {
				if !p(e) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
		return false
	}, state, nil
}

func maybeNot(p func(*entry) bool, not bool) func(*entry) bool {
	if !not {
		return p
	}
	return func(e *entry) bool { return !p(e) }
}

// tokenize splits on spaces outside quotes, brackets and parentheses.
func tokenize(s string) ([]string, error) {
	var toks []string
	var cur strings.Builder
	depth := 0
	quote := false
	for _, r := range s {
		switch {
		case quote:
			cur.WriteRune(r)
			if r == '"' {
				quote = false
			}
			continue
		case r == '"':
			quote = true
		case r == '[' || r == '{' || r == '(':
			depth++
		case r == ']' || r == '}' || r == ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("org.apache.solr.search.SyntaxError: Cannot parse '%s'", s)
			}
		case (r == ' ' || r == '\t' || r == '\n') && depth == 0:
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if depth != 0 || quote {
		return nil, fmt.Errorf("org.apache.solr.search.SyntaxError: Cannot parse '%s'", s)
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks, nil
}

// clause compiles one field:value condition.
func clause(field, value string) (func(*entry) bool, error) {
	if field == "site_id" || field == "dataset_type" {
		return func(*entry) bool { return true }, nil
	}
	if (field == "metadata_modified" || field == "metadata_created") && value != "*" {
		lo, hi, loIncl, hiIncl, err := dateRange(value)
		if err != nil {
			return nil, err
		}
		get := func(e *entry) time.Time { return e.modified }
		if field == "metadata_created" {
			get = func(e *entry) time.Time { return e.created }
		}
		return func(e *entry) bool {
			t := get(e)
			if !lo.IsZero() && (t.Before(lo) || (!loIncl && t.Equal(lo))) {
				return false
			}
			if !hi.IsZero() && (t.After(hi) || (!hiIncl && t.Equal(hi))) {
				return false
			}
			return true
		}, nil
	}
	var get func(e *entry) []string
	switch field {
	case "id":
		get = func(e *entry) []string { return []string{e.id} }
	case "name":
		get = func(e *entry) []string { return []string{e.name} }
	case "organization":
		get = func(e *entry) []string { return []string{e.org} }
	case "owner_org":
		get = func(e *entry) []string { return []string{e.orgID} }
	case "license_id":
		get = func(e *entry) []string { return []string{e.license} }
	case "state":
		get = func(e *entry) []string { return []string{e.state} }
	case "capacity":
		get = func(e *entry) []string {
			if e.private {
				return []string{"private"}
			}
			return []string{"public"}
		}
	case "tags":
		get = func(e *entry) []string { return e.tags }
	case "groups":
		get = func(e *entry) []string { return e.groups }
	case "res_format":
		get = func(e *entry) []string { return e.formats }
	case "metadata_modified", "metadata_created":
		get = func(e *entry) []string { return []string{"x"} } // field:* — always set
	default:
		return nil, fmt.Errorf("undefined field %s", field)
	}
	var alts []string
	if strings.HasPrefix(value, "(") && strings.HasSuffix(value, ")") {
		for _, v := range strings.Fields(value[1 : len(value)-1]) {
			if v != "OR" && v != "||" {
				alts = append(alts, strings.Trim(v, `"`))
			}
		}
	} else {
		alts = []string{strings.Trim(value, `"`)}
	}
	return func(e *entry) bool {
		for _, have := range get(e) {
			for _, want := range alts {
				if want == "*" && have != "" {
					return true
				}
				if have == want {
					return true
				}
			}
		}
		return false
	}, nil
}

var solrDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$`)
var solrNow = regexp.MustCompile(`^NOW(/DAY)?(([+-])(\d+)(YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?(/DAY)?$`)

// dateRange parses [a TO b] (inclusive) or {a TO b} (exclusive), a single
// date, with Solr date syntax: ISO with Z, '*' or NOW±N<unit>.
func dateRange(v string) (lo, hi time.Time, loIncl, hiIncl bool, err error) {
	if len(v) < 2 {
		err = fmt.Errorf("Invalid Date String:'%s'", v)
		return
	}
	open, close := v[0], v[len(v)-1]
	if (open != '[' && open != '{') || (close != ']' && close != '}') {
		t, e := solrTime(v)
		if e != nil || t.IsZero() {
			err = fmt.Errorf("Invalid Date String:'%s'", v)
			return
		}
		return t, t, true, true, nil
	}
	a, b, ok := strings.Cut(v[1:len(v)-1], " TO ")
	if !ok {
		err = fmt.Errorf("org.apache.solr.search.SyntaxError: Cannot parse '%s'", v)
		return
	}
	if lo, err = solrTime(strings.TrimSpace(a)); err != nil {
		return
	}
	if hi, err = solrTime(strings.TrimSpace(b)); err != nil {
		return
	}
	return lo, hi, open == '[', close == ']', nil
}

func solrTime(s string) (time.Time, error) {
	if s == "*" {
		return time.Time{}, nil
	}
	if solrDate.MatchString(s) {
		return time.Parse(time.RFC3339Nano, s)
	}
	if m := solrNow.FindStringSubmatch(s); m != nil {
		t := time.Now().UTC()
		if m[1] != "" {
			t = t.Truncate(24 * time.Hour)
		}
		if m[2] != "" {
			n, _ := strconv.Atoi(m[4])
			if m[3] == "-" {
				n = -n
			}
			switch strings.TrimSuffix(m[5], "S") {
			case "YEAR":
				t = t.AddDate(n, 0, 0)
			case "MONTH":
				t = t.AddDate(0, n, 0)
			case "DAY":
				t = t.AddDate(0, 0, n)
			case "HOUR":
				t = t.Add(time.Duration(n) * time.Hour)
			case "MINUTE":
				t = t.Add(time.Duration(n) * time.Minute)
			case "SECOND":
				t = t.Add(time.Duration(n) * time.Second)
			}
		}
		if m[6] != "" {
			t = t.Truncate(24 * time.Hour)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("Invalid Date String:'%s'", s)
}
