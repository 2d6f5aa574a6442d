package store

import (
	"regexp"
	"testing"
)

// The reports' question "any unpublished dataset?" is answered from the
// small partial index of migration 0201, and answers right.
func TestAnyUnpublishedFromItsIndex(t *testing.T) {
	f := newFixture(t)
	f.dataset("a", "org", "active")
	f.dataset("b", "org", "active")
	ask := func() bool {
		t.Helper()
		has, err := f.db.anyUnpublished(f.ctx, f.db.sql, f.portal)
		if err != nil {
			t.Fatal(err)
		}
		return has
	}
	if ask() {
		t.Error("two published datasets: reported unpublished ones")
	}
	for _, set := range []string{`private = 1`, `ckan_state = 'draft'`, `ckan_state = ' Deleted '`} {
		f.exec(`UPDATE datasets SET `+set+` WHERE portal_id = ? AND id = 'b'`, f.portal)
		if !ask() {
			t.Errorf("b with %s: not reported", set)
		}
		f.exec(`UPDATE datasets SET private = 0, ckan_state = 'Active' WHERE portal_id = ? AND id = 'b'`, f.portal)
		if ask() {
			t.Errorf("b published again after %s: still reported", set)
		}
	}
	if f.db.Postgres() {
		return
	}
	rows, err := f.db.sql.Query(`EXPLAIN QUERY PLAN `+unpublishedQuery, f.portal)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	plan := ""
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "\n"
	}
	if !regexpMatch(`USING (COVERING )?INDEX datasets_unpublished`, plan) {
		t.Errorf("the question reads:\n%s", plan)
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
