package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/store"
)

const linksPortal = "https://portal.example/recherche"

// linksDB stores datasets whose resources point at urls, as a harvest would.
func linksDB(t *testing.T, datasets map[string][]string) string {
	t.Helper()
	ctx := context.Background()
	path := storetest.NewDSN(t)
	db := storetest.Open(t, path)
	p, err := db.EnsurePortal(ctx, linksPortal)
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	if err != nil {
		t.Fatal(err)
	}
	var ds []vigie.Dataset
	for name, urls := range datasets {
		d := vigie.Dataset{ID: "id-" + name, Name: name, Title: name, Organization: "ville-de-quebec"}
		for i, u := range urls {
			d.Resources = append(d.Resources, vigie.Resource{ID: name + "-" + u, Position: i, URL: u, Format: "CSV"})
		}
		ds = append(ds, d)
	}
	if _, err := db.SaveDatasets(ctx, p.ID, run, ds); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, run, store.HarvestResult{Status: "complete"}); err != nil {
		t.Fatal(err)
	}
	return path
}

func vigieRun(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

type linkOut struct {
	URL       string          `json:"url"`
	Class     vigie.LinkClass `json:"class"`
	Status    *int            `json:"status"`
	Reason    string          `json:"reason"`
	Failures  int             `json:"failures"`
	CheckedAt time.Time       `json:"checked_at"`
	Datasets  []string        `json:"datasets"`
	Landing   bool            `json:"landing_page"`
	Redirects int             `json:"redirects"`
}

func TestLinksCommandEndToEnd(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ls := ckantest.NewLinkServer(ckantest.LinkOptions{})
	srv := ls.Serve()
	defer srv.Close()
	f := srv.URL + "/files/"
	path := linksDB(t, map[string][]string{
		"arbres": {f + "arbres.csv", f + "404/vieux.csv", f + "html/portail.csv", "ftp://transfert.example.qc.ca/a.csv"},
		"parcs":  {f + "arbres.csv", f + "redirect/3/parcs.csv", f + "nohead/parcs.csv", f + "empty/vide.csv", "pas une adresse"},
	})
	base := []string{"--db", path, "--portal", linksPortal, "links"}

	code, stdout, stderr := vigieRun(context.Background(), append(base, "--allow-private", "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []linkOut
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, stdout)
	}
	by := map[string]linkOut{}
	for _, l := range got {
		by[l.URL] = l
	}
	if len(got) != 8 || len(by) != 8 {
		t.Fatalf("%d elements for 8 distinct URLs: %s", len(got), stdout)
	}
	want := map[string]vigie.LinkClass{
		f + "arbres.csv": "ok", f + "404/vieux.csv": "failing", f + "html/portail.csv": "ok",
		"ftp://transfert.example.qc.ca/a.csv": "unsure", f + "redirect/3/parcs.csv": "ok", f + "nohead/parcs.csv": "ok",
		f + "empty/vide.csv": "failing", "pas une adresse": "invalid",
	}
	for u, class := range want {
		if by[u].Class != class {
			t.Errorf("%s: class %q (%s), want %q", u, by[u].Class, by[u].Reason, class)
		}
	}
	if l := by[f+"arbres.csv"]; strings.Join(l.Datasets, ",") != "arbres,parcs" || l.Status == nil || *l.Status != 200 || l.CheckedAt.IsZero() {
		t.Errorf("shared URL: %+v", l)
	}
	if l := by["ftp://transfert.example.qc.ca/a.csv"]; l.Status != nil {
		t.Errorf("no HTTP answer must give status null: %+v", l)
	}
	if l := by[f+"404/vieux.csv"]; l.Failures != 1 || *l.Status != 404 {
		t.Errorf("404: %+v", l)
	}
	if !by[f+"html/portail.csv"].Landing || by[f+"redirect/3/parcs.csv"].Redirects != 3 {
		t.Errorf("evidence: %+v %+v", by[f+"html/portail.csv"], by[f+"redirect/3/parcs.csv"])
	}
	if !strings.Contains(stderr, "checked 8 URLs on 1 host ") || !strings.Contains(stderr, "4 ok, 2 not working (0 broken, 2 failing), 1 unsure, 1 invalid, 0 blocked") {
		t.Errorf("summary on stderr: %s", stderr)
	}

	// Nothing is due a second time; --all checks again and counts failures.
	code, stdout, _ = vigieRun(context.Background(), append(base, "--allow-private")...)
	if code != 0 || !strings.HasPrefix(stdout, "nothing to check") {
		t.Errorf("second run: %d %q", code, stdout)
	}
	code, stdout, stderr = vigieRun(context.Background(), append(base, "--allow-private", "--all", "--failures", "2", "--broken-after", "0s")...)
	if code != 0 || !strings.Contains(stdout, "2 not working (2 broken, 0 failing)") {
		t.Errorf("--all with --failures 2: %d %q %s", code, stdout, stderr)
	}

	// --list reads without checking; --class filters.
	before := ls.Requests()
	code, stdout, stderr = vigieRun(context.Background(), append(base, "--list", "--format", "json", "--class", "broken")...)
	got = nil
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil || len(got) != 2 || got[0].Failures != 2 {
		t.Fatalf("--list: %d %v %s %s", code, err, stdout, stderr)
	}
	if ls.Requests() != before {
		t.Error("--list must not send requests")
	}
	if code, _, stderr := vigieRun(context.Background(), append(base, "--list", "--all")...); code != ExitUsage {
		t.Errorf("--list --all: exit %d %s", code, stderr)
	}

	// Without --allow-private the local server is refused.
	code, stdout, _ = vigieRun(context.Background(), append(base, "--all")...)
	if code != 0 || !strings.Contains(stdout, "6 blocked") {
		t.Errorf("blocked: %d %q", code, stdout)
	}
}

func TestLinksCommandInterrupted(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ls := ckantest.NewLinkServer(ckantest.LinkOptions{Latency: 100 * time.Millisecond})
	srv := ls.Serve()
	defer srv.Close()
	var urls []string
	for i := range 60 {
		urls = append(urls, srv.URL+"/files/f"+strings.Repeat("x", i)+".csv")
	}
	path := linksDB(t, map[string][]string{"beaucoup": urls})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // Ctrl-C once about ten URLs have been answered
		for ls.Requests() < 10 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	code, _, stderr := vigieRun(ctx, "--db", path, "--portal", linksPortal, "links", "--allow-private", "--per-host", "1")
	if code != ExitInterrupted {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	db := storetest.Open(t, path)
	p, _ := db.Portal(context.Background(), linksPortal)
	runs, err := db.LinkRuns(context.Background(), p.ID)
	if err != nil || len(runs) != 1 || runs[0].Status != "interrupted" || runs[0].URLs == 0 || runs[0].URLs >= 60 {
		t.Fatalf("runs: %+v %v", runs, err)
	}
	saved, err := db.LinkResults(context.Background())
	if err != nil || len(saved) != runs[0].URLs {
		t.Errorf("saved %d results, run says %d", len(saved), runs[0].URLs)
	}
	if !strings.Contains(stderr, "interrupted: checked") {
		t.Errorf("stderr: %s", stderr)
	}
}

// TestLinksAfterHarvest harvests a generated Données Québec-shaped catalogue
// from the emulator, checks its links against the emulator's file server and
// compares each URL's class with what its path asks the server to do.
func TestLinksAfterHarvest(t *testing.T) {
	ctx := context.Background()
	files := ckantest.NewLinkServer(ckantest.LinkOptions{Latency: 5 * time.Millisecond})
	fsrv := files.Serve()
	defer fsrv.Close()
	portal := ckantest.New(ckantest.Options{})
	portal.PutGenerated(300, 7, ckantest.GenOptions{LinkBase: fsrv.URL, Orgs: 12})
	psrv := portal.Serve()
	defer psrv.Close()

	path := storetest.NewDSN(t)
	db := storetest.Open(t, path)
	p, err := db.EnsurePortal(ctx, psrv.URL)
	if err != nil {
		t.Fatal(err)
	}
	client, err := harvester.NewClient(psrv.URL, harvester.ClientOptions{Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Harvest(ctx, harvester.NewSource(client, harvester.SourceOptions{}), db, p, pipeline.HarvestOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	due, err := db.URLsToCheck(ctx, vigie.Scope{Portal: p.URL}, true, 0)
	db.Close()
	if err != nil || len(due) < 300 {
		t.Fatalf("%d URLs to check after harvesting 300 datasets: %v", len(due), err)
	}

	code, stdout, stderr := vigieRun(ctx, "--db", path, "--portal", psrv.URL, "links", "--allow-private", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []linkOut
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(due) {
		t.Fatalf("%d results for %d distinct URLs", len(got), len(due))
	}
	counts := map[vigie.LinkClass]int{}
	for _, l := range got {
		counts[l.Class]++
		want := vigie.LinkOK
		switch u := strings.TrimSpace(l.URL); {
		case strings.HasPrefix(u, "ftp:"), strings.Contains(u, "/files/403/"):
			want = vigie.LinkUnsure
		case strings.Contains(u, "/files/404/"), strings.Contains(u, "/files/410/"),
			strings.Contains(u, "/files/500/"), strings.Contains(u, "/files/empty/"):
			want = vigie.LinkFailing
		}
		if l.Class != want {
			t.Errorf("%s: %s (%s), want %s", l.URL, l.Class, l.Reason, want)
		}
		if l.Landing {
			counts["landing"]++
			if !strings.Contains(l.URL, "/files/html/") {
				t.Errorf("%s: flagged as a landing page", l.URL)
			}
		}
		if len(l.Datasets) == 0 {
			t.Errorf("%s: no dataset names", l.URL)
		}
	}
	if counts[vigie.LinkOK] == 0 || counts[vigie.LinkFailing] == 0 || counts[vigie.LinkUnsure] == 0 || counts["landing"] == 0 {
		t.Errorf("class counts %v", counts)
	}
	// Each distinct URL costs at most three requests (plus redirects).
	if n := files.Requests(); n > 4*len(due) {
		t.Errorf("%d requests to the file server for %d URLs", n, len(due))
	}
	t.Logf("%d URLs: %v; %d requests; %s", len(due), counts, files.Requests(), strings.TrimSpace(stderr))
}

// --links-proxy env sends the checks through the proxy of HTTP_PROXY; by
// default the environment's proxy is not used for links.
func TestLinksThroughProxy(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	var mu sync.Mutex
	var asked []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.String())
		mu.Unlock()
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte("a,b\n"))
	}))
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	db := linksDB(t, map[string][]string{"velos": {"http://data.example/velos.csv"}})
	ctx := context.Background()
	// --allow-private: the name data.example does not resolve here, so the
	// address rule is left to the proxy.
	code, stdout, stderr := vigieRun(ctx, "--db", db, "--portal", linksPortal, "links", "--all", "--allow-private", "--links-proxy", "env")
	if code != 0 || !strings.Contains(stdout, "1 ok") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	mu.Lock()
	n := len(asked)
	mu.Unlock()
	if n == 0 || !strings.Contains(asked[0], "data.example/velos.csv") {
		t.Fatalf("the proxy saw %v", asked)
	}
	code, stdout, _ = vigieRun(ctx, "--db", db, "--portal", linksPortal, "links", "--all", "--allow-private", "--timeout", "2s")
	mu.Lock()
	defer mu.Unlock()
	if code != 0 || len(asked) != n || strings.Contains(stdout, "1 ok") {
		t.Fatalf("without --links-proxy the proxy was used: exit %d, %s, %v", code, stdout, asked)
	}
	if code, _, stderr := vigieRun(ctx, "--db", db, "--portal", linksPortal, "links", "--links-proxy", "system"); code != 2 || !strings.Contains(stderr, "--links-proxy must be none or env") {
		t.Errorf("bad --links-proxy: exit %d, %s", code, stderr)
	}
}
