package delivery

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// SendReport says what came of one post's send, in counts only: nothing
// about any one reader.
type SendReport struct {
	Slug string
	// Started is when the send's first delivery was recorded.
	Started time.Time
	// Sent were accepted by the relay; Failed refused by it; Unconfirmed
	// handed over without its answer recorded; Pending still to send
	// (deferred, or the run was stopped).
	Sent, Failed, Unconfirmed, Pending int
	// Bounced and Complained are what proven reports said of it later.
	Bounced, Complained int
	// Unsubscribed counts its recipients who left the list after it and
	// before the next send.
	Unsubscribed int
}

// Sends returns what came of each send, oldest first; only that of slug
// when slug is not "".
func (d *Deliveries) Sends(ctx context.Context, slug string) ([]SendReport, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT post_slug, min(updated),
		sum(status = 'sent'), sum(status = 'failed'), sum(status = 'sending'), sum(status = 'pending')
		FROM deliveries GROUP BY post_slug`)
	if err != nil {
		return nil, fmt.Errorf("publish: sends: %w", err)
	}
	var out []SendReport
	for rows.Next() {
		var r SendReport
		var started string
		if err := rows.Scan(&r.Slug, &started, &r.Sent, &r.Failed, &r.Unconfirmed, &r.Pending); err != nil {
			rows.Close()
			return nil, fmt.Errorf("publish: sends: %w", err)
		}
		r.Started, _ = time.Parse(time.RFC3339, started)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("publish: sends: %w", err)
	}
	slices.SortFunc(out, func(a, b SendReport) int { return a.Started.Compare(b.Started) })
	for i := range out {
		next := time.Time{}
		if i+1 < len(out) {
			next = out[i+1].Started
		}
		if err := d.sendEffects(ctx, &out[i], next); err != nil {
			return nil, err
		}
	}
	if slug != "" {
		out = slices.DeleteFunc(out, func(r SendReport) bool { return r.Slug != slug })
	}
	return out, nil
}

// sendEffects counts the reports and unsubscribes that followed send r,
// before the send that started at next (the zero time for none).
func (d *Deliveries) sendEffects(ctx context.Context, r *SendReport, next time.Time) error {
	if err := d.db.QueryRowContext(ctx, `SELECT count(DISTINCT CASE WHEN effect = 'bounced' THEN subscriber_id END),
		count(DISTINCT CASE WHEN effect = 'complained' THEN subscriber_id END) FROM report_effects WHERE post_slug = ?`,
		r.Slug).Scan(&r.Bounced, &r.Complained); err != nil {
		return fmt.Errorf("publish: sends: %w", err)
	}
	until := "9999-12-31T00:00:00Z"
	if !next.IsZero() {
		until = next.UTC().Format(time.RFC3339)
	}
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM subscribers s WHERE s.status = 'unsubscribed'
		AND julianday(s.updated) >= julianday(?) AND julianday(s.updated) < julianday(?)
		AND EXISTS (SELECT 1 FROM deliveries d WHERE d.post_slug = ? AND d.subscriber_id = s.id AND d.status = 'sent')`,
		r.Started.UTC().Format(time.RFC3339), until, r.Slug).Scan(&r.Unsubscribed); err != nil {
		return fmt.Errorf("publish: sends: %w", err)
	}
	return nil
}
