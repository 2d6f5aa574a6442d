package reports

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/vigie-audit/vigie"
)

// AuditFormats are the report files of an audit folder, audit.<format>.
var AuditFormats = []string{"xlsx", "html", "json", "md"}

// AuditWriter writes the report files of an audit folder (it is the
// pipeline's AuditWriter): audit.<format> for each of AuditFormats, then
// diff.md, diff.json and audit.md's "since last run" section, and run.json.
type AuditWriter struct {
	Store   Store
	Options Options
	// Parallel is how many formats are written at once; 0 means GOMAXPROCS.
	// Each reads the report and the store on its own connections.
	Parallel int
}

// Formats names the audit.<format> files WriteReports writes.
func (w AuditWriter) Formats() []string { return AuditFormats }

// WriteReports writes audit.<format> for each audit format into dir, a
// folder of its own (the audit's dated folder being filled): the formats
// are written at the same time, up to Parallel at once, the longest
// (xlsx) first. The first failure stops the others and names its format;
// files already written stay in dir, which the caller throws away.
func (w AuditWriter) WriteReports(ctx context.Context, dir string) error {
	r, err := Build(ctx, w.Store, w.Options)
	if err != nil {
		return err
	}
	defer r.Close()
	return writeFormats(ctx, dir, r, AuditFormats, w.Parallel)
}

// writeFormats writes dir/audit.<format> for each format, up to parallel at
// once (0: GOMAXPROCS), in the order given.
func writeFormats(ctx context.Context, dir string, r *Report, formats []string, parallel int) error {
	if parallel <= 0 {
		parallel = runtime.GOMAXPROCS(0)
	}
	writers := make([]Writer, len(formats))
	for i, format := range formats {
		fw, err := ForFormat(format, CSV{})
		if err != nil {
			return err
		}
		writers[i] = fw
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for i, format := range formats {
		if gctx.Err() != nil {
			break // a format failed: start no other
		}
		g.Go(func() error {
			name := "audit." + format
			err := writeFilesAtomic(dir, []string{name}, func(_ int, f *os.File) error { return writers[i].Write(gctx, f, r) })
			if err != nil {
				return fmt.Errorf("%s report: %w", format, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// WriteDiff writes diff.md and diff.json (see WriteAuditDiff).
func (w AuditWriter) WriteDiff(ctx context.Context, dir, portalURL string, d *vigie.DiffResult) error {
	return WriteAuditDiff(dir, d, portalURL, w.Options.Lang)
}

// WriteRun writes run.json (see WriteRunJSON).
func (w AuditWriter) WriteRun(ctx context.Context, dir string, rec *vigie.AuditRecord) error {
	return WriteRunJSON(dir, rec)
}
