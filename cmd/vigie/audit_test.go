package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

// flipLinks serves the generated catalogue's link targets, except the paths
// marked broken, which answer 404 until unmarked.
type flipLinks struct {
	mu     sync.Mutex
	broken map[string]bool
	next   http.Handler
	srv    *httptest.Server
}

func newFlipLinks(t *testing.T) *flipLinks {
	f := &flipLinks{broken: map[string]bool{}, next: ckantest.NewLinkServer(ckantest.LinkOptions{}).Handler()}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *flipLinks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	bad := f.broken[r.URL.Path]
	f.mu.Unlock()
	if bad {
		http.NotFound(w, r)
		return
	}
	f.next.ServeHTTP(w, r)
}

func (f *flipLinks) set(path string, broken bool) {
	f.mu.Lock()
	f.broken[path] = broken
	f.mu.Unlock()
}

// auditPortal generates n datasets over 4 organizations whose links point at
// a flipLinks server.
func auditPortal(t *testing.T, n int) (*ckantest.Portal, *httptest.Server, *flipLinks, []map[string]any) {
	t.Helper()
	links := newFlipLinks(t)
	pkgs := ckantest.Generate(n, 23, ckantest.GenOptions{LinkBase: links.srv.URL, Orgs: 4, Now: time.Now().UTC().Add(-48 * time.Hour)})
	p := ckantest.New(ckantest.Options{})
	p.Put(pkgs...)
	srv := p.Serve()
	t.Cleanup(srv.Close)
	return p, srv, links, pkgs
}

// withResources returns the generated datasets that have resources, in order.
func withResources(pkgs []map[string]any) []map[string]any {
	var out []map[string]any
	for _, p := range pkgs {
		if rs, _ := p["resources"].([]any); len(rs) > 0 {
			out = append(out, p)
		}
	}
	return out
}

func setFirstURL(pkg map[string]any, u string) {
	rs := pkg["resources"].([]any)
	rs[0].(map[string]any)["url"] = u
}

func auditArgs(db, portal, out string, extra ...string) []string {
	args := []string{"--db", db, "--portal", portal, "--quiet", "--lang", "en", "audit", "--out", out,
		"--allow-private", "--rate", "0", "--failures", "1", "--broken-after", "0s", "--older-than", "0s"}
	return append(args, extra...)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func names(ds []reports.DiffDatasetJSON) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Nights against the emulator: night 1 builds the baseline; before night 2 a
// dataset is gutted, one deleted, one added, one broken link is fixed and a
// working one breaks. Night 2 runs --full (deletions are only seen by a
// complete pass) with a gate no catalogue can pass; night 3 (--full again)
// turns the missing dataset into a deleted one; night 4 is a plain
// incremental audit that sees the gutted dataset repaired.
func TestAuditNightsEndToEnd(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	p, srv, links, pkgs := auditPortal(t, 40)
	rs := withResources(pkgs)
	fixed, breaking, gutted, deleted := rs[0], rs[1], rs[2], rs[3]
	setFirstURL(fixed, links.srv.URL+"/files/flip/fixed.csv")
	setFirstURL(breaking, links.srv.URL+"/files/flip/breaking.csv")
	p.Put(fixed, breaking)
	links.set("/files/flip/fixed.csv", true)
	fixedURL, breakingURL := links.srv.URL+"/files/flip/fixed.csv", links.srv.URL+"/files/flip/breaking.csv"

	dir := t.TempDir()
	db, out := storetest.NewDSN(t), filepath.Join(dir, "audits")

	// Night 1.
	code, stdout, stderr := cli(ctx, auditArgs(db, srv.URL, out)...)
	if code != ExitOK {
		t.Fatalf("night 1: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "first audit") || !strings.Contains(stdout, "no gate") {
		t.Errorf("night 1 summary: %q", stdout)
	}
	first, err := os.Readlink(filepath.Join(out, "latest"))
	if err != nil {
		t.Fatal(err)
	}
	var rec1 reports.RunDocument
	readJSON(t, filepath.Join(out, first, "run.json"), &rec1)
	if len(rec1.Stages) != 4 || rec1.Compared != 0 || !rec1.Gate.Passed {
		t.Errorf("night 1 run.json: %+v", rec1)
	}

	// Between the nights.
	p.Edit(gutted["id"].(string), func(pkg map[string]any) {
		pkg["notes"] = ""
		pkg["license_id"] = ""
		pkg["license_title"] = ""
		pkg["tags"] = []any{}
		pkg["update_frequency"] = ""
	})
	p.Delete(deleted["id"].(string))
	added := map[string]any{}
	for k, v := range pkgs[len(pkgs)-1] {
		added[k] = v
	}
	added["id"], added["name"], added["title"] = "0a0a0a0a-0000-4000-8000-00000000000a", "nouveau-jeu-de-donnees", "Nouveau jeu de données"
	p.Put(added)
	links.set("/files/flip/fixed.csv", false)
	links.set("/files/flip/breaking.csv", true)

	// Night 2: a full pass, and a gate that fails.
	code, stdout, stderr = cli(ctx, auditArgs(db, srv.URL, out, "--full", "--fail-under", "101", "--fail-on", "new-broken-links")...)
	if code != ExitGate {
		t.Fatalf("night 2: exit %d, want 3: %s", code, stderr)
	}
	last := strings.TrimSpace(stderr)
	if strings.Count(last, "\n") != 0 || !strings.Contains(last, "quality gate failed: mean overall score") ||
		!strings.Contains(last, "is under 101") || !strings.Contains(last, "new-broken-links: 1 link broke") {
		t.Errorf("gate message: %q", stderr)
	}
	second, _ := os.Readlink(filepath.Join(out, "latest"))
	if second == first || !strings.HasPrefix(second, first) {
		t.Errorf("latest -> %q after %q, want a -N sibling of the same day", second, first)
	}
	folder := filepath.Join(out, second)

	var d reports.DiffDocument
	readJSON(t, filepath.Join(folder, "diff.json"), &d)
	if d.To.ScoreRunID == 0 || d.Portal != strings.TrimRight(srv.URL, "/") {
		t.Fatalf("diff.json: %+v", d)
	}
	if !has(names(d.New), "nouveau-jeu-de-donnees") {
		t.Errorf("new = %v", names(d.New))
	}
	if !has(names(d.Missing), deleted["name"].(string)) {
		t.Errorf("missing = %v, want %s", names(d.Missing), deleted["name"])
	}
	var dropped []string
	for _, c := range d.Dropped {
		dropped = append(dropped, c.Name)
		if c.Delta >= -5 {
			t.Errorf("drop of %s by %v is within the threshold", c.Name, c.Delta)
		}
	}
	if !has(dropped, gutted["name"].(string)) {
		t.Errorf("dropped = %v, want %s", dropped, gutted["name"])
	}
	var broken, repaired []string
	for _, l := range d.NewlyBroken {
		broken = append(broken, l.URL)
	}
	for _, l := range d.Repaired {
		repaired = append(repaired, l.URL)
	}
	if len(broken) != 1 || broken[0] != breakingURL {
		t.Errorf("newly broken = %v, want [%s]", broken, breakingURL)
	}
	if len(repaired) != 1 || repaired[0] != fixedURL {
		t.Errorf("repaired = %v, want [%s]", repaired, fixedURL)
	}
	if len(d.NewFindings) == 0 {
		t.Error("gutting a dataset raised no new finding")
	}
	orgSum := 0
	for _, o := range d.Organizations {
		orgSum += o.NewlyBroken + o.Repaired
	}
	if orgSum < 2 {
		t.Errorf("organizations miss the link changes: %+v", d.Organizations)
	}

	// Reports exist and parse.
	var rep map[string]any
	readJSON(t, filepath.Join(folder, "audit.json"), &rep)
	if rep["score_run"] == nil || rep["datasets"] == nil {
		t.Errorf("audit.json lacks score_run or datasets: %v", keys(rep))
	}
	x, err := excelize.OpenFile(filepath.Join(folder, "audit.xlsx"))
	if err != nil {
		t.Fatalf("audit.xlsx: %v", err)
	}
	if len(x.GetSheetList()) < 2 {
		t.Errorf("audit.xlsx sheets: %v", x.GetSheetList())
	}
	x.Close()
	html, _ := os.ReadFile(filepath.Join(folder, "audit.html"))
	if !strings.Contains(strings.ToLower(string(html)), "<html") {
		t.Error("audit.html is not HTML")
	}
	md, _ := os.ReadFile(filepath.Join(folder, "audit.md"))
	if !strings.Contains(string(md), "## Since last run") || !strings.Contains(string(md), gutted["name"].(string)) {
		t.Errorf("audit.md has no since-last-run section naming the gutted dataset:\n%s", md)
	}
	var rec2 reports.RunDocument
	readJSON(t, filepath.Join(folder, "run.json"), &rec2)
	if rec2.Compared != rec1.ScoreRun || rec2.Gate.Passed || len(rec2.Gate.Reasons) != 2 {
		t.Errorf("night 2 run.json: compared %d (want %d), gate %+v", rec2.Compared, rec1.ScoreRun, rec2.Gate)
	}

	// vigie diff reads the same comparison.
	code, stdout, stderr = cli(ctx, "--db", db, "--portal", srv.URL, "diff", "--format", "json")
	if code != ExitOK {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	var d2 reports.DiffDocument
	if err := json.Unmarshal([]byte(stdout), &d2); err != nil {
		t.Fatal(err)
	}
	if d2.From.ScoreRunID != d.From.ScoreRunID || d2.To.ScoreRunID != d.To.ScoreRunID || len(d2.NewlyBroken) != 1 || len(d2.Missing) != len(d.Missing) {
		t.Errorf("vigie diff differs from the audit's diff.json")
	}
	code, stdout, _ = cli(ctx, "--db", db, "--portal", srv.URL, "--lang", "fr", "diff", "--format", "md", "--from", fmt.Sprint(rec1.ScoreRun), "--to", "latest")
	if code != ExitOK || !strings.Contains(stdout, "# Depuis la dernière exécution") || !strings.Contains(stdout, "Liens réparés (1)") {
		t.Errorf("diff --format md --lang fr: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = cli(ctx, "--db", db, "--portal", srv.URL, "diff", "--org", fmt.Sprint(gutted["organization"].(map[string]any)["name"]))
	if code != ExitOK || !strings.Contains(stdout, gutted["name"].(string)) {
		t.Errorf("diff --org: exit %d\n%s", code, stdout)
	}

	// Night 3 without a gate: the deleted dataset is now deleted, exit 0.
	code, _, stderr = cli(ctx, auditArgs(db, srv.URL, out, "--full")...)
	if code != ExitOK {
		t.Fatalf("night 3: exit %d: %s", code, stderr)
	}
	third, _ := os.Readlink(filepath.Join(out, "latest"))
	var d3 reports.DiffDocument
	readJSON(t, filepath.Join(out, third, "diff.json"), &d3)
	if !has(names(d3.Deleted), deleted["name"].(string)) || len(d3.NewlyBroken) != 0 {
		t.Errorf("night 3: deleted %v, newly broken %d", names(d3.Deleted), len(d3.NewlyBroken))
	}

	// Night 4, incremental (the default): the gutted dataset is repaired on
	// the portal, and only edits are fetched.
	p.Edit(gutted["id"].(string), func(pkg map[string]any) {
		for _, k := range []string{"notes", "license_id", "license_title", "tags", "update_frequency"} {
			pkg[k] = gutted[k]
		}
	})
	code, _, stderr = cli(ctx, auditArgs(db, srv.URL, out)...)
	if code != ExitOK {
		t.Fatalf("night 4: exit %d: %s", code, stderr)
	}
	fourth, _ := os.Readlink(filepath.Join(out, "latest"))
	var d4 reports.DiffDocument
	readJSON(t, filepath.Join(out, fourth, "diff.json"), &d4)
	var rose []string
	for _, c := range d4.Rose {
		rose = append(rose, c.Name)
	}
	if !has(rose, gutted["name"].(string)) || len(d4.ResolvedFindings) == 0 {
		t.Errorf("night 4: rose %v, resolved findings %d; want %s back up", rose, len(d4.ResolvedFindings), gutted["name"])
	}
	_, stdout, _ = cli(ctx, "--db", db, "--portal", srv.URL, "runs", "--format", "json")
	var hruns []struct{ Mode, Status string }
	if err := json.Unmarshal([]byte(stdout), &hruns); err != nil || len(hruns) != 4 || hruns[0].Mode != store.ModeIncremental {
		t.Errorf("harvest runs: %+v %v; want the newest incremental", hruns, err)
	}

	// prune keeps the last two runs, and diff still works.
	code, stdout, stderr = cli(ctx, "--db", db, "prune", "--keep", "2", "--format", "json")
	var ps reports.PruneResult
	if code != ExitOK || json.Unmarshal([]byte(stdout), &ps) != nil || ps.ScoreRuns != 2 || ps.HarvestRuns != 2 || ps.LinkRuns != 2 {
		t.Errorf("prune: exit %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr = cli(ctx, "--db", db, "--portal", srv.URL, "diff"); code != ExitOK {
		t.Errorf("diff after prune: %s", stderr)
	}
	if code, _, stderr = cli(ctx, "--db", db, "--portal", srv.URL, "diff", "--from", fmt.Sprint(rec1.ScoreRun)); code != ExitUsage ||
		!strings.Contains(stderr, "no complete score run with that id") {
		t.Errorf("diff from a pruned run: exit %d %s", code, stderr)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// blockSearch makes package_search wait while armed, and reports when a
// search is waiting.
type blockSearch struct {
	armed   atomic.Bool
	waiting chan struct{}
	release chan struct{}
}

func (b *blockSearch) fault(w http.ResponseWriter, r *http.Request, action string) bool {
	if action != "package_search" || !b.armed.Load() {
		return false
	}
	select {
	case b.waiting <- struct{}{}:
	default:
	}
	select {
	case <-b.release:
	case <-r.Context().Done():
	}
	return false
}

// A second audit while one runs exits 1 at once naming the holder; Ctrl-C
// on the first exits 130; the next audit takes the lock and completes.
func TestAuditLockInterruptAndRecovery(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	p, srv, _, _ := auditPortal(t, 20)
	b := &blockSearch{waiting: make(chan struct{}, 1), release: make(chan struct{})}
	p.Inject(b.fault)
	b.armed.Store(true)
	dir := t.TempDir()
	db, out := storetest.NewDSN(t), filepath.Join(dir, "audits")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var firstErr string
	go func() {
		code, _, stderr := cli(ctx, auditArgs(db, srv.URL, out)...)
		firstErr = stderr
		done <- code
	}()
	select {
	case <-b.waiting:
	case code := <-done:
		t.Fatalf("first audit ended early: exit %d: %s", code, firstErr)
	case <-time.After(30 * time.Second):
		t.Fatal("first audit never reached package_search")
	}

	code, _, stderr := cli(context.Background(), auditArgs(db, srv.URL, out)...)
	want := fmt.Sprintf("'vigie audit' (pid %d", os.Getpid())
	if code != ExitFailure || !strings.Contains(stderr, "wait for it to finish") || !strings.Contains(stderr, want) {
		t.Errorf("second audit: exit %d, stderr %q; want exit 1 naming %s", code, stderr, want)
	}
	code, _, stderr = cli(context.Background(), "--db", db, "--portal", srv.URL, "harvest")
	if code != ExitFailure || !strings.Contains(stderr, want) {
		t.Errorf("harvest during an audit: exit %d, %q", code, stderr)
	}

	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Fatalf("interrupted audit: exit %d, want 130: %s", code, firstErr)
	}
	if _, err := os.Lstat(filepath.Join(out, "latest")); !os.IsNotExist(err) {
		t.Errorf("an interrupted audit left a report folder: %v", err)
	}

	b.armed.Store(false)
	code, stdout, stderr := cli(context.Background(), auditArgs(db, srv.URL, out)...)
	if code != ExitOK || !strings.Contains(stdout, "audit written to") {
		t.Fatalf("audit after the interruption: exit %d: %s", code, stderr)
	}
}

// A failed stage stops the audit with exit 1 and no report folder; what
// earlier audits stored stays, and the next audit compares with it.
func TestAuditFailedStageThenRecovery(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	p, srv, _, _ := auditPortal(t, 20)
	var down atomic.Bool
	p.Inject(ckantest.When(func(*http.Request, string) bool { return down.Load() },
		ckantest.FailTimes("", 1<<30, http.StatusBadRequest, "application/json",
			`{"success": false, "error": {"__type": "Validation Error", "message": "maintenance"}}`, nil)))
	dir := t.TempDir()
	db, out := storetest.NewDSN(t), filepath.Join(dir, "audits")
	if code, _, stderr := cli(ctx, auditArgs(db, srv.URL, out)...); code != ExitOK {
		t.Fatalf("night 1: exit %d: %s", code, stderr)
	}
	first, _ := os.Readlink(filepath.Join(out, "latest"))
	code, _, stderr := cli(ctx, "--db", db, "--portal", srv.URL, "diff")
	if code != ExitFailure || strings.TrimSpace(stderr) != "vigie: only one score run (#1), nothing to compare: run 'vigie audit' again another day to compare, or pass --from" {
		t.Errorf("diff after one audit: exit %d, %q", code, stderr)
	}

	down.Store(true)
	code, _, stderr = cli(ctx, auditArgs(db, srv.URL, out)...)
	if code != ExitFailure || !strings.Contains(stderr, "audit stopped at harvest") {
		t.Errorf("failed harvest: exit %d, %q", code, stderr)
	}
	if now, _ := os.Readlink(filepath.Join(out, "latest")); now != first {
		t.Errorf("a failed audit moved latest to %q", now)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("a failed audit left files in %s: %d entries", out, len(entries))
	}

	down.Store(false)
	code, stdout, stderr := cli(ctx, auditArgs(db, srv.URL, out)...)
	if code != ExitOK || !strings.Contains(stdout, "since score run #1") {
		t.Fatalf("recovery: exit %d: %s %s", code, stdout, stderr)
	}
}
