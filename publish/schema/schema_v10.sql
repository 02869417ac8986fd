-- Version 10: an acknowledgement that could not be made or sent is kept
-- with why, and tried again by the next passes, a bounded number of times;
-- the others go out meanwhile.
ALTER TABLE acknowledgements ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE acknowledgements ADD COLUMN error TEXT NOT NULL DEFAULT '';
