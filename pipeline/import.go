package pipeline

import (
	"context"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// ReadDump reads a saved catalogue (CKAN's is harvester.Dump.Read): it hands
// on datasets in batches, each once, organizations one at a time, and at the
// end the licence register the file held, if any.
type ReadDump func(ctx context.Context, datasets func([]vigie.Dataset) error, organization func(vigie.Organization) error, licences func([]vigie.Licence) error) error

// ImportOptions control an offline import.
type ImportOptions struct {
	// Path names the file in the run's reason and errors ("-" for stdin).
	Path string
	// Complete says the file holds the whole catalogue (a full ckanapi dump):
	// datasets it lacks are then marked missing, then deleted, as after a
	// complete full pass. Without it the import only adds and updates.
	Complete bool
	// MaxMissing is the share (0–1) of the active datasets a complete
	// import may mark missing; above it the import fails and marks nothing
	// (a file cut short, or the dump of one organization, is not the whole
	// catalogue). 0 means DefaultMaxMissing, negative refuses any.
	MaxMissing float64
	Progress   func(phase string, fetched, count int)
}

// Import stores what read finds in a saved file as one harvest run.
func Import(ctx context.Context, db HarvestStore, portal *store.Portal, read ReadDump, o ImportOptions) (*HarvestResult, error) {
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
	start := time.Now()
	scope := store.HarvestOptions{Mode: store.ModeImport, IncludePrivate: true}
	res := &HarvestResult{Mode: store.ModeImport}
	res.setReason("--from "+o.Path, "reason.from", o.Path)
	status, err := run(ctx, func(ctx context.Context) (int64, error) { return db.BeginHarvestRun(ctx, portal.ID, scope) },
		func(ctx context.Context, runID int64) error {
			res.RunID = runID
			err := importDump(ctx, db, portal, read, o, scope, res)
			res.Elapsed = time.Since(start)
			if err != nil {
				return &vigie.Error{Kind: vigie.KindOf(err), ID: "pipeline.import", Args: []any{o.Path, err}, Path: o.Path, Err: err}
			}
			return nil
		},
		func(ctx context.Context, runID int64, status string, err error) error {
			r := store.HarvestResult{Status: status, ListingComplete: res.ListingComplete, Expected: res.Fetched,
				Fetched: res.Fetched, Counts: res.Counts, Missing: res.Missing, Deleted: res.Deleted, Organizations: res.Organizations}
			if err != nil {
				r.ListingComplete, r.Error = false, err.Error()
			}
			return db.FinishHarvestRun(ctx, runID, r)
		})
	if status == "" {
		return nil, err // the run did not begin
	}
	return res, err
}

// importDump stores what read finds into run res.RunID, counting it in res,
// then, for a complete file, marks what it lacks missing.
func importDump(ctx context.Context, db HarvestStore, portal *store.Portal, read ReadDump, o ImportOptions, scope store.HarvestOptions, res *HarvestResult) error {
	err := read(ctx,
		func(ds []vigie.Dataset) error {
			c, err := db.SaveDatasets(ctx, portal.ID, res.RunID, ds)
			if err != nil {
				return err
			}
			res.Counts.Add(c)
			res.Fetched += len(ds)
			o.Progress("import", res.Fetched, 0)
			return nil
		},
		func(org vigie.Organization) error {
			if err := db.SaveOrganizations(ctx, portal.ID, res.RunID, []vigie.Organization{org}); err != nil {
				return err
			}
			res.Organizations++
			return nil
		},
		func(ls []vigie.Licence) error {
			res.Licences = len(ls)
			return db.SavePortalLicences(ctx, portal.ID, ls)
		})
	if err == nil && res.Fetched == 0 && res.Organizations == 0 && res.Licences == 0 {
		err = vigie.NewError(vigie.KindOther, "pipeline.import_empty", o.Path)
	}
	if err == nil && o.Complete {
		err = importGuard(ctx, db, portal.ID, res.RunID, scope, o.MaxMissing)
	}
	if err == nil && o.Complete {
		res.ListingComplete = true
		res.Missing, res.Deleted, err = db.MarkMissing(ctx, portal.ID, res.RunID, scope)
	}
	return err
}

// importGuard refuses a complete import that would mark more than max of
// the active datasets missing: offline, nothing can check them.
func importGuard(ctx context.Context, db HarvestStore, portalID, runID int64, scope store.HarvestOptions, max float64) error {
	if max == 0 {
		max = DefaultMaxMissing
	}
	active, err := db.CountDatasets(ctx, portalID, scope, vigie.StateActive)
	if err != nil {
		return err
	}
	unseen, _, err := db.UnseenActive(ctx, portalID, runID, scope, 0)
	if err != nil || unseen == 0 || active == 0 {
		return err
	}
	if share := float64(unseen) / float64(active); max < 0 || share > max {
		return &vigie.Error{Kind: vigie.KindTooManyMissing, ID: "pipeline.import_missing", Err: ErrMassMissing,
			Args: []any{count(unseen), count(active), percent(share), percent(max0(max))}}
	}
	return nil
}

func max0(f float64) float64 { return max(f, 0) }
