package store

import (
	"context"
	"errors"
	"testing"

	"github.com/vigie-audit/vigie"
)

// The reads that take a vigie.Scope (alone, or in a DatasetFilter,
// LinkFilter or ReportScope) find its portal by URL and keep to its
// organizations; a portal the database does not hold is not found.
func TestScopedReads(t *testing.T) {
	ctx := context.Background()
	db, portal, _ := lkDB(t)
	lkSeed(t, db, portal,
		lkResource{"arbres", "ville-de-montreal", "active", "https://a.example/a.csv", "CSV"},
		lkResource{"parcs", "ville-de-quebec", "active", " ", "CSV"},
		lkResource{"ancien", "ville-de-quebec", "deleted", "https://e.example/e.csv", "CSV"},
	)
	for _, tc := range []struct {
		scope  vigie.Scope
		public int
		urls   bool
	}{
		{lkPortal(), 2, true},
		{lkPortal("ville-de-montreal"), 1, true},
		{lkPortal("ville-de-quebec"), 1, false}, // a blank URL, and a deleted dataset's
		{lkPortal("ville-x"), 0, false},
	} {
		v, err := db.CountVisibility(ctx, tc.scope)
		if err != nil || v[vigie.VisPublic] != tc.public || len(v) != 4 {
			t.Errorf("CountVisibility(%v) = %v %v, want %d public", tc.scope.Orgs, v, err, tc.public)
		}
		if has, err := db.HasResourceURLs(ctx, tc.scope); err != nil || has != tc.urls {
			t.Errorf("HasResourceURLs(%v) = %v %v, want %v", tc.scope.Orgs, has, err, tc.urls)
		}
		n := 0
		if err := db.EachDataset(ctx, DatasetFilter{Scope: tc.scope}, func(*vigie.Dataset) error { n++; return nil }); err != nil || n != tc.public {
			t.Errorf("EachDataset(%v) read %d %v, want %d (active ones)", tc.scope.Orgs, n, err, tc.public)
		}
	}
	unknown := vigie.Scope{Portal: "https://nowhere.example"}
	if _, err := db.CountVisibility(ctx, unknown); !errors.Is(err, ErrNotFound) {
		t.Errorf("CountVisibility of an unknown portal: %v, want not found", err)
	}
	if _, err := db.HasResourceURLs(ctx, unknown); !errors.Is(err, ErrNotFound) {
		t.Errorf("HasResourceURLs of an unknown portal: %v, want not found", err)
	}
	if _, err := db.URLsToCheck(ctx, unknown, true, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("URLsToCheck of an unknown portal: %v, want not found", err)
	}
	if err := db.EachDataset(ctx, DatasetFilter{Scope: unknown}, func(*vigie.Dataset) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("EachDataset of an unknown portal: %v, want not found", err)
	}
	if _, err := db.LinkRows(ctx, LinkFilter{Scope: unknown}); !errors.Is(err, ErrNotFound) {
		t.Errorf("LinkRows of an unknown portal: %v, want not found", err)
	}
	if _, err := db.ReportIndicators(ctx, ReportScope{Scope: unknown, ScoreRunID: 1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReportIndicators of an unknown portal: %v, want not found", err)
	}
}
