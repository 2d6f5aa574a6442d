package pipeline

import (
	"context"
	"errors"

	"github.com/vigie-audit/vigie/store"
)

// EndStatus is how a run that ended with err is recorded, decided here for
// every stage and the audit: complete when it ended without error;
// interrupted when it was cancelled or timed out (its context is done, or
// err wraps context.Canceled or context.DeadlineExceeded); failed otherwise.
func EndStatus(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return store.RunComplete
	case ctx.Err() != nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return store.RunInterrupted
	}
	return store.RunFailed
}
