-- A URL's link-check history keyed by (url, run_id), the row inside the key
-- (WITHOUT ROWID). The state of a URL as of a link run (the indicators, the
-- comparison with the night before, an audit's own summary) is a backward
-- probe of that key; with the rows in a separate rowid table, each probe
-- then read its row from wherever the run had appended it, one random page
-- for each of 340,000 URLs at 100,000 datasets, three times an audit. Saving
-- a result now writes one B-tree instead of three (table, (run_id, url) key,
-- (url, run_id) index). Deleting a pruned run's checks scans the table,
-- which prune's VACUUM does anyway.
CREATE TABLE link_checks_by_url (
    url        TEXT NOT NULL,
    run_id     INTEGER NOT NULL,
    checked_at TEXT NOT NULL,
    class      TEXT NOT NULL,
    status     INTEGER NOT NULL DEFAULT 0,
    elapsed_ms INTEGER NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (url, run_id)
) WITHOUT ROWID;
INSERT INTO link_checks_by_url (url, run_id, checked_at, class, status, elapsed_ms, reason)
    SELECT url, run_id, checked_at, class, status, elapsed_ms, reason FROM link_checks ORDER BY url, run_id;
DROP TABLE link_checks;
ALTER TABLE link_checks_by_url RENAME TO link_checks;
