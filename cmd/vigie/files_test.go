package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/reports"
)

// harvestedDB harvests n generated datasets from an emulated portal into a
// new database and scores them; it returns the database and the portal URL.
func harvestedDB(t *testing.T, n int) (db, portal string) {
	t.Helper()
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(n, 31, ckantest.GenOptions{Orgs: 3})
	srv := p.Serve()
	t.Cleanup(srv.Close)
	db = storetest.NewDSN(t)
	for _, args := range [][]string{{"harvest", "--rate", "0"}, {"score"}} {
		if code, _, errs := cli(ctx, append(args, "--db", db, "--portal", srv.URL, "--quiet")...); code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, errs)
		}
	}
	return db, srv.URL
}

// A test binary started with VIGIE_TEST_CHILD=1 is vigie itself: its
// arguments are vigie's. VIGIE_TEST_FSIZE sets RLIMIT_FSIZE first, so a write
// past it fails with EFBIG (Go ignores SIGXFSZ), as on a full disk.
func init() {
	if os.Getenv("VIGIE_TEST_CHILD") != "1" {
		return
	}
	if v := os.Getenv("VIGIE_TEST_FSIZE"); v != "" {
		n, _ := strconv.ParseUint(v, 10, 64)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(99)
		}
	}
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// childOptions say how vigieChild runs vigie.
type childOptions struct {
	fsize    uint64   // RLIMIT_FSIZE in bytes; 0 = unlimited
	uid, gid uint32   // run as this user when set (the tests run as root)
	groups   []uint32 // and with these supplementary groups
	bin      string   // the binary to run; "" = this test binary
	dir      string   // working folder
}

// vigieChild runs vigie in a child process (this test binary re-executed).
func vigieChild(t *testing.T, o childOptions, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if o.bin != "" {
		exe = o.bin
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = o.dir
	cmd.Env = append(os.Environ(), "VIGIE_TEST_CHILD=1")
	if o.fsize > 0 {
		cmd.Env = append(cmd.Env, "VIGIE_TEST_FSIZE="+strconv.FormatUint(o.fsize, 10))
	}
	if o.uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: o.uid, Gid: o.gid, Groups: o.groups}}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("run vigie %v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// A CSV report that cannot be finished (full disk) leaves the previous set
// of files exactly as it was: no file cut mid-record, no mix of old and new.
func TestReportCSVFullDiskKeepsThePreviousSet(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	db, portal := harvestedDB(t, 400)
	out := t.TempDir()
	ctx := context.Background()
	if code, _, errs := cli(ctx, "--db", db, "--portal", portal, "-q", "report", "--format", "csv", "--out", out); code != 0 {
		t.Fatalf("first report: exit %d %s", code, errs)
	}
	st, err := os.Stat(filepath.Join(out, "datasets.csv"))
	if err != nil || st.Size() < 64<<10 {
		t.Fatalf("datasets.csv should exceed the 32 KiB limit used below: %v %v", st.Size(), err)
	}
	old := map[string]string{}
	for _, name := range reports.CSVFiles {
		old[name] = "previous report " + name + "\n"
		if err := os.WriteFile(filepath.Join(out, name), []byte(old[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errs := vigieChild(t, childOptions{fsize: 32 << 10}, "--db", db, "--portal", portal, "-q", "report", "--format", "csv", "--out", out)
	if code != ExitFailure || !strings.Contains(errs, "disk full") || !strings.Contains(errs, "previous report is unchanged") {
		t.Errorf("full disk: exit %d, stderr %q", code, errs)
	}
	for _, name := range reports.CSVFiles {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || string(b) != old[name] {
			t.Errorf("%s changed by a report that failed: %.60q %v", name, b, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".vigie-report-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// Temporaries left by a killed report are removed by the next report into
// the same folder; one a running writer holds is not.
func TestReportRemovesStaleTemporaries(t *testing.T) {
	db, portal := harvestedDB(t, 5)
	dir := t.TempDir()
	stale := filepath.Join(dir, ".vigie-report-123456")
	held := filepath.Join(dir, ".vigie-report-654321")
	for _, p := range []string{stale, held} {
		if err := os.WriteFile(p, []byte("half a rep"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"xlsx", "csv"} {
		os.WriteFile(stale, []byte("x"), 0o600)
		out := filepath.Join(dir, "audit.xlsx")
		if format == "csv" {
			out = dir
		}
		if code, _, errs := cli(context.Background(), "--db", db, "--portal", portal, "-q", "report", "--format", format, "--out", out); code != 0 {
			t.Fatalf("%s: exit %d %s", format, code, errs)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("%s: the temporary of a killed run is still there", format)
		}
		if _, err := os.Stat(held); err != nil {
			t.Errorf("%s: the temporary of a running writer was removed", format)
		}
	}
}
