package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	vigie "github.com/vigie-audit/vigie"
)

// TestSaveDatasetsFailedResourceLeavesNothing makes the resources'
// multi-row INSERT OR FAIL stop in the middle of a page (a trigger refuses
// one URL): the rows it wrote before the failure are not undone by the
// statement (there is no statement journal), so the page's transaction must
// undo them, with the page's datasets, versions and events.
func TestSaveDatasetsFailedResourceLeavesNothing(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !strings.HasPrefix(db.insertMulti(), "INSERT OR FAIL") {
		t.Fatalf("insertMulti on SQLite: %q", db.insertMulti())
	}
	p, err := db.EnsurePortal(ctx, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginHarvestRun(ctx, p.ID, HarvestOptions{Mode: ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON resources WHEN NEW.url = 'https://h/boom'
		BEGIN SELECT RAISE(FAIL, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	var page []vigie.Dataset
	for i, u := range []string{"https://h/a", "https://h/b", "https://h/boom", "https://h/c"} {
		id := string(rune('a' + i))
		page = append(page, vigie.Dataset{ID: id, Name: id, Raw: []byte(`{}`),
			Resources: []vigie.Resource{{ID: id + "1", URL: u + "1"}, {ID: id + "2", URL: u}}})
	}
	if _, err := db.SaveDatasets(ctx, p.ID, run, page); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("a refused resource: %v", err)
	}
	for _, table := range []string{"datasets", "resources", "dataset_versions", "dataset_events"} {
		var n int
		if err := db.sql.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after a failed page: %d rows (%v)", table, n, err)
		}
	}
	// the same page without the refused URL is saved whole
	page[2].Resources = page[2].Resources[:1]
	if c, err := db.SaveDatasets(ctx, p.ID, run, page); err != nil || c.New != 4 {
		t.Fatalf("saved again: %+v %v", c, err)
	}
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM resources`).Scan(&n); err != nil || n != 7 {
		t.Errorf("resources: %d (%v)", n, err)
	}
}
