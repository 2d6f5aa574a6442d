package linkcheck

import (
	"container/heap"
	"context"
	"sync"

	"github.com/vigie-audit/vigie"
)

// Run checks each distinct URL of targets once, in the given order as far as
// the per-host limits allow, and returns the new states (Debounce applied to
// each target's Prev). With Options.OnResult set, each state goes to it
// instead and Run returns nil, so that a large run does not hold them all.
// Formats of duplicate targets are merged, in targets' own array (Run
// reorders and overwrites it; callers pass a list they no longer need). When ctx is cancelled it stops
// with the URLs fully checked so far; checks cut short are dropped, not
// recorded as failures.
func (c *Checker) Run(ctx context.Context, targets []Target) []vigie.LinkResult {
	jobs := dedupe(targets)
	total := len(jobs)
	if total == 0 {
		return nil
	}
	s := newScheduler(jobs, c.opts.PerHost, c.opts.HostFailures)
	stop := context.AfterFunc(ctx, s.wake)
	defer stop()

	results := make(chan vigie.LinkResult, c.opts.Concurrency)
	var wg sync.WaitGroup
	for range min(c.opts.Concurrency, total) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, q, skip, ok := s.next(ctx)
				if !ok {
					return
				}
				var obs vigie.LinkResult
				down := false
				if skip {
					obs = vigie.LinkResult{URL: jobs[i].URL, Class: vigie.LinkUnsure, Reason: SkippedReason,
						Skipped: true, ContentLength: -1, CheckedAt: c.opts.Now()}
				} else {
					obs, down = c.check(ctx, jobs[i])
				}
				s.done(q, skip, down)
				if ctx.Err() != nil {
					return
				}
				results <- Debounce(previous(jobs[i].Prev), obs, obs.CheckedAt, c.opts.FailuresToBroken, c.opts.BrokenAfter)
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var out []vigie.LinkResult
	done := 0
	for r := range results {
		done++
		if c.opts.OnResult != nil {
			c.opts.OnResult(r)
		} else {
			out = append(out, r)
		}
		if c.opts.Progress != nil {
			c.opts.Progress(done, total)
		}
	}
	return out
}

// dedupe keeps the first occurrence of each URL and merges declared formats.
// It works in place, in targets' own array: a night's list of every URL is
// the link check's largest allocation, and a copy would double it.
func dedupe(targets []Target) []Target {
	seen := make(map[string]int, len(targets))
	out := targets[:0]
	for _, t := range targets {
		if i, ok := seen[t.URL]; ok {
			// a merge gets its own array: the first occurrence's may be
			// shared with the caller's
			f := out[i].Formats
			out[i].Formats = appendNew(f[:len(f):len(f)], t.Formats...)
			continue
		}
		seen[t.URL] = len(out)
		if hasRepeat(t.Formats) {
			t.Formats = appendNew(nil, t.Formats...)
		}
		out = append(out, t)
	}
	clear(targets[len(out):]) // the dropped tail holds no URL or state alive
	return out
}

// hasRepeat reports whether a value appears twice in list.
func hasRepeat(list []string) bool {
	for i, a := range list {
		for _, b := range list[:i] {
			if a == b {
				return true
			}
		}
	}
	return false
}

func appendNew(list []string, items ...string) []string {
next:
	for _, it := range items {
		for _, have := range list {
			if have == it {
				continue next
			}
		}
		list = append(list, it)
	}
	return list
}

// targetKey is the host a target is scheduled under ("" when it is not an
// http(s) URL and needs no connection).
func targetKey(raw string) string {
	u, _, _ := parseTarget(raw)
	if u == nil {
		return ""
	}
	return hostKey(u)
}

// hostQueue holds one host's pending jobs, in priority order.
type hostQueue struct {
	jobs     []int
	inflight int
	pos      int  // index in the heap, -1 when out of it
	fails    int  // consecutive checks that found the host unreachable
	tripped  bool // the host is skipped for the rest of the run
}

// free reports whether the host can take one more job now: a tripped host
// takes any number, as its jobs make no request.
func (q *hostQueue) free(perHost int) bool { return q.tripped || q.inflight < perHost }

// scheduler hands out the earliest pending job whose host has a free slot,
// so workers never sit waiting on a busy host while others are idle.
type scheduler struct {
	mu      sync.Mutex
	cond    *sync.Cond
	ready   queueHeap
	perHost int
	tripAt  int // consecutive unreachable checks that trip a host's breaker
	pending int
}

func newScheduler(jobs []Target, perHost, tripAt int) *scheduler {
	s := &scheduler{perHost: perHost, tripAt: max(tripAt, 1), pending: len(jobs)}
	s.cond = sync.NewCond(&s.mu)
	byHost := make(map[string]*hostQueue)
	for i, t := range jobs {
		k := targetKey(t.URL)
		q, ok := byHost[k]
		if !ok {
			q = &hostQueue{pos: -1}
			byHost[k] = q
		}
		q.jobs = append(q.jobs, i)
	}
	for _, q := range byHost {
		heap.Push(&s.ready, q)
	}
	return s
}

// next blocks until a job can start; ok is false when none is left or ctx
// is done. skip is set when the job's host is tripped: it is not checked.
func (s *scheduler) next(ctx context.Context) (job int, q *hostQueue, skip, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if ctx.Err() != nil || s.pending == 0 {
			return 0, nil, false, false
		}
		if s.ready.Len() > 0 {
			q = heap.Pop(&s.ready).(*hostQueue)
			job, q.jobs = q.jobs[0], q.jobs[1:]
			q.inflight++
			s.pending--
			if q.free(s.perHost) && len(q.jobs) > 0 {
				heap.Push(&s.ready, q)
			}
			if s.pending == 0 {
				s.cond.Broadcast()
			}
			return job, q, q.tripped, true
		}
		s.cond.Wait()
	}
}

// done frees the host slot a job held and feeds the host's circuit
// breaker: down counts one more consecutive unreachable check, anything
// else (an HTTP answer, a refused connection…) starts the count again.
func (s *scheduler) done(q *hostQueue, skipped, down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q.inflight--
	if !skipped && !q.tripped {
		if !down {
			q.fails = 0
		} else if q.fails++; q.fails >= s.tripAt {
			q.tripped = true
		}
	}
	if q.pos < 0 && len(q.jobs) > 0 && q.free(s.perHost) {
		heap.Push(&s.ready, q)
		if q.tripped {
			s.cond.Broadcast()
		} else {
			s.cond.Signal()
		}
	}
}

// wake releases every waiting worker (on cancellation).
func (s *scheduler) wake() {
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}

// queueHeap orders host queues by their earliest pending job.
type queueHeap []*hostQueue

func (h queueHeap) Len() int           { return len(h) }
func (h queueHeap) Less(i, j int) bool { return h[i].jobs[0] < h[j].jobs[0] }
func (h queueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i, j
}
func (h *queueHeap) Push(x any) {
	q := x.(*hostQueue)
	q.pos = len(*h)
	*h = append(*h, q)
}
func (h *queueHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	q.pos = -1
	return q
}

// Summary counts a run's results.
type Summary struct {
	URLs, Hosts                                   int
	OK, Broken, Failing, Unsure, Invalid, Blocked int
	LandingPages, ManyRedirects                   int
	// Skipped counts the unsure URLs not checked because their host was
	// unreachable during the run.
	Skipped int
}

// Summarize counts results by class and the distinct hosts they live on.
func Summarize(results []vigie.LinkResult) Summary {
	var t Tally
	for _, r := range results {
		t.Add(r)
	}
	return t.Summary()
}

// Tally builds a Summary one result at a time, without keeping the results.
// The zero value is ready to use.
type Tally struct {
	s     Summary
	hosts map[string]bool
}

// Add counts one result.
func (t *Tally) Add(r vigie.LinkResult) {
	s := &t.s
	s.URLs++
	if k := targetKey(r.URL); k != "" {
		if t.hosts == nil {
			t.hosts = make(map[string]bool)
		}
		t.hosts[k] = true
	}
	switch r.Class {
	case vigie.LinkOK:
		s.OK++
	case vigie.LinkBroken:
		s.Broken++
	case vigie.LinkFailing:
		s.Failing++
	case vigie.LinkUnsure:
		s.Unsure++
	case vigie.LinkInvalid:
		s.Invalid++
	case vigie.LinkBlocked:
		s.Blocked++
	}
	if r.LandingPage {
		s.LandingPages++
	}
	if r.Skipped {
		s.Skipped++
	}
	if r.Redirects > ManyRedirects {
		s.ManyRedirects++
	}
}

// Summary returns the counts so far.
func (t *Tally) Summary() Summary {
	s := t.s
	s.Hosts = len(t.hosts)
	return s
}
