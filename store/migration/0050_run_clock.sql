-- The clock a run judged by: as_of is the "now" its freshness and dates were
-- computed against, clock says whether it was the system clock or one fixed
-- with --now / VIGIE_NOW (to reproduce a past audit). started_at and
-- finished_at stay the wall-clock times the run took place. Runs written
-- before this migration have no as_of: their started_at is it.
ALTER TABLE harvest_runs ADD COLUMN as_of TEXT;
ALTER TABLE harvest_runs ADD COLUMN clock TEXT NOT NULL DEFAULT 'system';
ALTER TABLE score_runs ADD COLUMN as_of TEXT;
ALTER TABLE score_runs ADD COLUMN clock TEXT NOT NULL DEFAULT 'system';
