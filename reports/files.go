package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie/store"
)

// WriteFileAtomic writes path through a temporary file in the same folder,
// renamed into place only when write succeeded, so a failed or interrupted
// report never leaves a half-written file behind.
func WriteFileAtomic(path string, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".vigie-report-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v: check the folder exists and is writable", dir, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %v", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %v", path, err)
	}
	return nil
}

// WriteDatedFolder fills a hidden temporary folder with fill, then renames it
// to OUT/YYYY-MM-DD (or -2, -3… when that day already has one) and points
// OUT/latest at it. A failed fill leaves nothing behind.
func WriteDatedFolder(out string, now time.Time, fill func(dir string) error) (string, error) {
	removeLeftovers(out, now)
	day := now.In(time.Local).Format("2006-01-02")
	tmp, err := os.MkdirTemp(out, "."+day+".partial-")
	if err != nil {
		return "", fmt.Errorf("cannot write in --out folder %s: %v", out, err)
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
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
				return "", fmt.Errorf("cannot create the report folder in %s: %v", out, err)
			}
		}
	}
	if err := pointLatest(out, name); err != nil {
		return filepath.Join(out, name), err
	}
	return filepath.Join(out, name), nil
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
		return fmt.Errorf("%s exists and is not a symbolic link: move it aside so 'latest' can point at the newest audit", link)
	}
	tmp := filepath.Join(out, ".latest-"+strconv.Itoa(os.Getpid()))
	_ = os.Remove(tmp)
	if err := os.Symlink(name, tmp); err != nil {
		return fmt.Errorf("cannot create the 'latest' link in %s: %v", out, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot update %s: %v", link, err)
	}
	return nil
}

// WriteAuditDiff writes diff.md and diff.json, and appends a short "since
// last run" section to audit.md when it exists.
func WriteAuditDiff(dir string, d *store.DiffResult, portal, lang string) error {
	var full, short bytes.Buffer
	if d == nil {
		msg := map[string]string{"fr": "Premier audit : rien à comparer encore.", "en": "First audit: nothing to compare yet."}[lang]
		fmt.Fprintf(&full, "# %s\n\n%s\n", DiffTitle(lang), msg)
		fmt.Fprintf(&short, "\n## %s\n\n%s\n", DiffTitle(lang), msg)
		if err := os.WriteFile(filepath.Join(dir, "diff.json"), []byte("null\n"), 0o644); err != nil {
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
		if err := enc.Encode(DiffDocument{Portal: portal, DiffResult: d}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "diff.json"), js.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "diff.md"), full.Bytes(), 0o644); err != nil {
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
		return err
	}
	return f.Close()
}
