package main

import (
	"context"
	"encoding/csv"
	"net/http"
	"path/filepath"
	"strings"
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
	db := filepath.Join(t.TempDir(), "vigie.db")
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
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
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
		code, out, errs := cli(context.Background(), "harvest", "--rate", "0", "--db", filepath.Join(t.TempDir(), "v.db"),
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
