package delivery

import (
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"mailbag/internal/peers"
	"mailbag/publish/mailinglist"
)

// TestClassify: each rule of the table, for replies and delivery reports.
func TestClassify(t *testing.T) {
	tests := []struct {
		name           string
		code           int
		enhanced       string
		mailFrom, rcpt bool
		want           verdict
	}{
		{"dropped", 0, "", false, false, tryLater},
		{"greylisted", 450, "4.2.0", false, true, tryLater},
		{"closing", 421, "4.3.0", false, false, tryLater},
		{"sender refused", 550, "5.1.8", true, false, relayRefuses},
		{"sender refused at RCPT", 553, "5.1.7", false, true, relayRefuses},
		{"any 5xx to MAIL FROM", 550, "", true, false, relayRefuses},
		{"relaying denied", 550, "5.7.1", false, true, relayRefuses},
		{"auth required", 530, "", false, false, relayRefuses},
		{"auth failed", 535, "5.7.8", false, false, relayRefuses},
		{"protocol", 501, "5.5.4", false, false, relayRefuses},
		{"system full", 552, "5.3.4", false, false, relayRefuses},
		{"no such user", 550, "5.1.1", false, true, addressGone},
		{"no such domain", 550, "5.1.2", false, true, addressGone},
		{"bad syntax", 553, "5.1.3", false, true, addressGone},
		{"moved", 551, "5.1.6", false, true, addressGone},
		{"null MX", 556, "5.1.10", false, true, addressGone},
		{"plain 550 to RCPT", 550, "", false, true, addressGone},
		{"plain 553 to RCPT", 553, "", false, true, addressGone},
		{"plain 550 after DATA", 550, "", false, false, messageRefused},
		{"mailbox full", 552, "5.2.2", false, true, messageRefused},
		{"other address status", 550, "5.1.0", false, true, messageRefused},
		{"content refused", 554, "5.6.0", false, false, messageRefused},
	}
	for _, tt := range tests {
		if got := classify(tt.code, tt.enhanced, tt.mailFrom, tt.rcpt); got != tt.want {
			t.Errorf("%s: classify(%d, %q) = %d, want %d", tt.name, tt.code, tt.enhanced, got, tt.want)
		}
	}
	for _, tt := range []struct {
		action, status string
		want           verdict
	}{
		{"failed", "5.1.1", addressGone},
		{"failed", "5.1.10", addressGone},
		{"failed", "5.7.1", relayRefuses}, // a policy or content refusal: not a bounce
		{"failed", "5.2.2", messageRefused},
		{"delayed", "4.4.7", tryLater},
		{"delivered", "2.0.0", tryLater},
		{"failed", "4.4.7", tryLater},
	} {
		if got := reportVerdict(tt.action, tt.status); got != tt.want {
			t.Errorf("report %s %s = %d, want %d", tt.action, tt.status, got, tt.want)
		}
	}
}

// TestSendStopsWhenTheRelayRefusesTheSender: a relay refusing our MAIL FROM
// (550 5.1.8) stops the run blaming the relay; nobody is failed or
// bounced, and everyone is mailed once the relay takes it.
func TestSendStopsWhenTheRelayRefusesTheSender(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	sink.SetMailFault(func(string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 8}, Message: "sender domain has no MX"}
	})
	f := newSendFixture(t, sink, 20)
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err == nil || !strings.Contains(err.Error(), "the mail relay refuses to send for this newsletter") || sum.Failed != 0 || sum.Bounced != 0 {
		t.Fatalf("Send = %+v, %v; want a stop blaming the relay", sum, err)
	}
	active, _ := f.subs.List(ctx, mailinglist.Active)
	if len(active) != 20 {
		t.Errorf("%d subscribers active after the refusal, want 20", len(active))
	}
	sink.SetMailFault(nil)
	if sum, err := f.sender.Send(ctx, f.r, Retry{}); err != nil || sum.Sent != 20 {
		t.Fatalf("Send after the relay is mended = %+v, %v", sum, err)
	}
}

// TestSendReadsRecipientRefusals: at RCPT, 5.1.1 and a plain 550 bounce
// their subscriber, a full mailbox fails the delivery only, and relaying
// denied (5.7.1) stops the run, failing nobody else.
func TestSendReadsRecipientRefusals(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	sink.SetRcptFault(func(to string) error {
		switch to {
		case "reader1@example.net":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		case "reader2@example.net":
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.NoEnhancedCode, Message: "unknown user"}
		case "reader3@example.net":
			return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"}
		}
		return nil
	})
	f := newSendFixture(t, sink, 6)
	f.sender.Concurrency = 1
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 3 || sum.Failed != 3 || sum.Bounced != 2 {
		t.Fatalf("Send = %+v, %v", sum, err)
	}
	for addr, want := range map[string]mailinglist.SubscriberStatus{"reader1@example.net": mailinglist.Bounced, "reader2@example.net": mailinglist.Bounced, "reader3@example.net": mailinglist.Active} {
		if sub, _ := f.subs.Get(ctx, addr); sub.Status != want {
			t.Errorf("%s is %s, want %s", addr, sub.Status, want)
		}
	}

	g := newSendFixture(t, sink, 6)
	g.sender.Concurrency = 1
	sink.SetRcptFault(func(to string) error {
		if to == "reader2@example.net" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relaying denied"}
		}
		return nil
	})
	sum, err = g.sender.Send(ctx, g.r, Retry{})
	if err == nil || sum.Failed != 0 || sum.Bounced != 0 {
		t.Fatalf("Send with relaying denied = %+v, %v; want a stop, nobody failed", sum, err)
	}
}

// TestSendNeverTwiceWhenTheReplyIsLost: the connection drops after the
// message's final dot, before the server's reply (the server kept the
// message): it is unconfirmed, and not sent again in the same run.
func TestSendNeverTwiceWhenTheReplyIsLost(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	sink.SetFault(func(to string) error {
		if to == "reader2@example.net" {
			return peers.ErrDropAfterData
		}
		return nil
	})
	f := newSendFixture(t, sink, 5)
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 4 || sum.Unconfirmed != 1 || sum.Failed != 0 {
		t.Fatalf("Send = %+v, %v; want 4 sent, 1 unconfirmed", sum, err)
	}
	if got := peers.PerRecipient(sink.Messages()); got["reader2@example.net"] != 1 || len(got) != 5 {
		t.Errorf("messages per recipient = %v; want one each", got)
	}
	// The next run reports it again, and still does not send it.
	sum, err = f.sender.Send(ctx, f.r, Retry{})
	if err != nil || sum.Sent != 0 || sum.Unconfirmed != 1 {
		t.Fatalf("Send again = %+v, %v", sum, err)
	}
	if got := peers.PerRecipient(sink.Messages()); got["reader2@example.net"] != 1 {
		t.Errorf("reader2 got %d messages", got["reader2@example.net"])
	}
}

// TestSendStopsOn421MidRun: a relay that starts closing every session
// (421) part-way through stops the run; nobody is failed, and the next run
// mails the rest, once each.
func TestSendStopsOn421MidRun(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	f := newSendFixture(t, sink, 30)
	f.sender.MaxAttempts = 3
	f.sender.Concurrency = 1
	sink.SetFault(func(string) error {
		if sink.Count() >= 10 {
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "shutting down"}
		}
		return nil
	})
	sum, err := f.sender.Send(ctx, f.r, Retry{})
	if err == nil || sum.Sent != 10 || sum.Failed != 0 || sum.Remaining != 20 {
		t.Fatalf("Send = %+v, %v; want a stop after 10, nobody failed", sum, err)
	}
	sink.SetFault(nil)
	if sum, err := f.sender.Send(ctx, f.r, Retry{}); err != nil || sum.Sent != 20 {
		t.Fatalf("the next run = %+v, %v", sum, err)
	}
	for to, n := range peers.PerRecipient(sink.Messages()) {
		if n != 1 {
			t.Errorf("%s got %d", to, n)
		}
	}
}
