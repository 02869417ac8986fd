package site

import (
	"errors"
	"net/http"

	"mailbag/archive"
	"mailbag/archive/search"
)

// Errors the handlers meet that are not the Subscriptions' own.
var (
	errTooMany    = errors.New("site: too many requests")
	errUnreadable = errors.New("site: the request could not be read")
	errNotFound   = errors.New("site: no such page")
	errCrossSite  = errors.New("site: a form posted from another site")
)

// statusOf returns the HTTP status of an error, in this one place.
func statusOf(err error) int {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge
	}
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, search.ErrBadQuery), errors.Is(err, ErrBadAddress), errors.Is(err, ErrBadLink), errors.Is(err, ErrTestLink), errors.Is(err, errUnreadable):
		return http.StatusBadRequest
	case errors.Is(err, archive.ErrNotFound), errors.Is(err, errNotFound):
		return http.StatusNotFound
	case errors.Is(err, errTooMany), errors.Is(err, ErrTryLater):
		return http.StatusTooManyRequests
	case errors.Is(err, errCrossSite):
		return http.StatusForbidden
	}
	return http.StatusServiceUnavailable
}

// fail answers a subscriber page's request with the message page for err;
// an error the reader cannot mend is logged.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	d := pageData{status: status, noStore: true}
	switch {
	case status == http.StatusRequestEntityTooLarge:
		d.Heading = "This request is too large"
	case errors.Is(err, ErrBadAddress):
		d.Heading, d.Lines = "That is not a mail address", []string{"Go back and check it, please."}
	case errors.Is(err, ErrTestLink):
		d.Heading = "This is the link of a test copy"
		d.Lines = []string{"A test copy (mailbag send --test) is for no subscriber: its link unsubscribes nobody. In the mail sent to the list, each subscriber's link works."}
	case errors.Is(err, ErrBadLink) && r.URL.Path == "/confirm":
		d.Heading = "This link does not work"
		d.Lines = []string{"It may have been used already, be over a week old, or have been cut short by your mail program. To subscribe, use the form on this page again."}
	case errors.Is(err, ErrBadLink):
		d.Heading = "This link does not work"
		d.Lines = []string{"It may have been cut short by your mail program. Use the whole link from the message, or reply to the message and ask to be removed."}
	case errors.Is(err, ErrClosed):
		d.Heading, d.Lines = "Subscribing is closed", []string{"This site cannot send mail just now."}
	case errors.Is(err, errTooMany):
		d.Heading, d.Lines = "Too many requests", []string{"Please wait a minute and try again."}
	case errors.Is(err, ErrTryLater):
		d.Heading, d.Lines = "Too many subscriptions just now", []string{"Please try again in an hour."}
	case errors.Is(err, errUnreadable):
		d.Heading = "This request could not be read"
	case errors.Is(err, errCrossSite):
		d.Heading, d.Lines = "This form was sent from another site", []string{"Use the form on this site's own pages."}
	default:
		s.log.Error("subscriber page", "path", r.URL.Path, "err", err)
		d.Heading, d.Lines = "Something went wrong", []string{"Please try again in a moment."}
	}
	s.render(w, r, messagePage, d)
}
