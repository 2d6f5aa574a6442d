package pipeline

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// opts are a harvest's options with its CKAN source's, as the command
// gives them.
type opts struct {
	Full             bool
	FullEvery        time.Duration
	Orgs             []string
	IncludePrivate   bool
	Rows             int
	Margin           time.Duration
	MaxDatasets      int
	MaxOrganizations int
	MaxMissing       float64
	Progress         func(phase string, fetched, count int)
	Now              func() time.Time
}

// harvestVia harvests the CKAN portal c talks to into db.
func harvestVia(ctx context.Context, c *harvester.Client, db *store.DB, p *store.Portal, o opts) (*HarvestResult, error) {
	src := harvester.NewSource(c, harvester.SourceOptions{Orgs: o.Orgs, IncludePrivate: o.IncludePrivate, Rows: o.Rows,
		MaxDatasets: o.MaxDatasets, MaxOrganizations: o.MaxOrganizations})
	return Harvest(ctx, src, db, p, HarvestOptions{Full: o.Full, FullEvery: o.FullEvery, Orgs: o.Orgs, IncludePrivate: o.IncludePrivate,
		Margin: o.Margin, MaxMissing: o.MaxMissing, Progress: o.Progress, Now: o.Now})
}

// importOpts are an import's options with the file's standard input.
type importOpts struct {
	Complete   bool
	MaxMissing float64
	Stdin      io.Reader
}

// importFile imports a saved CKAN file into db, as harvest --from does.
func importFile(ctx context.Context, db *store.DB, p *store.Portal, path string, o importOpts) (*HarvestResult, error) {
	dump, err := harvester.OpenDump(path, o.Stdin)
	if err != nil {
		return nil, err
	}
	defer dump.Close()
	return Import(ctx, db, p, dump.Read, ImportOptions{Path: path, Complete: o.Complete, MaxMissing: o.MaxMissing})
}

func openStore(tb testing.TB) (*store.DB, *store.Portal) {
	db := storetest.NewDB(tb)
	return db, storetest.Portal(tb, db, "https://portal.example")
}

func fixture(t *testing.T, rel string) string {
	t.Helper()
	return filepath.Join("..", "testdata", "real", rel)
}
