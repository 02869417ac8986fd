package publish

import (
	"context"
	"crypto"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"golang.org/x/time/rate"
)

// SMTP says how to reach the mail relay.
type SMTP struct {
	Host     string
	Port     int
	Security string // "tls" (implicit), "starttls" or "none"
	Username string // no authentication when empty
	Password string
	// TLSConfig is the TLS configuration; nil means the system's roots
	// for Host.
	TLSConfig *tls.Config
	// DKIM, when DKIMKey is set, signs every message (RFC 6376).
	DKIMDomain, DKIMSelector string
	DKIMKey                  crypto.Signer
}

// Sender mails posts to the subscribers, each once.
type Sender struct {
	SMTP       SMTP
	Deliveries *Deliveries
	// Concurrency is how many connections send at once; each keeps one
	// connection for many messages. 0 means 4.
	Concurrency int
	// Rate is the most messages a second; 0 is no limit.
	Rate float64
	// MaxAttempts bounds the tries of one message in one run, over 4xx
	// replies and dropped connections; 0 means 5.
	MaxAttempts int
	// Backoff is the wait before the first retry, doubled each time; 0
	// means half a second.
	Backoff time.Duration
	// Log receives problems; nil discards them.
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Progress, when not nil, is called as messages are handled.
	Progress func(done, total int)
}

// SendSummary says what a run did and what is left.
type SendSummary struct {
	Sent, Failed int // in this run
	// Unconfirmed were handed to the server by a run that stopped before
	// recording the server's answer: they may or may not have arrived.
	Unconfirmed int
	// Remaining are still to send (this run was stopped).
	Remaining int
	// Bounced are the subscribers this run marked bounced.
	Bounced int
}

// NewDeliveries returns the delivery record kept in db, creating or
// upgrading the publish tables; now is the clock (nil means time.Now).
func NewDeliveries(ctx context.Context, db *sql.DB, now func() time.Time) (*Deliveries, error) {
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Deliveries{db: db, now: now}, nil
}

// claimSize is how many deliveries a connection claims at a time.
const claimSize = 100

// Send mails r's post to every active subscriber who has not had it, and
// records each delivery. Killed at any moment and run again, it mails only
// those not yet mailed: a message whose acceptance was not recorded before
// the stop is reported as unconfirmed, and is not sent again unless
// retryUnconfirmed. 4xx replies and dropped connections are retried with
// backoff; a 5xx reply fails the delivery, and a 5.1.x one (no such
// address) marks the subscriber bounced.
func (s *Sender) Send(ctx context.Context, r *Rendered, retryUnconfirmed bool) (SendSummary, error) {
	slug := r.post.Slug
	var sum SendSummary
	if retryUnconfirmed {
		if err := s.Deliveries.retryUnconfirmed(ctx, slug); err != nil {
			return sum, err
		}
	}
	counts, err := s.Deliveries.plan(ctx, slug)
	if err != nil {
		return sum, err
	}
	sum.Unconfirmed = counts.Sending
	total := counts.Pending

	var limiter *rate.Limiter
	if s.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(s.Rate), 1)
	}
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	record := func(outs []outcome, err error) {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range outs {
			switch {
			case o.sent:
				sum.Sent++
			case o.err != "":
				sum.Failed++
			}
			if o.bounced {
				sum.Bounced++
			}
			if o.sent || o.err != "" {
				done++
			}
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if s.Progress != nil {
			s.Progress(done, total)
		}
	}
	for range max(s.Concurrency, 1) {
		wg.Go(func() { s.worker(ctx, r, limiter, record) })
	}
	wg.Wait()
	after, err := s.Deliveries.Counts(context.WithoutCancel(ctx), slug)
	if err != nil {
		return sum, err
	}
	sum.Remaining = after.Pending + after.Claimed
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return sum, firstErr
}

// worker sends claimed deliveries over one connection until none is left,
// ctx is done, or the database fails. Each outcome is recorded before the
// next message is handed over, in the same transaction.
func (s *Sender) worker(ctx context.Context, r *Rendered, limiter *rate.Limiter, record func([]outcome, error)) {
	var client *mail.Client
	var prev *outcome
	// Record the last outcome even when stopping: what the server accepted
	// must not be sent again.
	defer func() {
		if client != nil {
			_ = client.Close()
		}
		err := s.Deliveries.step(context.WithoutCancel(ctx), r.post.Slug, prev, nil)
		if prev != nil && err == nil {
			record([]outcome{*prev}, nil)
			return
		}
		record(nil, err)
	}()
	for ctx.Err() == nil {
		subs, err := s.Deliveries.claim(ctx, r.post.Slug, claimSize)
		if err != nil || len(subs) == 0 {
			record(nil, err)
			return
		}
		for i, sub := range subs {
			if ctx.Err() != nil {
				record(nil, s.Deliveries.release(context.WithoutCancel(ctx), r.post.Slug, subs[i:]))
				return
			}
			// Recorded whatever ctx says: the outcome must not be lost.
			if err := s.Deliveries.step(context.WithoutCancel(ctx), r.post.Slug, prev, sub); err != nil {
				record(nil, err)
				return
			}
			if prev != nil {
				record([]outcome{*prev}, nil)
			}
			out := s.deliver(ctx, &client, r, sub, limiter)
			prev = &out
		}
	}
}

// deliver sends one subscriber's copy, retrying what can be retried. An
// outcome with neither sent nor err set was not tried (ctx ended).
func (s *Sender) deliver(ctx context.Context, client **mail.Client, r *Rendered, sub *Subscriber, limiter *rate.Limiter) outcome {
	out := outcome{sub: sub}
	msg, err := r.Message(sub, s.now())
	if err != nil {
		out.err = err.Error()
		return out
	}
	out.messageID = strings.Trim(msg.GetMessageID(), "<>")
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = 5
	}
	backoff := s.Backoff
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return outcome{sub: sub} // not tried: pending again
		}
		if limiter != nil {
			if err := limiter.Wait(ctx); err != nil {
				return outcome{sub: sub}
			}
		}
		err := s.sendOne(ctx, client, msg)
		if err == nil {
			out.sent = true
			return out
		}
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			out.err = err.Error()
			out.bounced = strings.HasPrefix(se.EnhancedStatusCode(), "5.1.")
			return out
		}
		// A 4xx reply or a connection problem: start afresh, later.
		if *client != nil {
			_ = (*client).Close()
			*client = nil
		}
		if attempt >= attempts {
			out.err = fmt.Sprintf("gave up after %d attempts: %v", attempt, err)
			return out
		}
		s.log().Debug("retrying", "to", sub.Email, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return outcome{sub: sub}
		case <-time.After(backoff << (attempt - 1)):
		}
	}
}

// sendOne sends msg over the worker's connection, connecting first if it
// has none.
func (s *Sender) sendOne(ctx context.Context, client **mail.Client, msg *mail.Msg) error {
	if *client == nil {
		c, err := s.dial(ctx)
		if err != nil {
			return err
		}
		*client = c
	}
	return (*client).Send(msg)
}

// dial connects and logs in to the relay.
func (s *Sender) dial(ctx context.Context) (*mail.Client, error) {
	c, err := s.newClient()
	if err != nil {
		return nil, err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, fmt.Errorf("publish: connect to %s:%d: %w", s.SMTP.Host, s.SMTP.Port, err)
	}
	return c, nil
}

// newClient is a go-mail client configured as SMTP says.
func (s *Sender) newClient() (*mail.Client, error) {
	cfg := s.SMTP
	// No NOOP before and no RSET after each message: a finished
	// transaction needs no reset (RFC 5321, 4.1.4), and the RSET round trip
	// would widen the window in which an accepted message is not yet
	// recorded as sent.
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(30 * time.Second), mail.WithoutNoop(), mail.WithoutRset()}
	tc := cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	switch cfg.Security {
	case "tls", "":
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tc))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tc))
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("publish: smtp security %q is not tls, starttls or none", cfg.Security)
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	if cfg.DKIMKey != nil {
		opts = append(opts, mail.WithAlwaysDKIMSign(mail.NewDKIMSigner(cfg.DKIMDomain, cfg.DKIMSelector, cfg.DKIMKey)))
	}
	c, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("publish: smtp client: %w", err)
	}
	return c, nil
}

// SendMessage mails one message on its own connection, and records
// nothing: the confirmation of a subscription, say.
func (s *Sender) SendMessage(ctx context.Context, msg *mail.Msg) error {
	var client *mail.Client
	defer func() {
		if client != nil {
			_ = client.Close()
		}
	}()
	if err := s.sendOne(ctx, &client, msg); err != nil {
		return fmt.Errorf("publish: send: %w", err)
	}
	return nil
}

// SendTest mails one copy of r's post to addr, as a subscriber would get
// it, and records nothing.
func (s *Sender) SendTest(ctx context.Context, r *Rendered, addr string) error {
	email, name, err := NormalizeAddress(addr)
	if err != nil {
		return err
	}
	msg, err := r.Message(&Subscriber{Email: email, Name: name}, s.now())
	if err != nil {
		return err
	}
	if err := s.SendMessage(ctx, msg); err != nil {
		return fmt.Errorf("publish: a test copy to %s: %w", email, err)
	}
	return nil
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}
