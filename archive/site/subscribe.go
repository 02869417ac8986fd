package site

import "net/http"

// subscribe takes the subscribe form's POST: a confirmation link is mailed
// (double opt-in). Whether or not the address was on the list already, the
// answer is the same: the page tells nobody who subscribes.
func (s *Site) subscribe(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.limit.allow(r); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		s.fail(w, r, errTooMany)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	if s.o.Subscriptions == nil || s.o.SubscribingClosed {
		s.fail(w, r, ErrClosed)
		return
	}
	if err := s.o.Subscriptions.Subscribe(r.Context(), r.PostForm.Get("email")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.message(w, r, s.words().T("check_inbox"), s.words().T("check_inbox_line"))
}
