package quality

import (
	"fmt"
	"sync"
	"testing"
)

// contentTypeFormat, answering from what it kept, says what the parse says:
// for headers seen once or many times, from several scorers at once, and
// past ctFormatsMax distinct headers (a hostile portal's), when it keeps
// no more.
func TestContentTypeFormatKeptSameAsParsed(t *testing.T) {
	headers := []string{"text/csv", "TEXT/CSV; charset=utf-8", " text/html ; charset=UTF-8", "text/html", "application/json",
		"application/vnd.ms-excel", "application/zip", "csv", "text/csv;", "text/csv; charset", "=HYPERLINK(\"x\")",
		"application/octet-stream", "text/xml; charset=\"utf-8\"", "application/pdf", "image/png", "text/plain; a=b; a=c",
		"\u00e9/csv", "application/geo+json", "text/html\x00", ""}
	for i := range ctFormatsMax + 50 {
		headers = append(headers, fmt.Sprintf("application/x-hostile-%d", i), fmt.Sprintf("text/csv; n=%d", i))
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for round := range 3 {
				for i := range headers {
					h := headers[(i+w*7+round)%len(headers)]
					if got, want := contentTypeFormat(h), parseContentTypeFormat(h); got != want {
						t.Errorf("%q: %q, parsed %q", h, got, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if n := len(ctFormats.m); n > ctFormatsMax {
		t.Errorf("%d headers kept, at most %d", n, ctFormatsMax)
	}
	if got := contentTypeFormat("text/csv; charset=utf-8"); got != "CSV" {
		t.Errorf("text/csv with a charset: %q, want CSV", got)
	}
}
