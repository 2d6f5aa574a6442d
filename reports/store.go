package reports

import (
	"context"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// Store is what the report writers read: a score run's datasets, findings,
// links and indicators, already joined. store.DB (SQLite) is today's; another
// database implements these and the writers stay as they are.
type Store interface {
	Path() string
	Portal(ctx context.Context, portalURL string) (*store.Portal, error)
	LatestScoreRun(ctx context.Context, portalID int64) (*store.ScoreRun, error)
	CompleteScoreRuns(ctx context.Context, portalID int64) ([]store.ScoreRun, error)
	CompareScoreRun(ctx context.Context, portalID int64, current *store.ScoreRun, ref string) (*store.ScoreRun, error)
	ReportDatasets(ctx context.Context, s store.ReportScope, withFindings bool, fn func(*store.ReportDataset) error) error
	ReportFindings(ctx context.Context, s store.ReportScope, fn func(*store.ReportFinding) error) error
	ReportHarvestRunByID(ctx context.Context, id int64) (*store.ReportHarvestRun, error)
	NewestHarvestRunAfter(ctx context.Context, portalID, afterID int64) (*store.ReportHarvestRun, error)
	ReportIndicators(ctx context.Context, s store.ReportScope) (*store.ReportIndicators, error)
	ReportLinks(ctx context.Context, s store.ReportScope) ([]store.ReportLink, error)
	ReportOrganizations(ctx context.Context, s store.ReportScope) ([]store.ReportOrg, error)
	ReportRuleCounts(ctx context.Context, s store.ReportScope, limit int) ([]store.RuleCount, []vigie.Text, error)
	OrgContacts(ctx context.Context, portalID, scoreRunID int64, worst int) (map[string]*store.OrgContact, error)
}
