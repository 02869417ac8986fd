-- Version 1 of the searches table: what readers searched for on the site,
-- a row per normalised query and day (UTC), with how many times and how
-- many hits it last had. No address, no IP, no cookie is kept; rows older
-- than 90 days are deleted.
CREATE TABLE searches (
    day   TEXT    NOT NULL,               -- YYYY-MM-DD, UTC
    query TEXT    NOT NULL,               -- lower case, spaces folded, at most 100 characters
    count INTEGER NOT NULL,
    hits  INTEGER NOT NULL,               -- the number of hits it last had
    PRIMARY KEY (day, query)
) WITHOUT ROWID;
CREATE INDEX searches_by_query ON searches (query);
