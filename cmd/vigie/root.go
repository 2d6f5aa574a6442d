package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/config"
	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/store"
)

// Exit codes, documented in the README and in `vigie --help`.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitGate        = 3
	ExitInterrupted = 130
)

// exitError carries an exit code with its one-line message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks a bad flag or argument (exit 2); usageErr("%v", err)
// keeps err's sentence and kind.
func usageErr(format string, a ...any) error {
	if err, ok := oneError(format, a); ok {
		return &exitError{code: ExitUsage, err: err}
	}
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, a...)}
}

// usage is the usage error of catalogue sentence id (exit 2), in the
// reader's language.
func usage(id string, a ...any) error { return vigie.NewError(vigie.KindUsage, id, a...) }

// oneError is the error of usageErr("%v", err).
func oneError(format string, a []any) (error, bool) {
	if len(a) != 1 || format != "%v" {
		return nil, false
	}
	err, ok := a[0].(error)
	return err, ok
}

// exitCode is the exit code of err: its own when a command gave one, else
// its kind's (the kinds table).
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if r, ok := kindOf(err); ok {
		return r.exit
	}
	return ExitFailure
}

// usageArgs makes every argument-count error of c and its subcommands a
// usage error (cobra's own are plain errors).
func usageArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				if len(args) > 0 && check(cmd, nil) == nil { // cobra.NoArgs: an argument where none is taken
					return usage("args.none", cmd.CommandPath(), oneLine(args[0], 80), cmd.CommandPath())
				}
				return &exitError{code: ExitUsage, err: err}
			}
			return nil
		}
	}
}

// gateErr marks a failed quality gate (exit 3).
func gateErr(format string, a ...any) error {
	return &exitError{code: ExitGate, err: fmt.Errorf(format, a...)}
}

// App holds what every command shares: global flags, streams and the logger.
type App struct {
	DBPath    string
	Portal    string
	Quiet     bool
	LogFormat string
	Lang      string
	// NowFlag is --now (or VIGIE_NOW): the fixed "now" runs judge by;
	// clock is it parsed, zero for the system clock.
	NowFlag string
	clock   time.Time

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger

	// ConfigPath is --config; Config the file read (nil when there is none).
	ConfigPath string
	Config     *config.File

	// portalUser is the user:password@ taken out of --portal: it is used
	// for basic auth only, never stored, logged or printed.
	portalUser *url.Userinfo

	// held is the database a running command opened with the writer lock;
	// while set, OpenDBLocked returns it, so audit's stages share one lock.
	held *store.DB
	// lockPortals, when set, are the portals OpenDBLocked locks on
	// PostgreSQL instead of --portal (audit --all: every portal it audits).
	lockPortals []string
	// lockFree, with lockPortals, makes OpenDBLocked on PostgreSQL lock the
	// portals no other writer holds and put the in-use error of the others
	// in heldElsewhere (by normalised URL) instead of failing (audit --all).
	lockFree      bool
	heldElsewhere map[string]error
}

// IsTerminal reports whether stderr is an interactive terminal (progress bars).
func (a *App) IsTerminal() bool {
	f, ok := a.Stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
}

// fixClock gives an opened database the --now clock, when there is one.
func (a *App) fixClock(db *store.DB, err error) (*store.DB, error) {
	if err == nil && !a.clock.IsZero() {
		db.FixClock(a.clock)
	}
	return db, err
}

// Now is the time runs judge by: --now when given, else the system clock.
func (a *App) Now() time.Time {
	if !a.clock.IsZero() {
		return a.clock
	}
	return time.Now().UTC()
}

// parseNow reads --now: RFC 3339 (with or without a zone, UTC when
// without) or a date YYYY-MM-DD (00:00 UTC). "" is the system clock.
func parseNow(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1990 || t.Year() > 9999 {
				return time.Time{}, vigie.NewError(vigie.KindUsage, "cmd.now_range", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, vigie.NewError(vigie.KindUsage, "cmd.now_bad", s)
}

// createsDB are the commands that may create a database: the ones that
// fill it from a portal. Any other with a mistyped --db fails instead of
// leaving an empty database (and its lock file) behind.
var createsDB = map[string]bool{"harvest": true, "audit": true, "worker": true}

// OpenDBLocked takes the single-writer lock for command, then opens the
// database for writing. release closes the database and frees the lock.
func (a *App) OpenDBLocked(ctx context.Context, command string) (db *store.DB, release func(), err error) {
	if a.held != nil {
		return a.held, func() {}, nil
	}
	create := createsDB[command]
	if store.IsPostgres(a.DBPath) {
		return a.openPostgresLocked(ctx, command, create)
	}
	if !create {
		st, err := os.Stat(a.DBPath)
		if err != nil {
			return nil, nil, &vigie.Error{Kind: vigie.KindNoDatabase, ID: "store.db_missing", Args: []any{a.DBPath}, Path: a.DBPath}
		}
		if st.Size() == 0 {
			return nil, nil, &vigie.Error{Kind: vigie.KindNoDatabase, ID: "store.db_empty", Args: []any{a.DBPath}, Path: a.DBPath}
		}
	}
	lock, err := store.AcquireLock(a.DBPath, command)
	if err != nil {
		return nil, nil, err
	}
	// A writer killed while it held the lock may have left damage: check every
	// page before writing again. Other opens only read the header and schema.
	prev, unclean := lock.Unclean()
	if unclean && a.Log != nil {
		a.Log.Info("the last writer did not finish cleanly: checking the database", "command", prev.Command, "pid", prev.PID)
	}
	db, err = a.fixClock(store.Open(ctx, a.DBPath, store.Options{Verify: unclean, NoCreate: !create}))
	if err != nil {
		if unclean {
			lock.Abandon() // the next writer checks again
		} else {
			lock.Release()
		}
		return nil, nil, err
	}
	return db, func() { db.Close(); lock.Release() }, nil
}

// openPostgresLocked is OpenDBLocked on PostgreSQL, where each portal has
// its own writer lock: the database is opened (and migrated, under the
// server's advisory lock), then the portals this command writes are locked:
// --portal, every portal of audit --all, every portal of the database for
// prune, none for check --migrate. Another writer of the same portal gets
// the same in-use error as with SQLite's lock file.
func (a *App) openPostgresLocked(ctx context.Context, command string, create bool) (*store.DB, func(), error) {
	db, err := a.fixClock(store.Open(ctx, a.DBPath, store.Options{NoCreate: !create}))
	if err != nil {
		return nil, nil, err
	}
	var urls []string
	switch {
	case len(a.lockPortals) > 0:
		urls = a.lockPortals
	case command == "check --migrate":
	case command == "prune":
		ps, err := db.Portals(ctx)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		for _, p := range ps {
			urls = append(urls, p.URL)
		}
	default:
		urls = []string{a.Portal}
	}
	if len(urls) == 0 {
		return db, func() { db.Close() }, nil
	}
	var lock *store.Lock
	if a.lockFree {
		lock, a.heldElsewhere, err = db.LockFreePortals(ctx, urls, command)
	} else {
		lock, err = db.LockPortals(ctx, urls, command)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, func() { lock.Release(); db.Close() }, nil
}

// OpenDBReadOnly opens an existing database for reading only. A database an
// older vigie wrote is first brought up to date when this process can write
// it and no writer holds it (migrateOlder); otherwise the error names the
// command that only migrates.
func (a *App) OpenDBReadOnly(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, a.DBPath, store.Options{ReadOnly: true})
	var older *store.OlderSchemaError
	if errors.As(err, &older) && a.held == nil {
		if merr := a.migrateOlder(ctx, older); merr != nil {
			return nil, merr
		}
		db, err = store.Open(ctx, a.DBPath, store.Options{ReadOnly: true})
	}
	return a.fixClock(db, err)
}

// migrateOlder applies the pending migrations of a database an older vigie
// wrote, the way a writer does: under the writer lock, checked first after
// an unclean shutdown, each migration in one transaction. It refuses a file
// that is read-only, a database of another user, and one a writer holds.
func (a *App) migrateOlder(ctx context.Context, older *store.OlderSchemaError) error {
	if reason := notWritable(a.DBPath); reason != "" && !store.IsPostgres(a.DBPath) {
		older.Reason = l10n.T(a.Lang, reason)
		return older
	}
	_, release, err := a.OpenDBLocked(ctx, "check --migrate")
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			older.Reason = l10n.T(a.Lang, "older.writing")
			return older
		}
		return err
	}
	release()
	if a.Log != nil {
		a.Log.Info("database brought up to date for this vigie", "db", store.RedactDSN(a.DBPath), "schema", older.Schema)
	}
	return nil
}

const wOK = 2 // access(2) W_OK

// notWritable says why this process must not write the database at path
// (empty when it may): a file without write permission for anyone (even for
// root, it was made read-only on purpose), a file or folder this process
// cannot write, or another user's file.
func notWritable(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "older.unreadable"
	}
	if st.Mode().Perm()&0o222 == 0 || syscall.Access(path, wOK) != nil {
		return "older.read_only"
	}
	if syscall.Access(filepath.Dir(path), wOK) != nil {
		return "older.folder_read_only"
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		if euid := os.Geteuid(); euid != 0 && int(sys.Uid) != euid {
			return "older.other_user"
		}
	}
	return ""
}

// openPortal opens the database read-only and finds --portal in it; the
// error says to harvest first when the portal is not there.
func (a *App) openPortal(ctx context.Context) (*store.DB, *store.Portal, error) {
	db, err := a.OpenDBReadOnly(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := db.Portal(ctx, a.Portal)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, p, nil
}

// commands registers each subcommand constructor; files add theirs in init.
var commands []func(*App) *cobra.Command

func register(f func(*App) *cobra.Command) { commands = append(commands, f) }

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

const rootLong = `vigie audits open-data catalogues published with CKAN.

It harvests every dataset's metadata into SQLite, checks that resource links
work, scores each dataset for metadata completeness, freshness, openness and
availability, explains every lost point, and writes reports (Excel, CSV, JSON,
HTML, Markdown). Données Québec is the default portal; any CKAN portal works.

Exit codes:
  0    success
  1    failure (network, portal, database or file error)
  2    usage error (bad flag or argument)
  3    quality gate failed (audit --fail-under / --fail-on)
  130  interrupted (Ctrl-C or SIGTERM); stored data stays as it was

Environment:
  VIGIE_DB          database file (--db)
  VIGIE_PORTAL      CKAN site root (--portal)
  VIGIE_LANG        report and message language, fr or en (--lang)
  VIGIE_NOW         fixed "now" for freshness and dates, to reproduce a past audit (--now)
  VIGIE_API_TOKEN   CKAN API token for private datasets (never logged or stored)
  VIGIE_CONFIG      configuration file (--config); see 'vigie config show --example'`

// NewRootCmd builds the command tree.
func NewRootCmd(a *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "vigie",
		Short:         "Audit a CKAN open-data catalogue: harvest, check links, score, report",
		Long:          rootLong,
		SilenceErrors: true,
		SilenceUsage:  true,
		Example: `  $ vigie harvest
  $ vigie links
  $ vigie score
  $ vigie report --format html --out audit.html
  $ vigie audit --out /srv/audits --fail-under 70`,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := a.applyConfig(cmd); err != nil {
				return err
			}
			if a.LogFormat != "text" && a.LogFormat != "json" {
				return usage("usage.log_format", a.LogFormat)
			}
			if a.Lang != "fr" && a.Lang != "en" {
				return usage("usage.lang", a.Lang)
			}
			a.Portal, a.portalUser = splitPortalUser(a.Portal)
			clock, err := parseNow(a.NowFlag)
			if err != nil {
				return usage("usage.now", err)
			}
			a.clock = clock
			level := slog.LevelInfo
			if a.Quiet {
				level = slog.LevelWarn
			}
			a.Log = newLogger(a.Stderr, a.LogFormat, a.Lang, level)
			return nil
		},
	}
	defaultHelp := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		localizeHelp(root, a.Lang) // --lang and VIGIE_LANG are parsed by now
		defaultHelp(c, args)
	})
	root.Version = vigie.Version()
	root.SetVersionTemplate("{{/* vigie version */}}" + versionText())
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return flagError(a.Lang, cmd.CommandPath(), err)
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.DBPath, "db", envOr("VIGIE_DB", "vigie.db"), "SQLite database file, or postgres://USER@HOST/DATABASE for a shared PostgreSQL store (env VIGIE_DB)")
	pf.StringVar(&a.Portal, "portal", envOr("VIGIE_PORTAL", vigie.DefaultPortal), "CKAN site root (env VIGIE_PORTAL)")
	pf.BoolVarP(&a.Quiet, "quiet", "q", false, "only warnings and errors; no progress bar")
	pf.StringVar(&a.LogFormat, "log-format", "text", "log format: text or json")
	pf.StringVar(&a.Lang, "lang", envOr("VIGIE_LANG", "fr"), "language of messages and reports: fr or en (env VIGIE_LANG)")
	pf.StringVar(&a.NowFlag, "now", os.Getenv("VIGIE_NOW"), "judge as of this time, RFC 3339 or YYYY-MM-DD (00:00 UTC), recorded in the runs (env VIGIE_NOW)")
	pf.StringVar(&a.ConfigPath, "config", "", "configuration file (env VIGIE_CONFIG; default ./vigie.yaml, then the user config folder)")
	root.SetIn(a.Stdin)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	for _, f := range commands {
		root.AddCommand(f(a))
	}
	addCompletions(root, a)
	usageArgs(root)
	return root
}

// Main runs vigie with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, stdin, stdout, stderr)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &App{Stdin: stdin, Stdout: stdout, Stderr: stderr, Log: slog.New(slog.NewTextHandler(stderr, nil))}
	root := NewRootCmd(a)
	root.SetArgs(args)
	a.Lang = langOf(args, a.Lang) // for the errors raised before --lang is parsed
	var err error
	if ferr := findCommand(root, args); ferr != nil {
		err = ferr
	} else {
		err = root.ExecuteContext(ctx)
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled) || errors.Is(err, context.Canceled) && ctx.Err() != nil:
		code = ExitInterrupted
		err = errors.New(l10n.T(a.Lang, "interrupted"))
	}
	msg := oneLine(strings.TrimSpace(plain.FirstLine(errorText(a.Lang, err))), 4096) // portal text may hold terminal controls
	if a.LogFormat == "json" {
		a.Log.Error(msg, "event", "error", "kind", vigie.KindOf(err).String(), "exit_code", code)
	} else {
		fmt.Fprintln(stderr, "vigie: "+msg)
	}
	return code
}

// findCommand returns cobra's error for an unknown command, found before
// running so that it is a usage error by where it arose. The help and
// completion commands cobra adds at run time are added first; a shell's
// completion request is left to cobra.
func findCommand(root *cobra.Command, args []string) error {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return nil
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	cmd, rest, err := root.Find(args) // Find fails only on an unknown command
	if err == nil && cmd.HasSubCommands() && !cmd.Runnable() {
		// a group such as "completion": cobra would print its help and exit
		// 0 for an unknown subcommand
		if cmd.ParseFlags(rest) == nil && cmd.Flags().NArg() > 0 {
			return vigie.NewError(vigie.KindUsage, "command.unknown", oneLine(cmd.Name()+" "+cmd.Flags().Arg(0), 80))
		}
	}
	if err != nil {
		name := err.Error() // cobra's: unknown command "x" for "vigie"…
		if _, q, ok := strings.Cut(name, `"`); ok {
			name, _, _ = strings.Cut(q, `"`)
		}
		return vigie.NewError(vigie.KindUsage, "command.unknown", oneLine(name, 80))
	}
	return nil
}

// langOf is the --lang among args, or def (for errors raised before the
// flags are parsed).
func langOf(args []string, def string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			return v
		}
		if a == "--lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return def
}

// splitPortalUser takes the user:password@ out of a portal URL, so that the
// URL stored, logged and compared never holds the password.
func splitPortalUser(portal string) (string, *url.Userinfo) {
	u, err := url.Parse(strings.TrimSpace(portal))
	if err != nil || u.User == nil {
		return portal, nil
	}
	user := u.User
	u.User = nil
	return u.String(), user
}
