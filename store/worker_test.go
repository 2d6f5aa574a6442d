package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

var t0 = time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC)

// A due portal is claimed by one worker only; its lease keeps others off
// until it expires, and then the next claimer records that it expired.
func TestClaimLeaseAndExpiry(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	for _, u := range []string{"https://a.example", "https://b.example/"} {
		if added, err := db.EnqueuePortal(ctx, u, "", store.SourceQueue, t0); err != nil || !added {
			t.Fatalf("enqueue %s: %v %v", u, added, err)
		}
	}
	if added, err := db.EnqueuePortal(ctx, "https://b.example", "", store.SourceQueue, t0.Add(time.Hour)); err != nil || added {
		t.Fatalf("a queued portal is not added twice: %v %v", added, err)
	}
	if _, err := db.EnqueuePortal(ctx, "ftp://x", "", store.SourceQueue, t0); err == nil {
		t.Fatal("a non-http portal is refused")
	}
	// Not due yet.
	if c, err := db.ClaimDue(ctx, "w1", t0.Add(-time.Second), t0.Add(-time.Second), time.Time{}, time.Minute); err != nil || c != nil {
		t.Fatalf("nothing is due before t0: %+v %v", c, err)
	}
	a, err := db.ClaimDue(ctx, "w1", t0, t0, time.Time{}, time.Minute)
	if err != nil || a == nil || a.URL != "https://a.example" || a.Expired != "" || !a.LeaseUntil.Equal(t0.Add(time.Minute)) {
		t.Fatalf("first claim: %+v %v", a, err)
	}
	b, err := db.ClaimDue(ctx, "w2", t0, t0, time.Time{}, time.Minute)
	if err != nil || b == nil || b.URL != "https://b.example" {
		t.Fatalf("second worker gets the other portal: %+v %v", b, err)
	}
	if c, err := db.ClaimDue(ctx, "w3", t0.Add(30*time.Second), t0.Add(30*time.Second), time.Time{}, time.Minute); err != nil || c != nil {
		t.Fatalf("both are leased: %+v %v", c, err)
	}
	// w1 extends its lease; w2 goes silent (killed).
	if err := db.ExtendLease(ctx, a, t0.Add(40*time.Second), time.Minute); err != nil {
		t.Fatal(err)
	}
	wake, ok, err := db.NextWake(ctx)
	if err != nil || !ok || !wake.Equal(t0.Add(time.Minute)) {
		t.Fatalf("next wake is the end of b's lease: %v %v %v", wake, ok, err)
	}
	// At the end of w2's lease, w3 takes b; a stays w1's (extended).
	c, err := db.ClaimDue(ctx, "w3", t0.Add(time.Minute), t0.Add(time.Minute), time.Time{}, time.Minute)
	if err != nil || c == nil || c.URL != "https://b.example" || c.Expired != "w2" {
		t.Fatalf("expired lease taken over: %+v %v", c, err)
	}
	// w2 comes back: its lease is gone, its end is recorded as lost.
	if err := db.ExtendLease(ctx, b, t0.Add(61*time.Second), time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("extend a stolen lease: %v", err)
	}
	if err := db.EndClaim(ctx, b, t0.Add(62*time.Second), store.ClaimComplete, "", t0.Add(24*time.Hour)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("end a stolen lease: %v", err)
	}
	if err := db.EndClaim(ctx, c, t0.Add(90*time.Second), store.ClaimComplete, "", t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// w1 is interrupted: released, still due.
	if err := db.EndClaim(ctx, a, t0.Add(100*time.Second), store.ClaimInterrupted, "interrupted", time.Time{}); err != nil {
		t.Fatal(err)
	}
	q, err := db.WorkerQueue(ctx)
	if err != nil || len(q) != 2 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	if q[0].URL != "https://a.example" || q[0].LeaseOwner != "" || !q[0].NextDue.Equal(t0) || q[0].LastStatus != store.ClaimInterrupted {
		t.Errorf("a: %+v", q[0])
	}
	if q[1].URL != "https://b.example" || q[1].LeaseOwner != "" || !q[1].NextDue.Equal(t0.Add(24*time.Hour)) || q[1].LastStatus != store.ClaimComplete {
		t.Errorf("b: %+v", q[1])
	}
	hist, err := db.WorkerClaims(ctx, "https://b.example")
	if err != nil || len(hist) != 2 {
		t.Fatalf("b's claims: %+v %v", hist, err)
	}
	// w2's claim: expired at the end of its lease (by w3), then lost when it came back.
	if hist[0].Owner != "w2" || hist[0].Status != store.ClaimLost || !hist[0].Ended.Equal(t0.Add(62*time.Second)) {
		t.Errorf("w2's claim: %+v", hist[0])
	}
	if hist[1].Owner != "w3" || hist[1].Status != store.ClaimComplete || !hist[1].Claimed.Equal(t0.Add(time.Minute)) || !hist[1].Ended.Equal(t0.Add(90*time.Second)) {
		t.Errorf("w3's claim: %+v", hist[1])
	}
}

// Workers claiming at once from several goroutines and connections never
// get the same portal.
func TestConcurrentClaimsAreExclusive(t *testing.T) {
	ctx := context.Background()
	path := storetest.NewDSN(t)
	db := storetest.Open(t, path)
	const n = 30
	for i := range n {
		if _, err := db.EnqueuePortal(ctx, "https://p"+string(rune('a'+i%26))+string(rune('a'+i/26))+".example", "", store.SourceQueue, t0); err != nil {
			t.Fatal(err)
		}
	}
	dbs := []*store.DB{db, storetest.Open(t, path), storetest.Open(t, path)}
	var mu sync.Mutex
	got := map[string]string{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := "w" + string(rune('0'+w))
			for {
				c, err := dbs[w%3].ClaimDue(ctx, owner, t0, t0, time.Time{}, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if c == nil {
					return
				}
				mu.Lock()
				if prev, ok := got[c.URL]; ok {
					t.Errorf("%s claimed by %s and %s", c.URL, prev, owner)
				}
				got[c.URL] = owner
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d of %d claimed", len(got), n)
	}
}

// The configuration's portals follow the file: added when new, removed
// when gone (unless held); portals added by hand stay.
func TestSyncConfigPortals(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	if _, err := db.EnqueuePortal(ctx, "https://hand.example", "", store.SourceQueue, t0); err != nil {
		t.Fatal(err)
	}
	added, removed, err := db.SyncConfigPortals(ctx, map[string]string{"https://a.example/": "a", "https://b.example": "b"}, t0)
	if err != nil || added != 2 || removed != 0 {
		t.Fatalf("%d %d %v", added, removed, err)
	}
	held, err := db.ClaimDue(ctx, "w", t0, t0, time.Time{}, time.Minute)
	if err != nil || held.URL != "https://a.example" || held.Name != "a" {
		t.Fatalf("%+v %v", held, err)
	}
	// c is the file's, then added by hand too: it becomes the queue's.
	if _, _, err := db.SyncConfigPortals(ctx, map[string]string{"https://a.example": "a", "https://b.example": "b", "https://c.example": "c"}, t0); err != nil {
		t.Fatal(err)
	}
	if added, err := db.EnqueuePortal(ctx, "https://c.example", "", store.SourceQueue, t0); err != nil || added {
		t.Fatal(added, err)
	}
	added, removed, err = db.SyncConfigPortals(ctx, map[string]string{}, t0)
	if err != nil || added != 0 || removed != 1 {
		t.Fatalf("b goes, a is held, c is the queue's: %d %d %v", added, removed, err)
	}
	q, _ := db.WorkerQueue(ctx)
	if len(q) != 3 || q[0].URL != "https://a.example" || q[1].URL != "https://c.example" || q[1].Source != store.SourceQueue || q[2].URL != "https://hand.example" {
		t.Fatalf("%+v", q)
	}
	if ok, err := db.DequeuePortal(ctx, "https://hand.example/"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, _ := db.DequeuePortal(ctx, "https://hand.example"); ok {
		t.Fatal("removed twice")
	}
}
