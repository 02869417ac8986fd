package site

import "net/http"

// maxRequestBody bounds what a request may send; the forms themselves are
// bounded tighter (maxFormSize).
const maxRequestBody = 64 << 10

// securityHeaders wraps h with the headers every response of the site
// carries: a Content-Security-Policy that allows nothing but the site's own
// style sheet, images and forms (and images from other hosts, over https,
// when remoteImages says so), no sniffing, no framing, no referrer to
// others.
func securityHeaders(h http.Handler, remoteImages bool) http.Handler {
	img := "img-src 'self' data:"
	if remoteImages {
		img += " https:"
	}
	csp := "default-src 'none'; style-src 'self'; " + img + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
