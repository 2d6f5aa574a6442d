package main

import (
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// TestAuditRechecksLinksAfter20Hours: a nightly audit started at the same
// time each night must recheck the links the previous night checked, so its
// default --older-than is 20 h, as --help says, and not the 24 h of `vigie
// links`. The test ages every stored check by 21 h between two audits run
// without --older-than and counts the link server's requests.
func TestAuditRechecksLinksAfter20Hours(t *testing.T) {
	ctx := context.Background()
	var hits atomic.Int64
	ls := ckantest.NewLinkServer(ckantest.LinkOptions{}).Handler()
	linkSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		ls.ServeHTTP(w, r)
	}))
	t.Cleanup(linkSrv.Close)
	p := ckantest.New(ckantest.Options{})
	p.Put(ckantest.Generate(10, 5, ckantest.GenOptions{LinkBase: linkSrv.URL, Orgs: 2, Now: time.Now().UTC().Add(-48 * time.Hour)})...)
	srv := p.Serve()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	db, out := storetest.NewDSN(t), filepath.Join(dir, "audits")
	args := []string{"--db", db, "--portal", srv.URL, "--quiet", "audit", "--out", out, "--allow-private", "--rate", "0"}

	_, helpOut, _ := cli(ctx, "--lang", "en", "audit", "--help")
	if !strings.Contains(helpOut, `--older-than duration`) || !strings.Contains(helpOut, "(default 20h0m0s)") {
		t.Fatalf("audit --help does not give 20h as the --older-than default:\n%s", helpOut)
	}

	if code, _, errs := cli(ctx, args...); code != 0 {
		t.Fatalf("first audit: exit %d: %s", code, errs)
	}
	first := hits.Load()
	if first == 0 {
		t.Fatal("the first audit checked no link")
	}

	sqldb := openRaw(t, db, false)
	aged := time.Now().UTC().Add(-21 * time.Hour).Format(time.RFC3339Nano)
	if _, err := sqldb.Exec(`UPDATE links SET checked_at = '` + aged + `'`); err != nil {
		t.Fatal(err)
	}
	sqldb.Close()

	hits.Store(0)
	if code, _, errs := cli(ctx, args...); code != 0 {
		t.Fatalf("second audit: exit %d: %s", code, errs)
	}
	if got := hits.Load(); got == 0 {
		t.Fatalf("links checked 21 h before were not checked again by the next night's audit (default --older-than is not 20h)")
	}
}
