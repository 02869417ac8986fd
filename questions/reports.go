package questions

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Recipient is one recipient named by a report: of a delivery status
// report (RFC 3464, RFC 6533), who failed, was delayed or delivered; of an
// abuse report, who complained; of an unsubscribe request, who asked.
type Recipient struct {
	Address string // lower case: the Final-Recipient, or the complainant
	// Original is the Original-Recipient of a delivery report, when it
	// differs from Address (the address mailed, before forwarding); "" if
	// none.
	Original string
	Action   string // failed, delayed, delivered, relayed, expanded; complained; unsubscribe
	Status   string // the enhanced status code: 5.1.1
}

// Actions of the recipients of complaints and unsubscribe requests (those
// of delivery reports are RFC 3464's: failed, delayed, ...).
const (
	ActionComplained  = "complained"  // the recipient reported the mail as spam
	ActionUnsubscribe = "unsubscribe" // the sender asked to leave, by mail
)

// Report is what a delivery report, an abuse report or an unsubscribe
// request says, read once when ingest stores it: whom it is about, and
// what would prove it answers mail the newsletter sent. ingest records it;
// it proves nothing by itself (publish checks the proof against the mail
// it sent).
type Report struct {
	Recipients []Recipient
	// MessageIDs are the Message-IDs (without angle brackets) that the
	// report names as the mail it is about: the returned message's or
	// headers' (message/rfc822, message/global, text/rfc822-headers,
	// message/global-headers), those quoted in its text, those of JSON
	// notifications, and the report's own In-Reply-To and References.
	MessageIDs []string
	// Token is the signed token of an unsubscribe request (the word after
	// "unsubscribe" in its subject); "" for none.
	Token string
}

// StoredReport is a report in the queue, as ingest read it when it stored
// it.
type StoredReport struct {
	ID       int64 // its number among other mail (m<ID>)
	Kind     Kind  // KindBounce, KindComplaint or KindUnsubscribe
	Received time.Time
	Report
}

// isReport says whether messages of kind are reports that may change the
// list.
func isReport(k Kind) bool {
	return k == KindBounce || k == KindComplaint || k == KindUnsubscribe
}

// recordReport stores report r of other mail number id,
// within tx.
func recordReport(ctx context.Context, tx *sql.Tx, id int64, r Report) error {
	for _, rc := range r.Recipients {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_recipients (mail_id, address, original, action, status) VALUES (?, ?, ?, ?, ?)`,
			id, rc.Address, rc.Original, rc.Action, rc.Status); err != nil {
			return fmt.Errorf("questions: store report %d: %w", id, err)
		}
	}
	for _, mid := range r.MessageIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_refs (mail_id, message_id) VALUES (?, ?)`, id, mid); err != nil {
			return fmt.Errorf("questions: store report %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE other_mail SET report_token = ?, report_settled = 0 WHERE id = ?`, r.Token, id); err != nil {
		return fmt.Errorf("questions: store report %d: %w", id, err)
	}
	return nil
}

// UnsettledReports returns the reports whose proof publish has not yet
// weighed for good (SettleReport), oldest first.
func (q *Queue) UnsettledReports(ctx context.Context) ([]StoredReport, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, kind, received, report_token FROM other_mail WHERE report_settled = 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("questions: unsettled reports: %w", err)
	}
	var out []StoredReport
	for rows.Next() {
		var r StoredReport
		var received string
		if err := rows.Scan(&r.ID, &r.Kind, &received, &r.Token); err != nil {
			rows.Close()
			return nil, fmt.Errorf("questions: unsettled reports: %w", err)
		}
		r.Received, _ = time.Parse(time.RFC3339, received)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: unsettled reports: %w", err)
	}
	for i := range out {
		if err := q.readStoredReport(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readStoredReport reads the recipients and Message-IDs of r.
func (q *Queue) readStoredReport(ctx context.Context, r *StoredReport) error {
	rows, err := q.db.QueryContext(ctx, `SELECT address, original, action, status FROM report_recipients WHERE mail_id = ?`, r.ID)
	if err != nil {
		return fmt.Errorf("questions: report %d: %w", r.ID, err)
	}
	for rows.Next() {
		var rc Recipient
		if err := rows.Scan(&rc.Address, &rc.Original, &rc.Action, &rc.Status); err != nil {
			rows.Close()
			return fmt.Errorf("questions: report %d: %w", r.ID, err)
		}
		r.Recipients = append(r.Recipients, rc)
	}
	rows.Close()
	rows, err = q.db.QueryContext(ctx, `SELECT message_id FROM report_refs WHERE mail_id = ?`, r.ID)
	if err != nil {
		return fmt.Errorf("questions: report %d: %w", r.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("questions: report %d: %w", r.ID, err)
		}
		r.MessageIDs = append(r.MessageIDs, id)
	}
	return rows.Err()
}

// SettleReport records what came of report id, in words ("proves nothing:
// it names no mail this newsletter sent"), shown after its reason. When
// final, the report is settled: UnsettledReports no longer returns it.
func (q *Queue) SettleReport(ctx context.Context, id int64, note string, final bool) error {
	if _, err := q.db.ExecContext(ctx, `UPDATE other_mail SET report_note = ?, report_settled = ? WHERE id = ?`, note, final, id); err != nil {
		return fmt.Errorf("questions: settle report %d: %w", id, err)
	}
	return nil
}

// UnreadReport is a report an older mailbag stored without what this one
// keeps of reports: ingest reads it again from its raw message.
type UnreadReport struct {
	ID                 int64
	Kind               Kind
	RawPath            string
	RawOffset, RawSize int64
}

// UnreadReports returns the reports that an older mailbag stored without
// what this one keeps of them (see MarkReportRead).
func (q *Queue) UnreadReports(ctx context.Context) ([]UnreadReport, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, kind, raw_path, raw_offset, raw_size FROM other_mail WHERE report_read = 0`)
	if err != nil {
		return nil, fmt.Errorf("questions: old reports: %w", err)
	}
	defer rows.Close()
	var out []UnreadReport
	for rows.Next() {
		var r UnreadReport
		if err := rows.Scan(&r.ID, &r.Kind, &r.RawPath, &r.RawOffset, &r.RawSize); err != nil {
			return nil, fmt.Errorf("questions: old reports: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: old reports: %w", err)
	}
	return out, nil
}

// MarkReportRead stores report rep of other mail number id, in place of anything
// stored of it before, and marks it read, in one transaction.
func (q *Queue) MarkReportRead(ctx context.Context, id int64, kind Kind, rep Report) error {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("questions: old reports: %w", err)
	}
	defer tx.Rollback()
	for _, table := range []string{"report_recipients", "report_refs"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE mail_id = ?`, id); err != nil {
			return fmt.Errorf("questions: old reports: %w", err)
		}
	}
	if isReport(kind) {
		if err := recordReport(ctx, tx, id, rep); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE other_mail SET report_read = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("questions: old reports: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("questions: old reports: %w", err)
	}
	return nil
}

// withNote returns reason followed by a report's note, when it has one.
func withNote(reason, note string) string {
	if note == "" {
		return reason
	}
	return strings.TrimSpace(reason + "; " + note)
}
