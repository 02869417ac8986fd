package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// StoredReport is a report in the queue, as ingest read it when it stored
// it.
type StoredReport struct {
	ID       int64 // the question ID it is stored under
	Kind     Kind  // KindBounce, KindComplaint or KindUnsubscribe
	Received time.Time
	Report
}

// isReport says whether messages of kind are reports that may change the
// list.
func isReport(k Kind) bool {
	return k == KindBounce || k == KindComplaint || k == KindUnsubscribe
}

// recordReport stores report r of the message stored as question id,
// within tx.
func recordReport(ctx context.Context, tx *sql.Tx, id int64, r Report) error {
	for _, rc := range r.Recipients {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_recipients (question_id, address, original, action, status) VALUES (?, ?, ?, ?, ?)`,
			id, rc.Address, rc.Original, rc.Action, rc.Status); err != nil {
			return fmt.Errorf("ingest: store report %d: %w", id, err)
		}
	}
	for _, mid := range r.MessageIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_refs (question_id, message_id) VALUES (?, ?)`, id, mid); err != nil {
			return fmt.Errorf("ingest: store report %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET report_token = ?, report_settled = 0 WHERE id = ?`, r.Token, id); err != nil {
		return fmt.Errorf("ingest: store report %d: %w", id, err)
	}
	return nil
}

// UnsettledReports returns the reports whose proof publish has not yet
// weighed for good (SettleReport), oldest first.
func (q *Queue) UnsettledReports(ctx context.Context) ([]StoredReport, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, kind, received, report_token FROM questions WHERE report_settled = 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("ingest: unsettled reports: %w", err)
	}
	var out []StoredReport
	for rows.Next() {
		var r StoredReport
		var received string
		if err := rows.Scan(&r.ID, &r.Kind, &received, &r.Token); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ingest: unsettled reports: %w", err)
		}
		r.Received, _ = time.Parse(time.RFC3339, received)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ingest: unsettled reports: %w", err)
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
	rows, err := q.db.QueryContext(ctx, `SELECT address, original, action, status FROM report_recipients WHERE question_id = ?`, r.ID)
	if err != nil {
		return fmt.Errorf("ingest: report %d: %w", r.ID, err)
	}
	for rows.Next() {
		var rc Recipient
		if err := rows.Scan(&rc.Address, &rc.Original, &rc.Action, &rc.Status); err != nil {
			rows.Close()
			return fmt.Errorf("ingest: report %d: %w", r.ID, err)
		}
		r.Recipients = append(r.Recipients, rc)
	}
	rows.Close()
	rows, err = q.db.QueryContext(ctx, `SELECT message_id FROM report_refs WHERE question_id = ?`, r.ID)
	if err != nil {
		return fmt.Errorf("ingest: report %d: %w", r.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("ingest: report %d: %w", r.ID, err)
		}
		r.MessageIDs = append(r.MessageIDs, id)
	}
	return rows.Err()
}

// SettleReport records what came of report id, in words ("proves nothing:
// it names no mail this newsletter sent"), shown after its reason. When
// final, the report is settled: UnsettledReports no longer returns it.
func (q *Queue) SettleReport(ctx context.Context, id int64, note string, final bool) error {
	if _, err := q.db.ExecContext(ctx, `UPDATE questions SET report_note = ?, report_settled = ? WHERE id = ?`, note, final, id); err != nil {
		return fmt.Errorf("ingest: settle report %d: %w", id, err)
	}
	return nil
}

// readOldReports reads the reports that an older mailbag stored without
// what this one keeps of them, from their raw messages in mailDir, once. A
// report whose raw message is gone is kept with nothing.
func (q *Queue) readOldReports(ctx context.Context, mailDir string) error {
	rows, err := q.db.QueryContext(ctx, `SELECT id, kind, raw_path, raw_offset, raw_size FROM questions WHERE report_read = 0`)
	if err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	type old struct {
		id   int64
		kind Kind
		raw  rawRef
	}
	var reports []old
	for rows.Next() {
		var r old
		if err := rows.Scan(&r.id, &r.kind, &r.raw.path, &r.raw.offset, &r.raw.size); err != nil {
			rows.Close()
			return fmt.Errorf("ingest: old reports: %w", err)
		}
		reports = append(reports, r)
	}
	rows.Close()
	for _, r := range reports {
		var rep Report
		if raw, err := readRaw(mailDir, r.raw); err == nil {
			if m, err := ParseMessage(raw); err == nil {
				rep = readReport(r.kind, m)
			}
		}
		if err := q.markReportRead(ctx, r.id, r.kind, rep); err != nil {
			return err
		}
	}
	return nil
}

// markReportRead stores report rep of question id, in place of anything
// stored of it before, and marks it read, in one transaction.
func (q *Queue) markReportRead(ctx context.Context, id int64, kind Kind, rep Report) error {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	defer tx.Rollback()
	for _, table := range []string{"report_recipients", "report_refs"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE question_id = ?`, id); err != nil {
			return fmt.Errorf("ingest: old reports: %w", err)
		}
	}
	if isReport(kind) {
		if err := recordReport(ctx, tx, id, rep); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE questions SET report_read = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ingest: old reports: %w", err)
	}
	return nil
}

// withNote is reason followed by a report's note, when it has one.
func withNote(reason, note string) string {
	if note == "" {
		return reason
	}
	return strings.TrimSpace(reason + "; " + note)
}
