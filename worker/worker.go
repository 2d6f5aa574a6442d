// Package worker runs the audit queue: it repeatedly claims a due portal
// from the store, audits it while a heartbeat extends its lease, records how
// it ended and when it is due again, and releases it. Several workers, on
// one machine or many, share one queue; a worker killed mid-audit stops
// extending its lease, and once the lease has expired another worker claims
// the portal. The audit itself is a function given by the caller.
package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/store"
)

// Queue is what a worker asks of the store (store.DB implements it).
type Queue interface {
	ClaimDue(ctx context.Context, owner string, now, horizon, notSince time.Time, lease time.Duration) (*store.Claim, error)
	ExtendLease(ctx context.Context, c *store.Claim, now time.Time, lease time.Duration) error
	EndClaim(ctx context.Context, c *store.Claim, now time.Time, status, errText string, nextDue time.Time) error
	NextWake(ctx context.Context) (time.Time, bool, error)
}

// Clock is the time a worker reads and waits on; tests use a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now().UTC() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SystemClock is the real clock.
var SystemClock Clock = systemClock{}

// Outcome is how one audit ended, as the audit function reports it.
type Outcome string

// The outcomes of an audit. A portal whose audit completed (gate passed,
// failed or absent) is next due one interval after it was claimed; a failed
// one is retried sooner; an interrupted or busy one stays due.
const (
	Complete    Outcome = store.ClaimComplete
	GateFailed  Outcome = store.ClaimGateFailed
	Failed      Outcome = store.ClaimFailed
	Interrupted Outcome = store.ClaimInterrupted
	// Busy: another process is writing this portal (its writer lock is
	// held), nothing was done; the portal is given back.
	Busy Outcome = store.ClaimReleased
)

// Options configure a worker.
type Options struct {
	Owner string        // names this worker in the queue and its logs; NewOwner by default
	Lease time.Duration // a claim's lease; the heartbeat extends it every Lease/3
	Every time.Duration // a portal is due again this long after its audit began
	Retry time.Duration // a failed audit is due again this long after it ended (at most Every)
	Poll  time.Duration // the longest sleep between looks at the queue
	// LockPoll is how often a worker whose Open found the store held tries
	// again (Poll by default); Yield is a pause after each claim, so that
	// workers waiting for a store-wide lock (SQLite's) get their turn.
	LockPoll, Yield time.Duration
	// Once drains what is due and returns instead of waiting for the next
	// due time. A portal due within Every/6 counts as due, so that a job
	// started at the same time every day does not skip a portal audited a
	// few minutes later the day before. Each portal is claimed at most once
	// per run: a failed one waits for the next run.
	Once bool

	Clock Clock
	Log   *slog.Logger
	Lang  string

	// Open gives the queue for one claim and what the audit of it needs;
	// release is called after the claim has ended. An error wrapping
	// store.ErrLocked means the store is held by another writer (SQLite's
	// file lock): the worker waits Poll and tries again.
	Open func(ctx context.Context) (q Queue, release func(), err error)
	// Audit audits the claimed portal with the queue Open gave. It must stop
	// when ctx is cancelled (SIGTERM, or the lease was lost).
	Audit func(ctx context.Context, q Queue, c *store.Claim) (Outcome, error)
}

// Result counts what a worker did.
type Result struct {
	Claims   int
	Outcomes map[Outcome]int
	Lost     int // audits whose lease another worker took meanwhile
}

// NewOwner is a worker's name: host, process id and a random suffix, so
// that two workers of one process are told apart too.
func NewOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Run claims and audits due portals until ctx is cancelled, or, with Once,
// until none is due. It returns ctx's error when it was stopped: the
// current audit was interrupted and its lease released.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Clock == nil {
		o.Clock = SystemClock
	}
	if o.Owner == "" {
		o.Owner = NewOwner()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Lease <= 0 || o.Every <= 0 || o.Poll <= 0 {
		return Result{}, errors.New("worker: Lease, Every and Poll must be positive")
	}
	if o.LockPoll <= 0 {
		o.LockPoll = o.Poll
	}
	if o.Retry <= 0 || o.Retry > o.Every {
		o.Retry = o.Every
	}
	log := o.Log.With("worker", o.Owner)
	res := Result{Outcomes: map[Outcome]int{}}
	waitedLock := false
	var notSince time.Time // with Once, each portal is audited at most once
	if o.Once {
		notSince = o.Clock.Now()
	}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		q, release, err := o.Open(ctx)
		if errors.Is(err, store.ErrLocked) {
			if !waitedLock {
				log.Info(l10n.T(o.Lang, "log.worker.wait"), "reason", plain.FirstLine(err.Error()))
				waitedLock = true
			}
			if err := sleep(ctx, o.Clock, o.LockPoll); err != nil {
				return res, err
			}
			continue
		}
		if err != nil {
			return res, err
		}
		waitedLock = false
		now := o.Clock.Now()
		horizon := now
		if o.Once {
			horizon = now.Add(o.Every / 6)
		}
		c, err := q.ClaimDue(ctx, o.Owner, now, horizon, notSince, o.Lease)
		if err != nil {
			release()
			return res, err
		}
		if c == nil {
			wake, ok, err := q.NextWake(ctx)
			release()
			if err != nil {
				return res, err
			}
			if o.Once {
				log.Info(l10n.T(o.Lang, "log.worker.drained"), "claims", res.Claims)
				return res, nil
			}
			d := o.Poll
			if ok {
				if until := wake.Sub(now); until < d {
					d = max(until, 10*time.Millisecond)
				}
				log.Debug("nothing due", "next", wake)
			}
			if err := sleep(ctx, o.Clock, d); err != nil {
				return res, err
			}
			continue
		}
		res.Claims++
		out, lost, err := o.one(ctx, log, q, c)
		release()
		res.Outcomes[out]++
		if lost {
			res.Lost++
		}
		if err != nil {
			return res, err
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if o.Yield > 0 {
			if err := sleep(ctx, o.Clock, o.Yield); err != nil {
				return res, err
			}
		}
	}
}

// one audits a claimed portal under a heartbeat and ends the claim.
func (o *Options) one(ctx context.Context, log *slog.Logger, q Queue, c *store.Claim) (Outcome, bool, error) {
	log = log.With("portal", c.URL)
	attrs := []any{"lease_until", c.LeaseUntil.Format(time.RFC3339)}
	if c.Expired != "" {
		attrs = append(attrs, "expired_owner", c.Expired)
	}
	log.Info(l10n.T(o.Lang, "log.worker.claimed"), attrs...)

	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		o.heartbeat(actx, log, q, c, stop, cancel)
	}()
	start := o.Clock.Now()
	out, aerr := o.Audit(actx, q, c)
	close(stop)
	wg.Wait()

	now := o.Clock.Now()
	lostLease := errors.Is(context.Cause(actx), store.ErrLeaseLost)
	var next time.Time
	switch {
	case out == Complete || out == GateFailed:
		next = c.Claimed.Add(o.Every)
	case out == Busy:
		next = now.Add(o.Poll)
	case out == Interrupted || lostLease || ctx.Err() != nil:
		out = Interrupted
	default:
		out = Failed
		next = now.Add(o.Retry)
	}
	errText := ""
	if aerr != nil {
		errText = aerr.Error()
	}
	err := q.EndClaim(ctx, c, now, string(out), errText, next)
	took := now.Sub(start).Round(time.Millisecond).String()
	switch {
	case errors.Is(err, store.ErrLeaseLost) || lostLease:
		log.Warn(l10n.T(o.Lang, "log.worker.lost"), "outcome", string(out), "elapsed", took)
		return out, true, nil
	case err != nil:
		return out, false, err
	case out == Interrupted:
		log.Info(l10n.T(o.Lang, "log.worker.released"), "outcome", string(out), "elapsed", took)
	case out == Busy:
		log.Info(l10n.T(o.Lang, "log.worker.busy"), "error", plain.FirstLine(errText), "retry", next.Format(time.RFC3339))
	case out == Failed:
		log.Warn(l10n.T(o.Lang, "log.worker.failed"), "error", plain.FirstLine(errText), "elapsed", took, "next_due", next.Format(time.RFC3339))
	default:
		log.Info(l10n.T(o.Lang, "log.worker.done"), "outcome", string(out), "elapsed", took, "next_due", next.Format(time.RFC3339))
	}
	return out, false, nil
}

// heartbeat extends the lease every Lease/3 until stop is closed. When the
// lease is found lost, or cannot be extended before it ends, the audit is
// cancelled: another worker may hold the portal now.
func (o *Options) heartbeat(ctx context.Context, log *slog.Logger, q Queue, c *store.Claim, stop <-chan struct{}, cancel context.CancelCauseFunc) {
	every := o.Lease / 3
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-o.Clock.After(every):
		}
		now := o.Clock.Now()
		err := q.ExtendLease(context.WithoutCancel(ctx), c, now, o.Lease)
		switch {
		case err == nil:
			log.Debug("lease extended", "lease_until", c.LeaseUntil)
		case errors.Is(err, store.ErrLeaseLost):
			cancel(store.ErrLeaseLost)
			return
		default:
			log.Warn(l10n.T(o.Lang, "log.worker.heartbeat"), "error", plain.FirstLine(err.Error()))
			if !now.Before(c.LeaseUntil) {
				cancel(store.ErrLeaseLost)
				return
			}
		}
	}
}

func sleep(ctx context.Context, c Clock, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.After(d):
		return nil
	}
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"log.worker.claimed":   {FR: "portail pris", EN: "portal claimed"},
		"log.worker.done":      {FR: "audit terminé, portail rendu", EN: "audit done, portal released"},
		"log.worker.failed":    {FR: "audit en échec, portail rendu, nouvel essai plus tard", EN: "audit failed, portal released, retried later"},
		"log.worker.released":  {FR: "audit interrompu, portail rendu", EN: "audit interrupted, portal released"},
		"log.worker.busy":      {FR: "portail en cours d'écriture par un autre processus, rendu", EN: "portal being written by another process, released"},
		"log.worker.lost":      {FR: "bail perdu : un autre travailleur a pris le portail", EN: "lost lease: another worker took the portal"},
		"log.worker.heartbeat": {FR: "impossible de prolonger le bail", EN: "could not extend the lease"},
		"log.worker.wait":      {FR: "la base est en cours d'écriture par un autre processus : attente", EN: "the database is being written by another process: waiting"},
		"log.worker.drained":   {FR: "plus rien d'échu : fin", EN: "nothing more due: done"},
	})
}
