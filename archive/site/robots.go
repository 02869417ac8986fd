package site

import (
	"net/http"
	"time"
)

// robots serves /robots.txt: everything may be crawled; the sitemap is named.
func (s *Site) robots(w http.ResponseWriter, r *http.Request) {
	body := "User-agent: *\nAllow: /\nSitemap: " + s.absolute("/sitemap.xml") + "\n"
	s.send(w, r, "text/plain; charset=utf-8", []byte(body), time.Time{}, 0)
}
