package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// Lock is an exclusive writer lock on a database: one harvest, links, score or
// audit at a time. It is an flock(2) on DB.lock, so the kernel releases it when
// the holder dies, even by SIGKILL: a stale lock file is simply taken over.
type Lock struct {
	f    *os.File
	path string
}

// LockInfo is what the lock file says about its holder.
type LockInfo struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

// ErrLocked is wrapped by the error AcquireLock returns when another process holds the lock.
var ErrLocked = errors.New("database in use")

// AcquireLock takes the writer lock for dbPath or fails at once, naming the holder.
func AcquireLock(dbPath, command string) (*Lock, error) {
	path := dbPath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot create lock file %s: check the folder's permissions or pass another --db", path)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, describeHolder(dbPath, path))
		}
		return nil, fmt.Errorf("cannot lock %s: %v", path, err)
	}
	host, _ := os.Hostname()
	info := LockInfo{PID: os.Getpid(), Host: host, Command: command, Since: time.Now().UTC().Truncate(time.Second)}
	b, _ := json.Marshal(info)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &Lock{f: f, path: path}, nil
}

func describeHolder(dbPath, lockPath string) string {
	b, err := os.ReadFile(lockPath)
	var info LockInfo
	if err != nil || json.Unmarshal([]byte(strings.TrimSpace(string(b))), &info) != nil || info.PID == 0 {
		return fmt.Sprintf("%s is being written by another vigie process: wait for it to finish", dbPath)
	}
	return fmt.Sprintf("%s is being written by 'vigie %s' (pid %d on %s, since %s): wait for it to finish",
		dbPath, info.Command, info.PID, info.Host, info.Since.Format(time.RFC3339))
}

// Release frees the lock. The file stays; it is reused by the next writer.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	err := l.f.Close()
	l.f = nil
	return err
}
