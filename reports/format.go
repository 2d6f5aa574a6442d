package reports

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Formats are the report formats, in the order help texts list them.
var Formats = []string{"xlsx", "html", "csv", "json", "md"}

// FormatFromPath infers a format from a file name's extension ("" when it
// says nothing; a path ending in a separator or without extension is a
// folder, which means csv).
func FormatFromPath(path string) string {
	if path == "" {
		return ""
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return "xlsx"
	case ".html", ".htm":
		return "html"
	case ".csv":
		return "csv"
	case ".json":
		return "json"
	case ".md", ".markdown":
		return "md"
	case "":
		return "csv"
	}
	return ""
}

// ForFormat returns the writer of a format. CSV options apply to "csv".
func ForFormat(format string, csvOpts CSV) (Writer, error) {
	switch format {
	case "xlsx":
		return XLSX{}, nil
	case "html":
		return HTML{}, nil
	case "csv":
		c := csvOpts
		return &c, nil
	case "json":
		return JSON{}, nil
	case "md":
		return Markdown{}, nil
	}
	return nil, fmt.Errorf("unknown report format %q: use one of %s", format, strings.Join(Formats, ", "))
}
