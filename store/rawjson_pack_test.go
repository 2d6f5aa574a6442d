package store

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// A version compressed through the reused buffers reads back as it was
// and is the frame compressing it alone gives, whatever was compressed
// before it, in any order and beside other goroutines.
func TestPackRawReusedBuffers(t *testing.T) {
	inputs := [][]byte{
		[]byte(`{}`),
		[]byte(`{"id":"a","title":"` + strings.Repeat("é titre ", 400) + `"}`),
		bytes.Repeat([]byte(`{"k":"v","n":12345},`), 120_000), // past the buffers kept (1 MiB)
		[]byte(`{"id":"b"}`),
	}
	want := make([][]byte, len(inputs))
	for i, in := range inputs {
		want[i] = rawEncoder.EncodeAll(in, nil)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 20 {
				i := (g + round) % len(inputs)
				got := packRaw(inputs[i])
				if !bytes.Equal(got, want[i]) {
					t.Errorf("input %d: frame differs from the one compressed alone", i)
					return
				}
				back, err := unpackRaw(got)
				if err != nil || !bytes.Equal(back, inputs[i]) {
					t.Errorf("input %d: reads back differently (%v)", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
