package main

import (
	"context"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

type clockReport struct {
	ScoreRun struct {
		ID   int64      `json:"id"`
		AsOf *time.Time `json:"as_of"`
	} `json:"score_run"`
	GeneratedAt time.Time `json:"generated_at"`
	Summary     struct {
		Freshness map[string]int `json:"freshness"`
	} `json:"summary"`
	Datasets []json.RawMessage `json:"datasets"`
}

func jsonReport(t *testing.T, ctx context.Context, args ...string) clockReport {
	t.Helper()
	code, out, errs := cli(ctx, append([]string{"report", "--format", "json"}, args...)...)
	var r clockReport
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil {
		t.Fatalf("report: %d %v %s", code, err, errs)
	}
	return r
}

// TestFixedClock pins "now" with --now and VIGIE_NOW: freshness is judged
// against it, the score and harvest runs and the audit's run.json record it,
// reports say it, and scoring twice at the same --now gives the same rows.
func TestFixedClock(t *testing.T) {
	ctx := context.Background()
	// Metadata dated up to 2026-11-01 (the generator's fixed clock).
	_, srv := genPortal(t, 80, ckantest.Options{}, ckantest.GenOptions{Orgs: 3, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--quiet"}

	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0", "--now", "2026-11-02"}, g...)...); code != 0 {
		t.Fatalf("harvest: %s", errs)
	}
	code, out, _ := cli(ctx, append([]string{"runs", "--format", "json"}, g...)...)
	var runs []map[string]any
	if err := json.Unmarshal([]byte(out), &runs); code != 0 || err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %s", err, out)
	}
	if runs[0]["as_of"] != "2026-11-02T00:00:00Z" || runs[0]["clock"] != "fixed" {
		t.Errorf("harvest run as_of %v clock %v", runs[0]["as_of"], runs[0]["clock"])
	}
	if started, _ := time.Parse(time.RFC3339, runs[0]["started_at"].(string)); time.Since(started) > time.Hour {
		t.Errorf("started_at %v is not the wall-clock time", runs[0]["started_at"])
	}

	score := func(now string) clockReport {
		t.Helper()
		if code, _, errs := cli(ctx, append([]string{"score", "--now", now}, g...)...); code != 0 {
			t.Fatalf("score --now %s: %s", now, errs)
		}
		return jsonReport(t, ctx, append([]string{"--now", now}, g...)...)
	}
	early := score("2026-11-02T00:00:00Z")
	again := score("2026-11-02")
	t.Setenv("VIGIE_NOW", "2040-01-01")
	late := score("2040-01-01T00:00:00+00:00")

	if early.ScoreRun.AsOf == nil || !early.ScoreRun.AsOf.Equal(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) ||
		!early.GeneratedAt.Equal(*early.ScoreRun.AsOf) {
		t.Errorf("score run as_of %v, generated_at %v", early.ScoreRun.AsOf, early.GeneratedAt)
	}
	if early.Summary.Freshness["fresh"] == 0 || late.Summary.Freshness["fresh"] != 0 ||
		late.Summary.Freshness["delinquent"] <= early.Summary.Freshness["delinquent"] {
		t.Errorf("freshness did not follow --now: %v then %v", early.Summary.Freshness, late.Summary.Freshness)
	}
	if len(early.Datasets) != len(again.Datasets) {
		t.Fatalf("%d vs %d datasets", len(early.Datasets), len(again.Datasets))
	}
	for i := range early.Datasets {
		if string(early.Datasets[i]) != string(again.Datasets[i]) {
			t.Fatalf("two score runs at the same --now differ:\n%s\n%s", early.Datasets[i], again.Datasets[i])
		}
	}
	code, out, _ = cli(ctx, append([]string{"report", "--format", "md"}, g...)...) // VIGIE_NOW still set
	if code != 0 || !strings.Contains(out, "Date de référence (horloge fixée par --now) : 2040-01-01 00:00 UTC") {
		t.Errorf("md does not say the clock was fixed:\n%s", out[:min(len(out), 800)])
	}

	// The audit records its clock and is filed under --now's date.
	out2 := filepath.Join(dir, "audits")
	code, _, errs := cli(ctx, append([]string{"audit", "--out", out2, "--rate", "0", "--now", "2027-03-04T02:30:00Z", "--allow-private", "--baseline", "77"}, g...)...)
	if code != 0 {
		t.Fatalf("audit: %s", errs)
	}
	b, err := os.ReadFile(filepath.Join(out2, "2027-03-04", "run.json"))
	if err != nil {
		t.Fatalf("audit folder not dated by --now: %v", err)
	}
	if aj, err := os.ReadFile(filepath.Join(out2, "2027-03-04", "audit.json")); err != nil || !strings.Contains(string(aj), `"baseline": 77`) {
		t.Errorf("audit --baseline 77 not in audit.json (%v)", err)
	}
	var rec struct {
		AsOf      time.Time `json:"as_of"`
		Clock     string    `json:"clock"`
		StartedAt time.Time `json:"started_at"`
	}
	if err := json.Unmarshal(b, &rec); err != nil || rec.Clock != "fixed" || !rec.AsOf.Equal(time.Date(2027, 3, 4, 2, 30, 0, 0, time.UTC)) ||
		time.Since(rec.StartedAt) > time.Hour {
		t.Errorf("run.json %s", b)
	}

	t.Setenv("VIGIE_NOW", "")
	for _, bad := range []string{"yesterday", "2026-13-01", "1900-01-01"} {
		if code, _, errs := cli(ctx, append([]string{"score", "--now", bad}, g...)...); code != 2 || !strings.Contains(errs, "--now") {
			t.Errorf("--now %s: exit %d %s", bad, code, errs)
		}
	}
	// Without a fixed clock the run says so.
	if code, _, errs := cli(ctx, append([]string{"score"}, g...)...); code != 0 {
		t.Fatal(errs)
	}
	if r := jsonReport(t, ctx, g...); r.ScoreRun.AsOf != nil {
		t.Errorf("system clock run reports as_of %v", r.ScoreRun.AsOf)
	}
}
