package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// start runs ckanfake with args and returns its two base URLs and a stop function.
func start(t *testing.T, args ...string) (api, links string, stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, &stderr)
		pw.Close()
		done <- err
	}()
	r := bufio.NewReader(pr)
	line1, err := r.ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no first line: %v (stderr %s)", err, stderr.String())
	}
	line2, _ := r.ReadString('\n')
	go io.Copy(io.Discard, r)
	api, ok1 := strings.CutPrefix(strings.TrimSpace(line1), "CKAN API: ")
	links, ok2 := strings.CutPrefix(strings.TrimSpace(line2), "links: ")
	if !ok1 || !ok2 {
		cancel()
		t.Fatalf("output %q %q", line1, line2)
	}
	return api, links, func() string {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ckanfake did not stop")
		}
		return stderr.String()
	}
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Success bool            `json:"success"`
		Result  json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err == nil && v != nil {
		json.Unmarshal(env.Result, v)
	}
	return resp.StatusCode
}

func TestServesAGeneratedCatalogueAndItsLinks(t *testing.T) {
	api, links, stop := start(t, "--datasets", "120", "--seed", "3", "--rows-max", "50", "--base-path", "recherche", "--broken", "100%", "--store")
	if !strings.HasSuffix(api, "/recherche") {
		t.Errorf("base URL %s lacks the base path", api)
	}
	var st map[string]any
	if code := getJSON(t, api+"/api/3/action/status_show", &st); code != 200 || st["ckan_version"] != "2.11.3" {
		t.Fatalf("status_show: %d %v", code, st)
	}
	var sr struct {
		Count   int              `json:"count"`
		Results []map[string]any `json:"results"`
	}
	getJSON(t, api+"/api/3/action/package_search?rows=1000", &sr)
	if sr.Count != 120 || len(sr.Results) != 50 {
		t.Fatalf("count %d, %d rows (clamp 50)", sr.Count, len(sr.Results))
	}
	// Resource URLs point at the link server; --broken 100% breaks every plain one.
	var checked int
	for _, p := range sr.Results {
		for _, r := range p["resources"].([]any) {
			u := r.(map[string]any)["url"].(string)
			if !strings.HasPrefix(u, links+"/files/") || strings.Count(u, "/") != 5 {
				continue
			}
			resp, err := http.Head(u)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 404 && resp.StatusCode != 500 {
				t.Fatalf("HEAD %s: %d with --broken 100%%", u, resp.StatusCode)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no resource URL on the link server")
	}
	if log := stop(); !strings.Contains(log, "120 datasets ready") || !strings.Contains(log, "stopped after") {
		t.Errorf("stderr: %s", log)
	}
}

func TestDumpThenServeFromTheDump(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "catalogue.jsonl")
	if err := run(context.Background(), []string{"--datasets", "40", "--seed", "9", "--dump", dump}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	pkgs, err := ckantest.LoadFile(dump)
	if err != nil || len(pkgs) != 40 {
		t.Fatalf("dump holds %d packages: %v", len(pkgs), err)
	}
	api, _, stop := start(t, "--from", dump, "--from", "../../testdata/real/demo.ckan.org/package_search_rows3_2017-10.json", "--token", "t0k")
	defer stop()
	var names []string
	getJSON(t, api+"/api/3/action/package_list", &names)
	if len(names) != 43 {
		t.Fatalf("package_list: %d names, want 40 + 3", len(names))
	}
	var p map[string]any
	if code := getJSON(t, api+"/api/3/action/package_show?id="+pkgs[5]["name"].(string), &p); code != 200 || p["id"] != pkgs[5]["id"] {
		t.Fatalf("package_show: %d", code)
	}
}

func TestFlagErrors(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	if !strings.Contains(stderr.String(), "Examples:") || !strings.Contains(stderr.String(), "--datasets 100000 --seed 1") {
		t.Errorf("help lacks examples: %s", stderr.String())
	}
	for _, args := range [][]string{
		{"--broken", "150%"},
		{"--broken", "lots"},
		{"--datasets", "-1"},
		{"extra"},
		{"--from", filepath.Join(t.TempDir(), "missing.json")},
		{"--from", "../../testdata/real/open.alberta.ca/package_list_2025-03-25.json"},
	} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestFaultFlagIsChecked(t *testing.T) {
	for _, f := range []string{"bogus", "index-serves=x", "index-serves=0", "redirect=ftp://x"} {
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"--datasets", "1", "--fault", f}, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "--fault") {
			t.Errorf("--fault %s: %v", f, err)
		}
	}
}

// --licences serves a saved license_list; "none" answers 404 like portals
// that do not publish one; a file that is not one is refused.
func TestLicencesFlag(t *testing.T) {
	api, _, stop := start(t, "--datasets", "0", "--from", "../../testdata/observed/data.humdata.org/package_search_observed.json",
		"--licences", "../../testdata/observed/data.humdata.org/license_list_observed.json")
	var ls []map[string]any
	if code := getJSON(t, api+"/api/3/action/license_list", &ls); code != 200 || len(ls) != 9 || ls[3]["id"] != "hdx-odc-odbl" {
		t.Errorf("license_list: %d, %d licences", code, len(ls))
	}
	stop()
	api, _, stop = start(t, "--datasets", "1", "--licences", "none")
	if code := getJSON(t, api+"/api/3/action/license_list", nil); code != http.StatusNotFound {
		t.Errorf("--licences none: HTTP %d", code)
	}
	stop()
	if err := run(context.Background(), []string{"--licences", "../../testdata/real/data.gov.au/package_show_2021-04.json"}, io.Discard, io.Discard); err == nil {
		t.Error("a package_show file is not a licence list")
	}
}
