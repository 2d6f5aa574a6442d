package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/vigie-audit/vigie/reports"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

func cli(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func genPortal(t *testing.T, n int, o ckantest.Options, g ckantest.GenOptions) (*ckantest.Portal, *httptest.Server) {
	t.Helper()
	p := ckantest.New(o)
	if g.Now.IsZero() {
		g.Now = time.Now().UTC().Add(-24 * time.Hour)
	}
	p.Put(ckantest.Generate(n, 11, g)...)
	srv := p.Serve()
	t.Cleanup(srv.Close)
	return p, srv
}

func TestHarvestDatasetsRunsCommands(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English summaries
	ctx := context.Background()
	p, srv := genPortal(t, 300, ckantest.Options{RowsMax: 100}, ckantest.GenOptions{Orgs: 12})
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--quiet"}

	code, out, errs := cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...)
	if code != 0 {
		t.Fatalf("harvest: %d %s", code, errs)
	}
	if !strings.Contains(out, "harvest full") || !strings.Contains(out, "300 datasets: 300 new, 0 changed, 0 unchanged, 0 missing, 0 deleted; 12 organizations") || strings.Count(out, "\n") != 1 {
		t.Fatalf("summary: %q", out)
	}

	code, out, errs = cli(ctx, append([]string{"datasets", "--format", "json"}, g...)...)
	if code != 0 {
		t.Fatalf("datasets: %d %s", code, errs)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("datasets JSON: %v\n%s", err, out[:min(len(out), 500)])
	}
	if len(rows) != 300 {
		t.Fatalf("%d datasets", len(rows))
	}
	for _, k := range []string{"id", "name", "title", "organization", "metadata_modified", "num_resources", "state", "scores", "mqa", "freshness_status", "stars"} {
		if _, ok := rows[0][k]; !ok {
			t.Fatalf("key %s missing: %v", k, rows[0])
		}
	}
	if rows[0]["state"] != "active" || rows[0]["scores"].(map[string]any)["overall"] != nil || rows[0]["mqa"] != nil {
		t.Fatalf("row before scoring: %v", rows[0])
	}
	pkg, _ := p.Package(rows[0]["id"].(string))
	if rows[0]["name"] != pkg["name"] || rows[0]["num_resources"].(float64) != float64(len(pkg["resources"].([]any))) ||
		rows[0]["organization"] != pkg["organization"].(map[string]any)["name"] {
		t.Fatalf("row differs from the portal: %v", rows[0])
	}
	if rows[0]["name"].(string) > rows[1]["name"].(string) {
		t.Fatalf("not in name order")
	}

	org := rows[0]["organization"].(string)
	code, out, _ = cli(ctx, append([]string{"datasets", "--format", "csv", "--lang", "en", "--org", org}, g...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !strings.HasPrefix(lines[0], "id,name,title,organization") || len(lines) < 2 {
		t.Fatalf("csv: %d %q", code, out)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, ","+org+",") {
			t.Fatalf("--org %s let through: %s", org, l)
		}
	}
	// French: what French spreadsheets read, a BOM and ';'.
	code, out, _ = cli(ctx, append([]string{"datasets", "--format", "csv", "--lang", "fr", "--org", org}, g...)...)
	if code != 0 || !strings.HasPrefix(out, "\uFEFFid;name;title;organization;") {
		t.Fatalf("French csv: %d %.200q", code, out)
	}

	// edit three datasets: the next harvest is incremental
	ids := p.IDs()
	for _, id := range ids[:3] {
		p.Edit(id, func(pkg map[string]any) { pkg["notes"] = "modifié" })
	}
	p.Delete(ids[10])
	code, out, errs = cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...)
	if code != 0 || !strings.Contains(out, "harvest full (counts drift") || !strings.Contains(out, "1 missing") {
		t.Fatalf("second harvest: %d %q %s", code, out, errs)
	}
	code, out, _ = cli(ctx, append([]string{"datasets", "--state", "missing", "--format", "json"}, g...)...)
	rows = nil
	json.Unmarshal([]byte(out), &rows)
	if code != 0 || len(rows) != 1 || rows[0]["id"] != ids[10] || rows[0]["state"] != "missing" {
		t.Fatalf("missing datasets: %q", out)
	}
	p.Edit(ids[20], func(pkg map[string]any) { pkg["title"] = "Nouveau titre" })
	code, out, _ = cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...)
	if code != 0 || !strings.HasPrefix(out, "harvest incremental") || !strings.Contains(out, "0 new, 1 changed") {
		t.Fatalf("incremental harvest: %q", out)
	}

	code, out, _ = cli(ctx, append([]string{"runs", "--format", "json"}, g...)...)
	var runs []reports.HarvestRunRow
	if err := json.Unmarshal([]byte(out), &runs); err != nil || code != 0 {
		t.Fatalf("runs: %v %q", err, out)
	}
	if len(runs) != 3 || runs[0].Mode != "incremental" || runs[1].Mode != "full" || runs[1].Missing != 1 || runs[2].New != 300 || runs[2].Status != "complete" {
		t.Fatalf("runs: %+v", runs)
	}
	code, out, _ = cli(ctx, append([]string{"runs"}, g...)...)
	if code != 0 || !strings.Contains(out, "incremental") || !strings.Contains(out, "complete") {
		t.Fatalf("runs table: %q", out)
	}
}

func TestDatasetsCarryLatestScores(t *testing.T) {
	ctx := context.Background()
	_, srv := genPortal(t, 5, ckantest.Options{}, ckantest.GenOptions{Orgs: 2})
	path := storetest.NewDSN(t)
	if code, _, errs := cli(ctx, "harvest", "--rate", "0", "--db", path, "--portal", srv.URL, "--quiet"); code != 0 {
		t.Fatal(errs)
	}
	db := storetest.Open(t, path)
	p, _ := db.Portal(ctx, srv.URL)
	var first string
	db.EachDataset(ctx, store.DatasetFilter{Scope: vigie.Scope{Portal: p.URL}}, func(d *vigie.Dataset) error {
		if first == "" {
			first = d.ID
		}
		return nil
	})
	run, _ := db.BeginScoreRun(ctx, p.ID, "donneesquebec")
	overall := 72.5
	if err := db.SaveAssessments(ctx, run, []vigie.Assessment{{DatasetID: first, Scores: vigie.Scores{Overall: &overall},
		MQA: vigie.MQA{Points: 210, Rating: "good"}, FreshnessStatus: vigie.FreshOverdue, Stars: 3}}); err != nil {
		t.Fatal(err)
	}
	db.FinishScoreRun(ctx, run, "complete", 1, "")
	db.Close()
	code, out, errs := cli(ctx, "datasets", "--format", "json", "--db", path, "--portal", srv.URL)
	if code != 0 {
		t.Fatal(errs)
	}
	var rows []reports.DatasetRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		scored := r.ID == first
		if scored != (r.Scores.Overall != nil) || scored != (r.MQA != nil) {
			t.Fatalf("row %s: %+v", r.ID, r)
		}
		if scored && (*r.Scores.Overall != 72.5 || r.MQA.Points != 210 || r.MQA.Rating != "good" || *r.FreshnessStatus != "overdue" || *r.Stars != 3) {
			t.Fatalf("scored row: %+v", r)
		}
	}
}

func TestHarvestErrorsAreOneLine(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	notCKAN := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		w.Write([]byte("<html><title>Not Found</title></html>"))
	}))
	defer notCKAN.Close()
	db := storetest.NewDSN(t)
	code, out, errs := cli(ctx, "harvest", "--db", db, "--portal", notCKAN.URL+"/data", "--quiet")
	if code != ExitFailure || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 ||
		!strings.Contains(errs, notCKAN.URL+"/data/api/3/action/status_show is not a CKAN action API") {
		t.Fatalf("non-CKAN: %d %q %q", code, out, errs)
	}
	code, _, errs = cli(ctx, "harvest", "--db", db, "--portal", notCKAN.URL, "--include-private")
	if code != ExitUsage || !strings.Contains(errs, "VIGIE_API_TOKEN") {
		t.Fatalf("private without token: %d %q", code, errs)
	}
	code, _, errs = cli(ctx, "harvest", "--db", db, "--portal", "ftp://example.org")
	if code != ExitUsage {
		t.Fatalf("bad portal URL: %d %q", code, errs)
	}
	code, _, errs = cli(ctx, "datasets", "--db", db, "--portal", notCKAN.URL, "--state", "gone")
	if code != ExitUsage {
		t.Fatalf("bad --state: %d %q", code, errs)
	}
}

func TestHarvestInterruptedExits130(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English summaries
	p, srv := genPortal(t, 400, ckantest.Options{RowsMax: 100}, ckantest.GenOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.Inject(ckantest.Hook("package_search", 3, cancel))
	db := storetest.NewDSN(t)
	code, _, errs := cli(ctx, "harvest", "--rate", "0", "--db", db, "--portal", srv.URL, "--quiet")
	if code != ExitInterrupted {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, out, _ := cli(context.Background(), "runs", "--format", "json", "--db", db, "--portal", srv.URL)
	var runs []reports.HarvestRunRow
	json.Unmarshal([]byte(out), &runs)
	if code != 0 || len(runs) != 1 || runs[0].Status != "interrupted" {
		t.Fatalf("runs after interruption: %q", out)
	}
	code, out, _ = cli(context.Background(), "harvest", "--rate", "0", "--db", db, "--portal", srv.URL, "--quiet")
	if code != 0 || !strings.Contains(out, "harvest full") || !strings.Contains(out, "400 datasets") {
		t.Fatalf("harvest after interruption: %d %q", code, out)
	}
}

func TestHarvestPrivateTokenStaysSecret(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English summaries
	const token = "ckan-token-5ae1b2c3d4-DO-NOT-LEAK"
	p, srv := genPortal(t, 100, ckantest.Options{Token: token}, ckantest.GenOptions{Orgs: 4, PrivateShare: 0.3})
	p.Inject(ckantest.FailTimes("organization_list", 1, 503, "text/plain", "overloaded "+token, nil))
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
	db := storetest.NewDSN(t)
	code, out, errs := cli(context.Background(), "harvest", "--rate", "0", "--db", db, "--portal", srv.URL,
		"--include-private", "--token-file", tokenFile, "--log-format", "json")
	if code != 0 || !strings.Contains(out, "100 datasets") {
		t.Fatalf("private harvest: %d %q %s", code, out, errs)
	}
	if !strings.Contains(errs, "retrying") {
		t.Fatalf("the retry was not logged: %s", errs)
	}
	if strings.Contains(out+errs, token) {
		t.Fatal("token printed")
	}
	_, out, _ = cli(context.Background(), "datasets", "--format", "json", "--db", db, "--portal", srv.URL)
	_, runs, _ := cli(context.Background(), "runs", "--format", "json", "--db", db, "--portal", srv.URL)
	if strings.Contains(out+runs, token) {
		t.Fatal("token in listings")
	}
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(token)) {
			t.Fatalf("token written to %s", f)
		}
	}
}

func TestHarvestFromFile(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English summaries
	ctx := context.Background()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", "https://www.donneesquebec.ca/recherche", "--quiet"}
	code, out, errs := cli(ctx, append([]string{"harvest", "--from", "../../testdata/real/catalog.data.gov/packages_hud_3_2015.json"}, g...)...)
	if code != 0 || !strings.Contains(out, "harvest import") || !strings.Contains(out, "3 datasets: 3 new") {
		t.Fatalf("import: %d %q %s", code, out, errs)
	}
	code, out, _ = cli(ctx, append([]string{"datasets", "--format", "json"}, g...)...)
	var rows []reports.DatasetRow
	json.Unmarshal([]byte(out), &rows)
	if code != 0 || len(rows) != 3 {
		t.Fatalf("datasets after import: %q", out)
	}
	code, _, errs = cli(ctx, append([]string{"harvest", "--from", "../../testdata/real/open.alberta.ca/package_list_2025-03-25.json"}, g...)...)
	if code != ExitFailure || !strings.Contains(errs, "package_list") {
		t.Fatalf("package_list import: %d %q", code, errs)
	}
	code, _, errs = cli(ctx, append([]string{"harvest", "--from", "nope.jsonl"}, g...)...)
	if code != ExitFailure || !strings.Contains(errs, "nope.jsonl") {
		t.Fatalf("missing file: %d %q", code, errs)
	}
}
