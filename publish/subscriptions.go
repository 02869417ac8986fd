package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"mailbag/templates"
)

// ErrSubscribingClosed means a subscription cannot start: no mail can be
// sent to confirm it.
var ErrSubscribingClosed = errors.New("publish: subscribing is closed: confirmations cannot be mailed")

// SubscriptionsOptions configure Subscriptions.
type SubscriptionsOptions struct {
	Subscribers *Subscribers
	// Key signs the links (LoadSecret).
	Key        []byte
	Newsletter Newsletter
	Templates  *templates.Set
	// Mailer sends confirmations; nil closes subscribing.
	Mailer Mailer
	// Log receives what changed; nil discards it.
	Log *slog.Logger
}

// Subscriptions is subscribing with double opt-in (a confirmation link by
// mail) and unsubscribing by the link in every message, for the site's
// subscriber pages. Links carry a token (see Token): a confirmation works
// once, an unsubscribe link as long as the subscriber exists.
type Subscriptions struct {
	o   SubscriptionsOptions
	log *slog.Logger
}

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
	s := &Subscriptions{o: o, log: o.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Subscribe adds addr as pending and mails it a link to confirm, unless it
// is subscribed already (then nothing happens, and the caller cannot tell:
// the site tells nobody who subscribes). ErrBadAddress for an address that
// is not one; ErrSubscribingClosed without a Mailer.
func (s *Subscriptions) Subscribe(ctx context.Context, addr string) error {
	addr, _, err := NormalizeAddress(addr)
	if err != nil {
		return err
	}
	if s.o.Mailer == nil {
		return ErrSubscribingClosed
	}
	sub, err := s.o.Subscribers.AddPending(ctx, addr, "site")
	if err != nil {
		return err
	}
	if sub.Status != Pending && sub.Status != Unsubscribed {
		return nil
	}
	if err := s.sendConfirmation(ctx, sub); err != nil {
		return fmt.Errorf("publish: mail a confirmation to subscriber %d: %w", sub.ID, err)
	}
	return nil
}

// sendConfirmation mails sub the link that confirms the subscription.
func (s *Subscriptions) sendConfirmation(ctx context.Context, sub *Subscriber) error {
	n := s.o.Newsletter
	link := strings.TrimRight(n.BaseURL, "/") + "/confirm?t=" + url.QueryEscape(Token(s.o.Key, confirmPurpose(sub), sub.ID, sub.Email))
	return autoMail{
		fromName: n.Title, fromAddr: n.Address, toAddr: sub.Email,
		subject:       "Confirm your subscription to " + n.Title,
		autoSubmitted: "auto-generated",
		body:          s.o.Templates.Text("confirm.txt"),
		data:          confirmData{Newsletter: n.Title, ConfirmURL: link},
	}.send(ctx, s.o.Mailer)
}

// confirmPurpose is the purpose of a confirmation token. It holds the
// subscriber's last change, so that a token works once: confirming changes
// it, and so does unsubscribing later.
func confirmPurpose(sub *Subscriber) string {
	return "confirm " + sub.Updated.UTC().Format(time.RFC3339Nano)
}

// unsubscribePurpose is the purpose of an unsubscribe token: it works as
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
	id, err := TokenID(token)
	if err != nil {
		return nil, err
	}
	sub, err := s.o.Subscribers.GetByID(ctx, id)
	if errors.Is(err, ErrNoSubscriber) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, err
	}
	if err := VerifyToken(s.o.Key, token, purpose(sub), sub.ID, sub.Email); err != nil {
		return nil, err
	}
	return sub, nil
}
