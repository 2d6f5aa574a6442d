package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newHarvestCmd) }

// harvestOptions are the harvest command's flags; audit reuses them.
type harvestOptions struct {
	full           bool
	fullEvery      time.Duration
	orgs           []string
	includePrivate bool
	tokenFile      string
	from           string
	rate           float64
	timeout        time.Duration
	rows           int
	maxBody        int64
	maxMissing     percentValue
	allowPrivate   bool
}

// percentValue is a share written as a percentage: "10%" or "10".
type percentValue float64

func (p *percentValue) String() string {
	return strconv.FormatFloat(float64(*p)*100, 'f', -1, 64) + "%"
}
func (p *percentValue) Type() string { return "percent" }
func (p *percentValue) Set(v string) error {
	// "10%", "10 %" or "10\u202f%" (as the French messages write it)
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%")), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
		return vigie.NewError(vigie.KindUsage, "cmd.percent")
	}
	*p = percentValue(f / 100)
	return nil
}

const harvestLong = `Harvest a CKAN portal's dataset metadata into the database.

The first run, --full, and any run whose last complete full pass is older than
--full-every list every dataset (package_search sorted by id, paged by what
the portal actually returns, gaps fetched with package_show). Other runs fetch
only the datasets modified since the last good run (minus one hour), and switch
to a full pass when the portal's count and the stored count disagree.

A dataset absent from a complete full pass becomes "missing"; absent from two
consecutive ones, "deleted" (it stays in the history). With --org, only those
organizations are harvested and only their datasets can be marked. A pass that
would mark more than --max-missing (10%) of the active datasets missing first
asks package_show for a sample of them: if any is still there (a search index
being rebuilt lists only part of the catalogue), the run fails and nothing is
marked.

--include-private needs a CKAN API token, read from VIGIE_API_TOKEN or
--token-file; it is sent in the Authorization header and never logged or stored.

--from imports a saved file instead of calling the portal: a ckanapi dump
(JSON lines), a JSON list of packages, or saved package_show, package_search,
organization_show or organization_list responses, gzip-compressed or not
(ckanapi dump … -z), or '-' for the standard input. An import only adds and
updates datasets; with --full it is taken as the whole catalogue, and datasets
it lacks are marked missing, then deleted (refused above --max-missing: pass
--max-missing 100% if the file really is the whole catalogue).

Every page is written as it arrives; a failed or interrupted harvest marks its
run failed and leaves missing/deleted marks and the last complete run as they were.`

func newHarvestCmd(a *App) *cobra.Command {
	o := &harvestOptions{}
	cmd := &cobra.Command{
		Use:   "harvest",
		Short: "Harvest a CKAN portal's datasets and organizations into the database",
		Long:  harvestLong,
		Example: `  $ vigie harvest
  $ vigie harvest --portal https://donnees.montreal.ca --db audits.db
  $ vigie harvest --org ville-de-montreal --org ville-de-quebec
  $ VIGIE_API_TOKEN=... vigie harvest --include-private
  $ vigie harvest --from dump.jsonl --portal https://www.donneesquebec.ca/recherche
  $ ckanapi dump datasets --all -r https://www.donneesquebec.ca/recherche | vigie harvest --from - --portal https://www.donneesquebec.ca/recherche
  $ vigie harvest --full`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := o.check(); err != nil {
				return err
			}
			if err := store.CheckPortalURL(a.Portal); err != nil {
				return usageErr("%v", err) // before the database is created or touched
			}
			// A first harvest or import that fails before storing a dataset
			// (a file that is not a dump, a portal that is not CKAN) leaves
			// no database or lock file behind; an existing one is kept with
			// its failed run's record. An interrupted one keeps its record
			// too: the database says where it stopped.
			fr := noteFirstRun(a.DBPath, "")
			err := func() error {
				db, release, err := a.OpenDBLocked(ctx, "harvest")
				if err != nil {
					return err
				}
				defer release()
				res, err := runHarvest(ctx, a, db, o)
				if res != nil && err == nil {
					fmt.Fprintln(a.Stdout, harvestSummary(res, a.Lang)+publishedNote(ctx, db, vigie.Scope{Portal: a.Portal, Orgs: o.orgs}, a.Lang))
					a.logNumbers("harvest done", harvestAttrs(res))
				}
				return err
			}()
			if ctx.Err() == nil {
				fr.cleanup(err)
			}
			return err
		},
	}
	o.addFlags(cmd.Flags(), true)
	cmd.Flags().StringVar(&o.from, "from", "", "import this saved file instead of calling the portal (gzip or not; - for standard input)")
	return cmd
}

// addFlags adds the harvest flags to f. audit passes scope=false because it
// defines --full and --org itself (and sets o.full and o.orgs from them).
func (o *harvestOptions) addFlags(f *pflag.FlagSet, scope bool) {
	if scope {
		f.BoolVar(&o.full, "full", false, "force a complete pass (with --from: the file is the whole catalogue)")
		addOrgFlag(f, &o.orgs, "only this organization")
		// audit has one --allow-private for the harvest and the link check
		f.BoolVar(&o.allowPrivate, "allow-private", false, "follow the portal to loopback, private and link-local addresses even when the portal itself is public")
	}
	f.DurationVar(&o.fullEvery, "full-every", 7*24*time.Hour, "run a full pass when the last one is older than this")
	f.BoolVar(&o.includePrivate, "include-private", false, "include private datasets (needs VIGIE_API_TOKEN or --token-file)")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the CKAN API token")
	f.Float64Var(&o.rate, "rate", 2, "requests per second to the portal (0 = no limit)")
	f.DurationVar(&o.timeout, "timeout", 60*time.Second, "timeout of one API request")
	f.IntVar(&o.rows, "rows", 1000, "datasets asked per package_search page")
	f.Int64Var(&o.maxBody, "max-response", 64<<20, "largest API answer accepted, in bytes")
	o.maxMissing = percentValue(pipeline.DefaultMaxMissing)
	f.Var(&o.maxMissing, "max-missing", "share of active datasets one pass may mark missing before a sample is checked with the portal (0–100%)")
}

func (o *harvestOptions) check() error {
	if o.rows < 1 {
		return usage("usage.rows", o.rows)
	}
	if o.rate < 0 {
		return usage("usage.rate", o.rate)
	}
	if o.fullEvery <= 0 {
		return usage("usage.full_every")
	}
	if o.from != "" && (o.includePrivate || len(o.orgs) > 0) {
		return usage("usage.from_scope")
	}
	if o.from == "" {
		// a token that cannot be sent is refused before anything is opened
		if _, err := o.token(); err != nil {
			return err
		}
	}
	return nil
}

// maxMissingShare is --max-missing for pipeline.HarvestOptions: 0% becomes
// "check any", since 0 there means the default.
func (o *harvestOptions) maxMissingShare() float64 {
	if o.maxMissing == 0 {
		return -1
	}
	return float64(o.maxMissing)
}

// token reads the API token from --token-file or VIGIE_API_TOKEN.
func (o *harvestOptions) token() (string, error) {
	if o.tokenFile != "" {
		b, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return "", vigie.NewError(vigie.KindOther, "cmd.token_unreadable", o.tokenFile)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return "", vigie.NewError(vigie.KindOther, "cmd.token_empty", o.tokenFile)
		}
		if err := harvester.CheckToken(t); err != nil {
			return "", usage("usage.token_file", o.tokenFile, err)
		}
		return t, nil
	}
	t := strings.TrimSpace(os.Getenv("VIGIE_API_TOKEN"))
	if err := harvester.CheckToken(t); err != nil {
		return "", usage("usage.token", err)
	}
	return t, nil
}

// runHarvest harvests a.Portal (or imports o.from) into db, with a progress
// bar on a terminal and log lines otherwise.
func runHarvest(ctx context.Context, a *App, db *store.DB, o *harvestOptions) (*pipeline.HarvestResult, error) {
	defer harvestGC()()
	portal, err := db.EnsurePortal(ctx, a.Portal)
	if err != nil {
		return nil, err
	}
	bar := newProgress(a, "log.progress.harvest")
	defer bar.Done()
	progress := func(phase string, fetched, count int) { bar.Set(fetched, count) }
	if o.from != "" {
		dump, err := harvester.OpenDump(o.from, a.Stdin)
		if err != nil {
			return nil, err
		}
		defer dump.Close()
		return pipeline.Import(ctx, db, portal, dump.Read, pipeline.ImportOptions{Path: o.from, Complete: o.full, MaxMissing: o.maxMissingShare(), Progress: progress})
	}
	token, err := o.token()
	if err != nil {
		return nil, err
	}
	if o.includePrivate && token == "" {
		return nil, usage("usage.include_private")
	}
	rate := o.rate
	if rate == 0 {
		rate = -1
	}
	var user, password string
	if a.portalUser != nil {
		user = a.portalUser.Username()
		password, _ = a.portalUser.Password()
	}
	c, err := harvester.NewClient(portal.URL, harvester.ClientOptions{
		Rate: rate, Timeout: o.timeout, MaxBody: o.maxBody, Token: token, User: user, Password: password,
		AllowPrivate: o.allowPrivate,
		OnRetry: func(action string, attempt int, wait time.Duration, err error) {
			a.Log.Warn("retrying", "action", action, "attempt", attempt, "wait", wait.Round(time.Millisecond).String(), "error", err.Error())
		},
	})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	a.Log.Info("harvest", "portal", portal.URL, "db", db.Path())
	src := harvester.NewSource(c, harvester.SourceOptions{Orgs: o.orgs, IncludePrivate: o.includePrivate, Rows: o.rows})
	res, err := pipeline.Harvest(ctx, src, db, portal, pipeline.HarvestOptions{
		Full: o.full, FullEvery: o.fullEvery, Orgs: o.orgs, IncludePrivate: o.includePrivate,
		MaxMissing: o.maxMissingShare(),
		Progress:   progress,
	})
	if err != nil {
		if d := vigie.Details(err); errors.Is(err, context.Canceled) || d != nil && (d.Portal != "" || d.Path != "") {
			return res, err // it names the portal (or the file) already
		}
		return res, &vigie.Error{Kind: vigie.KindOf(err), ID: "harvest.failed", Args: []any{portal.URL, err}, Portal: portal.URL, Err: err}
	}
	if res.MissingChecked > 0 {
		a.Log.Warn("many datasets marked missing at once; a sample checked with package_show is really gone",
			"missing", res.Missing, "checked", res.MissingChecked)
	}
	if !res.ListingComplete && res.Mode == store.ModeFull {
		a.Log.Warn("this full pass did not see the whole listing (fewer datasets than the portal counts, or none at all); deletions were not marked",
			"count", res.Expected, "fetched", res.Fetched)
	}
	return res, nil
}

// publishedNote ends the harvest summary when the portal's active datasets
// include some that are not published: "; 573 published, 55 not (40
// private, 10 draft, 5 deleted)". Only published datasets count in reports.
func publishedNote(ctx context.Context, db *store.DB, s vigie.Scope, lang string) string {
	v, err := db.CountVisibility(ctx, s)
	if err != nil {
		return ""
	}
	not := v[vigie.VisPrivate] + v[vigie.VisDraft] + v[vigie.VisDeleted]
	if not == 0 {
		return ""
	}
	return l10n.T(lang, "harvest.published", l10n.N(lang, "n.published", v[vigie.VisPublic]), l10n.N(lang, "n.unpublished", not),
		l10n.N(lang, "n.private", v[vigie.VisPrivate]), l10n.N(lang, "n.draft", v[vigie.VisDraft]), l10n.N(lang, "n.deleted", v[vigie.VisDeleted]))
}

// harvestSummary is the one-line summary printed after a harvest.
func harvestSummary(r *pipeline.HarvestResult, lang string) string {
	mode := r.Mode
	if l10n.Has("mode." + mode) {
		mode = l10n.T(lang, "mode."+mode)
	}
	if r.ReasonID != "" {
		mode += " (" + l10n.T(lang, r.ReasonID, r.ReasonArgs...) + ")"
	}
	n := func(id string, i int) string { return l10n.N(lang, id, i) }
	lic := "" // the portal's licence register, when it has one
	if r.Licences > 0 {
		lic = l10n.T(lang, "harvest.licences", n("n.licences", r.Licences))
	}
	return l10n.T(lang, "harvest.summary", mode, n("n.datasets", r.Fetched), n("n.new", r.Counts.New), n("n.changed", r.Counts.Changed),
		n("n.unchanged", r.Counts.Unchanged), n("n.missing", r.Missing), n("n.deleted", r.Deleted), n("n.organizations", r.Organizations),
		lic, n("n.requests", r.Requests), l10n.Duration(r.Elapsed.Round(time.Millisecond), lang))
}

// harvestGC lets the heap grow to three times what is live (GOGC=200)
// while harvests run, unless GOGC is set: a harvest's garbage is its pages,
// decoded and written within seconds, and with the default the collector
// took about a tenth of a full pass's CPU (20k datasets: 6.7-7.2 -> 6.3-6.5
// s of CPU, peak RSS 193 -> 226 MiB). The returned function ends it when
// the last harvest of the process ends.
func harvestGC() (done func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	harvestGCState.Lock()
	defer harvestGCState.Unlock()
	if harvestGCState.n == 0 {
		harvestGCState.prev = debug.SetGCPercent(200)
	}
	harvestGCState.n++
	return func() {
		harvestGCState.Lock()
		defer harvestGCState.Unlock()
		if harvestGCState.n--; harvestGCState.n == 0 {
			debug.SetGCPercent(harvestGCState.prev)
		}
	}
}

var harvestGCState struct {
	sync.Mutex
	n    int
	prev int
}
