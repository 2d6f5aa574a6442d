package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteDatedFolderNamesLinksAndCleansUp(t *testing.T) {
	out := t.TempDir()
	now := time.Now()
	day := now.Format("2006-01-02")
	write := func(content string) (string, error) {
		return WriteDatedFolder(out, now, func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "audit.md"), []byte(content), 0o644)
		})
	}
	d1, err := write("one")
	if err != nil || filepath.Base(d1) != day {
		t.Fatalf("first folder %q %v", d1, err)
	}
	d2, err := write("two")
	if err != nil || filepath.Base(d2) != day+"-2" {
		t.Fatalf("second folder %q %v", d2, err)
	}
	target, err := os.Readlink(filepath.Join(out, "latest"))
	if err != nil || target != day+"-2" {
		t.Fatalf("latest -> %q %v", target, err)
	}
	b, err := os.ReadFile(filepath.Join(out, "latest", "audit.md"))
	if err != nil || string(b) != "two" {
		t.Fatalf("latest/audit.md = %q %v", b, err)
	}
	boom := errors.New("disk full")
	if _, err := WriteDatedFolder(out, now, func(dir string) error {
		os.WriteFile(filepath.Join(dir, "audit.json"), []byte("{"), 0o644)
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("fill error lost: %v", err)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != day+" "+day+"-2 latest" {
		t.Errorf("after a failed fill the folder holds %v", names)
	}
	if target, _ := os.Readlink(filepath.Join(out, "latest")); target != day+"-2" {
		t.Errorf("a failed audit moved latest to %q", target)
	}
	// What a killed audit left is removed once old enough; a fresh one stays.
	old, fresh := filepath.Join(out, ".2026-11-26.partial-1"), filepath.Join(out, "."+day+".partial-2")
	os.Mkdir(old, 0o700)
	os.Mkdir(fresh, 0o700)
	past := now.Add(-7 * time.Hour)
	os.Chtimes(old, past, past)
	if _, err := write("three"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("an old partial folder was kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a recent partial folder was removed")
	}

	// latest as a real folder is not silently replaced.
	out2 := t.TempDir()
	os.Mkdir(filepath.Join(out2, "latest"), 0o755)
	if _, err := WriteDatedFolder(out2, now, func(string) error { return nil }); err == nil || !strings.Contains(err.Error(), "not a symbolic link") {
		t.Errorf("latest folder: %v", err)
	}
}
