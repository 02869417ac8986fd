package publish

import (
	"bytes"
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"mailbag/internal/peers"
)

// handlersFixture serves the handlers, allowing burst POSTs a client at
// once.
func handlersFixture(t *testing.T, burst int) (*httptest.Server, *Subscribers, []byte) {
	t.Helper()
	subs := newSubscribers(t)
	key := []byte(strings.Repeat("k", secretSize))
	h, err := NewHandlers(subs, key, "Ask Jim", "ask@example.org", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	h.limit = newClientLimits(rate.Every(6*time.Second), burst)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
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
	srv, subs, key := handlersFixture(t, 100)
	ana, _, _ := subs.Add(ctx, "ana@example.net", "", "test", nil)
	bo, _, _ := subs.Add(ctx, "bo@example.net", "", "test", nil)
	tok := Token(key, "unsubscribe", ana.ID, ana.Email)

	// A GET, as a link scanner makes, shows a button and changes nothing.
	req, _ := http.NewRequest("GET", srv.URL+"/unsubscribe?t="+url.QueryEscape(tok), nil)
	status, body := do(t, req)
	if status != 200 || !strings.Contains(body, `<form method="post" action="/unsubscribe">`) || !strings.Contains(body, "ana@example.net will get no more answers") {
		t.Fatalf("GET: %d\n%s", status, body)
	}
	if s, _ := subs.Get(ctx, "ana@example.net"); s.Status != Active {
		t.Fatalf("a GET unsubscribed ana: %s", s.Status)
	}

	// Forged, another address's, another purpose: refused, nothing changes.
	for name, bad := range map[string]string{
		"forged":          Token([]byte(strings.Repeat("x", secretSize)), "unsubscribe", ana.ID, ana.Email),
		"another address": strings.Replace(tok, tok[:strings.IndexByte(tok, '.')], Token(key, "unsubscribe", bo.ID, bo.Email)[:strings.IndexByte(Token(key, "unsubscribe", bo.ID, bo.Email), '.')], 1),
		"confirm token":   Token(key, "confirm", ana.ID, ana.Email),
		"junk":            "junk",
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/unsubscribe", strings.NewReader("t="+url.QueryEscape(bad)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := do(t, req); status != 400 || !strings.Contains(body, "This link does not work") {
			t.Errorf("%s: %d\n%s", name, status, body)
		}
	}
	for _, e := range []string{"ana@example.net", "bo@example.net"} {
		if s, _ := subs.Get(ctx, e); s.Status != Active {
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
	if s, _ := subs.Get(ctx, "ana@example.net"); s.Status != Unsubscribed {
		t.Errorf("ana is %s", s.Status)
	}

	// RFC 8058: the token in the URL, List-Unsubscribe=One-Click in the body.
	req, _ = http.NewRequest("POST", srv.URL+"/unsubscribe?t="+url.QueryEscape(Token(key, "unsubscribe", bo.ID, bo.Email)), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if status, _ := do(t, req); status != 200 {
		t.Errorf("one-click: %d", status)
	}
	if s, _ := subs.Get(ctx, "bo@example.net"); s.Status != Unsubscribed {
		t.Errorf("bo is %s after a one-click POST", s.Status)
	}
}

func TestUnsubscribeIsRateLimited(t *testing.T) {
	srv, _, _ := handlersFixture(t, 5)
	limited := false
	for range 10 {
		req, _ := http.NewRequest("POST", srv.URL+"/unsubscribe", strings.NewReader("t=junk"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, _ := do(t, req); status == http.StatusTooManyRequests {
			limited = true
		}
	}
	if !limited {
		t.Error("ten quick POSTs from one client were all answered")
	}
}

// TestSubscribeWithDoubleOptIn: the form's POST mails a confirmation link;
// its GET changes nothing; its POST subscribes; the link then works no
// more, and someone already subscribed is not told apart.
func TestSubscribeWithDoubleOptIn(t *testing.T) {
	ctx := context.Background()
	sink := peers.StartSMTPSink(t, false)
	subs := newSubscribers(t)
	key := []byte(strings.Repeat("k", secretSize))
	h, err := NewHandlers(subs, key, "Ask Jim", "ask@example.org", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Mailer = sinkMailer(sink)
	h.BaseURL = "https://ask.example.org"
	h.limit = newClientLimits(rate.Every(time.Second), 100)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
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
	if sub, err := subs.Get(ctx, "ana@example.net"); err != nil || sub.Status != Pending {
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
	if sub, _ := subs.Get(ctx, "ana@example.net"); sub.Status != Pending {
		t.Errorf("a GET of the link changed the status to %s", sub.Status)
	}
	if status, body := post("/confirm", "t="+url.QueryEscape(token)); status != 200 || !strings.Contains(body, "You are subscribed") {
		t.Fatalf("confirm: %d\n%s", status, body)
	}
	if sub, _ := subs.Get(ctx, "ana@example.net"); sub.Status != Active {
		t.Errorf("after confirming: %s", sub.Status)
	}
	// Used once, the link works no more; not after unsubscribing either.
	if status, _ := post("/confirm", "t="+url.QueryEscape(token)); status != 400 {
		t.Errorf("the link used again: %d", status)
	}
	if err := subs.SetStatus(ctx, "ana@example.net", Unsubscribed); err != nil {
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
	srv, subs, _ := handlersFixture(t, 10)
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
