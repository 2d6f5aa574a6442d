package reports

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// A report computes the indicators of each complete run of its history
// once: the next report reads them stored and writes the same bytes as a
// report from a read-only store (which stores nothing and computes all).
// Another organization scope computes, and stores, its own.
func TestHistoryIndicatorsComputedOnce(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.NewDSN(t)
	seedInto(t, storetest.Open(t, dsn), 30, 4, false)
	build := func(db *store.DB, orgs []string) ([]byte, *Report, int64) {
		t.Helper()
		before := store.IndicatorComputations()
		r, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal, Orgs: orgs}, Now: seedNow})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return write(t, Markdown{}, r), r, store.IndicatorComputations() - before
	}
	ro := storetest.Open(t, dsn, store.Options{ReadOnly: true})
	fresh, freshR, n := build(ro, nil)
	if n != 4 {
		t.Errorf("a report from a read-only store computed %d runs' indicators, want 4 (the current run and 3 past)", n)
	}
	fresh2, _, n := build(ro, nil)
	if n != 4 || string(fresh2) != string(fresh) {
		t.Errorf("a read-only store stored indicators: a second report computed %d", n)
	}
	db := storetest.Open(t, dsn)
	first, _, n := build(db, nil)
	if n != 4 {
		t.Errorf("the first report computed %d runs' indicators, want 4", n)
	}
	second, secondR, n := build(db, nil)
	if n != 0 {
		t.Errorf("the second report computed %d runs' indicators, want 0: all stored", n)
	}
	if string(first) != string(fresh) || string(second) != string(fresh) {
		t.Errorf("reports from stored indicators differ from a fresh one:\n%s\n---\n%s", fresh, second)
	}
	if len(secondR.History) != 4 || !reflect.DeepEqual(secondR.History, freshR.History) {
		t.Errorf("history from stored indicators: %+v, want %+v", secondR.History, freshR.History)
	}
	org := []string{"ville-a"}
	freshOrg, _, _ := build(ro, org)
	firstOrg, _, n := build(db, org)
	if n != 4 {
		t.Errorf("an organization's first report computed %d, want 4: the portal's rows are not its", n)
	}
	secondOrg, _, n := build(db, org)
	if n != 0 || string(firstOrg) != string(freshOrg) || string(secondOrg) != string(freshOrg) || string(freshOrg) == string(fresh) {
		t.Errorf("an organization's second report computed %d, or its reports differ", n)
	}
}
