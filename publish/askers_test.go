package publish

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/internal/peers"
)

// TestAcknowledge: a new question gets one RFC 3834 reply; a second
// question from the same address within a day gets none; ignored
// messages (auto-replies, lists, bounces) get none, nor questions that ask
// for no automatic reply, nor the backlog from before acknowledgements
// were turned on, nor mail that came while they were off; a day later,
// one more.
func TestAcknowledge(t *testing.T) {
	ctx := context.Background()
	db, q := stateFixture(t)
	received := "2026-11-24T10:00:00Z"
	addNoReply := func(key, status, kind, from, noReply string) {
		t.Helper()
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, kind, received, subject, body, from_name, from_addr, mailbox, uidvalidity, uid, created, no_auto_reply)
			VALUES (?, ?, ?, ?, 'How?', 'How?', 'Ana', ?, 'INBOX', 1, 1, '2026-11-24T10:00:00Z', ?)`, key, status, kind, received, from, noReply); err != nil {
			t.Fatal(err)
		}
	}
	add := func(key, status, kind, from string) { t.Helper(); addNoReply(key, status, kind, from, "") }
	received = "2026-11-24T08:00:00Z" // before acknowledgements were turned on
	add("backlog@example.net", "new", "", "cy@example.net")
	received = "2026-11-24T10:00:00Z"
	add("q1@example.net", "new", "", "ana@example.net")
	addNoReply("bulk@example.net", "new", "", "dee@example.net", "Precedence: bulk")
	add("q2@example.net", "new", "", "ANA@example.net")
	add("auto@example.net", "ignored", "auto-reply", "bo@example.net")
	add("list@example.net", "ignored", "list", "list@example.com")
	sink := peers.StartSMTPSink(t, false)
	m := sinkMailer(sink)
	n := Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	askers, err := NewAskers(ctx, db, AskersOptions{Queue: q, Mailer: m, Newsletter: n, Templates: loadTemplates(t, ""), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if sent, err := askers.Acknowledge(ctx); err != nil || sent != 0 {
		t.Fatalf("before acknowledgements are turned on: %d, %v", sent, err)
	}
	if err := askers.StartAcknowledging(ctx); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	if err := askers.StartAcknowledging(ctx); err != nil { // on already: since 9:00 still
		t.Fatal(err)
	}
	if sent, err := askers.Acknowledge(ctx); err != nil || sent != 1 {
		t.Fatalf("Acknowledge = %d, %v; want 1", sent, err)
	}
	raw := string(sink.Messages()[0].Data)
	if m := regexp.MustCompile(`(?m)^Message-ID: <[0-9a-f]{32}@([^>]+)>`).FindStringSubmatch(raw); m == nil || m[1] != "ask.example.org" {
		t.Errorf("the Message-ID is not at the newsletter's domain: %v\n%s", m, raw)
	}
	for _, want := range []string{"Auto-Submitted: auto-replied", "In-Reply-To: <q1@example.net>", "Subject: Re: How?", "<ana@example.net>"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in\n%s", want, raw)
		}
	}
	if sent, err := askers.Acknowledge(ctx); err != nil || sent != 0 {
		t.Errorf("again: %d, %v", sent, err)
	}
	// A day later a new question from ana gets one more.
	now = now.Add(25 * time.Hour)
	add("q3@example.net", "new", "", "ana@example.net")
	if sent, err := askers.Acknowledge(ctx); err != nil || sent != 1 || sink.Count() != 2 {
		t.Errorf("a day later: %d, %v; %d messages", sent, err, sink.Count())
	}
	// Turned off, mail comes, turned on again: that mail is backlog.
	if err := StopAcknowledging(ctx, db); err != nil {
		t.Fatal(err)
	}
	received = now.Add(time.Hour).Format(time.RFC3339)
	add("while-off@example.net", "new", "", "eve@example.net")
	now = now.Add(2 * time.Hour)
	if err := askers.StartAcknowledging(ctx); err != nil {
		t.Fatal(err)
	}
	if sent, err := askers.Acknowledge(ctx); err != nil || sent != 0 || sink.Count() != 2 {
		t.Errorf("mail from while they were off: %d, %v; %d messages", sent, err, sink.Count())
	}
}

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
	askers, err := NewAskers(ctx, db, AskersOptions{Queue: q, Mailer: mailer, Newsletter: n, Templates: loadTemplates(t, "")})
	if err != nil {
		t.Fatal(err)
	}
	told, err := askers.Notify(ctx, post)
	if err != nil || told != 1 {
		t.Fatalf("NotifyAskers = %d, %v; want 1 (question 2 has no address)", told, err)
	}
	raw := string(sink.Messages()[0].Data)
	for _, want := range []string{"To: \"Ana\" <ana@example.net>", "Auto-Submitted: auto-generated", "Subject: Your question was answered: On how", "https://ask.example.org/2026/11/25/on-how/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in\n%s", want, raw)
		}
	}
	if told, err := askers.Notify(ctx, post); err != nil || told != 0 || sink.Count() != 1 {
		t.Errorf("again: told %d, %v; %d messages", told, err, sink.Count())
	}
}
