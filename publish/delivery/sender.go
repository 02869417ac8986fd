// Package delivery mails the answers: each post rendered once as text and
// HTML, then mailed to every active subscriber once, with a journal so
// that a killed run mails nobody twice (RFC 5321 over go-mail,
// List-Unsubscribe with RFC 8058 one-click, optional DKIM); the relay's
// replies and the delivery reports ingest stored, weighed against the
// deliveries they name (bounces, complaints, soft failures); what each
// send came to (sends); and the askers' acknowledgements and
// notifications (RFC 3834).
package delivery

import (
	"context"
	"crypto"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"golang.org/x/time/rate"

	"mailbag/internal/lockfile"
	"mailbag/internal/mailaddr"
	"mailbag/publish/mailinglist"
	"mailbag/publish/schema"
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
	// Deferred were answered "try again later" (4xx) for the whole of
	// this run's attempts; they are still to send, by the next run.
	Deferred int
	// Remaining are still to send: deferred, or this run was stopped.
	Remaining int
	// Bounced are the subscribers this run marked bounced.
	Bounced int
}

// DeliveriesOptions configure Deliveries.
type DeliveriesOptions struct {
	// Dir is the state folder: the delivery journal and the lock that
	// lets one run send at a time are kept there. Required.
	Dir string
	// SoftBounces says when soft failures bounce a subscriber.
	SoftBounces SoftBounces
	// Now is the clock (nil means time.Now).
	Now func() time.Time
}

// NewDeliveries returns the delivery record kept in db, creating or
// upgrading the publish tables.
func NewDeliveries(ctx context.Context, db *sql.DB, o DeliveriesOptions) (*Deliveries, error) {
	if err := schema.Migrate(ctx, db); err != nil {
		return nil, err
	}
	if o.Dir == "" {
		return nil, errors.New("publish: deliveries need the state folder for their journal")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	apply, err := db.PrepareContext(ctx, applySQL)
	if err != nil {
		return nil, fmt.Errorf("publish: record deliveries: %w", err)
	}
	return &Deliveries{db: db, now: o.Now, dir: o.Dir, applyStmt: apply, softBounces: o.SoftBounces}, nil
}

// batchSize is how many pending deliveries are read at a time, and how
// many outcomes are recorded in one transaction.
const batchSize = 100

// Send mails r's post to every active subscriber who has not had it, and
// records each delivery. Killed at any moment and run again, it mails only
// those not yet mailed: a message whose acceptance was not recorded before
// the stop is reported as unconfirmed, and is not sent again unless retry
// says so (nor is a failed one). 4xx replies and dropped connections are
// retried with backoff: a message still answered 4xx is deferred to the
// next run, and a relay that cannot be reached stops the run, failing
// nobody. A 5xx reply is read by class (classify): one that refuses the
// newsletter itself (its sender, the relay's policy or login) stops the
// run, failing nobody; one that says the address does not exist fails the
// delivery and marks the subscriber bounced; any other fails the delivery.
// A message that went out whole with no reply (the connection dropped after
// its end) is unconfirmed: never sent again in the same run. One run sends at a time: another
// is refused with an error wrapping lockfile.ErrLocked.
func (s *Sender) Send(ctx context.Context, r *Rendered, retry Retry) (SendSummary, error) {
	lock, err := lockfile.Acquire(filepath.Join(s.Deliveries.dir, "send.lock"))
	if err != nil {
		return SendSummary{}, fmt.Errorf("publish: another mailbag send is running on this home: %w", err)
	}
	defer lock.Release()
	d, slug := s.Deliveries, r.post.Slug
	counts, j, err := d.begin(ctx, slug, retry)
	if err != nil {
		return SendSummary{}, err
	}

	// A connection that cannot record stops the others too.
	parent := ctx
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var limiter *rate.Limiter
	if s.Rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(s.Rate), 1)
	}
	t := &tally{total: counts.Pending, stop: stop, progress: s.Progress}
	t.sum.Unconfirmed = counts.Sending
	queue := make(chan copyOf, batchSize)
	outcomes := make(chan entry, batchSize)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		// Whatever ctx says: what the server accepted must not be sent again.
		t.failRecording(d.store(context.WithoutCancel(ctx), outcomes, t.failRecording))
	}()
	var wg sync.WaitGroup
	wg.Go(func() { t.fail(s.feed(ctx, r, j, queue)) })
	for range max(s.Concurrency, 1) {
		wg.Go(func() { s.worker(ctx, r, j, queue, outcomes, limiter, t) })
	}
	wg.Wait()
	close(outcomes)
	<-recorded
	// Every outcome is in the database unless recording one failed: then
	// the journal stays for the next run to replay.
	t.fail(j.close())
	if !t.unrecorded {
		if err := os.Remove(d.journalPath()); err != nil {
			t.fail(fmt.Errorf("publish: remove the delivery journal: %w", err))
		}
	}
	// What is left: as the database counts it, or, when this run could
	// not record all it did there, as this run counted (the database
	// then holds as pending what went out and the journal keeps).
	t.sum.Remaining = t.total - t.done
	if after, err := d.Counts(context.WithoutCancel(ctx), slug); err != nil {
		t.fail(err)
	} else if !t.unrecorded {
		t.sum.Remaining = after.Pending
	}
	t.fail(parent.Err())
	return t.sum, t.err
}

// tally adds up the outcomes of a run for its summary and progress, and
// keeps its first error, stopping the run there. It is safe for concurrent
// use.
type tally struct {
	mu          sync.Mutex
	sum         SendSummary
	done, total int // handled in this run, and to handle
	err         error
	unrecorded  bool // a hand-over or outcome may be missing from the database
	stop        context.CancelFunc
	progress    func(done, total int) // nil for none
}

// add counts one outcome.
func (t *tally) add(o outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case o.sent:
		t.sum.Sent++
	case o.unconfirmed:
		t.sum.Unconfirmed++
	case o.deferred:
		t.sum.Deferred++
	case o.err != "":
		t.sum.Failed++
	}
	if o.bounced {
		t.sum.Bounced++
	}
	if o.sent || o.err != "" || o.unconfirmed {
		t.done++
	}
	if t.progress != nil {
		t.progress(t.done, t.total)
	}
}

// failRecording does what fail does for an error in writing the journal or the
// database: the journal must then stay, for the next run to replay.
func (t *tally) failRecording(err error) {
	if err == nil {
		return
	}
	t.mu.Lock()
	t.unrecorded = true
	t.mu.Unlock()
	t.fail(err)
}

// fail keeps err, when it is the first, and stops the run; nil is ignored.
func (t *tally) fail(err error) {
	if err == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
		t.stop()
	}
}

// copyOf is a subscriber's copy of the post, made ahead of its sending;
// err says why it could not be made.
type copyOf struct {
	sub  *mailinglist.Subscriber
	msg  *mail.Msg
	err  error
	hand *handOver
}

// handOver enters in the journal that a copy is being handed to the
// server, each time it is written out: once all of it is made and before
// its end goes out. A copy cut off before then never reached the server
// whole, so it is no ambiguity: it is simply sent again by the next run.
type handOver struct {
	j    *journal
	e    entry
	err  error // the journal's, when it could not be written
	done bool  // the last attempt went out whole, as far as we know
}

func (h *handOver) write() error {
	h.err = h.j.write(h.e)
	h.done = h.err == nil
	return h.err
}

// feed puts the copies for the pending deliveries of r's post on queue, in
// order of subscriber, until there are no more or ctx is done, then closes
// it. Making them here, on its own goroutine, takes the work off the
// connections' path.
func (s *Sender) feed(ctx context.Context, r *Rendered, j *journal, queue chan<- copyOf) error {
	defer close(queue)
	after := int64(0)
	for {
		subs, err := s.Deliveries.pending(ctx, r.post.Slug, after, batchSize)
		if ctx.Err() != nil {
			return nil // stopped: Send says why
		}
		if err != nil || len(subs) == 0 {
			return err
		}
		for _, sub := range subs {
			c := copyOf{sub: sub, hand: &handOver{j: j, e: entry{slug: r.post.Slug, id: sub.ID, status: "sending"}}}
			c.msg, c.err = r.message(sub, s.now(), c.hand.write)
			select {
			case queue <- c:
			case <-ctx.Done():
				return nil
			}
		}
		after = subs[len(subs)-1].ID
	}
}

// worker sends the copies on queue over one connection until there are
// none left, ctx is done, or recording fails. Each message is entered in
// the journal as it is handed over (see handOver) and again with its
// outcome, which then goes on outcomes, for the database.
func (s *Sender) worker(ctx context.Context, r *Rendered, j *journal, queue <-chan copyOf, outcomes chan<- entry, limiter *rate.Limiter, t *tally) {
	slug := r.post.Slug
	conn := &relay{s: s}
	defer conn.close()
	for c := range queue {
		if ctx.Err() != nil {
			return
		}
		out, stopErr := s.deliver(ctx, conn, c, limiter)
		if c.hand.err != nil {
			// Not handed over whole: the next run sends it.
			t.failRecording(c.hand.err)
			return
		}
		e := out.entry(slug)
		if err := j.write(e); err != nil {
			// Not recorded: the next run replays the hand-over as
			// unconfirmed, and so does this run's summary.
			if out.sent || out.err != "" {
				t.add(outcome{sub: out.sub, unconfirmed: true})
			}
			t.failRecording(err)
			return
		}
		outcomes <- e
		t.add(out)
		t.fail(stopErr)
	}
}

// deliver sends one subscriber's copy, retrying what can be retried. An
// outcome with neither sent nor err set was not tried (ctx ended). A reply
// of 4xx to every attempt defers the delivery to the next run. When the
// relay cannot be reached, or keeps dropping the connection, the outcome is
// left pending and the error says to stop the run.
func (s *Sender) deliver(ctx context.Context, conn *relay, c copyOf, limiter *rate.Limiter) (outcome, error) {
	sub, msg := c.sub, c.msg
	out := outcome{sub: sub}
	if c.err != nil {
		out.err = c.err.Error()
		return out, nil
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
			return outcome{sub: sub}, nil // not tried: pending again
		}
		if limiter != nil {
			if err := limiter.Wait(ctx); err != nil {
				return outcome{sub: sub}, nil
			}
		}
		// Made ahead, perhaps well ahead under a rate limit: dated now.
		msg.SetDateWithValue(s.now())
		c.hand.done = false
		err := conn.send(ctx, msg)
		if err == nil {
			out.sent = true
			return out, nil
		}
		// Whatever went wrong, the connection is dropped without a word: a
		// message cut off midway must not be finished.
		conn.abort()
		if c.hand.err != nil {
			return outcome{sub: sub}, nil // the journal failed: the worker stops
		}
		switch classifyError(err) {
		case relayRefuses:
			return outcome{sub: sub}, fmt.Errorf("publish: the mail relay refuses to send for this newsletter, so sending stopped and no subscriber was marked failed: mend [smtp] (the sender address, the login, the relay's rules), then run send again: %w", err)
		case addressGone:
			out.err, out.bounced = err.Error(), true
			return out, nil
		case messageRefused:
			out.err = err.Error()
			return out, nil
		}
		if c.hand.done && lostAfterEnd(err) {
			// All of it went out, its end too, and no answer came: the
			// server may have taken it. Sending it again could mail it
			// twice.
			out.unconfirmed = true
			return out, nil
		}
		// A 4xx reply or a connection problem: start afresh, later.
		if attempt >= attempts {
			if relayTrouble(err) {
				return outcome{sub: sub}, fmt.Errorf("publish: the mail relay failed %d times in a row, so sending stopped: run send again once it works: %w", attempt, err)
			}
			out.deferred, out.err = true, err.Error()
			return out, nil
		}
		s.log().Debug("retrying", "subscriber", sub.ID, "attempt", attempt, "err", mailaddr.Redact(err.Error()))
		select {
		case <-ctx.Done():
			return outcome{sub: sub}, nil
		case <-time.After(backoff << (attempt - 1)):
		}
	}
}

// lostAfterEnd reports whether err came as the message's end was sent (the
// final dot, RFC 5321 4.1.1.4) and no reply came: the connection dropped or
// timed out there. Whether the server took the message cannot be known.
func lostAfterEnd(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && se.Reason == mail.ErrSMTPDataClose && se.ErrorCode() == 0
}

// relayTrouble reports whether err is the relay's as a whole rather than
// one message's: no connection or login, a dropped connection (no reply
// at all), or 421, the server closing the session.
func relayTrouble(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return true
	}
	return se.ErrorCode() == 0 || se.ErrorCode() == 421
}

// SendMessage mails one message on its own connection, and records
// nothing: the confirmation of a subscription, say. The error is the
// relay's, for the caller to say what it was sending.
func (s *Sender) SendMessage(ctx context.Context, msg *mail.Msg) error {
	conn := &relay{s: s}
	if err := conn.send(ctx, msg); err != nil {
		conn.abort()
		return err
	}
	conn.close()
	return nil
}

// SendTest mails one copy of r's post to addr, as a subscriber would get
// it, and records nothing.
func (s *Sender) SendTest(ctx context.Context, r *Rendered, addr string) error {
	email, name, err := mailinglist.NormalizeAddress(addr)
	if err != nil {
		return err
	}
	msg, err := r.Message(&mailinglist.Subscriber{Email: email, Name: name}, s.now())
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
