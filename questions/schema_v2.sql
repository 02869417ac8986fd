-- Version 2: which post answers a question.
ALTER TABLE questions ADD COLUMN answer_slug TEXT NOT NULL DEFAULT '';
