package reports

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

const seedPortal = "https://portal.example/recherche"

var seedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// seedDataset generates dataset i: four organizations in turn, a mix of
// licences, formats, frequencies and ages, one resource link in five broken.
func seedDataset(i int, evil bool) vigie.Dataset {
	orgs := []string{"ville-a", "ministere-b", "societe-c", "organisme-d"}
	org := orgs[i%len(orgs)]
	licences := []string{"cc-by", "CC-BY-4.0", "notspecified", "cc-by-nc", "odc-odbl"}
	formats := []string{"CSV", "PDF", "JSON", "XLS", "SHP"}
	freqs := []string{"annual", "monthly", "", "irregular", "weekly"}
	mod := seedNow.AddDate(0, 0, -(i*37)%900)
	created := mod.AddDate(-1, 0, 0)
	title := fmt.Sprintf("Jeu de données %d", i)
	if evil && i == 0 {
		title = evilTitle
	}
	if evil && i == 1 {
		title = evilFormula
	}
	d := vigie.Dataset{
		ID:                fmt.Sprintf("00000000-0000-0000-0000-%012d", i),
		Name:              fmt.Sprintf("jeu-%d", i),
		Title:             title,
		Notes:             "Description du jeu de données numéro " + fmt.Sprint(i),
		Organization:      org,
		OrganizationTitle: "Organisation " + org,
		LicenseID:         licences[i%len(licences)],
		CKANState:         "active",
		Type:              "dataset",
		Author:            "Auteur",
		AuthorEmail:       "auteur@example.org",
		MetadataCreated:   created,
		MetadataModified:  mod,
		Tags:              []string{"transport", "budget"},
		Extras:            map[string]string{"update_frequency": freqs[i%len(freqs)], "language": "FR"},
	}
	for j := 0; j < 1+i%3; j++ {
		lm := mod
		d.Resources = append(d.Resources, vigie.Resource{
			ID:           fmt.Sprintf("r-%d-%d", i, j),
			Position:     j,
			Name:         fmt.Sprintf("Ressource %d", j),
			Format:       formats[(i+j)%len(formats)],
			URL:          fmt.Sprintf("https://files.example/%d/%d.dat", i, j),
			ResourceType: "donnees",
			LastModified: &lm,
		})
	}
	return d
}

func seedLink(d vigie.Dataset, r vigie.Resource, i, j int) vigie.LinkResult {
	l := vigie.LinkResult{URL: r.URL, Class: vigie.LinkOK, Status: 200, ContentLength: -1, CheckedAt: seedNow.Add(-time.Hour)}
	switch (i + j) % 5 {
	case 0:
		first := seedNow.AddDate(0, 0, -10)
		l.Class, l.Status, l.Reason, l.Failures, l.FirstFailure = vigie.LinkBroken, 404, "404 Not Found", 3, &first
	case 3:
		l.Class, l.Status, l.Reason = vigie.LinkUnsure, 403, "403 Forbidden"
	}
	return l
}

// seedStore builds a store with n datasets, a complete harvest, a link run
// and `runs` complete score runs (each later run on a catalogue with every
// tenth dataset's licence opened). It returns the open database.
// It is a fresh SQLite file, or a fresh PostgreSQL database when the tests
// run there.
func seedStore(tb testing.TB, n, runs int, evil bool) *store.DB {
	tb.Helper()
	return seedInto(tb, storetest.NewDB(tb), n, runs, evil)
}

// seedStoreAt is seedStore into the SQLite file at path.
func seedStoreAt(tb testing.TB, path string, n, runs int, evil bool) *store.DB {
	tb.Helper()
	return seedInto(tb, storetest.Open(tb, path), n, runs, evil)
}

func seedInto(tb testing.TB, db *store.DB, n, runs int, evil bool) *store.DB {
	tb.Helper()
	ctx := context.Background()
	tick := 0
	db.Now = func() time.Time { // a clock that moves a minute per call, from seedNow
		tick++
		return seedNow.Add(time.Duration(tick) * time.Minute)
	}
	p, err := db.EnsurePortal(ctx, seedPortal)
	if err != nil {
		tb.Fatal(err)
	}
	prof := quality.MustProfile("donneesquebec")
	for run := 0; run < runs; run++ {
		hr, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
		if err != nil {
			tb.Fatal(err)
		}
		lr, err := db.BeginLinkRun(ctx, p.ID)
		if err != nil {
			tb.Fatal(err)
		}
		links := map[string]vigie.LinkResult{}
		const batch = 2000
		var ds []vigie.Dataset
		var lrs []vigie.LinkResult
		flush := func() {
			if _, err := db.SaveDatasets(ctx, p.ID, hr, ds); err != nil {
				tb.Fatal(err)
			}
			if err := db.SaveLinkResults(ctx, lr, lrs); err != nil {
				tb.Fatal(err)
			}
			ds, lrs = ds[:0], lrs[:0]
		}
		all := make([]vigie.Dataset, 0, n)
		for i := 0; i < n; i++ {
			d := seedDataset(i, evil)
			if run > 0 && i%10 == 2 {
				d.LicenseID = "cc-by"
			}
			for j, r := range d.Resources {
				l := seedLink(d, r, i, j)
				links[r.URL] = l
				lrs = append(lrs, l)
			}
			ds = append(ds, d)
			all = append(all, d)
			if len(ds) == batch {
				flush()
			}
		}
		if len(ds) > 0 {
			flush()
		}
		if err := db.FinishLinkRun(ctx, lr, store.RunComplete, store.LinkCounts{URLs: len(links)}, ""); err != nil {
			tb.Fatal(err)
		}
		if err := db.FinishHarvestRun(ctx, hr, store.HarvestResult{Status: store.RunComplete, ListingComplete: true, Expected: n, Fetched: n}); err != nil {
			tb.Fatal(err)
		}
		sr, err := db.BeginScoreRun(ctx, p.ID, "donneesquebec")
		if err != nil {
			tb.Fatal(err)
		}
		as := make([]vigie.Assessment, 0, batch)
		for i := range all {
			as = append(as, quality.Score(&all[i], links, prof, seedNow))
			if len(as) == batch || i == len(all)-1 {
				if err := db.SaveAssessments(ctx, sr, as); err != nil {
					tb.Fatal(err)
				}
				as = as[:0]
			}
		}
		if err := db.FinishScoreRun(ctx, sr, store.RunComplete, n, ""); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}
