package delivery

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailbag/archive"
	"mailbag/internal/peers"
	"mailbag/publish/mailinglist"
	"mailbag/questions"
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
	authenticated := "dmarc=pass (mx.example.org)"
	addNoReply := func(key, status, kind, from, noReply string) {
		t.Helper()
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, kind, received, subject, body, from_name, from_addr, mailbox, uidvalidity, uid, created, no_auto_reply, authenticated)
			VALUES (?, ?, ?, ?, 'How?', 'How?', 'Ana', ?, 'INBOX', 1, 1, '2026-11-24T10:00:00Z', ?, ?)`, key, status, kind, received, from, noReply, authenticated); err != nil {
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
	n := mailinglist.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	askers, err := NewAskers(ctx, db, AskersOptions{Queue: q, Mailer: m, Newsletter: n, Templates: loadTemplates(t, ""), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if sent, err := askers.Acknowledge(ctx); err != nil || sent.Sent != 0 {
		t.Fatalf("before acknowledgements are turned on: %d, %v", sent.Sent, err)
	}
	if err := askers.StartAcknowledging(ctx); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	if err := askers.StartAcknowledging(ctx); err != nil { // on already: since 9:00 still
		t.Fatal(err)
	}
	if sent, err := askers.Acknowledge(ctx); err != nil || sent.Sent != 1 {
		t.Fatalf("Acknowledge = %d, %v; want 1", sent.Sent, err)
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
	if sent, err := askers.Acknowledge(ctx); err != nil || sent.Sent != 0 {
		t.Errorf("again: %d, %v", sent.Sent, err)
	}
	// A day later a new question from ana gets one more.
	now = now.Add(25 * time.Hour)
	add("q3@example.net", "new", "", "ana@example.net")
	if sent, err := askers.Acknowledge(ctx); err != nil || sent.Sent != 1 || sink.Count() != 2 {
		t.Errorf("a day later: %d, %v; %d messages", sent.Sent, err, sink.Count())
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
	if sent, err := askers.Acknowledge(ctx); err != nil || sent.Sent != 0 || sink.Count() != 2 {
		t.Errorf("mail from while they were off: %d, %v; %d messages", sent.Sent, err, sink.Count())
	}
}

func TestNotifyAskersOnce(t *testing.T) {
	ctx := context.Background()
	db, q := stateFixture(t)
	for i, from := range []string{"ana@example.net", "", "forged@victims.example"} {
		auth := "dmarc=pass (mx.example.org)"
		if i == 2 {
			auth = ""
		}
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, received, subject, body, from_name, from_addr, mailbox, uidvalidity, uid, created, authenticated)
			VALUES (?, 'answered', '2026-11-24T10:00:00Z', 'How?', 'How?', 'Ana', ?, 'INBOX', 1, ?, '2026-11-24T10:00:00Z', ?)`, i, from, i+1, auth); err != nil {
			t.Fatal(err)
		}
	}
	sink := peers.StartSMTPSink(t, false)
	mailer := sinkMailer(sink)
	post := &archive.Post{Title: "On how", Slug: "on-how", Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Questions: []int64{1, 2, 3}}
	n := mailinglist.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}
	askers, err := NewAskers(ctx, db, AskersOptions{Queue: q, Mailer: mailer, Newsletter: n, Templates: loadTemplates(t, "")})
	if err != nil {
		t.Fatal(err)
	}
	told, err := askers.Notify(ctx, post)
	if err != nil || told != 1 {
		t.Fatalf("NotifyAskers = %d, %v; want 1 (question 2 has no address, 3 an unauthenticated sender)", told, err)
	}
	raw := string(sink.Messages()[0].Data)
	for _, want := range []string{"To: <ana@example.net>", "Auto-Submitted: auto-generated", "Subject: Your question was answered: On how", "https://ask.example.org/2026/11/25/on-how/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in\n%s", want, raw)
		}
	}
	if told, err := askers.Notify(ctx, post); err != nil || told != 0 || sink.Count() != 1 {
		t.Errorf("again: told %d, %v; %d messages", told, err, sink.Count())
	}
}

// TestNoBackscatter: fifty questions from forged senders, the spammer's
// text in the display name and a 970-character subject, get no
// acknowledgement; an authenticated one with such a subject gets one that
// quotes at most 78 characters of it, without control characters, and
// never the display name.
func TestNoBackscatter(t *testing.T) {
	ctx := context.Background()
	db, q := stateFixture(t)
	spam := "BUY CHEAP PILLS https://spam.example/buy \x1b]52;c;aGFja2Vk\x07 " + strings.Repeat("now ", 230)
	insert := func(key, from, auth string) {
		t.Helper()
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, received, subject, body, from_name, from_addr, mailbox, uidvalidity, uid, created, authenticated)
			VALUES (?, 'new', '2026-11-24T10:00:00Z', ?, 'How?', 'CHEAP PILLS https://spam.example/buy', ?, 'INBOX', 1, 1, '2026-11-24T10:00:00Z', ?)`,
			key, spam, from, auth); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		insert(fmt.Sprintf("spam%d@spam.example", i), fmt.Sprintf("target%d@victims.example", i), "")
	}
	insert("real@example.net", "ana@example.net", "dkim=pass (mx.example.org)")
	sink := peers.StartSMTPSink(t, false)
	askers := acknowledging(t, db, q, sink)
	sum, err := askers.Acknowledge(ctx)
	if err != nil || sum != (AckSummary{Sent: 1, Unauthenticated: 50}) {
		t.Fatalf("Acknowledge = %+v, %v; want 1 sent, 50 unauthenticated", sum, err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages went out", len(msgs))
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(strings.TrimPrefix(subject, "Re: "))); n > 79 || strings.ContainsAny(subject, "\x1b\x07") {
		t.Errorf("subject of %d characters: %q", n, subject)
	}
	if to := m.Header.Get("To"); to != "<ana@example.net>" {
		t.Errorf("To: %q, want the address alone", to)
	}
	if body, _ := io.ReadAll(m.Body); bytes.Contains(body, []byte("CHEAP PILLS")) && bytes.Contains(body, []byte("spam.example/buy now now now now now")) {
		t.Errorf("the body carries the whole subject:\n%s", body)
	}
}

// TestAcknowledgeFailureStopsNothing: when one acknowledgement cannot be
// sent (the relay refuses that recipient), the others still go, the failed
// one is tried again by the next pass, and given up after three tries.
func TestAcknowledgeFailureStopsNothing(t *testing.T) {
	ctx := context.Background()
	db, q := stateFixture(t)
	for i, from := range []string{"ana@example.net", "refused@example.net", "bo@example.net"} {
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, received, subject, body, from_addr, mailbox, uidvalidity, uid, created, authenticated)
			VALUES (?, 'new', '2026-11-24T10:00:00Z', 'How?', 'How?', ?, 'INBOX', 1, ?, '2026-11-24T10:00:00Z', 'dmarc=pass (mx)')`, i, from, i+1); err != nil {
			t.Fatal(err)
		}
	}
	sink := peers.StartSMTPSink(t, false)
	sink.SetRcptFault(func(to string) error {
		if to == "refused@example.net" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "refused"}
		}
		return nil
	})
	askers := acknowledging(t, db, q, sink)
	for pass, want := range []AckSummary{{Sent: 2, Failed: 1}, {Failed: 1}, {Failed: 1}, {}} {
		if sum, err := askers.Acknowledge(ctx); err != nil || sum != want {
			t.Errorf("pass %d: %+v, %v; want %+v", pass+1, sum, err, want)
		}
	}
	if n := sink.Count(); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

// acknowledging returns Askers that mail through sink, acknowledgements
// turned on at 9:00 on 24 November 2026, and the clock two hours later:
// questions received at 10:00 are answered.
func acknowledging(t *testing.T, db *sql.DB, q *questions.Queue, sink *peers.SMTPSink) *Askers {
	t.Helper()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	askers, err := NewAskers(context.Background(), db, AskersOptions{Queue: q, Mailer: sinkMailer(sink), Templates: loadTemplates(t, ""),
		Newsletter: mailinglist.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"},
		Now:        func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := askers.StartAcknowledging(context.Background()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	return askers
}

// An asker who is on the list and was sent the post is not also told
// that it is out: one mail about the answer, not two.
func TestNotifySkipsAskersWhoHadThePost(t *testing.T) {
	ctx := context.Background()
	db, q := stateFixture(t)
	for i, from := range []string{"Ana@Example.net", "bo@example.net"} {
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, received, subject, body, from_name, from_addr, mailbox, uidvalidity, uid, created, authenticated)
			VALUES (?, 'answered', '2026-11-24T10:00:00Z', 'How?', 'How?', '', ?, 'INBOX', 1, ?, '2026-11-24T10:00:00Z', 'dmarc=pass (mx.example.org)')`, i, from, i+1); err != nil {
			t.Fatal(err)
		}
	}
	subs, err := mailinglist.NewSubscribers(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ana, _, err := subs.Add(ctx, "ana@example.net", "", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO deliveries (post_slug, subscriber_id, status, message_id, updated) VALUES ('on-how', ?, 'sent', 'm1@x', '2026-11-25T00:00:00Z')`, ana.ID); err != nil {
		t.Fatal(err)
	}
	sink := peers.StartSMTPSink(t, false)
	n := mailinglist.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}
	askers, err := NewAskers(ctx, db, AskersOptions{Queue: q, Mailer: sinkMailer(sink), Newsletter: n, Templates: loadTemplates(t, "")})
	if err != nil {
		t.Fatal(err)
	}
	post := &archive.Post{Title: "On how", Slug: "on-how", Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Questions: []int64{1, 2}}
	if told, err := askers.Notify(ctx, post); err != nil || told != 1 {
		t.Fatalf("Notify = %d, %v; want 1: Ana had the post", told, err)
	}
	if got := peers.PerRecipient(sink.Messages()); len(got) != 1 || got["bo@example.net"] != 1 {
		t.Errorf("told %v, want bo alone", got)
	}
}
