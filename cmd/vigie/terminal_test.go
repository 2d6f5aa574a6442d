package main

import (
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// Listings print portal text straight to a terminal: every format a person
// reads (table, csv) drops control characters, NUL and bidirectional
// controls, including the marks and line separators.
func TestDatasetsListingsStripControlAndBidi(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	pkgs := ckantest.Generate(3, 4, ckantest.GenOptions{Orgs: 2})
	pkgs[0]["title"] = "Esc\x1b[2J\x1b]0;PWNED\x07 rlo\u202edesrever nul\x00 end"
	pkgs[1]["title"] = "marks\u200f\u200e\u061c sep\u2028line\u2029para"
	pkgs[2]["title"] = " =1+1"
	p.Put(pkgs...)
	srv := p.Serve()
	defer srv.Close()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--quiet"}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0"}, g...)...); code != 0 {
		t.Fatalf("harvest: %s", errs)
	}
	for _, format := range []string{"table", "csv"} {
		code, out, errs := cli(ctx, append([]string{"datasets", "--format", format}, g...)...)
		if code != 0 {
			t.Fatalf("datasets --format %s: %s", format, errs)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
				(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c || r == 0x2028 || r == 0x2029 {
				i := strings.IndexRune(out, r)
				t.Errorf("datasets --format %s prints %U: …%q…", format, r, out[max(0, i-30):min(len(out), i+30)])
				break
			}
		}
		if !strings.Contains(out, "desrever") || !strings.Contains(out, "line") {
			t.Errorf("datasets --format %s lost the text itself:\n%s", format, out)
		}
		if format == "csv" && !strings.Contains(out, "' =1+1") {
			t.Errorf("datasets --format csv: a formula after a space is not neutralised:\n%s", out)
		}
	}
}
