package reports

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// CSV writes the report's tables as UTF-8 CSV. Write writes the datasets
// table alone; WriteDir writes one file per table into a folder. Headers are
// stable machine names; text from the portal is neutralised against formula
// injection and kept on one line.
type CSV struct {
	BOM bool // start each file with a UTF-8 byte-order mark (for Excel)
	Sep rune // field separator; 0 means ','
}

var _ Writer = (*CSV)(nil)

// CSVFiles are the files WriteDir writes, in order.
var CSVFiles = []string{"indicators.csv", "organizations.csv", "datasets.csv", "findings.csv", "links.csv", "history.csv"}

func (c *CSV) check() error {
	switch c.Sep {
	case 0, ',', ';', '\t':
		return nil
	}
	return fmt.Errorf("csv separator must be ',', ';' or a tab, not %q", c.Sep)
}

// Write writes the datasets table to w.
func (c *CSV) Write(ctx context.Context, w io.Writer, r *Report) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.writeTable(ctx, w, r.datasetTable())
}

// WriteDir writes every table to its own file in dir, creating dir if
// needed. File names are fixed (CSVFiles), never taken from the portal. The
// set is replaced as a whole (WriteFilesAtomic): a failure leaves the
// previous files as they were.
func (c *CSV) WriteDir(ctx context.Context, dir string, r *Report) error {
	if err := c.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	tables := r.tables()
	return WriteFilesAtomic(dir, CSVFiles[:len(tables)], func(i int, f *os.File) error {
		bw := bufio.NewWriterSize(f, 1<<16)
		if err := c.writeTable(ctx, bw, tables[i]); err != nil {
			return err
		}
		return bw.Flush()
	})
}

func (c *CSV) writeTable(ctx context.Context, w io.Writer, t table) error {
	if c.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if c.Sep != 0 {
		cw.Comma = c.Sep
	}
	header := make([]string, len(t.cols))
	for i, col := range t.cols {
		header[i] = col.id
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(t.cols))
	err := pipeline(ctx, t.each, func(row []any) error {
		for i, v := range row {
			rec[i] = csvCell(v)
		}
		return cw.Write(rec)
	})
	cw.Flush()
	return errors.Join(err, cw.Error())
}

// csvCell formats one value; numbers use a dot whatever the separator.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return Neutralise(x, true)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	}
	if t, ok := timeOf(v); ok {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return ""
}
