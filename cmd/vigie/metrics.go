package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/store"
)

// Numeric fields of the log lines (JSON logs carry numbers, not only prose).

func harvestAttrs(r *pipeline.HarvestResult) []any {
	return []any{"datasets", r.Fetched, "new", r.Counts.New, "changed", r.Counts.Changed, "unchanged", r.Counts.Unchanged,
		"missing", r.Missing, "deleted", r.Deleted, "organizations", r.Organizations, "requests", r.Requests,
		"harvest_ms", r.Elapsed.Milliseconds()}
}

func linkAttrs(o *pipeline.LinkOutcome) []any {
	s := o.Summary
	return []any{"urls", s.URLs, "hosts", s.Hosts, "ok", s.OK, "broken", s.Broken, "failing", s.Failing, "unsure", s.Unsure,
		"invalid", s.Invalid, "blocked", s.Blocked, "links_ms", o.Elapsed.Milliseconds()}
}

func scoreAttrs(o *pipeline.ScoreOutcome) []any {
	at := []any{"datasets", o.Datasets, "score_ms", o.Elapsed.Milliseconds()}
	if o.MeanOverall != nil {
		at = append(at, "mean_overall", *o.MeanOverall)
	}
	return at
}

// logNumbers logs a command's totals as numbers for machines: with
// --log-format json only (the text output already says them in words).
func (a *App) logNumbers(msg string, attrs []any) {
	if a.LogFormat == "json" {
		a.Log.Info(msg, attrs...)
	}
}

// The --metrics-file: Prometheus text format for node_exporter's textfile
// collector. One file may hold several portals (one label each): an audit
// replaces its portal's lines and keeps the others'. It is written to a
// temporary file in the same folder and renamed, so the collector never reads
// half a file.

// metricsMu serialises the read-modify-write of the file (audits of several
// portals run at once).
var metricsMu sync.Mutex

// auditMetrics is what one audit of one portal says.
type auditMetrics struct {
	Portal   string
	Success  bool
	Finished time.Time
	Summary  *vigie.DiffRun
	Means    *store.ReportIndicators // nil when the audit stopped before scoring
	Gate     *vigie.GateResult       // nil when not reached
	GateSet  bool                    // --fail-under or --fail-on was given
	Stages   []vigie.StageTiming
	Duration time.Duration
}

var metricHelp = []struct{ name, typ, help string }{
	{"vigie_audit_success", "gauge", "1 when the last audit of the portal succeeded (reports written), else 0"},
	{"vigie_audit_last_run_timestamp_seconds", "gauge", "when the last audit of the portal ended"},
	{"vigie_audit_last_success_timestamp_seconds", "gauge", "when the last successful audit of the portal ended"},
	{"vigie_audit_duration_seconds", "gauge", "how long the last audit took"},
	{"vigie_audit_stage_duration_seconds", "gauge", "how long each stage of the last audit took"},
	{"vigie_datasets", "gauge", "datasets scored in the audit's scope"},
	{"vigie_score_mean", "gauge", "mean score of the scope per dimension, 0-100 (absent when unknown)"},
	{"vigie_links", "gauge", "distinct links used by the scope that do not work, by state"},
	{"vigie_findings_errors", "gauge", "findings of severity error in the scope"},
	{"vigie_datasets_delinquent", "gauge", "datasets far past their declared update frequency"},
	{"vigie_gate_passed", "gauge", "1 when the quality gate passed, 0 when it failed (absent without a gate)"},
	{"vigie_build_info", "gauge", "the vigie that wrote the file"},
}

// promLabel escapes a label value (backslash, quote, newline).
func promLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func promNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// lines returns the metric lines of one portal.
func (m *auditMetrics) lines(prev map[string]string) []string {
	pl := `portal="` + promLabel(m.Portal) + `"`
	var out []string
	add := func(name, labels string, v float64) {
		if labels != "" {
			labels = pl + "," + labels
		} else {
			labels = pl
		}
		out = append(out, name+"{"+labels+"} "+promNum(v))
	}
	success := 0.0
	if m.Success {
		success = 1
	}
	add("vigie_audit_success", "", success)
	add("vigie_audit_last_run_timestamp_seconds", "", float64(m.Finished.Unix()))
	last := "vigie_audit_last_success_timestamp_seconds{" + pl + "}"
	if m.Success {
		add("vigie_audit_last_success_timestamp_seconds", "", float64(m.Finished.Unix()))
	} else if v, ok := prev[last]; ok {
		out = append(out, last+" "+v) // kept from the last success
	}
	add("vigie_audit_duration_seconds", "", math.Round(m.Duration.Seconds()*1000)/1000)
	for _, s := range m.Stages {
		add("vigie_audit_stage_duration_seconds", `stage="`+promLabel(s.Name)+`"`, s.Seconds)
	}
	if s := m.Summary; s != nil {
		add("vigie_datasets", "", float64(s.Datasets))
		add("vigie_links", `state="broken"`, float64(s.BrokenLinks))
		add("vigie_links", `state="failing"`, float64(s.FailingLinks))
		add("vigie_findings_errors", "", float64(s.Errors))
		add("vigie_datasets_delinquent", "", float64(s.Delinquent))
	}
	if i := m.Means; i != nil {
		for _, d := range []struct {
			dim vigie.Dimension
			v   *float64
		}{{"overall", i.Overall}, {vigie.DimCompleteness, i.Completeness}, {vigie.DimFreshness, i.FreshnessScore},
			{vigie.DimOpenness, i.Openness}, {vigie.DimAvailability, i.Availability}} {
			if d.v != nil {
				add("vigie_score_mean", `dimension="`+string(d.dim)+`"`, *d.v)
			}
		}
	}
	if m.Gate != nil && m.GateSet {
		passed := 0.0
		if m.Gate.Passed {
			passed = 1
		}
		add("vigie_gate_passed", "", passed)
	}
	return out
}

// readMetrics reads an existing file's sample lines, by series ("name{labels}").
func readMetrics(path string) (map[string]string, []string) {
	f, err := os.Open(path)
	if err != nil {
		return map[string]string{}, nil
	}
	defer f.Close()
	vals := map[string]string{}
	var order []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		if i < 0 {
			continue
		}
		if _, ok := vals[l[:i]]; !ok {
			order = append(order, l[:i])
		}
		vals[l[:i]] = l[i+1:]
	}
	return vals, order
}

// writeMetricsFile replaces m.Portal's lines in path and keeps the others'.
func writeMetricsFile(path string, m *auditMetrics) error {
	metricsMu.Lock()
	defer metricsMu.Unlock()
	prev, order := readMetrics(path)
	pl := `portal="` + promLabel(m.Portal) + `"`
	byName := map[string][]string{}
	for _, series := range order {
		if strings.Contains(series, "{"+pl) || strings.HasPrefix(series, "vigie_build_info") {
			continue // this portal's old lines, and the build line, are rewritten
		}
		name := series
		if i := strings.IndexByte(series, '{'); i >= 0 {
			name = series[:i]
		}
		byName[name] = append(byName[name], series+" "+prev[series])
	}
	for _, l := range m.lines(prev) {
		name := l[:strings.IndexByte(l, '{')]
		byName[name] = append(byName[name], l)
	}
	b := vigie.BuildInfo()
	byName["vigie_build_info"] = []string{fmt.Sprintf(`vigie_build_info{version="%s",commit="%s",go="%s"} 1`,
		promLabel(b.Version), promLabel(b.Commit), promLabel(b.GoVersion))}
	var sb strings.Builder
	for _, h := range metricHelp {
		ls := byName[h.name]
		if len(ls) == 0 {
			continue
		}
		sort.Strings(ls)
		fmt.Fprintf(&sb, "# HELP %s %s\n# TYPE %s %s\n", h.name, h.help, h.name, h.typ)
		for _, l := range ls {
			sb.WriteString(l + "\n")
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return vigie.NewError(vigie.KindOther, "cmd.metrics_file", path, pathCause(err))
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(sb.String()); err != nil {
		tmp.Close()
		return vigie.NewError(vigie.KindOther, "cmd.metrics_file", path, pathCause(err))
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return vigie.NewError(vigie.KindOther, "cmd.metrics_file", path, pathCause(err))
	}
	if err := tmp.Close(); err != nil {
		return vigie.NewError(vigie.KindOther, "cmd.metrics_file", path, pathCause(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return vigie.NewError(vigie.KindOther, "cmd.metrics_file", path, pathCause(err))
	}
	return nil
}

// auditMetricsOf gathers the metrics of an audit that ended with err.
func auditMetricsOf(ctx context.Context, db *store.DB, o *auditOptions, rec *vigie.AuditRecord, err error) *auditMetrics {
	m := &auditMetrics{Portal: rec.Portal, Success: err == nil || isGateErr(err), Finished: time.Now().UTC(),
		Summary: rec.Summary, Stages: rec.Stages, Duration: time.Since(rec.StartedAt), GateSet: o.underSet || len(o.failOn) > 0}
	if rec.Summary != nil {
		g := rec.Gate
		m.Gate = &g
	}
	if rec.ScoreRun != 0 && db != nil {
		if p, perr := db.Portal(context.WithoutCancel(ctx), rec.Portal); perr == nil {
			if ind, ierr := db.ReportIndicators(context.WithoutCancel(ctx), store.ReportScope{Scope: vigie.Scope{Portal: p.URL, Orgs: o.orgs}, ScoreRunID: rec.ScoreRun}); ierr == nil {
				m.Means = ind
			}
		}
	}
	return m
}

func isGateErr(err error) bool {
	ee, ok := err.(*exitError)
	return ok && ee.code == ExitGate
}
