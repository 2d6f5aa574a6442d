package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/storetest"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/store"
)

// Crash safety: a real vigie process is killed with SIGKILL at random points
// of harvest, links and score. Afterwards the database passes PRAGMA
// integrity_check, the last good state is intact and queryable, and the next
// run completes.

const (
	crashDatasets = 800
	crashSeeds    = 5
)

var crashEnv struct {
	once    sync.Once
	err     error
	bin     string // the vigie binary
	dir     string
	base    string // a database after a complete harvest, links and score
	portal  *httptest.Server
	files   *httptest.Server
	urls    int   // distinct URLs checked in base
	scoreID int64 // complete score run in base
}

// crashSetup builds vigie once and prepares the portal, the link targets and
// a database holding one complete harvest, link check and score.
func crashSetup(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: crash tests build and kill a vigie binary")
	}
	crashEnv.once.Do(func() {
		start := time.Now()
		defer func() { t.Logf("crash test setup: %v", time.Since(start).Round(time.Millisecond)) }()
		dir, err := os.MkdirTemp("", "vigie-crash-")
		if err != nil {
			crashEnv.err = err
			return
		}
		crashEnv.dir = dir
		crashEnv.bin = filepath.Join(dir, "vigie")
		build := exec.Command("go", "build", "-o", crashEnv.bin, ".")
		if out, err := build.CombinedOutput(); err != nil {
			crashEnv.err = &buildError{out: string(out), err: err}
			return
		}
		files := ckantest.NewLinkServer(ckantest.LinkOptions{Latency: 20 * time.Millisecond, BrokenShare: 0.1, Seed: 9})
		crashEnv.files = files.Serve()
		p := ckantest.New(ckantest.Options{RowsMax: 100})
		p.PutGenerated(crashDatasets, 21, ckantest.GenOptions{LinkBase: crashEnv.files.URL, Orgs: 20})
		// Slow pages leave time to kill a harvest half-way.
		p.Inject(ckantest.Latency("package_search", 40*time.Millisecond))
		crashEnv.portal = p.Serve()

		crashEnv.base = filepath.Join(dir, "base.db")
		ctx := context.Background()
		g := []string{"--db", crashEnv.base, "--portal", crashEnv.portal.URL, "--quiet"}
		for _, args := range [][]string{
			{"harvest", "--rate", "0"},
			{"links", "--allow-private", "--concurrency", "64", "--per-host", "64", "--timeout", "10s"},
			{"score"},
		} {
			if code, _, errs := cli(ctx, append(args, g...)...); code != 0 {
				crashEnv.err = &buildError{out: errs, err: io.ErrUnexpectedEOF}
				return
			}
		}
		db, err := store.Open(ctx, crashEnv.base, store.Options{ReadOnly: true})
		if err != nil {
			crashEnv.err = err
			return
		}
		defer db.Close()
		links, err := db.LinkResults(ctx)
		crashEnv.urls = len(links)
		if err != nil {
			crashEnv.err = err
			return
		}
		p2, err := db.Portal(ctx, crashEnv.portal.URL)
		if err != nil {
			crashEnv.err = err
			return
		}
		run, err := db.LatestScoreRun(ctx, p2.ID)
		if err != nil {
			crashEnv.err = err
			return
		}
		crashEnv.scoreID = run.ID
	})
	if crashEnv.err != nil {
		t.Fatalf("crash test setup: %v", crashEnv.err)
	}
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// crashCleanup stops the shared servers and removes the shared folder; the
// last crash test calls it.
func crashCleanup() {
	if crashEnv.portal != nil {
		crashEnv.portal.Close()
		crashEnv.files.Close()
		os.RemoveAll(crashEnv.dir)
	}
}

// copyBase gives each seed its own copy of the good database.
func copyBase(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(crashEnv.base)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vigie.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// killAt starts vigie with args and sends SIGKILL after wait. It reports
// whether the process was still running when killed.
func killAt(t *testing.T, db string, wait time.Duration, args ...string) (killed bool) {
	t.Helper()
	cmd := exec.Command(crashEnv.bin, append(args, "--db", db, "--portal", crashEnv.portal.URL, "--quiet")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("vigie %v failed before the kill: %v\n%s", args, err, stderr.String())
		}
		return false
	case <-time.After(wait):
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	err := <-done
	var ee *exec.ExitError
	if err == nil || !strings.Contains(err.Error(), "killed") && !(asExit(err, &ee) && ee.ExitCode() != 0) {
		return false // it finished just before the signal
	}
	return true
}

func asExit(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

// checkAfterCrash checks integrity and that the stored datasets are all there.
func checkAfterCrash(t *testing.T, db string) *store.DB {
	t.Helper()
	ctx := context.Background()
	code, out, errs := cli(ctx, "datasets", "--format", "json", "--db", db, "--portal", crashEnv.portal.URL)
	if code != 0 {
		t.Fatalf("datasets after a crash: exit %d: %s", code, errs)
	}
	var rows []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("datasets after a crash: %v", err)
	}
	active := 0
	for _, r := range rows {
		if r.State == "active" {
			active++
		}
	}
	if len(rows) != crashDatasets || active != crashDatasets {
		t.Fatalf("after the crash %d datasets (%d active); the last good harvest had %d", len(rows), active, crashDatasets)
	}
	s, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open after a crash: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if v, err := s.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Fatalf("integrity_check after a crash: %q %v", v, err)
	}
	return s
}

// assertNoRunLeftRunning checks that, once the next run has completed, the
// killed run is no longer shown as running.
func assertNoRunLeftRunning(t *testing.T, db, table string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var running, interrupted int
	err = raw.QueryRow(`SELECT COUNT(*) FILTER (WHERE status = 'running'), COUNT(*) FILTER (WHERE status = 'interrupted') FROM `+table).Scan(&running, &interrupted)
	if err != nil {
		t.Fatal(err)
	}
	if running != 0 {
		t.Fatalf("%s: %d runs of killed processes still shown as running", table, running)
	}
}

// crashWaits draws the kill times of one seed, spread over a run's length.
func crashWaits(seed uint64, longest time.Duration) time.Duration {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	return 30*time.Millisecond + time.Duration(r.Int64N(int64(longest)))
}

func TestCrashDuringHarvest(t *testing.T) {
	storetest.SkipIfPostgres(t) // kills vigie mid-write on copies of a SQLite file
	crashSetup(t)
	killed := 0
	for seed := range uint64(crashSeeds) {
		db := copyBase(t)
		if killAt(t, db, crashWaits(seed, 500*time.Millisecond), "harvest", "--full", "--rate", "0") {
			killed++
		}
		checkAfterCrash(t, db)
		code, out, errs := cli(context.Background(), "harvest", "--rate", "0", "--db", db, "--portal", crashEnv.portal.URL, "--quiet")
		if code != 0 || !strings.HasPrefix(out, "moissonnage incrémental (changements depuis la passe ") {
			t.Fatalf("seed %d: the harvest after the crash: exit %d %q %s", seed, code, out, errs)
		}
		checkAfterCrash(t, db)
		assertNoRunLeftRunning(t, db, "harvest_runs")
	}
	if killed == 0 {
		t.Fatal("every harvest finished before its kill: nothing was tested")
	}
	t.Logf("%d of %d harvests killed mid-run", killed, crashSeeds)
}

// A first harvest into an empty database builds its secondary indexes at
// the end; killed before, it leaves them missing: readers work without
// them, and the next harvest (a writer's open) builds them.
func TestCrashDuringFirstHarvest(t *testing.T) {
	storetest.SkipIfPostgres(t) // kills vigie mid-write on a SQLite file
	crashSetup(t)
	ctx := context.Background()
	killed, missing := 0, 0
	for seed := range uint64(crashSeeds) {
		db := filepath.Join(t.TempDir(), "vigie.db")
		if killAt(t, db, crashWaits(seed+300, 500*time.Millisecond), "harvest", "--full", "--rate", "0") {
			killed++
		}
		if n := deferredIndexCount(t, db); n < 5 {
			missing++
		}
		if code, _, errs := cli(ctx, "datasets", "--format", "json", "--db", db, "--portal", crashEnv.portal.URL); code != 0 {
			t.Fatalf("seed %d: datasets after a killed first harvest: exit %d: %s", seed, code, errs)
		}
		if code, _, errs := cli(ctx, "harvest", "--rate", "0", "--db", db, "--portal", crashEnv.portal.URL, "--quiet"); code != 0 {
			t.Fatalf("seed %d: the harvest after the crash: exit %d %s", seed, code, errs)
		}
		if n := deferredIndexCount(t, db); n != 5 {
			t.Fatalf("seed %d: %d of the 5 deferred indexes after the next harvest", seed, n)
		}
		checkAfterCrash(t, db)
		assertNoRunLeftRunning(t, db, "harvest_runs")
	}
	if missing == 0 {
		t.Fatal("no kill left the indexes missing: nothing was tested")
	}
	t.Logf("%d of %d first harvests killed mid-run, %d with their indexes missing", killed, crashSeeds, missing)
}

// deferredIndexCount counts the indexes a first harvest builds at its end
// that the SQLite file at db holds.
func deferredIndexCount(t *testing.T, db string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name IN
		('datasets_name', 'datasets_org', 'datasets_unpublished', 'resources_url', 'dataset_versions_ds')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCrashDuringLinks(t *testing.T) {
	storetest.SkipIfPostgres(t) // kills vigie mid-write on copies of a SQLite file
	crashSetup(t)
	killed := 0
	for seed := range uint64(crashSeeds) {
		db := copyBase(t)
		if killAt(t, db, crashWaits(seed+100, 700*time.Millisecond), "links", "--all", "--allow-private", "--concurrency", "8", "--per-host", "8") {
			killed++
		}
		s := checkAfterCrash(t, db)
		links, err := s.LinkResults(context.Background())
		if err != nil || len(links) != crashEnv.urls {
			t.Fatalf("seed %d: %d link results after the crash, %d before: %v", seed, len(links), crashEnv.urls, err)
		}
		code, _, errs := cli(context.Background(), "links", "--all", "--allow-private", "--concurrency", "64", "--per-host", "64",
			"--db", db, "--portal", crashEnv.portal.URL, "--quiet")
		if code != 0 {
			t.Fatalf("seed %d: links after the crash: exit %d: %s", seed, code, errs)
		}
		assertNoRunLeftRunning(t, db, "link_runs")
	}
	if killed == 0 {
		t.Fatal("every link check finished before its kill: nothing was tested")
	}
	t.Logf("%d of %d link checks killed mid-run", killed, crashSeeds)
}

func TestCrashDuringScore(t *testing.T) {
	storetest.SkipIfPostgres(t) // kills vigie mid-write on copies of a SQLite file
	crashSetup(t)
	defer crashCleanup()
	ctx := context.Background()
	killed := 0
	for seed := range uint64(crashSeeds) {
		db := copyBase(t)
		if killAt(t, db, crashWaits(seed+200, 150*time.Millisecond), "score") {
			killed++
		}
		s := checkAfterCrash(t, db)
		p, err := s.Portal(ctx, crashEnv.portal.URL)
		if err != nil {
			t.Fatal(err)
		}
		run, err := s.LatestScoreRun(ctx, p.ID)
		if err != nil {
			t.Fatalf("seed %d: no complete score run after the crash: %v", seed, err)
		}
		if run.Datasets != crashDatasets {
			t.Fatalf("seed %d: the latest complete score run %d holds %d datasets, want %d", seed, run.ID, run.Datasets, crashDatasets)
		}
		as, err := s.Assessments(ctx, run.ID)
		if err != nil || len(as) != crashDatasets {
			t.Fatalf("seed %d: score run %d has %d assessments: %v", seed, run.ID, len(as), err)
		}
		code, out, errs := cli(ctx, "score", "--db", db, "--portal", crashEnv.portal.URL, "--quiet")
		if code != 0 {
			t.Fatalf("seed %d: score after the crash: exit %d: %s", seed, code, errs)
		}
		assertNoRunLeftRunning(t, db, "score_runs")
		if seed == 0 {
			if code, _, errs := cli(ctx, "report", "--format", "json", "--db", db, "--portal", crashEnv.portal.URL); code != 0 {
				t.Fatalf("seed %d: report after the crash: exit %d: %s (%s)", seed, code, errs, out)
			}
		}
	}
	t.Logf("%d of %d score runs killed mid-run (the base run is %d)", killed, crashSeeds, crashEnv.scoreID)
}
