package store

import "context"

// OrgNames lists every organization name the portal's store knows: from the
// organization list and from its datasets, sorted.
func (db *DB) OrgNames(ctx context.Context, portalID int64) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT name FROM organizations WHERE portal_id = ?
		UNION SELECT organization FROM datasets WHERE portal_id = ? AND organization != '' ORDER BY 1`, portalID, portalID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, db.explain(err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
