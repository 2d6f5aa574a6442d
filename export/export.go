// Package export writes vigie's history as long-format tables (portals,
// runs, datasets, scores per dimension, findings, links) for analytics
// tools: Parquet files that DuckDB, Spark, pandas or R read without vigie,
// or CSV. Rows are streamed from the store and written in bounded row
// groups, so memory stays flat whatever the catalogue's size; each file is
// written to a temporary name and renamed into place when complete, so an
// interrupted export never leaves a partial file under a table's name.
package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigie-audit/vigie/store"
)

// Formats Export writes.
const (
	FormatParquet = "parquet"
	FormatCSV     = "csv"
)

// Parquet compressions.
const (
	CompressionSnappy = "snappy"
	CompressionZstd   = "zstd"
)

// Tables are the tables Export writes, in order; each becomes
// DIR/<table>.parquet (or .csv).
var Tables = []string{"portals", "runs", "datasets", "scores", "findings", "links"}

// Dimensions are the score dimensions, in the order the scores table lists
// them for one dataset.
var Dimensions = []string{"overall", "completeness", "freshness", "openness", "availability"}

// Options for Export.
type Options struct {
	Format string // FormatParquet (default) or FormatCSV
	Filter store.ExportFilter
	// Compression of Parquet files: CompressionSnappy (default) or
	// CompressionZstd.
	Compression string
	// RowGroup is the number of rows per Parquet row group (memory bound of
	// the writer); 0 means 64k.
	RowGroup int64
	// CreatedBy names the writer in the Parquet footer ("vigie version x").
	CreatedBy string
}

// Source is what Export reads: the store's streams.
type Source interface {
	EachPortalExport(ctx context.Context, f store.ExportFilter, fn func(*store.Portal) error) error
	EachRunExport(ctx context.Context, f store.ExportFilter, fn func(*store.ExportRun) error) error
	EachDatasetExport(ctx context.Context, f store.ExportFilter, fn func(*store.ExportDataset) error) error
	EachScoreExport(ctx context.Context, f store.ExportFilter, fn func(*store.ExportScore) error) error
	EachFindingExport(ctx context.Context, f store.ExportFilter, fn func(*store.ExportFinding) error) error
	EachLinkExport(ctx context.Context, f store.ExportFilter, fn func(*store.ExportLink) error) error
}

// File is one table written.
type File struct {
	Table string
	Path  string
	Rows  int64
}

// Export writes every table into dir (created if needed) and returns the
// files written. On error or cancellation the table being written is left
// out (its temporary file removed); tables already written stay.
func Export(ctx context.Context, src Source, dir string, o Options) ([]File, error) {
	if o.Format == "" {
		o.Format = FormatParquet
	}
	if o.Format != FormatParquet && o.Format != FormatCSV {
		return nil, fmt.Errorf("export format must be parquet or csv, not %q", o.Format)
	}
	if o.Compression != "" && o.Compression != CompressionSnappy && o.Compression != CompressionZstd {
		return nil, fmt.Errorf("compression must be snappy or zstd, not %q", o.Compression)
	}
	if o.RowGroup <= 0 {
		o.RowGroup = 64 << 10
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the export folder: %w", err)
	}
	f := o.Filter
	steps := []struct {
		table string
		write func(path string) (int64, error)
	}{
		{"portals", func(path string) (int64, error) {
			return writeTable(path, o, func(emit func(PortalRow) error) error {
				return src.EachPortalExport(ctx, f, func(p *store.Portal) error { return emit(portalRow(p)) })
			})
		}},
		{"runs", func(path string) (int64, error) {
			return writeTable(path, o, func(emit func(RunRow) error) error {
				return src.EachRunExport(ctx, f, func(r *store.ExportRun) error { return emit(runRow(r)) })
			})
		}},
		{"datasets", func(path string) (int64, error) {
			return writeTable(path, o, func(emit func(DatasetRow) error) error {
				return src.EachDatasetExport(ctx, f, func(d *store.ExportDataset) error { return emit(datasetRow(d)) })
			})
		}},
		{"scores", func(path string) (int64, error) {
			return writeTable(path, o, func(emit func(ScoreRow) error) error {
				return src.EachScoreExport(ctx, f, func(s *store.ExportScore) error {
					for _, r := range scoreRows(s) {
						if err := emit(r); err != nil {
							return err
						}
					}
					return nil
				})
			})
		}},
		{"findings", func(path string) (int64, error) {
			return writeTable(path, o, func(emit func(FindingRow) error) error {
				return src.EachFindingExport(ctx, f, func(x *store.ExportFinding) error { return emit(findingRow(x)) })
			})
		}},
		{"links", func(path string) (int64, error) {
			return writeTable(path, o, func(emit func(LinkRow) error) error {
				return src.EachLinkExport(ctx, f, func(x *store.ExportLink) error { return emit(linkRow(x)) })
			})
		}},
	}
	var out []File
	for _, s := range steps {
		path := filepath.Join(dir, s.table+"."+o.Format)
		n, err := s.write(path)
		if err != nil {
			return out, fmt.Errorf("export of the %s table failed, nothing written to %s: %w", s.table, path, err)
		}
		out = append(out, File{Table: s.table, Path: path, Rows: n})
	}
	return out, nil
}

// rowWriter encodes one table's rows of type T.
type rowWriter[T any] interface {
	write(T) error
	close() error // flush the encoder (not the file)
}

// writeTable streams fill's rows into path through a temporary file in the
// same folder, renamed into place only when every row was written.
func writeTable[T any](path string, o Options, fill func(emit func(T) error) error) (int64, error) {
	af, err := newAtomic(path)
	if err != nil {
		return 0, err
	}
	var w rowWriter[T]
	if o.Format == FormatCSV {
		w, err = newCSVWriter[T](af.w)
	} else {
		w, err = newParquetWriter[T](af.w, o)
	}
	if err != nil {
		af.abort()
		return 0, err
	}
	var n int64
	err = fill(func(r T) error {
		n++
		return w.write(r)
	})
	if err == nil {
		err = w.close()
	}
	if err != nil {
		af.abort()
		return 0, err
	}
	if err := af.commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// ts converts a zero time to nil (unknown).
func tsp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
