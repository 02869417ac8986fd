-- Version 1 of the ingest tables: the question queue and, per mailbox, how
-- far ingest has got.
CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,            -- small, for the author to type
    message_key TEXT    NOT NULL UNIQUE,        -- Message-ID, or sha256:<hash of the raw message>
    status      TEXT    NOT NULL CHECK (status IN ('new', 'answered', 'rejected', 'ignored')),
    kind        TEXT    NOT NULL DEFAULT '',    -- why ignored: auto-reply, list, bounce, ...
    reason      TEXT    NOT NULL DEFAULT '',    -- the same, or the rejection, in words
    received    TEXT    NOT NULL,               -- RFC 3339, UTC
    subject     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',    -- the cleaned question
    from_name   TEXT    NOT NULL DEFAULT '',    -- private: for the author only
    from_addr   TEXT    NOT NULL DEFAULT '',    -- private: for the author only
    raw_path    TEXT    NOT NULL DEFAULT '',    -- under .mailbag/mail/
    mailbox     TEXT    NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    created     TEXT    NOT NULL                -- RFC 3339, UTC
);
CREATE INDEX questions_by_status ON questions (status, received);

CREATE TABLE checkpoints (
    mailbox     TEXT    PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL                -- every UID up to this one is stored
);
