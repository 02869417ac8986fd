-- Version 7: since when questions are acknowledged: set by the first
-- ingest with newsletter.acknowledge on, removed by one with it off. Only
-- mail that arrived since then is acknowledged, never the backlog.
CREATE TABLE acknowledging (
    since TEXT NOT NULL -- RFC 3339, UTC
);
