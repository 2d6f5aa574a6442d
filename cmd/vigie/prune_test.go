package main

import (
	"context"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// scoredTimes harvests n datasets of a new emulated portal into db and
// scores them times times.
func scoredTimes(t *testing.T, db string, n, times int, seed int64) string {
	t.Helper()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(n, seed, ckantest.GenOptions{Orgs: 3})
	srv := p.Serve()
	t.Cleanup(srv.Close)
	ctx := context.Background()
	if code, _, errs := cli(ctx, "--db", db, "--portal", srv.URL, "-q", "harvest", "--rate", "0"); code != 0 {
		t.Fatalf("harvest: %s", errs)
	}
	for i := 0; i < times; i++ {
		if code, _, errs := cli(ctx, "--db", db, "--portal", srv.URL, "-q", "score"); code != 0 {
			t.Fatalf("score: %s", errs)
		}
	}
	return srv.URL
}

// prune --portal B prunes B alone; without --portal it prunes every portal.
func TestPruneHonoursPortal(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	t.Setenv("VIGIE_PORTAL", "")
	db := storetest.NewDSN(t)
	a := scoredTimes(t, db, 5, 3, 1)
	b := scoredTimes(t, db, 5, 3, 2)
	runs := func(portal string) int64 {
		return queryInt(t, db, `SELECT COUNT(*) FROM score_runs s JOIN portals p ON p.id = s.portal_id WHERE p.url = '`+strings.TrimRight(portal, "/")+`'`)
	}
	ctx := context.Background()
	code, out, errs := cli(ctx, "--db", db, "--portal", b, "prune", "--keep", "1")
	if code != 0 || !strings.Contains(out, "kept the last runs of "+b+", 1 run at most of each kind") {
		t.Fatalf("prune --portal: exit %d %q %q", code, out, errs)
	}
	if ra, rb := runs(a), runs(b); ra != 3 || rb != 1 {
		t.Errorf("prune --portal B: portal A keeps %d score runs (want 3), B %d (want 1)", ra, rb)
	}
	code, _, errs = cli(ctx, "--db", db, "--portal", "https://never.harvested.example", "prune", "--keep", "1")
	if code != ExitFailure || !strings.Contains(errs, "has not been harvested") {
		t.Errorf("prune of an unknown portal: exit %d %q", code, errs)
	}
	code, out, _ = cli(ctx, "--db", db, "prune", "--keep", "1")
	if code != 0 || !strings.Contains(out, "of every portal") || runs(a) != 1 {
		t.Errorf("prune without --portal: exit %d, A keeps %d: %s", code, runs(a), out)
	}
}

// smallDisk mounts a tmpfs of size bytes for the test (root only).
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fillDisk writes a file into dir until leave bytes remain free.
func fillDisk(t *testing.T, dir string, leave int64) {
	t.Helper()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	free := int64(fs.Bavail) * int64(fs.Bsize)
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, zeroes{}, free-leave); err != nil {
		t.Fatal(err)
	}
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// prune is what people run when the disk is full: it deletes in small
// transactions and gives the space back a few pages at a time, and says so.
func TestPruneWorksOnAFullDisk(t *testing.T) {
	storetest.SkipIfPostgres(t) // a SQLite file on a small full disk
	src := storetest.NewDSN(t)
	portal := scoredTimes(t, src, 300, 6, 3)
	execSQL(t, src, `PRAGMA wal_checkpoint(TRUNCATE)`)
	st, _ := os.Stat(src)
	disk := smallDisk(t, st.Size()+2<<20)
	db := filepath.Join(disk, "vigie.db")
	copyFile(t, src, db)
	fillDisk(t, disk, 512<<10)
	code, out, errs := cli(context.Background(), "--lang", "en", "--db", db, "--portal", portal, "prune", "--keep", "1")
	t.Logf("database %s on a full disk: %s", humanBytes(st.Size(), "en"), strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]))
	if code != 0 || !strings.Contains(out, "space given back with incremental vacuum") {
		t.Fatalf("prune on a full disk: exit %d\n%s\n%s", code, out, errs)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM score_runs`); n != 1 {
		t.Errorf("%d score runs left, want 1", n)
	}
	after, _ := os.Stat(db)
	if after.Size() >= st.Size() {
		t.Errorf("the file did not shrink: %d → %d bytes", st.Size(), after.Size())
	}
	if s := queryInt(t, db, `SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'`); s != 0 {
		t.Error("integrity check fails after prune")
	}
}

// A database made before incremental vacuum (auto_vacuum NONE) on a full
// disk: rows are deleted, the file is not rewritten, and prune says how much
// room a rewrite needs.
func TestPruneOnAFullDiskWithoutIncrementalVacuum(t *testing.T) {
	storetest.SkipIfPostgres(t) // a SQLite file on a small full disk
	src := storetest.NewDSN(t)
	portal := scoredTimes(t, src, 300, 6, 4)
	execSQL(t, src, `PRAGMA auto_vacuum = NONE`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`)
	st, _ := os.Stat(src)
	disk := smallDisk(t, st.Size()+2<<20)
	db := filepath.Join(disk, "vigie.db")
	copyFile(t, src, db)
	fillDisk(t, disk, 512<<10)
	code, out, errs := cli(context.Background(), "--lang", "en", "--db", db, "--portal", portal, "prune", "--keep", "1")
	if code != 0 || !strings.Contains(out, "free inside the file, reused by the next runs; to shrink the file, free") {
		t.Fatalf("prune on a full disk: exit %d\n%s\n%s", code, out, errs)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM score_runs`); n != 1 {
		t.Errorf("%d score runs left, want 1", n)
	}
}
