package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// On SQLite the due-URL list is merged in Go (urlsToCheckMerged); it must
// give exactly what the one grouped statement gave (urlsToCheckGrouped,
// still PostgreSQL's): the same URLs in the same order, the same previous
// states and each URL's formats in the same order, on generated
// catalogues with URLs shared by resources of several datasets, portals
// and organizations, deleted datasets, blank and hostile URLs and formats,
// links rows old and new, skipped, with NULL times and equal check times.
func TestURLsToCheckMergedAsGrouped(t *testing.T) {
	skipIfPostgres(t) // PostgreSQL lists with the grouped statement itself
	for seed := range uint64(6) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ctx := context.Background()
			db, portal, now := lkDB(t)
			other, err := db.EnsurePortal(ctx, "https://open.canada.ca/data")
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(seed, 18))
			urls := []string{"", " ", "   ", "\t", " https://a.example/x.csv ", "https://a.example/é.csv",
				"https://a.example/\xff\xfe", "https://a.example/a'b\"c", "HTTPS://A.EXAMPLE/X.CSV", "https://a.example/x.csv",
				"https://a.example/x.csv?", "https://a.example/x.csv\x00", "=HYPERLINK(\"x\")", "https://b.example/" + strings.Repeat("z", 3000)}
			for i := range 60 {
				urls = append(urls, fmt.Sprintf("https://h%d.example/files/%04d/r.csv", i%5, r.IntN(10000)))
			}
			formats := []string{"", " ", "CSV", "csv", " CSV ", "JSON", "text/csv", "application/json", "HTML", "PDF", "ZIP",
				"\xff\xfe", "\xffCSV", "x\"y\\z", "tab\tsep", "line\nbreak", "\u2028", "é", ".csv", "a\x00b", "<b>"}
			orgs := []string{"a", "b", "c", "", "o'rg"}
			for _, p := range []int64{portal, other.ID} {
				for d := range 80 {
					id := fmt.Sprintf("%x-%d", r.Uint32(), d) // key order unlike insertion order
					state := "active"
					if r.IntN(6) == 0 {
						state = "deleted"
					}
					if _, err := db.sql.Exec(`INSERT INTO datasets (portal_id, id, name, organization, state) VALUES (?, ?, ?, ?, ?)`,
						p, id, "n"+id, orgs[r.IntN(len(orgs))], state); err != nil {
						t.Fatal(err)
					}
					for _, pos := range r.Perm(6)[:r.IntN(6)] {
						if _, err := db.sql.Exec(`INSERT INTO resources (portal_id, dataset_id, id, position, format, url) VALUES (?, ?, ?, ?, ?, ?)`,
							p, id, fmt.Sprint(id, pos), pos, formats[r.IntN(len(formats))], urls[r.IntN(len(urls))]); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			// Links rows for most URLs, with check times that repeat.
			times := []string{ts(now.Add(-72 * time.Hour)), ts(now.Add(-25 * time.Hour)), ts(now.Add(-2 * time.Hour)),
				ts(now.Add(-90 * time.Minute)), ts(now.Add(time.Hour)), "2026-11-25T03:00:00.5Z", "2026-11-25T03:00:00.123Z"}
			for _, u := range urls {
				if r.IntN(4) == 0 {
					continue
				}
				var first, last any
				if r.IntN(2) == 0 {
					first = times[r.IntN(len(times))]
				}
				if r.IntN(2) == 0 {
					last = times[r.IntN(len(times))]
				}
				if _, err := db.sql.Exec(`INSERT INTO links (url, class, checked_at, failures, first_failure, last_success, skipped)
					VALUES (?, 'ok', ?, ?, ?, ?, ?)`, u, times[r.IntN(len(times))], r.IntN(4), first, last, r.IntN(5) == 0); err != nil {
					t.Fatal(err)
				}
			}
			for _, s := range []vigie.Scope{lkPortal(), lkPortal("a", "b"), lkPortal("o'rg"), lkPortal("nobody"),
				{Portal: "https://open.canada.ca/data"}} {
				for _, all := range []bool{false, true} {
					for _, older := range []time.Duration{0, 24 * time.Hour, 1000 * time.Hour} {
						pid, err := db.scopePortal(ctx, s)
						if err != nil {
							t.Fatal(err)
						}
						want, err := db.urlsToCheckGrouped(ctx, pid, s, all, older)
						if err != nil {
							t.Fatal(err)
						}
						got, err := db.URLsToCheck(ctx, s, all, older)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("scope %v all %v older than %v:\n got %s\nwant %s", s, all, older, dumpTargets(got), dumpTargets(want))
						}
					}
				}
			}
		})
	}
}

func dumpTargets(ts []LinkTarget) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "\n  %q %q %+v", t.URL, t.Formats, t.Prev)
	}
	return b.String()
}

// A URL's formats keep their order: the resources' key order (dataset,
// position) on SQLite, sorted on PostgreSQL; the first one that promises
// data names the landing-page reason.
func TestURLsToCheckFormatOrder(t *testing.T) {
	ctx := context.Background()
	db, portal, _ := lkDB(t)
	const u = "https://a.example/shared"
	lkSeed(t, db, portal,
		lkResource{"b", "o", "active", u, "JSON"},
		lkResource{"a", "o", "active", "https://a.example/other", "ZIP"},
		lkResource{"a", "o", "active", u, "XML"},
		lkResource{"a", "o", "active", u, "CSV"},
		lkResource{"a", "o", "active", u, " XML "},
		lkResource{"c", "o", "deleted", u, "PDF"},
	)
	due, err := db.URLsToCheck(ctx, lkPortal(), true, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"XML", "CSV", "XML", "JSON"} // id-a positions 1, 2, 3, then id-b
	if db.Postgres() {
		want = []string{" XML ", "CSV", "JSON", "XML"}
		for i := range want {
			want[i] = strings.TrimSpace(want[i])
		}
	}
	i := slices.IndexFunc(due, func(t LinkTarget) bool { return t.URL == u })
	if len(due) != 2 || i < 0 || !reflect.DeepEqual(due[i].Formats, want) {
		t.Fatalf("due %s, want %s with formats %q", dumpTargets(due), u, want)
	}
}

func TestURLsToCheckCancelled(t *testing.T) {
	db, portal, _ := lkDB(t)
	lkSeed(t, db, portal, lkResource{"a", "o", "active", "https://a.example/a.csv", "CSV"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	due, err := db.URLsToCheck(ctx, lkPortal(), true, 0)
	if err == nil || len(due) != 0 || (!db.Postgres() && !errors.Is(err, context.Canceled)) {
		t.Fatalf("cancelled: %v, %v", due, err)
	}
}

// byText orders as the byte order of the texts, equal ones by index:
// texts that share long prefixes, end inside an 8-byte step, hold NUL
// bytes or repeat.
func TestByText(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "\x00", "\xff", "http://h.example/", "2026-12-06T17:0"}
	for n := range 300 {
		texts := make([]string, n)
		for i := range texts {
			var b strings.Builder
			for range r.IntN(12) {
				b.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			texts[i] = b.String()
		}
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortStableFunc(want, func(a, b int32) int { return strings.Compare(texts[a], texts[b]) })
		if got := byText(texts); !slices.Equal(got, want) {
			t.Fatalf("%q:\n got %v\nwant %v", texts, got, want)
		}
	}
}
