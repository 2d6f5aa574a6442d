-- A score run keeps each dataset's findings in one row, as a JSON array of
-- [rule, dimension, severity, resource_id, points, message_id, hint_id] in
-- the order found, the texts staying in finding_texts. One row per finding
-- (670,000 at 100,000 datasets, each in the table, its key and the rule
-- index) made saving a score run the slowest part of scoring.
CREATE TABLE IF NOT EXISTS dataset_findings (
    score_run_id INTEGER NOT NULL,
    dataset_id   TEXT NOT NULL,
    findings     TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (score_run_id, dataset_id)
);

-- Applying this file again (a database whose record of it was lost) finds
-- no findings table: an empty one stands in for it.
CREATE TABLE IF NOT EXISTS findings (
    score_run_id INTEGER NOT NULL,
    dataset_id   TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    rule         TEXT NOT NULL,
    dimension    TEXT NOT NULL,
    severity     TEXT NOT NULL,
    resource_id  TEXT NOT NULL DEFAULT '',
    points       REAL NOT NULL DEFAULT 0,
    message_fr   TEXT NOT NULL DEFAULT '',
    message_en   TEXT NOT NULL DEFAULT '',
    hint_fr      TEXT NOT NULL DEFAULT '',
    hint_en      TEXT NOT NULL DEFAULT '',
    message_id   INTEGER NOT NULL DEFAULT 0,
    hint_id      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (score_run_id, dataset_id, seq)
);

-- Rows that still carry their own text (none since 0005, but kept safe):
-- their texts join the dictionary first.
INSERT INTO finding_texts (fr, en)
    SELECT message_fr, message_en FROM findings WHERE message_id = 0 AND (message_fr <> '' OR message_en <> '')
    UNION SELECT hint_fr, hint_en FROM findings WHERE hint_id = 0 AND (hint_fr <> '' OR hint_en <> '')
    EXCEPT SELECT fr, en FROM finding_texts;
UPDATE findings SET message_id = COALESCE((SELECT MIN(t.id) FROM finding_texts t WHERE t.fr = findings.message_fr AND t.en = findings.message_en), 0)
    WHERE message_id = 0 AND (message_fr <> '' OR message_en <> '');
UPDATE findings SET hint_id = COALESCE((SELECT MIN(t.id) FROM finding_texts t WHERE t.fr = findings.hint_fr AND t.en = findings.hint_en), 0)
    WHERE hint_id = 0 AND (hint_fr <> '' OR hint_en <> '');

INSERT INTO dataset_findings (score_run_id, dataset_id, findings)
    SELECT score_run_id, dataset_id,
        json_group_array(json_array(rule, dimension, severity, resource_id, points, message_id, hint_id) ORDER BY seq)
    FROM findings GROUP BY score_run_id, dataset_id
    ON CONFLICT (score_run_id, dataset_id) DO NOTHING;

DROP INDEX IF EXISTS findings_rule;
DROP TABLE findings;
