-- Version 4: raw messages are kept in a mbox per day; a question's raw
-- message is raw_size bytes at raw_offset in the file raw_path. Rows of
-- older versions name a file that is the message alone (offset -1).
ALTER TABLE questions ADD COLUMN raw_offset INTEGER NOT NULL DEFAULT -1;
ALTER TABLE questions ADD COLUMN raw_size INTEGER NOT NULL DEFAULT 0;
-- Why no automatic reply may go to a question (RFC 3834, 2): '' when one
-- may.
ALTER TABLE questions ADD COLUMN no_auto_reply TEXT NOT NULL DEFAULT '';
