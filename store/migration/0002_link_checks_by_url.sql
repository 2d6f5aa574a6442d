-- A URL's link-check history in run order, so the state of a URL as of any
-- link run is one index probe (vigie diff, the audit's comparison).
CREATE INDEX IF NOT EXISTS link_checks_url ON link_checks(url, run_id);
