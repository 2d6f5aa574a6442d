package pipeline

import (
	"errors"
	"sort"
	"strings"

	"github.com/vigie-audit/vigie"
)

// ErrUnknownOrganization is wrapped when --org names an organization that
// organization_list does not have.
var ErrUnknownOrganization error = &vigie.Error{Kind: vigie.KindUnknownOrg, Err: errors.New("no such organization on this portal")}

// checkOrgs fails when one of want (the --org scope) is neither the name nor
// the id of a listed organization, suggesting the nearest names.
func checkOrgs(want []string, orgs []vigie.Organization) error {
	if len(want) == 0 {
		return nil
	}
	known := make(map[string]bool, 2*len(orgs))
	names := make([]string, 0, len(orgs))
	for _, o := range orgs {
		known[o.Name], known[o.ID] = true, true
		names = append(names, o.Name)
	}
	for _, w := range want {
		if known[w] {
			continue
		}
		return &vigie.Error{Kind: vigie.KindUnknownOrg, ID: "pipeline.unknown_org", Args: []any{w, count(len(orgs))},
			Org: w, Near: NearNames(w, names, 3), Err: ErrUnknownOrganization}
	}
	return nil
}

// NearNames returns up to n of names closest to want: the ones that contain
// it or are contained in it, then those within a few edits, nearest first.
func NearNames(want string, names []string, n int) []string {
	w := strings.ToLower(strings.TrimSpace(want))
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	limit := max(2, len([]rune(w))/3)
	for _, name := range names {
		l := strings.ToLower(name)
		d := editDistance(w, l)
		if w != "" && (strings.Contains(l, w) || strings.Contains(w, l)) {
			d = min(d, 1)
		}
		if d <= limit {
			cs = append(cs, cand{name, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
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
