package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/store"
)

// Opening a database reads its header and schema only; a full check runs on
// demand (vigie check) and when a writer follows one that never released the
// lock: a damaged page is then refused before anything is written, and the
// mark stays until a check passes.
func TestCheckOnDemandAndAfterUncleanShutdown(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	_, srv := genPortal(t, 200, ckantest.Options{RowsMax: 100}, ckantest.GenOptions{Orgs: 4})
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--quiet"}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...); code != 0 {
		t.Fatalf("harvest: %d %s", code, errs)
	}
	code, out, errs := cli(ctx, "check", "--db", db)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check of a sound database: %d %q %s", code, out, errs)
	}
	if storetest.Postgres() {
		if !strings.Contains(out, "PostgreSQL connection, schema ") || !strings.Contains(out, "every vigie table readable") || strings.Contains(out, "s3cret") {
			t.Errorf("check on PostgreSQL does not say what it checked: %q", out)
		}
		t.Skip("SQLite file behaviour: the rest damages the file and its lock file")
	}

	// A writer killed while it held the lock leaves its details in the lock file.
	info, _ := json.Marshal(store.LockInfo{PID: 999999, Command: "harvest"})
	if err := os.WriteFile(db+".lock", append(info, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	// Sound database: the writer checks, goes on and clears the mark.
	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...); code != 0 {
		t.Fatalf("harvest after an unclean shutdown of a sound database: %d %s", code, errs)
	}
	if b, _ := os.ReadFile(db + ".lock"); len(b) != 0 {
		t.Fatalf("a clean finish left the lock file full: %q", b)
	}

	// Damage the last page of the versions table, far from the schema (the
	// last pages of the file hold the indexes a first harvest builds at its
	// end, whose damage integrity_check reports as an error, not a list).
	page := lastPageOf(t, db, "dataset_versions")
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for i := (page-1)*4096 + 8; i < page*4096; i++ {
		b[i] = byte(i*31 + 7)
	}
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = cli(ctx, "check", "--db", db)
	if code != 1 || !strings.Contains(out+errs, "restore it from a backup") {
		t.Fatalf("check of a damaged database: %d %q %s", code, out, errs)
	}

	if err := os.WriteFile(db+".lock", append(info, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 { // refused, and still refused: the mark survives the failed check
		code, _, errs = cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...)
		if code != 1 || !strings.Contains(errs, "corrupted") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Fatalf("a writer after an unclean shutdown must refuse a damaged database in one line: %d %q", code, errs)
		}
		if b, _ := os.ReadFile(db + ".lock"); !strings.Contains(string(b), "999999") {
			t.Fatalf("the unclean mark was lost: %q", b)
		}
	}
	if after, _ := os.ReadFile(db); string(after) != string(b) {
		t.Fatal("a refused writer changed the damaged database")
	}
}

// lastPageOf is the number of the last page of table in the SQLite file at
// path (pages of 4 KiB, numbered from 1).
func lastPageOf(t *testing.T, path, table string) int {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var page, size int
	if err := sdb.QueryRow(`SELECT max(pageno) FROM dbstat WHERE name = ?`, table).Scan(&page); err != nil {
		t.Fatal(err)
	}
	if err := sdb.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil || size != 4096 {
		t.Fatalf("page size %d: %v", size, err)
	}
	return page
}
