package reports

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"os"
	"strconv"
)

// CSV writes the report's tables as UTF-8 CSV. Write writes the datasets
// table alone; WriteDir writes one file per table into a folder. Headers are
// stable machine names; text from the portal is neutralised against formula
// injection and kept on one line.
type CSV struct {
	BOM     bool // start each file with a UTF-8 byte-order mark (for Excel)
	Sep     rune // field separator; 0 means ','
	Decimal byte // decimal separator of numbers: '.' (0 means '.') or ','
}

// CSVFor returns the CSV conventions spreadsheets expect in lang: in French a
// ';' separator, a UTF-8 BOM and decimal commas (what French Excel and
// LibreOffice read as numbers); in English RFC 4180 with dots.
func CSVFor(lang string) CSV {
	if lang == "en" {
		return CSV{Sep: ',', Decimal: '.'}
	}
	return CSV{BOM: true, Sep: ';', Decimal: ','}
}

var _ Writer = (*CSV)(nil)

// CSVFiles are the files WriteDir writes, in order.
var CSVFiles = []string{"indicators.csv", "organizations.csv", "datasets.csv", "findings.csv", "links.csv", "history.csv"}

func (c *CSV) check() error {
	switch c.Sep {
	case 0, ',', ';', '\t':
	default:
		return fmt.Errorf("csv separator must be ',', ';' or a tab, not %q", c.Sep)
	}
	switch {
	case c.Decimal == ',' && (c.Sep == ',' || c.Sep == 0):
		return vigie.NewError(vigie.KindUsage, "reports.sep")
	case c.Decimal != 0 && c.Decimal != '.' && c.Decimal != ',':
		return fmt.Errorf("csv decimal separator must be '.' or ',', not %q", c.Decimal)
	}
	return nil
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
		return mkdirErr(dir, err)
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
			rec[i] = csvCell(v, c.Decimal)
		}
		return cw.Write(rec)
	})
	cw.Flush()
	return errors.Join(err, cw.Error())
}

// csvCell formats one value; numbers are never grouped and use dec ('.'
// when 0) as their decimal separator.
func csvCell(v any, dec byte) string {
	if dec == 0 {
		dec = '.'
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return Neutralise(x, true)
	case int:
		return strconv.Itoa(x)
	case *int:
		if x == nil {
			return ""
		}
		return strconv.Itoa(*x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return l10n.Plain(x, dec)
	case *float64:
		if x == nil {
			return ""
		}
		return l10n.Plain(*x, dec)
	}
	if t, ok := timeOf(v); ok {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return ""
}
