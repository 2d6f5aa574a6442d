package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/vigie-audit/vigie"
	"net/url"
	"strings"
	"time"
)

// Portal is a CKAN site known to the database.
type Portal struct {
	ID          int64
	URL         string
	Title       string
	CKANVersion string
	Extensions  []string
	Locale      string
	ProbedAt    time.Time
}

// NormalizePortalURL trims spaces and trailing slashes and a trailing
// /api/3/action, so that one portal has one key. A user:password@ is
// dropped: credentials are never stored.
func NormalizePortalURL(u string) string {
	u = strings.TrimSpace(u)
	if pu, err := url.Parse(u); err == nil && pu.User != nil {
		pu.User = nil
		u = pu.String()
	}
	u = strings.TrimRight(u, "/")
	for _, suffix := range []string{"/api/3/action", "/api/3", "/api"} {
		u = strings.TrimSuffix(u, suffix)
	}
	return strings.TrimRight(u, "/")
}

// CheckPortalURL refuses a portal address that is not an http(s) URL with
// a host; the error quotes it without any user:password.
func CheckPortalURL(portalURL string) error {
	u, err := url.Parse(strings.TrimSpace(portalURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := portalURL
		if err == nil && u.User != nil {
			shown = u.Redacted()
		} else if i := strings.LastIndex(portalURL, "@"); i >= 0 {
			shown = "…" + portalURL[i:]
		}
		return &vigie.Error{Kind: vigie.KindBadPortal, ID: "store.portal_url", Args: []any{shown}, Portal: shown}
	}
	return nil
}

// EnsurePortal returns the portal with this URL, creating it if needed. An
// address that is not an http(s) URL is refused and adds no row.
func (db *DB) EnsurePortal(ctx context.Context, portalURL string) (*Portal, error) {
	if err := CheckPortalURL(portalURL); err != nil {
		return nil, err
	}
	u := NormalizePortalURL(portalURL)
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO portals (url) VALUES (?) ON CONFLICT(url) DO NOTHING`, u)
		return err
	})
	if err != nil {
		return nil, db.explain(err)
	}
	return db.Portal(ctx, u)
}

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// Portal looks a portal up by URL. It returns an error wrapping ErrNotFound
// that tells the user to harvest first when the portal is unknown.
func (db *DB) Portal(ctx context.Context, portalURL string) (*Portal, error) {
	u := NormalizePortalURL(portalURL)
	var p Portal
	var ext string
	var probed sql.NullString
	err := db.rd().QueryRowContext(ctx, `SELECT id, url, title, ckan_version, extensions, locale, probed_at FROM portals WHERE url = ?`, u).
		Scan(&p.ID, &p.URL, &p.Title, &p.CKANVersion, &ext, &p.Locale, &probed)
	if errors.Is(err, sql.ErrNoRows) {
		var held []string
		if rows, qerr := db.sql.QueryContext(ctx, `SELECT url FROM portals p WHERE EXISTS (SELECT 1 FROM datasets d WHERE d.portal_id = p.id) ORDER BY id LIMIT 6`); qerr == nil {
			for rows.Next() {
				var h string
				if rows.Scan(&h) == nil {
					held = append(held, h)
				}
			}
			rows.Close()
		}
		e := notFound(vigie.KindNotHarvested, "store.not_harvested", u, db.path)
		if len(held) > 0 {
			shown := held
			if len(held) > 5 {
				shown = append(held[:5:5], "…")
			}
			e = notFound(vigie.KindNotHarvested, "store.not_harvested.held", u, db.path, strings.Join(shown, ", "))
		}
		e.Portal, e.Path, e.Near = u, db.path, held
		return nil, e
	}
	if err != nil {
		return nil, db.explain(err)
	}
	_ = json.Unmarshal([]byte(ext), &p.Extensions)
	p.ProbedAt = parseTS(probed)
	return &p, nil
}

// Portals lists every portal in the database.
func (db *DB) Portals(ctx context.Context) ([]Portal, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, url, title, ckan_version, extensions, locale, probed_at FROM portals ORDER BY id`)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []Portal
	for rows.Next() {
		var p Portal
		var ext string
		var probed sql.NullString
		if err := rows.Scan(&p.ID, &p.URL, &p.Title, &p.CKANVersion, &ext, &p.Locale, &probed); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(ext), &p.Extensions)
		p.ProbedAt = parseTS(probed)
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdatePortalInfo records what status_show said about the portal.
func (db *DB) UpdatePortalInfo(ctx context.Context, p *Portal) error {
	ext, _ := json.Marshal(p.Extensions)
	if p.Extensions == nil {
		ext = []byte("[]")
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE portals SET title = ?, ckan_version = ?, extensions = ?, locale = ?, probed_at = ? WHERE id = ?`,
			p.Title, p.CKANVersion, string(ext), p.Locale, tsZero(p.ProbedAt), p.ID)
		return err
	})
}

// scopePortal is the id of the scope's portal, or Portal's error when the
// database does not hold it.
func (db *DB) scopePortal(ctx context.Context, s vigie.Scope) (int64, error) {
	p, err := db.Portal(ctx, s.Portal)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}
