package pipeline

import (
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// WriteDatedFolder fills a hidden temporary folder with fill, then renames it
// to OUT/YYYY-MM-DD (or -2, -3… when that day already has one) and points
// OUT/latest at it. A failed fill leaves nothing behind.
func WriteDatedFolder(out string, now time.Time, fill func(dir string) error) (string, error) {
	removeLeftovers(out, now)
	day := now.In(time.Local).Format("2006-01-02")
	tmp, err := os.MkdirTemp(out, "."+day+".partial-")
	if err != nil {
		return "", &vigie.Error{ID: "pipeline.out_write", Args: []any{out, unwrapPath(err)}, Path: out}
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := syncDir(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	var name string
	for n := 1; ; n++ {
		name = day
		if n > 1 {
			name = fmt.Sprintf("%s-%d", day, n)
		}
		if _, err := os.Lstat(filepath.Join(out, name)); errors.Is(err, os.ErrNotExist) {
			if err := os.Rename(tmp, filepath.Join(out, name)); err == nil {
				break
			} else if n > 1000 {
				os.RemoveAll(tmp)
				return "", vigie.NewError(vigie.KindOther, "pipeline.folder_name", out, err)
			}
		}
	}
	if err := pointLatest(out, name); err != nil {
		return filepath.Join(out, name), err
	}
	return filepath.Join(out, name), syncDir(out)
}

// leftoverAge is how old a hidden partial folder or link must be before an
// audit removes it: older than any report takes to write, so it belongs to a
// killed audit, not to one running on another database into the same folder.
const leftoverAge = 6 * time.Hour

// removeLeftovers deletes what killed audits left in out: partial report
// folders and temporary links.
func removeLeftovers(out string, now time.Time) {
	entries, err := os.ReadDir(out)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, ".") || !strings.Contains(n, ".partial-") && !strings.HasPrefix(n, ".latest-") {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(out, n)); err == nil && now.Sub(fi.ModTime()) > leftoverAge {
			os.RemoveAll(filepath.Join(out, n))
		}
	}
}

// pointLatest atomically replaces OUT/latest with a relative symlink to name.
func pointLatest(out, name string) error {
	link := filepath.Join(out, "latest")
	if fi, err := os.Lstat(link); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		return vigie.NewError(vigie.KindOther, "pipeline.latest_not_link", link)
	}
	tmp := filepath.Join(out, ".latest-"+strconv.Itoa(os.Getpid()))
	_ = os.Remove(tmp)
	if err := os.Symlink(name, tmp); err != nil {
		return vigie.NewError(vigie.KindOther, "pipeline.latest_create", out, unwrapPath(err))
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return vigie.NewError(vigie.KindOther, "pipeline.latest_update", link, unwrapPath(err))
	}
	return nil
}

// syncDir fsyncs a folder so that renames and creations in it survive a
// power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return vigie.NewError(vigie.KindOther, "pipeline.sync", dir, unwrapPath(err))
	}
	return nil
}
