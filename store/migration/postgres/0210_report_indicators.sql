-- The PostgreSQL twin of migration/0210_report_indicators.sql: the
-- indicators of a complete score run, kept per scope, gone with their run.
CREATE TABLE IF NOT EXISTS report_indicators (
    score_run_id BIGINT NOT NULL REFERENCES score_runs(id) ON DELETE CASCADE,
    scope        TEXT COLLATE "C" NOT NULL,
    body         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (score_run_id, scope)
);
