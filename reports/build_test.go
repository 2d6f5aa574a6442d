package reports

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/vigie-audit/vigie/store"
)

func TestBuildNothingScored(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.EnsurePortal(ctx, seedPortal); err != nil {
		t.Fatal(err)
	}
	_, err = Build(ctx, db, Options{PortalURL: seedPortal})
	if !errors.Is(err, ErrNotScored) {
		t.Fatalf("want ErrNotScored, got %v", err)
	}
}

func TestBuildFromStore(t *testing.T) {
	ctx := context.Background()
	db := seedStore(t, 40, 2, true)
	r, err := Build(ctx, db, Options{PortalURL: seedPortal, Now: seedNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("score run %d compare %v, commitment %d, orgs %d, links %d, history %d", r.ScoreRun.ID, r.CompareRun, len(r.Commitment), len(r.Organizations), len(r.Links), len(r.History))
	for _, i := range r.Commitment {
		t.Logf("%s = %v prev %v change %v", i.Key, deref(i.Value), deref(i.Previous), deref(i.Change))
	}
	n := 0
	err = r.EachDataset(ctx, true, func(d *Dataset) error { n++; return nil })
	if err != nil || n != 40 {
		t.Fatalf("datasets %d %v", n, err)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
