package site

import "net/http"

// maxRequestBody bounds what a request may send; the forms themselves are
// bounded tighter (maxFormSize).
const maxRequestBody = 64 << 10

// securityHeaders wraps h with the headers every response of the site
// carries: a Content-Security-Policy that allows nothing but the site's own
// style sheet and forms, no sniffing, no framing, no referrer to others.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
