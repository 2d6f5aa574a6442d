package reports

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/vigie-audit/vigie/store"
)

// TestOperationalShapesShowEveryField: what prune, runs and the worker
// queue print as JSON are reports' shapes of store rows. A field the shape
// forgets to copy, or a field the row gains that the shape does not carry,
// would silently be missing from what users read.
func TestOperationalShapesShowEveryField(t *testing.T) {
	var st store.PruneStats
	fill(reflect.ValueOf(&st).Elem(), new(int), map[reflect.Type]bool{})
	b, err := json.Marshal(NewPruneResult(st))
	if err != nil {
		t.Fatal(err)
	}
	checkShows(t, "prune", b, &PruneResult{})
	carries(t, st, PruneResult{})

	var run store.HarvestRun
	fill(reflect.ValueOf(&run).Elem(), new(int), map[reflect.Type]bool{})
	if b, err = json.Marshal(HarvestRunRows([]store.HarvestRun{run})); err != nil {
		t.Fatal(err)
	}
	checkShows(t, "runs", b, &[]HarvestRunRow{})
	carries(t, run, HarvestRunRow{}, "PortalID") // the listing is of one portal

	var q store.QueuedPortal
	fill(reflect.ValueOf(&q).Elem(), new(int), map[reflect.Type]bool{})
	if b, err = json.Marshal(QueueRows([]store.QueuedPortal{q})); err != nil {
		t.Fatal(err)
	}
	checkShows(t, "queue", b, &[]QueueRow{})
	carries(t, q, QueueRow{})
}

// TestOperationalListsAreArrays: runs and the queue print [] when there is
// nothing to list, never null (docs/runs.schema.json, docs/queue.schema.json).
func TestOperationalListsAreArrays(t *testing.T) {
	for name, v := range map[string]any{"runs": HarvestRunRows(nil), "queue": QueueRows(nil)} {
		if b, err := json.Marshal(v); err != nil || string(b) != "[]" {
			t.Errorf("%s of nothing: %s %v", name, b, err)
		}
	}
	b, err := json.Marshal(HarvestRunRows([]store.HarvestRun{{ID: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	var runs []map[string]any
	if err := json.Unmarshal(b, &runs); err != nil || len(runs) != 1 || runs[0]["orgs"] == nil {
		t.Errorf("a run without organizations: %s %v", b, err)
	}
	// a run still going has no end yet: null, not year 1
	if v, ok := runs[0]["finished_at"]; !ok || v != nil {
		t.Errorf("a running run's finished_at: %v (present %v), want null", v, ok)
	}
}

// carries fails for each exported field of row, skip left out, that shape
// has no field of that name.
func carries(t *testing.T, row, shape any, skip ...string) {
	t.Helper()
	rt, st := reflect.TypeOf(row), reflect.TypeOf(shape)
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() || slices.Contains(skip, f.Name) {
			continue
		}
		if _, ok := st.FieldByName(f.Name); !ok {
			t.Errorf("%s.%s has no field in %s: add it to the shape and its schema in docs/", rt, f.Name, st)
		}
	}
}
