package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie/config"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/store"
)

// defaultParallel is how many portals `vigie audit` audits at once.
const defaultParallel = 3

// manyOptions are the flags that audit several portals in one process.
type manyOptions struct {
	all      bool
	portals  []string
	parallel int
}

func (m *manyOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&m.all, "all", false, "audit every portal: those of the configuration, then the others the database holds")
	f.StringArrayVar(&m.portals, "portal", nil, "CKAN site root or configured portal name; repeat it to audit several portals")
	f.IntVar(&m.parallel, "parallel", defaultParallel, "portals audited at once (several portals only)")
}

// auditTarget is one portal of a multi-portal audit.
type auditTarget struct {
	config.Portal
	inConfig bool
	user     *url.Userinfo // user:password@ given in --portal, for basic auth only
}

// targets returns the portals to audit together, or nil for the classic
// one-portal audit: --all, --portal given more than once, or no --portal
// (nor VIGIE_PORTAL) and a configuration listing several portals.
func (m *manyOptions) targets(ctx context.Context, a *App, cmd *cobra.Command) ([]auditTarget, error) {
	if m.parallel < 1 {
		return nil, usage("usage.parallel", m.parallel)
	}
	cfg := a.Config
	resolve := func(s string) auditTarget {
		if p, ok := cfg.Lookup(s); ok {
			return auditTarget{Portal: p, inConfig: true}
		}
		s, user := splitPortalUser(s)
		u := store.NormalizePortalURL(s)
		p := config.Portal{Name: slugURL(u), URL: u}
		if cfg != nil {
			p = cfg.Effective(p) // the shared defaults
		}
		return auditTarget{Portal: p, user: user}
	}
	var out []auditTarget
	switch {
	case m.all:
		if len(m.portals) > 0 {
			return nil, usage("usage.all_portal")
		}
		seen := map[string]bool{}
		if cfg != nil {
			for _, p := range cfg.Portals {
				out = append(out, auditTarget{Portal: cfg.Effective(p), inConfig: true})
				seen[p.URL] = true
			}
		}
		if db, err := a.OpenDBReadOnly(ctx); err == nil {
			ps, err := db.Portals(ctx)
			db.Close()
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				if !seen[p.URL] {
					out = append(out, resolve(p.URL))
				}
			}
		}
		if len(out) == 0 {
			return nil, usage("usage.all_none")
		}
	case len(m.portals) > 1:
		for _, s := range m.portals {
			out = append(out, resolve(s))
		}
	case len(m.portals) == 1:
		t := resolve(m.portals[0])
		a.Portal, a.portalUser = t.URL, t.user
		return nil, nil
	case os.Getenv("VIGIE_PORTAL") == "" && cfg != nil && len(cfg.Portals) > 1:
		for _, p := range cfg.Portals {
			out = append(out, auditTarget{Portal: cfg.Effective(p), inConfig: true})
		}
	default:
		return nil, nil
	}
	names := map[string]string{}
	for _, t := range out {
		if prev, ok := names[t.Name]; ok && prev != t.URL {
			return nil, usage("usage.same_folder", prev, t.URL, t.Name)
		}
		names[t.Name] = t.URL
	}
	return out, nil
}

// portalAudit is how one portal's audit ended.
type portalAudit struct {
	target auditTarget
	line   string // the audit's own summary line
	err    error
	code   int
	took   time.Duration
}

// severity orders exit codes from best to worst for the overall exit code.
func severity(code int) int {
	switch code {
	case ExitOK:
		return 0
	case ExitGate:
		return 1
	case ExitFailure, ExitUsage:
		return 2
	}
	return 3 // interrupted
}

// lockedWriter lets concurrent audits share stderr line by line.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// runAuditMany audits several portals under one writer lock, up to
// --parallel at once. Each portal runs the same stages as a one-portal
// audit, with its own settings (configuration, then the flags given) and
// its reports in OUT/NAME/; the network-bound work of one overlaps the
// others' while the store serialises their writes. A portal that fails
// does not stop the others, nor does one that another writer holds on
// PostgreSQL (reported in use, naming the holder). One line per portal
// follows, and the exit code is the worst: interrupted (130), failure or in
// use (1), gate failed (3), success.
func runAuditMany(ctx context.Context, a *App, cmd *cobra.Command, m *manyOptions, targets []auditTarget) error {
	out := ""
	if fl := cmd.Flags().Lookup("out"); fl != nil {
		out = fl.Value.String()
	}
	if strings.TrimSpace(out) == "" {
		return usage("usage.out_all")
	}
	// Every portal's options are checked before anything is locked or fetched.
	stderr := &lockedWriter{w: a.Stderr}
	jobs := make([]auditJob, len(targets))
	for i, t := range targets {
		j, err := newAuditJob(a, cmd, t, out, stderr, a.Log)
		if err != nil {
			return err
		}
		jobs[i] = j
	}
	// On PostgreSQL each portal audited is locked (a writer of another
	// portal may run meanwhile), and a portal another writer holds is
	// reported in use while the others are audited; on SQLite the whole
	// file is locked, so another writer makes the whole command fail.
	for _, t := range targets {
		a.lockPortals = append(a.lockPortals, t.URL)
	}
	a.lockFree = true
	db, release, err := a.OpenDBLocked(ctx, "audit")
	if err != nil {
		return err
	}
	defer release()
	a.Log.Info(l10n.T(a.Lang, "log.audit.several"), "portals", len(targets), "parallel", m.parallel, "out", out)

	results := make([]portalAudit, len(targets))
	sem := make(chan struct{}, m.parallel)
	var wg sync.WaitGroup
	for i := range jobs {
		if held := a.heldElsewhere[store.NormalizePortalURL(targets[i].URL)]; held != nil {
			results[i] = portalAudit{target: targets[i], err: held, code: exitCode(held)}
			jobs[i].app.Log.Warn(l10n.T(a.Lang, "log.all.portal_in_use"), "error", plain.FirstLine(errorText(a.Lang, held)))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			j := jobs[i]
			var line strings.Builder
			j.app.Stdout = &line
			j.app.held = db
			start := time.Now()
			err := runAudit(ctx, j.app, j.o, j.st)
			r := portalAudit{target: targets[i], line: strings.TrimSpace(line.String()), err: err, took: time.Since(start)}
			var ee *exitError
			switch {
			case err == nil:
			case errors.Is(err, context.Canceled) && ctx.Err() != nil:
				r.code = ExitInterrupted
			case errors.As(err, &ee):
				r.code = ee.code
			default:
				r.code = ExitFailure
			}
			if err != nil && r.code != ExitGate {
				j.app.Log.Error(l10n.T(a.Lang, "log.all.portal_failed"), "error", plain.FirstLine(errorText(a.Lang, err)))
			}
			results[i] = r
		}()
	}
	wg.Wait()
	return auditManySummary(a, results)
}

// auditJob is the audit of one portal among several, in its own App.
type auditJob struct {
	app *App
	o   *auditOptions
	st  *auditStages
}

// newAuditJob prepares the audit of portal t as the command line cmd asks,
// with t's own settings: the flags the user typed win over the file's. Its
// reports go to OUT/NAME/; its log lines, to stderr, name the portal.
func newAuditJob(a *App, cmd *cobra.Command, t auditTarget, out string, stderr io.Writer, log *slog.Logger) (auditJob, error) {
	langGiven := cmd.Flags().Changed("lang") || os.Getenv("VIGIE_LANG") != ""
	pa := &App{DBPath: a.DBPath, Portal: t.URL, Quiet: a.Quiet, LogFormat: a.LogFormat, Lang: a.Lang,
		Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Log: log.With("portal_name", t.Name),
		ConfigPath: a.ConfigPath, Config: a.Config, portalUser: t.user, NowFlag: a.NowFlag, clock: a.clock}
	if !langGiven && t.Lang != "" {
		pa.Lang = t.Lang
	}
	o, st := &auditOptions{}, newAuditStages(pa)
	fs := pflag.NewFlagSet(t.Name, pflag.ContinueOnError)
	o.addFlags(fs, st)
	copyChangedFlags(fs, cmd.Flags())
	applyPortalValues(fs, t.Values("links-timeout"))
	o.out = filepath.Join(out, t.Name)
	o.underSet = fs.Changed("fail-under") || o.failUnder != 0
	if err := o.check(); err != nil {
		return auditJob{}, usage("usage.portal", t.Name, err)
	}
	if err := st.check(o); err != nil {
		return auditJob{}, usage("usage.portal", t.Name, err)
	}
	return auditJob{pa, o, st}, nil
}

// auditManySummary prints one line per portal and returns the worst result.
func auditManySummary(a *App, results []portalAudit) error {
	worst := ExitOK
	counts := map[string]int{}
	rows := make([][]string, 0, len(results))
	for _, r := range results {
		status, detail := "ok", r.line
		switch r.code {
		case ExitOK:
		case ExitGate:
			status = "gate_failed"
			detail = r.line + " — " + plain.FirstLine(errorText(a.Lang, r.err))
		case ExitInterrupted:
			status, detail = "interrupted", l10n.T(a.Lang, "all.stopped")
		default:
			if errors.Is(r.err, store.ErrLocked) { // held by another writer: its line names it
				status, detail = "in_use", plain.FirstLine(errorText(a.Lang, r.err))
				break
			}
			status, detail = "failed", plain.FirstLine(errorText(a.Lang, r.err))
		}
		counts[status]++
		shown := l10n.T(a.Lang, "all.status."+status)
		if severity(r.code) > severity(worst) {
			worst = r.code
		}
		rows = append(rows, []string{r.target.Name, shown, l10n.Duration(r.took.Round(time.Second), a.Lang), oneLine(detail, 400)})
	}
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	var parts []string
	for _, s := range []string{"ok", "gate_failed", "failed", "in_use", "interrupted"} {
		if counts[s] > 0 {
			parts = append(parts, l10n.N(a.Lang, "n.all."+s, counts[s]))
		}
	}
	summary := l10n.T(a.Lang, "all.summary", l10n.N(a.Lang, "n.portals.audited", len(results)), strings.Join(parts, ", "))
	switch worst {
	case ExitOK:
		fmt.Fprintln(a.Stdout, summary)
		return nil
	case ExitGate:
		return gateErr("%s", summary)
	case ExitInterrupted:
		return context.Canceled
	}
	return errors.New(l10n.T(a.Lang, "all.failed", summary))
}

// copyChangedFlags gives dst the values the user typed in src, so that each
// portal of a multi-portal audit starts from the command line.
func copyChangedFlags(dst, src *pflag.FlagSet) {
	src.Visit(func(fl *pflag.Flag) {
		d := dst.Lookup(fl.Name)
		if d == nil {
			return
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			if dv, ok := d.Value.(pflag.SliceValue); ok {
				_ = dv.Replace(sv.GetSlice())
				d.Changed = true
				return
			}
		}
		_ = dst.Set(fl.Name, fl.Value.String())
	})
}
