package reports

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

// ErrNotScored is wrapped by Build's error when the portal has no complete
// score run yet.
var ErrNotScored error = &vigie.Error{Kind: vigie.KindNotScored, Err: errors.New("nothing scored yet")}

// Options choose what Build reads.
type Options struct {
	// Snapshot reads the whole report in one read transaction of the store
	// (when it offers ReadSnapshot), so a harvest or score committing
	// meanwhile never mixes into it. Close the report after writing it.
	Snapshot bool
	Scope    vigie.Scope // the portal, and its organizations (none: the whole portal)
	Lang     string      // "fr" (default) or "en"
	Compare  string      // score run id or date; "" means the previous complete score run
	Now      time.Time
	// IncludePrivate lists private, draft and deleted datasets too, marked;
	// the indicators count published datasets only either way.
	IncludePrivate bool
	// Baseline is the number of published datasets the "datasets" indicator
	// is compared with. Nil takes the one the score run's profile declares
	// (Données Québec's 2021 commitment baseline); other profiles have none.
	Baseline *float64
}

// Build reads a report from the store: the latest complete score run of the
// portal, compared with Options.Compare. It errors (wrapping ErrNotScored)
// when nothing has been scored, and when an organization asked for has no
// scored dataset.
func Build(ctx context.Context, db Store, opts Options) (*Report, error) {
	lang := opts.Lang
	if lang != "en" {
		lang = "fr"
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var end func()
	if s, ok := db.(interface {
		ReadSnapshot(context.Context) (*store.DB, error)
	}); ok && opts.Snapshot {
		snap, err := s.ReadSnapshot(ctx)
		if err != nil {
			return nil, err
		}
		db, end = snap, snap.EndSnapshot
	}
	r, err := build(ctx, db, opts, lang, now)
	if err != nil {
		if end != nil {
			end()
		}
		return nil, err
	}
	r.end = end
	return r, nil
}

// Close ends the report's read snapshot, if it has one; its tables cannot be
// read after.
func (r *Report) Close() {
	if r.end != nil {
		r.end()
		r.end = nil
	}
}

func build(ctx context.Context, db Store, opts Options, lang string, now time.Time) (*Report, error) {
	p, err := db.Portal(ctx, opts.Scope.Portal)
	if err != nil {
		return nil, err
	}
	run, err := db.LatestScoreRun(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notScored(p.URL, "reports.not_scored", p.URL, db.Path())
	}
	if err != nil {
		return nil, err
	}
	cmp, err := db.CompareScoreRun(ctx, p.ID, run, opts.Compare)
	if err != nil {
		return nil, err
	}
	r := &Report{
		Portal:         p.URL,
		GeneratedAt:    now.UTC().Truncate(time.Second),
		VigieVersion:   vigie.Version(),
		ScoreRun:       scoreRun(run),
		Profile:        run.Profile,
		Lang:           lang,
		Orgs:           opts.Scope.Orgs,
		IncludePrivate: opts.IncludePrivate,
	}
	if run.HarvestRunID != 0 {
		h, err := db.ReportHarvestRunByID(ctx, run.HarvestRunID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if h != nil {
			r.HarvestRun = &Run{ID: h.ID, StartedAt: h.StartedAt, FinishedAt: h.FinishedAt, Mode: h.Mode, VigieVersion: h.VigieVersion}
		}
	}
	newer, err := db.NewestHarvestRunAfter(ctx, p.ID, run.HarvestRunID)
	if err != nil {
		return nil, err
	}
	if newer != nil && run.HarvestRunID != 0 {
		r.Warnings = append(r.Warnings, staleWarning(lang, newer, run))
		r.Stale = true
	}
	scope := store.ReportScope{Scope: vigie.Scope{Portal: p.URL, Orgs: opts.Scope.Orgs}, ScoreRunID: run.ID, Lang: lang, IncludePrivate: opts.IncludePrivate}
	base := baselineOf(run.Profile, p.URL, opts.Baseline, lang)
	r.commitmentPortal = quality.ProfileBaseline(run.Profile, p.URL) != nil
	orgs, err := db.ReportOrganizations(ctx, scope)
	if err != nil {
		return nil, err
	}
	if err := checkOrgs(opts.Scope.Orgs, orgs); err != nil {
		return nil, err
	}
	r.Organizations = organizations(orgs)
	if cmp != nil {
		c := scoreRun(cmp)
		r.CompareRun = &c
	}
	runs, err := db.CompleteScoreRuns(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	// The aggregates are independent reads: run them two at a time.
	var (
		now0, then *store.ReportIndicators
		past       = make([]*store.ReportIndicators, len(runs))
		rules      []store.RuleCount
		hints      []vigie.Text
		links      []store.ReportLink
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	g.Go(func() (err error) { now0, err = db.ReportIndicators(gctx, scope); return err })
	g.Go(func() (err error) { rules, hints, err = db.ReportRuleCounts(gctx, scope, 0); return err })
	g.Go(func() (err error) { links, err = db.ReportLinks(gctx, scope); return err })
	for i := range runs {
		if runs[i].ID >= run.ID {
			continue
		}
		g.Go(func() (err error) {
			past[i], err = db.ReportIndicators(gctx, store.ReportScope{Scope: vigie.Scope{Portal: p.URL, Orgs: opts.Scope.Orgs}, ScoreRunID: runs[i].ID})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range runs {
		if cmp != nil && runs[i].ID == cmp.ID {
			then = past[i]
		}
	}
	r.Commitment = indicators(lang, now0, then, base)
	r.Summary = summary(now0)
	for i, c := range rules {
		r.TopFindings = append(r.TopFindings, RuleCount{Rule: c.Rule, Dimension: c.Dimension, Severity: c.Severity,
			Datasets: c.Datasets, Findings: c.Findings, Points: c.Points, Hint: hints[i].In(lang)})
	}
	r.Links = make([]Link, 0, len(links))
	for _, l := range links {
		out := Link{URL: l.URL, Class: l.Class, Status: l.Status, Reason: l10n.LinkReason(lang, l.Reason), ReasonCode: vigie.LinkReasonCode(l.Reason), LandingPage: l.LandingPage, Redirects: l.Redirects,
			Since: l.FirstFailure, LastSuccess: l.LastSuccess, CheckedAt: l.CheckedAt}
		if l.Redirects > 0 && l.FinalURL != l.URL {
			out.FinalURL = l.FinalURL
		}
		for _, u := range l.Datasets {
			out.Datasets = append(out.Datasets, LinkUse{Name: u.Name, Title: MarkTitle(lang, u.Visibility, u.Title), Organization: u.Organization,
				URL: DatasetURL(p.URL, u.Name), Visibility: u.Visibility})
		}
		r.Links = append(r.Links, out)
	}
	for i := range runs {
		switch {
		case runs[i].ID == run.ID:
			r.History = append(r.History, HistoryPoint{Run: r.ScoreRun, Indicators: r.Commitment})
		case past[i] != nil:
			r.History = append(r.History, HistoryPoint{Run: scoreRun(&runs[i]), Indicators: indicators(lang, past[i], nil, base)})
		}
	}
	r.rows = &storeRows{db: db, scope: scope, portal: p.URL, lang: lang}
	return r, nil
}

func scoreRun(s *store.ScoreRun) Run {
	r := Run{ID: s.ID, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt, Profile: s.Profile, VigieVersion: s.VigieVersion, ProfileHash: s.ProfileHash}
	if s.Clock == store.ClockFixed {
		t := s.AsOf
		r.AsOf = &t
	}
	return r
}

// checkOrgs makes sure every organization asked for has scored datasets.
func checkOrgs(asked []string, got []store.ReportOrg) error {
	seen := map[string]bool{}
	for _, o := range got {
		seen[o.Name] = true
	}
	var missing []string
	for _, a := range asked {
		if !seen[a] {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return &vigie.Error{Kind: vigie.KindUnknownOrg, ID: "reports.org_not_scored", Args: []any{strings.Join(missing, ", ")}, Org: missing[0]}
	}
	return nil
}

// DatasetURL is a dataset's page on the portal.
func DatasetURL(portal, name string) string {
	if name == "" {
		return ""
	}
	return strings.TrimRight(portal, "/") + "/dataset/" + url.PathEscape(name)
}

func share(n, of int) *float64 {
	if of <= 0 {
		return nil
	}
	v := 100 * float64(n) / float64(of)
	return &v
}

func num(n int) *float64 {
	v := float64(n)
	return &v
}

// Tau is the share of scheduled datasets that are up to date, in percent,
// as quality.Tau defines it: fresh / (fresh + due + overdue + delinquent).
// Not-applicable and unknown frequencies are left out. Nil when no dataset
// has a schedule.
func Tau(freshness map[vigie.Freshness]int) *float64 {
	return share(freshness[vigie.FreshFresh], scheduled(freshness))
}

// UpToDate is HDX's wider "up to date" share, in percent: a dataset that is
// due (its update is expected now, not late yet) counts as well:
// (fresh + due) / (fresh + due + overdue + delinquent).
func UpToDate(freshness map[vigie.Freshness]int) *float64 {
	return share(freshness[vigie.FreshFresh]+freshness[vigie.FreshDue], scheduled(freshness))
}

func scheduled(f map[vigie.Freshness]int) int {
	return f[vigie.FreshFresh] + f[vigie.FreshDue] + f[vigie.FreshOverdue] + f[vigie.FreshDelinquent]
}

// LinksWorking is the share of checked links that work, in percent, over
// the URLs checked only (never-checked ones are not failures: see
// LinkCoverage). Unsure links (401/403, 429, bot challenges, timeouts, hosts
// skipped as unreachable) are left out: their state is not known. Failing
// links count as not working: they do not work today, confirmed broken or
// not. Nil when no link was checked.
func LinksWorking(classes map[vigie.LinkClass]int) *float64 {
	total := 0
	for class, n := range classes {
		if class != vigie.LinkUnsure {
			total += n
		}
	}
	return share(classes[vigie.LinkOK], total)
}

// LinkCoverage is the share of the scope's URLs the link indicator was
// computed over: checked / total.
func LinkCoverage(i *store.ReportIndicators) *Coverage {
	checked := 0
	for _, n := range i.LinkClasses {
		checked += n
	}
	return &Coverage{Checked: checked, Total: i.LinkURLs, Percent: round(share(checked, i.LinkURLs))}
}

// Indicators lists the commitment indicators of now, with their change since
// then when then is not nil, without a baseline.
func Indicators(lang string, now, then *store.ReportIndicators) []Indicator {
	return indicators(lang, now, then, nil)
}

// baseline is what the "datasets" indicator is compared with.
type baseline struct {
	value float64
	note  string
}

// baselineOf is the user's baseline when given, else the one the profile
// declares for this portal, else none.
func baselineOf(profile, portal string, given *float64, lang string) *baseline {
	if given != nil {
		return &baseline{value: *given, note: fmt.Sprintf(T(lang, "baseline_given"), fmtNum(given, lang))}
	}
	b := quality.ProfileBaseline(profile, portal)
	if b == nil {
		return nil
	}
	return &baseline{value: float64(b.Datasets), note: b.Note.In(lang)}
}

func indicators(lang string, now, then *store.ReportIndicators, base *baseline) []Indicator {
	type def struct {
		key, unit string
		get       func(*store.ReportIndicators) *float64
	}
	defs := []def{
		{"datasets", "count", func(i *store.ReportIndicators) *float64 { return num(i.Datasets) }},
		{"organizations", "count", func(i *store.ReportIndicators) *float64 { return num(i.Organizations) }},
		{"open_licence", "percent", func(i *store.ReportIndicators) *float64 { return share(i.OpenLicence, i.Datasets) }},
		{"licence_unknown", "count", func(i *store.ReportIndicators) *float64 { return num(i.LicenceUnknown) }},
		{"machine_readable", "percent", func(i *store.ReportIndicators) *float64 { return share(i.MachineReadable, i.Datasets) }},
		{"open_format", "percent", func(i *store.ReportIndicators) *float64 { return share(i.OpenFormat, i.Datasets) }},
		{"tau", "percent", func(i *store.ReportIndicators) *float64 { return Tau(i.Freshness) }},
		{"up_to_date", "percent", func(i *store.ReportIndicators) *float64 { return UpToDate(i.Freshness) }},
		{"completeness", "score", func(i *store.ReportIndicators) *float64 { return i.Completeness }},
		{"overall", "score", func(i *store.ReportIndicators) *float64 { return i.Overall }},
		{"links_working", "percent", func(i *store.ReportIndicators) *float64 { return LinksWorking(i.LinkClasses) }},
		{"mqa_excellent", "count", func(i *store.ReportIndicators) *float64 { return num(i.Ratings[vigie.RatingExcellent]) }},
		{"mqa_good", "count", func(i *store.ReportIndicators) *float64 { return num(i.Ratings[vigie.RatingGood]) }},
		{"mqa_sufficient", "count", func(i *store.ReportIndicators) *float64 { return num(i.Ratings[vigie.RatingSufficient]) }},
		{"mqa_bad", "count", func(i *store.ReportIndicators) *float64 { return num(i.Ratings[vigie.RatingBad]) }},
	}
	out := make([]Indicator, 0, len(defs))
	for _, d := range defs {
		ind := Indicator{Key: d.key, Label: T(lang, "ind_"+d.key), Unit: d.unit, Value: round(d.get(now))}
		if then != nil {
			ind.Previous = round(d.get(then))
			if ind.Value != nil && ind.Previous != nil {
				ind.Change = round(ptr(*ind.Value - *ind.Previous))
			}
		}
		switch d.key {
		case "datasets":
			if base != nil {
				ind.Baseline = ptr(base.value)
				ind.Note = base.note
			}
		case "tau":
			ind.Note = T(lang, "tau_note")
		case "up_to_date":
			ind.Note = T(lang, "up_to_date_note")
		case "links_working":
			ind.Coverage = LinkCoverage(now)
			ind.Note = T(lang, "links_note") + coverageNote(lang, ind.Coverage)
		}
		out = append(out, ind)
	}
	return out
}

func ptr(v float64) *float64 { return &v }

// round keeps one decimal, enough for percentages, and the precision of
// means (vigie.RoundMean).
func round(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := vigie.RoundMean(*p)
	return &v
}

func summary(i *store.ReportIndicators) Summary {
	return Summary{
		Datasets:      i.Datasets,
		Organizations: i.Organizations,
		Scores: vigie.Scores{Overall: round(i.Overall), Completeness: round(i.Completeness), Freshness: round(i.FreshnessScore),
			Openness: round(i.Openness), Availability: round(i.Availability)},
		MQAPoints:  round(i.MQAPoints),
		Findings:   Severities{Error: i.Errors, Warning: i.Warnings, Info: i.Infos},
		Ratings:    i.Ratings,
		Freshness:  i.Freshness,
		Stars:      i.Stars,
		Links:      i.LinkClasses,
		LinkURLs:   i.LinkURLs,
		Visibility: i.Visibility,
	}
}

// organizations turns the store's aggregates into rows ranked by mean
// overall score (unknown last, then by name).
func organizations(in []store.ReportOrg) []Organization {
	out := make([]Organization, 0, len(in))
	for _, o := range in {
		var broken *int
		if o.LinksChecked > 0 {
			broken = &o.BrokenLinks
		}
		out = append(out, Organization{
			Name: o.Name, Title: o.Title, Datasets: o.Datasets,
			Scores: vigie.Scores{Overall: round(o.Overall), Completeness: round(o.Completeness), Freshness: round(o.Freshness),
				Openness: round(o.Openness), Availability: round(o.Availability)},
			MQAPoints:    round(o.MQA),
			OpenLicence:  round(share(o.OpenLicence, o.Datasets)),
			Tau:          round(share(o.Fresh, o.Scheduled)),
			TauScheduled: o.Scheduled,
			BrokenLinks:  broken,
			Findings:     Severities{Error: o.Errors, Warning: o.Warnings, Info: o.Infos},
		})
	}
	Rank(out)
	return out
}

// Rank sorts organizations by mean overall score, best first (unknown last,
// ties by name), and numbers them.
func Rank(orgs []Organization) {
	sort.SliceStable(orgs, func(i, j int) bool {
		a, b := orgs[i].Scores.Overall, orgs[j].Scores.Overall
		switch {
		case a != nil && b != nil && *a != *b:
			return *a > *b
		case (a == nil) != (b == nil):
			return a != nil
		}
		return orgs[i].Name < orgs[j].Name
	})
	for i := range orgs {
		orgs[i].Rank = i + 1
	}
}

// storeRows streams datasets and findings from the store.
type storeRows struct {
	db     Store
	scope  store.ReportScope
	portal string
	lang   string
}

func (s *storeRows) datasets(ctx context.Context, withFindings bool, fn func(*Dataset) error) error {
	return s.db.ReportDatasets(ctx, s.scope, withFindings, func(d *store.ReportDataset) error {
		out := Dataset{
			ID: d.ID, Name: d.Name, Title: MarkTitle(s.lang, d.Visibility, d.Title), Organization: d.Organization, URL: DatasetURL(s.portal, d.Name),
			Visibility: d.Visibility,
			Scores:     d.Scores, MQA: d.MQA, FreshnessStatus: d.FreshnessStatus, Frequency: d.Frequency, Stars: d.Stars,
			OpenLicence: d.OpenLicence, LicenceStatus: d.LicenceStatus, Counts: Severities{Error: d.Errors, Warning: d.Warnings, Info: d.Infos},
		}
		if withFindings {
			out.Findings = make([]Finding, len(d.Findings))
			for i, f := range d.Findings {
				out.Findings[i] = finding(f, s.lang)
			}
		}
		return fn(&out)
	})
}

func (s *storeRows) findings(ctx context.Context, fn func(*FindingRow) error) error {
	return s.db.ReportFindings(ctx, s.scope, func(f *store.ReportFinding) error {
		return fn(&FindingRow{DatasetID: f.DatasetID, DatasetName: f.DatasetName, DatasetTitle: MarkTitle(s.lang, f.DatasetVisibility, f.DatasetTitle),
			Organization: f.Organization, DatasetVisibility: f.DatasetVisibility, Finding: finding(f.Finding, s.lang)})
	})
}

func finding(f vigie.Finding, lang string) Finding {
	return Finding{Rule: f.Rule, Dimension: f.Dimension, Severity: f.Severity, ResourceID: f.ResourceID, Points: f.Points,
		Message: f.Message.In(lang), Hint: f.Hint.In(lang)}
}

// coverageNote says over how many URLs the link indicator was computed,
// e.g. "; coverage: 1,234 of 17,000 URLs checked (7.3%)".
func coverageNote(lang string, c *Coverage) string {
	pct := fmtNum(c.Percent, lang)
	if lang == "en" {
		return fmt.Sprintf("; coverage: %s of %s URLs checked (%s%%)", l10n.Int(c.Checked, lang), l10n.Int(c.Total, lang), pct)
	}
	return fmt.Sprintf(" ; couverture : %s URL vérifiées sur %s (%s%s%%)", l10n.Int(c.Checked, lang), l10n.Int(c.Total, lang), pct, l10n.ThinSpace)
}

// staleWarning says that the datasets' metadata is newer than the scores.
func staleWarning(lang string, h *store.ReportHarvestRun, run *store.ScoreRun) string {
	when := h.StartedAt.UTC().Format("2006-01-02 15:04 UTC")
	if h.Status == "running" {
		return vigie.Text{
			FR: fmt.Sprintf("le moissonnage %d (commencé %s) est encore en cours : ce rapport peut mêler ses métadonnées aux scores de l'évaluation %d ; refaites le rapport une fois le moissonnage terminé et évalué", h.ID, when, run.ID),
			EN: fmt.Sprintf("harvest run %d (started %s) is still writing: this report may mix its metadata with the scores of score run %d; make the report again once the harvest is done and scored", h.ID, when, run.ID),
		}.In(lang)
	}
	return vigie.Text{
		FR: fmt.Sprintf("les métadonnées viennent du moissonnage %d (%s), plus récent que les scores de l'évaluation %d (calculés sur le moissonnage %d) : évaluez le portail de nouveau pour les accorder", h.ID, when, run.ID, run.HarvestRunID),
		EN: fmt.Sprintf("the metadata comes from harvest run %d (%s), newer than the scores of score run %d (computed from harvest run %d): score the portal again to bring them together", h.ID, when, run.ID, run.HarvestRunID),
	}.In(lang)
}
