package reports

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// auditFiles reads the audit.<format> files of dir: xlsx as its parts (the
// archive's content types come in excelize's map order), the others whole.
func auditFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range AuditFormats {
		b, err := os.ReadFile(filepath.Join(dir, "audit."+f))
		if err != nil {
			t.Fatal(err)
		}
		if f != "xlsx" {
			out[f] = string(b)
			continue
		}
		for name, body := range sheetParts(t, b) {
			out["xlsx:"+name] = body
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(AuditFormats) {
		t.Errorf("%s holds %d files, want %d (no temporary left)", dir, len(entries), len(AuditFormats))
	}
	return out
}

func sameFiles(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files and parts, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %s differs from the formats written one after the other", what, name)
		}
	}
}

// The formats written at once, each reading the store on its own
// connections, html and json on one pass, are the bytes of the formats
// written one after the other, each on its own pass:
// from a writable store, a read-only one, inside one read snapshot, and
// while another connection holds the store's write lock (SQLite).
func TestAuditWriterFormatsAtOnceSameBytes(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.NewDSN(t)
	db := seedInto(t, storetest.Open(t, dsn), 80, 2, true)
	opts := Options{Scope: vigie.Scope{Portal: seedPortal}, Now: seedNow, Lang: "fr"}
	write := func(st Store, o Options, parallel int) map[string]string {
		t.Helper()
		dir := t.TempDir()
		if err := (AuditWriter{Store: st, Options: o, Parallel: parallel}).WriteReports(ctx, dir); err != nil {
			t.Fatal(err)
		}
		return auditFiles(t, dir)
	}
	// One format after the other, each on its own pass, as vigie did.
	sequential := func() map[string]string {
		t.Helper()
		r, err := Build(ctx, db, opts)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for _, f := range AuditFormats {
			fw, _ := ForFormat(f, CSV{})
			if err := WriteFileAtomic(filepath.Join(dir, "audit."+f), func(w *os.File) error { return fw.Write(ctx, w, r) }); err != nil {
				t.Fatal(err)
			}
		}
		return auditFiles(t, dir)
	}
	// The first report stores the past run's indicators: start from there.
	sequential()
	want := sequential()
	sameFiles(t, "one at a time, html and json on one pass", write(db, opts, 0), want)
	sameFiles(t, "four at once", write(db, opts, 4), want)
	sameFiles(t, "two at once", write(db, opts, 2), want)
	ro := storetest.Open(t, dsn, store.Options{ReadOnly: true})
	sameFiles(t, "read-only store, four at once", write(ro, opts, 4), want)
	snap := opts
	snap.Snapshot = true
	sameFiles(t, "one read snapshot, four at once", write(ro, snap, 4), want)
	if storetest.Postgres() {
		return
	}
	// A writer holding SQLite's write lock does not stop the readers.
	raw, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "UPDATE portals SET url = url"); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "store busy writing, four at once", write(ro, opts, 4), want)
	c.ExecContext(ctx, "ROLLBACK")
}

// failingStore fails the reads of one format partway through.
type failingStore struct {
	*store.DB
	boom error
	// findings fails ReportFindings (the xlsx findings sheet); else the
	// datasets read with their findings (html and json) fail.
	findings bool
	rows     atomic.Int64
}

func (s *failingStore) ReportFindings(ctx context.Context, sc store.ReportScope, fn func(*store.ReportFinding) error) error {
	if s.findings {
		return s.boom
	}
	return s.DB.ReportFindings(ctx, sc, fn)
}

func (s *failingStore) ReportDatasets(ctx context.Context, sc store.ReportScope, withFindings bool, fn func(*store.ReportDataset) error) error {
	if s.findings || !withFindings {
		return s.DB.ReportDatasets(ctx, sc, withFindings, fn)
	}
	return s.DB.ReportDatasets(ctx, sc, withFindings, func(d *store.ReportDataset) error {
		if s.rows.Add(1) > 10 {
			return s.boom
		}
		return fn(d)
	})
}

// A format that fails stops the others; the error names it, whatever
// else was being written.
func TestAuditWriterFailureNamesItsFormat(t *testing.T) {
	db := seedStore(t, 40, 1, false)
	for _, tc := range []struct {
		findings bool
		formats  []string
	}{{true, []string{"xlsx"}}, {false, []string{"html", "json"}}} {
		for _, parallel := range []int{0, 4} {
			boom := errors.New("read failed")
			st := &failingStore{DB: db, boom: boom, findings: tc.findings}
			err := AuditWriter{Store: st, Options: Options{Scope: vigie.Scope{Portal: seedPortal}, Now: seedNow}, Parallel: parallel}.WriteReports(context.Background(), t.TempDir())
			named := false
			for _, f := range tc.formats {
				named = named || err != nil && strings.HasPrefix(err.Error(), f+" report: ")
			}
			if !errors.Is(err, boom) || !named {
				t.Errorf("%v failing, %d at once: error %v", tc.formats, parallel, err)
			}
		}
	}
}
