package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Actions of the recipients of complaints and unsubscribe requests (those
// of delivery reports are RFC 3464's: failed, delayed, ...).
const (
	ActionComplained  = "complained"  // the recipient reported the mail as spam
	ActionUnsubscribe = "unsubscribe" // the sender asked to leave, by mail
)

// reportRecipients reads whom a message stored as q reports on: the
// recipients of a delivery report, the complainant of an ARF report, the
// sender of an unsubscribe request; none for anything else.
func reportRecipients(q Question, raw []byte) []Recipient {
	switch q.Kind {
	case KindBounce:
		if rs := ParseDSN(raw); len(rs) > 0 {
			return rs
		}
		return plainBounceRecipients(raw)
	case KindComplaint:
		if rs := ParseComplaint(raw); len(rs) > 0 {
			return rs
		}
		if m, err := ParseMessage(raw); err == nil {
			n, _ := readJSONReport(m.Text)
			return n.recipients
		}
	case KindUnsubscribe:
		if q.FromAddr != "" {
			return []Recipient{{Address: strings.ToLower(q.FromAddr), Action: ActionUnsubscribe}}
		}
	}
	return nil
}

// plainBounceRecipients reads the failed recipients of a delivery failure
// notice without a report part: its X-Failed-Recipients field (Exim), or
// the recipients of a JSON notification.
func plainBounceRecipients(raw []byte) []Recipient {
	m, err := ParseMessage(raw)
	if err != nil {
		return nil
	}
	if v := m.Header.Get("X-Failed-Recipients"); v != "" {
		var out []Recipient
		for _, a := range strings.Split(v, ",") {
			if a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>")); strings.Count(a, "@") == 1 {
				out = append(out, Recipient{Address: a, Action: "failed"})
			}
		}
		return out
	}
	n, _ := readJSONReport(m.Text)
	return n.recipients
}

// recordRecipients stores the recipients of the delivery report stored as
// question id, within tx.
func recordRecipients(ctx context.Context, tx *sql.Tx, id int64, rs []Recipient) error {
	for _, r := range rs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_recipients (question_id, address, action, status) VALUES (?, ?, ?, ?)`,
			id, r.Address, r.Action, r.Status); err != nil {
			return fmt.Errorf("ingest: store the recipients of report %d: %w", id, err)
		}
	}
	return nil
}

// ReportRecipients returns the recipients of every report in the queue, as
// ingest read them when it stored each: of delivery reports, who failed,
// was delayed or was delivered, with the enhanced status code (RFC 3463);
// of complaints, who complained (ActionComplained); of unsubscribe
// requests, who asked to leave (ActionUnsubscribe).
func (q *Queue) ReportRecipients(ctx context.Context) ([]Recipient, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT address, action, status FROM report_recipients ORDER BY question_id`)
	if err != nil {
		return nil, fmt.Errorf("ingest: report recipients: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Address, &r.Action, &r.Status); err != nil {
			return nil, fmt.Errorf("ingest: report recipients: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ingest: report recipients: %w", err)
	}
	return out, nil
}

// readOldReports reads the recipients of the delivery reports that an
// older mailbag stored without them, from their raw messages in mailDir,
// once. A report whose raw message is gone is marked read with none.
func (q *Queue) readOldReports(ctx context.Context, mailDir string) error {
	rows, err := q.db.QueryContext(ctx, `SELECT id, kind, raw_path, raw_offset, raw_size FROM questions WHERE report_read = 0`)
	if err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	type report struct {
		id   int64
		kind Kind
		raw  rawRef
	}
	var reports []report
	for rows.Next() {
		var r report
		if err := rows.Scan(&r.id, &r.kind, &r.raw.path, &r.raw.offset, &r.raw.size); err != nil {
			rows.Close()
			return fmt.Errorf("ingest: old reports: %w", err)
		}
		reports = append(reports, r)
	}
	rows.Close()
	for _, r := range reports {
		var rs []Recipient
		if raw, err := readRaw(mailDir, r.raw); err == nil {
			rs = reportRecipients(Question{Kind: r.kind}, raw)
		}
		if err := q.markReportRead(ctx, r.id, rs); err != nil {
			return err
		}
	}
	return nil
}

// markReportRead stores the recipients of report id and marks it read, in
// one transaction.
func (q *Queue) markReportRead(ctx context.Context, id int64, rs []Recipient) error {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	defer tx.Rollback()
	if err := recordRecipients(ctx, tx, id, rs); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET report_read = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	return nil
}
