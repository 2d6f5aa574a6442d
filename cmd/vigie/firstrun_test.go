package main

import (
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// A first audit that fails (a mistyped --portal) leaves no empty database,
// lock file or audits folder behind; a failure on an existing database
// removes nothing.
func TestFailedFirstRunLeavesNothing(t *testing.T) {
	storetest.SkipIfPostgres(t) // which files a failed first run leaves
	ctx := context.Background()
	notCKAN := httptest.NewServer(http.NotFoundHandler())
	defer notCKAN.Close()
	dir := t.TempDir()
	db, out := filepath.Join(dir, "vigie.db"), filepath.Join(dir, "audits")
	code, _, errs := cli(ctx, "--db", db, "--portal", notCKAN.URL, "audit", "--out", out, "--allow-private", "-q")
	if code == 0 {
		t.Fatal("an audit of a site that is not CKAN succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("a failed first audit left %v (%s)", names, errs)
	}
	// With data stored, a later failure keeps everything.
	good, _ := harvestedDB(t, 5)
	code, _, _ = cli(ctx, "--db", good, "--portal", notCKAN.URL, "audit", "--out", out, "--allow-private", "-q")
	if _, err := os.Stat(good); code == 0 || err != nil {
		t.Fatalf("a failed audit on an existing database: exit %d, %v", code, err)
	}
}

// After the README's offline demo, a command without --portal says which
// portals the database holds.
func TestWrongPortalNamesTheHeldOnes(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	db, portal := harvestedDB(t, 5)
	code, _, errs := cli(ctx, "--db", db, "--portal", "https://www.donneesquebec.ca/recherche", "datasets")
	if code != 1 || !strings.Contains(errs, "which holds "+portal) || !strings.Contains(errs, "--portal "+portal) {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// The datasets named in explain's examples exist in the README's offline
// demo (ckanfake --datasets 2000 --seed 1).
func TestExplainExamplesExistInTheDemo(t *testing.T) {
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(2000, 1, ckantest.GenOptions{Orgs: 139})
	cmd := newExplainCmd(&App{})
	for _, l := range strings.Split(cmd.Example, "\n") {
		f := strings.Fields(l)
		for i, w := range f {
			if w == "explain" && i+1 < len(f) {
				if _, ok := p.Package(f[i+1]); !ok {
					t.Errorf("explain example %q names a dataset the demo does not have", f[i+1])
				}
			}
		}
	}
}

// A first import of a file that cannot be imported (a package_list, names
// only) leaves no database or lock file behind; the same failure on a
// database that already holds datasets keeps it whole.
func TestFailedFirstImportLeavesNothing(t *testing.T) {
	storetest.SkipIfPostgres(t) // which files a failed first run leaves
	ctx := context.Background()
	const list = "../../testdata/real/open.alberta.ca/package_list_2025-03-25.json"
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	code, _, errs := cli(ctx, "--db", db, "--portal", "https://open.alberta.ca", "harvest", "--from", list, "--quiet")
	if code != ExitFailure || !strings.Contains(errs, "package_list") {
		t.Fatalf("import of a package_list: exit %d, %s", code, errs)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("a failed first import left %v", names)
	}
	good, portal := harvestedDB(t, 5)
	before := queryInt(t, good, `SELECT COUNT(*) FROM datasets`)
	code, _, _ = cli(ctx, "--db", good, "--portal", portal, "harvest", "--from", list, "--quiet")
	if _, err := os.Stat(good); code != ExitFailure || err != nil {
		t.Fatalf("a failed import on an existing database: exit %d, %v", code, err)
	}
	if _, err := os.Stat(good + ".lock"); err != nil {
		t.Errorf("the lock file of an existing database was removed: %v", err)
	}
	if n := queryInt(t, good, `SELECT COUNT(*) FROM datasets`); n != before {
		t.Errorf("datasets after a failed import: %d, want %d", n, before)
	}
}
