package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/vigie-audit/vigie/reports"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const scorePortal = "https://www.donneesquebec.ca/recherche"

var scoreNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func tptr(t time.Time) *time.Time { return &t }

// scoreDatasets are two datasets shaped like Données Québec's: one well kept
// with a broken support link and a late update, one with many gaps.
func scoreDatasets() []vigie.Dataset {
	relidi := map[string]string{
		"relidi_description_champs": "relidi.descha.foumet", "relidi_confic_separateur_virgule": "oui", "relidi_confic_utf8": "oui",
		"relidi_confic_epsg": "n/a", "relidi_confic_pascom": "oui", "relidi_condon_valinc": "oui", "relidi_condon_datheu": "oui",
		"relidi_condon_nombre": "oui", "relidi_condon_boolee": "n/a",
	}
	return []vigie.Dataset{
		{ID: "id-velos", Name: "comptages-velos", Title: "Comptages de vélos", Organization: "ville-de-montreal", OrganizationTitle: "Ville de Montréal",
			Notes:     "Nombre de passages de vélos par jour et par compteur sur le réseau cyclable, depuis 2020.",
			LicenseID: "cc-by", Author: "Service de l'urbanisme", AuthorEmail: "donneesouvertes@montreal.ca",
			MetadataCreated: scoreNow.AddDate(-3, 0, 0), MetadataModified: scoreNow.AddDate(0, 0, -2),
			Tags: []string{"Vélo"}, Groups: []string{"transport"},
			Extras: map[string]string{"update_frequency": "monthly", "language": "FR", "ext_spatial": "ville-montreal",
				"temporal": "2020-01-01 / 2026-08-31", "methodologie": "Boucles magnétiques; EPSG:4326."},
			Resources: []vigie.Resource{
				{ID: "r-velos-csv", Name: "Comptages", Description: "Un enregistrement par compteur et par jour.", Format: "csv", Mimetype: "text/csv",
					URL: "https://donnees.example.ca/velos.csv", ResourceType: "donnees", LastModified: tptr(scoreNow.AddDate(0, 0, -50)), Extras: relidi},
				{ID: "r-velos-guide", Position: 1, Name: "Guide", Description: "Définition des colonnes.", Format: "PDF",
					URL: "https://donnees.example.ca/guide.pdf", ResourceType: "support", LastModified: tptr(scoreNow.AddDate(-1, 0, 0))},
			}},
		{ID: "id-permis", Name: "permis-animaux", Title: "Permis d'animaux", Organization: "ville-de-laval",
			LicenseID: "cc-by-nc", Tags: nil, MetadataCreated: scoreNow.AddDate(-5, 0, 0), MetadataModified: scoreNow.AddDate(-2, 0, 0),
			Extras: map[string]string{"update_frequency": "irregular", "language": "FR"},
			Resources: []vigie.Resource{
				{ID: "r-permis", Name: "Permis", Format: "XLSX", URL: "https://laval.example.ca/permis.xlsx", ResourceType: "file.upload"},
			}},
	}
}

// scoreDB harvests scoreDatasets into a fresh database, records link
// results and, when scored, one score run at scoreNow.
func scoreDB(t *testing.T, scored bool) string {
	t.Helper()
	ctx := context.Background()
	path := storetest.NewDSN(t)
	db := storetest.Open(t, path)
	db.Now = func() time.Time { return scoreNow }
	p, err := db.EnsurePortal(ctx, scorePortal)
	if err != nil {
		t.Fatal(err)
	}
	hr, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	if err != nil {
		t.Fatal(err)
	}
	ds := scoreDatasets()
	if _, err := db.SaveDatasets(ctx, p.ID, hr, ds); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, hr, store.HarvestResult{Status: "complete"}); err != nil {
		t.Fatal(err)
	}
	lr, err := db.BeginLinkRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	links := []vigie.LinkResult{
		{URL: "https://donnees.example.ca/velos.csv", Class: vigie.LinkOK, Status: 200, ContentType: "text/csv", CheckedAt: scoreNow},
		{URL: "https://donnees.example.ca/guide.pdf", Class: vigie.LinkBroken, Status: 404, Reason: "Not Found", Failures: 3, CheckedAt: scoreNow},
		{URL: "https://laval.example.ca/permis.xlsx", Class: vigie.LinkUnsure, Status: 403, Reason: "Forbidden", CheckedAt: scoreNow},
	}
	if err := db.SaveLinkResults(ctx, lr, links); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, lr, "complete", store.LinkCounts{URLs: 3}, ""); err != nil {
		t.Fatal(err)
	}
	if !scored {
		return path
	}
	prof := quality.MustProfile("donneesquebec")
	lm, err := db.LinkResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginScoreRun(ctx, p.ID, prof.Name)
	if err != nil {
		t.Fatal(err)
	}
	var as []vigie.Assessment
	err = db.EachDataset(ctx, store.DatasetFilter{Scope: vigie.Scope{Portal: p.URL}}, func(d *vigie.Dataset) error {
		as = append(as, quality.Score(d, lm, prof, scoreNow))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAssessments(ctx, run, as); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, run, "complete", len(as), ""); err != nil {
		t.Fatal(err)
	}
	return path
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestExplainGolden(t *testing.T) {
	path := scoreDB(t, true)
	ctx := context.Background()
	for _, c := range []struct{ lang, name, file string }{
		{"fr", "comptages-velos", "explain_velos_fr.txt"},
		{"en", "comptages-velos", "explain_velos_en.txt"},
		{"fr", "permis-animaux", "explain_permis_fr.txt"},
		{"en", "id-permis", "explain_permis_en.txt"},
	} {
		code, out, errOut := vigieRun(ctx, "--db", path, "--portal", scorePortal, "--lang", c.lang, "explain", c.name)
		if code != ExitOK {
			t.Fatalf("explain %s: exit %d: %s", c.name, code, errOut)
		}
		golden(t, c.file, out)
	}
	code, out, errOut := vigieRun(ctx, "--db", path, "--portal", scorePortal, "--lang", "en", "explain", "permis-animaux", "--format", "json")
	if code != ExitOK {
		t.Fatalf("explain json: exit %d: %s", code, errOut)
	}
	golden(t, "explain_permis_en.json", out)
}

func TestExplainJSONAddsUp(t *testing.T) {
	path := scoreDB(t, true)
	code, out, errOut := vigieRun(context.Background(), "--db", path, "--portal", scorePortal, "explain", "comptages-velos", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var e reports.Explanation
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	lost := map[vigie.Dimension]float64{}
	for _, f := range e.Findings {
		lost[f.Dimension] += f.Points
		if f.Message == "" || f.Hint == "" {
			t.Fatalf("finding without text: %+v", f)
		}
	}
	// Overdue monthly data, a lower-case format, one of two links broken.
	if e.FreshnessStatus != vigie.FreshOverdue || *e.Scores.Freshness != 40 || *e.Scores.Availability != 50 || *e.Scores.Completeness != 99 {
		t.Fatalf("scores = %+v, freshness %s", e.Scores, e.FreshnessStatus)
	}
	for dim, s := range map[vigie.Dimension]*float64{"completeness": e.Scores.Completeness, "freshness": e.Scores.Freshness, "availability": e.Scores.Availability} {
		if d := 100 - *s - lost[dim]; d > 1e-9 || d < -1e-9 {
			t.Fatalf("%s: score %v, points lost %v", dim, *s, lost[dim])
		}
	}
}

func TestExplainErrors(t *testing.T) {
	ctx := context.Background()
	unscored := scoreDB(t, false)
	code, _, errOut := vigieRun(ctx, "--db", unscored, "--portal", scorePortal, "explain", "comptages-velos")
	if code != ExitFailure || !strings.Contains(errOut, "vigie score") {
		t.Fatalf("unscored: exit %d %q", code, errOut)
	}
	scored := scoreDB(t, true)
	code, _, errOut = vigieRun(ctx, "--db", scored, "--portal", scorePortal, "explain", "nope")
	if code != ExitFailure || !strings.Contains(errOut, "nope") {
		t.Fatalf("unknown dataset: exit %d %q", code, errOut)
	}
	code, _, _ = vigieRun(ctx, "--db", scored, "--portal", scorePortal, "explain", "comptages-velos", "--format", "xml")
	if code != ExitUsage {
		t.Fatalf("bad format: exit %d", code)
	}
}

func TestScoreCommand(t *testing.T) {
	ctx := context.Background()
	path := scoreDB(t, false)
	code, out, errOut := vigieRun(ctx, "--db", path, "--portal", scorePortal, "-q", "--lang", "en", "score")
	if code != ExitOK {
		t.Fatalf("score: exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "scored 2 datasets with profile donneesquebec: mean overall ") || !strings.Contains(out, "(score run 1)") ||
		strings.Count(out, "\n") != 1 {
		t.Fatalf("summary = %q", out)
	}
	db := storetest.Open(t, path)
	p, _ := db.Portal(ctx, scorePortal)
	latest, err := db.LatestAssessments(ctx, p.ID)
	if err != nil || len(latest) != 2 || latest["id-permis"].Stars != 0 || latest["id-permis"].OpenLicence {
		t.Fatalf("stored assessments %+v %v", latest, err)
	}
	run, err := db.LatestScoreRun(ctx, p.ID)
	if err != nil || run.HarvestRunID == 0 || run.LinkRunID == 0 || run.Datasets != 2 {
		t.Fatalf("run = %+v %v", run, err)
	}
	db.Close()

	// An explicit profile, one organization, and the mqa rating.
	code, out, errOut = vigieRun(ctx, "--db", path, "--portal", scorePortal, "-q", "--lang", "en", "score", "--profile", "mqa", "--org", "ville-de-laval")
	if code != ExitOK || !strings.HasPrefix(out, "scored 1 dataset with profile mqa") {
		t.Fatalf("mqa: exit %d %q %s", code, out, errOut)
	}
	// explain still finds a dataset the organization-limited run left out.
	code, out, errOut = vigieRun(ctx, "--db", path, "--portal", scorePortal, "explain", "comptages-velos")
	if code != ExitOK || !strings.Contains(out, "Évaluation : 1 (profil donneesquebec)") {
		t.Fatalf("explain after a partial run: exit %d %q %s", code, out, errOut)
	}
	code, out, _ = vigieRun(ctx, "--db", path, "--portal", scorePortal, "explain", "permis-animaux")
	if code != ExitOK || !strings.Contains(out, "Évaluation : 2 (profil mqa)") {
		t.Fatalf("explain after a partial run: exit %d %q", code, out)
	}
	// A profile file that extends a built-in.
	file := filepath.Join(t.TempDir(), "strict.yaml")
	if err := os.WriteFile(file, []byte("extends: ckan\nname: strict\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = vigieRun(ctx, "--db", path, "--portal", scorePortal, "-q", "--lang", "en", "score", "--profile", file)
	if code != ExitOK || !strings.Contains(out, "profile strict") {
		t.Fatalf("file profile: exit %d %q %s", code, out, errOut)
	}
	code, _, errOut = vigieRun(ctx, "--db", path, "--portal", scorePortal, "score", "--profile", "nope")
	if code != ExitUsage || !strings.Contains(errOut, "donneesquebec") {
		t.Fatalf("unknown profile: exit %d %q", code, errOut)
	}
	code, _, errOut = vigieRun(ctx, "--db", path, "--portal", scorePortal, "--lang", "en", "score", "--org", "nobody")
	if code != ExitUsage || !strings.Contains(errOut, "no such organization") {
		t.Fatalf("empty scope: exit %d %q", code, errOut)
	}
}

func TestProfileCommands(t *testing.T) {
	ctx := context.Background()
	code, out, _ := vigieRun(ctx, "profile", "list")
	if code != ExitOK || !strings.Contains(out, "donneesquebec") || !strings.Contains(out, "mqa") || !strings.Contains(out, "ckan") {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, _ = vigieRun(ctx, "profile", "show", "donneesquebec")
	if code != ExitOK {
		t.Fatalf("show: %d", code)
	}
	if _, err := quality.ParseProfile([]byte(out)); err != nil || !strings.Contains(out, "relidi_fields") {
		t.Fatalf("show output does not load back: %v", err)
	}
	if code, _, _ = vigieRun(ctx, "profile", "show", "nope"); code != ExitUsage {
		t.Fatalf("show nope: exit %d", code)
	}
}

func TestExplainGroupsRepeatedResourceFindings(t *testing.T) {
	d := &vigie.Dataset{ID: "d", Name: "d", Title: "D"}
	as := &vigie.Assessment{DatasetID: "d", MQA: vigie.MQA{Rating: "bad"}}
	for i := 0; i < 10; i++ {
		id := fmt.Sprintf("r%d", i)
		d.Resources = append(d.Resources, vigie.Resource{ID: id, Name: fmt.Sprintf("Fichier %d ", i)})
		as.Findings = append(as.Findings, vigie.Finding{Rule: "RES-DESCRIPTION-MISSING", Dimension: vigie.DimCompleteness,
			Severity: vigie.SevWarning, ResourceID: id, Points: 0.4, Message: vigie.Text{FR: "m", EN: "m"}, Hint: vigie.Text{FR: "h", EN: "h"}})
	}
	var b strings.Builder
	if err := writeExplain(&b, d, &store.ScoreRun{ID: 1, Profile: "ckan"}, as, "fr"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Count(out, "RES-DESCRIPTION-MISSING") != 1 || !strings.Contains(out, "−4  (10 ressources)") ||
		!strings.Contains(out, "Fichier 0 · Fichier 1") || !strings.Contains(out, "(+2 autres)") {
		t.Fatalf("not grouped:\n%s", out)
	}
}
