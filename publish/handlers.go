package publish

import (
	"bytes"
	"errors"
	htmltemplate "html/template"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"mailbag/templates"
)

// Handlers are the site's subscriber endpoints: unsubscribing from the
// link in every message, with a page and a button for people, and the
// one-click POST of RFC 8058 for mail clients. A GET never changes anything:
// link scanners in mail systems follow every link.
type Handlers struct {
	subs  *Subscribers
	key   []byte
	site  siteInfo
	page  *htmltemplate.Template
	log   *slog.Logger
	limit *clientLimits
}

// siteInfo is what the site layout needs of the newsletter.
type siteInfo struct {
	Title, Address, SearchURL string
}

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
	return &Handlers{
		subs: subs, key: key, page: page, log: log,
		site:  siteInfo{Title: title, Address: address, SearchURL: "/search"},
		limit: newClientLimits(rate.Every(6*time.Second), 5),
	}, nil
}

// Register adds the endpoints to mux.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /unsubscribe", h.unsubscribePage)
	mux.HandleFunc("POST /unsubscribe", h.unsubscribe)
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

// subscriberOf returns the subscriber a token is for, checked.
func (h *Handlers) subscriberOf(r *http.Request, token, purpose string) (*Subscriber, error) {
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
	if err := VerifyToken(h.key, token, purpose, sub.ID, sub.Email); err != nil {
		return nil, err
	}
	return sub, nil
}

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
	sub, err := h.subscriberOf(r, token, "unsubscribe")
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
	if !h.limit.allow(r) {
		h.show(w, http.StatusTooManyRequests, message{Heading: "Too many requests", Lines: []string{"Please wait a minute and try again."}})
		return
	}
	if err := r.ParseForm(); err != nil {
		h.show(w, http.StatusBadRequest, message{Heading: "This request could not be read"})
		return
	}
	token := r.PostForm.Get("t")
	if token == "" {
		token = r.URL.Query().Get("t")
	}
	sub, err := h.subscriberOf(r, token, "unsubscribe")
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
