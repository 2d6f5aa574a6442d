package reports

import (
	"context"

	"github.com/vigie-audit/vigie/store"
)

// OrganizationsOf ranks a score run's organizations of a portal, as the
// reports do: by mean overall score, best first, unknown last.
func OrganizationsOf(ctx context.Context, db *store.DB, portalID, scoreRunID int64) ([]Organization, error) {
	orgs, err := db.ReportOrganizations(ctx, store.ReportScope{PortalID: portalID, ScoreRunID: scoreRunID})
	if err != nil {
		return nil, err
	}
	return organizations(orgs), nil
}
