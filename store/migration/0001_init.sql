-- vigie schema, version 1. Every table is keyed by portal so one database can
-- hold several portals. Times are stored as RFC 3339 UTC text.

CREATE TABLE portals (
    id           INTEGER PRIMARY KEY,
    url          TEXT NOT NULL UNIQUE,     -- CKAN site root, normalised (no trailing slash)
    title        TEXT NOT NULL DEFAULT '',
    ckan_version TEXT NOT NULL DEFAULT '',
    extensions   TEXT NOT NULL DEFAULT '[]', -- JSON array
    locale       TEXT NOT NULL DEFAULT '',
    probed_at    TEXT
);

-- One row per harvest attempt. status: running, complete, failed, interrupted.
-- mode: full, incremental, import. listing_complete is 1 only when a full pass
-- saw every dataset the portal counted (the only passes that may mark deletions).
CREATE TABLE harvest_runs (
    id               INTEGER PRIMARY KEY,
    portal_id        INTEGER NOT NULL REFERENCES portals(id),
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    mode             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'running',
    listing_complete INTEGER NOT NULL DEFAULT 0,
    orgs_filter      TEXT NOT NULL DEFAULT '[]',
    include_private  INTEGER NOT NULL DEFAULT 0,
    expected         INTEGER NOT NULL DEFAULT 0, -- portal's count
    fetched          INTEGER NOT NULL DEFAULT 0,
    new              INTEGER NOT NULL DEFAULT 0,
    changed          INTEGER NOT NULL DEFAULT 0,
    unchanged        INTEGER NOT NULL DEFAULT 0,
    missing          INTEGER NOT NULL DEFAULT 0,
    deleted          INTEGER NOT NULL DEFAULT 0,
    organizations    INTEGER NOT NULL DEFAULT 0,
    requests         INTEGER NOT NULL DEFAULT 0,
    error            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX harvest_runs_portal ON harvest_runs(portal_id, id);

CREATE TABLE organizations (
    portal_id     INTEGER NOT NULL REFERENCES portals(id),
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    package_count INTEGER NOT NULL DEFAULT 0,
    updated_run   INTEGER,
    PRIMARY KEY (portal_id, id)
);
CREATE INDEX organizations_name ON organizations(portal_id, name);

-- The current state of each dataset ever seen. state is vigie's: active,
-- missing or deleted. The normalised columns are what scoring and reports read.
CREATE TABLE datasets (
    portal_id          INTEGER NOT NULL REFERENCES portals(id),
    id                 TEXT NOT NULL,
    name               TEXT NOT NULL,
    title              TEXT NOT NULL DEFAULT '',
    title_en           TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    organization       TEXT NOT NULL DEFAULT '',
    organization_title TEXT NOT NULL DEFAULT '',
    license_id         TEXT NOT NULL DEFAULT '',
    license_title      TEXT NOT NULL DEFAULT '',
    license_url        TEXT NOT NULL DEFAULT '',
    isopen             INTEGER,              -- NULL when the portal did not say
    private            INTEGER NOT NULL DEFAULT 0,
    ckan_state         TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT '',
    author             TEXT NOT NULL DEFAULT '',
    author_email       TEXT NOT NULL DEFAULT '',
    maintainer         TEXT NOT NULL DEFAULT '',
    maintainer_email   TEXT NOT NULL DEFAULT '',
    url                TEXT NOT NULL DEFAULT '',
    version            TEXT NOT NULL DEFAULT '',
    update_frequency   TEXT NOT NULL DEFAULT '', -- declared, as found (update_frequency, frequency, accrualPeriodicity…)
    metadata_created   TEXT,
    metadata_modified  TEXT,
    tags               TEXT NOT NULL DEFAULT '[]', -- JSON array
    groups_            TEXT NOT NULL DEFAULT '[]', -- JSON array
    extras             TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
    num_resources      INTEGER NOT NULL DEFAULT 0,
    content_hash       TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL DEFAULT 'active',
    misses             INTEGER NOT NULL DEFAULT 0, -- consecutive complete full passes without it
    first_seen_run     INTEGER,
    last_seen_run      INTEGER,
    state_changed_run  INTEGER,
    PRIMARY KEY (portal_id, id)
);
CREATE INDEX datasets_name ON datasets(portal_id, name);
CREATE INDEX datasets_org ON datasets(portal_id, organization);

CREATE TABLE resources (
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
);
CREATE INDEX resources_url ON resources(url);

-- History: a new version only when a dataset's content changes.
CREATE TABLE dataset_versions (
    id           INTEGER PRIMARY KEY,
    portal_id    INTEGER NOT NULL,
    dataset_id   TEXT NOT NULL,
    run_id       INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    metadata_modified TEXT,
    raw          BLOB NOT NULL
);
CREATE INDEX dataset_versions_ds ON dataset_versions(portal_id, dataset_id, id);

-- What happened to a dataset in a run: new, changed, missing, deleted, restored.
CREATE TABLE dataset_events (
    run_id     INTEGER NOT NULL,
    portal_id  INTEGER NOT NULL,
    dataset_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    PRIMARY KEY (run_id, dataset_id, kind)
);

-- Link checking. links holds the latest state per distinct URL; link_checks the history.
CREATE TABLE link_runs (
    id          INTEGER PRIMARY KEY,
    portal_id   INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running',
    urls        INTEGER NOT NULL DEFAULT 0,
    hosts       INTEGER NOT NULL DEFAULT 0,
    ok          INTEGER NOT NULL DEFAULT 0,
    broken      INTEGER NOT NULL DEFAULT 0,
    failing     INTEGER NOT NULL DEFAULT 0,
    unsure      INTEGER NOT NULL DEFAULT 0,
    invalid     INTEGER NOT NULL DEFAULT 0,
    blocked     INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE links (
    url            TEXT PRIMARY KEY,
    class          TEXT NOT NULL,
    status         INTEGER NOT NULL DEFAULT 0,
    final_url      TEXT NOT NULL DEFAULT '',
    redirects      INTEGER NOT NULL DEFAULT 0,
    content_type   TEXT NOT NULL DEFAULT '',
    content_length INTEGER NOT NULL DEFAULT -1,
    last_modified  TEXT,
    etag           TEXT NOT NULL DEFAULT '',
    elapsed_ms     INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL DEFAULT '',
    landing_page   INTEGER NOT NULL DEFAULT 0,
    failures       INTEGER NOT NULL DEFAULT 0,
    first_failure  TEXT,
    last_success   TEXT,
    checked_at     TEXT NOT NULL,
    run_id         INTEGER
);

CREATE TABLE link_checks (
    run_id     INTEGER NOT NULL,
    url        TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    class      TEXT NOT NULL,
    status     INTEGER NOT NULL DEFAULT 0,
    elapsed_ms INTEGER NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, url)
);

-- Scoring. One score run per `vigie score`, linked to the harvest it scored.
CREATE TABLE score_runs (
    id             INTEGER PRIMARY KEY,
    portal_id      INTEGER NOT NULL,
    harvest_run_id INTEGER,
    link_run_id    INTEGER,
    profile        TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    status         TEXT NOT NULL DEFAULT 'running',
    datasets       INTEGER NOT NULL DEFAULT 0,
    error          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE scores (
    score_run_id       INTEGER NOT NULL,
    dataset_id         TEXT NOT NULL,
    overall            REAL,
    completeness       REAL,
    freshness          REAL,
    openness           REAL,
    availability       REAL,
    mqa_points         INTEGER NOT NULL DEFAULT 0,
    mqa_rating         TEXT NOT NULL DEFAULT '',
    freshness_status   TEXT NOT NULL DEFAULT '',
    freshness_evidence TEXT NOT NULL DEFAULT '',
    frequency          TEXT NOT NULL DEFAULT '',
    stars              INTEGER NOT NULL DEFAULT 0,
    open_licence       INTEGER NOT NULL DEFAULT 0,
    open_format        INTEGER NOT NULL DEFAULT 0,
    machine_readable   INTEGER NOT NULL DEFAULT 0,
    errors             INTEGER NOT NULL DEFAULT 0,
    warnings           INTEGER NOT NULL DEFAULT 0,
    infos              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (score_run_id, dataset_id)
);

CREATE TABLE findings (
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
    PRIMARY KEY (score_run_id, dataset_id, seq)
);
CREATE INDEX findings_rule ON findings(score_run_id, rule);
