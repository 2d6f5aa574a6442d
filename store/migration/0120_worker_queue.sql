-- The portals 'vigie worker' audits on a schedule, and who holds each one.
-- A worker claims a due portal by setting a lease (owner, lease_until_ms) in
-- one transaction, extends the lease while it audits (a heartbeat), and
-- releases it with the next due time when done. A worker killed mid-audit
-- stops extending its lease: once lease_until_ms has passed another worker
-- claims the portal. Times are Unix milliseconds (UTC), compared as numbers
-- by every engine.
CREATE TABLE IF NOT EXISTS worker_queue (
    url            TEXT PRIMARY KEY,               -- normalised portal URL, no credentials
    name           TEXT NOT NULL DEFAULT '',       -- folder name of its reports (OUT/NAME/)
    source         TEXT NOT NULL DEFAULT 'queue',  -- config (vigie.yaml) or queue (vigie worker --add)
    added_ms       BIGINT NOT NULL,
    next_due_ms    BIGINT NOT NULL,                -- audited once now >= next_due_ms
    lease_owner    TEXT NOT NULL DEFAULT '',       -- host:pid:random of the worker holding it, '' when free
    lease_until_ms BIGINT NOT NULL DEFAULT 0,      -- the lease ends then unless extended
    claim_id       BIGINT NOT NULL DEFAULT 0,      -- worker_claims.id of the current or last claim
    last_status    TEXT NOT NULL DEFAULT '',       -- complete, gate-failed, failed, interrupted, lost
    last_finished_ms BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS worker_queue_due ON worker_queue(next_due_ms);

-- One row per claim: which worker held which portal from when to when and
-- how it ended, so that two audits of one portal can be seen never to
-- overlap, and a worker's history read back.
CREATE TABLE IF NOT EXISTS worker_claims (
    id           INTEGER PRIMARY KEY,
    url          TEXT NOT NULL,
    owner        TEXT NOT NULL,
    claimed_ms   BIGINT NOT NULL,
    ended_ms     BIGINT NOT NULL DEFAULT 0,  -- 0 while running
    status       TEXT NOT NULL DEFAULT 'running', -- running, complete, gate-failed, failed, interrupted, released, lost, expired
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS worker_claims_url ON worker_claims(url, id);
