-- Resources and dataset events keyed by their primary key, the row inside
-- the key (WITHOUT ROWID). Each was a rowid table plus a separate B-tree for
-- its key, so that a first harvest wrote every resource three times (table,
-- (portal_id, dataset_id, position) key, url index) and every event twice;
-- nothing reads either by rowid. Saving a resource now writes two B-trees
-- and an event one; reading a dataset's resources (scoring, reports,
-- explain) walks the key, where the rows now are, instead of going from the
-- key to the table row by row.
CREATE TABLE resources_by_key (
    portal_id     INTEGER NOT NULL,
    dataset_id    TEXT NOT NULL,
    id            TEXT NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    name          TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    format        TEXT NOT NULL DEFAULT '',
    mimetype      TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    resource_type TEXT NOT NULL DEFAULT '',
    url_type      TEXT NOT NULL DEFAULT '',
    size          INTEGER,
    created       TEXT,
    last_modified TEXT,
    extras        TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (portal_id, dataset_id, position)
) WITHOUT ROWID;
INSERT INTO resources_by_key (portal_id, dataset_id, id, position, name, description, format, mimetype, url,
        resource_type, url_type, size, created, last_modified, extras)
    SELECT portal_id, dataset_id, id, position, name, description, format, mimetype, url,
        resource_type, url_type, size, created, last_modified, extras
    FROM resources ORDER BY portal_id, dataset_id, position;
DROP TABLE resources;
ALTER TABLE resources_by_key RENAME TO resources;
CREATE INDEX resources_url ON resources(url, portal_id, dataset_id);

CREATE TABLE dataset_events_by_key (
    run_id     INTEGER NOT NULL,
    portal_id  INTEGER NOT NULL,
    dataset_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    PRIMARY KEY (run_id, dataset_id, kind)
) WITHOUT ROWID;
INSERT INTO dataset_events_by_key (run_id, portal_id, dataset_id, kind)
    SELECT run_id, portal_id, dataset_id, kind FROM dataset_events ORDER BY run_id, dataset_id, kind;
DROP TABLE dataset_events;
ALTER TABLE dataset_events_by_key RENAME TO dataset_events;
