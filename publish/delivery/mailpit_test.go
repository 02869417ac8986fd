package delivery

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mailbag/internal/peers"
)

// TestSendToMailpit mails 500 subscribers through a real Mailpit: each
// gets exactly one message, with the list headers, both parts, and an
// unsubscribe link that works for that address.
func TestSendToMailpit(t *testing.T) {
	const n = 500
	mp := peers.StartMailpit(t)
	// newSendFixture wants a sink; point its sender at Mailpit instead.
	f := newSendFixture(t, peers.StartSMTPSink(t, true), n)
	host, port, _ := net.SplitHostPort(mp.SMTPAddr)
	f.sender.SMTP.Host = host
	f.sender.SMTP.Port, _ = strconv.Atoi(port)

	sum, err := f.sender.Send(context.Background(), f.r, Retry{})
	if err != nil || sum.Sent != n || sum.Failed != 0 {
		t.Fatalf("Send = %+v, %v", sum, err)
	}
	msgs := mp.Messages(t)
	if len(msgs) != n {
		t.Fatalf("Mailpit holds %d messages, want %d", len(msgs), n)
	}
	got := map[string]int{}
	for _, m := range msgs {
		for _, to := range m.To {
			got[to.Address]++
		}
	}
	for i := range n {
		if c := got[fmt.Sprintf("reader%d@example.net", i)]; c != 1 {
			t.Errorf("reader%d got %d messages", i, c)
		}
	}
	one := msgs[0]
	h := mp.Headers(t, one.ID)
	for k, want := range map[string]string{
		"List-Id":               "Ask Jim <ask.example.org>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Reply-To":              "<ask@example.org>",
	} {
		if len(h[k]) != 1 || h[k][0] != want {
			t.Errorf("%s: %q, want %q", k, h[k], want)
		}
	}
	body := mp.Message(t, one.ID)
	if !strings.Contains(body.Text, "I was sent this question") || !strings.Contains(body.HTML, `<blockquote style="`) {
		t.Errorf("parts: text %q..., html %q...", body.Text[:min(80, len(body.HTML))], body.HTML[:min(80, len(body.HTML))])
	}
	// The HTML renders in mail clients: every style inline (no <style>),
	// links absolute, and Mailpit's client-support check at 95% or more.
	if strings.Contains(body.HTML, "<style") || strings.Contains(body.HTML, `href="/`) || strings.Contains(body.HTML, `href="#`) ||
		!strings.Contains(body.HTML, `<!--[if mso]><table role="presentation" width="640"`) {
		t.Errorf("the HTML part has a <style> element or a relative link:\n%s", body.HTML)
	}
	if check := mp.CheckHTML(t, one.ID); check.Supported < 95 {
		t.Errorf("Mailpit's HTML check: %.1f%% supported, want 95%% or more; warnings: %q", check.Supported, check.Warnings)
	} else {
		t.Logf("Mailpit's HTML check: %.2f%% supported; warnings: %q", check.Supported, check.Warnings)
	}
	unsub := strings.Trim(strings.Split(h["List-Unsubscribe"][0], ",")[0], "<> ")
	u, err := url.Parse(unsub)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := f.subs.Get(context.Background(), one.To[0].Address)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.subs.Unsubscriber(context.Background(), f.key, u.Query().Get("t")); err != nil || got.ID != sub.ID {
		t.Errorf("the unsubscribe token of %s does not verify: %v", sub.Email, err)
	}
	if !strings.Contains(body.Text, unsub) {
		t.Errorf("the text part has no unsubscribe link %s", unsub)
	}
}
