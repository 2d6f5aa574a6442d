package pipeline

import (
	"context"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// The stages read and write through these interfaces, each what one stage
// uses; store.DB (SQLite) is today's implementation of all of them, so
// another database can be added without touching the stages. HarvestStore
// is with the harvest stage.

// ScoreStore is what the score stage reads and writes.
type ScoreStore interface {
	Portal(ctx context.Context, portalURL string) (*store.Portal, error)
	PortalLicences(ctx context.Context, portalID int64) (map[string]vigie.Licence, error)
	LatestScoreRun(ctx context.Context, portalID int64) (*store.ScoreRun, error)
	LinksChecked(ctx context.Context) (bool, error)
	CountDatasets(ctx context.Context, portalID int64, o store.HarvestOptions, state string) (int, error)
	EachDataset(ctx context.Context, f store.DatasetFilter, fn func(*vigie.Dataset) error) error
	EachDatasetLinkBatch(ctx context.Context, f store.DatasetFilter, fn func(b *store.DatasetLinksBatch) error) error
	BeginScoreRunHashed(ctx context.Context, portalID int64, profile, profileHash string) (int64, error)
	FinishScoreRun(ctx context.Context, runID int64, status string, datasets int, errMsg string) error
	SaveAssessments(ctx context.Context, runID int64, as []vigie.Assessment) error
	AsOf() time.Time
}

// LinkStore is what the link stage reads and writes.
type LinkStore interface {
	Portal(ctx context.Context, portalURL string) (*store.Portal, error)
	URLsToCheck(ctx context.Context, s vigie.Scope, all bool, olderThan time.Duration) ([]store.LinkTarget, error)
	BeginLinkRun(ctx context.Context, portalID int64) (int64, error)
	SaveLinkResults(ctx context.Context, runID int64, results []vigie.LinkResult) error
	FinishLinkRun(ctx context.Context, runID int64, status string, c store.LinkCounts, errMsg string) error
	NowFunc() func() time.Time
}
