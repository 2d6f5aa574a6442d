package main

import (
	"context"
	"strings"
	"testing"
)

// Shell completion offers flag values: formats, profiles, and the portals
// and organizations the database holds.
func TestCompletionOffersFlagValues(t *testing.T) {
	ctx := context.Background()
	db, portal := harvestedDB(t, 12)
	complete := func(args ...string) []string {
		_, out, _ := cli(ctx, append([]string{"__complete"}, args...)...)
		var vals []string
		for _, l := range strings.Split(out, "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				vals = append(vals, strings.SplitN(l, "\t", 2)[0])
			}
		}
		return vals
	}
	if got := strings.Join(complete("report", "--format", ""), ","); got != "xlsx,html,csv,json,md" {
		t.Errorf("report --format: %s", got)
	}
	if got := strings.Join(complete("datasets", "--format", ""), ","); got != "table,json,csv" {
		t.Errorf("datasets --format: %s", got)
	}
	if got := complete("score", "--profile", ""); !strings.Contains(strings.Join(got, ","), "donneesquebec") {
		t.Errorf("--profile: %v", got)
	}
	if got := complete("--db", db, "datasets", "--portal", ""); len(got) != 1 || got[0] != portal {
		t.Errorf("--portal: %v, want %s", got, portal)
	}
	orgs := complete("--db", db, "--portal", portal, "datasets", "--org", "")
	if len(orgs) == 0 {
		t.Fatal("--org: no organization offered")
	}
	if got := complete("--db", db, "--portal", portal, "datasets", "--org", orgs[0][:3]); len(got) == 0 || !strings.HasPrefix(got[0], orgs[0][:3]) {
		t.Errorf("--org with a prefix: %v", got)
	}
	if got := complete("--db", "/nonexistent/v.db", "datasets", "--portal", ""); len(got) != 0 {
		t.Errorf("a missing database offered %v", got)
	}
}
