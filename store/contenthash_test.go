package store_test

import (
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// A dataset's content hash is stored with it and compared at every harvest:
// if it changed with vigie's code, every dataset would look changed once.
// These are the hashes the first versions wrote.
func TestContentHashIsStable(t *testing.T) {
	d := sampleDataset("a", "alpha", "org-1")
	yes := true
	d.IsOpen = &yes
	d.Notes = "Des notes, é, \u2028 et <b>"
	empty := vigie.Dataset{ID: "x"}
	for _, c := range []struct {
		d    *vigie.Dataset
		want string
	}{{&d, "4baa18e45960460150bb100fd41bb4bd"}, {&empty, "27dba91fa71e30e70d5e9187b4dd2600"}} {
		if got := store.ContentHash(c.d); got != c.want {
			t.Errorf("ContentHash(%s) = %s, want %s", c.d.ID, got, c.want)
		}
	}
}
