package main

import (
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// TestHarvestUnknownOrgIsAnError: --org with a name the portal does not
// have used to exit 0 with nothing harvested. It fails with one line that
// names the organization and suggests the nearest names: a usage mistake
// (exit 2), as in every other command.
func TestHarvestUnknownOrgIsAnError(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	pkgs := ckantest.Generate(40, 3, ckantest.GenOptions{Orgs: 4})
	orgs := ckantest.Organizations(pkgs)
	real, _ := orgs[0]["name"].(string)
	p := ckantest.New(ckantest.Options{})
	p.Put(pkgs...)
	srv := p.Serve()
	defer srv.Close()
	db := storetest.NewDSN(t)
	typo := real[:len(real)-1] // one letter short
	for _, tc := range []struct{ org, want string }{
		{typo, "did you mean " + real},
		{"no-such-org", `"no-such-org"`},
	} {
		code, _, errs := cli(ctx, "harvest", "--rate", "0", "--quiet", "--db", db, "--portal", srv.URL, "--org", tc.org)
		if code != ExitUsage {
			t.Fatalf("--org %s: exit %d, want 2: %s", tc.org, code, errs)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, tc.want) || !strings.Contains(errs, tc.org) {
			t.Errorf("--org %s: want one line naming it and %q: %q", tc.org, tc.want, errs)
		}
		t.Logf("--org %s: %s", tc.org, strings.TrimSpace(errs))
	}
	if code, _, errs := cli(ctx, "harvest", "--rate", "0", "--quiet", "--db", db, "--portal", srv.URL, "--org", real); code != 0 {
		t.Fatalf("--org %s: %s", real, errs)
	}
}

// TestHarvestSummaryCountsTheDatasetsOnce: an incremental pass that sees 4
// new datasets, then a full pass triggered by the count drift, reported 75
// datasets for a portal of 71. The summary gives what the portal holds.
func TestHarvestSummaryCountsTheDatasetsOnce(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English summaries
	ctx := context.Background()
	p, srv := genPortal(t, 68, ckantest.Options{}, ckantest.GenOptions{Orgs: 3})
	db := storetest.NewDSN(t)
	g := []string{"--rate", "0", "--quiet", "--db", db, "--portal", srv.URL}
	if code, _, errs := cli(ctx, append([]string{"harvest"}, g...)...); code != 0 {
		t.Fatal(errs)
	}
	more := ckantest.Generate(4, 99, ckantest.GenOptions{Orgs: 3, Now: time.Now().UTC()})
	for i, d := range more {
		d["id"], d["name"] = "added-"+string(rune('a'+i)), "added-"+string(rune('a'+i))
		d["metadata_modified"] = ckantest.FormatTime(time.Now().UTC()) // seen by the incremental pass
	}
	p.Put(more...)
	p.Delete(p.IDs()[0])
	if p.Len() != 71 {
		t.Fatalf("the portal holds %d datasets", p.Len())
	}
	code, out, errs := cli(ctx, append([]string{"harvest"}, g...)...)
	if code != 0 {
		t.Fatal(errs)
	}
	t.Log(strings.TrimSpace(out))
	if !strings.Contains(out, "counts drift") || !strings.Contains(out, ": 71 datasets: 4 new, 0 changed, 67 unchanged, 1 missing") {
		t.Fatalf("the summary does not give the portal's 71 datasets once: %s", out)
	}
}

// TestLinksAfterEmptyHarvestSaysNothingIsStored: after a harvest that stored
// no dataset, `links` said every URL was checked less than 24h ago.
func TestLinksAfterEmptyHarvestSaysNothingIsStored(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	srv := p.Serve()
	defer srv.Close()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	g := []string{"--quiet", "--db", db, "--portal", srv.URL}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...); code != 0 {
		t.Fatal(errs)
	}
	for _, args := range [][]string{{"links"}, {"links", "--all"}} {
		code, out, errs := cli(ctx, append(args, g...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if strings.Contains(out, "checked less than") || !strings.Contains(out, "no resource URL is stored") {
			t.Errorf("%v: %q", args, out)
		}
	}
	// audit then stops at the score stage (nothing to score); its link
	// stage says the same
	_, _, errs := cli(ctx, append([]string{"audit", "--rate", "0", "--out", filepath.Join(dir, "out"), "--log-format", "json"}, g[1:]...)...)
	if strings.Contains(errs, "checked less than") || !strings.Contains(errs, "no resource URL is stored") {
		t.Errorf("audit: %s", errs)
	}
}
