package harvester

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime/trace"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// SourceOptions say what a Source lists and how.
type SourceOptions struct {
	Orgs           []string // only these organizations (names); the whole portal when empty
	IncludePrivate bool     // ask for private datasets too (needs a token)
	Rows           int      // package_search rows per page; default 1000
	// MaxDatasets caps one listing (distinct datasets), MaxOrganizations the
	// organizations: a portal that lists new entries for ever is stopped
	// there. Defaults 2,000,000 and 10,000 (the largest CKAN portals have a few thousand organizations).
	MaxDatasets      int
	MaxOrganizations int
}

// Source is a CKAN portal as the harvest stage reads it: status_show,
// license_list, organization_list, package_search pages (all, or changed
// since a time) and package_show, within one scope. It stores nothing.
type Source struct {
	c *Client
	o SourceOptions
}

// ErrPagingIgnored is wrapped when a portal returns the same page for
// different start offsets.
var ErrPagingIgnored = errors.New("the portal ignores paging (start): it returned the same page twice")

// ErrListingCycles is wrapped when a portal's pages keep bringing back
// datasets it already listed, or when a listing grows past any sane size.
var ErrListingCycles = errors.New("the portal's listing does not end")

// errGone is package_show's 404 or 403: the dataset was deleted, purged or
// is no longer public.
var errGone = errors.New("the dataset is gone")

// Listing caps (SourceOptions.MaxDatasets, SourceOptions.MaxOrganizations).
const (
	DefaultMaxDatasets      = 2_000_000
	DefaultMaxOrganizations = 10_000
)

// NewSource reads the portal c talks to, within o's scope.
func NewSource(c *Client, o SourceOptions) *Source {
	if o.Rows <= 0 {
		o.Rows = 1000
	}
	if o.MaxDatasets <= 0 {
		o.MaxDatasets = DefaultMaxDatasets
	}
	if o.MaxOrganizations <= 0 {
		o.MaxOrganizations = DefaultMaxOrganizations
	}
	return &Source{c: c, o: o}
}

// Requests is how many HTTP requests the source made.
func (s *Source) Requests() int { return s.c.Requests() }

// Scrub removes the token and password from an error's text.
func (s *Source) Scrub(err error) error { return s.c.scrub(err) }

// Probe calls status_show.
func (s *Source) Probe(ctx context.Context) (*vigie.PortalInfo, error) { return s.c.Probe(ctx) }

// Licences reads the portal's licence register (license_list). A portal
// without one (404, 403, an error, not a list) is not an error: its register
// is simply absent and openness is judged without it.
func (s *Source) Licences(ctx context.Context) ([]vigie.Licence, error) {
	raw, err := s.c.Call(ctx, "license_list", nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nil
	}
	ls, err := DecodeLicenceList(raw)
	if err != nil || len(ls) == 0 {
		return nil, nil
	}
	return ls, nil
}

// Organizations pages organization_list with all_fields (capped at 25 per
// call by CKAN) until a page is empty or brings no organization not seen
// yet. It runs beside the dataset listing, which takes longer, so its pages
// are asked for one at a time.
func (s *Source) Organizations(ctx context.Context) ([]vigie.Organization, error) {
	const limit = 25
	var all []vigie.Organization
	seen := map[string]bool{}
	for offset := 0; ; {
		v := url.Values{}
		v.Set("all_fields", "true")
		v.Set("limit", strconv.Itoa(limit))
		v.Set("offset", strconv.Itoa(offset))
		raw, err := s.c.Call(ctx, "organization_list", v)
		if err != nil {
			return nil, at(err, "harvester.at_orgs", strconv.Itoa(offset))
		}
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, vigie.NewError(vigie.KindOther, "harvester.orgs_not_list")
		}
		added := 0
		for _, r := range list {
			org, err := DecodeOrganization(r)
			if err != nil || seen[org.ID] {
				continue
			}
			seen[org.ID] = true
			all = append(all, org)
			added++
		}
		if len(list) == 0 || added == 0 {
			break
		}
		if len(all) > s.o.MaxOrganizations {
			return nil, &vigie.Error{ID: "harvester.orgs_endless", Args: []any{strconv.Itoa(offset), l10n.Whole(s.o.MaxOrganizations)}, Err: ErrListingCycles}
		}
		offset += len(list)
	}
	return all, nil
}

// Count is how many datasets the portal counts in scope.
func (s *Source) Count(ctx context.Context) (int, error) {
	sr, err := s.search(ctx, s.searchParams(s.scopeFilter(), "", "", 0, 0))
	if err != nil {
		return 0, err
	}
	return sr.Count, nil
}

// Datasets lists the datasets in scope, decoded, one page at a time: all
// of them sorted by id when since is zero, else those modified since then,
// oldest first. fn receives each page and the count the portal gave with
// it; Datasets returns the count the portal last reported.
func (s *Source) Datasets(ctx context.Context, since time.Time, fn func(ds []vigie.Dataset, count int) error) (int, error) {
	fq, sort := s.scopeFilter(), "id asc"
	if !since.IsZero() {
		fq = "metadata_modified:[" + since.UTC().Format("2006-01-02T15:04:05Z") + " TO *]"
		if sc := s.scopeFilter(); sc != "" {
			fq = sc + " AND " + fq
		}
		sort = "metadata_modified asc, id asc"
	}
	return s.pages(ctx, fq, sort, "", true, func(p *page) error { return fn(p.ds, p.sr.Count) })
}

// IDs lists the ids of the datasets in scope (a slim listing, to find the
// ones a full listing missed), one page at a time.
func (s *Source) IDs(ctx context.Context, fn func(ids []string) error) error {
	_, err := s.pages(ctx, s.scopeFilter(), "id asc", "id", false, func(p *page) error {
		ids := make([]string, 0, len(p.sr.Results))
		for _, r := range p.sr.Results {
			var x struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(r, &x) == nil && x.ID != "" {
				ids = append(ids, x.ID)
			}
		}
		return fn(ids)
	})
	return err
}

// Dataset fetches one dataset with package_show; found is false when the
// portal says it is not there (deleted, or made private since it was listed).
func (s *Source) Dataset(ctx context.Context, id string) (d vigie.Dataset, found bool, err error) {
	raw, err := s.show(ctx, id)
	if errors.Is(err, errGone) {
		return d, false, nil
	}
	if err != nil {
		return d, false, at(err, "harvester.at_show", id)
	}
	if d, err = decodeValid(raw); err != nil {
		return d, false, at(err, "harvester.at_show", id)
	}
	return d, true, nil
}

// Present asks package_show (which reads the portal's database, not its
// search index) whether a dataset is still there, active and visible in
// scope. The error is package_show's own, unwrapped.
func (s *Source) Present(ctx context.Context, id string) (bool, error) {
	raw, err := s.show(ctx, id)
	if errors.Is(err, errGone) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var st struct {
		State   string `json:"state"`
		Private bool   `json:"private"`
	}
	_ = json.Unmarshal(raw, &st)
	return (st.State == "" || st.State == "active") && (!st.Private || s.o.IncludePrivate), nil
}

// show calls package_show; a 404 or 403 becomes errGone.
func (s *Source) show(ctx context.Context, id string) (json.RawMessage, error) {
	v := url.Values{}
	v.Set("id", id)
	raw, err := s.c.Call(ctx, "package_show", v)
	var ae *APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusForbidden) {
		return nil, errGone
	}
	return raw, err
}

// scopeFilter is the fq for the --org scope, "" for the whole portal.
func (s *Source) scopeFilter() string {
	switch len(s.o.Orgs) {
	case 0:
		return ""
	case 1:
		return "organization:" + solrTerm(s.o.Orgs[0])
	}
	terms := make([]string, len(s.o.Orgs))
	for i, org := range s.o.Orgs {
		terms[i] = solrTerm(org)
	}
	return "organization:(" + strings.Join(terms, " OR ") + ")"
}

// solrTerm quotes a value unless it is a plain slug.
func solrTerm(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return strconv.Quote(s)
		}
	}
	return s
}

func (s *Source) searchParams(fq, sort, fl string, rows, start int) url.Values {
	v := url.Values{}
	v.Set("q", "*:*")
	if fq != "" {
		v.Set("fq", fq)
	}
	if fl != "" {
		v.Set("fl", fl)
	}
	if sort != "" {
		v.Set("sort", sort)
	}
	v.Set("rows", strconv.Itoa(rows))
	if start > 0 {
		v.Set("start", strconv.Itoa(start))
	}
	if s.o.IncludePrivate {
		v.Set("include_private", "true")
	}
	return v
}

type searchResult struct {
	Count   int               `json:"count"`
	Results []json.RawMessage `json:"results"`
}

func (s *Source) search(ctx context.Context, v url.Values) (*searchResult, error) {
	raw, err := s.c.Call(ctx, "package_search", v)
	if err != nil {
		return nil, at(err, "harvester.at_search", orZero(v.Get("start")))
	}
	// raw was validated with its envelope: split it without decoding again
	var sr searchResult
	var countRaw json.RawMessage
	err = eachField(raw, func(k string, v json.RawMessage) {
		switch k {
		case "count":
			countRaw = v
		case "results":
			if isArray(v) {
				_ = eachElem(v, func(_ int, e json.RawMessage) error {
					sr.Results = append(sr.Results, e)
					return nil
				})
			}
		}
	})
	if err == nil {
		err = json.Unmarshal(countRaw, &sr.Count)
	}
	if err != nil {
		return nil, vigie.NewError(vigie.KindOther, "harvester.no_count")
	}
	return &sr, nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// page is one package_search page, decoded when asked.
type page struct {
	sr  *searchResult
	ds  []vigie.Dataset // decoded results (when decoding)
	err error
}

// pageDepth is how many package_search pages are fetched (and decoded) ahead
// of the one being stored: with the page being written, at most three pages
// are held at a time.
const pageDepth = 2

// pages walks package_search with a stable sort, advancing start by the
// number of results actually returned (portals clamp rows silently), and
// hands each page to fn. It fails when a page repeats the previous one.
// Once the first page has told the count and the page length, the next
// pages (up to the first one past the count, which ends the listing) are
// fetched and decoded while fn stores the current one, so at most three
// pages are held at a time. It returns the count the portal last reported.
func (s *Source) pages(ctx context.Context, fq, sort, fl string, decode bool, fn func(p *page) error) (int, error) {
	pf := newPrefetcher(ctx, pageDepth, func(ctx context.Context, start int) (page, error) {
		sr, err := s.search(ctx, s.searchParams(fq, sort, fl, s.o.Rows, start))
		if err != nil {
			return page{}, err
		}
		f := page{sr: sr}
		if decode {
			defer trace.StartRegion(ctx, "harvest: decode page").End()
			var err error
			f.ds, err = decodePage(sr.Results, start == 0)
			if err != nil {
				// reported only if the listing gets this far
				f.err = at(err, "harvester.decode_result", strconv.Itoa(start))
			}
		}
		return f, nil
	})
	defer pf.close()
	start, count, step := 0, 0, 0
	var prev string
	// What the listing has actually learned: the distinct ids seen and
	// the results received. A page that brings no new id, or far more
	// results than distinct ids, means the pages cycle, whatever the
	// count says.
	distinct := map[string]struct{}{}
	received := 0
	for {
		if err := ctx.Err(); err != nil {
			return count, err
		}
		r := trace.StartRegion(ctx, "harvest: wait page")
		f, err := pf.get(start)
		r.End()
		if err != nil {
			return count, err
		}
		sr := f.sr
		count = sr.Count
		if len(sr.Results) == 0 {
			return count, nil
		}
		key := pageKey(sr.Results)
		if start > 0 && key == prev {
			return count, &vigie.Error{ID: "harvester.paging_ignored", Args: []any{strconv.Itoa(start)}, Err: ErrPagingIgnored}
		}
		// A portal may grow during a pass, but not to twice its count: one
		// that keeps paging past that would be harvested for ever.
		if start >= 2*sr.Count+s.o.Rows {
			return count, vigie.NewError(vigie.KindOther, "harvester.past_count", strconv.Itoa(start), l10n.Whole(sr.Count))
		}
		if f.err != nil {
			return count, f.err
		}
		prev = key
		fresh := 0
		for i := range sr.Results {
			var id string
			if decode {
				id = f.ds[i].ID
			} else {
				id = resultID(sr.Results[i])
			}
			if _, ok := distinct[id]; !ok {
				distinct[id] = struct{}{}
				fresh++
			}
		}
		received += len(sr.Results)
		if fresh == 0 || received > 2*len(distinct)+2*s.o.Rows {
			return count, &vigie.Error{ID: "harvester.pages_cycle", Args: []any{strconv.Itoa(start), l10n.Whole(len(distinct)), l10n.Whole(received), l10n.Whole(sr.Count)}, Err: ErrListingCycles}
		}
		if len(distinct) > s.o.MaxDatasets {
			return count, &vigie.Error{ID: "harvester.too_many_datasets", Args: []any{strconv.Itoa(start), l10n.Whole(s.o.MaxDatasets), l10n.Whole(sr.Count)}, Err: ErrListingCycles}
		}
		start += len(sr.Results)
		if step == 0 {
			step = len(sr.Results)
		}
		// the next pages, up to the first one at or past the count
		pf.ahead(start, step, sr.Count+step)
		if err := fn(&page{sr: sr, ds: f.ds}); err != nil {
			return count, err
		}
	}
}

// resultID is a search result's id, "" when it has none.
func resultID(r json.RawMessage) string {
	var x struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r, &x)
	return x.ID
}

// pageKey identifies a page by its first and last ids and its length.
func pageKey(res []json.RawMessage) string {
	return fmt.Sprintf("%d|%s|%s", len(res), resultID(res[0]), resultID(res[len(res)-1]))
}

// at places err (a call's failure, or what its answer lacks) in the pass:
// sentence id with args, then err, keeping err's kind.
func at(err error, id string, args ...any) error {
	return &vigie.Error{Kind: vigie.KindOf(err), ID: id, Args: append(args, err), Err: err}
}

// decodePage decodes a page's results, up to the first that fails, and
// returns that one's error. The first page is decoded in two halves at
// once: nothing can be written before it is, and the other core is idle
// then (the next pages are decoded while one is written).
func decodePage(results []json.RawMessage, split bool) ([]vigie.Dataset, error) {
	ds := make([]vigie.Dataset, len(results))
	decode := func(lo, hi int) (n int, err error) {
		for i := lo; i < hi; i++ {
			if ds[i], err = decodeValid(results[i]); err != nil {
				return i, err
			}
		}
		return hi, nil
	}
	half := len(results)
	if split && len(results) >= 200 {
		half = len(results) / 2
	}
	var n2 int
	var err2 error
	done := make(chan struct{})
	if half < len(results) {
		go func() {
			defer close(done)
			n2, err2 = decode(half, len(results))
		}()
	} else {
		close(done)
	}
	n1, err1 := decode(0, half)
	<-done
	if err1 != nil {
		return ds[:n1], err1
	}
	if err2 != nil {
		return ds[:n2], err2
	}
	return ds, nil
}
