package harvester

import (
	"encoding/json"
	"os"
	"testing"
)

func benchPage(b *testing.B) [][]byte {
	data, err := os.ReadFile("/work/bench100k/feed/page0.json")
	if err != nil {
		b.Skip(err)
	}
	raw, err := parseEnvelope("package_search", "u", 200, nil, data, nil)
	if err != nil {
		b.Fatal(err)
	}
	var out [][]byte
	eachField(raw, func(k string, v json.RawMessage) {
		if k == "results" {
			eachElem(v, func(_ int, e json.RawMessage) error { out = append(out, e); return nil })
		}
	})
	return out
}

func BenchmarkZDecodeFake(b *testing.B) {
	docs := benchPage(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := decodeValid(docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
}
