package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/store"
)

func TestWriteAuditFolderNamesLinksAndCleansUp(t *testing.T) {
	out := t.TempDir()
	now := time.Now()
	day := now.Format("2006-01-02")
	write := func(content string) (string, error) {
		return writeAuditFolder(out, now, func(dir string) error {
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
	if _, err := writeAuditFolder(out, now, func(dir string) error {
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
	if _, err := writeAuditFolder(out2, now, func(string) error { return nil }); err == nil || !strings.Contains(err.Error(), "not a symbolic link") {
		t.Errorf("latest folder: %v", err)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"audit"}, "--out is required"},
		{[]string{"audit", "--out", "x", "--fail-on", "broken-links,bogus"}, `--fail-on "bogus" is not a condition`},
		{[]string{"audit", "--out", "x", "--fail-under", "-1"}, "--fail-under must be"},
		{[]string{"diff", "--from", "yesterday"}, "--from:"},
		{[]string{"diff", "--format", "xml"}, "--format must be one of"},
		{[]string{"prune", "--keep", "0"}, "--keep must be at least 1"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"--db", filepath.Join(t.TempDir(), "v.db")}, c.args...)
		code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		if code != ExitUsage || !strings.Contains(stderr.String(), c.want) || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q on one line", c.args, code, stderr.String(), c.want)
		}
	}
}

func TestPruneAndAuditWaitForNoOne(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	lock, err := store.AcquireLock(db, "harvest")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	for _, args := range [][]string{{"prune", "--keep", "3"}, {"audit", "--out", t.TempDir()}} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(""), &stdout, &stderr)
		if code != ExitFailure || !strings.Contains(stderr.String(), "'vigie harvest'") {
			t.Errorf("%s while harvest holds the lock: exit %d, %q", args[0], code, stderr.String())
		}
	}
}
