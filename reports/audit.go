package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
}

// Formats names the audit.<format> files WriteReports writes.
func (w AuditWriter) Formats() []string { return AuditFormats }

// WriteReports writes audit.<format> for each audit format into dir.
func (w AuditWriter) WriteReports(ctx context.Context, dir string) error {
	r, err := Build(ctx, w.Store, w.Options)
	if err != nil {
		return err
	}
	for _, format := range AuditFormats {
		fw, err := ForFormat(format, CSV{})
		if err != nil {
			return err
		}
		path := filepath.Join(dir, "audit."+format)
		if err := WriteFileAtomic(path, func(f *os.File) error { return fw.Write(ctx, f, r) }); err != nil {
			return fmt.Errorf("%s report: %w", format, err)
		}
	}
	return nil
}

// WriteDiff writes diff.md and diff.json (see WriteAuditDiff).
func (w AuditWriter) WriteDiff(ctx context.Context, dir, portalURL string, d *vigie.DiffResult) error {
	return WriteAuditDiff(dir, d, portalURL, w.Options.Lang)
}

// WriteRun writes run.json (see WriteRunJSON).
func (w AuditWriter) WriteRun(ctx context.Context, dir string, rec *vigie.AuditRecord) error {
	return WriteRunJSON(dir, rec)
}
