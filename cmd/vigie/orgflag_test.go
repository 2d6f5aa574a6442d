package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

func orgNames(t *testing.T, path string) []string {
	t.Helper()
	db := openRaw(t, path, true)
	defer db.Close()
	rows, err := db.Query(`SELECT DISTINCT organization FROM datasets ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// Every command's --org is repeatable and comma-separated, and an unknown
// organization is a usage error that suggests the near names.
func TestOrgFlagIsTheSameEverywhere(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	db, portal := harvestedDB(t, 30)
	orgs := orgNames(t, db)
	if len(orgs) < 3 {
		t.Fatalf("want 3 organizations, have %v", orgs)
	}
	ctx := context.Background()
	g := []string{"--db", db, "--portal", portal, "-q"}
	count := func(args ...string) int {
		t.Helper()
		code, out, errs := cli(ctx, append(append([]string{}, g...), append([]string{"datasets", "--format", "json"}, args...)...)...)
		if code != 0 {
			t.Fatalf("datasets %v: exit %d %s", args, code, errs)
		}
		return strings.Count(out, `"name"`)
	}
	a, b := count("--org", orgs[0]), count("--org", orgs[1])
	if a == 0 || b == 0 {
		t.Fatalf("organizations %s and %s have %d and %d datasets", orgs[0], orgs[1], a, b)
	}
	if n := count("--org", orgs[0]+","+orgs[1]); n != a+b {
		t.Errorf("datasets --org a,b lists %d datasets, want %d", n, a+b)
	}
	if n := count("--org", orgs[0], "--org", orgs[1]+", "+orgs[0]); n != a+b {
		t.Errorf("datasets --org a --org 'b, a' lists %d datasets, want %d", n, a+b)
	}
	typo := orgs[0][:len(orgs[0])-1] + "x"
	for _, args := range [][]string{
		{"datasets", "--org", orgs[1] + "," + typo},
		{"score", "--org", typo},
		{"links", "--list", "--org", typo},
		{"report", "--format", "md", "--org", typo},
		{"diff", "--org", typo},
	} {
		code, out, errs := cli(ctx, append(append([]string{}, g...), args...)...)
		if code != ExitUsage || out != "" || strings.Count(errs, "\n") != 1 ||
			!strings.Contains(errs, "no such organization") || !strings.Contains(errs, "did you mean "+orgs[0]) {
			t.Errorf("%s with a mistyped --org: exit %d, stdout %q, stderr %q", args[0], code, out, errs)
		}
	}
}

// The same mistake in a score run reference is the same usage error (exit 2)
// in report --compare and diff --from, and hints name only real commands.
func TestRunReferenceMistakesAreUsageErrorsEverywhere(t *testing.T) {
	db, portal := harvestedDB(t, 5)
	ctx := context.Background()
	g := []string{"--db", db, "--portal", portal, "-q"}
	cli(ctx, append(g, "score")...)
	real := map[string]bool{}
	for _, c := range NewRootCmd(&App{}).Commands() {
		real[c.Name()] = true
	}
	hint := regexp.MustCompile(`'vigie ([a-z-]+)`)
	for _, ref := range []string{"1999-01-01", "nonsense", "999", "2026-13-40"} {
		for _, args := range [][]string{{"report", "--format", "md", "--compare", ref}, {"diff", "--from", ref}, {"diff", "--to", ref}} {
			code, _, errs := cli(ctx, append(append([]string{}, g...), args...)...)
			if code != ExitUsage || strings.Count(errs, "\n") != 1 {
				t.Errorf("%v: exit %d %q, want usage (2)", args, code, errs)
			}
			for _, m := range hint.FindAllStringSubmatch(errs, -1) {
				if !real[m[1]] {
					t.Errorf("%v: the hint names 'vigie %s', which does not exist: %s", args, m[1], errs)
				}
			}
		}
	}
}

// Two datasets sharing a name (a deleted one whose name was reused): explain
// shows the active one and warns, naming both ids and how to pick one.
func TestExplainWarnsWhenANameIsShared(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	path := storetest.NewDSN(t)
	db := storetest.Open(t, path)
	p, _ := db.EnsurePortal(ctx, linksPortal)
	run, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	ds := []vigie.Dataset{
		{ID: "id-old", Name: "budget", Title: "Budget (ancien)", Organization: "ville-de-quebec"},
		{ID: "id-new", Name: "budget", Title: "Budget", Organization: "ville-de-quebec"},
	}
	if _, err := db.SaveDatasets(ctx, p.ID, run, ds); err != nil {
		t.Fatal(err)
	}
	db.FinishHarvestRun(ctx, run, store.HarvestResult{Status: "complete"})
	db.Close()
	execSQL(t, path, `UPDATE datasets SET state = 'deleted' WHERE id = 'id-old'`)
	g := []string{"--db", path, "--portal", linksPortal, "-q"}
	if code, _, errs := cli(ctx, append(g, "score")...); code != 0 {
		t.Fatalf("score: %s", errs)
	}
	code, out, errs := cli(ctx, append(g, "explain", "budget", "--format", "json")...)
	if code != 0 || !strings.Contains(out, `"id": "id-new"`) {
		t.Fatalf("explain budget: exit %d, %s %s", code, out, errs)
	}
	if !strings.Contains(errs, "2 datasets are named budget") || !strings.Contains(errs, "id-old (deleted)") || !strings.Contains(errs, "pass its id") {
		t.Errorf("no warning about the shared name: %q", errs)
	}
	// By id: that dataset (deleted, so never scored), and no warning.
	code, _, errs = cli(ctx, append(g, "explain", "id-old")...)
	if code != ExitFailure || strings.Contains(errs, "datasets are named") || !strings.Contains(errs, "has not been scored") {
		t.Errorf("explain by id: exit %d %q", code, errs)
	}
}

// A finding that went away because a worse one took its place (a failing
// link now broken) is listed as replaced and worse, never as resolved.
func TestDiffSaysReplacedNotResolved(t *testing.T) {
	db, portal := harvestedDB(t, 5)
	ctx := context.Background()
	g := []string{"--db", db, "--portal", portal, "-q"}
	if code, _, errs := cli(ctx, append(g, "score")...); code != 0 {
		t.Fatal(errs)
	}
	// appended to a dataset's findings array, in each engine's JSON functions
	appendTo := "json_insert(findings, '$[#]', json_array(%s))"
	if storetest.Postgres() {
		appendTo = "CAST(CAST(findings AS jsonb) || jsonb_build_array(jsonb_build_array(%s)) AS TEXT)"
	}
	execSQL(t, db,
		`INSERT INTO finding_texts (id, fr, en) VALUES (901, 'lien en échec', 'link failing'), (902, 'lien brisé', 'link broken')`,
		`UPDATE dataset_findings SET findings = `+fmt.Sprintf(appendTo, `'TEST_LINK_FAILING', 'availability', 'warning', 'r1', 0, 901, 0`)+`
		 WHERE score_run_id = 1 AND dataset_id = (SELECT dataset_id FROM scores WHERE score_run_id = 1 ORDER BY dataset_id LIMIT 1)`,
		`UPDATE dataset_findings SET findings = `+fmt.Sprintf(appendTo, `'TEST_LINK_BROKEN', 'availability', 'error', 'r1', 0, 902, 0`)+`
		 WHERE score_run_id = 2 AND dataset_id = (SELECT dataset_id FROM scores WHERE score_run_id = 2 ORDER BY dataset_id LIMIT 1)`)
	code, out, errs := cli(ctx, append(g, "diff", "--format", "json")...)
	if code != 0 {
		t.Fatalf("diff: exit %d %s", code, errs)
	}
	var d struct {
		Resolved []struct{ Rule string } `json:"resolved_findings"`
		Replaced []struct {
			Rule       string
			Worse      bool
			ReplacedBy struct{ Rule string } `json:"replaced_by"`
		} `json:"replaced_findings"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Resolved {
		if r.Rule == "TEST_LINK_FAILING" {
			t.Error("a failing link now broken is listed as resolved")
		}
	}
	if len(d.Replaced) != 1 || d.Replaced[0].Rule != "TEST_LINK_FAILING" || d.Replaced[0].ReplacedBy.Rule != "TEST_LINK_BROKEN" || !d.Replaced[0].Worse {
		t.Errorf("replaced findings = %+v", d.Replaced)
	}
	_, out, _ = cli(ctx, append(g, "diff", "--format", "md")...)
	if !strings.Contains(out, "Constats remplacés par un autre (non résolus)") || !strings.Contains(out, `TEST\_LINK\_FAILING → TEST\_LINK\_BROKEN`) || !strings.Contains(out, "aggravé") {
		t.Errorf("the md diff does not say the finding was replaced and worse:\n%s", out)
	}
}

// Every command that takes --org reads it with the one helper: repeatable
// and comma-separated, so --org a,b selects a and b whatever the command
// (it used to be split on commas in score and links only).
func TestEveryOrgFlagSplitsCommas(t *testing.T) {
	root := NewRootCmd(&App{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	var seen []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if fl := c.Flags().Lookup("org"); fl != nil {
			seen = append(seen, c.CommandPath())
			if _, ok := fl.Value.(orgList); !ok {
				t.Errorf("%s: --org is a %T, not the shared orgList", c.CommandPath(), fl.Value)
			} else {
				if err := fl.Value.Set("a, b,a"); err != nil {
					t.Errorf("%s: --org a,b: %v", c.CommandPath(), err)
				}
				if fl.Value.String() != "a,b" {
					t.Errorf("%s: --org 'a, b,a' reads as %q", c.CommandPath(), fl.Value.String())
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, want := range []string{"vigie audit", "vigie datasets", "vigie diff", "vigie harvest", "vigie links", "vigie orgs", "vigie report", "vigie score"} {
		if !slices.Contains(seen, want) {
			t.Errorf("%s has no --org (commands with one: %v)", want, seen)
		}
	}
}
