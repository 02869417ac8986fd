package site

import "net/http"

// unsubscribePage serves the page the unsubscribe link in every mail leads to: a
// button to unsubscribe (a GET changes nothing).
func (s *Site) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	sub, err := s.lookup(r, UnsubscribeLink, token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !sub.Subscribed {
		s.message(w, r, s.words().T("not_subscribed"), s.words().T("not_subscribed_line", sub.Email, s.o.Title))
		return
	}
	s.button(w, r, s.words().T("unsubscribe"), s.words().T("unsubscribe_line", sub.Email, s.o.Title),
		"/unsubscribe", token, s.words().T("unsubscribe_button"))
}

// unsubscribe takes the page's button (t in the body) and the one-click
// POST of mail clients (RFC 8058: t in the URL, List-Unsubscribe=One-Click
// in the body).
func (s *Site) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	token := r.PostForm.Get("t")
	if token == "" {
		token = r.URL.Query().Get("t")
	}
	sub, err := s.follow(r, UnsubscribeLink, token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("unsubscribe link followed", "one_click", r.PostForm.Get("List-Unsubscribe") == "One-Click")
	s.message(w, r, s.words().T("unsubscribed"), s.words().T("unsubscribed_line", sub.Email, s.o.Title))
}
