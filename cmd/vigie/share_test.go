package main

import (
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// sharedRoot is a folder every user can reach, holding a copy of this test
// binary that every user can run.
func sharedRoot(t *testing.T) (root, bin string) {
	t.Helper()
	root, err := os.MkdirTemp("", "vigie-share-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	exe, _ := os.Executable()
	bin = filepath.Join(root, "vigie.test")
	copyFile(t, exe, bin)
	os.Chmod(bin, 0o755)
	return root, bin
}

func owner(t *testing.T, path string) (uid, gid uint32, mode os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Sys().(*syscall.Stat_t)
	return s.Uid, s.Gid, st.Mode().Perm()
}

// A read-only command run by another user never leaves -wal/-shm files the
// database's owner cannot write: it refuses, saying how to share; in a
// group-shared folder it reads, and the files it creates stay writable by
// the owner.
func TestReadOnlyCommandsLeaveNoFileTheOwnerCannotWrite(t *testing.T) {
	storetest.SkipIfPostgres(t)  // a SQLite file's -wal and -shm between users
	t.Setenv("VIGIE_LANG", "en") // asserts the English summaries
	if os.Geteuid() != 0 {
		t.Skip("acting as two users needs root")
	}
	const ownerUID, readerUID, group = 1001, 65534, 1234
	root, bin := sharedRoot(t)
	src, portal := harvestedDB(t, 5)
	as := func(uid, gid uint32, groups []uint32, args ...string) (int, string, string) {
		return vigieChild(t, childOptions{bin: bin, dir: root, uid: uid, gid: gid, groups: groups}, args...)
	}

	// A folder anyone may write in, the database the owner's alone.
	plain := filepath.Join(root, "plain")
	os.Mkdir(plain, 0o777)
	os.Chmod(plain, 0o777)
	db := filepath.Join(plain, "vigie.db")
	copyFile(t, src, db)
	os.Chown(db, ownerUID, ownerUID)
	code, _, errs := as(readerUID, readerUID, nil, "--db", db, "--portal", portal, "datasets")
	if code != ExitFailure || !strings.Contains(errs, "share the database through a group") || strings.Count(errs, "\n") != 1 {
		t.Errorf("another user's read: exit %d %q", code, errs)
	}
	code, _, errs = as(readerUID, readerUID, nil, "--lang", "fr", "--db", db, "--portal", portal, "datasets")
	if code != ExitFailure || !strings.Contains(errs, "ou partagez la base par un groupe") || englishWord(errs) != "" {
		t.Errorf("another user's read, in French: exit %d %q", code, errs)
	}
	for _, f := range []string{db + "-wal", db + "-shm"} {
		if uid, _, _, err := statOwner(f); err == nil && uid != ownerUID {
			t.Errorf("%s left owned by uid %d", filepath.Base(f), uid)
		}
	}
	if code, _, errs := as(ownerUID, ownerUID, nil, "--db", db, "--portal", portal, "-q", "score"); code != 0 {
		t.Errorf("the owner cannot score after another user's read: %s", errs)
	}

	// The documented way to share: a setgid folder of a shared group, the
	// database group-writable.
	shared := filepath.Join(root, "shared")
	os.Mkdir(shared, 0o775)
	os.Chown(shared, ownerUID, group)
	os.Chmod(shared, 0o775|os.ModeSetgid)
	db = filepath.Join(shared, "vigie.db")
	copyFile(t, src, db)
	os.Chown(db, ownerUID, group)
	os.Chmod(db, 0o664)
	if code, out, errs := as(readerUID, readerUID, []uint32{group}, "--db", db, "--portal", portal, "datasets"); code != 0 || !strings.Contains(out, "5 datasets") {
		t.Fatalf("a group member's read: exit %d %q", code, errs)
	}
	if _, gid, mode := owner(t, db+"-shm"); gid != group || mode&0o060 != 0o060 {
		t.Errorf("-shm is group %d mode %v: the owner could not write it", gid, mode)
	}
	if code, _, errs := as(ownerUID, ownerUID, []uint32{group}, "--db", db, "--portal", portal, "-q", "score"); code != 0 {
		t.Errorf("the owner cannot score after a group member's read: %s", errs)
	}
}

func statOwner(path string) (uid, gid uint32, mode os.FileMode, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, 0, err
	}
	s := st.Sys().(*syscall.Stat_t)
	return s.Uid, s.Gid, st.Mode().Perm(), nil
}
