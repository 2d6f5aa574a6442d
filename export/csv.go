package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie/reports"
)

// csvWriter writes rows of T as RFC 4180 CSV: the header is the parquet
// column names, a NULL is an empty field, times are RFC 3339 in UTC, and
// text from portals is neutralised against formula injection (a spreadsheet
// may open the file); Parquet keeps text unchanged.
type csvWriter[T any] struct {
	w      *csv.Writer
	fields []int
	rec    []string
}

func newCSVWriter[T any](out io.Writer) (rowWriter[T], error) {
	t := reflect.TypeFor[T]()
	c := &csvWriter[T]{w: csv.NewWriter(out)}
	var header []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("parquet"), ",")
		if name == "" || name == "-" {
			continue
		}
		header = append(header, name)
		c.fields = append(c.fields, i)
	}
	c.rec = make([]string, len(c.fields))
	return c, c.w.Write(header)
}

func (c *csvWriter[T]) write(r T) error {
	v := reflect.ValueOf(r)
	for i, f := range c.fields {
		s, err := csvCell(v.Field(f))
		if err != nil {
			return err
		}
		c.rec[i] = s
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter[T]) close() error {
	c.w.Flush()
	return c.w.Error()
}

func csvCell(v reflect.Value) (string, error) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", nil
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	case string:
		return reports.Neutralise(x, false), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("no CSV form for %s", v.Type())
}
