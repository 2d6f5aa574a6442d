package store

import (
	"context"
	"database/sql"

	"github.com/vigie-audit/vigie"
)

// SavePortalLicences replaces a portal's licence register (CKAN
// license_list) with ls. A nil ls leaves the stored register as it is: a
// harvest that could not read license_list does not forget what an earlier
// one read.
func (db *DB) SavePortalLicences(ctx context.Context, portalID int64, ls []vigie.Licence) error {
	if ls == nil {
		return nil
	}
	now := ts(db.Now())
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM portal_licences WHERE portal_id = ?`, portalID); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO portal_licences (portal_id, id, title, url, od_conformance,
			osd_conformance, okd_compliant, osi_compliant, is_generic, harvested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (portal_id, id) DO UPDATE SET title = excluded.title, url = excluded.url, od_conformance = excluded.od_conformance,
			osd_conformance = excluded.osd_conformance, okd_compliant = excluded.okd_compliant, osi_compliant = excluded.osi_compliant,
			is_generic = excluded.is_generic, harvested_at = excluded.harvested_at`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, l := range ls {
			if l.ID == "" {
				continue
			}
			if _, err := ins.ExecContext(ctx, portalID, l.ID, l.Title, l.URL, l.ODConformance, l.OSDConformance,
				nullBool(l.OKDCompliant), nullBool(l.OSICompliant), scoreBool(l.Generic), now); err != nil {
				return err
			}
		}
		return nil
	})
}

// PortalLicences returns a portal's licence register keyed by licence id;
// nil when the portal published none.
func (db *DB) PortalLicences(ctx context.Context, portalID int64) (map[string]vigie.Licence, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, title, url, od_conformance, osd_conformance, okd_compliant, osi_compliant, is_generic
		FROM portal_licences WHERE portal_id = ? ORDER BY id`, portalID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out map[string]vigie.Licence
	for rows.Next() {
		var l vigie.Licence
		var okd, osi sql.NullBool
		var gen int
		if err := rows.Scan(&l.ID, &l.Title, &l.URL, &l.ODConformance, &l.OSDConformance, &okd, &osi, &gen); err != nil {
			return nil, db.explain(err)
		}
		if okd.Valid {
			l.OKDCompliant = &okd.Bool
		}
		if osi.Valid {
			l.OSICompliant = &osi.Bool
		}
		l.Generic = gen != 0
		if out == nil {
			out = map[string]vigie.Licence{}
		}
		out[l.ID] = l
	}
	return out, rows.Err()
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return scoreBool(*b)
}
