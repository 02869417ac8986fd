package site

import "net/http"

// notFound serves the page for any path the site does not have; a post's old
// address (an alias, kept from the site it was imported from) is
// redirected to its page for good.
func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	if p, ok := s.cache.get().alias(r.URL.Path); ok {
		http.Redirect(w, r, p.URLPath(), http.StatusMovedPermanently)
		return
	}
	s.render(w, r, notFoundPage, pageData{status: statusOf(errNotFound)})
}
