package questions

import (
	"context"
	"path/filepath"
	"testing"

	"mailbag/internal/sqlitedb"
)

// A home of version 8 kept other mail among the questions: the upgrade
// moves it apart with its numbers, its reports with it, and leaves the
// questions, their follow-ups and the mail sent about them as they were.
func TestUpgradeMovesOtherMailApart(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := sqlitedb.Migrate(ctx, db, "ingest", migrations[:8]); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO questions (id, message_key, status, kind, reason, received, subject, from_addr, mailbox, uidvalidity, uid, created)
			VALUES (1, 'q1', 'new', '', '', '2026-11-01T10:00:00Z', 'First', 'a@example.org', 'INBOX', 1, 1, '2026-11-01T10:00:00Z')`,
		`INSERT INTO questions (id, message_key, status, kind, reason, received, subject, mailbox, uidvalidity, uid, created, report_read, report_settled, report_note)
			VALUES (2, 'b2', 'ignored', 'bounce', 'a delivery report', '2026-11-01T11:00:00Z', 'Undelivered', 'INBOX', 1, 2, '2026-11-01T11:00:00Z', 1, 0, 'not weighed yet')`,
		`INSERT INTO report_recipients (question_id, address, action, status) VALUES (2, 'gone@example.org', 'failed', '5.1.1')`,
		`INSERT INTO report_refs (question_id, message_id) VALUES (2, 'post-1@example.org')`,
		`INSERT INTO questions (id, message_key, status, kind, reason, received, subject, from_addr, mailbox, uidvalidity, uid, created, thread)
			VALUES (3, 'f3', 'ignored', 'follow-up', 'follows up question 1', '2026-11-01T12:00:00Z', 'Re: First', 'a@example.org', 'INBOX', 1, 3, '2026-11-01T12:00:00Z', 1)`,
		`INSERT INTO questions (id, message_key, status, kind, reason, received, subject, from_addr, mailbox, uidvalidity, uid, created, answer_slug)
			VALUES (4, 'q4', 'answered', '', '', '2026-11-01T13:00:00Z', 'Fourth', 'b@example.org', 'INBOX', 1, 4, '2026-11-01T13:00:00Z', 'fourth')`,
		`INSERT INTO sent_about (message_id, question_id) VALUES ('ack-1@example.org', 1)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	q, err := NewQueue(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := q.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("after the upgrade: %d rows, want 4", len(all))
	}
	if first, err := q.Get(ctx, 1); err != nil || first.FollowUps != 1 || first.Subject != "First" {
		t.Errorf("question 1 = %+v, %v", first, err)
	}
	if fourth, err := q.Get(ctx, 4); err != nil || fourth.AnswerSlug != "fourth" {
		t.Errorf("question 4 = %+v, %v", fourth, err)
	}
	if _, err := q.Get(ctx, 2); err == nil {
		t.Error("the bounce is still a question")
	}
	if m, err := q.Other(ctx, 2); err != nil || m.Kind != KindBounce {
		t.Errorf("m2 = %+v, %v", m, err)
	}
	if f, err := q.FollowUps(ctx, 1); err != nil || len(f) != 1 || f[0].ID != 3 {
		t.Errorf("follow-ups of 1 = %+v, %v", f, err)
	}
	reports, err := q.UnsettledReports(ctx)
	if err != nil || len(reports) != 1 || reports[0].ID != 2 || len(reports[0].Recipients) != 1 ||
		reports[0].Recipients[0].Address != "gone@example.org" || len(reports[0].MessageIDs) != 1 {
		t.Errorf("reports = %+v, %v", reports, err)
	}
	// A reply to the acknowledgement still follows question 1 up.
	in := []Incoming{{Question: Question{Status: StatusNew, MessageKey: "r5", FromAddr: "A@example.org"}, Refs: []string{"ack-1@example.org"}, Mailbox: "INBOX", UIDValidity: 1, UID: 5}}
	if _, err := q.Add(ctx, in, "INBOX", 1, 5, false); err != nil || in[0].Kind != KindFollowUp || in[0].Thread != 1 {
		t.Errorf("a reply to the acknowledgement: %+v, %v", in[0].Question, err)
	}
}
