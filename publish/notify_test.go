package publish

import (
	"context"
	"strings"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/internal/peers"
)

func TestNotifyAskersOnce(t *testing.T) {
	ctx := context.Background()
	db, q := stateFixture(t)
	for i, from := range []string{"ana@example.net", ""} {
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, received, subject, body, from_name, from_addr, mailbox, uidvalidity, uid, created)
			VALUES (?, 'answered', '2026-11-24T10:00:00Z', 'How?', 'How?', 'Ana', ?, 'INBOX', 1, ?, '2026-11-24T10:00:00Z')`, i, from, i+1); err != nil {
			t.Fatal(err)
		}
	}
	sink := peers.StartSMTPSink(t, false)
	mailer := sinkMailer(sink)
	post := &archive.Post{Title: "On how", Slug: "on-how", Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Questions: []int64{1, 2}}
	n := Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}
	told, err := NotifyAskers(ctx, db, q, mailer, n, post, "")
	if err != nil || told != 1 {
		t.Fatalf("NotifyAskers = %d, %v; want 1 (question 2 has no address)", told, err)
	}
	raw := string(sink.Messages()[0].Data)
	for _, want := range []string{"To: \"Ana\" <ana@example.net>", "Auto-Submitted: auto-generated", "Subject: Your question was answered: On how", "https://ask.example.org/2026/11/25/on-how/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in\n%s", want, raw)
		}
	}
	if told, err := NotifyAskers(ctx, db, q, mailer, n, post, ""); err != nil || told != 0 || sink.Count() != 1 {
		t.Errorf("again: told %d, %v; %d messages", told, err, sink.Count())
	}
}
