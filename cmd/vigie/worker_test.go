package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

var workerBin struct {
	once sync.Once
	path string
	err  error
}

// vigieBinary builds the vigie command once for the tests that run and kill
// real processes.
func vigieBinary(t *testing.T) string {
	t.Helper()
	workerBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigie-bin-")
		if err != nil {
			workerBin.err = err
			return
		}
		workerBin.path = filepath.Join(dir, "vigie")
		if out, err := exec.Command("go", "build", "-o", workerBin.path, ".").CombinedOutput(); err != nil {
			workerBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if workerBin.err != nil {
		t.Fatal(workerBin.err)
	}
	return workerBin.path
}

// workerPortals serves n small generated catalogues whose link targets
// answer slowly, so that an audit lasts long enough to be killed in.
func workerPortals(t *testing.T, n, datasets int) []*httptest.Server {
	t.Helper()
	files := ckantest.NewLinkServer(ckantest.LinkOptions{Latency: 15 * time.Millisecond, BrokenShare: 0.05, Seed: 3}).Serve()
	t.Cleanup(files.Close)
	var out []*httptest.Server
	for i := range n {
		p := ckantest.New(ckantest.Options{RowsMax: 25})
		p.PutGenerated(datasets, int64(100+i), ckantest.GenOptions{LinkBase: files.URL, Orgs: 5})
		p.Inject(ckantest.Latency("package_search", 30*time.Millisecond))
		srv := p.Serve()
		t.Cleanup(srv.Close)
		out = append(out, srv)
	}
	return out
}

// workerProc is one 'vigie worker' process and its JSON log.
type workerProc struct {
	cmd  *exec.Cmd
	log  string
	done chan error
}

func startWorker(t *testing.T, bin string, env []string, args ...string) *workerProc {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "worker-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr, cmd.Stdout = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &workerProc{cmd: cmd, log: f.Name(), done: make(chan error, 1)}
	go func() { w.done <- cmd.Wait(); f.Close() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return w
}

// events are the worker's JSON log lines.
func (w *workerProc) events() []map[string]any {
	b, _ := os.ReadFile(w.log)
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func (w *workerProc) exitCode(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-w.done:
		return w.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		t.Fatalf("worker pid %d did not exit within %v; log:\n%s", w.cmd.Process.Pid, timeout, tail(w.log))
	}
	return -1
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", timeout, what)
}

// testWorkerDB is the database the workers of a test share: a SQLite file
// in the test's folder, or a fresh PostgreSQL database when
// VIGIE_TEST_POSTGRES names a server (scripts/pg.sh).
func testWorkerDB(t *testing.T) string {
	return storetest.NewDSN(t)
}

// Three workers audit twelve portals from one queue; one is killed with
// SIGKILL in the middle of an audit. Every portal ends audited exactly once
// in the round (one complete audit, one report folder), nothing is lost
// (every dataset stored, the killed audit's runs left interrupted), and no
// portal was ever held by two workers at once.
func TestWorkersShareTheQueueAndSurviveAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds vigie and kills a worker process")
	}
	bin := vigieBinary(t)
	const portals, datasets = 12, 30
	srvs := workerPortals(t, portals, datasets)
	dir := t.TempDir()
	db := testWorkerDB(t)
	out := filepath.Join(dir, "audits")
	env := []string{"VIGIE_DB=" + db, "VIGIE_PORTAL=", "VIGIE_CONFIG=", "VIGIE_LANG=en", "VIGIE_NOW="}
	for _, s := range srvs {
		if b, err := exec.Command(bin, "--db", db, "worker", "--add", s.URL).CombinedOutput(); err != nil {
			t.Fatalf("--add: %v %s", err, b)
		}
	}
	lease := 3 * time.Second
	args := []string{"--db", db, "--log-format", "json", "--lang", "en", "worker", "--out", out, "--allow-private", "--rate", "0",
		"--lease", lease.String(), "--poll", "200ms", "--every", "24h"}
	var ws []*workerProc
	for range 3 {
		ws = append(ws, startWorker(t, bin, env, args...))
	}

	// Kill a worker once it is in the middle of an audit (harvest done,
	// links being checked), after some portals were done.
	var victim *workerProc
	var victimOwner, victimPortal string
	var killedAt time.Time
	waitFor(t, "a worker mid-audit", 2*time.Minute, func() bool {
		done := 0
		for _, w := range ws {
			for _, e := range w.events() {
				if e["outcome"] == "complete" {
					done++
				}
			}
		}
		if done < 2 {
			return false
		}
		for _, w := range ws {
			ev := w.events()
			claim := -1
			for i, e := range ev {
				if _, ok := e["lease_until"]; ok {
					claim = i
				}
			}
			if claim < 0 {
				continue
			}
			// The link run has begun (its first line counts the URLs) and
			// has not ended.
			checking, pastLinks := false, false
			for _, e := range ev[claim+1:] {
				_, ended := e["outcome"]
				pastLinks = pastLinks || ended || e["stage"] == "links"
				_, urls := e["urls"]
				checking = checking || urls && e["stage"] == nil
			}
			if checking && !pastLinks {
				if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killedAt = time.Now()
				victim, victimOwner, victimPortal = w, ev[claim]["worker"].(string), ev[claim]["portal"].(string)
				return true
			}
		}
		return false
	})
	if code := victim.exitCode(t, 10*time.Second); code != -1 {
		t.Fatalf("the killed worker exited with %d, want a signal", code)
	}
	t.Logf("killed %s while it audited %s at %v", victimOwner, victimPortal, killedAt.UTC())

	// The others finish the round, the killed portal included once its lease ends.
	queue := func() []store.QueuedPortal {
		d, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
		if err != nil {
			t.Logf("read the queue: %v", err)
			return nil
		}
		defer d.Close()
		q, _ := d.WorkerQueue(context.Background())
		return q
	}
	waitFor(t, "every portal audited", 4*time.Minute, func() bool {
		q := queue()
		n := 0
		for _, p := range q {
			if p.LastStatus == store.ClaimComplete {
				n++
			}
		}
		if n < portals && time.Since(killedAt) > 2*time.Minute {
			for _, p := range q {
				t.Logf("%+v", p)
			}
			for _, w := range ws {
				t.Logf("worker log:\n%s", tail(w.log))
			}
			t.FailNow()
		}
		return n == portals
	})
	// SIGTERM stops the idle workers: exit 130.
	for _, w := range ws {
		if w == victim {
			continue
		}
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		if code := w.exitCode(t, 30*time.Second); code != ExitInterrupted {
			t.Errorf("worker stopped by SIGTERM: exit %d, want 130\n%s", code, tail(w.log))
		}
	}

	ctx := context.Background()
	d, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	claims, err := d.WorkerClaims(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	byURL := map[string][]store.ClaimRecord{}
	for _, c := range claims {
		byURL[c.URL] = append(byURL[c.URL], c)
	}
	for _, s := range srvs {
		u := s.URL
		cs := byURL[u]
		complete := 0
		for _, c := range cs {
			switch c.Status {
			case store.ClaimComplete:
				complete++
			case store.ClaimExpired:
				if u != victimPortal || c.Owner != victimOwner || c.Claimed.After(killedAt) || c.Ended.Before(killedAt.Add(-time.Second)) {
					t.Errorf("%s: unexpected expired claim %+v (killed %s on %s at %v)", u, c, victimOwner, victimPortal, killedAt)
				}
			default:
				t.Errorf("%s: claim %+v", u, c)
			}
		}
		if complete != 1 {
			t.Errorf("%s: %d complete claims, want exactly 1: %+v", u, complete, cs)
		}
		// No two claims of one portal overlap: each starts after the last ended.
		sort.Slice(cs, func(i, j int) bool { return cs[i].Claimed.Before(cs[j].Claimed) })
		for i := 1; i < len(cs); i++ {
			if cs[i].Claimed.Before(cs[i-1].Ended) {
				t.Errorf("%s: claims overlap: %+v and %+v", u, cs[i-1], cs[i])
			}
		}
		p, err := d.Portal(ctx, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		audits, _ := d.AuditRuns(ctx, p.ID, 0)
		if len(audits) != 1 || audits[0].Status != "complete" {
			t.Errorf("%s: audits %+v, want one complete", u, audits)
		}
		if n, err := d.CountDatasets(ctx, p.ID, store.HarvestOptions{}, "active"); err != nil || n != datasets {
			t.Errorf("%s: %d active datasets, want %d (%v)", u, n, datasets, err)
		}
		// Exactly one report folder: one audit written.
		entries, _ := os.ReadDir(filepath.Join(out, slugURL(u)))
		var folders []string
		for _, e := range entries {
			if e.IsDir() && e.Name() != "latest" && !strings.HasPrefix(e.Name(), ".") {
				folders = append(folders, e.Name())
			}
		}
		if len(folders) != 1 {
			t.Errorf("%s: report folders %v, want one", u, folders)
		}
	}
	if len(byURL[victimPortal]) != 2 {
		t.Errorf("the killed portal has claims %+v, want the killed one and the one that audited it", byURL[victimPortal])
	}
	// The killed audit's link run was left running, then marked interrupted
	// by the audit that took the portal over; its harvest had completed.
	p, _ := d.Portal(ctx, victimPortal)
	interrupted := 0
	hr, _ := d.HarvestRuns(ctx, p.ID, 0)
	lr, _ := d.LinkRuns(ctx, p.ID)
	for _, r := range hr {
		if r.Status == "interrupted" {
			interrupted++
		}
	}
	for _, r := range lr {
		if r.Status == "interrupted" {
			interrupted++
		}
	}
	if interrupted != 1 {
		t.Errorf("the killed audit left %d interrupted runs, want 1", interrupted)
	}
}

// SIGTERM in the middle of an audit: the worker interrupts it, records it
// interrupted, releases its lease at once (the next worker need not wait
// for it to expire) and exits with 130.
func TestWorkerSIGTERMReleasesTheLease(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds vigie and signals a worker process")
	}
	bin := vigieBinary(t)
	srvs := workerPortals(t, 1, 60)
	db := testWorkerDB(t)
	out := filepath.Join(t.TempDir(), "audits")
	env := []string{"VIGIE_DB=" + db, "VIGIE_PORTAL=", "VIGIE_CONFIG=", "VIGIE_LANG=en", "VIGIE_NOW="}
	if b, err := exec.Command(bin, "--db", db, "worker", "--add", srvs[0].URL).CombinedOutput(); err != nil {
		t.Fatalf("--add: %v %s", err, b)
	}
	w := startWorker(t, bin, env, "--db", db, "--log-format", "json", "--lang", "en", "worker", "--out", out,
		"--allow-private", "--rate", "0", "--lease", "10m", "--poll", "200ms")
	waitFor(t, "the links stage", time.Minute, func() bool {
		for _, e := range w.events() {
			if e["stage"] == "harvest" {
				return true
			}
		}
		return false
	})
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	if code := w.exitCode(t, 30*time.Second); code != ExitInterrupted {
		t.Fatalf("exit %d, want 130\n%s", code, tail(w.log))
	}
	ctx := context.Background()
	d, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	q, _ := d.WorkerQueue(ctx)
	if len(q) != 1 || q[0].LeaseOwner != "" || q[0].LastStatus != store.ClaimInterrupted || q[0].NextDue.After(time.Now()) {
		t.Fatalf("queue after SIGTERM: %+v", q)
	}
	p, _ := d.Portal(ctx, srvs[0].URL)
	audits, _ := d.AuditRuns(ctx, p.ID, 0)
	if len(audits) != 1 || audits[0].Status != "interrupted" {
		t.Fatalf("audit runs: %+v", audits)
	}
	released := false
	for _, e := range w.events() {
		released = released || (e["outcome"] == "interrupted" && e["portal"] == srvs[0].URL)
	}
	if !released {
		t.Errorf("no log line says the portal was released:\n%s", tail(w.log))
	}
	// The lease was 10 minutes: another worker takes the portal up at once.
	code, stdout, stderr := cli(ctx, "--db", db, "--lang", "en", "--quiet", "worker", "--once", "--out", out, "--allow-private", "--rate", "0")
	if code != 0 || !strings.Contains(stdout, "audit written to") {
		t.Fatalf("next worker: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestMain removes the vigie binary the process tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if workerBin.path != "" {
		os.RemoveAll(filepath.Dir(workerBin.path))
	}
	os.Exit(code)
}
