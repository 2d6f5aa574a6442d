package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// Goroutines sharing one DB (several portals audited at once) take turns
// for write transactions instead of failing on SQLite's busy timeout, even
// when that timeout is far shorter than their transactions.
func TestConcurrentWritersTakeTurns(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, testDSN(t), Options{BusyTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const portals, pages, size = 4, 5, 300
	var wg sync.WaitGroup
	errs := make(chan error, portals)
	for p := 0; p < portals; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			portal, err := db.EnsurePortal(ctx, fmt.Sprintf("https://portal%d.example", p))
			if err != nil {
				errs <- err
				return
			}
			run, err := db.BeginHarvestRun(ctx, portal.ID, HarvestOptions{Mode: ModeFull})
			if err != nil {
				errs <- err
				return
			}
			for page := 0; page < pages; page++ {
				ds := make([]vigie.Dataset, size)
				for i := range ds {
					n := page*size + i
					ds[i] = vigie.Dataset{ID: fmt.Sprintf("p%d-%d", p, n), Name: fmt.Sprintf("d-%d", n), Title: "t",
						Organization: "org", MetadataModified: time.Now().UTC(),
						Resources: []vigie.Resource{{ID: fmt.Sprint(n), URL: fmt.Sprintf("https://files.example/%d/%d", p, n)}}}
				}
				if _, err := db.SaveDatasets(ctx, portal.ID, run, ds); err != nil {
					errs <- err
					return
				}
			}
			if err := db.RecordAudit(ctx, &AuditRun{PortalID: portal.ID, StartedAt: time.Now(), FinishedAt: time.Now(), Status: "complete"}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a concurrent writer failed: %v", err)
	}
	ovs, err := db.PortalOverviews(ctx)
	if err != nil || len(ovs) != portals {
		t.Fatalf("%v %d", err, len(ovs))
	}
	for _, o := range ovs {
		if o.Published != pages*size || o.LastAudit == nil || o.LastAudit.Status != "complete" {
			t.Fatalf("%s: %+v", o.URL, o)
		}
	}
}
