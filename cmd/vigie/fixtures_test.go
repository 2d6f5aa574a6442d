package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

// fixturePortal is one portal's saved payloads under testdata/real or
// testdata/observed.
type fixturePortal struct {
	name  string // folder: the portal's host
	files []string
}

func fixturePortals(t *testing.T) []fixturePortal {
	t.Helper()
	var out []fixturePortal
	for _, root := range []string{"../../testdata/real", "../../testdata/observed"} {
		ents, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if !e.IsDir() || e.Name() == "schema" {
				continue
			}
			files, _ := filepath.Glob(filepath.Join(root, e.Name(), "*.json"))
			// The licence register first, so that the datasets are judged with it.
			sort.SliceStable(files, func(i, j int) bool {
				return strings.Contains(files[i], "license_list") && !strings.Contains(files[j], "license_list")
			})
			name := e.Name()
			if strings.HasSuffix(root, "observed") {
				name += " (observed)"
			}
			out = append(out, fixturePortal{name: name, files: files})
		}
	}
	return out
}

// fixtureStats is what docs/scoring.md reports per fixture portal.
type fixtureStats struct {
	datasets, freqDeclared, freqRead, licKnown, licOpen, licUnknown, licMissing int
	visibility                                                                  map[string]int // public, private, draft, deleted
}

// Every real (and observed-values) fixture imports, scores and reports
// through the CLI; in each, no dataset that declares a frequency has it
// unread or its freshness unknown, and no licence the portal declares open
// (isopen, or its license_list) is judged anything but open.
func TestFixturesImportScoreReport(t *testing.T) {
	ctx := context.Background()
	stats := map[string]fixtureStats{}
	reportUnknown := map[string]float64{} // the report's licence_unknown indicator
	for _, fp := range fixturePortals(t) {
		t.Run(fp.name, func(t *testing.T) {
			dbPath := storetest.NewDSN(t)
			portal := "https://" + strings.TrimSuffix(fp.name, " (observed)")
			g := []string{"--db", dbPath, "--portal", portal, "--quiet"}
			imported := 0
			for _, f := range fp.files {
				code, _, errs := cli(ctx, append([]string{"harvest", "--from", f}, g...)...)
				if strings.Contains(f, "package_list") {
					// Names only: refused in one line that says what to import.
					if code == 0 || !strings.Contains(errs, "package_search") || !strings.Contains(errs, "ckanapi dump") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
						t.Errorf("%s: code %d, stderr %q", f, code, errs)
					}
					continue
				}
				if code != 0 {
					t.Fatalf("harvest --from %s: code %d: %s", f, code, errs)
				}
				imported++
			}
			if imported == 0 {
				// Only refused files (open.alberta.ca holds a package_list
				// alone): a failed first import leaves no database.
				if _, err := os.Stat(dbPath); err == nil {
					t.Errorf("refused imports left %s behind", dbPath)
				}
				return
			}
			db, err := store.Open(ctx, dbPath)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			p, err := db.Portal(ctx, portal)
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.CountDatasets(ctx, p.ID, store.HarvestOptions{}, vigie.StateActive)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return // organizations only (open.alberta.ca holds a package_list alone)
			}
			if code, _, errs := cli(ctx, append([]string{"score"}, g...)...); code != 0 {
				t.Fatalf("score: %d %s", code, errs)
			}
			for _, format := range []string{"json", "md"} {
				out := filepath.Join(t.TempDir(), "report."+format)
				if code, _, errs := cli(ctx, append([]string{"report", "--format", format, "--out", out}, g...)...); code != 0 {
					t.Fatalf("report %s: %d %s", format, code, errs)
				}
				if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
					t.Fatalf("report %s not written: %v", format, err)
				}
				if format == "json" {
					var rep struct {
						Indicators []struct { // the commitment indicators
							Key   string   `json:"key"`
							Value *float64 `json:"value"`
						} `json:"commitment"`
					}
					readJSON(t, out, &rep)
					unknown := -1.0
					for _, ind := range rep.Indicators {
						if ind.Key == "licence_unknown" && ind.Value != nil {
							unknown = *ind.Value
						}
					}
					reportUnknown[fp.name] = unknown
				}
			}
			run, err := db.LatestScoreRun(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			as, err := db.Assessments(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := db.PortalLicences(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			// 'vigie datasets' shows the frequency scoring used, read from the
			// same fields (it once read 4 keys where the profiles read 7).
			code, listing, errs := cli(ctx, append([]string{"datasets", "--format", "json"}, g...)...)
			if code != 0 {
				t.Fatalf("datasets: %d %s", code, errs)
			}
			var rows []reports.DatasetRow
			if err := json.Unmarshal([]byte(listing), &rows); err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if a, ok := as[r.ID]; ok && r.Frequency != a.Frequency {
					t.Errorf("%s: datasets shows frequency %q (declared %q), scoring used %q", r.Name, r.Frequency, r.UpdateFrequency, a.Frequency)
				}
			}
			st := fixtureStats{visibility: map[string]int{}}
			err = db.EachDataset(ctx, store.DatasetFilter{Scope: vigie.Scope{Portal: p.URL}}, func(d *vigie.Dataset) error {
				st.visibility[d.Visibility()]++
				a, ok := as[d.ID]
				if !ok {
					t.Errorf("%s: not scored", d.Name)
					return nil
				}
				st.datasets++
				df := quality.ReadFrequency(d, nil)
				if df.Raw != "" {
					st.freqDeclared++
					if a.Frequency == "" || a.FreshnessStatus == vigie.FreshUnknown {
						t.Errorf("%s declares %s = %q: frequency %q, freshness %s", d.Name, df.Field, df.Raw, a.Frequency, a.FreshnessStatus)
					} else {
						st.freqRead++
					}
				}
				declaredOpen := d.IsOpen != nil && *d.IsOpen
				if l, ok := reg[d.LicenseID]; ok && (l.ODConformance == "approved" || l.OKDCompliant != nil && *l.OKDCompliant) {
					declaredOpen = true
				}
				if declaredOpen && a.LicenceStatus != vigie.LicenceOpen {
					t.Errorf("%s: licence %q is declared open by the portal, judged %s", d.Name, d.LicenseID, a.LicenceStatus)
				}
				switch a.LicenceStatus {
				case vigie.LicenceOpen:
					st.licKnown++
					st.licOpen++
				case vigie.LicenceNotOpen:
					st.licKnown++
				case vigie.LicenceUnknown:
					st.licUnknown++
				case vigie.LicenceMissing:
					st.licMissing++
				default:
					t.Errorf("%s: no licence status", d.Name)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			stats[fp.name] = st
			// The report's "datasets published" is the public ones, and its
			// summary counts the others.
			out := filepath.Join(t.TempDir(), "published.json")
			if code, _, errs := cli(ctx, append([]string{"report", "--format", "json", "--out", out}, g...)...); code != 0 {
				t.Fatalf("report: %s", errs)
			}
			var rep struct {
				Summary struct {
					Datasets   int            `json:"datasets"`
					Visibility map[string]int `json:"visibility"`
				} `json:"summary"`
			}
			readJSON(t, out, &rep)
			if rep.Summary.Datasets != st.visibility[vigie.VisPublic] || rep.Summary.Visibility[vigie.VisPrivate] != st.visibility[vigie.VisPrivate] ||
				rep.Summary.Visibility[vigie.VisDraft] != st.visibility[vigie.VisDraft] || rep.Summary.Visibility[vigie.VisDeleted] != st.visibility[vigie.VisDeleted] {
				t.Errorf("report: %d published, %v; the datasets: %v", rep.Summary.Datasets, rep.Summary.Visibility, st.visibility)
			}
		})
	}
	// The observed humanitarian values (issue 12): every licence above is
	// open, and HDX's day counts are read.
	if st := stats["data.humdata.org (observed)"]; st.datasets != 10 || st.licOpen != 8 || st.licUnknown != 2 || st.freqRead != 9 {
		t.Errorf("data.humdata.org: %+v, want 10 datasets, 8 open, 2 unknown (hdx-multi, hdx-other), 9 frequencies read", st)
	}
	for k, st := range stats {
		if reportUnknown[k] != float64(st.licUnknown) {
			t.Errorf("%s: the report counts %v unknown licences, the scores %d", k, reportUnknown[k], st.licUnknown)
		}
	}
	if st := stats["open.canada.ca (observed)"]; st.datasets != 3 || st.freqRead != 3 || st.licOpen != 3 {
		t.Errorf("open.canada.ca's older registry: %+v, want 3 datasets, 3 frequencies read, 3 open", st)
	}
	// Every saved payload is public and active (docs/scoring.md says so).
	for k, st := range stats {
		if st.visibility[vigie.VisPublic] != st.datasets {
			t.Errorf("%s: %d datasets, %v", k, st.datasets, st.visibility)
		}
	}
	if st := stats["opendata.swiss"]; st.licKnown != 1 || st.licOpen != 0 {
		t.Errorf("opendata.swiss: %+v: its terms (CommercialWithPermission) are known and not open", st)
	}
	if testing.Verbose() {
		names := make([]string, 0, len(stats))
		for k := range stats {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			s := stats[k]
			v := s.visibility
			t.Log(fmt.Sprintf("| %s | %d | %d of %d | %d (%d open) | %d | %d | %d | %d / %d / %d |", k, s.datasets, s.freqRead, s.freqDeclared, s.licKnown, s.licOpen,
				s.licUnknown, s.licMissing, v[vigie.VisPublic], v[vigie.VisPrivate], v[vigie.VisDraft], v[vigie.VisDeleted]))
		}
	}
}

// What a user reads in explain for the observed cases of issue 12, in both
// languages: HDX's own licence ids are open, an unknown one leaves openness
// unknown with a finding that names it, and a frequency declared in
// open.canada.ca's older field is read, never "No update frequency is
// declared".
func TestExplainObservedCases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	load := func(portal string, files ...string) []string {
		db := filepath.Join(dir, strings.NewReplacer("https://", "", "/", "_").Replace(portal)+".db")
		g := []string{"--db", db, "--portal", portal, "--quiet"}
		for _, f := range files {
			if code, _, errs := cli(ctx, append([]string{"harvest", "--from", "../../testdata/observed/" + f}, g...)...); code != 0 {
				t.Fatalf("harvest --from %s: %s", f, errs)
			}
		}
		if code, _, errs := cli(ctx, append([]string{"score"}, g...)...); code != 0 {
			t.Fatalf("score: %s", errs)
		}
		return g
	}
	explain := func(g []string, name, lang string) string {
		code, out, errs := cli(ctx, append([]string{"explain", name, "--lang", lang}, g...)...)
		if code != 0 {
			t.Fatalf("explain %s: %s", name, errs)
		}
		return out
	}
	hdx := load("https://data.humdata.org", "data.humdata.org/license_list_observed.json", "data.humdata.org/package_search_observed.json")
	for _, c := range []struct{ name, lang, want string }{
		{"afghanistan-food-prices", "en", "3 stars, open licence (per the Open Definition register)"},
		{"afghanistan-food-prices", "en", "fresh, frequency monthly"},
		{"afghanistan-food-prices", "fr", "3 étoiles, licence ouverte (d'après le registre de l'Open Definition)"},
		{"yemen-admin-boundaries", "en", "open licence"},
		{"haiti-roads", "fr", "licence ouverte"},
		{"haiti-roads", "en", "not applicable, frequency not planned"},
		{"mali-acled-events", "en", "open licence"},
		{"ukraine-hostilities", "en", "— (unknown licence: openness not assessed)"},
		{"ukraine-hostilities", "en", `Neither the portal's licence list nor the Open Definition register says whether licence "hdx-multi" is open`},
		{"ukraine-hostilities", "fr", "— (licence inconnue : ouverture non évaluée)"},
		{"ukraine-hostilities", "fr", "si la licence « hdx-multi » est ouverte"},
	} {
		if out := explain(hdx, c.name, c.lang); !strings.Contains(out, c.want) {
			t.Errorf("explain %s --lang %s lacks %q:\n%s", c.name, c.lang, c.want, out)
		}
	}
	if out := explain(hdx, "somalia-rainfall", "en"); !strings.Contains(out, "open licence (per the portal's licence list)") && !strings.Contains(out, "open licence (per the Open Definition register)") {
		t.Errorf("other-pd-nr:\n%s", out)
	}
	ca := load("https://open.canada.ca/data", "open.canada.ca/package_search_registry_observed.json")
	for _, lang := range []string{"en", "fr"} {
		out := explain(ca, "population-estimates", lang)
		if strings.Contains(out, "No update frequency is declared") || strings.Contains(out, "Aucune fréquence de mise à jour n'est déclarée") ||
			!strings.Contains(out, map[string]string{"en": "frequency annual", "fr": "fréquence annuelle"}[lang]) {
			t.Errorf("explain population-estimates --lang %s:\n%s", lang, out)
		}
		if strings.Contains(out, "licence not open") || strings.Contains(out, "licence non ouverte") {
			t.Errorf("ca-ogl-lgo with isopen false must stay open (--lang %s):\n%s", lang, out)
		}
	}
}
