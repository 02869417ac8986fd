package site

import (
	"net/http"
	"time"
)

// stylesheet serves the site's one style sheet, /style.css.
func (s *Site) stylesheet(w http.ResponseWriter, r *http.Request) {
	s.send(w, r, "text/css; charset=utf-8", s.o.Templates.File(styleSheet), time.Time{}, 0)
}
