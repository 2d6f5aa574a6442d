package worker_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
	"github.com/vigie-audit/vigie/worker"
)

var t0 = time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC)

const (
	lease = 90 * time.Second
	every = 24 * time.Hour
)

// fakeClock moves only when the test says so; After fires when Advance
// passes its deadline.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- f.now
		return ch
	}
	f.waiters = append(f.waiters, waiter{f.now.Add(d), ch})
	return ch
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	keep := f.waiters[:0]
	for _, w := range f.waiters {
		if !w.at.After(f.now) {
			w.ch <- f.now
		} else {
			keep = append(keep, w)
		}
	}
	f.waiters = keep
}

// waitTimers blocks until n timers are pending (the heartbeat has armed its next beat).
func (f *fakeClock) waitTimers(t *testing.T, n int) {
	t.Helper()
	eventually(t, "timers armed", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.waiters) >= n
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("never: %s", what)
}

func queued(t *testing.T, db *store.DB, url string) store.QueuedPortal {
	t.Helper()
	q, err := db.WorkerQueue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range q {
		if p.URL == url {
			return p
		}
	}
	t.Fatalf("%s not queued", url)
	return store.QueuedPortal{}
}

const portal = "https://p.example"

func setup(t *testing.T) (*store.DB, *fakeClock) {
	db := storetest.NewDB(t)
	if _, err := db.EnqueuePortal(context.Background(), portal, "p", store.SourceQueue, t0); err != nil {
		t.Fatal(err)
	}
	return db, &fakeClock{now: t0}
}

// auditor is an audit that signals when it starts and ends when told to, or
// when its context is cancelled.
type auditor struct {
	mu      sync.Mutex
	calls   int
	started chan struct{}
	finish  chan worker.Outcome
	cause   error // the cause of its context's cancellation, if any
}

func newAuditor() *auditor {
	return &auditor{started: make(chan struct{}, 10), finish: make(chan worker.Outcome, 10)}
}

func (a *auditor) audit(ctx context.Context, q worker.Queue, c *store.Claim) (worker.Outcome, error) {
	a.mu.Lock()
	a.calls++
	a.mu.Unlock()
	a.started <- struct{}{}
	select {
	case out := <-a.finish:
		return out, nil
	case <-ctx.Done():
		a.mu.Lock()
		a.cause = context.Cause(ctx)
		a.mu.Unlock()
		return worker.Interrupted, ctx.Err()
	}
}

func options(db worker.Queue, clock *fakeClock, owner string, a *auditor) worker.Options {
	return worker.Options{Owner: owner, Lease: lease, Every: every, Retry: time.Hour, Poll: time.Minute, Once: true, Clock: clock,
		Open:  func(ctx context.Context) (worker.Queue, func(), error) { return db, func() {}, nil },
		Audit: a.audit}
}

type runResult struct {
	res worker.Result
	err error
}

func start(ctx context.Context, o worker.Options) chan runResult {
	done := make(chan runResult, 1)
	go func() {
		r, err := worker.Run(ctx, o)
		done <- runResult{r, err}
	}()
	return done
}

// The heartbeat extends the lease every lease/3 for as long as the audit
// runs, so that nobody else can claim the portal, even well past the first
// lease; when the audit completes the portal is due again one interval
// after it was claimed, and free.
func TestHeartbeatKeepsTheLease(t *testing.T) {
	ctx := context.Background()
	db, clock := setup(t)
	a := newAuditor()
	done := start(ctx, options(db, clock, "w1", a))
	<-a.started
	for i := 1; i <= 6; i++ { // two whole leases
		clock.waitTimers(t, 1)
		clock.Advance(lease / 3)
		want := t0.Add(time.Duration(i) * lease / 3).Add(lease)
		eventually(t, "lease extended", func() bool { return queued(t, db, portal).LeaseUntil.Equal(want) })
		if c, err := db.ClaimDue(ctx, "thief", clock.Now(), clock.Now(), time.Time{}, lease); err != nil || c != nil {
			t.Fatalf("claimed by another worker while held at %v: %+v %v", clock.Now(), c, err)
		}
	}
	a.finish <- worker.Complete
	r := <-done
	if r.err != nil || r.res.Claims != 1 || r.res.Outcomes[worker.Complete] != 1 {
		t.Fatalf("%+v %v", r.res, r.err)
	}
	p := queued(t, db, portal)
	if p.LeaseOwner != "" || !p.NextDue.Equal(t0.Add(every)) || p.LastStatus != store.ClaimComplete {
		t.Fatalf("after the audit: %+v", p)
	}
	// Due again in 24 h; a --once run 20 h later audits it (the 4 h
	// tolerance), one 19 h later does not.
	clock.Advance(19*time.Hour - 2*lease)
	if r, err := worker.Run(ctx, options(db, clock, "w2", a)); err != nil || r.Claims != 0 {
		t.Fatalf("19 h later: %+v %v", r, err)
	}
	clock.Advance(time.Hour + time.Minute)
	a.finish <- worker.Complete
	if r, err := worker.Run(ctx, options(db, clock, "w2", a)); err != nil || r.Claims != 1 {
		t.Fatalf("20 h later: %+v %v", r, err)
	}
}

// A worker killed mid-audit stops beating: its portal stays held until the
// lease expires, then exactly one other worker claims and audits it.
func TestExpiredLeaseIsTakenOverOnce(t *testing.T) {
	ctx := context.Background()
	db, clock := setup(t)
	if c, err := db.ClaimDue(ctx, "killed", t0, t0, time.Time{}, lease); err != nil || c == nil {
		t.Fatal(c, err)
	}
	a := newAuditor()
	clock.Advance(lease - time.Second)
	if r, err := worker.Run(ctx, options(db, clock, "w2", a)); err != nil || r.Claims != 0 {
		t.Fatalf("before the lease ends: %+v %v", r, err)
	}
	clock.Advance(time.Second)
	a.finish <- worker.Complete
	r, err := worker.Run(ctx, options(db, clock, "w2", a))
	if err != nil || r.Claims != 1 || a.calls != 1 {
		t.Fatalf("at the end of the lease: %+v %v, %d audits", r, err, a.calls)
	}
	if r, err := worker.Run(ctx, options(db, clock, "w3", a)); err != nil || r.Claims != 0 || a.calls != 1 {
		t.Fatalf("audited twice: %+v %v", r, err)
	}
	hist, _ := db.WorkerClaims(ctx, portal)
	if len(hist) != 2 || hist[0].Owner != "killed" || hist[0].Status != store.ClaimExpired || !hist[0].Ended.Equal(t0.Add(lease)) ||
		hist[1].Owner != "w2" || hist[1].Status != store.ClaimComplete {
		t.Fatalf("claims: %+v", hist)
	}
}

// hungQueue is a worker cut off from the database: while broken, a lease
// extension hangs until the test lets it fail.
type hungQueue struct {
	worker.Queue
	mu      sync.Mutex
	broken  bool
	entered chan struct{}
	fail    chan struct{}
}

func (h *hungQueue) ExtendLease(ctx context.Context, c *store.Claim, now time.Time, d time.Duration) error {
	h.mu.Lock()
	broken := h.broken
	h.mu.Unlock()
	if broken {
		h.entered <- struct{}{}
		<-h.fail
		return errors.New("connection reset")
	}
	return h.Queue.ExtendLease(ctx, c, now, d)
}

// A worker that cannot extend its lease (its heartbeat hangs, cut off from
// the database) loses the portal to another worker once the lease has
// ended; when it reaches the database again it finds the lease gone, stops
// its own audit, and its claim is recorded as lost, not complete.
func TestStalledWorkerLosesItsLease(t *testing.T) {
	ctx := context.Background()
	db, clock := setup(t)
	hq := &hungQueue{Queue: db, broken: true, entered: make(chan struct{}, 1), fail: make(chan struct{})}
	a := newAuditor()
	done := start(ctx, options(hq, clock, "stalled", a))
	<-a.started
	clock.waitTimers(t, 1)
	clock.Advance(lease / 3)
	<-hq.entered // the heartbeat hangs
	clock.Advance(lease - lease/3)
	// The lease has ended: another worker claims the portal.
	b := newAuditor()
	bdone := start(ctx, options(db, clock, "w2", b))
	<-b.started
	hq.mu.Lock()
	hq.broken = false
	hq.mu.Unlock()
	close(hq.fail)
	clock.waitTimers(t, 2) // both heartbeats armed
	clock.Advance(lease / 3)
	r := <-done
	if r.err != nil || r.res.Lost != 1 || r.res.Outcomes[worker.Interrupted] != 1 || !errors.Is(a.cause, store.ErrLeaseLost) {
		t.Fatalf("stalled worker: %+v %v, its audit's cause %v", r.res, r.err, a.cause)
	}
	b.finish <- worker.Complete
	if r := <-bdone; r.err != nil || r.res.Outcomes[worker.Complete] != 1 {
		t.Fatalf("second worker: %+v %v", r.res, r.err)
	}
	hist, _ := db.WorkerClaims(ctx, portal)
	if len(hist) != 2 || hist[0].Status != store.ClaimLost || hist[1].Status != store.ClaimComplete || hist[1].Owner != "w2" {
		t.Fatalf("claims: %+v", hist)
	}
	if p := queued(t, db, portal); p.LeaseOwner != "" || p.LastStatus != store.ClaimComplete || !p.NextDue.Equal(t0.Add(lease).Add(every)) {
		t.Fatalf("queue: %+v", p)
	}
}

// Stopping a worker (SIGTERM cancels its context) interrupts the audit and
// releases the lease at once: the portal stays due and the next worker
// claims it without waiting for the lease to end.
func TestStopReleasesTheLease(t *testing.T) {
	db, clock := setup(t)
	a := newAuditor()
	ctx, stop := context.WithCancel(context.Background())
	o := options(db, clock, "w1", a)
	o.Once = false
	done := start(ctx, o)
	<-a.started
	stop()
	r := <-done
	if !errors.Is(r.err, context.Canceled) || r.res.Outcomes[worker.Interrupted] != 1 {
		t.Fatalf("%+v %v", r.res, r.err)
	}
	p := queued(t, db, portal)
	if p.LeaseOwner != "" || !p.NextDue.Equal(t0) || p.LastStatus != store.ClaimInterrupted {
		t.Fatalf("after stop: %+v", p)
	}
	if c, err := db.ClaimDue(context.Background(), "w2", clock.Now(), clock.Now(), time.Time{}, lease); err != nil || c == nil {
		t.Fatalf("claimable at once: %+v %v", c, err)
	}
}

// A failed audit is retried after Retry, a busy portal after Poll.
func TestFailedAndBusyAreRetried(t *testing.T) {
	ctx := context.Background()
	db, clock := setup(t)
	a := newAuditor()
	a.finish <- worker.Failed
	if r, err := worker.Run(ctx, options(db, clock, "w1", a)); err != nil || r.Outcomes[worker.Failed] != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	if p := queued(t, db, portal); !p.NextDue.Equal(t0.Add(time.Hour)) || p.LastStatus != store.ClaimFailed {
		t.Fatalf("after a failure: %+v", p)
	}
	clock.Advance(time.Hour)
	a.finish <- worker.Busy
	o := options(db, clock, "w1", a)
	o.Once = false
	ctx2, stop := context.WithCancel(ctx)
	done := start(ctx2, o)
	<-a.started
	<-a.started // the failed run's signal was the first
	eventually(t, "busy portal given back", func() bool { return queued(t, db, portal).LastStatus == store.ClaimReleased })
	stop()
	<-done
	if p := queued(t, db, portal); !p.NextDue.Equal(t0.Add(time.Hour+time.Minute)) || p.LeaseOwner != "" {
		t.Fatalf("after busy: %+v", p)
	}
}

// failingQueue cannot extend leases at all: the database is unreachable
// from the heartbeat.
type failingQueue struct{ worker.Queue }

func (failingQueue) ExtendLease(context.Context, *store.Claim, time.Time, time.Duration) error {
	return errors.New("connection refused")
}

// A worker whose heartbeat keeps failing stops its audit itself when its
// lease ends, since another worker may claim the portal from then on.
func TestWorkerStopsWhenItCannotKeepItsLease(t *testing.T) {
	ctx := context.Background()
	db, clock := setup(t)
	a := newAuditor()
	done := start(ctx, options(failingQueue{db}, clock, "cut-off", a))
	<-a.started
	for range 3 {
		clock.waitTimers(t, 1)
		clock.Advance(lease / 3)
	}
	r := <-done
	if r.err != nil || r.res.Lost != 1 || r.res.Outcomes[worker.Interrupted] != 1 || !errors.Is(a.cause, store.ErrLeaseLost) {
		t.Fatalf("%+v %v, cause %v", r.res, r.err, a.cause)
	}
	if p := queued(t, db, portal); p.LeaseOwner != "" || !p.NextDue.Equal(t0) {
		t.Fatalf("the portal stays due: %+v", p)
	}
}
