package pipeline

import (
	"context"
	"errors"

	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/store"
)

// EndStatus is how a run that ended with err is recorded, decided here for
// every stage and the audit: complete when it ended without error;
// interrupted when its context is done (cancelled, or past its deadline)
// or err wraps context.Canceled; failed otherwise. An error that merely
// wraps context.DeadlineExceeded is a failure: an HTTP client's timeout
// says so too, and a portal that stops answering has not interrupted vigie.
func EndStatus(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return store.RunComplete
	case ctx.Err() != nil, errors.Is(err, context.Canceled):
		return store.RunInterrupted
	}
	return store.RunFailed
}

// run is the one lifecycle of every run a stage records — harvest, import,
// links, score and the audit: begin records it as running and returns its
// id (nil for a run written only when it ends, as an audit is: its portal
// may not exist before its first harvest), work does the job, and finish
// records how it ended with the status EndStatus decides from work's error
// and ctx. finish gets a context that survives cancellation, so that an
// interrupted run is recorded as such. A finish that fails leaves the run
// not complete: run then says failed, with work's error, or else finish's.
func run(ctx context.Context, begin func(ctx context.Context) (int64, error), work func(ctx context.Context, runID int64) error,
	finish func(ctx context.Context, runID int64, status string, err error) error) (status string, err error) {
	var id int64
	if begin != nil {
		if id, err = begin(ctx); err != nil {
			return "", err
		}
	}
	err = work(ctx, id)
	status = EndStatus(ctx, err)
	if ferr := finish(context.WithoutCancel(ctx), id, status, err); ferr != nil {
		status = store.RunFailed
		if err == nil {
			err = ferr
		}
	}
	return status, err
}

// endMessage is the message a stage's run keeps with its status:
// interrupted's own (how far it got), the failure's first line, or none.
func endMessage(status string, err error, interrupted string) string {
	switch status {
	case store.RunInterrupted:
		return interrupted
	case store.RunFailed:
		return plain.FirstLine(err.Error())
	}
	return ""
}
