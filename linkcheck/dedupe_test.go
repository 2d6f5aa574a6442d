package linkcheck

import (
	"slices"
	"testing"

	"github.com/vigie-audit/vigie"
)

// dedupe keeps the first of each URL with the formats of all, in the
// targets' own array (a night's list is not copied), never writing into a
// caller's formats array, and leaves nothing alive in the dropped tail.
func TestDedupeInPlace(t *testing.T) {
	shared := []string{"CSV", "JSON", "spare"}
	prev := &vigie.LinkHistory{Failures: 1}
	targets := []Target{
		{URL: "http://a/1", Formats: shared[:1:3], Prev: prev},
		{URL: "http://a/2", Formats: []string{"XLSX", "XLSX"}},
		{URL: "http://a/1", Formats: []string{"CSV", "ZIP"}},
		{URL: "http://a/3"},
	}
	out := dedupe(targets)
	if len(out) != 3 || &out[0] != &targets[0] {
		t.Fatalf("dedupe made %d targets in a new array: %+v", len(out), out)
	}
	if !slices.Equal(out[0].Formats, []string{"CSV", "ZIP"}) || out[0].Prev != prev || out[2].URL != "http://a/3" {
		t.Errorf("merged: %+v", out)
	}
	if !slices.Equal(out[1].Formats, []string{"XLSX"}) {
		t.Errorf("repeated formats of one target: %v", out[1].Formats)
	}
	if shared[1] != "JSON" {
		t.Errorf("the merge wrote into the caller's formats array: %v", shared)
	}
	if targets[3].URL != "" || targets[3].Formats != nil {
		t.Errorf("dropped tail still holds %+v", targets[3])
	}
}
