package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// Portal text reaches the terminal through listings and error messages. It
// must not carry terminal control sequences (ESC, 8-bit CSI, BEL), break a
// table or CSV row, or become a spreadsheet formula.

// hostileTerminal is text that would retitle, clear or recolour a terminal.
const hostileTerminal = "Jeu\x1b]0;PWNED\x07\x1b[2J\u009b31m\u202edesrever\r\nsecond line"

// assertTerminalSafe checks output for control characters other than newline
// (and tab, which tables use).
func assertTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) {
			i := strings.IndexRune(out, r)
			t.Fatalf("%s: control character %U reaches the terminal: …%q…", what, r, out[max(0, i-40):min(len(out), i+40)])
		}
	}
}

func TestPortalTextCannotDriveTheTerminal(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	pkgs := ckantest.Generate(3, 4, ckantest.GenOptions{Orgs: 2})
	pkgs[0]["title"] = hostileTerminal
	pkgs[1]["title"] = "=HYPERLINK(\"http://evil.example\",\"x\")"
	pkgs[2]["title"] = "@SUM(A1)\x1b[31m"
	p.Put(pkgs...)
	srv := p.Serve()
	defer srv.Close()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--quiet"}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...); code != 0 {
		t.Fatalf("harvest: %s", errs)
	}

	code, out, errs := cli(ctx, append([]string{"datasets", "--format", "table"}, g...)...)
	if code != 0 {
		t.Fatalf("datasets: %s", errs)
	}
	assertTerminalSafe(t, "datasets --format table", out)
	if lines := strings.Count(out, "\n"); lines != 5 { // header, 3 rows, the count
		t.Errorf("a table of 3 datasets has %d lines: a title broke a row\n%s", lines, out)
	}

	code, out, errs = cli(ctx, append([]string{"datasets", "--format", "csv"}, g...)...)
	if code != 0 {
		t.Fatalf("datasets csv: %s", errs)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("datasets csv: %d records, %v", len(recs), err)
	}
	for _, rec := range recs[1:] {
		for _, v := range rec {
			if v != "" && strings.ContainsRune("=+@\t\r", rune(v[0])) {
				t.Errorf("CSV cell %q would be read as a formula", v)
			}
		}
	}
}

func TestPortalErrorTextCannotDriveTheTerminal(t *testing.T) {
	p := ckantest.New(ckantest.Options{})
	p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"help":"","success":false,"error":{"__type":"Validation Error","message":"` +
			strings.NewReplacer("\x1b", `\u001b`, "\x07", `\u0007`, "\r", `\r`, "\n", `\n`, "\u009b", `\u009b`).Replace(hostileTerminal) + `"}}`))
		return true
	})
	srv := p.Serve()
	defer srv.Close()
	for _, format := range []string{"text", "json"} {
		code, out, errs := cli(context.Background(), "harvest", "--rate", "0", "--db", storetest.NewDSN(t),
			"--portal", srv.URL, "--log-format", format)
		if code == 0 {
			t.Fatal("a portal answering 409 to everything was harvested")
		}
		assertTerminalSafe(t, "error output ("+format+")", out+errs)
		if !strings.Contains(errs, "Jeu") {
			t.Errorf("the portal's message is not shown at all: %s", errs)
		}
	}
}

// readRunErrors returns the error column of every harvest run in the
// database at path.
func readRunErrors(t *testing.T, path string) string {
	t.Helper()
	db := openRaw(t, path, true)
	defer db.Close()
	rows, err := db.Query(`SELECT error FROM harvest_runs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}

// TestEchoedTokenPrefixIsScrubbed: an error page echoes the token where the
// message is cut short, so only its first 25 characters survive the cut.
// Neither they nor any 8 leading characters of the token may reach the
// error line, the JSON log or harvest_runs.error.
func TestEchoedTokenPrefixIsScrubbed(t *testing.T) {
	const token = "prefix-secret-0123456789abcdefghijklmnopqrstuvwxyz"
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(5, 1, ckantest.GenOptions{})
	var echo atomic.Bool // off for a first good harvest: a failed first one leaves no database
	p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
		if !echo.Load() {
			return false
		}
		msg := "Access denied for key " + r.Header.Get("Authorization")
		// CKAN's message is cut at 300 characters: put the cut 25 characters
		// into the token.
		msg = strings.Repeat("x", 300-1-25-len("Access denied for key ")) + msg
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"help":"","success":false,"error":{"__type":"Authorization Error","message":%q}}`, msg)
		return true
	})
	srv := p.Serve()
	defer srv.Close()
	db := storetest.NewDSN(t)
	t.Setenv("VIGIE_API_TOKEN", token)
	if code, _, errs := cli(ctx, "harvest", "--rate", "0", "--quiet", "--db", db, "--portal", srv.URL); code != 0 {
		t.Fatalf("first harvest: %s", errs)
	}
	echo.Store(true)
	var all strings.Builder
	for _, format := range []string{"text", "json"} {
		code, out, errs := cli(ctx, "harvest", "--rate", "0", "--db", db, "--portal", srv.URL, "--log-format", format)
		if code == 0 {
			t.Fatal("a portal answering 403 was harvested")
		}
		t.Logf("%s: %s", format, strings.TrimSpace(errs))
		all.WriteString(out + errs)
	}
	all.WriteString(readRunErrors(t, db))
	if i := strings.Index(all.String(), token[:8]); i >= 0 {
		s := all.String()
		t.Fatalf("a prefix of the token leaks: …%s…", s[max(0, i-40):min(len(s), i+40)])
	}
	if !strings.Contains(all.String(), "[token]") {
		t.Errorf("the echo is not marked as scrubbed:\n%s", all.String())
	}
}

// TestTokenWithNewlineIsRefusedAtStart: a token holding a line break cannot
// be sent as a header; it is refused before the portal is called, in one
// line that says what to fix, not retried and blamed on the network.
func TestTokenWithNewlineIsRefusedAtStart(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	srv := p.Serve()
	defer srv.Close()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("first-half\nsecond-half\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, setup := range map[string]func() []string{
		"VIGIE_API_TOKEN": func() []string { t.Setenv("VIGIE_API_TOKEN", "abc\ndef"); return nil },
		"--token-file":    func() []string { t.Setenv("VIGIE_API_TOKEN", ""); return []string{"--token-file", tokenFile} },
	} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(dir, strings.Trim(name, "-")+".db")
			for _, cmd := range [][]string{{"harvest"}, {"audit", "--out", filepath.Join(dir, "out")}} {
				args := append(append([]string{"--db", db, "--portal", srv.URL}, cmd...), setup()...)
				code, _, errs := cli(ctx, args...)
				if code != ExitUsage {
					t.Fatalf("%v: exit %d, want %d: %s", cmd, code, ExitUsage, errs)
				}
				if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "line break") || !strings.Contains(errs, name) {
					t.Errorf("%v: not one clear line naming %s and the line break: %q", cmd, name, errs)
				}
				if strings.Contains(errs, "second-half") || strings.Contains(errs, "def") && name == "VIGIE_API_TOKEN" && strings.Contains(errs, "abc") {
					t.Errorf("the token is quoted: %q", errs)
				}
			}
			if n := p.Requests("status_show") + p.Requests("package_search"); n != 0 {
				t.Errorf("%d requests sent with a token that cannot be sent", n)
			}
			if _, err := os.Stat(db); err == nil {
				t.Errorf("a database was created for a refused token")
			}
		})
	}
}

// TestPortalPasswordIsNeverStored: --portal https://user:password@host is
// used for basic auth only; the password is in no output, log, database or
// report, even when the portal echoes the Authorization header.
func TestPortalPasswordIsNeverStored(t *testing.T) {
	const user, password = "steward", "hunter2-very-secret-pw"
	ctx := context.Background()
	files := ckantest.NewLinkServer(ckantest.LinkOptions{}).Serve()
	defer files.Close()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(12, 3, ckantest.GenOptions{Orgs: 2, LinkBase: files.URL})
	echoed := false
	p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
		u, pw, ok := r.BasicAuth()
		if !ok || u != user || pw != password {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"help":"","success":false,"error":{"__type":"Authorization Error","message":"basic auth needed"}}`)
			return true
		}
		if action == "organization_list" && !echoed {
			echoed = true // one transient error page that echoes the credentials
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "overloaded for %s (%s)", r.Header.Get("Authorization"), password)
			return true
		}
		return false
	})
	srv := p.Serve()
	defer srv.Close()
	withUser := strings.Replace(srv.URL, "http://", "http://"+user+":"+password+"@", 1)
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	var all strings.Builder
	for _, format := range []string{"text", "json"} {
		code, out, errs := cli(ctx, "harvest", "--rate", "0", "--db", db, "--portal", withUser, "--log-format", format)
		all.WriteString(out + errs)
		if code != 0 {
			t.Fatalf("harvest with basic auth: exit %d: %s", code, errs)
		}
	}
	// The nightly audit takes the same --portal (its own flag).
	code, out, errs := cli(ctx, "--db", db, "--log-format", "json", "audit", "--portal", withUser, "--out", filepath.Join(dir, "audits"),
		"--rate", "0", "--allow-private")
	all.WriteString(out + errs)
	if code != 0 {
		t.Fatalf("audit with basic auth: exit %d: %s", code, errs)
	}
	// Later commands find the portal with or without the user in --portal.
	for _, portal := range []string{withUser, srv.URL} {
		code, out, errs := cli(ctx, "--db", db, "--portal", portal, "runs", "--format", "json")
		all.WriteString(out + errs)
		if code != 0 {
			t.Fatalf("runs --portal %s: %s", portal, errs)
		}
	}
	code, out, errs = cli(ctx, "--db", db, "--portal", withUser, "datasets", "--format", "json")
	all.WriteString(out + errs)
	if code != 0 || !strings.Contains(out, `"name"`) {
		t.Fatalf("datasets: exit %d: %s", code, errs)
	}
	if strings.Contains(all.String(), password) || strings.Contains(all.String(), password[:8]) {
		t.Fatalf("the password appears in the output:\n%s", all.String())
	}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&os.ModeSymlink != 0 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(password)) || bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString([]byte(user+":"+password)))) {
			t.Errorf("the password is written in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHarvestRefusesMassMissingFromARebuildingIndex: the portal's search
// index serves 1 of 100 datasets with count=1. harvest and audit fail with
// one line, the run is failed and every dataset stays active; --max-missing
// 100% lets the operator accept it.
func TestHarvestRefusesMassMissingFromARebuildingIndex(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	p, srv := genPortal(t, 100, ckantest.Options{}, ckantest.GenOptions{Orgs: 3})
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--quiet"}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...); code != 0 {
		t.Fatalf("harvest: %s", errs)
	}
	p.SetIndexServes(1)
	for _, cmd := range [][]string{{"harvest", "--rate", "0"}, {"audit", "--rate", "0", "--out", filepath.Join(dir, "out"), "--allow-private"}} {
		code, _, errs := cli(ctx, append(cmd, g...)...)
		if code != ExitFailure {
			t.Fatalf("%s: exit %d, want 1: %s", cmd[0], code, errs)
		}
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		last := lines[len(lines)-1] // audit logs the failed stage first
		if !strings.HasPrefix(last, "vigie: ") || !strings.Contains(last, "99 of 100") || !strings.Contains(last, "nothing was marked missing") {
			t.Errorf("%s: not one clear line: %q", cmd[0], errs)
		}
		t.Logf("%s: %s", cmd[0], strings.TrimSpace(errs))
	}
	code, out, errs := cli(ctx, append([]string{"datasets", "--format", "json"}, g...)...)
	if code != 0 || strings.Count(out, `"name"`) != 100 {
		t.Fatalf("datasets after the refusal: exit %d, %d datasets: %s", code, strings.Count(out, `"name"`), errs)
	}
	_, out, _ = cli(ctx, append([]string{"runs", "--format", "json"}, g...)...)
	if !strings.Contains(out, `"failed"`) {
		t.Errorf("no failed run recorded: %s", out)
	}
	code, _, errs = cli(ctx, append([]string{"harvest", "--rate", "0", "--max-missing", "100%"}, g...)...)
	if code != 0 {
		t.Fatalf("harvest --max-missing 100%%: %s", errs)
	}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--max-missing", "150"}, g...)...); code != ExitUsage {
		t.Errorf("--max-missing 150: exit %d: %s", code, errs)
	}
}

// TestRedirectedAnswerIsNotQuoted: the portal redirects package_search to
// another host whose error page holds internal text. The harvest fails
// with one line naming where it was sent, and the other host's text is in
// no output, log or harvest_runs.error.
func TestRedirectedAnswerIsNotQuoted(t *testing.T) {
	ctx := context.Background()
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"success":false,"error":{"__type":"Authorization Error","message":"INTERNAL-ADMIN-SECRET root:x:0:0"}}`)
	}))
	defer internal.Close()
	p, srv := genPortal(t, 5, ckantest.Options{}, ckantest.GenOptions{})
	var redirect atomic.Bool // off for a first good harvest: a failed first one leaves no database
	p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
		if action != "package_search" || !redirect.Load() {
			return false
		}
		http.Redirect(w, r, internal.URL+r.URL.RequestURI(), http.StatusFound)
		return true
	})
	db := storetest.NewDSN(t)
	if code, _, errs := cli(ctx, "harvest", "--rate", "0", "--quiet", "--db", db, "--portal", srv.URL); code != 0 {
		t.Fatalf("first harvest: %s", errs)
	}
	redirect.Store(true)
	var all strings.Builder
	for _, format := range []string{"text", "json"} {
		code, out, errs := cli(ctx, "harvest", "--rate", "0", "--db", db, "--portal", srv.URL, "--log-format", format)
		if code != ExitFailure {
			t.Fatalf("exit %d: %s", code, errs)
		}
		all.WriteString(out + errs)
		if !strings.Contains(errs, "(un autre hôte)") || !strings.Contains(errs, internal.URL) {
			t.Errorf("the error does not say where the portal sent vigie: %s", errs)
		}
	}
	all.WriteString(readRunErrors(t, db))
	if strings.Contains(all.String(), "INTERNAL") || strings.Contains(all.String(), "root:x") {
		t.Fatalf("the other host's answer is quoted:\n%s", all.String())
	}
}
