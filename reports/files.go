package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// tempPrefix starts the name of every temporary report file. A writer holds
// an flock on its temporary until the file is renamed into place, so a
// temporary nobody holds was left by a killed run and may be removed.
const tempPrefix = ".vigie-report-"

// WriteFileAtomic writes path through a temporary file in the same folder:
// written, fsynced, renamed into place, then the folder fsynced. A failed or
// interrupted report (error, full disk, SIGKILL) leaves the previous file
// whole and no half-written one.
func WriteFileAtomic(path string, write func(*os.File) error) error {
	return WriteFilesAtomic(filepath.Dir(path), []string{filepath.Base(path)}, func(_ int, f *os.File) error { return write(f) })
}

// WriteFilesAtomic writes a set of files into dir: every file goes to a
// temporary first and only when all were written and fsynced are they
// renamed into place, so a failure (a full disk above all) leaves the old
// set untouched instead of a mix of new and old files. Temporaries left by
// killed runs are removed first.
func WriteFilesAtomic(dir string, names []string, write func(i int, f *os.File) error) (err error) {
	RemoveStaleTemps(dir)
	return writeFilesAtomic(dir, names, write)
}

// writeFilesAtomic is WriteFilesAtomic without the sweep of stale
// temporaries: for writers filling one fresh folder at the same time, where
// one's sweep could take another's temporary between its creation and its
// lock.
func writeFilesAtomic(dir string, names []string, write func(i int, f *os.File) error) (err error) {
	tmps := make([]*os.File, 0, len(names))
	defer func() {
		for _, t := range tmps {
			if err != nil {
				os.Remove(t.Name())
			}
			t.Close()
		}
	}()
	for i, name := range names {
		path := filepath.Join(dir, name)
		tmp, err := os.CreateTemp(dir, tempPrefix+"*")
		if err != nil {
			return &vigie.Error{ID: "reports.no_write", Args: []any{dir, unwrapPath(err)}, Path: dir}
		}
		tmps = append(tmps, tmp)
		_ = syscall.Flock(int(tmp.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err := write(i, tmp); err != nil {
			return diskHint(path, err)
		}
		if err := tmp.Sync(); err != nil {
			return diskHint(path, err)
		}
		if err := tmp.Chmod(0o644); err != nil {
			return vigie.NewError(vigie.KindOther, "reports.write", path, unwrapPath(err))
		}
	}
	for i, t := range tmps {
		path := filepath.Join(dir, names[i])
		if err := os.Rename(t.Name(), path); err != nil {
			return vigie.NewError(vigie.KindOther, "reports.write", path, unwrapPath(err))
		}
	}
	return syncDir(dir)
}

// diskHint wraps a write error, saying what to do when the disk is full.
func diskHint(path string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG) {
		return &vigie.Error{Kind: vigie.KindDiskFull, ID: "reports.disk_full", Args: []any{path, unwrapPath(err)}, Path: path}
	}
	return &vigie.Error{Kind: vigie.KindOf(err), ID: "reports.write", Args: []any{path, unwrapPath(err)}, Path: path, Err: err}
}

// mkdirErr is a folder that could not be created.
func mkdirErr(dir string, err error) error {
	return &vigie.Error{Kind: vigie.KindOf(err), ID: "reports.mkdir", Args: []any{dir, unwrapPath(err)}, Path: dir, Err: err}
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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
		return vigie.NewError(vigie.KindOther, "reports.sync", dir, unwrapPath(err))
	}
	return nil
}

// RemoveStaleTemps deletes the temporary report files in dir that no
// running writer holds: those left by killed runs.
func RemoveStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.Remove(path)
		}
		f.Close()
	}
}

// WriteAuditDiff writes diff.md and diff.json, and appends a short "since
// last run" section to audit.md when it exists.
func WriteAuditDiff(dir string, d *vigie.DiffResult, portal, lang string) error {
	var full, short bytes.Buffer
	if d == nil {
		msg := map[string]string{"fr": "Premier audit : rien à comparer encore.", "en": "First audit: nothing to compare yet."}[lang]
		fmt.Fprintf(&full, "# %s\n\n%s\n", DiffTitle(lang), msg)
		fmt.Fprintf(&short, "\n## %s\n\n%s\n", DiffTitle(lang), msg)
		if err := writeBytes(filepath.Join(dir, "diff.json"), []byte("null\n")); err != nil {
			return err
		}
	} else {
		if err := WriteDiffMD(&full, d, portal, lang, 0, 1); err != nil {
			return err
		}
		short.WriteString("\n")
		if err := WriteDiffMD(&short, d, portal, lang, 10, 2); err != nil {
			return err
		}
		var js bytes.Buffer
		enc := json.NewEncoder(&js)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(NewDiffDocument(portal, d)); err != nil {
			return err
		}
		if err := writeBytes(filepath.Join(dir, "diff.json"), js.Bytes()); err != nil {
			return err
		}
	}
	if err := writeBytes(filepath.Join(dir, "diff.md"), full.Bytes()); err != nil {
		return err
	}
	md := filepath.Join(dir, "audit.md")
	f, err := os.OpenFile(md, os.O_APPEND|os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(short.Bytes()); err != nil {
		f.Close()
		return diskHint(md, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return diskHint(md, err)
	}
	return f.Close()
}

// WriteRunJSON writes rec as dir/run.json.
func WriteRunJSON(dir string, rec *vigie.AuditRecord) error {
	b, err := json.MarshalIndent(NewRunDocument(rec), "", "  ")
	if err != nil {
		return err
	}
	return writeBytes(filepath.Join(dir, "run.json"), append(b, '\n'))
}

func writeBytes(path string, b []byte) error {
	return WriteFileAtomic(path, func(f *os.File) error {
		_, err := f.Write(b)
		return err
	})
}
