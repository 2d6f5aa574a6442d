package main

import (
	"runtime/debug"
	"sync"
	"testing"
)

// Harvests running at once in one process (audit --all) raise the
// collector's target once and the last one to end restores it.
func TestHarvestGCRestoresAfterTheLastHarvest(t *testing.T) {
	t.Setenv("GOGC", "")
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	var wg sync.WaitGroup
	ends := make(chan func(), 8)
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); ends <- harvestGC() }()
	}
	wg.Wait()
	close(ends)
	var all []func()
	for e := range ends {
		all = append(all, e)
	}
	if got := debug.SetGCPercent(200); got != 200 {
		t.Fatalf("during harvests GOGC is %d, want 200", got)
	}
	for i, end := range all {
		end()
		want := 200
		if i == len(all)-1 {
			want = 100
		}
		if got := debug.SetGCPercent(want); got != want {
			t.Fatalf("after %d of %d harvests ended GOGC is %d, want %d", i+1, len(all), got, want)
		}
	}
	t.Setenv("GOGC", "50")
	harvestGC()()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC set, harvestGC changed the target to %d", got)
	}
}
