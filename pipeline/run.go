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

// runEnd is how a stage's run ended, as its store record says it: the
// status (EndStatus) and the message kept with it, interrupted's own (how
// far it got) or the failure's first line.
func runEnd(ctx context.Context, err error, interrupted string) (status, msg string) {
	switch status = EndStatus(ctx, err); status {
	case store.RunInterrupted:
		msg = interrupted
	case store.RunFailed:
		msg = plain.FirstLine(err.Error())
	}
	return status, msg
}
