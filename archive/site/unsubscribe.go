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
		s.message(w, r, "You are not subscribed", sub.Email+" gets no mail from "+s.o.Title+".")
		return
	}
	s.button(w, r, "Unsubscribe?", sub.Email+" will get no more answers from "+s.o.Title+".",
		"/unsubscribe", token, "Unsubscribe")
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
	s.message(w, r, "You are unsubscribed", sub.Email+" will get no more answers from "+s.o.Title+". Sorry to see you go.")
}
