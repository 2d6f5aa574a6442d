package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// bigHistory fills a database with n datasets over two nights: two harvest,
// link and score runs, 5 findings and one URL per dataset, with 1% of
// everything changing between the nights.
func bigHistory(b *testing.B, n int) (*DB, int64) {
	b.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "big.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	p, err := db.EnsurePortal(ctx, "https://big.example.org")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		must := func(q string, args ...any) {
			if err == nil {
				_, err = tx.ExecContext(ctx, q, args...)
			}
		}
		for night := 1; night <= 2; night++ {
			t := ts(at.AddDate(0, 0, night))
			must(`INSERT INTO harvest_runs (id, portal_id, started_at, finished_at, mode, status) VALUES (?, ?, ?, ?, 'full', 'complete')`, night, p.ID, t, t)
			must(`INSERT INTO link_runs (id, portal_id, started_at, finished_at, status) VALUES (?, ?, ?, ?, 'complete')`, night, p.ID, t, t)
			must(`INSERT INTO score_runs (id, portal_id, harvest_run_id, link_run_id, profile, started_at, finished_at, status) VALUES (?, ?, ?, ?, 'p', ?, ?, 'complete')`, night, p.ID, night, night, t, t)
		}
		ds, _ := tx.PrepareContext(ctx, `INSERT INTO datasets (portal_id, id, name, organization) VALUES (?, ?, ?, ?)`)
		res, _ := tx.PrepareContext(ctx, `INSERT INTO resources (portal_id, dataset_id, id, position, url) VALUES (?, ?, ?, 0, ?)`)
		chk, _ := tx.PrepareContext(ctx, `INSERT INTO link_checks (run_id, url, checked_at, class) VALUES (?, ?, ?, ?)`)
		sc, _ := tx.PrepareContext(ctx, `INSERT INTO scores (score_run_id, dataset_id, overall, freshness_status) VALUES (?, ?, ?, ?)`)
		fi, _ := tx.PrepareContext(ctx, `INSERT INTO dataset_findings (score_run_id, dataset_id, findings) VALUES (?, ?, ?)`)
		ev, _ := tx.PrepareContext(ctx, `INSERT INTO dataset_events (run_id, portal_id, dataset_id, kind) VALUES (2, ?, ?, 'new')`)
		for i := 0; i < n && err == nil; i++ {
			id := fmt.Sprintf("ds-%07d", i)
			u := fmt.Sprintf("http://h%d.example.org/f%d.csv", i%50, i)
			changed := i%100 == 0
			_, err = ds.ExecContext(ctx, p.ID, id, id, fmt.Sprintf("org-%d", i%200))
			if err == nil {
				_, err = res.ExecContext(ctx, p.ID, id, id+"-r", u)
			}
			for night := 1; night <= 2 && err == nil; night++ {
				class, score, fresh := "ok", 70.0, "fresh"
				if changed && night == 2 {
					class, score, fresh = "broken", 50, "overdue"
				}
				if _, err = chk.ExecContext(ctx, night, u, ts(at), class); err != nil {
					break
				}
				if _, err = sc.ExecContext(ctx, night, id, score, fresh); err != nil {
					break
				}
				var fs []storedFinding
				for k := 0; k < 5; k++ {
					rule := fmt.Sprintf("R%d", k)
					if changed && night == 2 && k == 4 {
						rule = "R9"
					}
					fs = append(fs, storedFinding{Rule: rule, Dimension: "completeness", Severity: "warning"})
				}
				_, err = fi.ExecContext(ctx, night, id, string(appendFindingsJSON(nil, fs)))
			}
			if changed && err == nil {
				_, err = ev.ExecContext(ctx, p.ID, id)
			}
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, p.ID
}

func BenchmarkPrune100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, _ := bigHistory(b, 100_000)
		b.StartTimer()
		st, err := db.Prune(context.Background(), 1)
		if err != nil {
			b.Fatal(err)
		}
		if st.ScoreRuns != 1 || st.Findings != 500_000 {
			b.Fatalf("pruned %+v", st)
		}
	}
}

// longHistory is bigHistory with 88 more nightly link runs before its two,
// each of which rechecked all n URLs.
func longHistory(b *testing.B, n, nights int) (*DB, int64) {
	db, portal := bigHistory(b, n)
	ctx := context.Background()
	at := time.Date(2026, 8, 1, 2, 0, 0, 0, time.UTC)
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		// older runs get ids below the two of bigHistory by renumbering those first
		for _, q := range []string{
			`UPDATE link_checks SET run_id = run_id + 1000`, `UPDATE link_runs SET id = id + 1000`,
			`UPDATE score_runs SET link_run_id = link_run_id + 1000`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		chk, err := tx.PrepareContext(ctx, `INSERT INTO link_checks (run_id, url, checked_at, class) VALUES (?, ?, ?, 'ok')`)
		if err != nil {
			return err
		}
		for night := 1; night <= nights-2; night++ {
			t := ts(at.AddDate(0, 0, night))
			if _, err := tx.ExecContext(ctx, `INSERT INTO link_runs (id, portal_id, started_at, finished_at, status) VALUES (?, ?, ?, ?, 'complete')`, night, portal, t, t); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				if _, err := chk.ExecContext(ctx, night, fmt.Sprintf("http://h%d.example.org/f%d.csv", i%50, i), t); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, portal
}
