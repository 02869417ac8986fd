package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// recordSoftFailure records, within db (the database or a send's
// transaction), that the send of slug failed for subscriber id, at at, for
// a reason other than a missing mailbox, and bounces the subscriber when
// limits say enough such failures came: in limits.Limit different sends
// spanning at least limits.Days days. It reports whether it bounced them.
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

// queryer is what recordSoftFailure needs of a database or a transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
