-- Version 2: one row per post and subscriber, so that sending resumes
-- where it stopped and mails nobody twice.
CREATE TABLE deliveries (
    post_slug     TEXT    NOT NULL,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
    -- pending: to send; claimed: taken by a connection, not handed over yet;
    -- sending: handed to the server, its answer not yet recorded (after a
    -- crash: unconfirmed); sent: accepted; failed: refused
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'claimed', 'sending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         TEXT    NOT NULL DEFAULT '',
    message_id    TEXT    NOT NULL DEFAULT '',
    updated       TEXT    NOT NULL,
    PRIMARY KEY (post_slug, subscriber_id)
);
CREATE INDEX deliveries_by_status ON deliveries (post_slug, status, subscriber_id);
