package store_test

import (
	"context"
	"errors"
	"github.com/vigie-audit/vigie"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	db := storetest.Open(t, path)
	p, err := db.EnsurePortal(ctx, "https://www.donneesquebec.ca/recherche/api/3/action/")
	if err != nil {
		t.Fatal(err)
	}
	if p.URL != "https://www.donneesquebec.ca/recherche" {
		t.Fatalf("portal URL not normalised: %q", p.URL)
	}
	db.Close()
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	p2, err := db.Portal(ctx, "https://www.donneesquebec.ca/recherche/")
	if err != nil || p2.ID != p.ID {
		t.Fatalf("portal lost on reopen: %v %v", p2, err)
	}
	if s, err := db.IntegrityCheck(ctx); err != nil || s != "ok" {
		t.Fatalf("integrity: %q %v", s, err)
	}
}

func TestOpenGarbageFileSaysWhatToDo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junk.db")
	junk := strings.Repeat("this is not sqlite ", 400)
	if err := os.WriteFile(path, []byte(junk), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("want a one-line error naming the file, got %v", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != junk {
		t.Fatal("a bad database file was overwritten")
	}
}

func TestUnknownPortalTellsToHarvest(t *testing.T) {
	db := storetest.NewDB(t)
	_, err := db.Portal(context.Background(), "https://example.org")
	if vigie.KindOf(err) != vigie.KindNotHarvested || !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "https://example.org") {
		t.Fatalf("got %v", err)
	}
	if e := vigie.Details(err); e == nil || e.Portal != "https://example.org" {
		t.Fatalf("the error does not carry the portal for the hint: %#v", e)
	}
}
