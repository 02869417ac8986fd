-- Version 1 of the publish tables: the subscribers.
CREATE TABLE subscribers (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,                -- normalised: trimmed, domain in lower case
    email_key  TEXT NOT NULL UNIQUE,         -- the address in lower case: one subscriber per address
    name       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced', 'complained')),
    source     TEXT NOT NULL DEFAULT '',     -- cli, import:FILE, site
    attributes TEXT NOT NULL DEFAULT '{}',   -- JSON object: other columns of an import
    created    TEXT NOT NULL,                -- RFC 3339, UTC
    updated    TEXT NOT NULL                 -- RFC 3339, UTC
);
CREATE INDEX subscribers_by_status ON subscribers (status);
