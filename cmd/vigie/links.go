package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/linkcheck"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newLinksCmd) }

// linksOptions are the flags of `vigie links`; the check flags are shared
// with any command that runs a link check (addCheckFlags).
type linksOptions struct {
	all          bool
	orgs         []string
	concurrency  int
	perHost      int
	delay        time.Duration
	timeout      time.Duration
	failures     int
	brokenAfter  time.Duration
	allowPrivate bool
	proxy        string // none or env
	olderThan    time.Duration
	format       string
	list         bool
	classes      []string
}

// defaultLinksOptions are the flag defaults, for commands that run a link
// check without exposing every flag.
func defaultLinksOptions() *linksOptions {
	return &linksOptions{
		concurrency: linkcheck.DefaultConcurrency,
		perHost:     linkcheck.DefaultPerHost,
		timeout:     linkcheck.DefaultTimeout,
		failures:    linkcheck.DefaultFailuresToBroken,
		brokenAfter: linkcheck.DefaultBrokenAfter,
		olderThan:   24 * time.Hour,
		format:      "table",
	}
}

// addCheckFlags adds the flags that tune a link check, with the values o
// already holds as defaults (audit sets its own --older-than first).
func (o *linksOptions) addCheckFlags(f *pflag.FlagSet) {
	d := *o
	f.IntVar(&o.concurrency, "concurrency", d.concurrency, "requests in flight overall")
	f.IntVar(&o.perHost, "per-host", d.perHost, "requests in flight per host")
	f.DurationVar(&o.delay, "delay", d.delay, "minimum time between two requests to one host")
	f.DurationVar(&o.timeout, "timeout", d.timeout, "time limit of one request (HEAD, ranged GET, short GET each)")
	f.IntVar(&o.failures, "failures", d.failures, "consecutive failures before a link is broken")
	f.DurationVar(&o.brokenAfter, "broken-after", d.brokenAfter, "the failures must span at least this long")
	f.BoolVar(&o.allowPrivate, "allow-private", d.allowPrivate, "also connect to loopback, private and link-local addresses")
	proxy := d.proxy
	if proxy == "" {
		proxy = "none"
	}
	f.StringVar(&o.proxy, "links-proxy", proxy, "check links through a proxy: none, or env (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); the address rule still applies to each link")
	f.DurationVar(&o.olderThan, "older-than", d.olderThan, "check URLs not checked for this long (new URLs always)")
}

func (o *linksOptions) validate() error {
	switch {
	case o.concurrency < 1:
		return usage("usage.concurrency", o.concurrency)
	case o.perHost < 1:
		return usage("usage.per_host", o.perHost)
	case o.delay < 0:
		return usage("usage.delay")
	case o.timeout <= 0:
		return usage("usage.timeout")
	case o.failures < 1:
		return usage("usage.failures", o.failures)
	case o.brokenAfter < 0:
		return usage("usage.broken_after")
	case o.olderThan < 0:
		return usage("usage.older_than")
	case o.proxy != "" && o.proxy != "none" && o.proxy != "env":
		return usage("usage.links_proxy", o.proxy)
	}
	for _, c := range o.classes {
		switch vigie.LinkClass(c) {
		case vigie.LinkOK, vigie.LinkBroken, vigie.LinkFailing, vigie.LinkUnsure, vigie.LinkInvalid, vigie.LinkBlocked:
		default:
			return usage("usage.class", c)
		}
	}
	return nil
}

func newLinksCmd(a *App) *cobra.Command {
	o := defaultLinksOptions()
	cmd := &cobra.Command{
		Use:   "links",
		Short: "Check that resource URLs answer, politely, and list the results",
		Long: `Check each distinct resource URL of the portal's active datasets once:
HEAD first, then a GET for the first byte only, then (if the server refuses
ranges) a GET that reads at most 4 KiB. Files are never downloaded.

By default only URLs not checked for --older-than (24h) are checked, never
checked ones first. --all checks every URL.

Classes:
  ok        answers with success (an HTML page where data was declared is
            still ok but marked as a landing page)
  failing   fails (404, 410, 5xx, DNS, refused, empty body) but not yet
            --failures times over at least --broken-after
  broken    failed --failures times in a row over at least --broken-after
  unsure    401/403, 429, bot challenge, TLS error, timeout, ftp: and
            other schemes that cannot be checked
  invalid   not a URL
  blocked   resolves to a loopback, private or link-local address
            (refused unless --allow-private)

Politeness: at most --per-host requests at once to one host, --delay
between them, Retry-After honoured (up to 60s), and a User-Agent naming
vigie and its home page. A host name that does not exist is looked up once
per run. After 3 consecutive checks of one host end in a timeout, a failed
name lookup or no route, its remaining URLs are not checked: they are
unsure ("host unreachable during this run"), do not count as failures, and
are checked again at the next run; the summary says how many.

Proxy: links are checked directly unless --links-proxy env is given; then
they go through the proxy of HTTPS_PROXY / HTTP_PROXY (NO_PROXY honoured,
loopback never proxied). The proxy may be on a private address; each link's
host name is still resolved here and refused (blocked) when it resolves to
a loopback, private or link-local address, before the proxy is asked.

Output: a summary line. With --format, also the URLs of this run (table or
JSON array). --list prints the stored results without checking anything.
Ctrl-C stops the check; what was checked is saved and the run is marked
interrupted.`,
		Example: `  # check URLs not checked in the last 24 h (new ones first)
  $ vigie links

  # check everything, faster, with a 30 s limit per request
  $ vigie links --all --concurrency 64 --per-host 2 --timeout 30s

  # one organization, then print this run's results as JSON
  $ vigie links --org ville-de-quebec --format json

  # list stored results without checking: broken and failing links
  $ vigie links --list --class broken,failing
  $ vigie links --list --format json > links.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.format, "table", "json"); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			if o.list {
				for _, name := range []string{"all", "older-than", "concurrency", "per-host", "delay", "timeout", "failures", "broken-after", "allow-private", "links-proxy"} {
					if cmd.Flags().Changed(name) {
						return usage("usage.list", name)
					}
				}
				return listLinks(cmd.Context(), a, o)
			}
			return runLinks(cmd.Context(), a, o, cmd.Flags().Changed("format"))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "check every URL, however recently checked")
	addOrgFlag(f, &o.orgs, "only datasets of this organization")
	o.addCheckFlags(f)
	f.StringVar(&o.format, "format", "table", "output of the results: table or json")
	f.BoolVar(&o.list, "list", false, "print stored results without checking")
	f.StringSliceVar(&o.classes, "class", nil, "only print links of these classes (ok, broken, failing, unsure, invalid, blocked)")
	return cmd
}

// checkLinks runs the link stage with the command's options, showing
// progress (see pipeline.CheckLinks).
func checkLinks(ctx context.Context, a *App, db *store.DB, o *linksOptions) (*pipeline.LinkOutcome, error) {
	var proxy func(*url.URL) (*url.URL, error)
	if o.proxy == "env" {
		proxy = linkcheck.ProxyFromEnvironment()
	}
	if p, err := db.Portal(ctx, a.Portal); err == nil {
		if err := checkOrgs(ctx, db, p.ID, o.orgs); err != nil {
			return nil, err
		}
	}
	bar := newProgress(a, "log.progress.links")
	defer bar.Done()
	return pipeline.CheckLinks(ctx, db, a.scope(o.orgs), pipeline.LinkOptions{
		All: o.all, OlderThan: o.olderThan, Log: a.Log,
		Check: linkcheck.Options{
			Concurrency:      o.concurrency,
			PerHost:          o.perHost,
			PerHostDelay:     o.delay,
			Timeout:          o.timeout,
			FailuresToBroken: o.failures,
			BrokenAfter:      o.brokenAfter,
			AllowPrivate:     o.allowPrivate,
			Proxy:            proxy,
			Progress:         bar.Set,
		},
	})
}

func runLinks(ctx context.Context, a *App, o *linksOptions, printRows bool) error {
	db, release, err := a.OpenDBLocked(ctx, "links")
	if err != nil {
		return err
	}
	defer release()
	out, err := checkLinks(ctx, a, db, o)
	if err != nil {
		if out != nil && errors.Is(err, context.Canceled) {
			fmt.Fprintln(a.Stderr, summaryLine(out, a.Lang))
		}
		return err
	}
	if out == nil {
		msg, recent, err := nothingDue(ctx, a, db, o)
		if err != nil {
			return err
		}
		if recent {
			msg += l10n.T(a.Lang, "links.nothing.all")
		}
		if o.format == "json" && printRows {
			a.Log.Info(msg, "event", "links.nothing_due")
			return printJSON(a.Stdout, []reports.LinkJSON{})
		}
		fmt.Fprintln(a.Stdout, msg)
		return nil
	}
	a.logNumbers("links done", linkAttrs(out))
	if !printRows {
		fmt.Fprintln(a.Stdout, summaryLine(out, a.Lang))
		return nil
	}
	p, err := db.Portal(ctx, a.Portal)
	if err != nil {
		return err
	}
	rows, err := db.LinkRows(ctx, store.LinkFilter{Scope: vigie.Scope{Portal: p.URL, Orgs: o.orgs}, Classes: o.classes, RunID: out.RunID})
	if err != nil {
		return err
	}
	if o.format == "json" {
		if !a.Quiet {
			fmt.Fprintln(a.Stderr, summaryLine(out, a.Lang))
		}
		return printJSON(a.Stdout, reports.LinksJSON(a.Lang, rows))
	}
	if err := printLinkTable(a, rows); err != nil {
		return err
	}
	fmt.Fprintln(a.Stdout, summaryLine(out, a.Lang))
	return nil
}

func listLinks(ctx context.Context, a *App, o *linksOptions) error {
	db, p, err := a.openPortal(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkOrgs(ctx, db, p.ID, o.orgs); err != nil {
		return err
	}
	rows, err := db.LinkRows(ctx, store.LinkFilter{Scope: vigie.Scope{Portal: p.URL, Orgs: o.orgs}, Classes: o.classes})
	if err != nil {
		return err
	}
	if o.format == "json" {
		return printJSON(a.Stdout, reports.LinksJSON(a.Lang, rows))
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "links.list.none"))
		return nil
	}
	return printLinkTable(a, rows)
}

// summaryLine: "checked 1200 URLs on 85 hosts in 2m3s: 1100 ok, 4 broken, …".
func summaryLine(out *pipeline.LinkOutcome, lang string) string {
	s := out.Summary
	n := func(id string, i int) string { return l10n.N(lang, id, i) }
	checked := n("n.urls.checked", s.URLs)
	if out.Interrupted {
		checked = l10n.T(lang, "links.interrupted", n("n.checked", s.URLs), n("n.urls", out.Due))
	}
	// Failing links do not work today either: they are said with the broken
	// ones, so that "0 broken" never hides hundreds failing.
	unsure := n("n.unsure", s.Unsure)
	if s.Skipped > 0 {
		unsure += l10n.T(lang, "links.skipped", n("n.skipped", s.Skipped))
	}
	line := l10n.T(lang, "links.summary", checked, n("n.hosts", s.Hosts), l10n.Duration(out.Elapsed.Round(100*time.Millisecond), lang),
		n("n.ok", s.OK), n("n.not_working", s.Broken+s.Failing), n("n.broken", s.Broken), n("n.failing", s.Failing),
		unsure, n("n.invalid", s.Invalid), n("n.blocked", s.Blocked))
	var notes []string
	if s.LandingPages > 0 {
		notes = append(notes, n("n.landing", s.LandingPages))
	}
	if s.ManyRedirects > 0 {
		notes = append(notes, l10n.Form(lang, "n.many_redirects", l10n.Plural(s.ManyRedirects, lang), l10n.Int(s.ManyRedirects, lang), l10n.Int(linkcheck.ManyRedirects, lang)))
	}
	if len(notes) > 0 {
		sep := ", "
		line += " (" + strings.Join(notes, sep) + ")"
	}
	return line + l10n.T(lang, "links.run", l10n.Int(out.RunID, lang))
}

// printLinkTable prints one line per URL; the URL comes last and whole, as
// it is what a steward needs to fix.
func printLinkTable(a *App, rows []store.LinkRow) error {
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(tableHeader(a.Lang, []string{"class", "http", "fails", "since", "reason", "datasets", "url"}), "\t"))
	for _, r := range rows {
		status, fails, since := "-", "", ""
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		if r.Failures > 0 {
			fails = strconv.Itoa(r.Failures)
		}
		if r.FirstFailure != nil {
			since = r.FirstFailure.Format("2006-01-02 15:04")
		}
		reason := l10n.LinkReason(a.Lang, r.Reason)
		if r.LandingPage && reason == "" {
			reason = l10n.LinkReason(a.Lang, vigie.EncodeLinkReasons(vigie.R(vigie.ReasonLandingPage, "")))
		}
		datasets := strings.Join(r.Datasets, ", ")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", oneLine(vigie.Label(r.Class).In(a.Lang), 14), status, fails, since,
			oneLine(reason, 70), oneLine(datasets, 50), oneLine(r.URL, 4096))
	}
	return tw.Flush()
}

// nothingDue says why a link check found nothing to check: no resource URL
// stored (recent false), or every URL checked less than --older-than ago.
func nothingDue(ctx context.Context, a *App, db *store.DB, o *linksOptions) (msg string, recent bool, err error) {
	p, err := db.Portal(ctx, a.Portal)
	if err != nil {
		return "", false, err
	}
	has, err := db.HasResourceURLs(ctx, vigie.Scope{Portal: p.URL, Orgs: o.orgs})
	if err != nil {
		return "", false, err
	}
	if !has {
		scope := l10n.T(a.Lang, "links.nothing.portal", p.URL)
		if len(o.orgs) > 0 {
			scope = l10n.T(a.Lang, "links.nothing.orgs", strings.Join(o.orgs, ", "))
		}
		return l10n.T(a.Lang, "links.nothing.none", scope), false, nil
	}
	return l10n.T(a.Lang, "links.nothing.recent", shortDuration(o.olderThan)), true, nil
}

// shortDuration prints 24h rather than 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
