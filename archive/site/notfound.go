package site

import "net/http"

// notFound is the page for any path the site does not have.
func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, notFoundPage, pageData{status: statusOf(errNotFound)})
}
