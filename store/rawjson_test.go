package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// A version's raw JSON is stored compressed and read back byte for byte;
// rows written plain by earlier versions of vigie still read as they are.
func TestRawJSONStoredCompressedAndReadBack(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/v.db"
	db := storetest.Open(t, path)
	p, _ := db.EnsurePortal(ctx, "https://example.org")
	run, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	pkgs := ckantest.Generate(3, 7, ckantest.GenOptions{})
	raw, err := json.Marshal(pkgs[0])
	if err != nil {
		t.Fatal(err)
	}
	d := sampleDataset("a", "alpha", "org-1")
	d.Raw = raw
	legacy := sampleDataset("b", "beta", "org-1")
	if _, err := db.SaveDatasets(ctx, p.ID, run, []vigie.Dataset{d, legacy}); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetDataset(ctx, p.ID, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Raw, raw) {
		t.Fatalf("raw JSON changed on the way: %d bytes back for %d", len(got.Raw), len(raw))
	}

	raw2, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw2.Close()
	var stored []byte
	if err := raw2.QueryRow(`SELECT raw FROM dataset_versions WHERE dataset_id = 'a'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(stored, []byte("{")) || len(stored)*2 > len(raw) {
		t.Fatalf("raw JSON not stored compressed: %d bytes for %d", len(stored), len(raw))
	}
	// a version written plain, as before compression
	if _, err := raw2.Exec(`UPDATE dataset_versions SET raw = ? WHERE dataset_id = 'b'`, []byte(`{"id":"b","plain":true}`)); err != nil {
		t.Fatal(err)
	}
	got, err = db.GetDataset(ctx, p.ID, "beta")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Raw) != `{"id":"b","plain":true}` {
		t.Fatalf("plain version read as %q", got.Raw)
	}
}
