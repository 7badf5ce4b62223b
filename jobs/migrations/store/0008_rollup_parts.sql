-- Minute rollups as per-job parts (see `pipelines::analytics`): a job counts
-- the raw events it stored and raises its own part; a minute's total is the
-- sum of its parts. Minutes counted before parts existed keep their count as
-- one `legacy` part, so a batch that lands in such a minute adds to it.
CREATE TABLE IF NOT EXISTS analytics_parts (
    tenant_id     TEXT NOT NULL,
    conference_id TEXT NOT NULL,
    bucket_start  INTEGER NOT NULL,
    job_id        TEXT NOT NULL,
    type          TEXT NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, conference_id, bucket_start, job_id, type)
) WITHOUT ROWID;
INSERT OR IGNORE INTO analytics_parts (tenant_id, conference_id, bucket_start, job_id, type, count)
    SELECT tenant_id, conference_id, bucket_start, 'legacy', type, count
    FROM analytics_rollups WHERE granularity = 'minute';
-- A job's own events (`job_events`).
CREATE INDEX IF NOT EXISTS analytics_events_job ON analytics_events (tenant_id, job_id);
