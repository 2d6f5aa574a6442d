-- Finding texts are stored as separate message and hint pairs rather than
-- one row per message-and-hint combination: hints are a few dozen per
-- profile while messages vary (dates, names), so combining them copied each
-- hint into thousands of rows. Rows written under 0004 get their text back
-- first, then everything moves to the pair dictionary.
UPDATE findings SET message_fr = t.message_fr, message_en = t.message_en, hint_fr = t.hint_fr, hint_en = t.hint_en
    FROM finding_texts t WHERE t.id = findings.text_id;
ALTER TABLE findings DROP COLUMN text_id;
DROP TABLE finding_texts;

-- A finding's message and fix hint are stored once, each as a French and
-- English pair, in a dictionary that findings point at: hints are constant
-- per rule and many messages repeat, so each score run adds small rows
-- instead of four text columns per finding. New texts get an id derived
-- from a hash of the pair (so writing needs no lookup); existing rows are
-- moved into the dictionary here. The old text columns stay for rows that
-- carry their own text: readers take the dictionary's text when the row
-- points at one, else the row's.
CREATE TABLE finding_texts (
    id INTEGER PRIMARY KEY,
    fr TEXT NOT NULL DEFAULT '',
    en TEXT NOT NULL DEFAULT ''
);
ALTER TABLE findings ADD COLUMN message_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN hint_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX finding_texts_migration ON finding_texts(fr, en);
INSERT INTO finding_texts (fr, en)
    SELECT message_fr, message_en FROM findings WHERE message_fr <> '' OR message_en <> ''
    UNION SELECT hint_fr, hint_en FROM findings WHERE hint_fr <> '' OR hint_en <> '';
UPDATE findings SET
    message_id = COALESCE((SELECT t.id FROM finding_texts t WHERE t.fr = findings.message_fr AND t.en = findings.message_en), 0),
    hint_id = COALESCE((SELECT t.id FROM finding_texts t WHERE t.fr = findings.hint_fr AND t.en = findings.hint_en), 0);
UPDATE findings SET message_fr = '', message_en = '' WHERE message_id <> 0;
UPDATE findings SET hint_fr = '', hint_en = '' WHERE hint_id <> 0;
DROP INDEX finding_texts_migration;
