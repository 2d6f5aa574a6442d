package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/vigie-audit/vigie/export"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/reports"
)

// vigie export over a database built from real payloads and a generated
// catalogue served over HTTP: each dataset's five scores in scores.parquet
// are what `vigie datasets --format json` says (null stays NULL), and
// --portal narrows the export to the portals named.
func TestExportCommandMatchesDatasets(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDSN(t)
	_, srv := genPortal(t, 150, ckantest.Options{RowsMax: 100}, ckantest.GenOptions{Orgs: 5})
	sources := map[string]string{
		"https://data.birmingham.gov.uk": "../../testdata/real/data.birmingham.gov.uk/package_search_2021-09.json",
		"https://demo.ckan.org":          "../../testdata/real/demo.ckan.org/package_search_rows3_2017-10.json",
		srv.URL:                          "",
	}
	for portal, from := range sources {
		args := []string{"--db", db, "--portal", portal, "-q", "harvest"}
		if from != "" {
			args = append(args, "--from", from)
		}
		if code, _, errs := cli(ctx, args...); code != 0 {
			t.Fatalf("harvest %s: %d %s", portal, code, errs)
		}
		if code, _, errs := cli(ctx, "--db", db, "--portal", portal, "-q", "score"); code != 0 {
			t.Fatalf("score %s: %d %s", portal, code, errs)
		}
	}
	dir := t.TempDir()
	code, out, errs := cli(ctx, "--db", db, "export", "--format", "parquet", dir, "--json")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errs)
	}
	var files []reports.ExportFile
	if err := json.Unmarshal([]byte(out), &files); err != nil || len(files) != len(export.Tables) {
		t.Fatalf("export output %q: %v", out, err)
	}
	scores, err := parquet.ReadFile[export.ScoreRow](filepath.Join(dir, "scores.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{} // portal dataset dimension → score
	for _, s := range scores {
		v := "null"
		if s.Score != nil {
			v = fmt.Sprint(*s.Score)
		}
		got[s.PortalURL+" "+s.DatasetID+" "+s.Dimension] = v
	}
	compared, nulls := 0, 0
	for portal := range sources {
		code, out, errs := cli(ctx, "--db", db, "--portal", portal, "datasets", "--state", "all", "--format", "json")
		if code != 0 {
			t.Fatalf("datasets %s: %d %s", portal, code, errs)
		}
		var ds []struct {
			ID     string              `json:"id"`
			Scores map[string]*float64 `json:"scores"`
		}
		if err := json.Unmarshal([]byte(out), &ds); err != nil || len(ds) == 0 {
			t.Fatalf("datasets %s: %v %q", portal, err, out[:min(len(out), 200)])
		}
		for _, d := range ds {
			for _, dim := range export.Dimensions {
				want := "null"
				if v := d.Scores[dim]; v != nil {
					want = fmt.Sprint(*v)
				} else {
					nulls++
				}
				key := strings.TrimRight(portal, "/") + " " + d.ID + " " + dim
				if got[key] != want {
					t.Errorf("%s: parquet %q, vigie datasets %s", key, got[key], want)
				}
				compared++
			}
		}
	}
	if compared != len(scores) || nulls == 0 {
		t.Errorf("compared %d scores of %d exported, %d unknown (the unchecked links' availability must be null)", compared, len(scores), nulls)
	}

	// --portal, repeated, narrows every table to those portals.
	dir2 := t.TempDir()
	if code, _, errs := cli(ctx, "--db", db, "export", dir2, "--portal", "https://demo.ckan.org", "--portal", "https://data.birmingham.gov.uk/"); code != 0 {
		t.Fatalf("export --portal: %d %s", code, errs)
	}
	ds, err := parquet.ReadFile[export.DatasetRow](filepath.Join(dir2, "datasets.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, d := range ds {
		per[d.PortalURL]++
	}
	if len(per) != 2 || per["https://demo.ckan.org"] != 3 || per["https://data.birmingham.gov.uk"] != 10 {
		t.Errorf("datasets per portal with --portal: %v", per)
	}
}

func TestExportCommandUsage(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	db := storetest.NewDSN(t)
	if code, _, errs := cli(ctx, "--db", db, "-q", "harvest", "--portal", "https://demo.ckan.org", "--from", "../../testdata/real/demo.ckan.org/package_search_rows3_2017-10.json"); code != 0 {
		t.Fatal(errs)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"export", t.TempDir(), "--since", "last week"}, ExitUsage, "--since must be a date"},
		{[]string{"export", t.TempDir(), "--format", "xml"}, ExitUsage, "parquet"},
		{[]string{"export"}, ExitUsage, "arg"},
		{[]string{"export", t.TempDir(), "--portal", "https://nowhere.example"}, ExitFailure, "vigie harvest"},
	} {
		code, _, errs := cli(ctx, append([]string{"--db", db}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.msg) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: code %d, stderr %q", tc.args, code, errs)
		}
	}
}

// --compression zstd writes files that read back the same.
func TestExportCommandZstd(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	db := storetest.NewDSN(t)
	if code, _, errs := cli(ctx, "--db", db, "-q", "harvest", "--portal", "https://demo.ckan.org", "--from", "../../testdata/real/demo.ckan.org/package_search_rows3_2017-10.json"); code != 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	if code, _, errs := cli(ctx, "--db", db, "export", dir, "--compression", "zstd"); code != 0 {
		t.Fatal(errs)
	}
	ds, err := parquet.ReadFile[export.DatasetRow](filepath.Join(dir, "datasets.parquet"))
	if err != nil || len(ds) != 3 {
		t.Fatalf("%d datasets, %v", len(ds), err)
	}
	if code, _, errs := cli(ctx, "--db", db, "export", dir, "--compression", "lz9"); code != ExitUsage || !strings.Contains(errs, "snappy or zstd") {
		t.Errorf("bad compression: %d %q", code, errs)
	}
}

// TestExportFilesCarryEveryField: `vigie export --json` prints
// reports.ExportFile, copied from export.File; a field export.File gains or
// the copy forgets would be missing from what users read.
func TestExportFilesCarryEveryField(t *testing.T) {
	f := export.File{Table: "scores", Path: "out/scores.parquet", Rows: 42}
	got := exportFiles([]export.File{f})
	if len(got) != 1 {
		t.Fatalf("%+v", got)
	}
	fv, gv := reflect.ValueOf(f), reflect.ValueOf(got[0])
	for i := range fv.NumField() {
		name := fv.Type().Field(i).Name
		g := gv.FieldByName(name)
		if !g.IsValid() {
			t.Errorf("export.File.%s has no field in reports.ExportFile: add it there and in docs/export.schema.json", name)
			continue
		}
		if fv.Field(i).IsZero() {
			t.Errorf("export.File.%s is not set in this test", name)
		}
		if !reflect.DeepEqual(g.Interface(), fv.Field(i).Interface()) {
			t.Errorf("%s: %v, want %v", name, g.Interface(), fv.Field(i).Interface())
		}
	}
	if b, err := json.Marshal(exportFiles(nil)); err != nil || string(b) != "[]" {
		t.Errorf("no file: %s %v", b, err)
	}
}
