package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"mailbag/publish/mailinglist"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Deliveries is the record of which subscriber got which post, in the
// state database: what makes sending resumable and never twice. A delivery
// is a row once it was handed to the server (sending, then sent or failed)
// or deferred; an active subscriber without one, or with a pending one, is
// still to be mailed the post.
type Deliveries struct {
	db  *sql.DB
	now func() time.Time
	// mu makes this process's writers take turns: SQLite allows one, and
	// one kept waiting sleeps in its busy handler for milliseconds.
	mu sync.Mutex
	// dir holds the delivery journal and the lock that lets one run send
	// at a time.
	dir       string
	applyStmt *sql.Stmt
	// journalWriter, in tests, stands between the journal and its file.
	journalWriter func(io.Writer) io.Writer
	// softBounces say when refusals that are not a missing mailbox
	// bounce a subscriber; the zero value means the defaults.
	softBounces SoftBounces
}

// DeliveryCounts counts a post's deliveries by status.
type DeliveryCounts struct {
	Pending, Sending, Sent, Failed int
}

// Retry says which deliveries left by earlier runs a send tries again.
type Retry struct {
	// Unconfirmed are those a stopped run handed to the server without
	// recording its answer: they may have arrived, so their subscribers may
	// get the post twice.
	Unconfirmed bool
	// Failed are those the server refused for good (5xx), to subscribers
	// still active: worth trying again once the cause is mended (a relay
	// that refused to relay, say).
	Failed bool
}

// finished says which delivery statuses a send with r leaves alone.
func (r Retry) finished() map[string]bool {
	return map[string]bool{"sent": true, "sending": !r.Unconfirmed, "failed": !r.Failed}
}

// ToSend counts the active subscribers a send of the post slug with retry
// would mail now, without recording anything. What a stopped run left in
// the journal is taken into account, as the send would.
func (d *Deliveries) ToSend(ctx context.Context, slug string, retry Retry) (int, error) {
	entries, err := readJournal(d.journalPath())
	if err != nil {
		return 0, err
	}
	finished := retry.finished()
	handled := map[int64]bool{} // by the journal's last word
	for _, e := range entries {
		if e.slug == slug {
			handled[e.id] = finished[e.status]
		}
	}
	var statuses []any
	for status, done := range finished {
		if done {
			statuses = append(statuses, status)
		}
	}
	rows, err := d.db.QueryContext(ctx, `SELECT s.id FROM subscribers s WHERE s.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.post_slug = ? AND d.subscriber_id = s.id
			AND d.status IN (?`+strings.Repeat(", ?", len(statuses)-1)+`))`, append([]any{slug}, statuses...)...)
	if err != nil {
		return 0, fmt.Errorf("publish: count recipients: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("publish: count recipients: %w", err)
		}
		if !handled[id] {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("publish: count recipients: %w", err)
	}
	return n, nil
}

// Counts counts the deliveries of the post slug by status; Pending counts
// the active subscribers still to be mailed it.
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
		case "sending":
			c.Sending = n
		case "sent":
			c.Sent = n
		case "failed":
			c.Failed = n
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("publish: count deliveries: %w", err)
	}
	err = d.db.QueryRowContext(ctx, `SELECT count(*) FROM subscribers s WHERE `+toMail, slug).Scan(&c.Pending)
	if err != nil {
		return c, fmt.Errorf("publish: count deliveries: %w", err)
	}
	return c, nil
}

// retry puts the deliveries of slug that r names back among the pending.
func (d *Deliveries) retry(ctx context.Context, slug string, r Retry) error {
	now := d.now().UTC().Format(time.RFC3339)
	if r.Unconfirmed {
		if _, err := d.db.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', updated = ? WHERE post_slug = ? AND status = 'sending'`,
			now, slug); err != nil {
			return fmt.Errorf("publish: retry unconfirmed deliveries: %w", err)
		}
	}
	if r.Failed {
		if _, err := d.db.ExecContext(ctx, `UPDATE deliveries SET status = 'pending', error = '', updated = ? WHERE post_slug = ? AND status = 'failed'
			AND subscriber_id IN (SELECT id FROM subscribers WHERE status = 'active')`, now, slug); err != nil {
			return fmt.Errorf("publish: retry failed deliveries: %w", err)
		}
	}
	return nil
}

// toMail is the condition on subscribers s that they are still to be
// mailed a post (its slug the one parameter): active, and no delivery but
// a pending one.
const toMail = `s.status = 'active' AND NOT EXISTS (
	SELECT 1 FROM deliveries d WHERE d.post_slug = ? AND d.subscriber_id = s.id AND d.status != 'pending')`

// pending returns up to n active subscribers still to be mailed the post
// slug, those with an ID above after, in order of ID: their ID, address and
// name, all a message needs.
func (d *Deliveries) pending(ctx context.Context, slug string, after int64, n int) ([]*mailinglist.Subscriber, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT s.id, s.email, s.name FROM subscribers s
		WHERE `+toMail+` AND s.id > ? ORDER BY s.id LIMIT ?`, slug, after, n)
	if err != nil {
		return nil, fmt.Errorf("publish: read pending deliveries: %w", err)
	}
	defer rows.Close()
	var subs []*mailinglist.Subscriber
	for rows.Next() {
		var sub mailinglist.Subscriber
		if err := rows.Scan(&sub.ID, &sub.Email, &sub.Name); err != nil {
			return nil, fmt.Errorf("publish: read pending deliveries: %w", err)
		}
		subs = append(subs, &sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("publish: read pending deliveries: %w", err)
	}
	return subs, nil
}

// outcome is what became of one delivery.
type outcome struct {
	sub         *mailinglist.Subscriber
	sent        bool
	messageID   string
	err         string // why it failed, or was deferred
	deferred    bool   // the server said to try again later, every time
	bounced     bool   // the server said the address does not exist (addressGone)
	unconfirmed bool   // all of it went out and no reply came
}

// status returns the delivery status an outcome leaves.
func (o outcome) status() string {
	switch {
	case o.sent:
		return "sent"
	case o.unconfirmed:
		return "sending" // handed over, outcome unknown: reported, not sent again
	case o.deferred:
		return "pending" // for the next run
	case o.err != "":
		return "failed"
	}
	return "pending" // not tried: stopped first
}

// entry returns the journal line of the outcome.
func (o outcome) entry(slug string) entry {
	return entry{slug: slug, id: o.sub.ID, status: o.status(), bounced: o.bounced, messageID: o.messageID, err: o.err}
}

// applySQL records one journal entry: an outcome, or that a delivery was
// handed over, which changes only one not yet handed over.
const applySQL = `INSERT INTO deliveries (post_slug, subscriber_id, status, error, message_id, updated, attempts)
	VALUES (?5, ?6, ?1, ?2, ?3, ?4, ?1 IN ('sent', 'failed'))
	ON CONFLICT (post_slug, subscriber_id) DO UPDATE SET status = ?1, error = ?2, message_id = ?3, updated = ?4,
		attempts = attempts + (?1 IN ('sent', 'failed'))
	WHERE ?1 != 'sending' OR status = 'pending'`

// apply records entries in tx, in order, and marks the subscribers whose
// address the server said does not exist as bounced.
func (d *Deliveries) apply(ctx context.Context, tx *sql.Tx, entries []entry) error {
	if len(entries) == 0 {
		return nil
	}
	now := d.now().UTC().Format(time.RFC3339)
	stmt := tx.StmtContext(ctx, d.applyStmt)
	defer stmt.Close()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, e.status, e.err, e.messageID, now, e.slug, e.id); err != nil {
			return fmt.Errorf("publish: record deliveries: %w", err)
		}
		switch {
		case e.bounced:
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'bounced', status_reason = ?, updated = ? WHERE id = ?`,
				"the relay said the address does not exist", now, e.id); err != nil {
				return fmt.Errorf("publish: mark subscriber %d bounced: %w", e.id, err)
			}
		case e.status == "failed":
			if _, err := recordSoftFailure(ctx, tx, d.softBounces, e.id, e.slug, d.now(), "relay: "+e.err, d.now()); err != nil {
				return err
			}
		}
	}
	return nil
}

// begin readies a run of sending slug, under the send lock: it replays
// what a stopped run left in the journal, puts back the deliveries retry
// names, counts, and opens the journal for this run.
func (d *Deliveries) begin(ctx context.Context, slug string, retry Retry) (DeliveryCounts, *journal, error) {
	if err := d.recover(ctx); err != nil {
		return DeliveryCounts{}, nil, err
	}
	if err := d.retry(ctx, slug, retry); err != nil {
		return DeliveryCounts{}, nil, err
	}
	counts, err := d.Counts(ctx, slug)
	if err != nil {
		return DeliveryCounts{}, nil, err
	}
	j, err := openJournal(d.journalPath())
	if err != nil {
		return DeliveryCounts{}, nil, err
	}
	if d.journalWriter != nil {
		j.w = d.journalWriter(j.f)
	}
	return counts, j, nil
}

// recover replays the journal a stopped run left into the database, then
// removes it. Replaying twice does no harm: a crash in between is mended by
// the next run.
func (d *Deliveries) recover(ctx context.Context) error {
	entries, err := readJournal(d.journalPath())
	if err != nil || entries == nil {
		return err
	}
	if err := d.flush(ctx, entries); err != nil {
		return err
	}
	if err := os.Remove(d.journalPath()); err != nil {
		return fmt.Errorf("publish: remove the replayed delivery journal: %w", err)
	}
	return nil
}

// inTx runs f in a transaction, this process's writers taking turns.
func (d *Deliveries) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("publish: record deliveries: %w", err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("publish: record deliveries: %w", err)
	}
	return nil
}

func (d *Deliveries) journalPath() string { return filepath.Join(d.dir, journalName) }

// store records the entries that come on entries, batchSize in a
// transaction, until entries is closed. The journal holds them already:
// the database catches up on its own goroutine, off the connections' path.
// When recording fails, failed is told (to stop the run) and the rest are
// taken and dropped, left to the journal and the next run; store returns
// the first error.
func (d *Deliveries) store(ctx context.Context, entries <-chan entry, failed func(error)) error {
	var firstErr error
	batch := make([]entry, 0, batchSize)
	write := func() {
		if firstErr == nil && len(batch) > 0 {
			if err := d.flush(ctx, batch); err != nil {
				firstErr = err
				failed(err)
			}
		}
		batch = batch[:0]
	}
	for e := range entries {
		if batch = append(batch, e); len(batch) == batchSize {
			write()
		}
	}
	write()
	return firstErr
}

// flush records entries in one transaction.
func (d *Deliveries) flush(ctx context.Context, entries []entry) error {
	if len(entries) == 0 {
		return nil
	}
	return d.inTx(ctx, func(tx *sql.Tx) error { return d.apply(ctx, tx, entries) })
}
