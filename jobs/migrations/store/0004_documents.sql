-- Documents (organizer uploads). The record is JSON: only (tenant, id) is
-- ever queried, and the shape grows with the OCR step.
CREATE TABLE IF NOT EXISTS documents (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
