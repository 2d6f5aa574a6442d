package ckantest

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFileReadsEveryRealPackagePayload(t *testing.T) {
	files, err := filepath.Glob("../../testdata/real/*/*.json")
	if err != nil || len(files) < 20 {
		t.Fatalf("found %d files (%v)", len(files), err)
	}
	// How many packages each package payload holds; every other file must be
	// refused with ErrNoPackages.
	want := map[string]int{
		"catalog.data.gov/packages_hud_3_2015.json":                                    3,
		"data.birmingham.gov.uk/package_search_2021-09.json":                           10,
		"demo.ckan.org/package_search_rows3_2017-10.json":                              3,
		"donneesquebec.ca/NOT_API_esri2ckan_package_create_input_shawinigan_2019.json": 1,
		"data.boston.gov/package_show_crime-incident-reports_2020-06.json":             1,
		"data.gov.au/package_show_2021-04.json":                                        1,
		"data.gov.uk/package_show_create.json":                                         1,
		"data.gov.uk/package_show_empty.json":                                          1,
		"data.gov.uk/package_show_inspire.json":                                        1,
		"data.gov.uk/package_show_update.json":                                         1,
		"demo.ckan.org/package_show_17be64bb-da74-4195-9bb8-565c39846af2_2017-10.json": 1,
		"demo.ckan.org/package_show_62513382-3b26-4bc8-9096-40b6ce8383c0_2017-10.json": 1,
		"demo.ckan.org/package_show_9c3036b8-f6ac-4a4e-9036-5a3cc90c3900_2017-10.json": 1,
		"govdata.de/package_show_2020-09.json":                                         1,
		"open.canada.ca/package_show_fuel-consumption-ratings_2023-08.json":            1,
		"opendata.swiss/package_show_reisen-der-schweizer-wohnbevolkerung-2019.json":   1,
	}
	loaded := 0
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(f), "../../testdata/real/")
		pkgs, err := LoadFile(f)
		n, isPkg := want[rel]
		if !isPkg {
			if !errors.Is(err, ErrNoPackages) {
				t.Errorf("%s: want ErrNoPackages, got %d packages, err %v", rel, len(pkgs), err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if len(pkgs) != n {
			t.Errorf("%s: %d packages, want %d", rel, len(pkgs), n)
		}
		loaded++

		// Every real package serves through the emulator.
		p := New(Options{})
		p.Put(pkgs...)
		if p.Len() != n {
			t.Errorf("%s: portal holds %d, want %d", rel, p.Len(), n)
		}
		srv := p.Serve()
		for _, id := range p.IDs() {
			if r := get(t, srv.URL, "package_show", url.Values{"id": {id}}, nil); r.status != 200 {
				t.Errorf("%s: package_show %s: %d", rel, id, r.status)
			}
		}
		srv.Close()
	}
	if loaded != len(want) {
		t.Fatalf("loaded %d package payloads, want %d", loaded, len(want))
	}
}

func TestLoadJSONLinesDump(t *testing.T) {
	pkgs := Generate(25, 8, GenOptions{})
	var sb strings.Builder
	for _, p := range pkgs {
		b, _ := appendJSON(nil, p)
		sb.Write(b)
		sb.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "dump.jsonl")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LoadFile(path)
	if err != nil || len(got) != 25 {
		t.Fatalf("got %d packages, err %v", len(got), err)
	}
	for i := range got {
		a, _ := appendJSON(nil, got[i])
		b, _ := appendJSON(nil, pkgs[i])
		if string(a) != string(b) {
			t.Fatalf("package %d changed in the round trip:\n%s\n%s", i, a, b)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(sb.String()+`{"not": "a package"}`+"\n"), 0o644)
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), "value 26") {
		t.Fatalf("bad line: %v", err)
	}
	trunc := filepath.Join(t.TempDir(), "trunc.json")
	os.WriteFile(trunc, []byte(TruncatedJSON), 0o644)
	if _, err := LoadFile(trunc); err == nil {
		t.Fatal("truncated JSON loaded")
	}
}

func TestPutFillsAMissingID(t *testing.T) {
	pkgs, err := LoadFile("../../testdata/real/donneesquebec.ca/NOT_API_esri2ckan_package_create_input_shawinigan_2019.json")
	if err != nil {
		t.Fatal(err)
	}
	p := New(Options{})
	p.Put(pkgs...)
	ids := p.IDs()
	if len(ids) != 1 || ids[0] == "" || len(ids[0]) != 36 {
		t.Fatalf("ids %v", ids)
	}
	got, ok := p.Package("14ffc954a3e94ffaa2e20d0665f16a16_0")
	if !ok || got["id"] != ids[0] || fmt.Sprint(got["num_resources"]) != "6" {
		t.Fatalf("package by name: %v %v", ok, got["id"])
	}
}
