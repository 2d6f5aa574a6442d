-- The PostgreSQL twin of migration/0200_link_checks_url_key.sql, which
-- keys SQLite's link-check history by (url, run_id) with the row inside the
-- key. PostgreSQL already reads a URL's check as of a link run through its
-- link_checks_url index (url, run_id); its rows live in the heap either
-- way, so nothing changes here.
SELECT 1;
