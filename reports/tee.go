package reports

import (
	"context"
	"errors"
)

// A tee reads the datasets with their findings once for several writers
// running at the same time (html and json in an audit folder): one pass
// over the store instead of one per format. Each writer gets its own copy of
// the report, whose EachDataset with findings takes the rows from the
// shared pass; everything else reads the store as before.

const teeBatch = 256

type datasetTee struct {
	src  rowSource
	subs []*teeRows
}

// teeRows is one writer's side of a tee.
type teeRows struct {
	src  rowSource
	ch   chan []*Dataset
	done chan struct{} // closed when the writer is done, read or not
	err  error         // the pass's error, set before ch is closed
	used bool
}

// newDatasetTee returns a copy of r per writer, all fed by one pass, and
// the pass to run beside them. r must stream from the store.
func newDatasetTee(r *Report, n int) (*datasetTee, []*Report) {
	t := &datasetTee{src: r.rows}
	out := make([]*Report, n)
	for i := range out {
		s := &teeRows{src: r.rows, ch: make(chan []*Dataset, 4), done: make(chan struct{})}
		t.subs = append(t.subs, s)
		c := *r
		c.rows, c.end = s, nil
		out[i] = &c
	}
	return t, out
}

// finished tells the pass that writer i reads no more.
func (t *datasetTee) finished(i int) { close(t.subs[i].done) }

// run reads the datasets with their findings once and hands every batch to
// each writer still reading; a writer that stopped is skipped. The pass's
// error goes to the writers, which name their format with it.
func (t *datasetTee) run(ctx context.Context) {
	batch := make([]*Dataset, 0, teeBatch)
	send := func() error {
		for _, s := range t.subs {
			select {
			case s.ch <- batch:
			case <-s.done:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		batch = make([]*Dataset, 0, teeBatch)
		return nil
	}
	err := t.src.datasets(ctx, true, func(d *Dataset) error {
		c := *d
		batch = append(batch, &c)
		if len(batch) == teeBatch {
			return send()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = send()
	}
	for _, s := range t.subs {
		s.err = err
		close(s.ch)
	}
}

var errTeeTwice = errors.New("the datasets with their findings were asked twice of one pass")

func (s *teeRows) datasets(ctx context.Context, withFindings bool, fn func(*Dataset) error) error {
	if !withFindings {
		return s.src.datasets(ctx, withFindings, fn)
	}
	if s.used {
		return errTeeTwice
	}
	s.used = true
	for b := range s.ch {
		for _, d := range b {
			if err := fn(d); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return s.err
}

func (s *teeRows) findings(ctx context.Context, fn func(*FindingRow) error) error {
	return s.src.findings(ctx, fn)
}
