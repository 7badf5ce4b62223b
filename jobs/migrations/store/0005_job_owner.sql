-- Job ownership (attendees see only their own jobs) and the request digest
-- behind a client idempotency key (a reused key with another body is
-- refused). Jobs from before this migration belong to no user: only
-- organizers and admins see them.
ALTER TABLE jobs ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN request_hash TEXT;
CREATE INDEX IF NOT EXISTS jobs_tenant_creator ON jobs (tenant_id, created_by, created_at);
