-- Version 4: questions acknowledged to their askers (RFC 3834), or passed
-- over because their address had one within the day.
CREATE TABLE acknowledgements (
    question_id INTEGER PRIMARY KEY,
    address     TEXT    NOT NULL,
    acked       INTEGER NOT NULL,   -- 1: a reply went out; 0: passed over
    sent        TEXT    NOT NULL    -- RFC 3339, UTC
);
CREATE INDEX acknowledgements_by_address ON acknowledgements (address, sent);
