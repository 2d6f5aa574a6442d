package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// TestTokenAppearsNowhere runs harvest, links, score, every report and a full
// audit with a CKAN API token set (from VIGIE_API_TOKEN, then from
// --token-file), against a portal whose private datasets need it and which
// echoes the token back in its error pages; then greps the database files,
// logs, listings, reports and the output of failing runs: the token is nowhere.
func TestTokenAppearsNowhere(t *testing.T) {
	const token = "vigie-secret-7c1f3e9a2b4d-NEVER-PRINT"
	ctx := context.Background()
	files := ckantest.NewLinkServer(ckantest.LinkOptions{BrokenShare: 0.2, Seed: 3})
	fsrv := files.Serve()
	defer fsrv.Close()
	p := ckantest.New(ckantest.Options{Token: token, RowsMax: 25})
	p.PutGenerated(120, 5, ckantest.GenOptions{LinkBase: fsrv.URL, Orgs: 6, PrivateShare: 0.3})
	// Faults that echo the Authorization header: in a plain-text 503, in an
	// HTML 502 page title and in a CKAN error message.
	echo := func(status int, contentType, format string) ckantest.Fault {
		n := 0
		return func(w http.ResponseWriter, r *http.Request, action string) bool {
			if n >= 1 {
				return false
			}
			n++
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			w.Write([]byte(strings.ReplaceAll(format, "AUTH", r.Header.Get("Authorization"))))
			return true
		}
	}
	p.Inject(ckantest.When(func(r *http.Request, a string) bool { return a == "organization_list" }, echo(503, "text/plain", "overloaded, key AUTH")))
	p.Inject(ckantest.When(func(r *http.Request, a string) bool {
		return a == "package_search" && r.URL.Query().Get("start") == "25"
	},
		echo(502, "text/html", "<html><head><title>Bad gateway for AUTH</title></head></html>")))
	psrv := p.Serve()
	defer psrv.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "vigie.db")
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g := []string{"--db", db, "--portal", psrv.URL, "--log-format", "json"}
	var outputs bytes.Buffer
	step := func(wantOK bool, args ...string) string {
		t.Helper()
		code, stdout, stderr := cli(ctx, append(args, g...)...)
		outputs.WriteString(stdout + stderr)
		if wantOK && code != 0 {
			t.Fatalf("vigie %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		if !wantOK && code == 0 {
			t.Fatalf("vigie %s succeeded; it should fail", strings.Join(args, " "))
		}
		return stdout
	}

	t.Setenv("VIGIE_API_TOKEN", token)
	step(true, "harvest", "--rate", "0", "--include-private")
	// Another connection stays open so that each command's write-ahead log
	// is left on disk for the grep below rather than removed at close.
	raw, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	keep, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	var n int
	if err := keep.QueryRowContext(ctx, "SELECT COUNT(*) FROM datasets").Scan(&n); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VIGIE_API_TOKEN", "")
	step(true, "harvest", "--rate", "0", "--include-private", "--full", "--token-file", tokenFile)
	step(true, "links", "--all", "--allow-private", "--timeout", "5s")
	step(true, "score")
	rep := filepath.Join(dir, "reports")
	if err := os.Mkdir(rep, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"xlsx", "html", "json", "md"} {
		step(true, "report", "--format", f, "--out", filepath.Join(rep, "audit."+f))
	}
	step(true, "report", "--format", "csv", "--out", filepath.Join(rep, "csv"))
	// The nightly command does it all again in one process.
	step(true, "audit", "--out", filepath.Join(dir, "audits"), "--rate", "0", "--include-private", "--token-file", tokenFile,
		"--allow-private", "--links-timeout", "5s")
	listing := step(true, "datasets", "--format", "json")
	step(true, "runs", "--format", "json")
	step(true, "links", "--list", "--format", "json")
	// The log as the audit's links and score stages left it (a harvest's
	// end, like the failing ones below, copies it into the file and
	// truncates it).
	checkedWAL := false
	if b, err := os.ReadFile(db + "-wal"); err == nil && len(b) > 0 {
		checkedWAL = true
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("the token is written in the write-ahead log after the audit")
		}
	}

	// The token was used: private datasets were harvested.
	var rows []map[string]any
	if err := json.Unmarshal([]byte(listing), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 120 {
		t.Fatalf("%d datasets stored; with the token all 120 (private ones included) are visible", len(rows))
	}

	// Failing runs: a portal that rejects the token and echoes it, and a
	// token file that is not there.
	reject := ckantest.New(ckantest.Options{Token: "another-token"})
	reject.Inject(echo(403, "application/json", `{"help":"","success":false,"error":{"__type":"Authorization Error","message":"Access denied for key AUTH"}}`))
	reject.Inject(echo(403, "application/json", `{"help":"","success":false,"error":{"__type":"Authorization Error","message":"Access denied for key AUTH"}}`))
	rsrv := reject.Serve()
	defer rsrv.Close()
	for _, args := range [][]string{
		{"harvest", "--rate", "0", "--include-private", "--token-file", tokenFile, "--portal", rsrv.URL},
		{"harvest", "--rate", "0", "--include-private", "--token-file", tokenFile + ".missing"},
	} {
		code, stdout, stderr := cli(ctx, append([]string{"--db", db, "--log-format", "text"}, args...)...)
		outputs.WriteString(stdout + stderr)
		if code == 0 {
			t.Fatalf("vigie %v succeeded; it should fail", args)
		}
		t.Logf("failing run: %s", strings.TrimSpace(stderr))
	}

	if bytes.Contains(outputs.Bytes(), []byte(token)) {
		i := bytes.Index(outputs.Bytes(), []byte(token))
		t.Fatalf("the token appears in the output or logs: …%s…", outputs.Bytes()[max(0, i-120):i])
	}
	checked, wal := 0, checkedWAL
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&os.ModeSymlink != 0 || path == tokenFile {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		wal = wal || strings.HasSuffix(path, "-wal") && len(b) > 0
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("the token is written in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d files checked: the reports were not all written", checked)
	}
	if !wal {
		t.Error("no write-ahead log was left to check")
	}
	t.Logf("%d files and %d bytes of output checked", checked, outputs.Len())
}
