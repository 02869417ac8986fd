package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbag/ingest"
	"mailbag/internal/peers"
	"mailbag/publish/mailinglist"
	"mailbag/questions"
)

// reportsFixture is a state database with a list, a question queue fed
// over IMAP, and a clock the test moves.
type reportsFixture struct {
	t    *testing.T
	db   *sql.DB
	q    *questions.Queue
	subs *mailinglist.Subscribers
	imap *peers.MemIMAP
	in   *ingest.Ingester
	key  []byte
	now  time.Time
}

func newReportsFixture(t *testing.T, addrs ...string) *reportsFixture {
	t.Helper()
	ctx := context.Background()
	db, q := stateFixture(t)
	f := &reportsFixture{t: t, db: db, q: q, key: []byte("0123456789abcdef0123456789abcdef"),
		now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	var err error
	if f.subs, err = mailinglist.NewSubscribers(ctx, db, f.clock); err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if _, _, err := f.subs.Add(ctx, a, "", "test", nil); err != nil {
			t.Fatal(err)
		}
	}
	f.imap = peers.StartMemIMAP(t)
	f.in = ingest.New(q, ingest.Options{
		Server:     ingest.Server{Address: f.imap.Addr, Security: "none", Username: f.imap.Username, Password: f.imap.Password, Mailbox: "INBOX"},
		MailDir:    filepath.Join(t.TempDir(), "mail"),
		OwnAddress: "ask@example.test",
	})
	return f
}

func (f *reportsFixture) clock() time.Time { return f.now }

// delivered records that post slug went to addr as messageID.
func (f *reportsFixture) delivered(slug, addr, messageID string) {
	f.t.Helper()
	sub, err := f.subs.Get(context.Background(), addr)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.db.Exec(`INSERT INTO deliveries (post_slug, subscriber_id, status, message_id, updated) VALUES (?, ?, 'sent', ?, ?)`,
		slug, sub.ID, messageID, f.now.Format(time.RFC3339)); err != nil {
		f.t.Fatal(err)
	}
}

// receive puts raw mail in the mailbox, ingests it and applies the
// reports, returning whom they took off the list.
func (f *reportsFixture) receive(raws ...[]byte) []Marked {
	f.t.Helper()
	ctx := context.Background()
	for _, raw := range raws {
		if err := f.imap.Deliver(raw); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := f.in.Run(ctx); err != nil {
		f.t.Fatal(err)
	}
	marked, err := ApplyReports(ctx, ReportOptions{DB: f.db, Queue: f.q, Subscribers: f.subs, Key: f.key, Now: f.clock})
	if err != nil {
		f.t.Fatal(err)
	}
	return marked
}

func (f *reportsFixture) status(addr string) mailinglist.SubscriberStatus {
	f.t.Helper()
	sub, err := f.subs.Get(context.Background(), addr)
	if err != nil {
		f.t.Fatal(err)
	}
	return sub.Status
}

// lastReason is the reason, with its note, of the last message ingested.
func (f *reportsFixture) lastReason() string {
	f.t.Helper()
	all, err := f.q.List(context.Background(), "")
	if err != nil || len(all) == 0 {
		f.t.Fatal(all, err)
	}
	return all[len(all)-1].Reason
}

// TestPostfixReportsApplied: stock Postfix's reports (RFC 6533 and RFC
// 3464) name the mail they return: the address that does not exist is
// bounced, the one whose domain does not exist gets a soft failure, and a
// subscriber the report does not name stays.
func TestPostfixReportsApplied(t *testing.T) {
	for _, name := range []string{"postfix-smtputf8.eml", "postfix-rfc3464.eml"} {
		t.Run(name, func(t *testing.T) {
			f := newReportsFixture(t, "gone@example.test", "someone@nowhere.invalid", "reader@example.test")
			for _, a := range []string{"gone@example.test", "someone@nowhere.invalid", "reader@example.test"} {
				f.delivered("a-post", a, "post.1.abc@ask.example.test") // Postfix's test mail went to all three at once
			}
			raw, err := os.ReadFile("../../ingest/mailmsg/testdata/reports/" + name)
			if err != nil {
				t.Fatal(err)
			}
			marked := f.receive(raw)
			if len(marked) != 1 || marked[0] != (Marked{"gone@example.test", mailinglist.Bounced}) {
				t.Errorf("marked %+v, want gone@example.test bounced", marked)
			}
			if s := f.status("someone@nowhere.invalid"); s != mailinglist.Active {
				t.Errorf("the address of a missing domain is %s after one failure", s)
			}
			if s := f.status("reader@example.test"); s != mailinglist.Active {
				t.Errorf("reader is %s", s)
			}
			failures, err := f.subs.Failures(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			nowhere, _ := f.subs.Get(context.Background(), "someone@nowhere.invalid")
			if failures[nowhere.ID] != 1 || len(failures) != 1 {
				t.Errorf("failures %v, want one for someone@nowhere.invalid", failures)
			}
			if r := f.lastReason(); !strings.Contains(r, "proven") {
				t.Errorf("reason %q does not say it was proven", r)
			}
		})
	}
}

// TestForgedReportsChangeNothing: reports a stranger writes to the
// questions address change nobody: a DSN or an ARF naming a victim, even
// with the Message-ID of mail the stranger got themselves, a plain mail
// with Hotmail's header, an unsubscribe request from a forged sender. Each
// is kept, saying it proves nothing.
func TestForgedReportsChangeNothing(t *testing.T) {
	var victims []string
	for i := range 30 {
		victims = append(victims, fmt.Sprintf("victim%d@example.net", i))
	}
	f := newReportsFixture(t, append(victims, "stranger@example.org")...)
	f.delivered("a-post", "victim0@example.net", "9f3a1c0e5b7d2468ace13579bdf02468@ask.example.test")
	f.delivered("a-post", "stranger@example.org", "0123456789abcdef0123456789abcdef@ask.example.test")
	dsn := func(rcpt, msgID string) []byte {
		return []byte("From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\nTo: ask@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
			"Message-ID: <" + rcpt + ".dsn@mx.example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nIt failed.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n" +
			"Final-Recipient: rfc822; " + rcpt + "\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
			"From: Ask <ask@example.test>\r\nTo: " + rcpt + "\r\nSubject: A post\r\nMessage-ID: <" + msgID + ">\r\n\r\n--b--\r\n")
	}
	var rcpts []string
	for _, v := range victims {
		rcpts = append(rcpts, "Original-Rcpt-To: "+v)
	}
	arf := []byte("From: abuse@example.net\r\nTo: ask@example.test\r\nSubject: Abuse report\r\nMessage-ID: <arf1@example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSpam.\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: x/1\r\nVersion: 1\r\n" + strings.Join(rcpts, "\r\n") +
		"\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: ask@example.test\r\nTo: victim0@example.net\r\nMessage-ID: <guessed.1.1@ask.example.test>\r\nSubject: x\r\n\r\nx\r\n--b--\r\n")
	hotmail := []byte("From: someone@example.org\r\nTo: ask@example.test\r\nSubject: hello\r\nMessage-ID: <hm1@example.org>\r\nX-HmXmrOriginalRecipient: victim1@example.net\r\n\r\nhello\r\n")
	unsub := []byte("From: victim2@example.net\r\nTo: ask@example.test\r\nSubject: unsubscribe\r\nMessage-ID: <u1@example.org>\r\n\r\nplease\r\n")
	unsubForgedToken := []byte("From: victim3@example.net\r\nTo: ask@example.test\r\nSubject: unsubscribe 4.AAAAAAAAAAAAAAAAAAAAAAAA\r\nMessage-ID: <u2@example.org>\r\n\r\n\r\n")
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"DSN naming a victim", dsn("victim0@example.net", "guessed.1.1@ask.example.test")},
		{"DSN with the stranger's own Message-ID", dsn("victim1@example.net", "0123456789abcdef0123456789abcdef@ask.example.test")},
		{"ARF naming 30", arf},
		{"plain mail with X-HmXmrOriginalRecipient", hotmail},
		{"unsubscribe from a forged sender", unsub},
		{"unsubscribe with a forged token", unsubForgedToken},
	} {
		if marked := f.receive(tc.raw); len(marked) != 0 {
			t.Errorf("%s: took %+v off the list", tc.name, marked)
		}
		if r := f.lastReason(); !strings.Contains(r, "proves nothing") && !strings.Contains(r, "not proven yet") {
			t.Errorf("%s: kept as %q, which does not say it proves nothing", tc.name, r)
		}
	}
	f.now = time.Now().Add(25 * time.Hour) // past the grace (the reports are dated as the server got them): settled for good, still nothing
	if marked, err := ApplyReports(context.Background(), ReportOptions{DB: f.db, Queue: f.q, Subscribers: f.subs, Key: f.key, Now: f.clock}); err != nil || len(marked) != 0 {
		t.Errorf("after a day: %+v, %v", marked, err)
	}
	if left, err := f.q.UnsettledReports(context.Background()); err != nil || len(left) != 0 {
		t.Errorf("%d reports still unsettled after a day, %v", len(left), err)
	}
	for _, a := range append(victims, "stranger@example.org") {
		if s := f.status(a); s != mailinglist.Active {
			t.Errorf("%s is %s", a, s)
		}
	}
}

// TestProvenReportsAct: a complaint naming a delivery's Message-ID marks
// that subscriber complained, even with the address redacted; a mail to
// List-Unsubscribe's mailto: with a valid token unsubscribes its
// subscriber whoever sends it.
func TestProvenReportsAct(t *testing.T) {
	f := newReportsFixture(t, "ana@example.net", "bo@example.net")
	f.delivered("a-post", "ana@example.net", "c0ffee00c0ffee00c0ffee00c0ffee00@ask.example.test")
	arf := []byte("From: fbl@example.net\r\nTo: ask@example.test\r\nSubject: Abuse report\r\nMessage-ID: <arf2@example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSpam.\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: x/1\r\nVersion: 1\r\nOriginal-Rcpt-To: redacted@example.net\r\n\r\n" +
		"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: ask@example.test\r\nTo: redacted@example.net\r\nMessage-ID: <c0ffee00c0ffee00c0ffee00c0ffee00@ask.example.test>\r\nSubject: x\r\n\r\n--b--\r\n")
	if marked := f.receive(arf); len(marked) != 1 || marked[0] != (Marked{"ana@example.net", mailinglist.Complained}) {
		t.Errorf("a proven complaint marked %+v", marked)
	}
	bo, err := f.subs.Get(context.Background(), "bo@example.net")
	if err != nil {
		t.Fatal(err)
	}
	mailto := unsubscribeMailto(mailinglist.Newsletter{Address: "ask@example.test"}, f.key, bo)
	_, subject, _ := strings.Cut(mailto, "?subject=")
	subject = strings.ReplaceAll(subject, "%20", " ")
	req := []byte("From: Someone Else <other@example.org>\r\nTo: ask@example.test\r\nSubject: " + subject + "\r\nMessage-ID: <u3@example.org>\r\n\r\n\r\n")
	if marked := f.receive(req); len(marked) != 1 || marked[0] != (Marked{"bo@example.net", mailinglist.Unsubscribed}) {
		t.Errorf("a signed unsubscribe request marked %+v", marked)
	}
}

// TestSoftBouncesEnd: an address whose mail failed for another reason than
// a missing mailbox (a full mailbox, a relay that gave up retrying, a
// domain that does not exist) is bounced once it failed in three sends
// spanning a week, not before.
func TestSoftBouncesEnd(t *testing.T) {
	f := newReportsFixture(t, "full@example.net")
	status := []string{"5.2.2", "4.4.7", "5.2.2", "5.4.4"} // 4.4.7: the relay retried until it gave up
	report := func(n int) []byte {
		id := fmt.Sprintf("%032x@ask.example.test", n)
		f.delivered(fmt.Sprintf("post-%d", n), "full@example.net", id)
		return []byte(fmt.Sprintf("From: MAILER-DAEMON@mx.example.net\r\nTo: ask@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"+
			"Message-ID: <dsn%d@mx.example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"+
			"--b\r\nContent-Type: text/plain\r\n\r\nFull.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"+
			"Final-Recipient: rfc822; full@example.net\r\nAction: failed\r\nStatus: %s\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"+
			"From: ask@example.test\r\nTo: full@example.net\r\nMessage-ID: <%s>\r\n\r\n--b--\r\n", n, status[n], id))
	}
	for n, day := range []int{0, 3, 6} {
		f.now = time.Date(2026, 12, 1+day, 9, 0, 0, 0, time.UTC)
		if marked := f.receive(report(n)); len(marked) != 0 {
			t.Fatalf("failure %d (day %d) bounced the address: %+v", n+1, day, marked)
		}
	}
	f.now = time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC)
	marked := f.receive(report(3))
	if len(marked) != 1 || marked[0] != (Marked{"full@example.net", mailinglist.Bounced}) {
		t.Errorf("the fourth failure, 8 days after the first: %+v, want bounced", marked)
	}
}
