package harvester

import "context"

// prefetcher fetches pages of an offset-paged listing ahead of the one being
// used: while the caller stores a page, the next ones are already on the
// wire, so a portal's latency is paid about once per depth pages instead of
// once per page. Results are handed back strictly in offset order and only
// for the offset asked for: when a page turns out shorter than the step the
// guesses were made with (a portal clamping rows, the end of the listing),
// every guess is cancelled and the listing goes on from the true offset, as
// a one-at-a-time walk would.
type prefetcher[T any] struct {
	ctx   context.Context
	depth int // most fetches in flight
	fetch func(ctx context.Context, start int) (T, error)
	queue []*future[T]
}

type future[T any] struct {
	start  int
	cancel context.CancelFunc
	done   chan struct{}
	v      T
	err    error
}

func newPrefetcher[T any](ctx context.Context, depth int, fetch func(context.Context, int) (T, error)) *prefetcher[T] {
	return &prefetcher[T]{ctx: ctx, depth: max(1, depth), fetch: fetch}
}

func (p *prefetcher[T]) launch(start int) {
	ctx, cancel := context.WithCancel(p.ctx)
	f := &future[T]{start: start, cancel: cancel, done: make(chan struct{})}
	p.queue = append(p.queue, f)
	go func() {
		defer close(f.done)
		f.v, f.err = p.fetch(ctx, start)
	}()
}

// drop cancels every fetch in flight and waits for them to end.
func (p *prefetcher[T]) drop() {
	for _, f := range p.queue {
		f.cancel()
	}
	for _, f := range p.queue {
		<-f.done
	}
	p.queue = p.queue[:0]
}

// get returns the page at start, fetching it now unless it is already on its way.
func (p *prefetcher[T]) get(start int) (T, error) {
	if len(p.queue) > 0 && p.queue[0].start != start {
		p.drop()
	}
	if len(p.queue) == 0 {
		p.launch(start)
	}
	f := p.queue[0]
	<-f.done
	f.cancel()
	p.queue = p.queue[1:]
	return f.v, f.err
}

// ahead starts fetching the pages at next, next+step, … below limit (no limit
// when limit < 0), keeping at most depth in flight. Guesses that no longer
// line up with next are dropped first.
func (p *prefetcher[T]) ahead(next, step, limit int) {
	if step <= 0 {
		return
	}
	if len(p.queue) > 0 && p.queue[0].start != next {
		p.drop()
	}
	s := next
	if n := len(p.queue); n > 0 {
		s = p.queue[n-1].start + step
	}
	for len(p.queue) < p.depth && (limit < 0 || s < limit) {
		p.launch(s)
		s += step
	}
}

// close cancels what is still in flight.
func (p *prefetcher[T]) close() { p.drop() }
