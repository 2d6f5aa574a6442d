package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// Crash safety on PostgreSQL: a real vigie process is killed with SIGKILL
// mid-harvest and mid-score on a shared database. Afterwards every reader
// (the datasets and report commands, the store) still sees the previous
// complete run, the portal's advisory lock is free again (the server
// dropped the dead session), and the next writer of the portal marks the
// killed run interrupted before completing its own. What is about SQLite's
// file (integrity_check, copies of the file) has no PostgreSQL twin.

const pgCrashSeeds = 3

var pgCrash struct {
	once   sync.Once
	err    error
	dir    string
	bin    string
	portal *httptest.Server
}

// pgCrashSetup builds vigie once and serves a slow portal of crashDatasets.
func pgCrashSetup(t *testing.T) {
	t.Helper()
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: run with VIGIE_TEST_POSTGRES (scripts/pg.sh)")
	}
	if testing.Short() {
		t.Skip("-short: crash tests build and kill a vigie binary")
	}
	pgCrash.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigie-pgcrash-")
		if err != nil {
			pgCrash.err = err
			return
		}
		pgCrash.dir = dir
		pgCrash.bin = filepath.Join(dir, "vigie")
		if out, err := exec.Command("go", "build", "-o", pgCrash.bin, ".").CombinedOutput(); err != nil {
			pgCrash.err = &buildError{out: string(out), err: err}
			return
		}
		p := ckantest.New(ckantest.Options{RowsMax: 100})
		p.PutGenerated(crashDatasets, 21, ckantest.GenOptions{Orgs: 20})
		// Slow pages leave time to kill a harvest half-way.
		p.Inject(ckantest.Latency("package_search", 40*time.Millisecond))
		pgCrash.portal = p.Serve()
	})
	if pgCrash.err != nil {
		t.Fatalf("crash test setup: %v", pgCrash.err)
	}
}

// pgCrashBase is a fresh PostgreSQL store holding one complete harvest and
// score of the portal; it returns the store's URL and both run ids.
func pgCrashBase(t *testing.T) (dsn string, harvestRun, scoreRun int64) {
	t.Helper()
	ctx := context.Background()
	dsn = storetest.NewDSN(t)
	g := []string{"--db", dsn, "--portal", pgCrash.portal.URL, "--quiet"}
	for _, args := range [][]string{{"harvest", "--rate", "0"}, {"score"}} {
		if code, _, errs := cli(ctx, append(args, g...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	db := storetest.Open(t, dsn, store.Options{ReadOnly: true})
	defer db.Close()
	p, err := db.Portal(ctx, pgCrash.portal.URL)
	if err != nil {
		t.Fatal(err)
	}
	h, err := db.LastCompleteRun(ctx, p.ID, store.HarvestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.LatestScoreRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return dsn, h.ID, s.ID
}

// pgKillAt starts vigie with args on dsn, waits until its run of kind is
// recorded running, then sends SIGKILL after wait more (a machine under
// load may take long to start a process: a fixed delay would often kill it
// before its run begins). It reports whether the process was still running
// when killed.
func pgKillAt(t *testing.T, dsn, kind string, wait time.Duration, args ...string) bool {
	t.Helper()
	db := storetest.Open(t, dsn, store.Options{ReadOnly: true})
	defer db.Close()
	before := runStatusesOf(t, db, kind)
	cmd := exec.Command(pgCrash.bin, append(args, "--db", dsn, "--portal", pgCrash.portal.URL, "--quiet")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	begun := func() bool {
		for id := range runStatusesOf(t, db, kind) {
			if _, ok := before[id]; !ok {
				return true
			}
		}
		return false
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !begun() {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("vigie %v failed before the kill: %v\n%s", args, err, stderr.String())
			}
			return false
		case <-tick.C:
		}
	}
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
	return errors.As(err, &ee) && !ee.Exited() // killed by the signal, not finished just before it
}

// assertLockFreed checks that the portal's writer lock can be taken again:
// the server drops a killed writer's session, and its advisory locks with
// it, once it sees the connection closed (it may take a moment).
func assertLockFreed(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, dsn)
	defer db.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		l, err := db.LockPortals(ctx, []string{pgCrash.portal.URL}, "test")
		if err == nil {
			l.Release()
			return
		}
		if !errors.Is(err, store.ErrLocked) || time.Now().After(deadline) {
			t.Fatalf("the killed writer's lock is still held: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// assertReadersSeeBase checks that the datasets and report commands, and the
// store, still show the complete runs of the base.
func assertReadersSeeBase(t *testing.T, dsn string, harvestRun, scoreRun int64) {
	t.Helper()
	ctx := context.Background()
	code, out, errs := cli(ctx, "datasets", "--format", "json", "--db", dsn, "--portal", pgCrash.portal.URL)
	if code != 0 {
		t.Fatalf("datasets after a crash: exit %d: %s", code, errs)
	}
	var rows []struct {
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
	code, out, errs = cli(ctx, "report", "--format", "json", "--db", dsn, "--portal", pgCrash.portal.URL)
	if code != 0 {
		t.Fatalf("report after a crash: exit %d: %s", code, errs)
	}
	var rep struct {
		HarvestRun *struct {
			ID int64 `json:"id"`
		} `json:"harvest_run"`
		ScoreRun struct {
			ID int64 `json:"id"`
		} `json:"score_run"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report after a crash: %v", err)
	}
	if rep.ScoreRun.ID != scoreRun || rep.HarvestRun == nil || rep.HarvestRun.ID != harvestRun {
		t.Fatalf("the report after a crash reads score run %d and harvest run %+v; the complete ones are %d and %d",
			rep.ScoreRun.ID, rep.HarvestRun, scoreRun, harvestRun)
	}
	db := storetest.Open(t, dsn, store.Options{ReadOnly: true})
	defer db.Close()
	p, err := db.Portal(ctx, pgCrash.portal.URL)
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.LatestScoreRun(ctx, p.ID)
	if err != nil || run.ID != scoreRun || run.Datasets != crashDatasets {
		t.Fatalf("latest complete score run after the crash: %+v %v; want run %d of %d datasets", run, err, scoreRun, crashDatasets)
	}
	if as, err := db.Assessments(ctx, run.ID); err != nil || len(as) != crashDatasets {
		t.Fatalf("score run %d has %d assessments after the crash: %v", run.ID, len(as), err)
	}
}

// runStatuses returns the status and error of every run of kind
// ("harvest" or "score") of the portal, by id.
func runStatuses(t *testing.T, dsn, kind string) map[int64][2]string {
	t.Helper()
	db := storetest.Open(t, dsn, store.Options{ReadOnly: true})
	defer db.Close()
	return runStatusesOf(t, db, kind)
}

func runStatusesOf(t *testing.T, db *store.DB, kind string) map[int64][2]string {
	t.Helper()
	ctx := context.Background()
	p, err := db.Portal(ctx, pgCrash.portal.URL)
	if err != nil {
		t.Fatal(err)
	}
	m := map[int64][2]string{}
	switch kind {
	case "harvest":
		runs, err := db.HarvestRuns(ctx, p.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			m[r.ID] = [2]string{r.Status, r.Error}
		}
	default:
		runs, err := db.ScoreRuns(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			m[r.ID] = [2]string{r.Status, r.Error}
		}
	}
	return m
}

// pgCrashSeed kills one run of args after wait on a fresh base, checks what
// readers see, then runs next (the next writer) and checks that the killed
// run is recorded interrupted. It reports whether a run was caught running.
func pgCrashSeed(t *testing.T, kind string, wait time.Duration, args, next []string) bool {
	t.Helper()
	dsn, harvestRun, scoreRun := pgCrashBase(t)
	before := runStatuses(t, dsn, kind)
	killed := pgKillAt(t, dsn, kind, wait, args...)
	assertLockFreed(t, dsn)
	assertReadersSeeBase(t, dsn, harvestRun, scoreRun)
	var dead []int64
	for id, s := range runStatuses(t, dsn, kind) {
		if _, ok := before[id]; !ok && s[0] == store.RunRunning {
			dead = append(dead, id)
		}
	}
	code, _, errs := cli(context.Background(), append(next, "--db", dsn, "--portal", pgCrash.portal.URL, "--quiet")...)
	if code != 0 {
		t.Fatalf("%v after the crash: exit %d: %s", next, code, errs)
	}
	after := runStatuses(t, dsn, kind)
	for id, s := range after {
		if s[0] == store.RunRunning {
			t.Fatalf("%s run %d still shown as running after the next writer completed", kind, id)
		}
	}
	for _, id := range dead {
		if s := after[id]; s[0] != store.RunInterrupted || s[1] != store.StaleRunError {
			t.Fatalf("the killed %s run %d is %q (%q) after the next writer started; want %q (%q)", kind, id, s[0], s[1], store.RunInterrupted, store.StaleRunError)
		}
	}
	return killed && len(dead) > 0
}

func TestCrashDuringHarvestOnPostgres(t *testing.T) {
	pgCrashSetup(t)
	caught := 0
	for seed := range uint64(pgCrashSeeds) {
		if pgCrashSeed(t, "harvest", crashWaits(seed, 300*time.Millisecond),
			[]string{"harvest", "--full", "--rate", "0"}, []string{"harvest", "--rate", "0"}) {
			caught++
		}
	}
	if caught == 0 {
		t.Fatal("no harvest was killed while its run was recorded running: nothing was tested")
	}
	t.Logf("%d of %d harvests killed mid-run", caught, pgCrashSeeds)
}

func TestCrashDuringScoreOnPostgres(t *testing.T) {
	pgCrashSetup(t)
	defer func() { // the last test: the next -count builds again
		pgCrash.portal.Close()
		os.RemoveAll(pgCrash.dir)
		pgCrash.once, pgCrash.err = sync.Once{}, nil
	}()
	caught, seeds := 0, pgCrashSeeds
	for seed := range uint64(seeds) {
		if pgCrashSeed(t, "score", crashWaits(seed+200, 50*time.Millisecond)-25*time.Millisecond, []string{"score"}, []string{"score"}) {
			caught++
		}
	}
	if caught == 0 {
		t.Fatal("no score run was killed while recorded running: nothing was tested")
	}
	t.Logf("%d of %d score runs killed mid-run", caught, seeds)
}
