package publish

import (
	"context"
	"fmt"
	"time"
)

// setStatusByID sets the status of subscriber id, with the reason it
// changed ("the address does not exist (5.1.1)").
func (s *Subscribers) setStatusByID(ctx context.Context, id int64, status SubscriberStatus, reason string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE subscribers SET status = ?, status_reason = ?, updated = ? WHERE id = ?`,
		status, reason, s.now().UTC().Format(time.RFC3339Nano), id); err != nil {
		return fmt.Errorf("publish: subscriber %d: %w", id, err)
	}
	return nil
}

// softFailure records that the send of slug failed for subscriber id, at
// at, for a reason other than a missing mailbox, and bounces the subscriber
// when limits say enough such failures came: in limits.Limit different
// sends spanning at least limits.Days days. bounced says it did.
func (s *Subscribers) softFailure(ctx context.Context, limits SoftBounces, id int64, slug string, at time.Time, reason string) (bounced bool, err error) {
	return recordSoftFailure(ctx, s.db, limits, id, slug, at, reason, s.now())
}

// recordSoftFailure is softFailure within db (a transaction, for a send).
func recordSoftFailure(ctx context.Context, db queryer, limits SoftBounces, id int64, slug string, at time.Time, reason string, now time.Time) (bool, error) {
	if len(reason) > 300 {
		reason = reason[:300]
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO soft_failures (subscriber_id, post_slug, at, reason) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET reason = excluded.reason`, id, slug, at.UTC().Format(time.RFC3339), reason); err != nil {
		return false, fmt.Errorf("publish: record a failure of subscriber %d: %w", id, err)
	}
	var n int
	var first, last string
	if err := db.QueryRowContext(ctx, `SELECT count(*), min(at), max(at) FROM soft_failures WHERE subscriber_id = ?`, id).Scan(&n, &first, &last); err != nil {
		return false, fmt.Errorf("publish: failures of subscriber %d: %w", id, err)
	}
	t0, _ := time.Parse(time.RFC3339, first)
	t1, _ := time.Parse(time.RFC3339, last)
	if n < limits.limit() || t1.Sub(t0) < time.Duration(limits.days())*24*time.Hour {
		return false, nil
	}
	why := fmt.Sprintf("failed in %d sends over %d days, last: %s", n, int(t1.Sub(t0).Hours()/24), reason)
	res, err := db.ExecContext(ctx, `UPDATE subscribers SET status = 'bounced', status_reason = ?, updated = ? WHERE id = ? AND status = 'active'`,
		why, now.UTC().Format(time.RFC3339Nano), id)
	if err != nil {
		return false, fmt.Errorf("publish: bounce subscriber %d: %w", id, err)
	}
	changed, _ := res.RowsAffected()
	return changed > 0, nil
}

// Failures returns how many sends failed for each subscriber for a reason
// other than a missing mailbox, by subscriber ID: what `subscribers list`
// shows.
func (s *Subscribers) Failures(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT subscriber_id, count(*) FROM soft_failures GROUP BY subscriber_id`)
	if err != nil {
		return nil, fmt.Errorf("publish: failures: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("publish: failures: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}
