-- Version 5: follow-ups. A reader's reply to their own question, to its
-- acknowledgement or to the notification that it was answered (by
-- In-Reply-To or References, from the same address) joins that question:
-- it is kept as ignored, kind follow-up, with thread the question's id.
ALTER TABLE questions ADD COLUMN thread INTEGER NOT NULL DEFAULT 0;  -- the question this one follows up; 0 for none
CREATE INDEX questions_by_thread ON questions (thread) WHERE thread != 0;
-- The Message-IDs of the mail the newsletter sent about a question (its
-- acknowledgement, its notification), so that a reply to them is found.
CREATE TABLE sent_about (
    message_id  TEXT    PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions (id)
) WITHOUT ROWID;
