package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

func TestVersionCommand(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errs := cli(ctx, args...)
		if code != 0 || !strings.HasPrefix(out, "vigie "+vigie.Version()+"\n") || !strings.Contains(out, "go      go1.") ||
			!strings.Contains(out, vigie.UserAgent()) {
			t.Errorf("%v: exit %d %q %s", args, code, out, errs)
		}
	}
	code, out, _ := cli(ctx, "version", "--format", "json")
	var b vigie.Build
	if code != 0 || json.Unmarshal([]byte(out), &b) != nil || b.Version != vigie.Version() || b.GoVersion == "" {
		t.Errorf("json: %d %s", code, out)
	}
}

// Runs and reports record the vigie that made them and, for score runs, the
// profile's hash, so that a change of rules is told apart from a change of
// quality.
func TestRunsRecordVersionAndProfileHash(t *testing.T) {
	ctx := context.Background()
	dbPath, portal := harvestedDB(t, 20)
	db := storetest.Open(t, dbPath, store.Options{ReadOnly: true})
	p, err := db.Portal(ctx, portal)
	if err != nil {
		t.Fatal(err)
	}
	hr, err := db.HarvestRuns(ctx, p.ID, 1)
	if err != nil || len(hr) != 1 || hr[0].VigieVersion != vigie.Version() {
		t.Fatalf("harvest run: %+v %v", hr, err)
	}
	run, err := db.LatestScoreRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	prof, _ := quality.LoadProfile(run.Profile, nil)
	if run.VigieVersion != vigie.Version() || run.ProfileHash != prof.Hash() || len(run.ProfileHash) != 64 {
		t.Fatalf("score run: version %q hash %q, want %q", run.VigieVersion, run.ProfileHash, prof.Hash())
	}
	code, out, errs := cli(ctx, "--db", dbPath, "--portal", portal, "report", "--format", "json")
	var rep struct {
		VigieVersion string `json:"vigie_version"`
		ScoreRun     struct {
			VigieVersion string `json:"vigie_version"`
			ProfileHash  string `json:"profile_hash"`
		} `json:"score_run"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.VigieVersion != vigie.Version() ||
		rep.ScoreRun.ProfileHash != prof.Hash() || rep.ScoreRun.VigieVersion != vigie.Version() {
		t.Fatalf("report json: exit %d %+v %s", code, rep, errs)
	}
	code, out, _ = cli(ctx, "--db", dbPath, "--portal", portal, "report", "--format", "md")
	if code != 0 || !strings.Contains(out, "règles "+prof.Hash()[:12]) || !strings.Contains(out, "Version de vigie : "+vigie.Version()) {
		t.Fatalf("markdown does not show the rules' hash:\n%.600s", out)
	}
}

// ckanapi dump datasets --all -z -r URL | vigie harvest --from - --portal URL
func TestHarvestFromGzipStdin(t *testing.T) {
	ctx := context.Background()
	var plain bytes.Buffer
	for _, id := range []string{"b1", "b2"} {
		plain.WriteString(`{"id":"` + id + `","name":"jeu-` + id + `","title":"Jeu ` + id + `","resources":[]}` + "\n")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	db := storetest.NewDSN(t)
	var out, errb bytes.Buffer
	code := run(ctx, []string{"--db", db, "--portal", "https://example.org", "harvest", "--from", "-"}, &gz, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	code, list, _ := cli(ctx, "--db", db, "--portal", "https://example.org", "datasets", "--format", "json")
	if code != 0 || !strings.Contains(list, `"jeu-b1"`) || !strings.Contains(list, `"jeu-b2"`) {
		t.Fatalf("datasets after --from -: %s", list)
	}
}
