-- Version 9: mail that is not a question (auto-replies, list mail,
-- bounces, complaints, unsubscribe requests, the newsletter's own, what
-- cannot be read, and follow-ups, which join their question) is kept apart
-- from the questions, numbered apart: questions take question numbers,
-- nothing else does. Rows move with their numbers; a new question may take
-- a number a moved row had.
CREATE TABLE other_mail (
    id             INTEGER PRIMARY KEY,         -- shown as m<id>
    message_key    TEXT    NOT NULL UNIQUE,     -- Message-ID, or sha256:<hash of the raw message>
    kind           TEXT    NOT NULL,            -- auto-reply, list, bounce, complaint, unsubscribe, own, too-large, no-text, unreadable, follow-up
    reason         TEXT    NOT NULL DEFAULT '', -- the same, in words
    received       TEXT    NOT NULL,            -- RFC 3339, UTC
    subject        TEXT    NOT NULL DEFAULT '',
    body           TEXT    NOT NULL DEFAULT '',
    from_name      TEXT    NOT NULL DEFAULT '', -- private: for the author only
    from_addr      TEXT    NOT NULL DEFAULT '', -- private: for the author only
    raw_path       TEXT    NOT NULL DEFAULT '', -- under .mailbag/mail/
    raw_offset     INTEGER NOT NULL DEFAULT -1,
    raw_size       INTEGER NOT NULL DEFAULT 0,
    mailbox        TEXT    NOT NULL,
    uidvalidity    INTEGER NOT NULL,
    uid            INTEGER NOT NULL,
    created        TEXT    NOT NULL,            -- RFC 3339, UTC
    no_auto_reply  TEXT    NOT NULL DEFAULT '',
    thread         INTEGER NOT NULL DEFAULT 0,  -- the question a follow-up follows up; 0 for none
    authenticated  TEXT    NOT NULL DEFAULT '',
    attachments    TEXT    NOT NULL DEFAULT '',
    report_read    INTEGER NOT NULL DEFAULT 1,  -- 0: stored by an older version, read again by the next ingest
    report_token   TEXT    NOT NULL DEFAULT '', -- an unsubscribe request's token
    report_settled INTEGER NOT NULL DEFAULT 1,  -- 0: publish has not yet weighed its proof for good
    report_note    TEXT    NOT NULL DEFAULT ''  -- what came of the report, in words
);
CREATE INDEX other_mail_by_received ON other_mail (received);
CREATE INDEX other_mail_by_thread ON other_mail (thread) WHERE thread != 0;
CREATE INDEX other_mail_reports_unread ON other_mail (id) WHERE report_read = 0;
CREATE INDEX other_mail_reports_unsettled ON other_mail (id) WHERE report_settled = 0;
INSERT INTO other_mail (id, message_key, kind, reason, received, subject, body, from_name, from_addr,
        raw_path, raw_offset, raw_size, mailbox, uidvalidity, uid, created, no_auto_reply, thread,
        authenticated, attachments, report_read, report_token, report_settled, report_note)
    SELECT id, message_key, kind, reason, received, subject, body, from_name, from_addr,
        raw_path, raw_offset, raw_size, mailbox, uidvalidity, uid, created, no_auto_reply, thread,
        authenticated, attachments, report_read, report_token, report_settled, report_note
    FROM questions WHERE status = 'ignored';

-- A report's recipients and the Message-IDs it names belong to its row in
-- other_mail.
ALTER TABLE report_recipients RENAME TO report_recipients_v8;
CREATE TABLE report_recipients (
    mail_id     INTEGER NOT NULL REFERENCES other_mail (id),
    address     TEXT    NOT NULL,               -- lower case
    original    TEXT    NOT NULL DEFAULT '',    -- Original-Recipient, when it differs
    action      TEXT    NOT NULL DEFAULT '',    -- failed, delayed, delivered, relayed, expanded; complained; unsubscribe
    status      TEXT    NOT NULL DEFAULT ''     -- enhanced status code (RFC 3463): 5.1.1
);
INSERT INTO report_recipients (mail_id, address, original, action, status)
    SELECT question_id, address, original, action, status FROM report_recipients_v8
    WHERE question_id IN (SELECT id FROM other_mail);
DROP TABLE report_recipients_v8;
CREATE INDEX report_recipients_by_address ON report_recipients (address);
CREATE INDEX report_recipients_by_mail ON report_recipients (mail_id);

ALTER TABLE report_refs RENAME TO report_refs_v8;
CREATE TABLE report_refs (
    mail_id     INTEGER NOT NULL REFERENCES other_mail (id),
    message_id  TEXT    NOT NULL                -- without angle brackets
);
INSERT INTO report_refs (mail_id, message_id)
    SELECT question_id, message_id FROM report_refs_v8
    WHERE question_id IN (SELECT id FROM other_mail);
DROP TABLE report_refs_v8;
CREATE INDEX report_refs_by_mail ON report_refs (mail_id);

-- The questions table keeps questions alone.
DELETE FROM sent_about WHERE question_id IN (SELECT id FROM questions WHERE status = 'ignored');
DELETE FROM questions WHERE status = 'ignored';
DROP INDEX questions_reports_unread;
DROP INDEX questions_reports_unsettled;
ALTER TABLE questions DROP COLUMN report_read;
ALTER TABLE questions DROP COLUMN report_token;
ALTER TABLE questions DROP COLUMN report_settled;
ALTER TABLE questions DROP COLUMN report_note;
