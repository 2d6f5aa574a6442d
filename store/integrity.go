package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/internal/plain"
	"io"
	"os"
	"strings"
)

// Integrity is checked where it protects data, not on every open: PRAGMA
// quick_check reads every page (1.8 s for a 1.4 GiB database), so it runs
// only when a writer opens a database after an unclean shutdown (Verify) and
// on demand (vigie check). Every open still reads the file header and schema,
// which refuses a file that is not SQLite, a truncated file and a smashed
// schema; a damaged page met later by a read fails with an error that says
// the file is corrupted (explain).

// verify checks the header, the schema and, when full is set, every page.
func (db *DB) verify(ctx context.Context, full bool) error {
	if err := checkHeader(db.path); err != nil {
		return err
	}
	if full {
		var check string
		if err := db.sql.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
			return db.explain(err)
		}
		if check != "ok" {
			return db.corrupted(firstProblem(check))
		}
		return nil
	}
	// Reading the schema parses page 1 and every table's definition.
	var n int
	if err := db.sql.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema").Scan(&n); err != nil {
		return db.explain(err)
	}
	return nil
}

func (db *DB) corrupted(detail string) error {
	return storeErr(vigie.KindCorrupted, db.path, "store.corrupted", db.path, detail)
}

// errCorruptHeader is wrapped by checkHeader's errors.
var errCorruptHeader = errors.New("corrupted")

// checkHeader reads the 100-byte SQLite header of path: a file that exists
// and is not empty must be SQLite, and must hold at least the pages its
// header counts (a truncated copy does not). A missing or empty file is a
// new database.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // missing: created by Open; unreadable: explained by SQLite
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return nil
	}
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return &vigie.Error{Kind: vigie.KindBadDatabase, ID: "store.not_vigie", Args: []any{path}, Path: path, Err: errCorruptHeader}
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	// The page count is valid only when its version matches the change
	// counter. A checkpoint killed half-way can leave the file shorter than
	// its header says, with the missing pages still in the WAL, which the
	// next open replays: the size is judged only without a WAL.
	if binary.BigEndian.Uint32(h[92:96]) == binary.BigEndian.Uint32(h[24:28]) && pages > 0 &&
		pageSize >= 512 && st.Size() < pages*pageSize && !hasWAL(path) {
		return &vigie.Error{Kind: vigie.KindCorrupted, ID: "store.truncated", Args: []any{path, l10n.Whole(st.Size()), l10n.Whole(pages * pageSize)},
			Path: path, Err: errCorruptHeader}
	}
	return nil
}

// hasWAL reports whether path has a write-ahead log with frames in it.
func hasWAL(path string) bool {
	st, err := os.Stat(path + "-wal")
	return err == nil && st.Size() > 0
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok").
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	err := db.sql.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&s)
	return s, err
}

// IntegrityProblems runs PRAGMA integrity_check over every page and index and
// returns at most max problems it reports; none means the database is sound.
//
// On PostgreSQL the server checks its own pages (data checksums, WAL): it
// reads one row of each of vigie's tables instead, which finds a missing or
// unreadable table (dropped by hand, permissions revoked).
func (db *DB) IntegrityProblems(ctx context.Context, max int) ([]string, error) {
	if max < 1 {
		max = 1
	}
	if db.dialect == postgres {
		return db.postgresProblems(ctx, max)
	}
	rows, err := db.sql.QueryContext(ctx, fmt.Sprintf("PRAGMA integrity_check(%d)", max))
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, db.explain(err)
		}
		if s != "ok" {
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// firstProblem is the first line of a check's verdict that names a problem
// (the verdict opens with "*** in database main ***").
func firstProblem(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "***") {
			return l
		}
	}
	return plain.FirstLine(s)
}
