package main

import (
	"context"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// columns measures s as a terminal does, independently of displayWidth.
func columns(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune("\u200B\u200C\u200D\u2060\uFEFF", r):
		case unicode.Is(unicode.Han, r) || r >= 0xFF01 && r <= 0xFF60:
			n += 2
		default:
			n++
		}
	}
	return n
}

// Titles with zero-width characters (ZWSP, BOM, ZWJ) or full-width ones keep
// the datasets table's columns aligned: they take 0 and 2 columns.
func TestDatasetsTableAlignsZeroWidthAndWideTitles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := os.ReadFile("../../testdata/observed/data.humdata.org/package_search_observed.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	titles := []string{"Parcs\u200Bpublics\u200B\u200B", "\uFEFFArbres", "a\u200Db\u200Dc\u200Dd", "ＡＢＣ東京", "plain"}
	for i, p := range doc["result"].(map[string]any)["results"].([]any) {
		p.(map[string]any)["title"] = titles[i%len(titles)]
	}
	src := filepath.Join(dir, "in.json")
	b, _ = json.Marshal(doc)
	if err := os.WriteFile(src, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db := storetest.NewDSN(t)
	const portal = "https://data.humdata.org"
	if code, _, errb := cli(ctx, "--db", db, "-q", "harvest", "--portal", portal, "--from", src); code != 0 {
		t.Fatalf("harvest: exit %d %s", code, errb)
	}
	code, out, errb := cli(ctx, "--db", db, "--lang", "en", "datasets", "--portal", portal)
	if code != 0 {
		t.Fatalf("datasets: exit %d %s", code, errb)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	header := lines[0]
	col := columns(header[:strings.Index(header, "organization")])
	n := 0
	for _, l := range lines[1:] {
		if !strings.Contains(l, "ocha") && !strings.Contains(l, "OCHA") {
			continue // a summary line, not a row
		}
		n++
		// the organization column starts at the same display column on every row
		i := strings.Index(l, "ocha")
		if i < 0 {
			i = strings.Index(l, "OCHA")
		}
		if got := columns(l[:i]); got != col {
			t.Errorf("organization at column %d, header at %d:\n%s\n%s", got, col, header, l)
		}
	}
	if n == 0 {
		t.Fatalf("no rows:\n%s", out)
	}
}
