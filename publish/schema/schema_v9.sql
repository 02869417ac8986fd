-- Version 9: reports must prove themselves. A report acts only on the
-- subscriber a delivery went to whose Message-ID it names: an index to find
-- deliveries by it. Failures that are not a missing mailbox (a full or
-- disabled mailbox, a domain that does not exist, a relay that gave up)
-- are kept, one per send and subscriber, until enough of them over enough
-- days bounce the address (smtp.soft_bounce_limit, soft_bounce_days).
CREATE INDEX deliveries_by_message_id ON deliveries (message_id) WHERE message_id != '';
CREATE TABLE soft_failures (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
    post_slug     TEXT    NOT NULL,
    at            TEXT    NOT NULL,     -- RFC 3339, UTC
    reason        TEXT    NOT NULL,
    PRIMARY KEY (subscriber_id, post_slug)
) WITHOUT ROWID;
-- Why a subscriber left the list, when a report or failures decided it.
ALTER TABLE subscribers ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
-- What each proven report did, by send: `mailbag sends` counts them.
CREATE TABLE report_effects (
    question_id   INTEGER NOT NULL,     -- the report, in the question queue
    post_slug     TEXT    NOT NULL,     -- the send it answers
    subscriber_id INTEGER NOT NULL,
    effect        TEXT    NOT NULL CHECK (effect IN ('bounced', 'complained', 'unsubscribed', 'failed')),
    at            TEXT    NOT NULL,     -- RFC 3339, UTC: when the report came
    PRIMARY KEY (question_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX report_effects_by_post ON report_effects (post_slug);
