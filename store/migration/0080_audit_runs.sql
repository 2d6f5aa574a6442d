-- One row per `vigie audit` of a portal: which runs it made, where its
-- reports went and what the quality gate said. Listings (vigie portals) show
-- the last one; vigie notify compares the last two.
CREATE TABLE audit_runs (
    id             INTEGER PRIMARY KEY,
    portal_id      INTEGER NOT NULL REFERENCES portals(id),
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    status         TEXT NOT NULL,             -- complete, failed, interrupted
    score_run_id   INTEGER,                   -- NULL when the audit stopped before scoring
    out_dir        TEXT NOT NULL DEFAULT '',
    gate           TEXT NOT NULL DEFAULT '',  -- passed, failed, none ('' when not reached)
    gate_reasons   TEXT NOT NULL DEFAULT '[]', -- JSON array
    error          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_runs_portal ON audit_runs(portal_id, id);
