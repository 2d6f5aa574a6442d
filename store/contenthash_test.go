package store_test

import (
	"strings"
	"sync"
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

// The hashers are reused: a hash computed after a bigger dataset's, or
// beside others, is the one computed alone.
func TestContentHashReusedHashers(t *testing.T) {
	d := sampleDataset("a", "alpha", "org-1")
	want := store.ContentHash(&d)
	big := sampleDataset("b", "beta", "org-2")
	big.Extras = map[string]string{}
	for i := range 500 {
		big.Extras[strings.Repeat("k", i+1)] = strings.Repeat("v", 100)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				store.ContentHash(&big)
				if got := store.ContentHash(&d); got != want {
					t.Errorf("ContentHash after a bigger dataset = %s, want %s", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
