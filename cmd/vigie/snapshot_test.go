package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

// A report taken after a harvest that was not scored yet names the harvest
// and score runs it reflects and warns, in every format and on stderr, that
// the metadata is newer than the scores; after 'vigie score' it does not.
func TestReportWarnsWhenMetadataIsNewerThanScores(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(8, 5, ckantest.GenOptions{Orgs: 2})
	srv := p.Serve()
	defer srv.Close()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--lang", "en"}
	for _, args := range [][]string{{"harvest", "--rate", "0"}, {"score"}, {"harvest", "--rate", "0", "--full"}} {
		if code, _, errs := cli(ctx, append(append([]string{}, g...), append(args, "-q")...)...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	const want = "the metadata comes from harvest run 2"
	code, md, errs := cli(ctx, append(g, "report", "--format", "md")...)
	if code != 0 || !strings.Contains(md, want) || !strings.Contains(md, "newer than the scores of score run 1 (computed from harvest run 1)") {
		t.Errorf("md: exit %d, no warning:\n%s", code, md)
	}
	if !strings.Contains(errs, want) {
		t.Errorf("no warning on stderr: %q", errs)
	}
	_, js, _ := cli(ctx, append(g, "-q", "report", "--format", "json")...)
	var doc struct {
		Warnings   []string           `json:"warnings"`
		HarvestRun struct{ ID int64 } `json:"harvest_run"`
		ScoreRun   struct{ ID int64 } `json:"score_run"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil || len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], want) || doc.HarvestRun.ID != 1 || doc.ScoreRun.ID != 1 {
		t.Errorf("json: %+v %v", doc, err)
	}
	for _, format := range []string{"html", "xlsx"} {
		out := filepath.Join(dir, "r."+format)
		if code, _, errs := cli(ctx, append(g, "-q", "report", "--out", out)...); code != 0 {
			t.Fatalf("%s: %s", format, errs)
		}
		var text string
		if format == "xlsx" {
			f, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, sh := range f.GetSheetList() {
				rows, _ := f.GetRows(sh)
				for _, r := range rows {
					text += strings.Join(r, " ") + "\n"
				}
			}
			f.Close()
		} else {
			text = readFile(t, out)
		}
		if !strings.Contains(text, want) {
			t.Errorf("%s report does not warn", format)
		}
	}
	// The CSV folder names the runs and carries the warning in indicators.csv.
	csvDir := filepath.Join(dir, "csv")
	if code, _, errs := cli(ctx, append(g, "-q", "report", "--format", "csv", "--out", csvDir)...); code != 0 {
		t.Fatalf("csv: %s", errs)
	}
	ind := readFile(t, filepath.Join(csvDir, "indicators.csv"))
	if !strings.Contains(ind, want) || !strings.Contains(ind, "score_run,Score run,1,") || !strings.Contains(ind, "harvest_run,Harvest run,1,") {
		t.Errorf("indicators.csv names neither the runs nor the warning:\n%s", ind)
	}
	if code, _, errs := cli(ctx, append(g, "-q", "score")...); code != 0 {
		t.Fatal(errs)
	}
	_, md, errs = cli(ctx, append(g, "report", "--format", "md")...)
	if strings.Contains(md, want) || strings.Contains(errs, "newer than the scores") {
		t.Errorf("still warns after scoring:\n%s", errs)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A report reads one state of the database: a harvest that commits new
// metadata while the report is being written does not leak into it.
func TestReportReadsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	pkgs := ckantest.Generate(6, 9, ckantest.GenOptions{Orgs: 2})
	for _, pkg := range pkgs {
		pkg["title"] = "old title " + pkg["name"].(string)
	}
	p.Put(pkgs...)
	srv := p.Serve()
	defer srv.Close()
	path := storetest.NewDSN(t)
	g := []string{"--db", path, "--portal", srv.URL, "-q"}
	for _, args := range [][]string{{"harvest", "--rate", "0"}, {"score"}} {
		if code, _, errs := cli(ctx, append(append([]string{}, g...), args...)...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	db, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, snapshot := range []bool{true, false} {
		r, err := reports.Build(ctx, db, reports.Options{Scope: vigie.Scope{Portal: srv.URL}, Snapshot: snapshot})
		if err != nil {
			t.Fatal(err)
		}
		// A harvest commits new titles while the report is being written.
		for _, pkg := range pkgs {
			pkg["title"] = fmt.Sprintf("new title %v %v", pkg["name"], snapshot)
			pkg["metadata_modified"] = time.Now().UTC().Format("2006-01-02T15:04:05.000000")
		}
		p.Put(pkgs...)
		if code, _, errs := cli(ctx, append(append([]string{}, g...), "harvest", "--rate", "0", "--full")...); code != 0 {
			t.Fatalf("harvest: %s", errs)
		}
		var b strings.Builder
		err = (&reports.CSV{}).Write(ctx, &b, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		mixed := strings.Contains(b.String(), "new title")
		if snapshot && mixed {
			t.Errorf("a report read in one snapshot shows metadata committed after it started:\n%s", b.String())
		}
		if !snapshot && !mixed {
			t.Logf("without a snapshot the report did not mix (the test no longer shows the problem)")
		}
	}
}
