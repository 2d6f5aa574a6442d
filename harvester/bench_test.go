package harvester

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

var genNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func BenchmarkDecodePackage(b *testing.B) {
	pkgs := ckantest.Generate(200, 3, ckantest.GenOptions{Now: genNow})
	raws := make([][]byte, len(pkgs))
	for i, p := range pkgs {
		raws[i], _ = json.Marshal(p)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodePackage(raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
	}
}
