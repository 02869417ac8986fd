package publish

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Deliveries is the record of which subscriber got which post, in the
// state database: what makes sending resumable and never twice.
type Deliveries struct {
	db  *sql.DB
	now func() time.Time
	// mu makes this process's connections take turns at writing: SQLite
	// allows one writer, and one kept waiting sleeps in its busy handler
	// for milliseconds.
	mu sync.Mutex
}

// DeliveryCounts counts a post's deliveries by status.
type DeliveryCounts struct {
	Pending, Claimed, Sending, Sent, Failed int
}

// plan adds a pending delivery of post to every active subscriber who has
// none yet, and returns the counts. Subscribers who joined since an earlier
// run are included; those who left are not mailed.
func (d *Deliveries) plan(ctx context.Context, slug string) (DeliveryCounts, error) {
	now := d.now().UTC().Format(time.RFC3339)
	if _, err := d.db.ExecContext(ctx, `INSERT INTO deliveries (post_slug, subscriber_id, status, updated)
		SELECT ?, id, 'pending', ? FROM subscribers WHERE status = 'active'
		ON CONFLICT (post_slug, subscriber_id) DO NOTHING`, slug, now); err != nil {
		return DeliveryCounts{}, fmt.Errorf("publish: plan deliveries: %w", err)
	}
	// Claimed by a run that stopped, never handed over: to send.
	if _, err := d.db.ExecContext(ctx, `UPDATE deliveries SET status = 'pending' WHERE post_slug = ? AND status = 'claimed'`, slug); err != nil {
		return DeliveryCounts{}, fmt.Errorf("publish: plan deliveries: %w", err)
	}
	// Those who left since they were planned are not mailed.
	if _, err := d.db.ExecContext(ctx, `DELETE FROM deliveries WHERE post_slug = ? AND status = 'pending'
		AND subscriber_id IN (SELECT id FROM subscribers WHERE status != 'active')`, slug); err != nil {
		return DeliveryCounts{}, fmt.Errorf("publish: plan deliveries: %w", err)
	}
	return d.Counts(ctx, slug)
}

// ToSend counts the active subscribers a send of the post slug would mail
// now, without recording anything.
func (d *Deliveries) ToSend(ctx context.Context, slug string) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM subscribers s WHERE s.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.post_slug = ? AND d.subscriber_id = s.id AND d.status != 'pending')`, slug).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("publish: count recipients: %w", err)
	}
	return n, nil
}

// Counts counts the deliveries of the post slug by status.
func (d *Deliveries) Counts(ctx context.Context, slug string) (DeliveryCounts, error) {
	var c DeliveryCounts
	rows, err := d.db.QueryContext(ctx, `SELECT status, count(*) FROM deliveries WHERE post_slug = ? GROUP BY status`, slug)
	if err != nil {
		return c, fmt.Errorf("publish: count deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return c, fmt.Errorf("publish: count deliveries: %w", err)
		}
		switch status {
		case "pending":
			c.Pending = n
		case "claimed":
			c.Claimed = n
		case "sending":
			c.Sending = n
		case "sent":
			c.Sent = n
		case "failed":
			c.Failed = n
		}
	}
	return c, rows.Err()
}

// retryUnconfirmed puts the deliveries handed to the server whose
// acceptance was never recorded back among the pending: they may be mailed
// twice.
func (d *Deliveries) retryUnconfirmed(ctx context.Context, slug string) error {
	_, err := d.db.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', updated = ? WHERE post_slug = ? AND status = 'sending'`,
		d.now().UTC().Format(time.RFC3339), slug)
	if err != nil {
		return fmt.Errorf("publish: retry unconfirmed deliveries: %w", err)
	}
	return nil
}

// claim marks up to n pending deliveries of slug as claimed, in one
// transaction, and returns their subscribers. A claimed delivery is not
// handed to the server until step marks it sending.
func (d *Deliveries) claim(ctx context.Context, slug string, n int) ([]*Subscriber, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rows, err := d.db.QueryContext(ctx, `UPDATE deliveries SET status = 'claimed', attempts = attempts + 1, updated = ?
		WHERE post_slug = ? AND subscriber_id IN (
			SELECT subscriber_id FROM deliveries WHERE post_slug = ? AND status = 'pending' ORDER BY subscriber_id LIMIT ?)
		RETURNING subscriber_id`, d.now().UTC().Format(time.RFC3339), slug, slug, n)
	if err != nil {
		return nil, fmt.Errorf("publish: claim deliveries: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("publish: claim deliveries: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("publish: claim deliveries: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	subRows, err := d.db.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id IN (?`+strings.Repeat(",?", len(ids)-1)+`) ORDER BY id`, ids...)
	if err != nil {
		return nil, fmt.Errorf("publish: claim deliveries: %w", err)
	}
	defer subRows.Close()
	var subs []*Subscriber
	for subRows.Next() {
		sub, err := scanSubscriber(subRows)
		if err != nil {
			return nil, fmt.Errorf("publish: claim deliveries: %w", err)
		}
		subs = append(subs, sub)
	}
	return subs, subRows.Err()
}

// outcome is what became of one claimed delivery.
type outcome struct {
	sub       *Subscriber
	sent      bool
	messageID string
	err       string // why it failed
	bounced   bool   // the server said the address does not exist (5.1.x)
}

// step records, in one statement, the outcome of the delivery just made
// (done; nil for none) and that the next one (next; nil for none) is being
// handed to the server. One commit a message: a crash leaves at most the
// message in flight unconfirmed on each connection.
func (d *Deliveries) step(ctx context.Context, slug string, done *outcome, next *Subscriber) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now().UTC().Format(time.RFC3339)
	doneID, nextID := int64(-1), int64(-1)
	var status, errText, msgID string
	if done != nil {
		doneID, status, errText, msgID = done.sub.ID, done.status(), done.err, done.messageID
	}
	if next != nil {
		nextID = next.ID
	}
	if doneID < 0 && nextID < 0 {
		return nil
	}
	if _, err := d.db.ExecContext(ctx, `UPDATE deliveries SET
			status     = CASE subscriber_id WHEN ? THEN ? ELSE 'sending' END,
			error      = CASE subscriber_id WHEN ? THEN ? ELSE error END,
			message_id = CASE subscriber_id WHEN ? THEN ? ELSE message_id END,
			updated    = ?
		WHERE post_slug = ? AND subscriber_id IN (?, ?)`,
		doneID, status, doneID, errText, doneID, msgID, now, slug, doneID, nextID); err != nil {
		return fmt.Errorf("publish: record deliveries: %w", err)
	}
	if done != nil && done.bounced {
		if _, err := d.db.ExecContext(ctx, `UPDATE subscribers SET status = 'bounced', updated = ? WHERE id = ?`, now, done.sub.ID); err != nil {
			return fmt.Errorf("publish: mark %s bounced: %w", done.sub.Email, err)
		}
	}
	return nil
}

// status is the delivery status an outcome leaves.
func (o outcome) status() string {
	switch {
	case o.sent:
		return "sent"
	case o.err != "":
		return "failed"
	}
	return "pending" // not tried: stopped first
}

// release puts claimed deliveries that were not handed over back among the
// pending.
func (d *Deliveries) release(ctx context.Context, slug string, subs []*Subscriber) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, sub := range subs {
		if _, err := d.db.ExecContext(ctx, `UPDATE deliveries SET status = 'pending' WHERE post_slug = ? AND subscriber_id = ? AND status = 'claimed'`,
			slug, sub.ID); err != nil {
			return fmt.Errorf("publish: release delivery to %s: %w", sub.Email, err)
		}
	}
	return nil
}
