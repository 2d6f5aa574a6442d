package store

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/vigie-audit/vigie"
)

// checkSharedRead refuses to read, as a user other than the database's
// owner, a WAL database whose -wal or -shm file does not exist yet: SQLite
// would create them owned by this user, and the owner's next harvest could
// not write them. It lets the read go ahead when the files already exist,
// when vigie runs as root (SQLite then gives new files to the database's
// owner), and when the database is shared through a group: group-writable,
// and the new files would get its group (a setgid folder of that group, or
// this user's own group). SQLite gives them the database's permission bits.
func checkSharedRead(path string) error {
	euid := os.Geteuid()
	if euid == 0 {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || int(sys.Uid) == euid || sys.Uid == 0 || !walMode(path) {
		return nil // the owner, or root who can write anything
	}
	if syscall.Access(filepath.Dir(path), 2 /* W_OK */) != nil {
		return nil // this user can create nothing there; SQLite explains what it cannot read
	}
	_, werr := os.Stat(path + "-wal")
	_, serr := os.Stat(path + "-shm")
	if werr == nil && serr == nil {
		return nil
	}
	gid := uint32(os.Getegid())
	if dst, err := os.Stat(filepath.Dir(path)); err == nil && dst.Mode()&os.ModeSetgid != 0 {
		gid = dst.Sys().(*syscall.Stat_t).Gid
	}
	if st.Mode().Perm()&0o020 != 0 && gid == sys.Gid {
		return nil
	}
	owner, me := userName(sys.Uid), userName(uint32(euid))
	return &vigie.Error{ID: "store.shared_owner", Args: []any{path, owner, me, me, owner, owner}, Path: path}
}

// walMode reports whether the file's header says WAL (bytes 18 and 19 are 2).
func walMode(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 20)
	if _, err := f.ReadAt(b, 0); err != nil {
		return false
	}
	return b[18] == 2 && b[19] == 2
}

func userName(uid uint32) string {
	if u, err := user.LookupId(strconv.Itoa(int(uid))); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(int(uid))
}
