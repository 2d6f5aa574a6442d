package store

import (
	"context"
	"testing"

	vigie "github.com/vigie-audit/vigie"
)

// TestMigrationCodesLinkReasons writes the English reasons an older checker
// stored, opens the database with today's code and reads codes back; text
// that is not recognised stays as it was.
func TestMigrationCodesLinkReasons(t *testing.T) {
	ctx := context.Background()
	path, raw, _ := schemaBefore(t, "0100")
	cases := map[string]string{
		"not found (HTTP 404)":      "http_status|404",
		"gone (HTTP 410)":           "http_status|410",
		"server error (HTTP 502)":   "http_status|502",
		"refuses access (HTTP 403)": "http_status|403",
		"blocks automated clients with a bot challenge (HTTP 403)":                                    "bot_challenge|403",
		"asks to slow down (HTTP 429)":                                                                "rate_limited|429",
		"asks to slow down (HTTP 429); Retry-After 1h0m0s is too long to wait":                        "rate_limited|429|1h0m0s",
		"temporarily unavailable (HTTP 503)":                                                          "temporarily_unavailable|503",
		"host name does not resolve (gone.example.org)":                                               "dns_not_found|gone.example.org",
		"host name lookup failed (slow.example.org)":                                                  "dns_failed|slow.example.org",
		"connection refused":                                                                          "connection_refused",
		"no answer within 30s":                                                                        "timeout|30s",
		"TLS error: tls: failed to verify certificate: x509: certificate signed by unknown authority": "tls_error|unknown_authority",
		"more than 8 redirects":                                                                       "too_many_redirects|8",
		"redirect loop":                                                                               "redirect_loop",
		"answers with an empty body":                                                                  "empty_body",
		"serves an HTML page where CSV data was declared":                                             "landing_page|CSV",
		"serves an HTML page where CSV data was declared; reached after 4 redirects: point the resource at the final address": "landing_page|CSV;many_redirects|4",
		"host unreachable during this run: not checked, tried again next run":                                                 "host_unreachable_this_run",
		"not a URL: bad port 99999":                        "invalid_url|bad_port|99999",
		"unsupported scheme ftp: not checked":              "unsupported_scheme|ftp",
		"the body could not be read: no answer within 30s": "body_unreadable|timeout|30s",
		"something a future vigie never said":              "something a future vigie never said",
	}
	i := 0
	for from := range cases {
		i++
		url := "https://example.org/" + string(rune('a'+i))
		if _, err := raw.Exec(`INSERT INTO links (url, class, reason, checked_at) VALUES (?, 'broken', ?, '2026-01-01T00:00:00Z')`, url, from); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO link_checks (run_id, url, checked_at, class, reason) VALUES (1, ?, '2026-01-01T00:00:00Z', 'broken', ?)`, url, from); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"links", "link_checks"} {
		rows, err := db.sql.Query(`SELECT reason FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for rows.Next() {
			var r string
			rows.Scan(&r)
			seen[r] = true
		}
		rows.Close()
		for from, want := range cases {
			if !seen[want] {
				t.Errorf("%s: %q was not converted to %q (have %v)", table, from, want, seen)
			}
			if _, ok := vigie.ParseLinkReasons(want); !ok && want != "something a future vigie never said" {
				t.Errorf("%q is not a code vigie reads", want)
			}
		}
	}
}
