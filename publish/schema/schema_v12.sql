-- Version 12: a report is other mail in the question store (numbered
-- apart from the questions since its version 9): report_effects names it
-- so.
ALTER TABLE report_effects RENAME COLUMN question_id TO report_id;
