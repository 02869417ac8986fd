package site

import (
	"context"
	"errors"
)

// Subscriptions is what the subscriber pages need of the subscriber list.
// The site declares it and cmd fills it, so that the site imports nothing
// of how subscribers are kept or mailed.
type Subscriptions interface {
	// Subscribe starts a subscription for addr with double opt-in: it
	// mails a link to confirm (or does nothing, for an address already
	// subscribed). ErrBadAddress for an address that is not one;
	// ErrClosed when no mail can be sent.
	Subscribe(ctx context.Context, addr string) error
	// Lookup says whom the token of a link is for, changing nothing.
	// ErrBadLink for a token that is forged, cut short or used up.
	Lookup(ctx context.Context, link Link, token string) (Subscriber, error)
	// Follow does what the link is for (confirms, unsubscribes) and says
	// for whom. ErrBadLink as Lookup.
	Follow(ctx context.Context, link Link, token string) (Subscriber, error)
}

// Link is what a link in a mail is for.
type Link int

// The links the subscriber pages take.
const (
	ConfirmLink Link = iota + 1
	UnsubscribeLink
)

// Subscriber is a subscriber as the pages name them.
type Subscriber struct {
	Email string
	// Subscribed is true for an active subscriber and for one who has not
	// confirmed yet.
	Subscribed bool
}

// Errors that Subscriptions return; the site maps them to statuses in
// statusOf.
var (
	// ErrBadAddress means a subscribe form's address is not a mail address.
	ErrBadAddress = errors.New("site: not a mail address")
	// ErrBadLink means a link's token is forged, damaged or used up.
	ErrBadLink = errors.New("site: the link does not work")
	// ErrTryLater means subscribing is busy: the hour's confirmation mails
	// are used up.
	ErrTryLater = errors.New("site: too many subscriptions just now")
	// ErrClosed means subscribing is closed: no mail can be sent.
	ErrClosed = errors.New("site: subscribing is closed")
	// ErrTestLink means the link is from a test copy (send --test), made
	// for no subscriber.
	ErrTestLink = errors.New("site: the link of a test copy")
)
