-- Send-status records: one per (job, channel, recipient), written around
-- every send so a re-delivered job never sends twice.
CREATE TABLE IF NOT EXISTS notifications (
    tenant_id  TEXT NOT NULL,
    job_id     TEXT NOT NULL,
    channel    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    status     TEXT NOT NULL,
    detail     TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, job_id, channel, recipient)
) WITHOUT ROWID;

-- Webhook endpoints per tenant.
CREATE TABLE IF NOT EXISTS webhooks (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    events     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_tenant ON webhooks (tenant_id, created_at);
