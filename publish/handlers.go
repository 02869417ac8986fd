package publish

import (
	"bytes"
	"context"
	"errors"
	htmltemplate "html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/wneessen/go-mail"
	"golang.org/x/time/rate"

	"mailbag/templates"
)

// Handlers are the site's subscriber endpoints: subscribing with double
// opt-in (a form, then a confirmation link by mail), and unsubscribing from
// the link in every message, with a page and a button for people and the
// one-click POST of RFC 8058 for mail clients. A GET never changes anything:
// link scanners in mail systems follow every link.
type Handlers struct {
	subs    *Subscribers
	key     []byte
	site    siteInfo
	page    *htmltemplate.Template
	confirm *texttemplate.Template
	log     *slog.Logger
	limit   *clientLimits
	// Mailer sends confirmation mail; nil refuses subscriptions.
	Mailer Mailer
	// BaseURL starts the confirmation links.
	BaseURL string
}

// Mailer sends one message.
type Mailer interface {
	SendMessage(ctx context.Context, msg *mail.Msg) error
}

var _ Mailer = (*Sender)(nil)

// siteInfo is what the site layout needs of the newsletter.
type siteInfo struct {
	Title, Address string
}

// SearchAction is where the layout's search form goes.
func (siteInfo) SearchAction() string { return "/search" }

// SubscribeAction is where the layout's subscribe form goes.
func (siteInfo) SubscribeAction() string { return "/subscribe" }

// NewHandlers returns the subscriber endpoints for the list subs, whose
// links key signs. title and address name the newsletter on the pages;
// overrides is the home's templates folder ("" for none). log receives
// problems (nil discards them).
func NewHandlers(subs *Subscribers, key []byte, title, address, overrides string, log *slog.Logger) (*Handlers, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	layout, err := templates.HTML(overrides, "site/layout.html", nil)
	if err != nil {
		return nil, err
	}
	src, err := templates.Source(overrides, "site/message.html")
	if err != nil {
		return nil, err
	}
	page, err := htmltemplate.Must(layout.Clone()).Parse(string(src))
	if err != nil {
		return nil, err
	}
	confirm, err := templates.Text(overrides, "confirm.txt", nil)
	if err != nil {
		return nil, err
	}
	return &Handlers{
		subs: subs, key: key, page: page, confirm: confirm, log: log,
		site:  siteInfo{Title: title, Address: address},
		limit: newClientLimits(rate.Every(6*time.Second), 5),
	}, nil
}

// Register adds the endpoints to mux.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /subscribe", h.subscribe)
	mux.HandleFunc("GET /confirm", h.confirmPage)
	mux.HandleFunc("POST /confirm", h.confirmSubscription)
	mux.HandleFunc("GET /unsubscribe", h.unsubscribePage)
	mux.HandleFunc("POST /unsubscribe", h.unsubscribe)
}

// confirmPurpose is the purpose of a confirmation token. It holds the
// subscriber's last change, so that a token works once: confirming changes
// it, and so does unsubscribing later.
func confirmPurpose(sub *Subscriber) string {
	return "confirm " + sub.Updated.UTC().Format(time.RFC3339Nano)
}

// checkYourInbox is what anyone who subscribes sees, whether or not the
// address was on the list already: the page tells nobody who subscribes.
var checkYourInbox = message{Heading: "Check your inbox",
	Lines: []string{"If the address can take mail, a message with a link to confirm is on its way. Nothing more is sent until you follow it."}}

func (h *Handlers) subscribe(w http.ResponseWriter, r *http.Request) {
	if !h.readPost(w, r) {
		return
	}
	addr, _, err := NormalizeAddress(r.PostForm.Get("email"))
	if err != nil {
		h.show(w, http.StatusBadRequest, message{Heading: "That is not a mail address", Lines: []string{"Go back and check it, please."}})
		return
	}
	if h.Mailer == nil {
		h.show(w, http.StatusServiceUnavailable, message{Heading: "Subscribing is closed", Lines: []string{"This site cannot send mail just now."}})
		return
	}
	sub, err := h.subs.AddPending(r.Context(), addr, "site")
	if err != nil {
		h.log.Error("subscribe", "err", err)
		h.show(w, http.StatusServiceUnavailable, message{Heading: "Something went wrong", Lines: []string{"Please try again in a moment."}})
		return
	}
	if sub.Status == Pending || sub.Status == Unsubscribed {
		if err := h.sendConfirmation(r.Context(), sub); err != nil {
			h.log.Error("send a confirmation", "subscriber", sub.ID, "err", err)
			h.show(w, http.StatusServiceUnavailable, message{Heading: "The confirmation could not be sent", Lines: []string{"Please try again later."}})
			return
		}
	}
	h.show(w, http.StatusOK, checkYourInbox)
}

// sendConfirmation mails sub the link that confirms the subscription.
func (h *Handlers) sendConfirmation(ctx context.Context, sub *Subscriber) error {
	link := strings.TrimRight(h.BaseURL, "/") + "/confirm?t=" + url.QueryEscape(Token(h.key, confirmPurpose(sub), sub.ID, sub.Email))
	return autoMail{
		fromName: h.site.Title, fromAddr: h.site.Address, toAddr: sub.Email,
		subject:       "Confirm your subscription to " + h.site.Title,
		autoSubmitted: "auto-generated",
		body:          h.confirm,
		data:          map[string]string{"Newsletter": h.site.Title, "ConfirmURL": link},
	}.send(ctx, h.Mailer)
}

func (h *Handlers) confirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	sub, err := h.subscriberOf(r, token, confirmPurpose)
	if err != nil {
		h.badLink(w, err)
		return
	}
	h.show(w, http.StatusOK, message{Heading: "Confirm your subscription",
		Lines:  []string{sub.Email + " will get every new answer from " + h.site.Title + "."},
		Action: "/confirm", Token: token, Button: "Subscribe"})
}

func (h *Handlers) confirmSubscription(w http.ResponseWriter, r *http.Request) {
	if !h.readPost(w, r) {
		return
	}
	sub, err := h.subscriberOf(r, r.PostForm.Get("t"), confirmPurpose)
	if err != nil {
		h.badLink(w, err)
		return
	}
	if err := h.subs.SetStatus(r.Context(), sub.Email, Active); err != nil {
		h.badLink(w, err)
		return
	}
	h.show(w, http.StatusOK, message{Heading: "You are subscribed",
		Lines: []string{sub.Email + " will get every new answer from " + h.site.Title + ". Every message has a link to stop."}})
}

// message is what site/message.html shows.
type message struct {
	Site                  siteInfo
	Query                 string
	Heading               string
	Lines                 []string
	Action, Token, Button string
}

func (h *Handlers) show(w http.ResponseWriter, status int, m message) {
	m.Site = h.site
	var buf bytes.Buffer
	if err := h.page.Execute(&buf, m); err != nil {
		h.log.Error("render page", "err", err)
		http.Error(w, "The page could not be made.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readPost rate-limits a POST by its client and parses its form; when it
// returns false it has answered the request.
func (h *Handlers) readPost(w http.ResponseWriter, r *http.Request) bool {
	if !h.limit.allow(r) {
		h.show(w, http.StatusTooManyRequests, message{Heading: "Too many requests", Lines: []string{"Please wait a minute and try again."}})
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := r.ParseForm(); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			h.show(w, http.StatusRequestEntityTooLarge, message{Heading: "This request is too large"})
			return false
		}
		h.show(w, http.StatusBadRequest, message{Heading: "This request could not be read"})
		return false
	}
	return true
}

// maxFormSize bounds the body of a POST: the forms hold an address, a name
// and a token, far less than this.
const maxFormSize = 8 << 10

// subscriberOf returns the subscriber a token is for, checked against the
// token's purpose for that subscriber. The error wraps ErrBadToken.
func (h *Handlers) subscriberOf(r *http.Request, token string, purpose func(*Subscriber) string) (*Subscriber, error) {
	id, err := TokenID(token)
	if err != nil {
		return nil, err
	}
	sub, err := h.subs.GetByID(r.Context(), id)
	if errors.Is(err, ErrNoSubscriber) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, err
	}
	if err := VerifyToken(h.key, token, purpose(sub), sub.ID, sub.Email); err != nil {
		return nil, err
	}
	return sub, nil
}

// unsubscribePurpose is the purpose of an unsubscribe token: it works as
// long as the subscriber exists.
func unsubscribePurpose(*Subscriber) string { return "unsubscribe" }

func (h *Handlers) badLink(w http.ResponseWriter, err error) {
	if !errors.Is(err, ErrBadToken) {
		h.log.Error("subscriber link", "err", err)
		h.show(w, http.StatusServiceUnavailable, message{Heading: "Something went wrong", Lines: []string{"Please try again in a moment."}})
		return
	}
	h.show(w, http.StatusBadRequest, message{Heading: "This link does not work",
		Lines: []string{"It may have been cut short by your mail program. Use the whole link from the message, or reply to the message and ask to be removed."}})
}

func (h *Handlers) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	sub, err := h.subscriberOf(r, token, unsubscribePurpose)
	if err != nil {
		h.badLink(w, err)
		return
	}
	if sub.Status != Active && sub.Status != Pending {
		h.show(w, http.StatusOK, message{Heading: "You are not subscribed", Lines: []string{sub.Email + " gets no mail from " + h.site.Title + "."}})
		return
	}
	h.show(w, http.StatusOK, message{
		Heading: "Unsubscribe?",
		Lines:   []string{sub.Email + " will get no more answers from " + h.site.Title + "."},
		Action:  "/unsubscribe", Token: token, Button: "Unsubscribe",
	})
}

// unsubscribe takes the form's POST (t in the body) and the one-click POST
// of mail clients (t in the URL, List-Unsubscribe=One-Click in the body).
func (h *Handlers) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if !h.readPost(w, r) {
		return
	}
	token := r.PostForm.Get("t")
	if token == "" {
		token = r.URL.Query().Get("t")
	}
	sub, err := h.subscriberOf(r, token, unsubscribePurpose)
	if err != nil {
		h.badLink(w, err)
		return
	}
	if sub.Status == Active || sub.Status == Pending {
		if err := h.subs.SetStatus(r.Context(), sub.Email, Unsubscribed); err != nil {
			h.badLink(w, err)
			return
		}
		h.log.Info("unsubscribed", "subscriber", sub.ID, "one_click", r.PostForm.Get("List-Unsubscribe") == "One-Click")
	}
	h.show(w, http.StatusOK, message{Heading: "You are unsubscribed",
		Lines: []string{sub.Email + " will get no more answers from " + h.site.Title + ". Sorry to see you go."}})
}

// clientLimits rate-limits requests per client address.
type clientLimits struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	clients map[string]*rate.Limiter
	swept   time.Time
}

func newClientLimits(every rate.Limit, burst int) *clientLimits {
	return &clientLimits{every: every, burst: burst, clients: map[string]*rate.Limiter{}}
}

// allow reports whether the client of r may make a request now. The table
// is emptied every ten minutes: an idle client's limiter is full anyway.
func (c *clientLimits) allow(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.swept) > 10*time.Minute {
		c.clients, c.swept = map[string]*rate.Limiter{}, time.Now()
	}
	l, ok := c.clients[host]
	if !ok {
		l = rate.NewLimiter(c.every, c.burst)
		c.clients[host] = l
	}
	return l.Allow()
}
