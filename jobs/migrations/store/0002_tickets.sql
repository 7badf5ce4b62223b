-- Single-use login tickets of the embedded default (Redis holds them when
-- scaled out). Expired rows are ignored by reads and swept on insert.
CREATE TABLE IF NOT EXISTS tickets (
    ticket     TEXT PRIMARY KEY,
    claims     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tickets_expiry ON tickets (expires_at);
