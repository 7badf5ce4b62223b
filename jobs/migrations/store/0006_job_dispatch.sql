-- The dispatch number of a job (see `Envelope`): only the newest queue
-- message of a job may start it.
ALTER TABLE jobs ADD COLUMN dispatch INTEGER NOT NULL DEFAULT 0;
