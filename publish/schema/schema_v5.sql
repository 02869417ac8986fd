-- Version 5: one run sends at a time (a lock) and hands subscribers to its
-- connections in memory, writing each hand-over and outcome to the delivery
-- journal first. A delivery row now says what happened (sending, sent,
-- failed, or pending: deferred by the server, or to be tried again); an
-- active subscriber without one is still to be mailed. So the rows an
-- earlier version planned, or left claimed (never handed over), go, and so
-- does the index that served claiming them.
DELETE FROM deliveries WHERE status IN ('pending', 'claimed') AND error = '';
DROP INDEX deliveries_by_status;
