-- Which vigie made each run, and with which rules: a score that moves
-- because the profile or vigie changed is told apart from one that moves
-- because the data changed. '' for runs made before this migration.
ALTER TABLE harvest_runs ADD COLUMN vigie_version TEXT NOT NULL DEFAULT '';
ALTER TABLE link_runs ADD COLUMN vigie_version TEXT NOT NULL DEFAULT '';
ALTER TABLE score_runs ADD COLUMN vigie_version TEXT NOT NULL DEFAULT '';
-- sha256 of the profile as loaded (a file's `extends` resolved), hex.
ALTER TABLE score_runs ADD COLUMN profile_hash TEXT NOT NULL DEFAULT '';
