package harvester

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

func TestUserAgentAndTokenHeader(t *testing.T) {
	var ua, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua, auth = r.Header.Get("User-Agent"), r.Header.Get("Authorization")
		if r.URL.Query().Get("token") != "" || strings.Contains(r.URL.RawQuery, "tok") {
			t.Errorf("token in the query string: %s", r.URL.RawQuery)
		}
		w.Write([]byte(`{"success": true, "result": {"ckan_version": "2.11.3", "site_title": "T", "extensions": ["scheming_datasets", "dcat"]}}`))
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL, ClientOptions{Rate: -1, Token: "tok-1"})
	info, err := c.Probe(context.Background())
	if err != nil || info.CKANVersion != "2.11.3" || len(info.Extensions) != 2 {
		t.Fatalf("%+v %v", info, err)
	}
	if ua != vigie.UserAgent() || auth != "tok-1" {
		t.Fatalf("User-Agent %q, Authorization %q", ua, auth)
	}
}

func TestClientDefaults(t *testing.T) {
	c, err := NewClient("https://www.donneesquebec.ca/recherche/", ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.lim.Limit() != 2 || c.lim.Burst() != 1 || c.opts.Timeout != 60*time.Second || c.opts.MaxBody != 64<<20 || c.opts.Retries != 5 {
		t.Fatalf("defaults: limit %v burst %d %+v", c.lim.Limit(), c.lim.Burst(), c.opts)
	}
	if c.ActionURL("status_show") != "https://www.donneesquebec.ca/recherche/api/3/action/status_show" {
		t.Fatalf("action URL %s", c.ActionURL("status_show"))
	}
	for _, bad := range []string{"", "ftp://x.org", "www.donneesquebec.ca", "https://"} {
		if _, err := NewClient(bad, ClientOptions{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := retryAfter("7"); got != 7*time.Second {
		t.Errorf("Retry-After 7 = %v", got)
	}
	if got := retryAfter(time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)); got < 80*time.Second || got > 91*time.Second {
		t.Errorf("Retry-After date = %v", got)
	}
}

func TestSourceDefaults(t *testing.T) {
	s := NewSource(nil, SourceOptions{})
	if s.o.MaxOrganizations != DefaultMaxOrganizations || s.o.MaxDatasets != DefaultMaxDatasets || s.o.Rows != 1000 {
		t.Fatalf("defaults: %d organizations, %d datasets, %d rows", s.o.MaxOrganizations, s.o.MaxDatasets, s.o.Rows)
	}
}
