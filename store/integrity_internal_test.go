package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckHeader: checkHeader refuses what is not SQLite and a file shorter than its header
// says, unless a WAL holds the missing pages (a checkpoint killed half-way).
func TestCheckHeader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.db")
	if err := checkHeader(path); err != nil {
		t.Fatalf("missing file: %v", err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkHeader(path); err != nil {
		t.Fatalf("sound file: %v", err)
	}
	for _, c := range []struct {
		name string
		body []byte
		wal  bool
		bad  bool
	}{
		{"empty", nil, false, false},
		{"not sqlite", []byte("SQLite format 2\x00 and some more text, well past the hundred bytes of a header......................"), false, true},
		{"short header", good[:50], false, true},
		{"truncated", good[:len(good)-4096], false, true},
		{"truncated with frames in the WAL", good[:len(good)-4096], true, false},
	} {
		if err := os.WriteFile(path, c.body, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Remove(path + "-wal")
		if c.wal {
			if err := os.WriteFile(path+"-wal", []byte("frames"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := checkHeader(path)
		if got := err != nil; got != c.bad {
			t.Errorf("%s: error %v, want an error: %v", c.name, err, c.bad)
		}
		if err != nil && !errors.Is(err, errCorruptHeader) {
			t.Errorf("%s: %v does not wrap errCorruptHeader", c.name, err)
		}
	}
}
