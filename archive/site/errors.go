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
		d.Heading = s.words().T("err_too_large")
	case errors.Is(err, ErrBadAddress):
		d.Heading, d.Lines = s.words().T("err_bad_address"), []string{s.words().T("err_bad_address_line")}
	case errors.Is(err, ErrTestLink):
		d.Heading = s.words().T("err_test_link")
		d.Lines = []string{s.words().T("err_test_link_line")}
	case errors.Is(err, ErrBadLink) && r.URL.Path == "/confirm":
		d.Heading = s.words().T("err_bad_link")
		d.Lines = []string{s.words().T("err_bad_confirm_link_line")}
	case errors.Is(err, ErrBadLink):
		d.Heading = s.words().T("err_bad_link")
		d.Lines = []string{s.words().T("err_bad_link_line")}
	case errors.Is(err, ErrClosed):
		d.Heading, d.Lines = s.words().T("err_closed"), []string{s.words().T("err_closed_line")}
	case errors.Is(err, errTooMany):
		d.Heading, d.Lines = s.words().T("err_too_many"), []string{s.words().T("err_too_many_line")}
	case errors.Is(err, ErrTryLater):
		d.Heading, d.Lines = s.words().T("err_try_later"), []string{s.words().T("err_try_later_line")}
	case errors.Is(err, errUnreadable):
		d.Heading = s.words().T("err_unreadable")
	case errors.Is(err, errCrossSite):
		d.Heading, d.Lines = s.words().T("err_cross_site"), []string{s.words().T("err_cross_site_line")}
	default:
		s.log.Error("subscriber page", "path", r.URL.Path, "err", err)
		d.Heading, d.Lines = s.words().T("err_other"), []string{s.words().T("err_other_line")}
	}
	s.render(w, r, messagePage, d)
}
