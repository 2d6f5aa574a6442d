package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigie-audit/vigie"
)

// Lock is an exclusive writer lock on a database: one harvest, links, score or
// audit at a time. On SQLite it is an flock(2) on DB.lock, so the kernel
// releases it when the holder dies, even by SIGKILL: a stale lock file is
// simply taken over. On PostgreSQL it is one advisory lock per portal
// (LockPortals), which the server releases when the holder's connection
// goes.
type Lock struct {
	f    *os.File
	path string
	prev *LockInfo // what a writer that never released the lock left in the file

	pg   *sql.DB   // PostgreSQL: the lock's own pool of one connection
	conn *sql.Conn // the session holding the advisory locks
	keys []int64   // the portals' lock keys held
}

// LockInfo is what the lock file says about its holder.
type LockInfo struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

// ErrLocked is wrapped by the error AcquireLock returns when another process holds the lock.
var ErrLocked error = &vigie.Error{Kind: vigie.KindInUse, Err: errors.New("database in use")}

// AcquireLock takes the writer lock for dbPath or fails at once, naming the holder.
func AcquireLock(dbPath, command string) (*Lock, error) {
	path := dbPath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, storeErr(vigie.KindReadOnly, dbPath, "store.lock_create", path)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			e := describeHolder(dbPath, path)
			e.Err = ErrLocked
			return nil, e
		}
		return nil, storeErr(vigie.KindOther, dbPath, "store.lock", path, err)
	}
	// Release empties the file: text left in it means the last writer was
	// killed or crashed while it held the database open.
	var prev *LockInfo
	if b, err := io.ReadAll(io.LimitReader(f, 4096)); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		prev = &LockInfo{}
		_ = json.Unmarshal([]byte(strings.TrimSpace(string(b))), prev)
	}
	host, _ := os.Hostname()
	info := LockInfo{PID: os.Getpid(), Host: host, Command: command, Since: time.Now().UTC().Truncate(time.Second)}
	b, _ := json.Marshal(info)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &Lock{f: f, path: path, prev: prev}, nil
}

// Unclean reports whether the previous writer ended without releasing the
// lock (killed, crashed, machine stopped), and what it was: the database
// should then be checked before it is written again (Options.Verify).
func (l *Lock) Unclean() (LockInfo, bool) {
	if l == nil || l.prev == nil {
		return LockInfo{}, false
	}
	return *l.prev, true
}

// describeHolder is the in-use error naming the lock's holder.
func describeHolder(dbPath, lockPath string) *vigie.Error {
	b, err := os.ReadFile(lockPath)
	var info LockInfo
	if err != nil || json.Unmarshal([]byte(strings.TrimSpace(string(b))), &info) != nil || info.PID == 0 {
		return storeErr(vigie.KindInUse, dbPath, "store.in_use.unknown", dbPath)
	}
	return storeErr(vigie.KindInUse, dbPath, "store.in_use", dbPath, info.Command, strconv.Itoa(info.PID), info.Host, info.Since.Format(time.RFC3339))
}

// Abandon frees the lock but leaves the file as it is, so that the next writer
// still sees an unclean shutdown (used when the check it asked for failed).
func (l *Lock) Abandon() error {
	if l != nil && l.pg != nil {
		return l.releasePortals()
	}
	if l == nil || l.f == nil {
		return nil
	}
	if l.prev != nil {
		b, _ := json.Marshal(l.prev)
		if err := l.f.Truncate(0); err == nil {
			_, _ = l.f.WriteAt(append(b, '\n'), 0)
		}
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	err := l.f.Close()
	l.f = nil
	return err
}

// Release frees the lock. The file stays; it is reused by the next writer.
func (l *Lock) Release() error {
	if l != nil && l.pg != nil {
		return l.releasePortals()
	}
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	err := l.f.Close()
	l.f = nil
	return err
}
