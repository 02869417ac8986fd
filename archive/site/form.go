package site

import (
	"mime"
	"net/http"
	"time"
)

// maxFormSize bounds the body of a POST: the forms hold an address and a
// token, far less than this.
const maxFormSize = 8 << 10

// The subscribe form's rate limit, per client: postBurst at once, then one
// every postEvery. Token-checked POSTs (confirm, unsubscribe) are never
// limited: a refused unsubscribe would mail someone who asked to stop.
const (
	postBurst = 5
	postEvery = 6 * time.Second
)

// readForm parses a POST's form, bounded in size; when it returns false it
// has answered the request.
func (s *Site) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	parse := r.ParseForm
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		// RFC 8058 allows the one-click POST as multipart/form-data too.
		parse = func() error { return r.ParseMultipartForm(maxFormSize) }
	}
	if err := parse(); err != nil {
		if statusOf(err) != http.StatusRequestEntityTooLarge {
			err = errUnreadable
		}
		s.fail(w, r, err)
		return false
	}
	return true
}

// message shows the message page: a heading and lines, and, when action
// is set, a form of one button that posts token there.
func (s *Site) message(w http.ResponseWriter, r *http.Request, heading string, lines ...string) {
	s.render(w, r, messagePage, pageData{Heading: heading, Lines: lines, noStore: true})
}

// button shows the message page with a form of one button that posts token
// to action.
func (s *Site) button(w http.ResponseWriter, r *http.Request, heading, line, action, token, button string) {
	s.render(w, r, messagePage, pageData{Heading: heading, Lines: []string{line}, Action: action, Token: token, Button: button, noStore: true})
}
