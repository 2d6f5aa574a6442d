-- The latest state of each URL keyed by the URL, the row inside the key
-- (WITHOUT ROWID). links was a rowid table plus a separate B-tree for its
-- url key, so that every probe by URL (the due-URL list, the reports' link
-- columns, the score stage's read) descended the key, then the table, and
-- every saved result was written to both. Now a probe reads one B-tree and a
-- save writes one. Nothing reads links by rowid; prune names a row by its
-- URL.
CREATE TABLE links_by_url (
    url            TEXT PRIMARY KEY,
    class          TEXT NOT NULL,
    status         INTEGER NOT NULL DEFAULT 0,
    final_url      TEXT NOT NULL DEFAULT '',
    redirects      INTEGER NOT NULL DEFAULT 0,
    content_type   TEXT NOT NULL DEFAULT '',
    content_length INTEGER NOT NULL DEFAULT -1,
    last_modified  TEXT,
    etag           TEXT NOT NULL DEFAULT '',
    elapsed_ms     INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL DEFAULT '',
    landing_page   INTEGER NOT NULL DEFAULT 0,
    failures       INTEGER NOT NULL DEFAULT 0,
    first_failure  TEXT,
    last_success   TEXT,
    checked_at     TEXT NOT NULL,
    run_id         INTEGER,
    skipped        INTEGER NOT NULL DEFAULT 0,
    head_status    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO links_by_url (url, class, status, final_url, redirects, content_type, content_length, last_modified,
        etag, elapsed_ms, reason, landing_page, failures, first_failure, last_success, checked_at, run_id, skipped,
        head_status)
    SELECT url, class, status, final_url, redirects, content_type, content_length, last_modified,
        etag, elapsed_ms, reason, landing_page, failures, first_failure, last_success, checked_at, run_id, skipped,
        head_status
    FROM links ORDER BY url;
DROP TABLE links;
ALTER TABLE links_by_url RENAME TO links;
