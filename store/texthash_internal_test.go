package store

import (
	"hash/fnv"
	"testing"

	"github.com/vigie-audit/vigie"
)

// textHash is the id stored texts were given: it must stay FNV-1a of FR, a
// zero byte and EN, as hash/fnv computes it.
func TestTextHashIsFNV1a(t *testing.T) {
	for _, x := range []vigie.Text{{}, {FR: "a"}, {EN: "a"}, {FR: "Le titre « é » manque.", EN: "The title is missing."},
		{FR: "x\x00y", EN: "\xff"}} {
		h := fnv.New64a()
		h.Write([]byte(x.FR))
		h.Write([]byte{0})
		h.Write([]byte(x.EN))
		want := int64(h.Sum64() >> 1)
		if want == 0 {
			want = 1
		}
		if got := textHash(x); got != want {
			t.Errorf("textHash(%q) = %d, want %d", x, got, want)
		}
	}
}
