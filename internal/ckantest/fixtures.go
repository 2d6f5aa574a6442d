package ckantest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FixturePackages returns every package dict found in the real CKAN payloads
// under root (testdata/real) (package_show results, package_search results, dumps),
// as raw JSON: the seeds of the decoder fuzz target.
func FixturePackages(tb testing.TB, root string) []json.RawMessage {
	tb.Helper()
	var out []json.RawMessage
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			return
		}
		switch raw[0] {
		case '{':
			var m map[string]json.RawMessage
			if json.Unmarshal(raw, &m) != nil {
				return
			}
			if _, ok := m["resources"]; ok {
				if _, named := m["name"]; named {
					out = append(out, raw)
					return
				}
			}
			for _, v := range m {
				walk(v)
			}
		case '[':
			var l []json.RawMessage
			if json.Unmarshal(raw, &l) != nil {
				return
			}
			for _, v := range l {
				walk(v)
			}
		}
	}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		walk(b)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) < 10 {
		tb.Fatalf("only %d package dicts under %s", len(out), root)
	}
	return out
}
