package store

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The raw JSON of each dataset version is most of the database (about 6 KB
// a dataset, 60 % of the file before compression) and every byte of it is
// written twice, to the WAL and then to the file. Versions are stored as
// zstd frames at the fastest level, about a sixth of the JSON's size; rows
// written before, plain JSON, are read as they are. A zstd frame starts with
// a magic number that no JSON text can start with.
var (
	rawEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithLowerEncoderMem(true))
	rawDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(256<<20))
	zstdMagic     = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// packScratch are buffers a version is compressed into before it is copied
// at its size: compressed into a buffer sized by guess, it was most often
// copied once more when the guess (a quarter) fell short.
var packScratch = sync.Pool{New: func() any { return new([]byte) }}

// packRaw compresses a version's raw JSON for storage.
func packRaw(raw []byte) []byte {
	sp := packScratch.Get().(*[]byte)
	out := rawEncoder.EncodeAll(raw, (*sp)[:0])
	packed := bytes.Clone(out)
	if cap(out) <= 1<<20 {
		*sp = out[:0]
		packScratch.Put(sp)
	}
	return packed
}

// unpackRaw returns the JSON of a stored version, compressed or not.
func unpackRaw(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, zstdMagic) {
		return b, nil
	}
	out, err := rawDecoder.DecodeAll(b, nil)
	if err != nil {
		return nil, fmt.Errorf("stored version is damaged (%v)", err)
	}
	return out, nil
}
