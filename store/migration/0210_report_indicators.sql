-- The indicators of a complete score run, kept per scope: a report's
-- history recomputed every past run's indicators (about 5 s of CPU each at
-- 100,000 datasets), though a complete run's scores, findings and link
-- classes never change. scope is ReportScope.indicatorsKey: the formula
-- version, the organizations (sorted, without duplicates) and
-- include_private, so that a row is never read for another scope nor by a
-- vigie whose formula changed. body is the ReportIndicators as JSON. The
-- rows go with their run (prune).
CREATE TABLE IF NOT EXISTS report_indicators (
    score_run_id INTEGER NOT NULL REFERENCES score_runs(id) ON DELETE CASCADE,
    scope        TEXT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (score_run_id, scope)
);
