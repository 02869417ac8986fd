-- Version 11: the one-a-day limit of confirmation mails is kept per
-- mailbox (the address with no +tag, and no dots at Gmail), so that
-- bombme+1@, bombme+2@ ... reach one mailbox once a day; the hour's
-- count of confirmations is read from it too.
CREATE TABLE confirmations (
	mailbox TEXT PRIMARY KEY,
	sent TEXT NOT NULL
);
CREATE INDEX confirmations_by_sent ON confirmations (sent);
