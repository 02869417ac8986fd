package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mailbag/archive"
	"mailbag/archive/site"
	"mailbag/internal/peers"
	"mailbag/internal/sqlitedb"
	"mailbag/publish"
	"mailbag/templates"
)

// subscriptionsFixture serves the site of an empty home with its
// subscriber pages backed by publish's Subscriptions, as serve wires them;
// mailer sends the confirmations (nil: subscribing is closed).
func subscriptionsFixture(t *testing.T, mailer publish.Mailer) (*httptest.Server, *publish.Subscribers, []byte) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	subs, err := publish.NewSubscribers(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := templates.Load(templates.Options{Funcs: publish.TemplateFuncs})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte(strings.Repeat("k", 32))
	p, err := publish.NewSubscriptions(publish.SubscriptionsOptions{Subscribers: subs, Key: key, Templates: set, Mailer: mailer,
		Newsletter: publish.Newsletter{Title: "Ask Jim", Address: "ask@example.org", BaseURL: "https://ask.example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	posts := &archive.Posts{Dir: filepath.Join(dir, "posts")}
	x, _, err := archive.OpenIndex(filepath.Join(dir, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	s, err := site.New(site.Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Address: "ask@example.org",
		Posts: posts, Index: x, Templates: set, Subscriptions: subscriptions{p}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, subs, key
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
	tok := publish.Token(key, "unsubscribe", ana.ID, ana.Email)

	// A GET, as a link scanner makes, shows a button and changes nothing.
	req, _ := http.NewRequest("GET", srv.URL+"/unsubscribe?t="+url.QueryEscape(tok), nil)
	status, body := do(t, req)
	if status != 200 || !strings.Contains(body, `<form method="post" action="/unsubscribe">`) || !strings.Contains(body, "ana@example.net will get no more answers") {
		t.Fatalf("GET: %d\n%s", status, body)
	}
	if s, _ := subs.Get(ctx, "ana@example.net"); s.Status != publish.Active {
		t.Fatalf("a GET unsubscribed ana: %s", s.Status)
	}

	// Forged, another address's, another purpose: refused, nothing changes.
	for name, bad := range map[string]string{
		"forged":          publish.Token([]byte(strings.Repeat("x", 32)), "unsubscribe", ana.ID, ana.Email),
		"another address": strings.Replace(tok, tok[:strings.IndexByte(tok, '.')], publish.Token(key, "unsubscribe", bo.ID, bo.Email)[:strings.IndexByte(publish.Token(key, "unsubscribe", bo.ID, bo.Email), '.')], 1),
		"confirm token":   publish.Token(key, "confirm", ana.ID, ana.Email),
		"junk":            "junk",
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/unsubscribe", strings.NewReader("t="+url.QueryEscape(bad)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := do(t, req); status != 400 || !strings.Contains(body, "This link does not work") {
			t.Errorf("%s: %d\n%s", name, status, body)
		}
	}
	for _, e := range []string{"ana@example.net", "bo@example.net"} {
		if s, _ := subs.Get(ctx, e); s.Status != publish.Active {
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
	if s, _ := subs.Get(ctx, "ana@example.net"); s.Status != publish.Unsubscribed {
		t.Errorf("ana is %s", s.Status)
	}

	// RFC 8058: the token in the URL, List-Unsubscribe=One-Click in the body.
	req, _ = http.NewRequest("POST", srv.URL+"/unsubscribe?t="+url.QueryEscape(publish.Token(key, "unsubscribe", bo.ID, bo.Email)), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, _ := do(t, req); status != 200 {
		t.Errorf("one-click: %d", status)
	}
	if s, _ := subs.Get(ctx, "bo@example.net"); s.Status != publish.Unsubscribed {
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
		if status := post("/unsubscribe?t="+url.QueryEscape(publish.Token(key, "unsubscribe", sub.ID, sub.Email)), "List-Unsubscribe=One-Click"); status != 200 {
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
	srv, subs, _ := subscriptionsFixture(t, sinkMailer(sink))
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
	if sub, err := subs.Get(ctx, "ana@example.net"); err != nil || sub.Status != publish.Pending {
		t.Fatalf("after subscribing: %+v, %v", sub, err)
	}
	if sink.Count() != 1 {
		t.Fatalf("%d confirmation messages, want 1", sink.Count())
	}
	msg, err := mail.ReadMessage(bytes.NewReader(sink.Messages()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	var bodyReader io.Reader = msg.Body
	if msg.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		bodyReader = quotedprintable.NewReader(msg.Body)
	}
	text, _ := io.ReadAll(bodyReader)
	m := regexp.MustCompile(`https://ask\.example\.org(/confirm\?t=[A-Za-z0-9._%-]+)`).FindStringSubmatch(string(text))
	if m == nil || msg.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Fatalf("no confirmation link in\n%s", text)
	}
	link, _ := url.Parse(m[1])
	token := link.Query().Get("t")

	req, _ := http.NewRequest("GET", srv.URL+m[1], nil)
	if status, body := do(t, req); status != 200 || !strings.Contains(body, `action="/confirm"`) {
		t.Fatalf("confirm page: %d\n%s", status, body)
	}
	if sub, _ := subs.Get(ctx, "ana@example.net"); sub.Status != publish.Pending {
		t.Errorf("a GET of the link changed the status to %s", sub.Status)
	}
	if status, body := post("/confirm", "t="+url.QueryEscape(token)); status != 200 || !strings.Contains(body, "You are subscribed") {
		t.Fatalf("confirm: %d\n%s", status, body)
	}
	if sub, _ := subs.Get(ctx, "ana@example.net"); sub.Status != publish.Active {
		t.Errorf("after confirming: %s", sub.Status)
	}
	// Used once, the link works no more; not after unsubscribing either.
	if status, _ := post("/confirm", "t="+url.QueryEscape(token)); status != 400 {
		t.Errorf("the link used again: %d", status)
	}
	if err := subs.SetStatus(ctx, "ana@example.net", publish.Unsubscribed); err != nil {
		t.Fatal(err)
	}
	if status, _ := post("/confirm", "t="+url.QueryEscape(token)); status != 400 {
		t.Errorf("an old link after unsubscribing: %d", status)
	}
	// An active subscriber subscribing again sees the same page, gets no mail.
	if _, _, err := subs.Add(ctx, "bo@example.net", "", "cli", nil); err != nil {
		t.Fatal(err)
	}
	if status, body := post("/subscribe", "email=bo@example.net"); status != 200 || !strings.Contains(body, "Check your inbox") || sink.Count() != 1 {
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
func sinkMailer(sink *peers.SMTPSink) *publish.Sender {
	host, port, _ := net.SplitHostPort(sink.Addr)
	p, _ := strconv.Atoi(port)
	return &publish.Sender{SMTP: publish.SMTP{Host: host, Port: p, Security: "none"}}
}
