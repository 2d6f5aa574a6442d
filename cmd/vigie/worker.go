package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/config"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
	"github.com/vigie-audit/vigie/worker"
)

func init() { register(newWorkerCmd) }

// workerOptions are the worker's own flags; the audit's are bound by
// auditOptions and auditStages, as in 'vigie audit'.
type workerOptions struct {
	once   bool
	every  time.Duration
	lease  time.Duration
	poll   time.Duration
	retry  time.Duration
	add    []string
	remove []string
	list   bool
	format string
}

const (
	defaultWorkerEvery = 24 * time.Hour
	defaultWorkerLease = 2 * time.Minute
	defaultWorkerPoll  = time.Minute
	defaultWorkerRetry = time.Hour
	workerLockPoll     = 100 * time.Millisecond
	workerYield        = 250 * time.Millisecond
)

func newWorkerCmd(a *App) *cobra.Command {
	w := &workerOptions{}
	o := &auditOptions{}
	st := newAuditStages(a)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Audit the portals of a queue, one after the other, alongside other workers",
		Long: `Audit the portals of the worker queue, each when it is due, alongside other
workers sharing the database (on one machine or many). The queue holds the
portals of the configuration file (vigie.yaml) and those added with --add.

Each worker repeatedly claims a due portal, audits it exactly as
'vigie audit --portal URL' does (its reports go to OUT/NAME/), records how
it ended and when it is due again (--every after its audit began), and
releases it. While it audits, it extends its lease on the portal every
--lease/3; a worker killed mid-audit stops doing so, and once its lease has
ended another worker claims the portal and audits it. The killed audit's runs
are left interrupted and the previous good data stays. A failed audit is due
again after --retry. Two processes never write one portal at once: the
portal's writer lock is taken for each audit (on SQLite, the database's, so
workers sharing a SQLite file take turns).

--once audits what is due and exits (cron, systemd timers, Kubernetes
CronJobs): a portal due within --every/6 counts as due (4 h for 24 h), so a
job started at the same time each day does not skip a portal audited a few
minutes later the day before; each portal is audited at most once per run.
Without --once the worker sleeps until the next portal is due (looking at
the queue at least every --poll) and runs until stopped.

SIGTERM or Ctrl-C: no new claim, the current audit is interrupted at once
(its runs are recorded interrupted, stored data stays as it was after the
last completed step), its lease is released so that the next worker takes
the portal up without waiting, and the worker exits with 130.

Logs are plain lines (or JSON with --log-format json), each naming the
worker (host:pid:random) and the portal: claimed, audit done, failed,
interrupted, lost lease, released. No progress bar. Each finished audit
prints its summary line on stdout, after the portal's name.

Exit codes:
  0    --once: every audit done, gate passed (or no gate); --add, --remove, --list
  1    an audit failed (--once), or the queue cannot be read
  2    usage error
  3    --once: a quality gate failed, the reports are written
  130  stopped (SIGTERM, Ctrl-C)`,
		Example: `  $ vigie worker --add https://www.donneesquebec.ca/recherche --add https://open.canada.ca/data
  $ vigie worker --list
  $ vigie worker --out /srv/audits                  # runs until stopped
  $ vigie worker --once --out /srv/audits           # audits what is due, then exits
  $ VIGIE_DB=postgres://vigie@db/vigie vigie worker --out /srv/audits --every 12h
  # crontab: every hour, audit what is due
  0 * * * *  vigie worker --once --db /srv/vigie/vigie.db --out /srv/audits >>/var/log/vigie/worker.log 2>&1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := w.check(); err != nil {
				return err
			}
			switch {
			case len(w.add) > 0 || len(w.remove) > 0:
				return workerEdit(cmd.Context(), a, w)
			case w.list:
				return workerList(cmd.Context(), a, w)
			}
			o.underSet = cmd.Flags().Changed("fail-under") || o.failUnder != 0
			if err := o.check(); err != nil {
				return err
			}
			if err := st.check(o); err != nil {
				return err
			}
			return runWorker(cmd.Context(), a, cmd, w, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&w.once, "once", false, "audit what is due, then exit (for cron, systemd timers, Kubernetes CronJobs)")
	f.DurationVar(&w.every, "every", defaultWorkerEvery, "a portal is due again this long after its audit began")
	f.DurationVar(&w.lease, "lease", defaultWorkerLease, "how long a claim holds a portal without a heartbeat (extended every lease/3)")
	f.DurationVar(&w.poll, "poll", defaultWorkerPoll, "longest wait between looks at the queue (without --once)")
	f.DurationVar(&w.retry, "retry", defaultWorkerRetry, "a failed audit is due again this long after it ended")
	f.StringArrayVar(&w.add, "add", nil, "add this portal (CKAN site root) to the queue, due now, and exit; repeatable")
	f.StringArrayVar(&w.remove, "remove", nil, "remove this portal from the queue and exit; repeatable")
	f.BoolVar(&w.list, "list", false, "print the queue (next due, lease, last audit) and exit")
	f.StringVar(&w.format, "format", "table", "--list output: table or json")
	o.addFlags(f, st)
	return cmd
}

func (w *workerOptions) check() error {
	for _, d := range []struct {
		name string
		v    time.Duration
		min  time.Duration
	}{{"--every", w.every, time.Second}, {"--lease", w.lease, 300 * time.Millisecond}, {"--poll", w.poll, 10 * time.Millisecond}, {"--retry", w.retry, time.Second}} {
		if d.v < d.min {
			return usageErr("%s must be at least %v, not %v", d.name, d.min, d.v)
		}
	}
	if w.format != "table" && w.format != "json" {
		return usageErr("--format must be table or json, not %q", w.format)
	}
	for _, u := range append(append([]string{}, w.add...), w.remove...) {
		if err := store.CheckPortalURL(u); err != nil {
			return usageErr("%v", err)
		}
	}
	return nil
}

// openQueue opens the database to read or change the queue without the
// writer lock: a queue row is one short transaction, which SQLite
// serialises with a running worker's writes.
func openQueue(ctx context.Context, a *App) (*store.DB, error) {
	return a.fixClock(store.Open(ctx, a.DBPath))
}

func workerEdit(ctx context.Context, a *App, w *workerOptions) error {
	db, err := openQueue(ctx, a)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, raw := range w.add {
		u, _ := splitPortalUser(raw)
		u = store.NormalizePortalURL(u)
		name := slugURL(u)
		if p, ok := configPortal(a.Config, u); ok {
			name = p.Name
		}
		added, err := db.EnqueuePortal(ctx, u, name, store.SourceQueue, time.Now().UTC())
		if err != nil {
			return err
		}
		key := "worker.added"
		if !added {
			key = "worker.already"
		}
		fmt.Fprintln(a.Stdout, l10n.T(a.Lang, key, u))
	}
	for _, raw := range w.remove {
		u, _ := splitPortalUser(raw)
		u = store.NormalizePortalURL(u)
		found, err := db.DequeuePortal(ctx, u)
		if err != nil {
			return err
		}
		if !found {
			return usageErr("%s", l10n.T(a.Lang, "worker.notqueued", u))
		}
		fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "worker.removed", u))
		if p, ok := configPortal(a.Config, u); ok {
			a.Log.Warn(l10n.T(a.Lang, "log.worker.inconfig"), "portal", p.URL, "name", p.Name, "config", a.Config.Path)
		}
	}
	return nil
}

func workerList(ctx context.Context, a *App, w *workerOptions) error {
	db, err := a.OpenDBReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	q, err := db.WorkerQueue(ctx)
	if err != nil {
		return err
	}
	if w.format == "json" {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reports.QueueRows(q))
	}
	if len(q) == 0 {
		fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "worker.empty"))
		return nil
	}
	tm := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	}
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	h := func(k string) string { return l10n.T(a.Lang, k) }
	fmt.Fprintln(tw, strings.Join([]string{h("table.name"), h("table.portal"), h("worker.col.source"), h("worker.col.due"),
		h("worker.col.lease"), h("worker.col.last"), h("worker.col.finished")}, "\t"))
	for _, p := range q {
		lease := "-"
		if p.LeaseOwner != "" {
			lease = oneLine(p.LeaseOwner, 60) + " → " + tm(p.LeaseUntil)
		}
		fmt.Fprintln(tw, strings.Join([]string{oneLine(p.Name, 40), oneLine(p.URL, 80), workerWord(a.Lang, "source", p.Source),
			tm(p.NextDue), lease, workerWord(a.Lang, "status", p.LastStatus), tm(p.LastFinished)}, "\t"))
	}
	return tw.Flush()
}

// configPortal finds the configuration's portal with this URL.
func configPortal(cfg *config.File, u string) (config.Portal, bool) {
	if cfg == nil {
		return config.Portal{}, false
	}
	for _, p := range cfg.Portals {
		if store.NormalizePortalURL(p.URL) == u {
			return cfg.Effective(p), true
		}
	}
	return config.Portal{}, false
}

// runWorker runs the worker loop until it is stopped or, with --once, the
// queue holds nothing due.
func runWorker(ctx context.Context, a *App, cmd *cobra.Command, w *workerOptions, o *auditOptions) error {
	owner := worker.NewOwner()
	log := a.Log.With("worker", owner)
	// The configuration's portals join the queue (due now when new); those
	// taken out of the file leave it.
	db, err := openQueue(ctx, a)
	if err != nil {
		return err
	}
	if a.Config != nil && len(a.Config.Portals) > 0 {
		ps := map[string]string{}
		for _, p := range a.Config.Portals {
			ps[store.NormalizePortalURL(p.URL)] = p.Name
		}
		added, removed, err := db.SyncConfigPortals(ctx, ps, time.Now().UTC())
		if err != nil {
			db.Close()
			return err
		}
		if added+removed > 0 {
			log.Info(l10n.T(a.Lang, "log.worker.synced"), "config", a.Config.Path, "added", added, "removed", removed)
		}
	}
	q, err := db.WorkerQueue(ctx)
	db.Close()
	if err != nil {
		return err
	}
	if len(q) == 0 {
		log.Warn(l10n.T(a.Lang, "log.worker.emptyqueue"))
	}

	stderr := &lockedWriter{w: a.Stderr}
	stdout := &lockedWriter{w: a.Stdout}
	var mu sync.Mutex
	worst := ExitOK
	wo := worker.Options{
		Owner: owner, Lease: w.lease, Every: w.every, Retry: w.retry, Poll: w.poll, Once: w.once,
		Log: a.Log, Lang: a.Lang,
	}
	pg := store.IsPostgres(a.DBPath)
	if pg {
		// One pool for the worker's life; each audit takes its portal's
		// writer lock (an advisory lock): the fence that keeps a worker
		// whose lease was taken from writing beside the new holder.
		db, err := a.fixClock(store.Open(ctx, a.DBPath))
		if err != nil {
			return err
		}
		defer db.Close()
		wo.Open = func(ctx context.Context) (worker.Queue, func(), error) { return db, func() {}, nil }
	} else {
		// The writer lock of the SQLite file is held from the claim to its
		// end: workers sharing a file take turns.
		wo.LockPoll, wo.Yield = workerLockPoll, workerYield
		wo.Open = func(ctx context.Context) (worker.Queue, func(), error) {
			db, release, err := a.OpenDBLocked(ctx, "worker")
			if err != nil {
				return nil, nil, err
			}
			return db, release, nil
		}
	}
	wo.Audit = func(ctx context.Context, q worker.Queue, c *store.Claim) (worker.Outcome, error) {
		db := q.(*store.DB)
		if pg {
			lock, err := db.LockPortals(ctx, []string{c.URL}, "worker")
			if err != nil {
				if errors.Is(err, store.ErrLocked) {
					return worker.Busy, err
				}
				return worker.Failed, err
			}
			defer lock.Release()
		}
		t := auditTarget{Portal: config.Portal{Name: c.Name, URL: c.URL}}
		if p, ok := configPortal(a.Config, c.URL); ok {
			t = auditTarget{Portal: p, inConfig: true}
		} else if a.Config != nil {
			t.Portal = a.Config.Effective(t.Portal)
		}
		if t.Name == "" {
			t.Name = slugURL(c.URL)
		}
		j, err := newAuditJob(a, cmd, t, o.out, stderr, log)
		if err != nil {
			return worker.Failed, err
		}
		var line strings.Builder
		j.app.Stdout = &line
		j.app.held = db
		err = runAudit(ctx, j.app, j.o, j.st)
		out := worker.Complete
		var ee *exitError
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			out = worker.Interrupted
		case errors.Is(err, store.ErrLocked):
			out = worker.Busy
		case errors.As(err, &ee) && ee.code == ExitGate:
			out = worker.GateFailed
		default:
			out = worker.Failed
		}
		if s := strings.TrimSpace(line.String()); s != "" {
			fmt.Fprintf(stdout, "%s\t%s\n", t.Name, s)
		}
		mu.Lock()
		switch {
		case out == worker.Failed && severity(ExitFailure) > severity(worst):
			worst = ExitFailure
		case out == worker.GateFailed && severity(ExitGate) > severity(worst):
			worst = ExitGate
		}
		mu.Unlock()
		return out, err
	}
	res, err := worker.Run(ctx, wo)
	if err != nil {
		return err
	}
	if n := res.Outcomes[worker.Failed]; n > 0 && worst == ExitFailure {
		return errors.New(l10n.N(a.Lang, "worker.failed", n))
	}
	if worst == ExitGate {
		return gateErr("%s", l10n.N(a.Lang, "worker.gate", res.Outcomes[worker.GateFailed]))
	}
	return nil
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"worker.added":        {FR: "%s ajouté à la file, à auditer maintenant", EN: "%s added to the queue, due now"},
		"worker.already":      {FR: "%s est déjà dans la file", EN: "%s is already in the queue"},
		"worker.removed":      {FR: "%s retiré de la file", EN: "%s removed from the queue"},
		"worker.notqueued":    {FR: "%s n'est pas dans la file : « vigie worker --list » la montre", EN: "%s is not in the queue: 'vigie worker --list' shows it"},
		"worker.empty":        {FR: "la file est vide : ajoutez des portails avec « vigie worker --add URL » ou dans vigie.yaml", EN: "the queue is empty: add portals with 'vigie worker --add URL' or in vigie.yaml"},
		"worker.col.source":   {FR: "origine", EN: "source"},
		"worker.col.due":      {FR: "prochain audit", EN: "next due"},
		"worker.col.lease":    {FR: "bail", EN: "lease"},
		"worker.col.last":     {FR: "dernier audit", EN: "last audit"},
		"worker.col.finished": {FR: "terminé le", EN: "finished"},
		"worker.failed": {FR: "%s audit en échec : voir les lignes du journal, il sera repris à la prochaine exécution|%s audits en échec : voir les lignes du journal, ils seront repris à la prochaine exécution",
			EN: "%s audit failed: see the log lines; it is retried at the next run|%s audits failed: see the log lines; they are retried at the next run"},
		"worker.gate": {FR: "seuil de qualité non atteint pour %s portail : les rapports sont écrits|seuil de qualité non atteint pour %s portails : les rapports sont écrits",
			EN: "quality gate failed for %s portal: the reports are written|quality gate failed for %s portals: the reports are written"},
		"worker.source.config":      {FR: "configuration", EN: "config"},
		"worker.source.queue":       {FR: "file", EN: "queue"},
		"worker.status.complete":    {FR: "terminé", EN: "complete"},
		"worker.status.failed":      {FR: "en échec", EN: "failed"},
		"worker.status.interrupted": {FR: "interrompu", EN: "interrupted"},
		"worker.status.gate-failed": {FR: "seuil non atteint", EN: "gate failed"},
		"worker.status.released":    {FR: "rendu", EN: "released"},
		"worker.status.lost":        {FR: "bail perdu", EN: "lease lost"},
		"worker.status.expired":     {FR: "bail échu", EN: "lease expired"},
		"log.worker.synced":         {FR: "file mise à jour d'après la configuration", EN: "queue updated from the configuration"},
		"log.worker.emptyqueue":     {FR: "la file est vide : ajoutez des portails avec --add ou dans vigie.yaml", EN: "the queue is empty: add portals with --add or in vigie.yaml"},
		"log.worker.inconfig":       {FR: "ce portail est aussi dans la configuration : le prochain travailleur l'y reprendra ; retirez-le de vigie.yaml", EN: "this portal is also in the configuration: the next worker adds it back; take it out of vigie.yaml"},
	})
}

// workerWord is a queue's source or an audit's outcome in the reader's
// language (masculine in French: un audit), "-" for none; a code the
// catalogue lacks is read as a run's status.
func workerWord(lang, kind, code string) string {
	if code == "" {
		return "-"
	}
	if l10n.Has("worker." + kind + "." + code) {
		return l10n.T(lang, "worker."+kind+"."+code)
	}
	return runWord(lang, code)
}
