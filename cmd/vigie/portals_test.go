package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/reports"
)

func TestPortalsAndOrgsListings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	_, srvA, _, _ := auditPortal(t, 30)
	pB := ckantest.New(ckantest.Options{})
	pB.Put(ckantest.Generate(12, 5, ckantest.GenOptions{Orgs: 3, PrivateShare: 0.3})...)
	srvB := pB.Serve()
	t.Cleanup(srvB.Close)

	code, _, errb := cli(ctx, "portals", "--db", db, "--lang", "en")
	// A file that does not exist; on PostgreSQL, a schema without tables.
	if code != 1 || !strings.Contains(errb, "does not exist") && !strings.Contains(errb, "is empty") {
		t.Fatalf("no database: exit %d %s", code, errb)
	}
	if code, _, errb := cli(ctx, auditArgs(db, srvA.URL, filepath.Join(dir, "a"), "--fail-under", "99")...); code != ExitGate {
		t.Fatalf("audit A: exit %d %s", code, errb)
	}
	if code, _, errb := cli(ctx, "--db", db, "--portal", srvB.URL, "--quiet", "harvest", "--rate", "0"); code != 0 {
		t.Fatalf("harvest B: exit %d %s", code, errb)
	}

	code, out, errb := cli(ctx, "--db", db, "portals", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errb)
	}
	var rows []reports.PortalRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rows) != 2 {
		t.Fatalf("want 2 portals, got %d", len(rows))
	}
	a, b := rows[0], rows[1] // no configuration: by address
	if a.URL != strings.TrimRight(srvA.URL, "/") {
		a, b = b, a
	}
	if rows[0].URL > rows[1].URL {
		t.Fatalf("not in address order: %s, %s", rows[0].URL, rows[1].URL)
	}
	if a.Published != 30 || a.LastAudit == nil || a.LastAudit.Status != "complete" || a.LastAudit.Gate != "failed" ||
		len(a.LastAudit.GateReasons) == 0 || a.LastScore == nil || a.LastHarvest == nil || a.LastHarvest.Status != "complete" || a.CKANVersion == "" {
		t.Fatalf("portal A: %+v", a)
	}
	if a.LastScore.ID != a.LastAudit.ScoreRunID || !strings.HasPrefix(a.LastAudit.OutDir, filepath.Join(dir, "a")) {
		t.Fatalf("audit record: %+v score %+v", a.LastAudit, a.LastScore)
	}
	// B was harvested without a token: private datasets are not published.
	if b.LastAudit != nil || b.LastScore != nil || b.Private != 0 || b.Published == 0 || b.Published >= 12 || b.Name != slugURL(srvB.URL) {
		t.Fatalf("portal B: %+v", b)
	}

	code, out, _ = cli(ctx, "--db", db, "--lang", "en", "portals")
	if code != 0 || !strings.Contains(out, "published") || !strings.Contains(out, "failed") {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
	code, out, _ = cli(ctx, "--db", db, "portals")
	if code != 0 || !strings.Contains(out, "publiés") || !strings.Contains(out, "non atteint") || strings.Contains(out, "failed") {
		t.Fatalf("French table (the gate and statuses in French): exit %d\n%s", code, out)
	}
	code, out, _ = cli(ctx, "--db", db, "portals", "--format", "csv", "--lang", "en")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 3 || recs[0][0] != "name" {
		t.Fatalf("csv: exit %d %v\n%s", code, err, out)
	}

	// orgs: only scored portals have organizations; ranks start at 1.
	t.Setenv("VIGIE_PORTAL", "")
	code, out, errb = cli(ctx, "--db", db, "orgs", "--format", "json")
	if code != 0 {
		t.Fatalf("orgs: exit %d %s", code, errb)
	}
	var orgs []reports.OrgRow
	if err := json.Unmarshal([]byte(out), &orgs); err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 4 || orgs[0].Rank != 1 || orgs[3].Rank != 4 || orgs[0].Portal != slugURL(srvA.URL) {
		t.Fatalf("orgs: %+v", orgs)
	}
	total := 0
	for i, o := range orgs {
		total += o.Datasets
		if i > 0 && o.Scores.Overall != nil && orgs[i-1].Scores.Overall != nil && *o.Scores.Overall > *orgs[i-1].Scores.Overall {
			t.Fatalf("not ranked: %+v", orgs)
		}
	}
	if total != 30 {
		t.Fatalf("datasets over orgs: %d", total)
	}
	code, out, _ = cli(ctx, "--db", db, "--portal", srvA.URL, "orgs", "--format", "csv", "--lang", "en")
	recs, err = csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 5 || recs[0][12] != "broken links" || strings.Contains(recs[1][5], ",") {
		t.Fatalf("orgs csv: exit %d %v\n%s", code, err, out)
	}
	// French: ';', a BOM, decimal commas, no grouping (spreadsheet numbers).
	code, out, _ = cli(ctx, "--db", db, "--portal", srvA.URL, "orgs", "--format", "csv")
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
	cr.Comma = ';'
	recs, err = cr.ReadAll()
	if code != 0 || err != nil || !strings.HasPrefix(out, "\uFEFF") || len(recs) != 5 || strings.Contains(recs[1][5], ".") {
		t.Fatalf("French orgs csv: exit %d %v\n%s", code, err, out)
	}
	code, _, errb = cli(ctx, "--db", db, "--portal", srvB.URL, "orgs")
	if code != 1 || !strings.Contains(errb, "vigie score") {
		t.Fatalf("unscored portal: exit %d %s", code, errb)
	}
}

// A dump holding a draft and a deleted dataset: 'vigie portals' counts only
// the active public one as published, as reports do.
func TestPortalsPublishedExcludesDraftsAndDeleted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	dump := filepath.Join(dir, "dump.json")
	ds := func(name, state string, private bool) string {
		return fmt.Sprintf(`{"id":"id-%[1]s","name":"%[1]s","title":"T %[1]s","state":%[2]q,"private":%[3]t,"metadata_modified":"2026-01-01T00:00:00","resources":[]}`, name, state, private)
	}
	body := `{"success":true,"result":{"count":4,"results":[` + strings.Join([]string{
		ds("pub", "active", false), ds("priv", "active", true), ds("draft", "draft", false), ds("gone", "deleted", false)}, ",") + `]}}`
	if err := os.WriteFile(dump, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errb := cli(ctx, "--db", db, "--portal", "https://portal.example", "--quiet", "harvest", "--from", dump); code != 0 {
		t.Fatalf("harvest: exit %d %s", code, errb)
	}
	code, out, errb := cli(ctx, "--db", db, "portals", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errb)
	}
	var rows []reports.PortalRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	if rows[0].Published != 1 || rows[0].Private != 1 {
		t.Fatalf("published %d private %d, want 1 and 1:\n%s", rows[0].Published, rows[0].Private, out)
	}
}

// 'vigie orgs --org a,b' keeps those organizations, on one portal or all;
// a mistyped one is a usage error naming the nearest, once.
func TestOrgsTakesOrg(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDSN(t)
	t.Setenv("VIGIE_PORTAL", "")
	var urls []string
	for seed := int64(1); seed <= 2; seed++ {
		p := ckantest.New(ckantest.Options{})
		p.Put(ckantest.Generate(40, seed, ckantest.GenOptions{Orgs: 4})...)
		srv := p.Serve()
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
		for _, c := range []string{"harvest", "score"} {
			args := []string{"--db", db, "--portal", srv.URL, "--quiet", c}
			if c == "harvest" {
				args = append(args, "--rate", "0")
			}
			if code, _, errb := cli(ctx, args...); code != 0 {
				t.Fatalf("%s: exit %d %s", c, code, errb)
			}
		}
	}
	code, out, errb := cli(ctx, "--db", db, "orgs", "--format", "json")
	var all []reports.OrgRow
	if code != 0 || json.Unmarshal([]byte(out), &all) != nil || len(all) < 4 {
		t.Fatalf("orgs: exit %d %s\n%s", code, errb, out)
	}
	a, b := all[0].Name, all[1].Name
	want := 0
	for _, r := range all {
		if r.Name == a || r.Name == b {
			want++
		}
	}
	for _, extra := range [][]string{nil, {"--portal", urls[0]}} {
		args := append([]string{"--db", db, "orgs", "--format", "json", "--org", a + "," + b}, extra...)
		code, out, errb = cli(ctx, args...)
		var rows []reports.OrgRow
		if code != 0 || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("%v: exit %d %s", args, code, errb)
		}
		for _, r := range rows {
			if r.Name != a && r.Name != b {
				t.Fatalf("%v: %s listed", args, r.Name)
			}
		}
		if extra == nil && len(rows) != want || len(rows) == 0 {
			t.Fatalf("%v: %d rows, want %d", args, len(rows), want)
		}
	}
	code, _, errb = cli(ctx, "--db", db, "orgs", "--org", a[:len(a)-1])
	if code != ExitUsage || strings.Count(errb, a) != 1 {
		t.Fatalf("mistyped --org: exit %d %s", code, errb)
	}
}
