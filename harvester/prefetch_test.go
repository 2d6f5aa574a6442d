package harvester

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The prefetcher hands pages back in order, keeps depth fetches in flight,
// and cancels its guesses when a page is shorter than the step.
func TestPrefetcherOrderDepthAndWrongGuesses(t *testing.T) {
	var mu sync.Mutex
	var asked []int
	release := make(chan struct{})
	inFlight, most := atomic.Int32{}, atomic.Int32{}
	pf := newPrefetcher(context.Background(), 3, func(ctx context.Context, start int) (int, error) {
		mu.Lock()
		asked = append(asked, start)
		mu.Unlock()
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-release:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return start * 10, nil
	})
	defer pf.close()
	pf.ahead(0, 100, 1000)
	deadline := time.Now().Add(10 * time.Second)
	for inFlight.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if inFlight.Load() != 3 {
		t.Fatalf("%d fetches in flight, want 3 (depth)", inFlight.Load())
	}
	close(release)
	for _, start := range []int{0, 100} {
		if v, err := pf.get(start); err != nil || v != start*10 {
			t.Fatalf("get(%d) = %d, %v", start, v, err)
		}
	}
	// page 100 was short: the listing goes on at 150, not at the guessed 200
	if v, err := pf.get(150); err != nil || v != 1500 {
		t.Fatalf("get(150) = %d, %v", v, err)
	}
	pf.ahead(150, 100, 400) // nothing queued now: 150 is next, then 250, 350
	for _, start := range []int{150, 250, 350} {
		if v, err := pf.get(start); err != nil || v != start*10 {
			t.Fatalf("get(%d) = %d, %v", start, v, err)
		}
	}
	if most.Load() > 3 {
		t.Errorf("%d fetches in flight at once, want at most 3", most.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(asked)
	if want := []int{0, 100, 150, 150, 200, 250, 350}; !slices.Equal(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
}

// The first page, decoded in two halves at once, gives what decoding it in
// order gives: the same datasets in the same order, and the first failing
// result's error, whichever half it is in.
func TestDecodePageHalves(t *testing.T) {
	results := make([]json.RawMessage, 301)
	for i := range results {
		results[i] = json.RawMessage(fmt.Sprintf(`{"id":"d%03d","title":"T %d","resources":[{"url":"http://x/%d"}]}`, i, i, i))
	}
	whole, err := decodePage(results, false)
	if err != nil || len(whole) != len(results) {
		t.Fatalf("in order: %d datasets, %v", len(whole), err)
	}
	split, err := decodePage(results, true)
	if err != nil || !reflect.DeepEqual(split, whole) {
		t.Fatalf("in halves: %d datasets, %v; differs from in order", len(split), err)
	}
	bad := func(i int) json.RawMessage { return json.RawMessage(fmt.Sprintf(`{"id":"bad%d","resources":[1]}`, i)) }
	for _, c := range []struct {
		bad  []int
		want int // the failing result reported
	}{{[]int{250}, 250}, {[]int{20, 250}, 20}, {[]int{150, 151}, 150}} {
		rs := append([]json.RawMessage(nil), results...)
		for _, i := range c.bad {
			rs[i] = bad(i)
		}
		_, want := decodeValid(rs[c.want])
		ds, err := decodePage(rs, true)
		if err == nil || err.Error() != want.Error() || len(ds) != c.want {
			t.Errorf("bad %v: %d datasets, %v; want %d, %v", c.bad, len(ds), err, c.want, want)
		}
	}
}
