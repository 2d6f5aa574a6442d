package main

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/store"
)

// orgList is the --org flag of every command: repeatable and
// comma-separated (--org a,b --org c is a, b and c), spaces trimmed,
// duplicates dropped.
type orgList struct{ p *[]string }

func (o orgList) String() string { return strings.Join(*o.p, ",") }
func (o orgList) Type() string   { return "name" }
func (o orgList) Set(v string) error {
	for _, n := range strings.Split(v, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		dup := false
		for _, have := range *o.p {
			dup = dup || have == n
		}
		if !dup {
			*o.p = append(*o.p, n)
		}
	}
	return nil
}

// addOrgFlag registers --org on f, filling p.
func addOrgFlag(f *pflag.FlagSet, p *[]string, what string) {
	f.Var(orgList{p}, "org", what+" (an organization's short name; repeat or comma-separate)")
}

// checkOrgs refuses an organization the store does not know for this
// portal, suggesting the nearest names: a mistyped --org otherwise gives an
// empty listing or report that looks like a real answer.
func checkOrgs(ctx context.Context, db *store.DB, portalID int64, orgs []string) error {
	if len(orgs) == 0 {
		return nil
	}
	known, err := db.OrgNames(ctx, portalID)
	if err != nil {
		return err
	}
	set := make(map[string]bool, len(known))
	for _, k := range known {
		set[k] = true
	}
	for _, o := range orgs {
		if set[o] {
			continue
		}
		return &vigie.Error{Kind: vigie.KindUnknownOrg, ID: "org.unknown.portal", Args: []any{oneLine(o, 80)}, Org: o, Near: pipeline.NearNames(o, known, 3)}
	}
	return nil
}

// checkOrgsAnywhere is checkOrgs over several portals: an organization is
// known when one of them holds it; otherwise the error suggests the nearest
// names of them all.
func checkOrgsAnywhere(ctx context.Context, db *store.DB, portals []store.Portal, orgs []string) error {
	if len(orgs) == 0 || len(portals) == 0 {
		return nil
	}
	var known []string
	for _, p := range portals {
		names, err := db.OrgNames(ctx, p.ID)
		if err != nil {
			return err
		}
		known = append(known, names...)
	}
	slices.Sort(known)
	known = slices.Compact(known) // the same publisher on several portals
	for _, o := range orgs {
		if slices.Contains(known, o) {
			continue
		}
		return &vigie.Error{Kind: vigie.KindUnknownOrg, ID: "org.unknown.db", Args: []any{oneLine(o, 80)}, Org: o, Near: pipeline.NearNames(o, known, 3)}
	}
	return nil
}

// scope is the portal of this command and the organizations of its --org.
func (a *App) scope(orgs []string) vigie.Scope {
	return vigie.Scope{Portal: a.Portal, Orgs: orgs}
}
