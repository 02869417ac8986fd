package mailinglist

import (
	"context"
	"fmt"
	"time"
)

// SetStatusByID sets the status of subscriber id, with the reason it
// changed ("the address does not exist (5.1.1)").
func (s *Subscribers) SetStatusByID(ctx context.Context, id int64, status SubscriberStatus, reason string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE subscribers SET status = ?, status_reason = ?, updated = ? WHERE id = ?`,
		status, reason, s.now().UTC().Format(time.RFC3339Nano), id); err != nil {
		return fmt.Errorf("publish: subscriber %d: %w", id, err)
	}
	return nil
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
