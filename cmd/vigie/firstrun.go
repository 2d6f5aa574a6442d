package main

import (
	"context"
	"errors"
	"os"

	"github.com/vigie-audit/vigie/store"
)

// firstRun remembers which of the files an audit may create existed
// before it ran, so that a first run that fails before storing anything
// leaves nothing behind: no empty database, no lock file, no empty --out
// folder (a new user who mistyped --portal starts again from a clean folder).
type firstRun struct {
	db, out         string
	hadDB, hadLock  bool
	hadOut, checked bool
}

func exists(path string) bool {
	if path == "" {
		return true
	}
	_, err := os.Lstat(path)
	return err == nil || !errors.Is(err, os.ErrNotExist)
}

func noteFirstRun(dbPath, out string) *firstRun {
	if store.IsPostgres(dbPath) { // a server's database is never removed
		return &firstRun{db: dbPath, out: out, hadDB: true, hadLock: true, hadOut: exists(out)}
	}
	return &firstRun{db: dbPath, out: out, hadDB: exists(dbPath), hadLock: exists(dbPath + ".lock"), hadOut: exists(out)}
}

// cleanup runs after the command released the database. On failure it
// removes what this run created if the database holds no dataset.
func (f *firstRun) cleanup(err error) {
	if err == nil || isGateErr(err) {
		return
	}
	if !f.hadDB && storesNothing(f.db) {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(f.db + suffix)
		}
		if !f.hadLock {
			os.Remove(f.db + ".lock")
		}
	}
	if !f.hadOut && f.out != "" {
		os.Remove(f.out) // only when empty
	}
}

// storesNothing says whether the database at path holds no dataset (or
// cannot be read as one).
func storesNothing(path string) bool {
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		return true
	}
	defer db.Close()
	ps, err := db.Portals(ctx)
	if err != nil {
		return false
	}
	for _, p := range ps {
		for _, st := range []string{"active", "missing", "deleted"} {
			if n, err := db.CountDatasets(ctx, p.ID, store.HarvestOptions{}, st); err != nil || n > 0 {
				return false
			}
		}
	}
	return true
}
