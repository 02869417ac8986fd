-- Version 5: one run sends at a time (a lock) and hands deliveries to its
-- connections in memory, so 'claimed' is no longer used; the handing over
-- and the outcomes are written to the delivery journal first. Deliveries a
-- stopped run of an earlier version left claimed were never handed over.
UPDATE deliveries SET status = 'pending' WHERE status = 'claimed';
