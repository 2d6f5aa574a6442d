package pipeline

import (
	"context"
	"testing"

	"github.com/vigie-audit/vigie"
)

// Score judges licences with the portal's stored register first: an id the
// Open Definition list does not know is open when the portal approves it,
// and the verdict says so.
func TestScoreUsesThePortalLicenceRegister(t *testing.T) {
	ctx := context.Background()
	db := seed(t, "https://x.example")
	p, err := db.Portal(ctx, portalURL)
	if err != nil {
		t.Fatal(err)
	}
	// Without a register, cc-by is judged by the Open Definition list.
	out, err := Score(ctx, db, vigie.Scope{Portal: portalURL}, ScoreOptions{Profile: "ckan"})
	if err != nil {
		t.Fatal(err)
	}
	as, _ := db.Assessments(ctx, out.Run.ID)
	if a := as["a"]; a.LicenceStatus != vigie.LicenceOpen || a.LicenceBy != "register" {
		t.Fatalf("without a register: %s by %q", a.LicenceStatus, a.LicenceBy)
	}
	// A register that rejects it (a portal may declare its own terms): the portal decides.
	if err := db.SavePortalLicences(ctx, p.ID, []vigie.Licence{{ID: "cc-by", Title: "Attribution", ODConformance: "rejected"}}); err != nil {
		t.Fatal(err)
	}
	out, err = Score(ctx, db, vigie.Scope{Portal: portalURL}, ScoreOptions{Profile: "ckan"})
	if err != nil {
		t.Fatal(err)
	}
	as, _ = db.Assessments(ctx, out.Run.ID)
	if a := as["a"]; a.LicenceStatus != vigie.LicenceNotOpen || a.LicenceBy != "portal" || a.OpenLicence || a.Stars != 0 {
		t.Fatalf("with the register: %s by %q, stars %d", a.LicenceStatus, a.LicenceBy, a.Stars)
	}
}
