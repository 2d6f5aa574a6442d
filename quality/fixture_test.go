package quality_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/harvester"
)

// loadPackage decodes a real package_show payload of testdata/real with the
// harvester's own decoder, so the tests score what vigie stores.
func loadPackage(t testing.TB, rel string) *vigie.Dataset {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "real", rel))
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(b, &env); err == nil && len(env.Result) > 0 {
		b = env.Result
	}
	d, err := harvester.DecodePackage(b)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return &d
}
