package mailinglist

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"mailbag/internal/automail"
	"mailbag/internal/mailaddr"
	"mailbag/templates"
)

// ErrSubscribingClosed means a subscription cannot start: no mail can be
// sent to confirm it.
var ErrSubscribingClosed = errors.New("publish: subscribing is closed: confirmations cannot be mailed")

// ErrTryLater means the hour's confirmation mails are used up: a
// subscription can be asked for again later.
var ErrTryLater = errors.New("publish: too many subscriptions this hour: try again later")

// SubscriptionsOptions configure Subscriptions.
type SubscriptionsOptions struct {
	Subscribers *Subscribers
	// Key signs the links (LoadSecret).
	Key        []byte
	Newsletter Newsletter
	Templates  *templates.Set
	// Mailer sends confirmations; nil closes subscribing.
	Mailer automail.Mailer
	// PerHour caps the confirmations mailed in any hour, whoever they go
	// to: beyond it the form says to try later (0: 60).
	PerHour int
	// Log receives what changed; nil discards it.
	Log *slog.Logger
}

// Subscriptions is subscribing with double opt-in (a confirmation link by
// mail) and unsubscribing by the link in every message, for the site's
// subscriber pages. Links carry a token (see token): a confirmation works
// once, an unsubscribe link as long as the subscriber exists.
//
// Confirmations are mailed off the request path, by one goroutine, at most
// one a day an address: the subscribe form answers alike, in content and
// in time, whatever the address, and cannot be used to bomb one with mail.
// Close stops it.
type Subscriptions struct {
	o      SubscriptionsOptions
	log    *slog.Logger
	asks   chan string // addresses waiting for their confirmation
	asked  sync.WaitGroup
	stop   context.CancelFunc
	done   chan struct{}
	forgot time.Time // when unconfirmed subscribers were last forgotten
}

// askQueue bounds the addresses waiting for a confirmation: beyond, a
// flood of subscribe requests is dropped, said in the log.
const askQueue = 1000

// confirmData is what confirm.txt is executed with.
type confirmData struct {
	Newsletter, ConfirmURL string
}

// NewSubscriptions returns Subscriptions as o says, with confirm.txt
// checked.
func NewSubscriptions(o SubscriptionsOptions) (*Subscriptions, error) {
	if err := o.Templates.Check("confirm.txt", confirmData{"N", "https://u/"}, confirmData{}); err != nil {
		return nil, err
	}
	if o.PerHour <= 0 {
		o.PerHour = 60
	}
	s := &Subscriptions{o: o, log: o.Log, asks: make(chan string, askQueue), done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	go s.work(ctx)
	return s, nil
}

// Open reports whether subscribing is open: confirmations can be mailed.
func (s *Subscriptions) Open() bool { return s.o.Mailer != nil }

// Close stops mailing confirmations; those still waiting are dropped (the
// form can be posted again).
func (s *Subscriptions) Close() error {
	s.stop()
	<-s.done
	return nil
}

// Wait waits until every subscription asked so far is dealt with: its
// confirmation mailed, or not (already subscribed, one mailed within a day).
func (s *Subscriptions) Wait() { s.asked.Wait() }

// work mails the confirmations asked for, one at a time, until ctx is done.
func (s *Subscriptions) work(ctx context.Context) {
	defer close(s.done)
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case <-s.asks:
					s.asked.Done()
				default:
					return
				}
			}
		case addr := <-s.asks:
			if err := s.ask(ctx, addr); err != nil {
				s.log.Error("subscribe", "err", mailaddr.Redact(err.Error())) // a relay's answer may name the address
			}
			s.asked.Done()
		}
	}
}

// Subscribe asks for a subscription of addr: off the request path, it is
// added as pending and mailed a link to confirm, unless it is subscribed
// already, or its mailbox was mailed one within a day; the caller cannot
// tell which (the site tells nobody who subscribes). ErrBadAddress for an
// address that is not one; ErrSubscribingClosed without a Mailer;
// ErrTryLater when the hour's confirmations (PerHour, counting those
// waiting to go) are all used, whatever the address.
func (s *Subscriptions) Subscribe(ctx context.Context, addr string) error {
	addr, _, err := NormalizeAddress(addr)
	if err != nil {
		return err
	}
	if s.o.Mailer == nil {
		return ErrSubscribingClosed
	}
	sent, err := s.o.Subscribers.confirmationsSince(ctx, s.o.Subscribers.now().Add(-time.Hour))
	if err != nil {
		return err
	}
	if sent+len(s.asks) >= s.o.PerHour {
		s.log.Warn("subscribe: the hour's confirmations are used up; the form says to try later", "per_hour", s.o.PerHour)
		return ErrTryLater
	}
	s.asked.Add(1)
	select {
	case s.asks <- addr:
	default:
		s.asked.Done()
		s.log.Warn("subscribe requests come faster than confirmations go out: one dropped")
	}
	return nil
}

// ask adds addr as pending and mails it a link to confirm, unless it is
// subscribed already, or was mailed one within a day. Pending addresses
// older than a week are forgotten, once an hour.
func (s *Subscriptions) ask(ctx context.Context, addr string) error {
	if now := s.o.Subscribers.now(); now.Sub(s.forgot) > time.Hour {
		s.forgot = now
		if n, err := s.o.Subscribers.ForgetUnconfirmed(ctx); err != nil {
			return err
		} else if n > 0 {
			s.log.Info("forgot subscriptions never confirmed within a week", "count", n)
		}
	}
	sub, err := s.o.Subscribers.AddPending(ctx, addr, "site")
	if err != nil {
		return err
	}
	if sub.Status != Pending && sub.Status != Unsubscribed {
		return nil
	}
	if ok, err := s.o.Subscribers.claimConfirmation(ctx, sub); err != nil || !ok {
		return err // one went out within a day
	}
	if err := s.sendConfirmation(ctx, sub); err != nil {
		s.o.Subscribers.unclaimConfirmation(context.WithoutCancel(ctx), sub)
		return fmt.Errorf("publish: mail a confirmation to subscriber %d: %w", sub.ID, err)
	}
	s.log.Info("subscription asked: confirmation mailed", "subscriber", sub.ID)
	return nil
}

// sendConfirmation mails sub the link that confirms the subscription.
func (s *Subscriptions) sendConfirmation(ctx context.Context, sub *Subscriber) error {
	n := s.o.Newsletter
	link := strings.TrimRight(n.BaseURL, "/") + "/confirm?t=" + url.QueryEscape(token(s.o.Key, confirmPurpose(sub), sub.ID, sub.Email))
	_, err := automail.Mail{
		FromName: n.Title, FromAddr: n.Address, ToAddr: sub.Email,
		Subject:       s.o.Templates.Messages().T("confirm_subject", n.Title),
		Domain:        n.Host(),
		AutoSubmitted: "auto-generated",
		Body:          s.o.Templates.Text("confirm.txt"),
		Data:          confirmData{Newsletter: n.Title, ConfirmURL: link},
	}.Send(ctx, s.o.Mailer)
	return err
}

// confirmPurpose returns the purpose of a confirmation token. It holds the
// subscriber's status and last change, so that a token works once:
// confirming changes both, and so does unsubscribing later.
func confirmPurpose(sub *Subscriber) string {
	return "confirm " + string(sub.Status) + " " + sub.Updated.UTC().Format(time.RFC3339Nano)
}

// unsubscribePurpose returns the purpose of an unsubscribe token: it works as
// long as the subscriber exists.
func unsubscribePurpose(*Subscriber) string { return "unsubscribe" }

// Confirming returns the subscriber a confirmation token is for, changing
// nothing. The error wraps ErrBadToken for a token that does not work.
func (s *Subscriptions) Confirming(ctx context.Context, token string) (*Subscriber, error) {
	return s.subscriberOf(ctx, token, confirmPurpose)
}

// Confirm makes the subscriber of a confirmation token active.
func (s *Subscriptions) Confirm(ctx context.Context, token string) (*Subscriber, error) {
	sub, err := s.subscriberOf(ctx, token, confirmPurpose)
	if err != nil {
		return nil, err
	}
	if err := s.o.Subscribers.SetStatus(ctx, sub.Email, Active); err != nil {
		return nil, err
	}
	s.log.Info("subscribed", "subscriber", sub.ID)
	sub.Status = Active
	return sub, nil
}

// Unsubscribing returns the subscriber an unsubscribe token is for,
// changing nothing.
func (s *Subscriptions) Unsubscribing(ctx context.Context, token string) (*Subscriber, error) {
	return s.subscriberOf(ctx, token, unsubscribePurpose)
}

// Unsubscribe marks the subscriber of an unsubscribe token unsubscribed
// (one who bounced or complained stays so).
func (s *Subscriptions) Unsubscribe(ctx context.Context, token string) (*Subscriber, error) {
	sub, err := s.subscriberOf(ctx, token, unsubscribePurpose)
	if err != nil {
		return nil, err
	}
	if sub.Status == Active || sub.Status == Pending {
		if err := s.o.Subscribers.SetStatus(ctx, sub.Email, Unsubscribed); err != nil {
			return nil, err
		}
		s.log.Info("unsubscribed", "subscriber", sub.ID)
		sub.Status = Unsubscribed
	}
	return sub, nil
}

// subscriberOf returns the subscriber a token is for, checked against the
// token's purpose for that subscriber. The error wraps ErrBadToken.
func (s *Subscriptions) subscriberOf(ctx context.Context, token string, purpose func(*Subscriber) string) (*Subscriber, error) {
	return s.o.Subscribers.byToken(ctx, s.o.Key, token, purpose)
}

// UnsubscribeToken returns the token of sub's unsubscribe links, signed
// with key.
func UnsubscribeToken(key []byte, sub *Subscriber) string {
	return token(key, unsubscribePurpose(sub), sub.ID, sub.Email)
}

// Unsubscriber returns the subscriber an unsubscribe token signed with key
// is for. The error wraps ErrBadToken (or is ErrTestToken) for a token
// that does not work.
func (s *Subscribers) Unsubscriber(ctx context.Context, key []byte, token string) (*Subscriber, error) {
	return s.byToken(ctx, key, token, unsubscribePurpose)
}

// byToken returns the subscriber a token signed with key is for, checked
// against the token's purpose for that subscriber. The error wraps
// ErrBadToken.
func (s *Subscribers) byToken(ctx context.Context, key []byte, token string, purpose func(*Subscriber) string) (*Subscriber, error) {
	if idPart, _, _ := strings.Cut(token, "."); idPart == "0" {
		return nil, ErrTestToken
	}
	id, err := tokenID(key, token)
	if err != nil {
		return nil, err
	}
	sub, err := s.GetByID(ctx, id)
	if errors.Is(err, ErrNoSubscriber) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, err
	}
	if err := verifyToken(key, token, purpose(sub), sub.ID, sub.Email); err != nil {
		return nil, err
	}
	return sub, nil
}
