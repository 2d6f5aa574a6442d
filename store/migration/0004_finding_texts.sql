-- A finding's message and fix hint (French and English) are stored once in a
-- dictionary and findings point at it: the same few hundred texts repeat over
-- millions of findings, so each score run adds small rows instead of four
-- text columns each. The old text columns stay for rows that carry their own
-- text (readers take the dictionary's text when text_id points at one, else
-- the row's); existing rows are moved into the dictionary here.
CREATE TABLE finding_texts (
    id         INTEGER PRIMARY KEY,
    message_fr TEXT NOT NULL DEFAULT '',
    message_en TEXT NOT NULL DEFAULT '',
    hint_fr    TEXT NOT NULL DEFAULT '',
    hint_en    TEXT NOT NULL DEFAULT '',
    UNIQUE (message_fr, message_en, hint_fr, hint_en)
);
ALTER TABLE findings ADD COLUMN text_id INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO finding_texts (message_fr, message_en, hint_fr, hint_en)
    SELECT DISTINCT message_fr, message_en, hint_fr, hint_en FROM findings;
UPDATE findings SET text_id = (SELECT t.id FROM finding_texts t
        WHERE t.message_fr = findings.message_fr AND t.message_en = findings.message_en
          AND t.hint_fr = findings.hint_fr AND t.hint_en = findings.hint_en),
    message_fr = '', message_en = '', hint_fr = '', hint_en = '';
