-- Version 8: work scheduled for later (publish --at, send --at), carried
-- out by `mailbag run` at its time, once: pending, then running (claimed),
-- then done, failed or cancelled.
CREATE TABLE scheduled (
    id       INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL CHECK (kind IN ('publish', 'send')),
    ref      TEXT    NOT NULL,             -- the draft (publish) or post (send), as given
    slug     TEXT    NOT NULL,             -- the post's slug, to know a publish done before a crash
    at       TEXT    NOT NULL,             -- RFC 3339, UTC
    status   TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    created  TEXT    NOT NULL,
    finished TEXT    NOT NULL DEFAULT '',
    error    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX scheduled_due ON scheduled (at) WHERE status IN ('pending', 'running');
