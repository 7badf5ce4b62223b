-- The embedded store. Times are integer microseconds since the epoch (UTC),
-- so they sort and range-scan as numbers.
CREATE TABLE IF NOT EXISTS jobs (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    progress        INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    error_code      TEXT,
    error_message   TEXT,
    result          TEXT,
    payload         TEXT NOT NULL,
    idempotency_key TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_tenant_idem ON jobs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_tenant_created ON jobs (tenant_id, created_at);
CREATE INDEX IF NOT EXISTS jobs_tenant_status ON jobs (tenant_id, status, created_at);
CREATE INDEX IF NOT EXISTS jobs_kind_status ON jobs (kind, status);
CREATE INDEX IF NOT EXISTS jobs_status_updated ON jobs (status, updated_at);

CREATE TABLE IF NOT EXISTS analytics_events (
    tenant_id     TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    conference_id TEXT NOT NULL,
    type          TEXT NOT NULL,
    ts            INTEGER NOT NULL,
    attrs         TEXT NOT NULL,
    job_id        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS analytics_events_range ON analytics_events (tenant_id, conference_id, ts);

CREATE TABLE IF NOT EXISTS analytics_rollups (
    tenant_id     TEXT NOT NULL,
    conference_id TEXT NOT NULL,
    granularity   TEXT NOT NULL,
    bucket_start  INTEGER NOT NULL,
    type          TEXT NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, conference_id, granularity, bucket_start, type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS blobs (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    filename     TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS blobs_tenant ON blobs (tenant_id, id);
CREATE INDEX IF NOT EXISTS blobs_sha ON blobs (sha256);
