-- A URL not checked because its host was unreachable during the run (the
-- link checker's circuit breaker) is stored unsure with skipped = 1 and is
-- due again at the next run, however recent its check time.
-- head_status is the status the HEAD request alone got (0 when it got no
-- answer), for the MQA's strict HEAD-only reading of URL accessibility.
ALTER TABLE links ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE links ADD COLUMN head_status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE link_runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
