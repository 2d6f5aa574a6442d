package store_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/store"
)

func TestLockIsExclusiveAndNamesHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	l1, err := store.AcquireLock(db, "harvest")
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.AcquireLock(db, "audit")
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second lock: want ErrLocked, got %v", err)
	}
	if !strings.Contains(err.Error(), "vigie harvest") || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("error should name the holder: %v", err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := store.AcquireLock(db, "audit")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
}

// A lock held by a process killed with SIGKILL is taken over at once.
func TestStaleLockFromKilledProcessIsTakenOver(t *testing.T) {
	if os.Getenv("VIGIE_LOCK_CHILD") != "" {
		if _, err := store.AcquireLock(os.Getenv("VIGIE_LOCK_CHILD"), "harvest"); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute)
		return
	}
	db := filepath.Join(t.TempDir(), "v.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStaleLockFromKilledProcessIsTakenOver$")
	cmd.Env = append(os.Environ(), "VIGIE_LOCK_CHILD="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("child did not lock: %q %v", buf, err)
	}
	if _, err := store.AcquireLock(db, "audit"); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("lock held by a live child must refuse, got %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := store.AcquireLock(db, "audit")
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	prev, unclean := l.Unclean()
	if !unclean || prev.Command != "harvest" || prev.PID != cmd.Process.Pid {
		t.Fatalf("a killed writer must be reported as an unclean shutdown, got %+v %v", prev, unclean)
	}
	// A check that failed keeps the mark for the next writer.
	l.Abandon()
	l, err = store.AcquireLock(db, "audit")
	if err != nil {
		t.Fatal(err)
	}
	if prev, unclean := l.Unclean(); !unclean || prev.Command != "harvest" {
		t.Fatalf("Abandon lost the unclean mark: %+v %v", prev, unclean)
	}
	l.Release()
	// After a clean release the next writer has nothing to check.
	l, err = store.AcquireLock(db, "audit")
	if err != nil {
		t.Fatal(err)
	}
	if _, unclean := l.Unclean(); unclean {
		t.Fatal("a released lock reported an unclean shutdown")
	}
	l.Release()
}
