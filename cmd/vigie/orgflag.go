package main

import (
	"context"
	"sort"
	"strings"

	"github.com/spf13/pflag"

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
		hint := "'vigie orgs' lists them"
		if near := nearNames(o, known, 3); len(near) > 0 {
			hint = "did you mean " + strings.Join(near, ", ") + "? ('vigie orgs' lists them all)"
		}
		return usageErr("--org %q: no such organization in this portal's store: %s", oneLine(o, 80), hint)
	}
	return nil
}

// nearNames returns up to n of names closest to s: containing it or
// contained in it, or within an edit distance of a third of its length.
func nearNames(s string, names []string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	ls := strings.ToLower(s)
	var cs []cand
	for _, name := range names {
		ln := strings.ToLower(name)
		d := editDistance(ls, ln)
		if strings.Contains(ln, ls) || strings.Contains(ls, ln) {
			d = min(d, 1)
		}
		if d <= max(2, len([]rune(s))/3) {
			cs = append(cs, cand{name, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
