-- A score run keeps each dataset's findings in one row, as a JSON array of
-- [rule, dimension, severity, resource_id, points, message_id, hint_id] in
-- the order found, the texts staying in finding_texts. One row per finding
-- (670,000 at 100,000 datasets, each in the table, its key and the rule
-- index) made saving a score run the slowest part of scoring. The SQLite
-- twin of this file has the same number.
CREATE TABLE IF NOT EXISTS dataset_findings (
    score_run_id BIGINT NOT NULL,
    dataset_id   TEXT COLLATE "C" NOT NULL,
    findings     TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    PRIMARY KEY (score_run_id, dataset_id)
);

-- Applying this file again (a database whose record of it was lost) finds
-- no findings table: an empty one stands in for it. Every PostgreSQL store
-- was written with the text dictionary, so no row carries its own text.
CREATE TABLE IF NOT EXISTS findings (
    score_run_id BIGINT NOT NULL,
    dataset_id   TEXT COLLATE "C" NOT NULL,
    seq          BIGINT NOT NULL,
    rule         TEXT COLLATE "C" NOT NULL,
    dimension    TEXT COLLATE "C" NOT NULL,
    severity     TEXT COLLATE "C" NOT NULL,
    resource_id  TEXT COLLATE "C" NOT NULL DEFAULT '',
    points       DOUBLE PRECISION NOT NULL DEFAULT 0,
    message_id   BIGINT NOT NULL DEFAULT 0,
    hint_id      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (score_run_id, dataset_id, seq)
);

INSERT INTO dataset_findings (score_run_id, dataset_id, findings)
    SELECT score_run_id, dataset_id,
        CAST(json_agg(json_build_array(rule, dimension, severity, resource_id, points, message_id, hint_id) ORDER BY seq) AS TEXT)
    FROM findings GROUP BY score_run_id, dataset_id
    ON CONFLICT (score_run_id, dataset_id) DO NOTHING;

DROP INDEX IF EXISTS findings_rule;
DROP TABLE findings;
