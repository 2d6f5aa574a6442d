package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

// Comparison sets several portals side by side: one row per portal from its
// latest complete score run, and each portal's trend over its score runs.
// Its JSON follows docs/comparison.schema.json.
type Comparison struct {
	GeneratedAt time.Time    `json:"generated_at"`
	Lang        string       `json:"lang"`
	Portals     []PortalStat `json:"portals"`
}

// PortalStat is one portal's row.
type PortalStat struct {
	Name        string               `json:"name"`
	URL         string               `json:"url"`
	Title       string               `json:"title"`
	ScoreRun    Run                  `json:"score_run"`
	Datasets    int                  `json:"datasets"`
	Baseline    *int                 `json:"baseline"` // datasets at the reference date, when configured
	Publishers  int                  `json:"publishers"`
	Scores      vigie.Scores         `json:"scores"` // means per dimension
	MQAPoints   *float64             `json:"mqa_points"`
	MQARatings  map[vigie.Rating]int `json:"mqa_ratings"`
	OpenLicence *float64             `json:"open_licence"`     // percent of datasets
	Machine     *float64             `json:"machine_readable"` // percent of datasets
	Tau         *float64             `json:"tau"`              // percent of scheduled datasets that are fresh
	LinksOK     *float64             `json:"links_working"`    // percent of checked links
	BrokenLinks *int                 `json:"broken_links"`     // null when none of the portal's URLs was checked
	Trend       []TrendPoint         `json:"trend"`            // oldest first, the latest run last
}

// TrendPoint is a portal's indicators at one complete score run.
type TrendPoint struct {
	ScoreRun    int64        `json:"score_run"`
	Date        time.Time    `json:"date"`
	Profile     string       `json:"profile"`
	Datasets    int          `json:"datasets"`
	Scores      vigie.Scores `json:"scores"`
	OpenLicence *float64     `json:"open_licence"`
	Machine     *float64     `json:"machine_readable"`
	Tau         *float64     `json:"tau"`
	LinksOK     *float64     `json:"links_working"`
}

// PortalRef names a portal to compare.
type PortalRef struct {
	Name     string
	URL      string
	Baseline int // 0: none
}

// CompareOptions choose what BuildComparison reads.
type CompareOptions struct {
	Portals   []PortalRef
	Lang      string
	MaxTrend  int // score runs per trend, newest kept; 0 means 60
	SkipEmpty bool
	Now       time.Time
}

// BuildComparison reads every portal's latest complete score run and its
// trend from the store. A portal never scored is an error unless SkipEmpty,
// which leaves it out (and errors only when none is left).
func BuildComparison(ctx context.Context, db Store, o CompareOptions) (*Comparison, error) {
	lang := o.Lang
	if lang != "en" {
		lang = "fr"
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	maxTrend := o.MaxTrend
	if maxTrend <= 0 {
		maxTrend = 60
	}
	c := &Comparison{GeneratedAt: now.UTC().Truncate(time.Second), Lang: lang, Portals: []PortalStat{}}
	for _, ref := range o.Portals {
		p, err := db.Portal(ctx, ref.URL)
		if err != nil {
			return nil, err
		}
		run, err := db.LatestScoreRun(ctx, p.ID)
		if errors.Is(err, store.ErrNotFound) {
			if o.SkipEmpty {
				continue
			}
			return nil, notScored(p.URL, "reports.not_scored.compare", ref.Name, p.URL)
		}
		if err != nil {
			return nil, err
		}
		row := PortalStat{Name: ref.Name, URL: p.URL, Title: p.Title, ScoreRun: scoreRun(run)}
		if ref.Baseline > 0 {
			b := ref.Baseline
			row.Baseline = &b
		} else if pb := quality.ProfileBaseline(run.Profile, p.URL); pb != nil {
			b := pb.Datasets // the profile's own for this portal (Données Québec's 2021 count)
			row.Baseline = &b
		}
		runs, err := db.CompleteScoreRuns(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if len(runs) > maxTrend {
			runs = runs[len(runs)-maxTrend:]
		}
		for i := range runs {
			ind, err := db.ReportIndicators(ctx, store.ReportScope{Scope: vigie.Scope{Portal: p.URL}, ScoreRunID: runs[i].ID})
			if err != nil {
				return nil, err
			}
			sm := summary(ind)
			row.Trend = append(row.Trend, TrendPoint{ScoreRun: runs[i].ID, Date: runs[i].StartedAt.UTC(), Profile: runs[i].Profile,
				Datasets: ind.Datasets, Scores: sm.Scores, OpenLicence: round(share(ind.OpenLicence, ind.Datasets)),
				Machine: round(share(ind.MachineReadable, ind.Datasets)), Tau: round(Tau(ind.Freshness)), LinksOK: round(LinksWorking(ind.LinkClasses))})
			if runs[i].ID == run.ID {
				row.Datasets, row.Publishers, row.Scores, row.MQAPoints = ind.Datasets, ind.Organizations, sm.Scores, sm.MQAPoints
				row.MQARatings = ind.Ratings
				row.OpenLicence, row.Machine = round(share(ind.OpenLicence, ind.Datasets)), round(share(ind.MachineReadable, ind.Datasets))
				row.Tau, row.LinksOK = round(Tau(ind.Freshness)), round(LinksWorking(ind.LinkClasses))
				if row.LinksOK != nil { // some URL was checked
					n := ind.LinkClasses[vigie.LinkBroken]
					row.BrokenLinks = &n
				}
			}
		}
		if row.MQARatings == nil {
			row.MQARatings = map[vigie.Rating]int{}
		}
		c.Portals = append(c.Portals, row)
	}
	if len(c.Portals) == 0 {
		return nil, notScored("", "reports.not_scored.any")
	}
	return c, nil
}

// comparisonLabels are the comparison report's words.
var comparisonLabels = map[string]map[string]string{
	"fr": {
		"title": "Comparaison des portails", "generated": "Produit le", "portals": "portails", "portal": "Portail", "url": "Adresse",
		"run": "Évaluation", "datasets": "Jeux publiés", "baseline": "Référence", "publishers": "Éditeurs",
		"overall": "Score global", "completeness": "Complétude", "freshness": "Fraîcheur", "openness": "Ouverture",
		"availability": "Disponibilité", "mqa": "Points MQA", "open_licence": "Licence ouverte (%)",
		"machine_readable": "Lisible par machine (%)", "tau": "Tau (%)", "links_working": "Liens fonctionnels (%)",
		"broken_links": "Liens brisés", "trend": "Évolution", "date": "Date", "profile": "Profil",
		"table_scores": "Scores", "table_shares": "Cotes MQA, licences, fraîcheur et liens",
		"trend_overall": "Score global moyen par évaluation", "trend_links": "Liens fonctionnels (%) par évaluation",
		"trend_datasets": "Jeux de données par évaluation", "trend_open": "Licence ouverte (%) par évaluation",
		"per_portal":   "Une ligne par portail, d'après sa dernière évaluation complète.",
		"unknown_note": "« — » : inconnu (rien à juger).",
	},
	"en": {
		"title": "Portal comparison", "generated": "Generated", "portals": "portals", "portal": "Portal", "url": "Address",
		"run": "Score run", "datasets": "Datasets published", "baseline": "Baseline", "publishers": "Publishers",
		"overall": "Overall score", "completeness": "Completeness", "freshness": "Freshness", "openness": "Openness",
		"availability": "Availability", "mqa": "MQA points", "open_licence": "Open licence (%)",
		"machine_readable": "Machine-readable (%)", "tau": "Tau (%)", "links_working": "Working links (%)",
		"broken_links": "Broken links", "trend": "Trend", "date": "Date", "profile": "Profile",
		"table_scores": "Scores", "table_shares": "MQA ratings, licences, freshness and links",
		"trend_overall": "Mean overall score per score run", "trend_links": "Working links (%) per score run",
		"trend_datasets": "Datasets per score run", "trend_open": "Open licence (%) per score run",
		"per_portal":   "One row per portal, from its latest complete score run.",
		"unknown_note": "“—”: unknown (nothing to judge).",
	},
}

// The rating columns read as the report's rating indicators do.
func init() {
	for lang, m := range comparisonLabels {
		for _, r := range vigie.Ratings {
			m[string(r)] = T(lang, "ind_mqa_"+string(r))
		}
	}
}

func cl(lang, key string) string {
	if v, ok := comparisonLabels[lang][key]; ok {
		return v
	}
	return comparisonLabels["en"][key]
}

// portalColumns are the comparison's columns, in order, with each row's value.
type compareColumn struct {
	key   string
	value func(p *PortalStat) any // string, int, *int or *float64
}

func compareColumns() []compareColumn {
	f := func(g func(p *PortalStat) *float64) func(p *PortalStat) any {
		return func(p *PortalStat) any { return g(p) }
	}
	return []compareColumn{
		{"portal", func(p *PortalStat) any { return p.Name }},
		{"url", func(p *PortalStat) any { return p.URL }},
		{"run", func(p *PortalStat) any {
			return fmt.Sprintf("#%d %s", p.ScoreRun.ID, p.ScoreRun.StartedAt.UTC().Format("2006-01-02"))
		}},
		{"datasets", func(p *PortalStat) any { return p.Datasets }},
		{"baseline", func(p *PortalStat) any { return p.Baseline }},
		{"publishers", func(p *PortalStat) any { return p.Publishers }},
		{"overall", f(func(p *PortalStat) *float64 { return p.Scores.Overall })},
		{"completeness", f(func(p *PortalStat) *float64 { return p.Scores.Completeness })},
		{"freshness", f(func(p *PortalStat) *float64 { return p.Scores.Freshness })},
		{"openness", f(func(p *PortalStat) *float64 { return p.Scores.Openness })},
		{"availability", f(func(p *PortalStat) *float64 { return p.Scores.Availability })},
		{"mqa", f(func(p *PortalStat) *float64 { return p.MQAPoints })},
		{string(vigie.RatingExcellent), func(p *PortalStat) any { return p.MQARatings[vigie.RatingExcellent] }},
		{string(vigie.RatingGood), func(p *PortalStat) any { return p.MQARatings[vigie.RatingGood] }},
		{string(vigie.RatingSufficient), func(p *PortalStat) any { return p.MQARatings[vigie.RatingSufficient] }},
		{string(vigie.RatingBad), func(p *PortalStat) any { return p.MQARatings[vigie.RatingBad] }},
		{"open_licence", f(func(p *PortalStat) *float64 { return p.OpenLicence })},
		{"machine_readable", f(func(p *PortalStat) *float64 { return p.Machine })},
		{"tau", f(func(p *PortalStat) *float64 { return p.Tau })},
		{"links_working", f(func(p *PortalStat) *float64 { return p.LinksOK })},
		{"broken_links", func(p *PortalStat) any {
			if p.BrokenLinks == nil {
				return nil
			}
			return *p.BrokenLinks
		}},
	}
}

// trendColumns are the columns of the trend table (one row per portal and
// score run).
var trendColumns = []string{"portal", "run", "date", "profile", "datasets", "overall", "completeness", "freshness",
	"openness", "availability", "open_licence", "machine_readable", "tau", "links_working"}

func trendValues(p *PortalStat, t *TrendPoint) []any {
	return []any{p.Name, t.ScoreRun, t.Date, t.Profile, t.Datasets, t.Scores.Overall, t.Scores.Completeness, t.Scores.Freshness,
		t.Scores.Openness, t.Scores.Availability, t.OpenLicence, t.Machine, t.Tau, t.LinksOK}
}
