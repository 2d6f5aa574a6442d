package reports

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
)

// JSON writes the whole report as one JSON document whose shape is
// docs/report.schema.json. Datasets are streamed one per line, so the
// document never sits in memory as a whole.
type JSON struct{}

var _ Writer = (*JSON)(nil)

// Write writes r to w.
func (JSON) Write(ctx context.Context, w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	head := []struct {
		key string
		val any
	}{
		{"portal", r.Portal}, {"generated_at", r.GeneratedAt}, {"vigie_version", r.VigieVersion}, {"harvest_run", r.HarvestRun}, {"score_run", r.ScoreRun}, {"warnings", nonNil(r.Warnings)},
		{"compare_run", r.CompareRun}, {"profile", r.Profile}, {"lang", r.Lang}, {"orgs", nonNil(r.Orgs)},
		{"include_private", r.IncludePrivate},
		{"commitment", nonNil(r.Commitment)}, {"summary", r.Summary}, {"organizations", nonNil(r.Organizations)},
		{"top_findings", nonNil(r.TopFindings)}, {"links", nonNil(r.Links)}, {"history", nonNil(r.History)},
	}
	bw.WriteString("{\n")
	for _, h := range head {
		b, err := json.MarshalIndent(h.val, "  ", "  ")
		if err != nil {
			return err
		}
		bw.WriteString(`  "` + h.key + `": `)
		bw.Write(b)
		bw.WriteString(",\n")
	}
	bw.WriteString(`  "datasets": [`)
	first := true
	var line []byte // one dataset's line, its buffer reused
	err := r.EachDataset(ctx, true, func(d *Dataset) error {
		b, err := appendDatasetJSON(line[:0], d)
		if err != nil {
			return err
		}
		line = b
		if first {
			bw.WriteString("\n    ")
			first = false
		} else {
			bw.WriteString(",\n    ")
		}
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if !first {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

// nonNil turns nil slices into empty ones so the JSON says [] and not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
