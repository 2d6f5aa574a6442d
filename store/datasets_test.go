package store_test

import (
	"context"
	"errors"
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

func collect(t *testing.T, db *store.DB, portal int64, f store.DatasetFilter) []vigie.Dataset {
	t.Helper()
	var out []vigie.Dataset
	if err := db.EachDataset(context.Background(), portal, f, func(d *vigie.Dataset) error {
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

	all := collect(t, db, p.ID, store.DatasetFilter{})
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
	org1 := collect(t, db, p.ID, store.DatasetFilter{Orgs: []string{"org-1"}})
	if len(org1) != 2 {
		t.Fatalf("org filter: %d", len(org1))
	}
	byName := collect(t, db, p.ID, store.DatasetFilter{IDs: []string{"alpha", "c"}})
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
