package reports

import (
	"bytes"
	"context"
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/quality"
)

func TestBuildNothingScored(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	if _, err := db.EnsurePortal(ctx, seedPortal); err != nil {
		t.Fatal(err)
	}
	_, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal}})
	if !errors.Is(err, ErrNotScored) || vigie.KindOf(err) != vigie.KindNotScored {
		t.Fatalf("want ErrNotScored saying what to do, got %v", err)
	}
}

// expected recomputes, independently of the SQL, what the indicators of a
// seeded run should be: the same datasets scored again with quality.Score.
type expected struct {
	n, openLicence, machine, openFormat int
	statuses                            []vigie.Freshness
	completeness                        []*float64
	ratings                             map[vigie.Rating]int
	findings                            int
	byOrg                               map[string][]vigie.Freshness // statuses
	brokenByOrg                         map[string]map[string]bool
	ok, checked                         int
}

func expect(n, run int, org string) expected {
	prof := quality.MustProfile("donneesquebec")
	e := expected{ratings: map[vigie.Rating]int{}, byOrg: map[string][]vigie.Freshness{}, brokenByOrg: map[string]map[string]bool{}}
	links := map[string]vigie.LinkResult{}
	var ds []vigie.Dataset
	for i := 0; i < n; i++ {
		d := seedDataset(i, true)
		if run > 0 && i%10 == 2 {
			d.LicenseID = "cc-by"
		}
		for j, r := range d.Resources {
			links[r.URL] = seedLink(d, r, i, j)
		}
		ds = append(ds, d)
	}
	seen := map[string]bool{}
	for i := range ds {
		d := &ds[i]
		if org != "" && d.Organization != org {
			continue
		}
		a := quality.Score(d, links, prof, seedNow)
		e.n++
		if a.OpenLicence {
			e.openLicence++
		}
		if a.MachineReadable {
			e.machine++
		}
		if a.OpenFormat {
			e.openFormat++
		}
		e.statuses = append(e.statuses, a.FreshnessStatus)
		e.byOrg[d.Organization] = append(e.byOrg[d.Organization], a.FreshnessStatus)
		e.completeness = append(e.completeness, a.Scores.Completeness)
		e.ratings[a.MQA.Rating]++
		e.findings += len(a.Findings)
		for _, r := range d.Resources {
			l := links[r.URL]
			if l.Class == vigie.LinkBroken {
				if e.brokenByOrg[d.Organization] == nil {
					e.brokenByOrg[d.Organization] = map[string]bool{}
				}
				e.brokenByOrg[d.Organization][r.URL] = true
			}
			if seen[r.URL] {
				continue
			}
			seen[r.URL] = true
			if l.Class != vigie.LinkUnsure {
				e.checked++
				if l.Class == vigie.LinkOK {
					e.ok++
				}
			}
		}
	}
	return e
}

func pct(n, of int) float64 { return math.Round(1000*float64(n)/float64(of)) / 10 }

func indicator(t *testing.T, r *Report, key string) Indicator {
	t.Helper()
	for _, i := range r.Commitment {
		if i.Key == key {
			return i
		}
	}
	t.Fatalf("no indicator %q", key)
	return Indicator{}
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 0.051 }

func TestBuildFromStore(t *testing.T) {
	ctx := context.Background()
	const n = 40
	db := seedStore(t, n, 2, true)
	r, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal}, Now: seedNow})
	if err != nil {
		t.Fatal(err)
	}
	now, then := expect(n, 1, ""), expect(n, 0, "")
	if r.ScoreRun.ID != 2 || r.CompareRun == nil || r.CompareRun.ID != 1 || r.HarvestRun == nil || r.HarvestRun.ID != 2 || r.Profile != "donneesquebec" {
		t.Fatalf("runs: score %+v compare %+v harvest %+v", r.ScoreRun, r.CompareRun, r.HarvestRun)
	}
	tau, _ := quality.Tau(now.statuses)
	mean, _ := quality.Mean(now.completeness)
	checks := []struct {
		key        string
		value, was float64
	}{
		{"datasets", float64(now.n), float64(then.n)},
		{"organizations", 4, 4},
		{"open_licence", pct(now.openLicence, n), pct(then.openLicence, n)},
		{"machine_readable", pct(now.machine, n), pct(then.machine, n)},
		{"open_format", pct(now.openFormat, n), pct(then.openFormat, n)},
		{"tau", math.Round(1000*tau) / 10, math.Round(1000*tau) / 10},
		{"completeness", math.Round(10*mean) / 10, -1},
		{"links_working", pct(now.ok, now.checked), pct(then.ok, then.checked)},
		{"mqa_good", float64(now.ratings["good"]), float64(then.ratings["good"])},
	}
	for _, c := range checks {
		i := indicator(t, r, c.key)
		if !near(i.Value, c.value) || c.was >= 0 && (!near(i.Previous, c.was) || !near(i.Change, c.value-c.was)) {
			t.Errorf("%s = %v (previous %v, change %v), want %v (previous %v)", c.key, deref(i.Value), deref(i.Previous), deref(i.Change), c.value, c.was)
		}
	}
	if i := indicator(t, r, "open_licence"); !near(i.Change, 10) {
		t.Errorf("opening 4 licences of 40 should move the open-licence share by +10 points, got %v", deref(i.Change))
	}
	// The donneesquebec profile's 2021 baseline belongs to Données Québec,
	// not to this other portal scored with it.
	if i := indicator(t, r, "datasets"); i.Baseline != nil || strings.Contains(i.Note, "2021") {
		t.Errorf("datasets baseline %v %q on a portal other than Données Québec", deref(i.Baseline), i.Note)
	}
	given := 40.0
	rb, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal}, Now: seedNow, Baseline: &given, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if i := indicator(t, rb, "datasets"); i.Baseline == nil || *i.Baseline != 40 || i.Note != "baseline: 40 datasets" {
		t.Errorf("--baseline 40: %v %q", deref(i.Baseline), i.Note)
	}
	for _, h := range rb.History {
		if i := indicator(t, &Report{Commitment: h.Indicators}, "datasets"); i.Baseline == nil || *i.Baseline != 40 {
			t.Errorf("history run %d: baseline %v", h.Run.ID, deref(i.Baseline))
		}
	}
	// Organizations: ranked, each tau and broken-link count as recomputed.
	if len(r.Organizations) != 4 {
		t.Fatalf("%d organizations", len(r.Organizations))
	}
	total := 0
	for k, o := range r.Organizations {
		total += o.Datasets
		if o.Rank != k+1 || k > 0 && *o.Scores.Overall > *r.Organizations[k-1].Scores.Overall {
			t.Errorf("organization %s ranked %d out of order", o.Name, o.Rank)
		}
		want, _ := quality.Tau(now.byOrg[o.Name])
		if !near(o.Tau, math.Round(1000*want)/10) {
			t.Errorf("%s tau %v, want %v", o.Name, deref(o.Tau), want)
		}
		if o.BrokenLinks == nil || *o.BrokenLinks != len(now.brokenByOrg[o.Name]) {
			t.Errorf("%s broken links %v, want %d", o.Name, o.BrokenLinks, len(now.brokenByOrg[o.Name]))
		}
		if o.Title != "Organisation "+o.Name {
			t.Errorf("organization title %q", o.Title)
		}
	}
	if total != n {
		t.Errorf("organizations hold %d datasets, want %d", total, n)
	}
	// Streams: datasets in organization order; findings agree three ways.
	var orgOrder []string
	err = r.EachDataset(ctx, false, func(d *Dataset) error {
		orgOrder = append(orgOrder, d.Organization+"/"+d.Name)
		if d.Findings != nil || !strings.HasPrefix(d.URL, seedPortal+"/dataset/jeu-") {
			t.Errorf("row %+v", d)
		}
		return nil
	})
	if err != nil || len(orgOrder) != n || !sort.StringsAreSorted(orgOrder) {
		t.Errorf("datasets without findings: %d rows, sorted %v, %v", len(orgOrder), sort.StringsAreSorted(orgOrder), err)
	}
	withF, counted := 0, 0
	err = r.EachDataset(ctx, true, func(d *Dataset) error {
		withF += len(d.Findings)
		counted += d.Counts.Error + d.Counts.Warning + d.Counts.Info
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	streamed := 0
	if err := r.EachFinding(ctx, func(f *FindingRow) error { streamed++; return nil }); err != nil {
		t.Fatal(err)
	}
	s := r.Summary.Findings
	if withF != now.findings || streamed != now.findings || counted != now.findings || s.Error+s.Warning+s.Info != now.findings {
		t.Errorf("findings: with datasets %d, streamed %d, counted %d, summary %+v, want %d", withF, streamed, counted, s, now.findings)
	}
	// Links: only those that do not work, each with its datasets.
	if len(r.Links) == 0 {
		t.Fatal("no links reported")
	}
	for _, l := range r.Links {
		if l.Class == vigie.LinkOK || len(l.Datasets) == 0 || l.Class == vigie.LinkBroken && l.Since == nil {
			t.Errorf("link %+v", l)
		}
	}
	if len(r.History) != 2 || r.History[1].Run.ID != 2 || !near(r.History[0].Indicators[2].Value, pct(then.openLicence, n)) {
		t.Errorf("history %+v", r.History)
	}
	// The JSON of a real report matches the schema.
	sch := compileSchema(t)
	out := write(t, JSON{}, r)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("store report does not match the schema: %v", err)
	}
	f := openXLSX(t, write(t, XLSX{}, r))
	rows, err := f.GetRows(SheetNames("fr")[2])
	if err != nil || len(rows) != n+1 {
		t.Errorf("datasets sheet has %d rows, want %d: %v", len(rows), n+1, err)
	}
	rows, _ = f.GetRows(SheetNames("fr")[3])
	if len(rows) != now.findings+1 {
		t.Errorf("findings sheet has %d rows, want %d", len(rows), now.findings+1)
	}
}

func TestBuildOneOrganization(t *testing.T) {
	ctx := context.Background()
	const n = 40
	db := seedStore(t, n, 1, false)
	r, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal, Orgs: []string{"ville-a"}}, Lang: "en", Now: seedNow})
	if err != nil {
		t.Fatal(err)
	}
	e := expect(n, 0, "ville-a")
	if r.Summary.Datasets != e.n || len(r.Organizations) != 1 || r.Organizations[0].Name != "ville-a" || r.CompareRun != nil {
		t.Fatalf("summary %+v orgs %+v compare %+v", r.Summary, r.Organizations, r.CompareRun)
	}
	if got := r.Scope(); got != "Organisation ville-a (ville-a)" {
		t.Errorf("scope %q", got)
	}
	if i := indicator(t, r, "open_licence"); !near(i.Value, pct(e.openLicence, e.n)) || i.Previous != nil || i.Label != "Under an open licence (%)" {
		t.Errorf("open licence %+v", i)
	}
	bad := func(org string) {
		if org != "ville-a" {
			t.Errorf("row of %q in a ville-a report", org)
		}
	}
	_ = r.EachDataset(ctx, true, func(d *Dataset) error { bad(d.Organization); return nil })
	_ = r.EachFinding(ctx, func(f *FindingRow) error { bad(f.Organization); return nil })
	for _, l := range r.Links {
		for _, d := range l.Datasets {
			bad(d.Organization)
		}
	}
	if _, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal, Orgs: []string{"nobody"}}}); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("unknown organization: %v", err)
	}
}

func TestBuildCompare(t *testing.T) {
	ctx := context.Background()
	db := seedStore(t, 12, 3, false)
	for ref, want := range map[string]int64{"": 2, "1": 1, "previous": 2, seedNow.Format("2006-01-02"): 3} {
		r, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal}, Compare: ref})
		if err != nil {
			t.Errorf("--compare %q: %v", ref, err)
			continue
		}
		if r.CompareRun == nil || r.CompareRun.ID != want {
			t.Errorf("--compare %q chose %+v, want run %d", ref, r.CompareRun, want)
		}
	}
	for _, ref := range []string{"2000-01-01", "99", "yesterday"} {
		if _, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal}, Compare: ref}); err == nil {
			t.Errorf("--compare %q was accepted", ref)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
