-- Version 6: when a subscriber was last mailed a link to confirm, so that
-- an address gets one a day at most, however often the form is posted.
ALTER TABLE subscribers ADD COLUMN confirm_sent TEXT NOT NULL DEFAULT '';
