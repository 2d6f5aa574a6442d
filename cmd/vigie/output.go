package main

import (
	"encoding/csv"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/reports"
)

// checkFormat validates a --format value against the allowed ones.
func checkFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return usage("usage.format", strings.Join(allowed, ", "), got)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printTable writes aligned columns for people; cells are single-lined and
// aligned by display width (CJK and other wide characters take two columns).
func printTable(w io.Writer, header []string, rows [][]string) error {
	all := make([][]string, 0, len(rows)+1)
	all = append(all, header)
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = truncateWidth(oneLine(c, 200), 60)
		}
		all = append(all, cells)
	}
	return writeAligned(w, all)
}

// csvFlags are --sep, --decimal and --bom of the commands that write CSV.
// Unset, they follow --lang (reports.CSVFor): ';', ',' and a BOM in French.
type csvFlags struct{ sep, decimal, bom string }

func addCSVFlags(cmd *cobra.Command) *csvFlags {
	c := &csvFlags{}
	f := cmd.Flags()
	f.StringVar(&c.sep, "sep", "", "csv: field separator ',', ';' or tab (default ';' in French, ',' in English)")
	f.StringVar(&c.decimal, "decimal", "", "csv: decimal separator '.' or ',' (default ',' in French, '.' in English)")
	f.StringVar(&c.bom, "bom", "", "csv: start with a UTF-8 byte-order mark, true or false (default true in French)")
	f.Lookup("bom").NoOptDefVal = "true"
	return c
}

// options resolves the flags against the language's conventions.
func (c *csvFlags) options(lang string) (reports.CSV, error) {
	o := reports.CSVFor(lang)
	switch c.sep {
	case "":
	case ",":
		o.Sep = ','
	case ";":
		o.Sep = ';'
	case "\\t", "tab", "\t":
		o.Sep = '\t'
	default:
		return o, usage("usage.sep", c.sep)
	}
	switch c.decimal {
	case "":
		if c.sep == "," && o.Decimal == ',' {
			o.Decimal = '.' // a comma separator asks for dots
		}
	case ".", ",":
		o.Decimal = c.decimal[0]
	default:
		return o, usage("usage.decimal", c.decimal)
	}
	if o.Decimal == ',' && o.Sep == ',' {
		return o, usage("usage.decimal_sep")
	}
	switch c.bom {
	case "":
	case "true", "1", "yes":
		o.BOM = true
	case "false", "0", "no":
		o.BOM = false
	default:
		return o, usage("usage.bom", c.bom)
	}
	return o, nil
}

// csvNum writes a number for a CSV cell with o's decimal separator; unknown
// is an empty cell.
func csvNum(p *float64, o reports.CSV) string {
	if p == nil {
		return ""
	}
	dec := o.Decimal
	if dec == 0 {
		dec = '.'
	}
	return l10n.Plain(*p, dec)
}

// printCSV writes CSV with the separator and BOM of o for a terminal or a
// spreadsheet: control and bidirectional characters folded, formulas
// neutralised (reports.Neutralise). Cells are already formatted.
func printCSV(w io.Writer, o reports.CSV, header []string, rows [][]string) error {
	if o.BOM {
		io.WriteString(w, "\uFEFF")
	}
	cw := csv.NewWriter(w)
	if o.Sep != 0 {
		cw.Comma = o.Sep
	}
	_ = cw.Write(header)
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = defuse(c)
		}
		_ = cw.Write(cells)
	}
	cw.Flush()
	return cw.Error()
}

// defuse makes one CSV cell of portal text safe for a terminal and a
// spreadsheet: one line, no control or bidirectional characters, and a
// leading quote on anything a spreadsheet could read as a formula.
func defuse(s string) string { return reports.Neutralise(s, true) }

// oneLine folds control characters (C0, DEL, C1 such as the 8-bit CSI, NUL,
// line separators) and drops bidirectional controls and marks, and cuts
// long text for terminal tables.
func oneLine(s string, max int) string { return reports.OneLine(s, max) }
