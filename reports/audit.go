package reports

import (
	"context"
	"os"

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
	// Parallel is how many formats are written at once, html and json
	// counting as one (they share one pass over the datasets); 0 means one.
	// Each reads the store on its own connections: at 100,000 datasets two
	// at a time took the stage's peak from 360 to 380–410 MiB, beside the
	// comparison, for a few seconds. On PostgreSQL a reader may hold two of
	// the pool's few connections while it waits for a third: keep it low.
	Parallel int
}

// Formats names the audit.<format> files WriteReports writes.
func (w AuditWriter) Formats() []string { return AuditFormats }

// WriteReports writes audit.<format> for each audit format into dir, a
// folder of its own (the audit's dated folder being filled): up to
// Parallel at once, the longest (xlsx) first, html and json together. The
// first failure stops the others and names its format; files already
// written stay in dir, which the caller throws away.
func (w AuditWriter) WriteReports(ctx context.Context, dir string) error {
	r, err := Build(ctx, w.Store, w.Options)
	if err != nil {
		return err
	}
	defer r.Close()
	return writeFormats(ctx, dir, r, AuditFormats, max(1, w.Parallel))
}

// writeFormats writes dir/audit.<format> for each format, up to parallel at
// once, in the order given. html and json run together on one pass over
// the datasets with their findings (a tee), counted as one.
func writeFormats(ctx context.Context, dir string, r *Report, formats []string, parallel int) error {
	writers := map[string]Writer{}
	for _, format := range formats {
		fw, err := ForFormat(format, CSV{})
		if err != nil {
			return err
		}
		writers[format] = fw
	}
	write := func(ctx context.Context, format string, r *Report) error {
		err := writeFilesAtomic(dir, []string{"audit." + format}, func(_ int, f *os.File) error { return writers[format].Write(ctx, f, r) })
		if err != nil {
			return vigie.NewError(vigie.KindOf(err), "reports.format_failed", format, err)
		}
		return nil
	}
	// jobs are the formats written together.
	var jobs [][]string
	shared := -1
	for _, format := range formats {
		if (format == "html" || format == "json") && r.rows != nil {
			if shared >= 0 {
				jobs[shared] = append(jobs[shared], format)
				continue
			}
			shared = len(jobs)
		}
		jobs = append(jobs, []string{format})
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for _, job := range jobs {
		if gctx.Err() != nil {
			break // a format failed: start no other
		}
		g.Go(func() error {
			if len(job) == 1 {
				return write(gctx, job[0], r)
			}
			tee, copies := newDatasetTee(r, len(job))
			jg, jctx := errgroup.WithContext(gctx)
			for i, format := range job {
				jg.Go(func() error {
					defer tee.finished(i)
					return write(jctx, format, copies[i])
				})
			}
			jg.Go(func() error { tee.run(jctx); return nil })
			return jg.Wait()
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
