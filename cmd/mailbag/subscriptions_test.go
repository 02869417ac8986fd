package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/archive/site"
	"mailbag/internal/automail"
	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
	"mailbag/publish"
	"mailbag/publish/delivery"
	"mailbag/publish/mailinglist"
	"mailbag/templates"
)

// subsFixture is the site of an empty home with its subscriber pages
// backed by publish's Subscriptions, as serve wires them.
type subsFixture struct {
	log   *peers.Output // what Subscriptions logged
	srv   *httptest.Server
	subs  *mailinglist.Subscribers
	p     *mailinglist.Subscriptions
	key   []byte
	clock time.Time // the subscribers' clock; tests move it
}

// fixtureOptions: mailer sends the confirmations (nil: subscribing is
// closed); proxies are the site's trusted proxies.
type fixtureOptions struct {
	mailer  automail.Mailer
	proxies []netip.Prefix
	perHour int
}

func newSubsFixture(t *testing.T, o fixtureOptions) *subsFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &subsFixture{clock: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), key: []byte(strings.Repeat("k", 32)), log: &peers.Output{}}
	f.subs, err = mailinglist.NewSubscribers(ctx, db, func() time.Time { return f.clock })
	if err != nil {
		t.Fatal(err)
	}
	set, err := templates.Load(templates.Options{Funcs: publish.TemplateFuncs})
	if err != nil {
		t.Fatal(err)
	}
	f.p, err = mailinglist.NewSubscriptions(mailinglist.SubscriptionsOptions{Subscribers: f.subs, Key: f.key, Templates: set, Mailer: o.mailer, PerHour: o.perHour,
		Log:        slog.New(slog.NewTextHandler(f.log, nil)),
		Newsletter: mailinglist.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.p.Close() })
	posts := &archive.Posts{Dir: filepath.Join(dir, "posts")}
	x, _, err := search.OpenIndex(filepath.Join(dir, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	s, err := site.New(site.Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Address: "ask@example.org",
		Posts: posts, Index: x, Templates: set, Subscriptions: subscriptions{f.p}, TrustedProxies: o.proxies})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// subscriptionsFixture is newSubsFixture with mailer, in three values.
func subscriptionsFixture(t *testing.T, mailer automail.Mailer) (*httptest.Server, *mailinglist.Subscribers, []byte) {
	f := newSubsFixture(t, fixtureOptions{mailer: mailer})
	return f.srv, f.subs, f.key
}

// post POSTs form to path, with headers (name, value, ...).
func (f *subsFixture) post(t *testing.T, path, form string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestUnsubscribe(t *testing.T) {
	ctx := context.Background()
	srv, subs, key := subscriptionsFixture(t, nil)
	ana, _, _ := subs.Add(ctx, "ana@example.net", "", "test", nil)
	bo, _, _ := subs.Add(ctx, "bo@example.net", "", "test", nil)
	tok := mailinglist.UnsubscribeToken(key, ana)

	// A GET, as a link scanner makes, shows a button and changes nothing.
	req, _ := http.NewRequest("GET", srv.URL+"/unsubscribe?t="+url.QueryEscape(tok), nil)
	status, body := do(t, req)
	if status != 200 || !strings.Contains(body, `<form method="post" action="/unsubscribe">`) || !strings.Contains(body, "ana@example.net will get no more answers") {
		t.Fatalf("GET: %d\n%s", status, body)
	}
	if s, _ := subs.Get(ctx, "ana@example.net"); s.Status != mailinglist.Active {
		t.Fatalf("a GET unsubscribed ana: %s", s.Status)
	}

	// Forged, another address's: refused, nothing changes (another purpose: mailinglist's TestTokens).
	for name, bad := range map[string]string{
		"forged":          mailinglist.UnsubscribeToken([]byte(strings.Repeat("x", 32)), ana),
		"another address": strings.Replace(tok, tok[:strings.IndexByte(tok, '.')], mailinglist.UnsubscribeToken(key, bo)[:strings.IndexByte(mailinglist.UnsubscribeToken(key, bo), '.')], 1),
		"junk":            "junk",
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/unsubscribe", strings.NewReader("t="+url.QueryEscape(bad)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := do(t, req); status != 400 || !strings.Contains(body, "This link does not work") {
			t.Errorf("%s: %d\n%s", name, status, body)
		}
	}
	for _, e := range []string{"ana@example.net", "bo@example.net"} {
		if s, _ := subs.Get(ctx, e); s.Status != mailinglist.Active {
			t.Errorf("%s is %s after refused requests", e, s.Status)
		}
	}

	// The form's POST unsubscribes; doing it again is harmless.
	for range 2 {
		req, _ = http.NewRequest("POST", srv.URL+"/unsubscribe", strings.NewReader("t="+url.QueryEscape(tok)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := do(t, req); status != 200 || !strings.Contains(body, "You are unsubscribed") {
			t.Errorf("POST: %d\n%s", status, body)
		}
	}
	if s, _ := subs.Get(ctx, "ana@example.net"); s.Status != mailinglist.Unsubscribed {
		t.Errorf("ana is %s", s.Status)
	}

	// RFC 8058: the token in the URL, List-Unsubscribe=One-Click in the body.
	req, _ = http.NewRequest("POST", srv.URL+"/unsubscribe?t="+url.QueryEscape(mailinglist.UnsubscribeToken(key, bo)), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, _ := do(t, req); status != 200 {
		t.Errorf("one-click: %d", status)
	}
	if s, _ := subs.Get(ctx, "bo@example.net"); s.Status != mailinglist.Unsubscribed {
		t.Errorf("bo is %s after a one-click POST", s.Status)
	}
}

// TestSubscribeIsRateLimited: quick subscribe POSTs from one client are
// refused after a few, while unsubscribing, token-checked, never is.
func TestSubscribeIsRateLimited(t *testing.T) {
	ctx := context.Background()
	srv, subs, key := subscriptionsFixture(t, nil)
	post := func(path, form string) int {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		status, _ := do(t, req)
		return status
	}
	limited := false
	for range 10 {
		if post("/subscribe", "email=x@example.net") == http.StatusTooManyRequests {
			limited = true
		}
	}
	if !limited {
		t.Error("ten quick subscribe POSTs from one client were all answered")
	}
	for i := range 20 {
		sub, _, err := subs.Add(ctx, fmt.Sprintf("r%d@example.net", i), "", "test", nil)
		if err != nil {
			t.Fatal(err)
		}
		if status := post("/unsubscribe?t="+url.QueryEscape(mailinglist.UnsubscribeToken(key, sub)), "List-Unsubscribe=One-Click"); status != 200 {
			t.Fatalf("one-click unsubscribe %d after the limit: %d", i, status)
		}
	}
}

// TestSubscribeWithDoubleOptIn: the form's POST mails a confirmation link;
// its GET changes nothing; its POST subscribes; the link then works no
// more, and someone already subscribed is not told apart.
func TestSubscribeWithDoubleOptIn(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	f := newSubsFixture(t, fixtureOptions{mailer: sinkMailer(sink)})
	srv, subs := f.srv, f.subs
	post := func(path, form string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(t, req)
	}

	if status, body := post("/subscribe", "email=not-an-address"); status != 400 || !strings.Contains(body, "That is not a mail address") {
		t.Errorf("a bad address: %d\n%s", status, body)
	}
	status, body := post("/subscribe", "email="+url.QueryEscape("Ana@Example.net"))
	if status != 200 || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("subscribe: %d\n%s", status, body)
	}
	f.p.Wait() // the confirmation goes out off the request path
	if sub, err := subs.Get(ctx, "ana@example.net"); err != nil || sub.Status != mailinglist.Pending {
		t.Fatalf("after subscribing: %+v, %v", sub, err)
	}
	if sink.Count() != 1 {
		t.Fatalf("%d confirmation messages, want 1", sink.Count())
	}
	token := confirmationLink(t, sink.Messages()[0].Data)

	req, _ := http.NewRequest("GET", srv.URL+"/confirm?t="+url.QueryEscape(token), nil)
	if status, body := do(t, req); status != 200 || !strings.Contains(body, `action="/confirm"`) {
		t.Fatalf("confirm page: %d\n%s", status, body)
	}
	if sub, _ := subs.Get(ctx, "ana@example.net"); sub.Status != mailinglist.Pending {
		t.Errorf("a GET of the link changed the status to %s", sub.Status)
	}
	if status, body := post("/confirm", "t="+url.QueryEscape(token)); status != 200 || !strings.Contains(body, "You are subscribed") {
		t.Fatalf("confirm: %d\n%s", status, body)
	}
	if sub, _ := subs.Get(ctx, "ana@example.net"); sub.Status != mailinglist.Active {
		t.Errorf("after confirming: %s", sub.Status)
	}
	// Both steps are in the log, without the address.
	if log := f.log.String(); !strings.Contains(log, `msg="subscription asked: confirmation mailed"`) || !strings.Contains(log, "msg=subscribed") || strings.Contains(log, "ana@example.net") {
		t.Errorf("the log:\n%s", log)
	}
	// Used once, the link works no more; not after unsubscribing either.
	if status, body := post("/confirm", "t="+url.QueryEscape(token)); status != 400 || !strings.Contains(body, "It may have been used already") || strings.Contains(body, "ask to be removed") {
		t.Errorf("the link used again: %d\n%s", status, body)
	}
	if err := subs.SetStatus(ctx, "ana@example.net", mailinglist.Unsubscribed); err != nil {
		t.Fatal(err)
	}
	if status, _ := post("/confirm", "t="+url.QueryEscape(token)); status != 400 {
		t.Errorf("an old link after unsubscribing: %d", status)
	}
	// An active subscriber subscribing again sees the same page, gets no mail.
	if _, _, err := subs.Add(ctx, "bo@example.net", "", "cli", nil); err != nil {
		t.Fatal(err)
	}
	status, body = post("/subscribe", "email=bo@example.net")
	f.p.Wait()
	if status != 200 || !strings.Contains(body, "Check your inbox") || sink.Count() != 1 {
		t.Errorf("an active address: %d, %d messages\n%s", status, sink.Count(), body)
	}
}

// TestPostBodiesAreSmall: a form larger than any the pages send is refused
// unread, and changes nothing.
func TestPostBodiesAreSmall(t *testing.T) {
	srv, subs, _ := subscriptionsFixture(t, nil)
	form := "email=" + url.QueryEscape("big@example.net") + "&name=" + strings.Repeat("x", 100<<10)
	req, _ := http.NewRequest("POST", srv.URL+"/subscribe", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, body := do(t, req); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too large") {
		t.Errorf("a 100 KB form: %d\n%s", status, body)
	}
	if _, err := subs.Get(context.Background(), "big@example.net"); err == nil {
		t.Error("the address in a refused form was added")
	}
}

// sinkMailer is a Sender to sink, in plain text.
func sinkMailer(sink *peers.SMTPSink) *delivery.Sender {
	host, port, _ := net.SplitHostPort(sink.Addr)
	p, _ := strconv.Atoi(port)
	return &delivery.Sender{SMTP: delivery.SMTP{Host: host, Port: p, Security: "none"}}
}

// TestSubscribeAnswersAlike: the answer to the subscribe form is the same
// whether the address is new or subscribed already, and comes while the
// confirmation is still being mailed (here: held up at the relay), so its
// time tells nothing either.
func TestSubscribeAnswersAlike(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	release := make(chan struct{})
	sink.SetFault(func(string) error { <-release; return nil })
	f := newSubsFixture(t, fixtureOptions{mailer: sinkMailer(sink)})
	if _, _, err := f.subs.Add(ctx, "known@example.net", "", "cli", nil); err != nil {
		t.Fatal(err)
	}
	newResp, newBody := f.post(t, "/subscribe", "email=new@example.net")
	knownResp, knownBody := f.post(t, "/subscribe", "email=known@example.net")
	if newResp.StatusCode != 200 || newBody != knownBody || knownResp.StatusCode != 200 {
		t.Errorf("a new address: %d\n%s\nan address on the list: %d\n%s", newResp.StatusCode, newBody, knownResp.StatusCode, knownBody)
	}
	if sink.Count() != 0 {
		t.Errorf("%d messages arrived while the relay held the first", sink.Count())
	}
	close(release)
	f.p.Wait()
	if got := peers.PerRecipient(sink.Messages()); len(got) != 1 || got["new@example.net"] != 1 {
		t.Errorf("confirmations: %v; want one, to new@example.net", got)
	}
}

// TestOneConfirmationADay: however often the form is posted for one
// address, it gets one confirmation a day; a subscription left unconfirmed
// a week is forgotten, its link then void.
func TestOneConfirmationADay(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	f := newSubsFixture(t, fixtureOptions{mailer: sinkMailer(sink)})
	for range 3 { // within the form's rate limit: the mail is what is limited here
		if resp, _ := f.post(t, "/subscribe", "email=ana@example.net"); resp.StatusCode != 200 {
			t.Fatalf("subscribe: %d", resp.StatusCode)
		}
	}
	f.p.Wait()
	if sink.Count() != 1 {
		t.Fatalf("%d confirmations after three posts within a day, want 1", sink.Count())
	}
	link := confirmationLink(t, sink.Messages()[0].Data)
	f.clock = f.clock.Add(25 * time.Hour)
	f.post(t, "/subscribe", "email=ana@example.net")
	f.p.Wait()
	if sink.Count() != 2 {
		t.Fatalf("%d confirmations a day later, want 2", sink.Count())
	}

	f.clock = f.clock.Add(8 * 24 * time.Hour)
	if resp, _ := f.post(t, "/subscribe", "email=bo@example.net"); resp.StatusCode != 200 { // any subscribe forgets the old
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	f.p.Wait()
	if _, err := f.subs.Get(ctx, "ana@example.net"); !errors.Is(err, mailinglist.ErrNoSubscriber) {
		t.Errorf("ana, unconfirmed for a week: %v; want forgotten", err)
	}
	if resp, body := f.post(t, "/confirm", "t="+url.QueryEscape(link)); resp.StatusCode != 400 || !strings.Contains(body, "This link does not work") {
		t.Errorf("a week-old link: %d\n%s", resp.StatusCode, body)
	}
}

// confirmationLink is the token of the confirmation link in a raw
// message, which must be marked Auto-Submitted: auto-generated and link to
// the site.
func confirmationLink(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("the confirmation is not marked Auto-Submitted: auto-generated")
	}
	var body io.Reader = msg.Body
	if msg.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		body = quotedprintable.NewReader(msg.Body)
	}
	text, _ := io.ReadAll(body)
	m := regexp.MustCompile(`https://ask\.example\.org/confirm\?t=([A-Za-z0-9._%-]+)`).FindStringSubmatch(string(text))
	if m == nil {
		t.Fatalf("no confirmation link in\n%s", text)
	}
	token, _ := url.QueryUnescape(m[1])
	return token
}

// TestCrossSitePostsRefused: a form posted from another site's page is
// refused, changing nothing; the site's own forms and the one-click POST of
// mail providers (urlencoded or multipart) are not.
func TestCrossSitePostsRefused(t *testing.T) {
	ctx := context.Background()
	f := newSubsFixture(t, fixtureOptions{})
	ana, _, _ := f.subs.Add(ctx, "ana@example.net", "", "test", nil)
	bo, _, _ := f.subs.Add(ctx, "bo@example.net", "", "test", nil)
	form := "t=" + url.QueryEscape(mailinglist.UnsubscribeToken(f.key, ana))
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		if resp, body := f.post(t, "/unsubscribe", form, h...); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "sent from another site") {
			t.Errorf("%s: %d\n%s", h, resp.StatusCode, body)
		}
	}
	if sub, _ := f.subs.Get(ctx, "ana@example.net"); sub.Status != mailinglist.Active {
		t.Fatalf("a cross-site POST unsubscribed ana")
	}
	for _, h := range [][]string{{"Sec-Fetch-Site", "same-origin"}, {"Origin", "https://ask.example.org"}} {
		if resp, _ := f.post(t, "/unsubscribe", form, h...); resp.StatusCode != 200 {
			t.Errorf("%s: %d", h, resp.StatusCode)
		}
	}
	// A mail provider's one-click POST, multipart (RFC 8058 allows it).
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("List-Unsubscribe", "One-Click")
	mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/unsubscribe?t="+url.QueryEscape(mailinglist.UnsubscribeToken(f.key, bo)), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if status, _ := do(t, req); status != 200 {
		t.Errorf("multipart one-click: %d", status)
	}
	if sub, _ := f.subs.Get(ctx, "bo@example.net"); sub.Status != mailinglist.Unsubscribed {
		t.Errorf("bo is %s after a multipart one-click POST", sub.Status)
	}
}

// TestRateLimitBehindAProxy: behind a trusted proxy, the subscribe form's
// limit is kept per visitor (X-Forwarded-For), IPv6 per /64, with a
// Retry-After; from elsewhere X-Forwarded-For is not believed; one-click
// unsubscribes through the proxy are never limited.
func TestRateLimitBehindAProxy(t *testing.T) {
	ctx := context.Background()
	f := newSubsFixture(t, fixtureOptions{mailer: sinkMailer(peers.StartSMTPSink(t, false)), proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	subscribe := func(from string) *http.Response {
		resp, _ := f.post(t, "/subscribe", "email=x@example.net", "X-Forwarded-For", "203.0.113.9, "+from)
		return resp
	}
	for i := range 5 {
		if resp := subscribe("198.51.100.7"); resp.StatusCode != 200 {
			t.Fatalf("post %d from one visitor: %d", i, resp.StatusCode)
		}
	}
	resp := subscribe("198.51.100.7")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the sixth: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for i := range 5 {
		if resp := subscribe(fmt.Sprintf("198.51.100.%d", 20+i)); resp.StatusCode != 200 {
			t.Errorf("another visitor behind the same proxy: %d", resp.StatusCode)
		}
	}
	for i := range 6 {
		resp := subscribe(fmt.Sprintf("2001:db8:1:2::%x", i+1))
		if want := 200; i == 5 {
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("the sixth from one /64: %d", resp.StatusCode)
			}
		} else if resp.StatusCode != want {
			t.Errorf("post %d from one /64: %d", i, resp.StatusCode)
		}
	}
	for i := range 40 {
		sub, _, err := f.subs.Add(ctx, fmt.Sprintf("r%d@example.net", i), "", "test", nil)
		if err != nil {
			t.Fatal(err)
		}
		tok := mailinglist.UnsubscribeToken(f.key, sub)
		if resp, _ := f.post(t, "/unsubscribe?t="+url.QueryEscape(tok), "List-Unsubscribe=One-Click", "X-Forwarded-For", "198.51.100.7"); resp.StatusCode != 200 {
			t.Fatalf("one-click %d through the proxy: %d", i, resp.StatusCode)
		}
	}
	f.p.Wait()
}

// TestForwardedForNeedsATrustedProxy: without trusted proxies, a made-up
// X-Forwarded-For does not get a client round the limit.
func TestForwardedForNeedsATrustedProxy(t *testing.T) {
	f := newSubsFixture(t, fixtureOptions{mailer: sinkMailer(peers.StartSMTPSink(t, false))})
	limited := false
	for i := range 10 {
		resp, _ := f.post(t, "/subscribe", "email=x@example.net", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		limited = limited || resp.StatusCode == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("ten posts with made-up X-Forwarded-For were all answered")
	}
	f.p.Wait()
}

// TestTestCopyLink: the unsubscribe link of a test copy (send --test) says
// what it is, and unsubscribes nobody.
func TestTestCopyLink(t *testing.T) {
	f := newSubsFixture(t, fixtureOptions{})
	for _, method := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(method, f.srv.URL+"/unsubscribe?t=0.AAAAAAAAAAAAAAAAAAAAAAAA", nil)
		if status, body := do(t, req); status != 400 || !strings.Contains(body, "This is the link of a test copy") {
			t.Errorf("%s: %d\n%s", method, status, body)
		}
	}
}

// behindProxy is a fixture behind a trusted proxy at 127.0.0.1, so that
// each post can come from a visitor of its own (the form's limit per
// visitor aside: here the mail is what is limited).
func behindProxy(t *testing.T, sink *peers.SMTPSink, perHour int) *subsFixture {
	return newSubsFixture(t, fixtureOptions{mailer: sinkMailer(sink), perHour: perHour, proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
}

// subscribeFrom posts the subscribe form for addr from visitor number i.
func (f *subsFixture) subscribeFrom(t *testing.T, i int, addr string) (*http.Response, string) {
	t.Helper()
	return f.post(t, "/subscribe", "email="+url.QueryEscape(addr), "X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", 100+i/250, 1+i%250))
}

// TestConfirmationsCannotBeAimed: one mailbox gets one confirmation a day
// however its address is dressed up (+tags, Gmail's dots and domain), as
// 30 visitors asking for bombme+tagN@ find.
func TestConfirmationsCannotBeAimed(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	f := behindProxy(t, sink, 0)
	var addrs []string
	for i := range 30 {
		addrs = append(addrs, fmt.Sprintf("bombme+tag%d@example.com", i))
	}
	addrs = append(addrs, "BombMe@Example.com", "b.o.m.b.m.e@gmail.com", "bombme+x@googlemail.com", "Bomb.Me@gmail.com")
	for i, addr := range addrs {
		if resp, _ := f.subscribeFrom(t, i, addr); resp.StatusCode != 200 {
			t.Fatalf("subscribe %s: %d", addr, resp.StatusCode)
		}
		f.p.Wait()
	}
	if got := sink.Count(); got != 2 {
		t.Errorf("%d confirmations for two mailboxes asked %d times, want 2: %v", got, len(addrs), peers.PerRecipient(sink.Messages()))
	}
}

// TestConfirmationsPerHour: past the hour's cap, the form says to try
// later, the same for any address, new or subscribed; an hour on, it
// mails again.
func TestConfirmationsPerHour(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	f := behindProxy(t, sink, 5)
	if _, _, err := f.subs.Add(ctx, "known@example.net", "", "cli", nil); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if resp, _ := f.subscribeFrom(t, i, fmt.Sprintf("reader%d@example.org", i)); resp.StatusCode != 200 {
			t.Fatalf("subscribe %d: %d", i, resp.StatusCode)
		}
		f.p.Wait()
	}
	newResp, newBody := f.subscribeFrom(t, 100, "stranger@example.org")
	knownResp, knownBody := f.subscribeFrom(t, 101, "known@example.net")
	if newResp.StatusCode != http.StatusTooManyRequests || knownResp.StatusCode != newResp.StatusCode || newBody != knownBody ||
		!strings.Contains(newBody, "Too many subscriptions just now") {
		t.Errorf("past the cap: a new address %d, a subscribed one %d, bodies alike %v:\n%s", newResp.StatusCode, knownResp.StatusCode, newBody == knownBody, newBody)
	}
	f.p.Wait()
	if sink.Count() != 5 {
		t.Errorf("%d confirmations, want the cap's 5", sink.Count())
	}
	f.clock = f.clock.Add(61 * time.Minute)
	if resp, _ := f.subscribeFrom(t, 102, "stranger@example.org"); resp.StatusCode != 200 {
		t.Errorf("an hour later: %d", resp.StatusCode)
	}
	f.p.Wait()
	if sink.Count() != 6 {
		t.Errorf("%d confirmations an hour later, want 6", sink.Count())
	}
}

// TestSubscribeRefusesWhatIsNoMailbox: quoted local parts, labels with a
// leading or trailing hyphen, invisible characters, numeric top-level
// domains and empty labels are refused before the page answers, and
// nothing is mailed; international addresses are taken.
func TestSubscribeRefusesWhatIsNoMailbox(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	f := behindProxy(t, sink, 0)
	bad := []string{
		`"quoted local"@example.com`, `"a@b"@example.com`, "hop@-evil.example", "hop@evil-.example", "zw\u200bsp@example.com",
		"a@exa\u200bmple.com", "soft\u00adhyphen@example.com", "x@example.123", "a..b@example.com", ".a@example.com",
		"a@example..com", "rtl\u202e@example.com", "a@ex_ample.com", "a@localhost",
	}
	for i, addr := range bad {
		resp, body := f.subscribeFrom(t, i, addr)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "That is not a mail address") {
			t.Errorf("%q: %d", addr, resp.StatusCode)
		}
	}
	good := []string{"ana.lima+news@example.com", "o'brien@example.ie", "josé@exämple.de", "用户@例子.广告"}
	for i, addr := range good {
		if resp, _ := f.subscribeFrom(t, 50+i, addr); resp.StatusCode != 200 {
			t.Errorf("%q: %d, want it taken", addr, resp.StatusCode)
		}
	}
	f.p.Wait()
	for to := range peers.PerRecipient(sink.Messages()) {
		if !slices.Contains(good, to) {
			t.Errorf("a confirmation went to %q", to)
		}
	}
}

// TestSubscribeLogsNoAddress: what subscribing logs, even a relay's
// refusal that names the address, holds no one's whole address.
func TestSubscribeLogsNoAddress(t *testing.T) {
	sink := peers.StartSMTPSink(t, false)
	sink.SetFault(func(rcpt string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + rcpt + ">: Recipient address rejected: User unknown"}
	})
	f := behindProxy(t, sink, 0)
	f.subscribeFrom(t, 1, "secret.person@example.net")
	f.p.Wait()
	logged := f.log.String()
	if !strings.Contains(logged, "s…@example.net") || strings.Contains(logged, "secret.person") {
		t.Errorf("the log:\n%s", logged)
	}
}
