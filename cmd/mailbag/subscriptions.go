package main

import (
	"context"
	"errors"

	"mailbag/archive/site"
	"mailbag/publish/mailinglist"
)

// subscriptions fills the site's Subscriptions with publish's: the site
// imports nothing of publish, and this is the one place their words meet.
type subscriptions struct{ p *mailinglist.Subscriptions }

var _ site.Subscriptions = subscriptions{}

func (s subscriptions) Subscribe(ctx context.Context, addr string) error {
	return siteError(s.p.Subscribe(ctx, addr))
}

func (s subscriptions) Lookup(ctx context.Context, link site.Link, token string) (site.Subscriber, error) {
	lookup := s.p.Unsubscribing
	if link == site.ConfirmLink {
		lookup = s.p.Confirming
	}
	return siteSubscriber(lookup(ctx, token))
}

func (s subscriptions) Follow(ctx context.Context, link site.Link, token string) (site.Subscriber, error) {
	follow := s.p.Unsubscribe
	if link == site.ConfirmLink {
		follow = s.p.Confirm
	}
	return siteSubscriber(follow(ctx, token))
}

func siteSubscriber(sub *mailinglist.Subscriber, err error) (site.Subscriber, error) {
	if err != nil {
		return site.Subscriber{}, siteError(err)
	}
	return site.Subscriber{Email: sub.Email, Subscribed: sub.Status == mailinglist.Active || sub.Status == mailinglist.Pending}, nil
}

// siteError returns publish's error in the site's words.
func siteError(err error) error {
	switch {
	case errors.Is(err, mailinglist.ErrTestToken):
		return errors.Join(site.ErrTestLink, err)
	case errors.Is(err, mailinglist.ErrBadToken):
		return errors.Join(site.ErrBadLink, err)
	case errors.Is(err, mailinglist.ErrBadAddress):
		return errors.Join(site.ErrBadAddress, err)
	case errors.Is(err, mailinglist.ErrSubscribingClosed):
		return errors.Join(site.ErrClosed, err)
	case errors.Is(err, mailinglist.ErrTryLater):
		return errors.Join(site.ErrTryLater, err)
	}
	return err
}
