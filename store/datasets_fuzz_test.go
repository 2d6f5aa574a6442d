package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// asJSON is s after a trip through encoding/json.
func asJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

// FuzzSaveDatasetRoundTrip: whatever text a portal sends (NUL bytes, invalid
// UTF-8, quotes, SQL) is stored and read back unchanged, and the database
// stays sound.
func FuzzSaveDatasetRoundTrip(f *testing.F) {
	for _, s := range [][3]string{
		{"Titre", "Description", "ville-de-quebec"},
		{"'; DROP TABLE datasets; --", `" OR 1=1 --`, "org\x00nul"},
		{"caf\xe9 \xff", "\u202e\x1b[2J", ""},
		{"", "", "="},
	} {
		f.Add(s[0], s[1], s[2], "CSV", "https://files.example/a.csv?x=1&y='2'")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, f.TempDir()+"/fuzz.db")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	p, err := db.EnsurePortal(ctx, "https://portal.example")
	if err != nil {
		f.Fatal(err)
	}
	run, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	modified := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, notes, org, format, url string) {
		n++
		size := int64(len(url))
		d := vigie.Dataset{
			ID: fmt.Sprintf("id-%d", n), Name: fmt.Sprintf("name-%d", n), Title: title, Notes: notes, Organization: org,
			LicenseID: format, MetadataModified: modified, Tags: []string{title, org}, Groups: []string{},
			Extras:    map[string]string{"update_frequency": notes, title: org},
			Resources: []vigie.Resource{{ID: "r", Name: title, Format: format, URL: url, Size: &size, Extras: map[string]string{notes: url}}},
		}
		if _, err := db.SaveDatasets(ctx, p.ID, run, []vigie.Dataset{d}); err != nil {
			t.Fatalf("save: %v", err)
		}
		got, err := db.GetDataset(ctx, p.ID, d.ID)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		if got.Title != title || got.Notes != notes || got.Organization != org || got.LicenseID != format {
			t.Fatalf("text changed on the way: %q %q %q %q", got.Title, got.Notes, got.Organization, got.LicenseID)
		}
		// Lists and extras are stored as JSON: invalid UTF-8 comes back as
		// U+FFFD, as encoding/json writes it; everything else is exact.
		if !reflect.DeepEqual(got.Tags, []string{asJSON(title), asJSON(org)}) || got.Extras[asJSON(title)] != asJSON(org) ||
			got.Extras["update_frequency"] != asJSON(notes) {
			t.Fatalf("lists or extras changed: %q %q", got.Tags, got.Extras)
		}
		if len(got.Resources) != 1 || got.Resources[0].URL != url || got.Resources[0].Format != format ||
			got.Resources[0].Extras[asJSON(notes)] != asJSON(url) || got.Resources[0].Size == nil || *got.Resources[0].Size != size {
			t.Fatalf("resource changed: %+v", got.Resources)
		}
	})
	if s, err := db.IntegrityCheck(ctx); err != nil || s != "ok" {
		f.Fatalf("integrity after fuzzing: %q %v", s, err)
	}
}
