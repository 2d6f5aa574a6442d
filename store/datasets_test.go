package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

func sampleDataset(id, name, org string) vigie.Dataset {
	size := int64(42)
	mod := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return vigie.Dataset{
		ID: id, Name: name, Title: "Titre " + name, Organization: org, LicenseID: "cc-by",
		MetadataModified: mod, Tags: []string{"eau"}, Groups: []string{},
		Extras: map[string]string{"update_frequency": "monthly", "language": "FR"},
		Resources: []vigie.Resource{
			{ID: id + "-r1", Name: "CSV", Format: "CSV", URL: "https://example.org/" + name + ".csv", Size: &size, LastModified: &mod,
				Extras: map[string]string{"relidi_condon_valinc": "oui"}},
			{ID: id + "-r2", Name: "Doc", Format: "PDF", URL: "https://example.org/" + name + ".pdf", ResourceType: "support"},
		},
		Raw: []byte(`{"id":"` + id + `"}`),
	}
}

func collect(t *testing.T, db *store.DB, portal string, f store.DatasetFilter) []vigie.Dataset {
	t.Helper()
	var out []vigie.Dataset
	f.Portal = portal
	if err := db.EachDataset(context.Background(), f, func(d *vigie.Dataset) error {
		out = append(out, *d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSaveDatasetsNewChangedUnchanged(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, err := db.EnsurePortal(ctx, "https://example.org")
	if err != nil {
		t.Fatal(err)
	}
	run1, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	if err != nil {
		t.Fatal(err)
	}
	page := []vigie.Dataset{sampleDataset("b", "beta", "org-1"), sampleDataset("a", "alpha", "org-2"), sampleDataset("c", "gamma", "org-1")}
	c, err := db.SaveDatasets(ctx, p.ID, run1, page)
	if err != nil {
		t.Fatal(err)
	}
	if c != (store.SaveCounts{New: 3}) {
		t.Fatalf("first save: %+v", c)
	}
	run2, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	page[0].Title = "Nouveau titre"
	page[2].Resources = page[2].Resources[:1]
	c, err = db.SaveDatasets(ctx, p.ID, run2, page)
	if err != nil {
		t.Fatal(err)
	}
	if c != (store.SaveCounts{Changed: 2, Unchanged: 1}) {
		t.Fatalf("second save: %+v", c)
	}
	vs, err := db.DatasetVersions(ctx, p.ID, "b")
	if err != nil || len(vs) != 2 || vs[1].RunID != run2 {
		t.Fatalf("versions of b: %+v %v", vs, err)
	}
	if vs, _ := db.DatasetVersions(ctx, p.ID, "a"); len(vs) != 1 {
		t.Fatalf("unchanged dataset got a new version: %+v", vs)
	}

	all := collect(t, db, p.URL, store.DatasetFilter{})
	if len(all) != 3 || all[0].Name != "alpha" || all[1].Name != "beta" || all[2].Name != "gamma" {
		t.Fatalf("not in name order: %+v", all)
	}
	b := all[1]
	if b.Title != "Nouveau titre" || len(b.Resources) != 2 || b.Resources[0].Size == nil || *b.Resources[0].Size != 42 ||
		b.Resources[0].Extras["relidi_condon_valinc"] != "oui" || b.Resources[1].ResourceType != "support" ||
		b.Extra("update_frequency") != "monthly" || len(b.Tags) != 1 || !b.MetadataModified.Equal(page[0].MetadataModified) {
		t.Fatalf("dataset b read back wrong: %+v", b)
	}
	if len(all[2].Resources) != 1 {
		t.Fatalf("resources of changed dataset not rewritten: %+v", all[2].Resources)
	}
	org1 := collect(t, db, p.URL, store.DatasetFilter{Scope: vigie.Scope{Orgs: []string{"org-1"}}})
	if len(org1) != 2 {
		t.Fatalf("org filter: %d", len(org1))
	}
	byName := collect(t, db, p.URL, store.DatasetFilter{IDs: []string{"alpha", "c"}})
	if len(byName) != 2 || byName[0].ID != "a" || byName[1].ID != "c" {
		t.Fatalf("ids filter: %+v", byName)
	}

	got, err := db.GetDataset(ctx, p.ID, "gamma")
	if err != nil || got.ID != "c" || string(got.Raw) != `{"id":"c"}` {
		t.Fatalf("GetDataset: %+v %v", got, err)
	}
	if _, err := db.GetDataset(ctx, p.ID, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetDataset unknown: %v", err)
	}
}

// A page is written saveRowsMax datasets per batch of multi-row statements:
// more than one batch, a dataset listed twice (changed the second time, in
// the same batch and across batches), unchanged, restored and changed
// datasets all read back as written one at a time.
func TestSaveDatasetsBatches(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, err := db.EnsurePortal(ctx, "https://example.org")
	if err != nil {
		t.Fatal(err)
	}
	page := func(n int) []vigie.Dataset {
		var ds []vigie.Dataset
		for i := range n {
			id := fmt.Sprintf("d%03d", i)
			d := sampleDataset(id, "n"+id, "org")
			for j := range i % 5 { // 2 to 6 resources
				d.Resources = append(d.Resources, vigie.Resource{ID: fmt.Sprintf("%s-x%d", id, j), URL: "https://example.org/" + id + "/x"})
			}
			ds = append(ds, d)
		}
		return ds
	}
	run1, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	ds := page(100)
	twiceNear, twiceFar := ds[5], ds[1]
	twiceNear.Title, twiceFar.Title = "changed in the same batch", "changed in a later batch"
	twiceNear.Resources = twiceNear.Resources[:1]
	ds = append(ds[:10], append([]vigie.Dataset{twiceNear}, ds[10:]...)...)
	ds = append(ds, twiceFar)
	c, err := db.SaveDatasets(ctx, p.ID, run1, ds)
	if err != nil {
		t.Fatal(err)
	}
	if c != (store.SaveCounts{New: 100, Changed: 2}) {
		t.Fatalf("first page: %+v", c)
	}
	got := collect(t, db, p.URL, store.DatasetFilter{})
	if len(got) != 100 {
		t.Fatalf("%d datasets read back", len(got))
	}
	for i, d := range got {
		want := 2 + i%5
		switch d.ID {
		case "d005":
			want = 1
			if d.Title != twiceNear.Title {
				t.Errorf("d005 title %q", d.Title)
			}
		case "d001":
			if d.Title != twiceFar.Title {
				t.Errorf("d001 title %q", d.Title)
			}
		}
		if len(d.Resources) != want {
			t.Errorf("%s: %d resources, want %d", d.ID, len(d.Resources), want)
		}
		for j, r := range d.Resources {
			if r.Position != j {
				t.Errorf("%s: resource %d at position %d", d.ID, j, r.Position)
			}
		}
		if vs, _ := db.DatasetVersions(ctx, p.ID, d.ID); len(vs) != 1+btoi(d.ID == "d005" || d.ID == "d001") {
			t.Errorf("%s: %d versions", d.ID, len(vs))
		}
	}
	events := map[string]int{}
	if err := db.DatasetEvents(ctx, p.ID, 0, run1, func(_, kind string) error { events[kind]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if events["new"] != 100 {
		t.Errorf("events %v", events)
	}
	if err := db.FinishHarvestRun(ctx, run1, store.HarvestResult{Mode: "full", Status: "complete", ListingComplete: true}); err != nil {
		t.Fatal(err)
	}

	// two passes without d050..d059: they are deleted, then restored, some changed
	for range 2 {
		run, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
		ds := page(100)
		if _, err := db.SaveDatasets(ctx, p.ID, run, append(ds[:50:50], ds[60:]...)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.MarkMissing(ctx, p.ID, run, store.HarvestOptions{Mode: "full"}); err != nil {
			t.Fatal(err)
		}
	}
	run3, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	ds = page(100)
	for i := 55; i < 65; i++ {
		ds[i].Notes = "edited"
	}
	c, err = db.SaveDatasets(ctx, p.ID, run3, ds)
	if err != nil {
		t.Fatal(err)
	}
	if c != (store.SaveCounts{Changed: 10, Unchanged: 90, Restored: 10}) {
		t.Fatalf("third pass: %+v", c)
	}
	restored := 0
	if err := db.DatasetEvents(ctx, p.ID, run3-1, run3, func(_, kind string) error {
		if kind == "restored" {
			restored++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if restored != 10 {
		t.Errorf("%d restored events", restored)
	}
	for _, id := range []string{"d000", "d050", "d059", "d064", "d099"} {
		st, err := db.DatasetStateOf(ctx, p.ID, id)
		if err != nil || st.State != vigie.StateActive || st.LastSeenRun != run3 || st.Misses != 0 {
			t.Errorf("%s: %+v %v", id, st, err)
		}
	}
	if got := collect(t, db, p.URL, store.DatasetFilter{IDs: []string{"d057"}}); len(got) != 1 || got[0].Notes != "edited" || len(got[0].Resources) != 4 {
		t.Errorf("d057 after the third pass: %+v", got)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSaveDatasetsBulkRowsReadBack writes a page of more datasets than one
// batch, with resources carrying NUL characters, quotes, backslashes and NULL
// sizes and times, then reads every resource and version back, on either
// engine. A cancelled page leaves nothing of itself.
func TestSaveDatasetsBulkRowsReadBack(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, _ := db.EnsurePortal(ctx, "https://portal.example")
	run, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	var page []vigie.Dataset
	for i := range 70 {
		id := fmt.Sprintf("d%03d", i)
		d := sampleDataset(id, "n"+id, "org")
		d.Resources[1].Name = "nul\x00" + id
		d.Resources[1].Description = "café ' \" \\"
		d.Resources = d.Resources[:1+i%2]
		d.Raw = []byte(`{"id":"` + id + `","nul":"\u0000"}`)
		page = append(page, d)
	}
	if _, err := db.SaveDatasets(ctx, p.ID, run, page); err != nil {
		t.Fatal(err)
	}
	for i, want := range page {
		got, err := db.GetDataset(ctx, p.ID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Raw) != string(want.Raw) || len(got.Resources) != len(want.Resources) {
			t.Fatalf("%s: raw %s, %d resources; want %s, %d", want.ID, got.Raw, len(got.Resources), want.Raw, len(want.Resources))
		}
		for j, r := range got.Resources {
			w := want.Resources[j]
			if r.ID != w.ID || r.Position != j || r.URL != w.URL || (r.Size == nil) != (w.Size == nil) ||
				(r.LastModified == nil) != (w.LastModified == nil) || r.Extras["relidi_condon_valinc"] != w.Extras["relidi_condon_valinc"] {
				t.Fatalf("%s resource %d: %+v, want %+v", want.ID, j, r, w)
			}
		}
		if i%2 == 1 {
			// NUL is kept on SQLite; PostgreSQL's text cannot hold it and
			// stores U+FFFD, as for every other column
			if r := got.Resources[1]; r.Name != "nul\x00"+want.ID && r.Name != "nul\uFFFD"+want.ID || r.Description != "café ' \" \\" {
				t.Errorf("%s: resource text %q %q", want.ID, r.Name, r.Description)
			}
		}
		vs, err := db.DatasetVersions(ctx, p.ID, want.ID)
		if err != nil || len(vs) != 1 || vs[0].RunID != run || vs[0].ContentHash == "" {
			t.Fatalf("%s versions: %+v %v", want.ID, vs, err)
		}
	}

	// A cancelled page is rolled back whole.
	cctx, cancel := context.WithCancel(ctx)
	next := []vigie.Dataset{sampleDataset("e1", "e1", "org"), sampleDataset("e2", "e2", "org")}
	cancel()
	if _, err := db.SaveDatasets(cctx, p.ID, run, next); err == nil {
		t.Fatal("a cancelled page was saved")
	}
	if _, err := db.GetDataset(ctx, p.ID, "e1"); err == nil {
		t.Error("a cancelled page left a dataset")
	}
}
