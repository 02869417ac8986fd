package delivery

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"mailbag/archive"
	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
	"mailbag/publish/mailinglist"
)

var testNewsletter = mailinglist.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}

// sendFixture is a list of n subscribers, a post, and a sender to sink.
type sendFixture struct {
	subs   *mailinglist.Subscribers
	sender *Sender
	r      *Rendered
	key    []byte
}

func newSendFixture(t testing.TB, sink *peers.SMTPSink, n int) *sendFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	subs, err := mailinglist.NewSubscribers(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, _, err := subs.Add(ctx, fmt.Sprintf("reader%d@example.net", i), fmt.Sprintf("Reader %d", i), "test", nil); err != nil {
			t.Fatal(err)
		}
	}
	deliveries, err := NewDeliveries(ctx, db, DeliveriesOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32) // the size of the key that signs tokens
	post := &archive.Post{Title: "A product manager stepped on my toe", Slug: "toe",
		Date: time.Date(2018, 6, 20, 0, 0, 0, 0, time.UTC),
		Body: []byte("\nI was sent this question:\n\n> Product managers...\n\nA *nice* answer <script>x()</script>.\n\nAll the best,\n\n-- Jim\n")}
	r, err := Render(post, RenderOptions{Newsletter: testNewsletter, Key: key, Templates: loadTemplates(t, "")})
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(sink.Addr)
	p, _ := strconv.Atoi(port)
	return &sendFixture{subs: subs, r: r, key: key, sender: &Sender{
		SMTP:        SMTP{Host: host, Port: p, Security: "none"},
		Deliveries:  deliveries,
		Concurrency: 4,
		Backoff:     time.Millisecond,
		MaxAttempts: 20,
	}}
}

func TestSendEachSubscriberOnce(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 60)
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 60 || sum.Failed != 0 || sum.Remaining != 0 {
		t.Fatalf("Send = %+v, %v", sum, err)
	}
	got := peers.PerRecipient(sink.Messages())
	for i := range 60 {
		if n := got[fmt.Sprintf("reader%d@example.net", i)]; n != 1 {
			t.Errorf("reader%d got %d messages", i, n)
		}
	}
	// Run again: nobody is mailed twice.
	if sum, err := f.sender.Send(ctx, f.r, Retry{}); err != nil || sum.Sent != 0 {
		t.Errorf("second Send = %+v, %v", sum, err)
	}
	if sink.Count() != 60 {
		t.Errorf("%d messages after the second run, want 60", sink.Count())
	}

	// One message, read as a mail client would.
	m, err := mail.ReadMessage(bytes.NewReader(sink.Messages()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	for k, want := range map[string]string{
		"Subject":               "A product manager stepped on my toe",
		"Reply-To":              "<ask@example.org>",
		"List-Id":               "Ask Jim <ask.example.org>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(h.Get("From"), "ask@example.org") || h.Get("Date") == "" || !strings.HasSuffix(h.Get("Message-Id"), "@ask.example.org>") {
		t.Errorf("From %q, Date %q, Message-Id %q", h.Get("From"), h.Get("Date"), h.Get("Message-Id"))
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	raw := string(sink.Messages()[0].Data)
	text, html := parts(t, m)
	if !strings.Contains(text, "A *nice* answer") || !strings.Contains(html, "<em>nice</em>") || strings.Contains(html, "x()") {
		t.Errorf("text part:\n%s\nHTML part:\n%s", text, html)
	}
	if strings.Contains(html, "<script>") {
		t.Error("raw HTML from the post reached the HTML part")
	}
	// The personal unsubscribe link works for that subscriber alone.
	unsub := strings.Trim(strings.Split(h.Get("List-Unsubscribe"), ",")[0], "<> ")
	u, err := url.Parse(unsub)
	if err != nil || u.Host != "ask.example.org" || u.Path != "/unsubscribe" {
		t.Fatalf("List-Unsubscribe %q", h.Get("List-Unsubscribe"))
	}
	to, _ := mail.ParseAddress(h.Get("To"))
	sub, err := f.subs.Get(ctx, to.Address)
	if err != nil {
		t.Fatal(err)
	}
	tok := u.Query().Get("t")
	if got, err := f.subs.Unsubscriber(ctx, f.key, tok); err != nil || got.ID != sub.ID {
		t.Errorf("the token in %s does not verify for %s: %v", unsub, sub.Email, err)
	}
	if !strings.Contains(raw, tok) {
		t.Error("the unsubscribe link is not in the body")
	}
}

// parts returns the decoded text and HTML parts of a multipart/alternative
// message.
func parts(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		b, _ := io.ReadAll(r)
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			text = string(b)
		case strings.HasPrefix(ct, "text/html"):
			html = string(b)
		}
	}
	return text, html
}

// TestSendThroughFaults: a server that answers 421 and 451 at random and
// drops connections mid-message still ends with every subscriber holding
// exactly one accepted message.
func TestSendThroughFaults(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	rng := rand.New(rand.NewPCG(3, 4))
	var mu sync.Mutex
	var faults atomic.Int64
	sink.SetFault(func(string) error {
		mu.Lock()
		n := rng.IntN(10)
		mu.Unlock()
		switch n {
		case 0:
			faults.Add(1)
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy, come back later"}
		case 1:
			faults.Add(1)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "local error"}
		case 2:
			faults.Add(1)
			return peers.ErrDrop
		}
		return nil
	})
	f := newSendFixture(t, sink, 200)
	sum, err := f.sender.Send(context.Background(), f.r, Retry{})
	// A connection dropped as the message's end went out leaves it
	// unconfirmed: the server may have taken it (here it had not).
	if err != nil || sum.Sent+sum.Unconfirmed != 200 || sum.Failed != 0 {
		t.Fatalf("Send = %+v, %v", sum, err)
	}
	got := peers.PerRecipient(sink.Messages())
	if len(got) != sum.Sent {
		t.Errorf("%d recipients got mail, want %d", len(got), sum.Sent)
	}
	for to, n := range got {
		if n != 1 {
			t.Errorf("%s got %d messages", to, n)
		}
	}
	// Asked to, the next run sends the unconfirmed ones again.
	sink.SetFault(nil)
	again, err := f.sender.Send(context.Background(), f.r, Retry{Unconfirmed: true})
	if err != nil || again.Sent != sum.Unconfirmed {
		t.Fatalf("Send again = %+v, %v; want %d sent", again, err, sum.Unconfirmed)
	}
	if got := peers.PerRecipient(sink.Messages()); len(got) != 200 {
		t.Errorf("%d recipients got mail in the end, want 200", len(got))
	}
	if faults.Load() < 20 {
		t.Errorf("only %d faults injected: the test proves little", faults.Load())
	}
}

func TestSendHardBounceMarksTheSubscriber(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	sink.SetFault(func(to string) error {
		if to == "reader3@example.net" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	})
	f := newSendFixture(t, sink, 5)
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 4 || sum.Failed != 1 || sum.Bounced != 1 {
		t.Fatalf("Send = %+v, %v", sum, err)
	}
	if sub, _ := f.subs.Get(ctx, "reader3@example.net"); sub.Status != mailinglist.Bounced {
		t.Errorf("reader3 is %s, want bounced", sub.Status)
	}
	counts, _ := f.sender.Deliveries.Counts(ctx, "toe")
	if counts.Failed != 1 || counts.Sent != 4 {
		t.Errorf("deliveries = %+v", counts)
	}
}

// TestSendResumes: a run stopped half-way, then a run that finishes, mail
// every subscriber once; deliveries whose acceptance was never recorded are
// reported and not re-sent unless asked.
func TestSendResumes(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 100)
	ctx, cancel := context.WithCancel(context.Background())
	sink.SetFault(func(string) error {
		if sink.Count() >= 30 {
			cancel()
		}
		return nil
	})
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err == nil || sum.Remaining == 0 {
		t.Fatalf("stopped run = %+v, %v; want stopped with some left", sum, err)
	}
	sink.SetFault(nil)
	// As if a crash left five handed to the server, answer unrecorded.
	db := f.sender.Deliveries.db
	if _, err := db.Exec(`INSERT INTO deliveries (post_slug, subscriber_id, status, updated)
		SELECT 'toe', id, 'sending', '2026-01-01T00:00:00Z' FROM subscribers s
		WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = s.id) LIMIT 5`); err != nil {
		t.Fatal(err)
	}
	sum, err = f.sender.Send(context.Background(), f.r, Retry{})
	if err != nil || sum.Unconfirmed != 5 || sum.Remaining != 0 {
		t.Fatalf("second run = %+v, %v", sum, err)
	}
	if sink.Count() != 95 {
		t.Errorf("%d messages, want 95 (five unconfirmed not re-sent)", sink.Count())
	}
	sum, err = f.sender.Send(context.Background(), f.r, Retry{Unconfirmed: true})
	if err != nil || sum.Sent != 5 {
		t.Fatalf("retrying the unconfirmed = %+v, %v", sum, err)
	}
	got := peers.PerRecipient(sink.Messages())
	if len(got) != 100 {
		t.Errorf("%d recipients, want 100", len(got))
	}
	for to, n := range got {
		if n != 1 {
			t.Errorf("%s got %d messages", to, n)
		}
	}
}

// TestSendSignsWithDKIM: the list mail is DKIM-signed over the headers a
// reader acts on, the list headers included (RFC 8058, 4): an independent
// verifier (go-msgauth) passes it, and fails it once List-Unsubscribe is
// replaced, or a second one added.
func TestSendSignsWithDKIM(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 2)
	key, err := rsa.GenerateKey(crand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f.sender.SMTP.DKIMDomain, f.sender.SMTP.DKIMSelector, f.sender.SMTP.DKIMKey = "example.org", "mail2026", key
	if sum, err := f.sender.Send(context.Background(), f.r, Retry{}); err != nil || sum.Sent != 2 {
		t.Fatalf("Send = %+v, %v", sum, err)
	}
	raw := sink.Messages()[0].Data
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	sig := m.Header.Get("Dkim-Signature")
	for _, want := range []string{"d=example.org", "s=mail2026", "b="} {
		if !strings.Contains(sig, want) {
			t.Errorf("DKIM-Signature %q has no %q", sig, want)
		}
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(domain string) ([]string, error) {
		if domain != "mail2026._domainkey.example.org" {
			return nil, fmt.Errorf("no TXT record for %s", domain)
		}
		return []string{"v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
	}
	verify := func(raw []byte) error {
		v, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
		if err != nil {
			return err
		}
		if len(v) != 1 {
			return fmt.Errorf("%d signatures", len(v))
		}
		if v[0].Err != nil {
			return v[0].Err
		}
		for _, h := range []string{"list-unsubscribe", "list-unsubscribe-post", "list-id", "from", "reply-to", "subject", "message-id"} {
			if !slices.ContainsFunc(v[0].HeaderKeys, func(k string) bool { return strings.EqualFold(k, h) }) {
				return fmt.Errorf("%s is not signed (h=%v)", h, v[0].HeaderKeys)
			}
		}
		return nil
	}
	if err := verify(raw); err != nil {
		t.Fatalf("the signature does not verify: %v", err)
	}
	unsub := m.Header.Get("List-Unsubscribe")
	forged := bytes.Replace(raw, []byte(unsub), []byte("<https://evil.example/unsubscribe>"), 1)
	if bytes.Equal(forged, raw) {
		t.Fatal("no List-Unsubscribe to forge")
	}
	if err := verify(forged); err == nil {
		t.Error("a replaced List-Unsubscribe still verifies")
	}
	added := append([]byte("List-Unsubscribe: <https://evil.example/u>\r\n"), raw...)
	if err := verify(added); err == nil {
		t.Error("an added List-Unsubscribe still verifies")
	}
}

// TestSendRespectsTheRate: at 5 messages a second, half a second sends at
// most 4 (the first at once, then one each 200 ms), however fast the
// machine; a slower one sends fewer.
func TestSendRespectsTheRate(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 50)
	f.sender.Rate = 5
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	sum, _ := f.sender.Send(ctx, f.r, Retry{})
	if n := sink.Count(); n > 4 || n < 1 {
		t.Errorf("%d messages in half a second at 5 a second", n)
	}
	if sum.Remaining < 46 {
		t.Errorf("summary %+v: too many sent", sum)
	}
}

// TestSendStopsWhenTheRelayIsDown: a relay that cannot be reached stops
// the run with the reason, after a few tries, and fails nobody: the next
// run, once the relay is back, mails everyone.
func TestSendStopsWhenTheRelayIsDown(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 20)
	f.sender.MaxAttempts = 3
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closed, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	up := f.sender.SMTP.Port
	f.sender.SMTP.Port, _ = strconv.Atoi(closed)

	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err == nil || !strings.Contains(err.Error(), "connect to the mail relay 127.0.0.1:"+closed) || !strings.Contains(err.Error(), "run send again") {
		t.Errorf("Send with the relay down = %v; want the reason and what to do", err)
	}
	if sum.Failed != 0 || sum.Remaining != 20 {
		t.Errorf("with the relay down: %+v; want none failed, 20 remaining", sum)
	}
	if _, err := os.Stat(f.sender.Deliveries.journalPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the journal is left after a run that recorded everything: %v", err)
	}
	f.sender.SMTP.Port = up
	sum, err = f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 20 || sum.Remaining != 0 {
		t.Fatalf("once the relay is back: %+v, %v", sum, err)
	}
}

// TestSendDefersWhatTheServerDefers: a recipient the server keeps
// answering 4xx for is left for the next run, the others are mailed, and
// the next run mails it once.
func TestSendDefersWhatTheServerDefers(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	sink.SetFault(func(to string) error {
		if to == "reader3@example.net" {
			return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy"}
		}
		return nil
	})
	f := newSendFixture(t, sink, 6)
	f.sender.MaxAttempts = 3
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 5 || sum.Deferred != 1 || sum.Failed != 0 || sum.Remaining != 1 {
		t.Fatalf("Send = %+v, %v; want 5 sent, 1 deferred", sum, err)
	}
	var status, reason string
	if err := f.sender.Deliveries.db.QueryRow(`SELECT d.status, d.error FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE s.email = 'reader3@example.net'`).Scan(&status, &reason); err != nil || status != "pending" || !strings.Contains(reason, "mailbox busy") {
		t.Errorf("reader3's delivery: %s %q, %v", status, reason, err)
	}
	sink.SetFault(nil)
	sum, err = f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 1 || sum.Remaining != 0 {
		t.Fatalf("the next run = %+v, %v", sum, err)
	}
	for to, n := range peers.PerRecipient(sink.Messages()) {
		if n != 1 {
			t.Errorf("%s got %d messages", to, n)
		}
	}
}

// TestSendDatesEachMessageWhenSent: copies are made ahead of sending, well
// ahead under a rate limit, but each is dated when it goes out.
func TestSendDatesEachMessageWhenSent(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	sink.SetFault(func(to string) error {
		mu.Lock()
		defer mu.Unlock()
		arrived[to] = time.Now()
		return nil
	})
	f := newSendFixture(t, sink, 8)
	f.sender.Rate = 4 // the last leaves about 1.75 s after all were made
	if sum, err := f.sender.Send(context.Background(), f.r, Retry{}); err != nil || sum.Sent != 8 {
		t.Fatalf("Send = %+v, %v", sum, err)
	}
	for _, m := range sink.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		date, err := msg.Header.Date()
		if err != nil {
			t.Fatal(err)
		}
		// The Date header has whole seconds.
		if lag := arrived[m.To[0]].Sub(date); lag < 0 || lag >= 1500*time.Millisecond {
			t.Errorf("%s: dated %s, arrived %s later", m.To[0], date.Format(time.RFC3339), lag)
		}
	}
}
