-- The PostgreSQL twin of migration/0230_links_keyed.sql, which moves
-- SQLite's links into their URL key (WITHOUT ROWID) so that a probe by URL
-- reads one B-tree and a saved result writes one. PostgreSQL keeps rows in a
-- heap beside every index whatever the key, so nothing changes here.
SELECT 1;
