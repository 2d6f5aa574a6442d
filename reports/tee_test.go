package reports

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// countRows is a row source of n datasets, counting the passes made.
type countRows struct {
	n      int
	passes int
	err    error // returned after the rows
}

func (c *countRows) datasets(ctx context.Context, withFindings bool, fn func(*Dataset) error) error {
	c.passes++
	for i := 0; i < c.n; i++ {
		if err := fn(&Dataset{ID: fmt.Sprint(i), Findings: []Finding{{Rule: "r"}}}); err != nil {
			return err
		}
	}
	return c.err
}

func (c *countRows) findings(ctx context.Context, fn func(*FindingRow) error) error { return nil }

// runTee runs one reader per function on one pass and returns their errors.
func runTee(t *testing.T, src *countRows, readers ...func(r *Report) error) []error {
	t.Helper()
	tee, copies := newDatasetTee(&Report{rows: src}, len(readers))
	errs := make([]error, len(readers))
	var wg sync.WaitGroup
	for i, read := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tee.finished(i)
			errs[i] = read(copies[i])
		}()
	}
	done := make(chan struct{})
	go func() { tee.run(context.Background()); wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the tee is stuck")
	}
	return errs
}

func readAll(got *int) func(r *Report) error {
	return func(r *Report) error {
		return r.EachDataset(context.Background(), true, func(d *Dataset) error { *got++; return nil })
	}
}

// One pass feeds every reader all the rows, whatever the others do: one
// that stops early, one that never reads; the pass's error reaches each.
func TestDatasetTeeOnePassForAll(t *testing.T) {
	src := &countRows{n: 3*teeBatch + 7}
	var a, b int
	if errs := runTee(t, src, readAll(&a), readAll(&b)); errs[0] != nil || errs[1] != nil || a != src.n || b != src.n || src.passes != 1 {
		t.Errorf("two readers: %v, rows %d and %d of %d, %d passes", errs, a, b, src.n, src.passes)
	}
	stop := errors.New("stop")
	src = &countRows{n: 5 * teeBatch}
	a = 0
	errs := runTee(t, src, readAll(&a), func(r *Report) error {
		return r.EachDataset(context.Background(), true, func(d *Dataset) error { return stop })
	}, func(r *Report) error { return nil })
	if errs[0] != nil || a != src.n || !errors.Is(errs[1], stop) {
		t.Errorf("a reader that stops and one that never reads: %v, rows %d of %d", errs, a, src.n)
	}
	broken := errors.New("store failed")
	src = &countRows{n: 10, err: broken}
	errs = runTee(t, src, readAll(&a), readAll(&b))
	if !errors.Is(errs[0], broken) || !errors.Is(errs[1], broken) {
		t.Errorf("the pass's error reached the readers as %v", errs)
	}
	src = &countRows{n: 10}
	errs = runTee(t, src, func(r *Report) error {
		readAll(&a)(r)
		return readAll(&a)(r)
	})
	if !errors.Is(errs[0], errTeeTwice) {
		t.Errorf("a second pass asked of the tee: %v", errs)
	}
}
