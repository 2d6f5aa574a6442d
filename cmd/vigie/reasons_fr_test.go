package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// englishReasons are words of the link checker's English reasons; none may
// show in French output.
var englishReasons = []string{"not found", "gone (", "server error", "connection refused", "does not resolve", "lookup failed",
	"no answer within", "TLS error", "redirect loop", "serves an HTML page", "data was declared", "host unreachable",
	"empty body", "request failed", "refuses the request", "http_status", "dns_not_found", "connection_refused"}

// TestFrenchOutputHasNoEnglishReason checks a catalogue with every kind of
// failure, served from local servers, then reads the French link list,
// explain and every report format for English reason text.
func TestFrenchOutputHasNoEnglishReason(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/404.csv", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/410.csv", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/500.csv", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	mux.HandleFunc("/502.csv", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	mux.HandleFunc("/slow.csv", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	})
	mux.HandleFunc("/loop-a.csv", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-b.csv", http.StatusFound) })
	mux.HandleFunc("/loop-b.csv", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop-a.csv", http.StatusFound) })
	mux.HandleFunc("/page.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><html><body>Portail</body></html>"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(mux) // a certificate nobody trusts
	defer tlsSrv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String() + "/x.csv"
	l.Close()

	u := srv.URL
	path := linksDB(t, map[string][]string{
		"arbres": {u + "/404.csv", u + "/410.csv", u + "/500.csv", u + "/502.csv", refused},
		"parcs":  {u + "/slow.csv", tlsSrv.URL + "/404.csv", u + "/loop-a.csv", u + "/page.csv", "http://introuvable.invalid/x.csv"},
	})
	ctx := context.Background()
	g := []string{"--db", path, "--portal", linksPortal}
	// Twice, a day apart, so that failing links become broken.
	for _, now := range []string{"2026-11-01T10:00:00Z", "2026-11-03T10:00:00Z"} {
		if code, _, errs := vigieRun(ctx, append(g, "links", "--allow-private", "--all", "--timeout", "300ms", "--now", now)...); code != 0 {
			t.Fatalf("links: %d %s", code, errs)
		}
	}
	if code, _, errs := vigieRun(ctx, append(g, "score")...); code != 0 {
		t.Fatalf("score: %d %s", code, errs)
	}
	var texts []string
	_, list, _ := vigieRun(ctx, append(g, "links", "--list", "--lang", "fr")...)
	texts = append(texts, "links --list: "+list)
	// The table's column titles are French too (they were CLASS, STATUS, FAILS…).
	if head, _, _ := strings.Cut(list, "\n"); strings.Join(strings.Fields(head), " ") != "état http échecs en échec depuis raison jeux url" {
		t.Errorf("links --list header in French: %q", head)
	}
	if _, en, _ := vigieRun(ctx, append(g, "links", "--list", "--lang", "en")...); !strings.HasPrefix(en, "class ") {
		t.Errorf("links --list header in English: %.80q", en)
	}
	_, listJSON, _ := vigieRun(ctx, append(g, "links", "--list", "--format", "json", "--lang", "fr")...)
	if !strings.Contains(listJSON, `"reason_code": "http_status"`) || !strings.Contains(listJSON, "introuvable") {
		t.Errorf("json keeps the code and the French text: %s", listJSON)
	}
	texts = append(texts, "links json (codes removed): "+strings.NewReplacer(`"reason_code": "`, `"reason_code": "@`).Replace(listJSON))
	for _, ds := range []string{"arbres", "parcs"} {
		_, out, errs := vigieRun(ctx, append(g, "explain", ds, "--lang", "fr")...)
		texts = append(texts, "explain "+ds+": "+out+errs)
	}
	dir := t.TempDir()
	for _, f := range []string{"html", "md", "json", "csv", "xlsx"} {
		out := filepath.Join(dir, "rapport."+f)
		if f == "csv" {
			out = filepath.Join(dir, "csv")
		}
		if code, _, errs := vigieRun(ctx, append(g, "report", "--lang", "fr", "--format", f, "--out", out)...); code != 0 {
			t.Fatalf("report %s: %d %s", f, code, errs)
		}
		switch f {
		case "xlsx":
			x, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, sh := range x.GetSheetList() {
				rows, _ := x.GetRows(sh)
				for _, r := range rows {
					b.WriteString(strings.Join(r, "\t") + "\n")
				}
			}
			x.Close()
			texts = append(texts, "xlsx: "+b.String())
		case "csv":
			files, _ := filepath.Glob(filepath.Join(out, "*.csv"))
			for _, fn := range files {
				b, _ := os.ReadFile(fn)
				texts = append(texts, "csv "+filepath.Base(fn)+": "+string(b))
			}
		case "json":
			b, _ := os.ReadFile(out)
			texts = append(texts, "json: "+strings.NewReplacer(`"reason_code":"`, `"reason_code":"@`, `"reason_code": "`, `"reason_code": "@`).Replace(string(b)))
		default:
			b, _ := os.ReadFile(out)
			texts = append(texts, f+": "+string(b))
		}
	}
	// Status codes show as their French labels outside JSON and CSV, which
	// keep codes for machines (HTML keeps them in data-v attributes and as
	// the keys of its label table, for its filters).
	attr := regexp.MustCompile(`(data-v|value|class|id)="[^"]*"|"[a-z_]+":`)
	for _, txt := range texts {
		name, _, _ := strings.Cut(txt, ":")
		if strings.Contains(name, "json") || strings.HasPrefix(name, "csv") {
			continue
		}
		for _, code := range []string{"not_applicable", "delinquent", "unsure", "failing"} {
			if m := regexp.MustCompile(`\b` + code + `\b`).FindStringIndex(attr.ReplaceAllString(txt, "")); m != nil {
				s := attr.ReplaceAllString(txt, "")
				t.Errorf("%s: status code %q in French output: …%s…", name, code, s[max(0, m[0]-80):min(len(s), m[1]+80)])
			}
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"introuvable", "connexion refusée", "boucle de redirections", "erreur TLS", "aucune réponse en"} {
		if !strings.Contains(all, want) {
			t.Errorf("French output lacks %q", want)
		}
	}
	for _, txt := range texts {
		name, _, _ := strings.Cut(txt, ":")
		// Codes stand only in reason_code, after the "@" mark added above.
		for _, en := range englishReasons {
			if i := strings.Index(txt, en); i >= 0 && !(i > 0 && txt[i-1] == '@') {
				lo, hi := max(0, i-80), min(len(txt), i+80)
				t.Errorf("%s: English reason %q in French output: …%s…", name, en, txt[lo:hi])
			}
		}
	}
}
