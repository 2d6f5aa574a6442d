-- The PostgreSQL twin of migration/0240_resources_events_keyed.sql, which
-- moves SQLite's resources and dataset events into their primary keys
-- (WITHOUT ROWID) so that each row is written to one B-tree fewer.
-- PostgreSQL keeps rows in a heap beside every index whatever the key, so
-- nothing changes here.
SELECT 1;
