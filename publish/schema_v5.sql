-- Version 5: one run sends at a time (a lock) and hands deliveries to its
-- connections in memory, so 'claimed' is no longer used; the handing over
-- and the outcomes are written to the delivery journal first. Deliveries a
-- stopped run of an earlier version left claimed were never handed over.
UPDATE deliveries SET status = 'pending' WHERE status = 'claimed';
-- The index serves the reading of pending deliveries only: a delivery sent
-- leaves it, instead of moving within it.
DROP INDEX deliveries_by_status;
CREATE INDEX deliveries_pending ON deliveries (post_slug, subscriber_id) WHERE status = 'pending';
