-- Version 3: the recipients of delivery reports, complaints (ARF) and
-- unsubscribe requests, read once when ingest stores the message, so that
-- nothing else parses raw mail again.
CREATE TABLE report_recipients (
    question_id INTEGER NOT NULL REFERENCES questions (id),
    address     TEXT    NOT NULL,               -- lower case
    action      TEXT    NOT NULL DEFAULT '',    -- failed, delayed, delivered, relayed, expanded; complained; unsubscribe
    status      TEXT    NOT NULL DEFAULT ''     -- enhanced status code (RFC 3463): 5.1.1
);
CREATE INDEX report_recipients_by_address ON report_recipients (address);
-- Reports stored by older versions are read by the next ingest.
ALTER TABLE questions ADD COLUMN report_read INTEGER NOT NULL DEFAULT 0;
UPDATE questions SET report_read = 1 WHERE kind NOT IN ('bounce', 'complaint');
-- Each ingest pass looks for reports not read yet: an index of those alone.
CREATE INDEX questions_reports_unread ON questions (id) WHERE report_read = 0;
