package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"github.com/vigie-audit/vigie"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// Database faults: a read-only file or folder, a corrupted or truncated file,
// a database locked by another writer. Each must end with one line that names
// the file and says what to do, and must leave every byte on disk as it was.

const faultPortal = "https://portal.example.org"

// seedDB writes a real, closed vigie database at dir/vigie.db.
func seedDB(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "vigie.db")
	db := storetest.Open(t, path)
	p, err := db.EnsurePortal(ctx, faultPortal)
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginScoreRun(ctx, p.ID, "default")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, run, "complete", 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// snapshot reads every file in dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

func assertUnchanged(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := snapshot(t, dir)
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s was modified or removed by a failed open", name)
		}
	}
	for name, b := range after {
		if _, ok := before[name]; ok {
			continue
		}
		// SQLite may create its side files when it opens a WAL database;
		// an empty -wal means nothing was written.
		switch {
		case strings.HasSuffix(name, ".lock"), strings.HasSuffix(name, "-shm"):
		case strings.HasSuffix(name, "-wal") && len(b) == 0:
		default:
			t.Errorf("a failed open left a new file behind: %s (%d bytes)", name, len(b))
		}
	}
}

// assertOneLine checks that msg is a single line naming path and containing
// every hint.
// assertDamagedKind checks that a damaged file's error (kindText) has a
// kind the command line maps to what to do: corrupted (restore or harvest
// again), or not a vigie database when the header itself is gone.
func assertDamagedKind(t *testing.T, msg string) {
	t.Helper()
	if !strings.HasPrefix(msg, "[corrupted] ") && !strings.HasPrefix(msg, "[bad_database] ") {
		t.Errorf("a damaged database's error has kind %q", msg)
	}
}

func assertOneLine(t *testing.T, msg, path string, hints ...string) {
	t.Helper()
	t.Logf("error: %s", msg)
	if msg == "" {
		t.Fatalf("want an error about %s, got none", path)
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.Contains(msg, path) {
		t.Errorf("error does not name the file %s: %q", path, msg)
	}
	for _, h := range hints {
		if !strings.Contains(msg, h) {
			t.Errorf("error lacks %q (what to do): %q", h, msg)
		}
	}
}

// faultDir makes a folder an unprivileged user can write to.
func faultDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "vigie-faults-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = os.Chmod(dir, 0o755)
		_ = os.RemoveAll(dir)
	})
	return dir
}

var (
	childOnce sync.Once
	childBin  string
	childErr  error
)

// unprivilegedBinary copies the test binary where user nobody can run it.
func unprivilegedBinary(t *testing.T) string {
	t.Helper()
	childOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigie-faults-bin-")
		if err != nil {
			childErr = err
			return
		}
		_ = os.Chmod(dir, 0o755)
		src, err := os.Open(os.Args[0])
		if err != nil {
			childErr = err
			return
		}
		defer src.Close()
		childBin = filepath.Join(dir, "store.test")
		dst, err := os.OpenFile(childBin, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			childErr = err
			return
		}
		if _, err := io.Copy(dst, src); err != nil {
			childErr = err
		}
		if err := dst.Close(); err != nil && childErr == nil {
			childErr = err
		}
	})
	if childErr != nil {
		t.Fatalf("cannot prepare the unprivileged child: %v", childErr)
	}
	return childBin
}

// openUnprivileged opens path as an ordinary user would (root ignores file
// permissions, so as root it runs the open in a child process as nobody),
// then writes to it (or reads it when ro), and returns the first error's text.
func openUnprivileged(t *testing.T, path string, ro bool) string {
	t.Helper()
	if os.Geteuid() != 0 {
		return openAndUse(path, ro)
	}
	cmd := exec.Command(unprivilegedBinary(t), "-test.run=^TestFaultsChild$")
	cmd.Env = append(os.Environ(), "VIGIE_FAULT_DB="+path)
	if ro {
		cmd.Env = append(cmd.Env, "VIGIE_FAULT_RO=1")
	}
	cmd.Dir = os.TempDir()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("unprivileged child failed: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if s, ok := strings.CutPrefix(line, "RESULT:"); ok {
			return s
		}
	}
	t.Fatalf("unprivileged child said nothing:\n%s", out)
	return ""
}

// openAndUse opens path, then writes (or reads when ro); "" means success.
// An error is its kind in brackets, then its text: "[read_only] database …".
// The command line adds the kind's hint (what to do; cmd/vigie tests it).
func openAndUse(path string, ro bool) string {
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{ReadOnly: ro, BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		return kindText(err)
	}
	defer db.Close()
	if ro {
		_, err = db.Portal(ctx, faultPortal)
	} else {
		_, err = db.EnsurePortal(ctx, "https://another.example.org")
	}
	if err != nil {
		return kindText(err)
	}
	return ""
}

func kindText(err error) string { return "[" + vigie.KindOf(err).String() + "] " + err.Error() }

// TestFaultsChild is the unprivileged process started by the permission
// tests; run on its own it has nothing to do.
func TestFaultsChild(t *testing.T) {
	path := os.Getenv("VIGIE_FAULT_DB")
	if path == "" {
		t.Skip("child process of the permission tests")
	}
	os.Stdout.WriteString("RESULT:" + openAndUse(path, os.Getenv("VIGIE_FAULT_RO") != "") + "\n")
}

func TestReadOnlyDatabaseFileSaysWhatToDo(t *testing.T) {
	dir := faultDir(t)
	path := seedDB(t, dir)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	msg := openUnprivileged(t, path, false)
	assertOneLine(t, msg, path, "[read_only]", "cannot be written")
	assertUnchanged(t, dir, before)

	// Reading a read-only database (an archived audit) still works.
	if msg := openUnprivileged(t, path, true); msg != "" {
		t.Errorf("read-only open of a read-only file: %s", msg)
	}
	assertUnchanged(t, dir, before)
}

func TestReadOnlyFolderSaysWhatToDo(t *testing.T) {
	dir := faultDir(t)
	path := seedDB(t, dir)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	msg := openUnprivileged(t, path, false)
	assertOneLine(t, msg, path, "[read_only]", "cannot be written")
	assertUnchanged(t, dir, before)

	// Reading needs SQLite's shared-memory file next to a WAL database; when
	// it cannot be created the error is still one line that names the file.
	if msg := openUnprivileged(t, path, true); msg != "" {
		assertOneLine(t, msg, path, "[read_only]")
	}
	assertUnchanged(t, dir, before)
}

func TestMissingFolderSaysWhatToDo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-folder", "vigie.db")
	_, err := store.Open(context.Background(), path)
	if err == nil {
		t.Fatal("opened a database in a folder that does not exist")
	}
	assertOneLine(t, kindText(err), path, "[no_folder]")
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Error("the missing folder was created")
	}
}

// corruptions damage a real database in place.
var corruptions = []struct {
	name  string
	apply func(b []byte) []byte
}{
	{"garbage", func(b []byte) []byte {
		return bytes.Repeat([]byte("not a database, just text\n"), 300)
	}},
	{"overwritten-middle", func(b []byte) []byte {
		out := bytes.Clone(b)
		// Page 1 holds the header and the schema; smash every later page.
		for i := 4096; i < len(out); i++ {
			out[i] = byte(i*7 + 13)
		}
		return out
	}},
	{"overwritten-schema", func(b []byte) []byte {
		out := bytes.Clone(b)
		for i := 100; i < 4096 && i < len(out); i++ {
			out[i] = 0xA5
		}
		return out
	}},
	{"truncated", func(b []byte) []byte { return bytes.Clone(b[:len(b)/2+123]) }},
}

func TestCorruptedDatabaseSaysWhatToDo(t *testing.T) {
	for _, c := range corruptions {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := seedDB(t, dir)
			good, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(good) < 3*4096 {
				t.Fatalf("seed database too small to damage meaningfully: %d bytes", len(good))
			}
			if err := os.WriteFile(path, c.apply(good), 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			for _, ro := range []bool{false, true} {
				msg := openAndUse(path, ro)
				assertOneLine(t, msg, path, "corrupted")
				assertDamagedKind(t, msg)
				assertUnchanged(t, dir, before)
			}
		})
	}
}

// holdWriteLock opens a second connection on path and keeps a write
// transaction open until the returned func is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "UPDATE portals SET title = 'held' WHERE url = ?", faultPortal); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
			conn.Close()
			raw.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// within fails the test if fn has not returned after limit: a lock must end
// with an error, never a hang. The limit is generous; it is not a speed test.
func within(t *testing.T, limit time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still waiting after %s: a locked database must give an error, not hang", limit)
	}
}

func TestLockedDatabaseOpenFailsClearly(t *testing.T) {
	dir := t.TempDir()
	path := seedDB(t, dir)
	release := holdWriteLock(t, path)
	var msg string
	within(t, 30*time.Second, func() { msg = openAndUse(path, false) })
	assertOneLine(t, msg, path, "[in_use]", "locked")

	// Readers are not blocked by a writer (WAL).
	within(t, 30*time.Second, func() { msg = openAndUse(path, true) })
	if msg != "" {
		t.Errorf("reading while another process writes: %s", msg)
	}

	release()
	if msg := openAndUse(path, false); msg != "" {
		t.Fatalf("after the other writer finished: %s", msg)
	}
	db := storetest.Open(t, path, store.Options{ReadOnly: true})
	p, err := db.Portal(context.Background(), faultPortal)
	if err != nil || p.Title == "held" {
		t.Fatalf("the other writer's rolled-back change or the seed data is wrong: %+v %v", p, err)
	}
	if s, err := db.IntegrityCheck(context.Background()); err != nil || s != "ok" {
		t.Fatalf("integrity after lock contention: %q %v", s, err)
	}
}

func TestLockedDatabaseWriteFailsClearly(t *testing.T) {
	ctx := context.Background()
	path := seedDB(t, t.TempDir())
	db := storetest.Open(t, path, store.Options{BusyTimeout: 200 * time.Millisecond})
	holdWriteLock(t, path)
	var werr error
	within(t, 30*time.Second, func() { _, werr = db.EnsurePortal(ctx, "https://late.example.org") })
	if werr == nil {
		t.Fatal("wrote while another connection held the write lock")
	}
	assertOneLine(t, kindText(werr), path, "[in_use]", "locked")
}

// A run whose process was killed cannot record its end; the next run of the
// same kind, which holds the writer lock, marks it interrupted.
func TestRunsOfKilledProcessesAreMarkedInterrupted(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, err := db.EnsurePortal(ctx, faultPortal)
	if err != nil {
		t.Fatal(err)
	}
	h1, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	l1, _ := db.BeginLinkRun(ctx, p.ID)
	s1, _ := db.BeginScoreRun(ctx, p.ID, "ckan")
	// the killed processes' runs stay "running" until the next run starts
	h2, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.BeginLinkRun(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BeginScoreRun(ctx, p.ID, "ckan"); err != nil {
		t.Fatal(err)
	}
	hr, err := db.HarvestRunByID(ctx, h1)
	if err != nil || hr.Status != store.RunInterrupted || hr.Error != store.StaleRunError {
		t.Fatalf("harvest run of a killed process: %+v %v", hr, err)
	}
	if cur, _ := db.HarvestRunByID(ctx, h2); cur.Status != "running" {
		t.Fatalf("the new harvest run is %q", cur.Status)
	}
	lrs, err := db.LinkRuns(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lrs {
		if r.ID == l1 && r.Status != "interrupted" {
			t.Fatalf("link run of a killed process: %+v", r)
		}
	}
	srs, err := db.ScoreRuns(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range srs {
		if r.ID == s1 && (r.Status != "interrupted" || r.Error != store.StaleRunError) {
			t.Fatalf("score run of a killed process: %+v", r)
		}
	}
}

// A damaged data page deep in the file is not read by a plain open (that
// would cost a read of every page at each command); a writer after an unclean
// shutdown opens with Verify, which refuses it before anything is written,
// and IntegrityProblems (vigie check) lists it.
func TestVerifyRefusesDamageAPlainOpenDoesNotRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "vigie.db")
	db := storetest.Open(t, path)
	// Many portals fill pages well past the schema; the last page holds rows.
	for i := 0; i < 400; i++ {
		if _, err := db.EnsurePortal(ctx, fmt.Sprintf("https://portal-%03d.example.org/%s", i, strings.Repeat("x", 200))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8*4096 {
		t.Fatalf("database too small to damage one page: %d bytes", len(b))
	}
	last := len(b) - 4096
	for i := last + 8; i < len(b); i++ { // keep the page header, smash the cells
		b[i] = byte(i*31 + 7)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	plain, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("a plain open reads only the header and schema, got %v", err)
	}
	problems, err := plain.IntegrityProblems(ctx, 10)
	plain.Close()
	switch {
	case err != nil:
		assertOneLine(t, kindText(err), path, "corrupted") // too damaged to list
		assertDamagedKind(t, kindText(err))
	case len(problems) == 0:
		t.Fatal("integrity_check did not see the damaged page")
	}

	_, err = store.Open(ctx, path, store.Options{Verify: true})
	if err == nil {
		t.Fatal("Verify opened a damaged database for writing")
	}
	assertOneLine(t, kindText(err), path, "[corrupted]", "corrupted") // the command line says what to do
	assertUnchanged(t, dir, before)
}
