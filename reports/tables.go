package reports

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vigie-audit/vigie"
	safe "github.com/vigie-audit/vigie/internal/plain"
)

// Column kinds tell the writers how to show a value.
const (
	kText    = iota // untrusted text: neutralised
	kCode           // a stored code (rule, status…): shown as is, translated where the format is for people
	kInt            // int
	kScore          // *float64 0–100, one decimal
	kPercent        // *float64 0–100, one decimal
	kNum            // *float64, one decimal
	kTime           // time.Time or *time.Time
	kURL            // a link (portal page or resource URL)
)

// column is one column of a table.
type column struct {
	key   string  // label key in the i18n table, also the CSV header when machine
	id    string  // stable machine name (CSV header)
	kind  int     // kText…kURL
	width float64 // xlsx width in characters
}

// table is one of the report's tables, with rows streamed.
type table struct {
	name   string // file name (csv) and i18n key (sheet)
	cols   []column
	each   func(ctx context.Context, fn func(row []any) error) error
	scores [2]int // first and last score column (0-based) for colour scales, -1 when none
}

func (r *Report) tables() []table {
	return []table{r.indicatorTable(), r.organizationTable(), r.datasetTable(), r.findingTable(), r.linkTable(), r.historyTable()}
}

func (r *Report) indicatorTable() table {
	return table{
		name: "indicators",
		cols: []column{
			{"key", "key", kCode, 18}, {"indicator", "indicator", kCode, 44}, {"value", "value", kNum, 12},
			{"previous", "previous", kNum, 12}, {"change", "change", kNum, 12}, {"baseline", "baseline", kNum, 12},
			{"unit", "unit", kCode, 10}, {"note", "note", kCode, 60},
		},
		scores: [2]int{-1, -1},
		each: func(ctx context.Context, fn func([]any) error) error {
			for _, i := range r.Commitment {
				if err := fn([]any{i.Key, i.Label, i.Value, i.Previous, i.Change, i.Baseline, i.Unit, i.Note}); err != nil {
					return err
				}
			}
			return r.provenanceRows(fn)
		},
	}
}

// provenanceRows close the indicators table with the runs the report
// reflects and its warnings, so that the CSV and xlsx name them as the other
// formats do (a CSV folder has no header to hold them).
func (r *Report) provenanceRows(fn func([]any) error) error {
	l := r.Lang
	if err := fn([]any{"score_run", T(l, "score_run"), r.ScoreRun.ID, nil, nil, nil, "", r.scoreRunText("2006-01-02 15:04 UTC")}); err != nil {
		return err
	}
	if h := r.HarvestRun; h != nil {
		if err := fn([]any{"harvest_run", T(l, "harvest_run"), h.ID, nil, nil, nil, "", h.StartedAt.UTC().Format("2006-01-02 15:04 UTC")}); err != nil {
			return err
		}
	}
	for _, w := range r.Warnings {
		if err := fn([]any{"warning", T(l, "stale_warning"), nil, nil, nil, nil, "", w}); err != nil {
			return err
		}
	}
	return nil
}

func (r *Report) organizationTable() table {
	return table{
		name: "organizations",
		cols: []column{
			{"col_rank", "rank", kInt, 7}, {"col_org", "organization", kText, 28}, {"col_org_title", "title", kText, 40},
			{"col_datasets", "datasets", kInt, 9}, {"col_overall", "overall", kScore, 10}, {"col_completeness", "completeness", kScore, 12},
			{"col_freshness", "freshness", kScore, 11}, {"col_openness", "openness", kScore, 11}, {"col_availability", "availability", kScore, 12},
			{"col_mqa", "mqa_points", kNum, 11}, {"col_open_licence", "open_licence_pct", kPercent, 13}, {"col_tau", "tau_pct", kPercent, 9},
			{"col_broken", "broken_links", kInt, 11}, {"col_errors", "errors", kInt, 9}, {"col_warnings", "warnings", kInt, 13}, {"col_infos", "infos", kInt, 8},
		},
		scores: [2]int{4, 8},
		each: func(ctx context.Context, fn func([]any) error) error {
			for _, o := range r.Organizations {
				s := o.Scores
				if err := fn([]any{o.Rank, o.Name, o.Title, o.Datasets, s.Overall, s.Completeness, s.Freshness, s.Openness, s.Availability,
					o.MQAPoints, o.OpenLicence, o.Tau, o.BrokenLinks, o.Findings.Error, o.Findings.Warning, o.Findings.Info}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func (r *Report) datasetTable() table {
	return table{
		name: "datasets",
		cols: []column{
			{"col_name", "name", kText, 30}, {"col_title", "title", kText, 50}, {"col_org", "organization", kText, 26}, {"col_url", "url", kURL, 40},
			{"col_overall", "overall", kScore, 10}, {"col_completeness", "completeness", kScore, 12}, {"col_freshness", "freshness", kScore, 11},
			{"col_openness", "openness", kScore, 11}, {"col_availability", "availability", kScore, 12},
			{"col_mqa", "mqa_points", kInt, 11}, {"col_rating", "mqa_rating", kCode, 12}, {"col_status", "freshness_status", kCode, 15},
			{"col_frequency", "frequency", kCode, 13}, {"col_stars", "stars", kInt, 8}, {"col_open", "open_licence", kCode, 10},
			{"col_errors", "errors", kInt, 9}, {"col_warnings", "warnings", kInt, 13}, {"col_infos", "infos", kInt, 8}, {"col_id", "id", kText, 38},
			{"col_visibility", "visibility", kCode, 11},
		},
		scores: [2]int{4, 8},
		each: func(ctx context.Context, fn func([]any) error) error {
			return r.EachDataset(ctx, false, func(d *Dataset) error {
				s := d.Scores
				open := "no"
				switch {
				case d.OpenLicence:
					open = "yes"
				case d.LicenceStatus == vigie.LicenceUnknown:
					open = "unknown"
				}
				vis := d.Visibility
				if vis == "" {
					vis = vigie.VisPublic
				}
				return fn([]any{d.Name, d.Title, d.Organization, d.URL, round(s.Overall), round(s.Completeness), round(s.Freshness),
					round(s.Openness), round(s.Availability), d.MQA.Points, string(d.MQA.Rating), string(d.FreshnessStatus), d.Frequency, d.Stars, open,
					d.Counts.Error, d.Counts.Warning, d.Counts.Info, d.ID, vis})
			})
		},
	}
}

func (r *Report) findingTable() table {
	return table{
		name: "findings",
		cols: []column{
			{"col_name", "dataset", kText, 30}, {"col_title", "title", kText, 40}, {"col_org", "organization", kText, 26},
			{"col_rule", "rule", kCode, 24}, {"col_dimension", "dimension", kCode, 13}, {"col_severity", "severity", kCode, 13},
			{"col_resource_id", "resource_id", kText, 38}, {"col_points", "points", kNum, 12},
			{"col_message", "message", kText, 60}, {"col_hint", "hint", kText, 60},
		},
		scores: [2]int{-1, -1},
		each: func(ctx context.Context, fn func([]any) error) error {
			return r.EachFinding(ctx, func(f *FindingRow) error {
				return fn([]any{f.DatasetName, f.DatasetTitle, f.Organization, f.Rule, string(f.Dimension), string(f.Severity),
					f.ResourceID, ptr(f.Points), f.Message, f.Hint})
			})
		},
	}
}

func (r *Report) linkTable() table {
	return table{
		name: "links",
		cols: []column{
			{"col_link", "url", kURL, 50}, {"col_class", "class", kCode, 11}, {"col_http", "status", kInt, 7}, {"col_reason", "reason", kText, 36},
			{"col_landing", "landing_page", kText, 14}, {"col_redirects", "redirects", kInt, 12}, {"col_final_url", "final_url", kURL, 40},
			{"col_since", "since", kTime, 18}, {"col_last_ok", "last_success", kTime, 18}, {"col_checked", "checked_at", kTime, 18},
			{"col_n_datasets", "datasets", kInt, 9}, {"datasets_using", "dataset_names", kText, 50},
		},
		scores: [2]int{-1, -1},
		each: func(ctx context.Context, fn func([]any) error) error {
			for _, l := range r.Links {
				names := make([]string, len(l.Datasets))
				for i, d := range l.Datasets {
					names[i] = d.Name
					if d.Visibility != "" && d.Visibility != vigie.VisPublic {
						names[i] += " [" + T(r.Lang, d.Visibility) + "]"
					}
				}
				landing := ""
				if l.LandingPage {
					landing = T(r.Lang, "landing_page")
				}
				if err := fn([]any{l.URL, string(l.Class), l.Status, l.Reason, landing, l.Redirects, l.FinalURL, l.Since, l.LastSuccess, l.CheckedAt,
					len(l.Datasets), strings.Join(names, " ")}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func (r *Report) historyTable() table {
	cols := []column{{"run", "score_run", kInt, 11}, {"date", "date", kTime, 18}, {"profile", "profile", kCode, 14}}
	if len(r.History) > 0 {
		for _, i := range r.History[0].Indicators {
			cols = append(cols, column{"ind_" + i.Key, i.Key, kNum, 14})
		}
	}
	return table{
		name:   "history",
		cols:   cols,
		scores: [2]int{-1, -1},
		each: func(ctx context.Context, fn func([]any) error) error {
			for _, h := range r.History {
				row := []any{int(h.Run.ID), h.Run.StartedAt, h.Run.Profile}
				for _, i := range h.Indicators {
					row = append(row, i.Value)
				}
				if err := fn(row); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// Neutralise makes untrusted text safe for a spreadsheet cell: control
// characters become spaces (newlines too when oneLine), bidirectional
// controls go, and a cell a spreadsheet could read as a formula gets a
// leading quote. The test runs on the cleaned text (FormulaStart), so a
// formula behind spaces, a NUL or newline, a zero-width character or a
// byte-order mark, or written with full-width signs, is caught too.
func Neutralise(s string, oneLine bool) string {
	s = clean(s, oneLine)
	if FormulaStart(s) {
		s = "'" + s
	}
	return s
}

// FormulaStart reports whether a spreadsheet could read s as a formula: its
// first character that is neither a space, a control nor an invisible format
// character (zero-width space and joiners, byte-order mark, soft hyphen) is
// =, +, - or @ once NFKC-normalised (which maps full-width ＝＋－＠ and the
// small and super/subscript forms to them), or the minus sign U+2212.
func FormulaStart(s string) bool {
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if r == '\u2212' || r < utf8.RuneSelf {
			return r == '=' || r == '+' || r == '-' || r == '@' || r == '\u2212'
		}
		n := norm.NFKC.String(string(r))
		return n != "" && strings.IndexByte("=+-@", n[0]) >= 0
	}
	return false
}

// OneLine makes portal-supplied text safe for one line (text.OneLine).
func OneLine(s string, max int) string { return safe.OneLine(s, max) }

// clean makes portal-supplied text safe to print (text.Clean).
func clean(s string, oneLine bool) string { return safe.Clean(s, oneLine) }

func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t != nil && !t.IsZero() {
			return *t, true
		}
	}
	return time.Time{}, false
}

// spoolable says whether the table's rows can be written by rowSpool: it
// has no dates.
func (t table) spoolable() bool {
	for _, c := range t.cols {
		if c.kind == kTime {
			return false
		}
	}
	return true
}

// pipeline runs each (the reading side: SQL and conversion) in its own
// goroutine and hands its rows to fn (the writing side) in batches, so the
// two use two cores. An error on either side stops both; fn's comes first.
func pipeline(ctx context.Context, each func(context.Context, func([]any) error) error, fn func([]any) error) error {
	const size = 256
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan [][]any, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		send := func(b [][]any) error {
			select {
			case ch <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		batch := make([][]any, 0, size)
		err := each(ctx, func(row []any) error {
			batch = append(batch, row)
			if len(batch) == size {
				if err := send(batch); err != nil {
					return err
				}
				batch = make([][]any, 0, size)
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send(batch)
		}
		errc <- err
	}()
	var werr error
	for batch := range ch {
		for _, row := range batch {
			if werr != nil {
				break
			}
			if werr = fn(row); werr != nil {
				cancel()
			}
		}
	}
	rerr := <-errc
	if werr != nil {
		return werr
	}
	return rerr
}
