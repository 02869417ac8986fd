-- Version 6: handled messages that the mailbox has not yet been told of
-- (after_ingest seen or move). A row is written with the checkpoint, in the
-- same transaction, and removed once the server confirmed the flag or the
-- move; what a failed or killed run left is tried again by the next.
CREATE TABLE unfinished (
    mailbox     TEXT    NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
) WITHOUT ROWID;
