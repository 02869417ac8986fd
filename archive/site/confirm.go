package site

import "net/http"

// confirmPage serves the page a confirmation link leads to: a button to confirm
// (a GET changes nothing).
func (s *Site) confirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	sub, err := s.lookup(r, ConfirmLink, token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.button(w, r, s.words().T("confirm"), s.words().T("confirm_line", sub.Email, s.o.Title),
		"/confirm", token, s.words().T("subscribe_button"))
}

// confirm takes the confirmation page's button.
func (s *Site) confirm(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	sub, err := s.follow(r, ConfirmLink, r.PostForm.Get("t"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.message(w, r, s.words().T("subscribed"), s.words().T("subscribed_line", sub.Email, s.o.Title))
}

// lookup calls Subscriptions.Lookup; without a list it returns ErrClosed.
func (s *Site) lookup(r *http.Request, link Link, token string) (Subscriber, error) {
	if s.o.Subscriptions == nil {
		return Subscriber{}, ErrClosed
	}
	return s.o.Subscriptions.Lookup(r.Context(), link, token)
}

// follow calls Subscriptions.Follow; without a list it returns ErrClosed.
func (s *Site) follow(r *http.Request, link Link, token string) (Subscriber, error) {
	if s.o.Subscriptions == nil {
		return Subscriber{}, ErrClosed
	}
	return s.o.Subscriptions.Follow(r.Context(), link, token)
}
