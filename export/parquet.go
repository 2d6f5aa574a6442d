package export

import (
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// parquetWriter buffers rows in small batches and lets parquet-go cut a row
// group every Options.RowGroup rows, which bounds the memory the writer
// holds (a row group's column chunks stay in memory until it is flushed).
type parquetWriter[T any] struct {
	w     *parquet.GenericWriter[T]
	batch []T
}

const parquetBatch = 1024

// codec returns the compression named: snappy (the default: the writer's
// memory stays flat, about 30 MiB whatever the catalogue's size) or zstd
// (files about three times smaller, but its encoders' history windows cost
// about 100 MiB more).
func codec(name string) compress.Codec {
	if name == CompressionZstd {
		return zstdCodec
	}
	return snappyCodec
}

var snappyCodec = &snappy.Codec{}

// zstdCodec is shared by every file so that its pooled encoders, each with
// its own history window, are reused rather than allocated per table.
var zstdCodec = &zstd.Codec{Level: zstd.SpeedDefault}

func newParquetWriter[T any](out io.Writer, o Options) (rowWriter[T], error) {
	opts := []parquet.WriterOption{
		parquet.Compression(codec(o.Compression)),
		parquet.MaxRowsPerRowGroup(o.RowGroup),
	}
	if o.CreatedBy != "" {
		opts = append(opts, parquet.CreatedBy("vigie", o.CreatedBy, ""))
	}
	return &parquetWriter[T]{w: parquet.NewGenericWriter[T](out, opts...), batch: make([]T, 0, parquetBatch)}, nil
}

func (p *parquetWriter[T]) write(r T) error {
	p.batch = append(p.batch, r)
	if len(p.batch) == cap(p.batch) {
		return p.flush()
	}
	return nil
}

func (p *parquetWriter[T]) flush() error {
	if len(p.batch) == 0 {
		return nil
	}
	_, err := p.w.Write(p.batch)
	clear(p.batch)
	p.batch = p.batch[:0]
	return err
}

func (p *parquetWriter[T]) close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.Close()
}
