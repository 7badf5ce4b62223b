-- Fan-in (see `runtime::fanin`): a child names the parent that waits for
-- it; a waiting parent records how many children it queued.
ALTER TABLE jobs ADD COLUMN parent TEXT;
ALTER TABLE jobs ADD COLUMN children INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS jobs_parent ON jobs (tenant_id, parent, status) WHERE parent IS NOT NULL;
