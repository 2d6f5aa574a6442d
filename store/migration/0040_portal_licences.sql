-- A portal's own licence register (CKAN license_list): what it declares
-- about each licence id it offers. Openness is judged from it first. A
-- portal that publishes no license_list has no rows.
CREATE TABLE portal_licences (
    portal_id       INTEGER NOT NULL,
    id              TEXT NOT NULL,
    title           TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    od_conformance  TEXT NOT NULL DEFAULT '',
    osd_conformance TEXT NOT NULL DEFAULT '',
    okd_compliant   INTEGER,            -- older CKAN; NULL when not sent
    osi_compliant   INTEGER,
    is_generic      INTEGER NOT NULL DEFAULT 0,
    harvested_at    TEXT NOT NULL,
    PRIMARY KEY (portal_id, id)
);

-- How a dataset's licence was judged: open, not_open, unknown (no register
-- knows it), missing; and what decided (portal, isopen, register).
ALTER TABLE scores ADD COLUMN licence_status TEXT NOT NULL DEFAULT '';
ALTER TABLE scores ADD COLUMN licence_by TEXT NOT NULL DEFAULT '';
