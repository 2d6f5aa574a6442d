package ckantest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// apiResp is a decoded action API answer.
type apiResp struct {
	status int
	ctype  string
	body   []byte
	env    struct {
		Help    string          `json:"help"`
		Success bool            `json:"success"`
		Result  json.RawMessage `json:"result"`
		Error   map[string]any  `json:"error"`
	}
}

func get(t *testing.T, base, action string, params url.Values, header http.Header) apiResp {
	t.Helper()
	u := base + "/api/3/action/" + action
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiResp
	r.status = resp.StatusCode
	r.ctype = resp.Header.Get("Content-Type")
	if r.body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(r.ctype, "application/json") {
		_ = json.Unmarshal(r.body, &r.env)
	}
	return r
}

type searchResult struct {
	Count   int              `json:"count"`
	Sort    string           `json:"sort"`
	Results []map[string]any `json:"results"`
}

func search(t *testing.T, base string, params url.Values, header http.Header) searchResult {
	t.Helper()
	r := get(t, base, "package_search", params, header)
	if r.status != http.StatusOK || !r.env.Success {
		t.Fatalf("package_search %v: status %d body %.300s", params, r.status, r.body)
	}
	var sr searchResult
	if err := json.Unmarshal(r.env.Result, &sr); err != nil {
		t.Fatal(err)
	}
	return sr
}

func pkg(id, name, org, modified string) map[string]any {
	return map[string]any{
		"id": id, "name": name, "title": "Titre " + name, "state": "active", "private": false, "type": "dataset",
		"owner_org":         "org-" + org,
		"organization":      map[string]any{"id": "org-" + org, "name": org, "title": "Org " + org},
		"metadata_created":  "2020-01-01T00:00:00.000000",
		"metadata_modified": modified,
		"resources":         []any{},
	}
}

func TestPagingWithRowsClampVisitsEveryDatasetOnce(t *testing.T) {
	p := New(Options{RowsMax: 100})
	p.Put(Generate(2500, 1, GenOptions{})...)
	srv := p.Serve()
	defer srv.Close()

	seen := map[string]bool{}
	start, pages := 0, 0
	for {
		sr := search(t, srv.URL, url.Values{"rows": {"1000"}, "start": {fmt.Sprint(start)}, "sort": {"id asc"}}, nil)
		if sr.Count != 2500 {
			t.Fatalf("count = %d, want 2500", sr.Count)
		}
		if len(sr.Results) > 100 {
			t.Fatalf("page of %d rows, clamp is 100", len(sr.Results))
		}
		if len(sr.Results) == 0 {
			break
		}
		prev := ""
		for _, r := range sr.Results {
			id := r["id"].(string)
			if seen[id] {
				t.Fatalf("id %s returned twice", id)
			}
			if id <= prev {
				t.Fatalf("ids not ascending: %s after %s", id, prev)
			}
			prev = id
			seen[id] = true
		}
		start += len(sr.Results)
		pages++
	}
	if len(seen) != 2500 || pages != 25 {
		t.Fatalf("saw %d unique ids in %d pages, want 2500 in 25", len(seen), pages)
	}
	for _, id := range p.IDs() {
		if !seen[id] {
			t.Fatalf("id %s never returned", id)
		}
	}
	if got := p.Requests("package_search"); got != 26 {
		t.Fatalf("Requests(package_search) = %d, want 26", got)
	}
}

func TestSearchDefaultsAndSortOrders(t *testing.T) {
	p := New(Options{})
	p.Put(pkg("c", "gamma", "a", "2024-03-01T00:00:00.000000"),
		pkg("a", "beta", "a", "2024-01-01T00:00:00.000000"),
		pkg("b", "alpha", "b", "2024-02-01T00:00:00.000000"))
	srv := p.Serve()
	defer srv.Close()

	order := func(sort string) string {
		v := url.Values{}
		if sort != "" {
			v.Set("sort", sort)
		}
		var ids []string
		for _, r := range search(t, srv.URL, v, nil).Results {
			ids = append(ids, r["id"].(string))
		}
		return strings.Join(ids, ",")
	}
	for sort, want := range map[string]string{
		"":                               "c,b,a", // score desc, metadata_modified desc
		"id asc":                         "a,b,c",
		"name asc":                       "b,a,c",
		"metadata_modified asc":          "a,b,c",
		"metadata_modified asc, id asc":  "a,b,c",
		"metadata_modified desc,id desc": "c,b,a",
	} {
		if got := order(sort); got != want {
			t.Errorf("sort %q: got %s, want %s", sort, got, want)
		}
	}
	sr := search(t, srv.URL, nil, nil)
	if sr.Sort != defaultSort {
		t.Errorf("default sort echoed as %q", sr.Sort)
	}
	ts := sr.Results[0]["metadata_modified"].(string)
	if strings.HasSuffix(ts, "Z") || ParseTime(ts).IsZero() {
		t.Errorf("metadata_modified %q is not a naive ISO timestamp", ts)
	}

	for _, bad := range []string{"nonsense", "id sideways", "popularity asc"} {
		r := get(t, srv.URL, "package_search", url.Values{"sort": {bad}}, nil)
		if r.status != http.StatusBadRequest || r.env.Success || r.env.Error["__type"] != "Search Query Error" {
			t.Errorf("sort %q: status %d body %s", bad, r.status, r.body)
		}
	}
	for param, val := range map[string]string{"rows": "ten", "start": "-5"} {
		r := get(t, srv.URL, "package_search", url.Values{param: {val}}, nil)
		if r.status != http.StatusConflict || r.env.Error["__type"] != "Validation Error" || r.env.Error[param] == nil {
			t.Errorf("%s=%s: status %d body %s", param, val, r.status, r.body)
		}
	}
}

func TestSearchRowsDefaultAndFreeText(t *testing.T) {
	p := New(Options{})
	p.Put(Generate(40, 3, GenOptions{})...)
	p.Put(pkg("x1", "pistes-de-ski-de-fond", "a", "2024-01-01T00:00:00"))
	srv := p.Serve()
	defer srv.Close()
	if sr := search(t, srv.URL, nil, nil); sr.Count != 41 || len(sr.Results) != 10 {
		t.Fatalf("default search: count %d, %d rows; want 41 and 10", sr.Count, len(sr.Results))
	}
	sr := search(t, srv.URL, url.Values{"q": {"ski fond"}}, nil)
	if sr.Count != 1 || sr.Results[0]["id"] != "x1" {
		t.Fatalf("q=ski fond: %+v", sr)
	}
	sr = search(t, srv.URL, url.Values{"q": {"name:pistes-de-ski-de-fond"}, "fl": {"id,name"}}, nil)
	if sr.Count != 1 || len(sr.Results[0]) != 2 || sr.Results[0]["name"] != "pistes-de-ski-de-fond" {
		t.Fatalf("fielded q with fl: %+v", sr)
	}
}

func TestFilterQueries(t *testing.T) {
	p := New(Options{})
	p.Put(pkg("1", "one", "mtl", "2023-12-31T23:59:59.999999"),
		pkg("2", "two", "mtl", "2024-01-01T00:00:00.000000"),
		pkg("3", "three", "qc", "2024-06-15T12:00:00.000000"),
		pkg("4", "four", "qc", "2025-01-01T00:00:00.000000"))
	srv := p.Serve()
	defer srv.Close()

	ids := func(fq string) string {
		sr := search(t, srv.URL, url.Values{"fq": {fq}, "sort": {"id asc"}}, nil)
		var l []string
		for _, r := range sr.Results {
			l = append(l, r["id"].(string))
		}
		if len(l) != sr.Count {
			t.Fatalf("fq %q: count %d but %d results", fq, sr.Count, len(l))
		}
		return strings.Join(l, ",")
	}
	for fq, want := range map[string]string{
		"metadata_modified:[2024-01-01T00:00:00Z TO *]":                        "2,3,4",
		"metadata_modified:{2024-01-01T00:00:00Z TO *]":                        "3,4",
		"metadata_modified:[2024-01-01T00:00:00Z TO 2024-12-31T23:59:59.999Z]": "2,3",
		"metadata_modified:[* TO 2024-01-01T00:00:00Z}":                        "1",
		"organization:mtl": "1,2",
		"owner_org:org-qc": "3,4",
		"organization:mtl metadata_modified:[2024-01-01T00:00:00Z TO *]":                    "2",
		"organization:qc AND metadata_modified:[2024-07-01T00:00:00Z TO *]":                 "4",
		"+organization:qc +metadata_modified:[2024-07-01T00:00:00Z TO *]":                   "4",
		"organization:mtl OR organization:qc":                                               "1,2,3,4",
		"organization:(mtl OR qc) -name:three":                                              "1,2,4",
		"metadata_modified:[2024-01-01T00:00:00Z TO *] AND (organization:mtl OR name:four)": "2,4",
		"metadata_modified:[2020-01-01T00:00:00Z TO NOW]":                                   "1,2,3,4",
		"organization:nobody": "",
		"metadata_created:[2019-01-01T00:00:00Z TO 2020-01-01T00:00:00Z] +organization:\"qc\"": "3,4",
	} {
		if got := ids(fq); got != want {
			t.Errorf("fq %q: got [%s], want [%s]", fq, got, want)
		}
	}
	for _, bad := range []string{
		"metadata_modified:[2024-01-01T00:00:00 TO *]", // no Z: Solr rejects the date
		"metadata_modified:[2024-01-01 TO *]",
		"colour:blue",
		"organization:(mtl",
	} {
		r := get(t, srv.URL, "package_search", url.Values{"fq": {bad}}, nil)
		if r.status != http.StatusConflict || r.env.Error["__type"] != "Search Error" {
			t.Errorf("fq %q: status %d body %s", bad, r.status, r.body)
		}
	}
}

func TestOrganizationsFilterListAndShow(t *testing.T) {
	pkgs := Generate(1500, 9, GenOptions{Orgs: 60})
	p := New(Options{})
	p.Put(pkgs...)
	srv := p.Serve()
	defer srv.Close()

	orgs := Organizations(pkgs)
	if len(orgs) < 30 {
		t.Fatalf("only %d organizations used by 1500 datasets", len(orgs))
	}
	total := 0
	for _, o := range orgs {
		total += o["package_count"].(int)
	}
	if total != 1500 {
		t.Fatalf("package_count sums to %d, want 1500", total)
	}
	for _, o := range orgs[:5] {
		sr := search(t, srv.URL, url.Values{"fq": {"organization:" + o["name"].(string)}, "rows": {"0"}}, nil)
		if sr.Count != o["package_count"].(int) {
			t.Errorf("organization:%s count %d, want %d", o["name"], sr.Count, o["package_count"])
		}
		sr = search(t, srv.URL, url.Values{"fq": {"owner_org:" + o["id"].(string)}, "rows": {"0"}}, nil)
		if sr.Count != o["package_count"].(int) {
			t.Errorf("owner_org:%s count %d, want %d", o["id"], sr.Count, o["package_count"])
		}
	}

	// all_fields pages are capped at 25 whatever the limit asked.
	got := map[string]int{}
	for offset := 0; ; offset += 25 {
		r := get(t, srv.URL, "organization_list", url.Values{"all_fields": {"true"}, "limit": {"100"}, "offset": {fmt.Sprint(offset)}}, nil)
		var page []map[string]any
		if err := json.Unmarshal(r.env.Result, &page); err != nil {
			t.Fatal(err)
		}
		if len(page) > 25 {
			t.Fatalf("organization_list all_fields returned %d > 25", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, o := range page {
			got[o["name"].(string)] = int(o["package_count"].(float64))
			if o["title"] == "" || o["id"] == "" {
				t.Fatalf("organization without title or id: %v", o)
			}
		}
	}
	if len(got) != len(orgs) {
		t.Fatalf("organization_list paged %d orgs, want %d", len(got), len(orgs))
	}
	for _, o := range orgs {
		if got[o["name"].(string)] != o["package_count"].(int) {
			t.Errorf("%s package_count %d, want %d", o["name"], got[o["name"].(string)], o["package_count"])
		}
	}
	var names []string
	r := get(t, srv.URL, "organization_list", nil, nil)
	if err := json.Unmarshal(r.env.Result, &names); err != nil || len(names) != len(orgs) {
		t.Fatalf("organization_list names: %v (%d, want %d)", err, len(names), len(orgs))
	}

	r = get(t, srv.URL, "organization_show", url.Values{"id": {orgs[0]["id"].(string)}}, nil)
	var org map[string]any
	if err := json.Unmarshal(r.env.Result, &org); err != nil || org["name"] != orgs[0]["name"] {
		t.Fatalf("organization_show by id: %v %s", err, r.body)
	}
	if r = get(t, srv.URL, "organization_show", url.Values{"id": {"nope"}}, nil); r.status != 404 || r.env.Error["__type"] != "Not Found Error" {
		t.Fatalf("organization_show unknown: %d %s", r.status, r.body)
	}
}

func TestPrivateDatasetsNeedTheToken(t *testing.T) {
	p := New(Options{Token: "s3cret"})
	pub, priv := pkg("pub", "pub", "a", "2024-01-01T00:00:00"), pkg("priv", "priv", "a", "2024-01-01T00:00:00")
	priv["private"] = true
	p.Put(pub, priv)
	srv := p.Serve()
	defer srv.Close()
	auth := http.Header{"Authorization": {"s3cret"}}
	wrong := http.Header{"Authorization": {"guess"}}

	cases := []struct {
		params url.Values
		header http.Header
		want   int
	}{
		{nil, nil, 1},
		{url.Values{"include_private": {"true"}}, nil, 1},
		{url.Values{"include_private": {"true"}}, wrong, 1},
		{nil, auth, 1},
		{url.Values{"include_private": {"true"}}, auth, 2},
		{url.Values{"include_private": {"True"}, "fq": {"capacity:private"}}, auth, 1},
	}
	for _, c := range cases {
		if got := search(t, srv.URL, c.params, c.header).Count; got != c.want {
			t.Errorf("%v %v: count %d, want %d", c.params, c.header, got, c.want)
		}
	}
	if r := get(t, srv.URL, "package_show", url.Values{"id": {"priv"}}, nil); r.status != 403 || r.env.Error["__type"] != "Authorization Error" {
		t.Errorf("anonymous package_show of a private dataset: %d %s", r.status, r.body)
	}
	if r := get(t, srv.URL, "package_show", url.Values{"id": {"priv"}}, auth); r.status != 200 {
		t.Errorf("package_show with token: %d", r.status)
	}
	var names []string
	json.Unmarshal(get(t, srv.URL, "package_list", nil, auth).env.Result, &names)
	if strings.Join(names, ",") != "pub" {
		t.Errorf("package_list lists %v, want only the public one", names)
	}

	p.SetPrivate("priv", false)
	if got := search(t, srv.URL, nil, nil).Count; got != 2 {
		t.Errorf("after SetPrivate(false): count %d, want 2", got)
	}
}

func TestEditDeleteAndShow(t *testing.T) {
	p := New(Options{})
	p.Put(pkg("a", "alpha", "o", "2024-01-01T00:00:00.000000"), pkg("b", "beta", "o", "2024-01-01T00:00:00.000000"))
	now := time.Date(2026, 11, 20, 10, 30, 0, 123456000, time.UTC)
	p.SetNow(func() time.Time { return now })
	srv := p.Serve()
	defer srv.Close()

	since := url.Values{"fq": {"metadata_modified:[2026-11-20T00:00:00Z TO *]"}}
	if got := search(t, srv.URL, since, nil).Count; got != 0 {
		t.Fatalf("before edit: %d changed", got)
	}
	p.Edit("beta", func(pkg map[string]any) { pkg["title"] = "Nouveau titre" })
	sr := search(t, srv.URL, since, nil)
	if sr.Count != 1 || sr.Results[0]["title"] != "Nouveau titre" || sr.Results[0]["metadata_modified"] != "2026-11-20T10:30:00.123456" {
		t.Fatalf("after edit: %+v", sr)
	}

	r := get(t, srv.URL, "package_show", url.Values{"id": {"alpha"}}, nil)
	var got map[string]any
	if err := json.Unmarshal(r.env.Result, &got); err != nil || got["id"] != "a" {
		t.Fatalf("package_show by name: %v %s", err, r.body)
	}
	if !strings.HasSuffix(r.env.Help, "/api/3/action/help_show?name=package_show") {
		t.Errorf("help = %q", r.env.Help)
	}
	p.Delete("a")
	if p.Len() != 1 {
		t.Fatalf("Len after delete = %d", p.Len())
	}
	r = get(t, srv.URL, "package_show", url.Values{"id": {"a"}}, nil)
	if r.status != http.StatusNotFound || r.env.Success || r.env.Error["__type"] != "Not Found Error" {
		t.Fatalf("package_show of deleted: %d %s", r.status, r.body)
	}
	if got := search(t, srv.URL, nil, nil).Count; got != 1 {
		t.Fatalf("search after delete: %d", got)
	}
	// A dataset in CKAN's deleted state is hidden unless fq asks for it.
	p.Edit("b", func(pkg map[string]any) { pkg["state"] = "deleted" })
	if got := search(t, srv.URL, nil, nil).Count; got != 0 {
		t.Fatalf("deleted-state dataset still listed")
	}
	if got := search(t, srv.URL, url.Values{"fq": {"+state:(active OR deleted)"}}, nil).Count; got != 1 {
		t.Fatalf("fq +state:(active OR deleted) found %d", got)
	}
}

func TestPackageList(t *testing.T) {
	p := New(Options{})
	for i := 0; i < 30; i++ {
		p.Put(pkg(fmt.Sprint("id", i), fmt.Sprintf("ds-%02d", i), "o", "2024-01-01T00:00:00"))
	}
	srv := p.Serve()
	defer srv.Close()
	var names []string
	json.Unmarshal(get(t, srv.URL, "package_list", url.Values{"limit": {"10"}, "offset": {"25"}}, nil).env.Result, &names)
	if strings.Join(names, ",") != "ds-25,ds-26,ds-27,ds-28,ds-29" {
		t.Fatalf("package_list limit/offset: %v", names)
	}
}

func TestFaultsAndErrorShapes(t *testing.T) {
	p := New(Options{IgnoreStart: true})
	p.Put(Generate(30, 2, GenOptions{})...)
	p.Inject(FailTimes("package_search", 2, http.StatusBadGateway, "text/html", HTMLBadGateway, nil))
	p.Inject(TooManyRequests("package_show", 1, 3*time.Second))
	srv := p.Serve()
	defer srv.Close()

	for i := 0; i < 2; i++ {
		r := get(t, srv.URL, "package_search", nil, nil)
		if r.status != http.StatusBadGateway || !strings.Contains(string(r.body), "502 Bad Gateway") {
			t.Fatalf("call %d: status %d", i, r.status)
		}
	}
	first := search(t, srv.URL, url.Values{"rows": {"5"}, "sort": {"id asc"}}, nil)
	again := search(t, srv.URL, url.Values{"rows": {"5"}, "start": {"5"}, "sort": {"id asc"}}, nil)
	if first.Results[0]["id"] != again.Results[0]["id"] {
		t.Fatalf("IgnoreStart: start=5 returned a different page")
	}
	if p.Requests("package_search") != 4 || p.Requests("") != 4 {
		t.Fatalf("Requests: %d search, %d all", p.Requests("package_search"), p.Requests(""))
	}

	id := first.Results[0]["id"].(string)
	r := get(t, srv.URL, "package_show", url.Values{"id": {id}}, nil)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("429 fault: status %d", r.status)
	}
	if r = get(t, srv.URL, "package_show", url.Values{"id": {id}}, nil); r.status != 200 {
		t.Fatalf("after 429: status %d", r.status)
	}

	r = get(t, srv.URL, "frobnicate", nil, nil)
	var msg string
	if r.status != http.StatusBadRequest || json.Unmarshal(r.body, &msg) != nil || msg != "Bad request: Action name not known: frobnicate" {
		t.Fatalf("unknown action: %d %s", r.status, r.body)
	}
	resp, err := http.Get(srv.URL + "/dataset/whatever")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("non-API path: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	r = get(t, srv.URL, "status_show", nil, nil)
	var st map[string]any
	if err := json.Unmarshal(r.env.Result, &st); err != nil || st["ckan_version"] != "2.11.3" || !strings.Contains(fmt.Sprint(st["extensions"]), "scheming_datasets") {
		t.Fatalf("status_show: %s", r.body)
	}
}

func TestHookEditsMidHarvestAndSiteUnderAPath(t *testing.T) {
	p := New(Options{})
	p.Put(pkg("a", "a", "o", "2024-01-01T00:00:00"))
	p.Inject(Hook("package_search", 2, func() { p.Edit("a", func(m map[string]any) { m["title"] = "edited" }) }))
	mux := http.NewServeMux()
	mux.Handle("/recherche/", p.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base := srv.URL + "/recherche"
	if r := search(t, base, nil, nil); r.Results[0]["title"] != "Titre a" {
		t.Fatalf("first call already edited")
	}
	if r := search(t, base, nil, nil); r.Results[0]["title"] != "edited" {
		t.Fatalf("hook did not edit before the second call")
	}
	var st map[string]any
	json.Unmarshal(get(t, base, "status_show", nil, nil).env.Result, &st)
	if st["site_url"] != base {
		t.Fatalf("site_url %v, want %s", st["site_url"], base)
	}
}

func TestPutGeneratedServesTheSameBytesAsPut(t *testing.T) {
	o := GenOptions{Orgs: 20, PrivateShare: 0.05}
	eager, lazy := New(Options{}), New(Options{})
	eager.Put(Generate(300, 4, o)...)
	lazy.PutGenerated(300, 4, o)
	se, sl := eager.Serve(), lazy.Serve()
	defer se.Close()
	defer sl.Close()
	for _, q := range []url.Values{
		{"rows": {"1000"}, "sort": {"id asc"}},
		{"rows": {"50"}, "start": {"100"}, "sort": {"metadata_modified desc"}, "fq": {"organization:ville-de-montreal"}},
		{"rows": {"1000"}, "sort": {"name asc"}, "fq": {"license_id:CC0-1.0"}},
		{"rows": {"1000"}, "sort": {"id asc"}, "fq": {"groups:transport"}},
		{"rows": {"1000"}, "sort": {"id asc"}, "fq": {"res_format:CSV -tags:Vélo"}},
		{"rows": {"1000"}, "sort": {"id asc"}, "q": {"arbres"}},
	} {
		a, b := get(t, se.URL, "package_search", q, nil), get(t, sl.URL, "package_search", q, nil)
		var sr searchResult
		json.Unmarshal(a.env.Result, &sr)
		if a.status != 200 || sr.Count == 0 || string(a.env.Result) != string(b.env.Result) {
			t.Fatalf("%v: lazy and eager portals differ (%d vs %d bytes)", q, len(a.env.Result), len(b.env.Result))
		}
	}
	stored := New(Options{})
	stored.PutGenerated(300, 4, o)
	stored.StoreJSON()
	ss := stored.Serve()
	defer ss.Close()
	q := url.Values{"rows": {"1000"}, "sort": {"name asc"}}
	if a, b := get(t, se.URL, "package_search", q, nil), get(t, ss.URL, "package_search", q, nil); string(a.env.Result) != string(b.env.Result) {
		t.Fatal("StoreJSON changed what is served")
	}
	var orgsA, orgsB []map[string]any
	json.Unmarshal(get(t, se.URL, "organization_list", url.Values{"all_fields": {"true"}}, nil).env.Result, &orgsA)
	json.Unmarshal(get(t, sl.URL, "organization_list", url.Values{"all_fields": {"true"}}, nil).env.Result, &orgsB)
	if len(orgsA) == 0 || len(orgsB) < len(orgsA) {
		t.Fatalf("organization_list: %d eager, %d lazy", len(orgsA), len(orgsB))
	}
	id := eager.IDs()[17]
	lazy.Edit(id, func(m map[string]any) { m["title"] = "Édité" })
	got, _ := lazy.Package(id)
	want, _ := eager.Package(id)
	if got["title"] != "Édité" || got["notes"] != want["notes"] || fmt.Sprint(got["resources"]) != fmt.Sprint(want["resources"]) {
		t.Fatalf("edit of a generated package lost content")
	}
}

func TestGzipPostAndHiddenStates(t *testing.T) {
	p := New(Options{Gzip: true, HideVersion: true, Token: "tk"})
	del := pkg("d", "gone", "o", "2024-01-01T00:00:00")
	del["state"] = "deleted"
	draft := pkg("r", "draft", "o", "2024-01-01T00:00:00")
	draft["state"] = "draft"
	p.Put(pkg("a", "alive", "o", "2024-01-01T00:00:00"), del, draft)
	srv := p.Serve()
	defer srv.Close()

	// Go's transport asks for gzip and inflates transparently.
	req, _ := http.NewRequest("GET", srv.URL+"/api/3/action/status_show", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", resp.Header)
	}
	var st map[string]any
	json.Unmarshal(get(t, srv.URL, "status_show", nil, nil).env.Result, &st)
	if _, ok := st["ckan_version"]; ok || st["site_title"] == nil {
		t.Fatalf("HideVersion: %v", st)
	}

	auth := http.Header{"Authorization": {"tk"}}
	for _, c := range []struct {
		params url.Values
		header http.Header
		want   int
	}{
		{nil, auth, 1},
		{url.Values{"include_deleted": {"true"}}, nil, 1},
		{url.Values{"include_deleted": {"true"}}, auth, 2},
		{url.Values{"include_drafts": {"true"}, "include_deleted": {"true"}}, auth, 3},
	} {
		if got := search(t, srv.URL, c.params, c.header).Count; got != c.want {
			t.Errorf("%v auth=%v: %d, want %d", c.params, c.header != nil, got, c.want)
		}
	}

	resp, err = http.Post(srv.URL+"/api/3/action/package_search", "application/json",
		strings.NewReader(`{"fq": "name:alive", "rows": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Result searchResult `json:"result"`
	}
	json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if env.Result.Count != 1 || env.Result.Results[0]["id"] != "a" {
		t.Fatalf("POST package_search: %+v", env.Result)
	}
}

func TestPrivateDatasetsWithoutAConfiguredToken(t *testing.T) {
	p := New(Options{})
	priv := pkg("priv", "priv", "a", "2024-01-01T00:00:00")
	priv["private"] = true
	p.Put(pkg("pub", "pub", "a", "2024-01-01T00:00:00"), priv)
	srv := p.Serve()
	defer srv.Close()
	if got := search(t, srv.URL, nil, nil).Count; got != 1 {
		t.Errorf("default search: %d, want the public one only", got)
	}
	if got := search(t, srv.URL, url.Values{"include_private": {"true"}}, nil).Count; got != 2 {
		t.Errorf("include_private without a configured token: %d, want 2", got)
	}
	if r := get(t, srv.URL, "package_show", url.Values{"id": {"priv"}}, nil); r.status != 200 {
		t.Errorf("package_show of a private dataset without a configured token: %d", r.status)
	}
	var orgs []map[string]any
	json.Unmarshal(get(t, srv.URL, "organization_list", url.Values{"all_fields": {"true"}}, nil).env.Result, &orgs)
	if len(orgs) != 1 || orgs[0]["package_count"] != 1.0 {
		t.Errorf("package_count counts public datasets: %v", orgs)
	}
}
