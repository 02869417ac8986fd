-- Version 7: what proves a report answers mail the newsletter sent, read
-- with it: the Message-IDs it names, an unsubscribe request's token, the
-- recipients' Original-Recipient. A report is settled once publish has
-- weighed its proof (report_note says what came of it). Reports stored
-- before are read again from their raw messages by the next ingest, their
-- proof with them.
ALTER TABLE report_recipients ADD COLUMN original TEXT NOT NULL DEFAULT '';
CREATE TABLE report_refs (
    question_id INTEGER NOT NULL REFERENCES questions (id),
    message_id  TEXT    NOT NULL            -- without angle brackets
);
CREATE INDEX report_refs_by_question ON report_refs (question_id);
ALTER TABLE questions ADD COLUMN report_token TEXT NOT NULL DEFAULT '';
ALTER TABLE questions ADD COLUMN report_settled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE questions ADD COLUMN report_note TEXT NOT NULL DEFAULT '';
UPDATE questions SET report_read = 0, report_settled = 0 WHERE kind IN ('bounce', 'complaint', 'unsubscribe');
CREATE INDEX questions_reports_unsettled ON questions (id) WHERE report_settled = 0;
-- What the receiving server's Authentication-Results (RFC 8601) proved of
-- the sender: "dmarc=pass (mx.example.org)"; '' when nothing did.
ALTER TABLE questions ADD COLUMN authenticated TEXT NOT NULL DEFAULT '';
