package site

import "net/http"

// routes registers every route of the site, each to its handler's file.
func (s *Site) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.home)                             // home.go
	mux.HandleFunc("GET /page/{n}/{$}", s.home)                    // home.go
	mux.HandleFunc("GET /{year}/{month}/{day}/{slug}/{$}", s.post) // post.go
	mux.HandleFunc("GET /archive/{$}", s.archive)                  // archive.go
	mux.HandleFunc("GET /archive/page/{n}/{$}", s.archive)         // archive.go
	mux.HandleFunc("GET /tags/{tag}/{$}", s.archive)               // archive.go
	mux.HandleFunc("GET /tags/{tag}/page/{n}/{$}", s.archive)      // archive.go
	mux.HandleFunc("GET /search", s.search)                        // search.go
	mux.HandleFunc("GET /ask", s.ask)                              // ask.go
	mux.HandleFunc("GET /feed.xml", s.feed)                        // feed.go
	mux.HandleFunc("GET /sitemap.xml", s.sitemap)                  // sitemap.go
	mux.HandleFunc("GET /sitemaps/{file}", s.sitemapFile)          // sitemap.go
	mux.HandleFunc("GET /robots.txt", s.robots)                    // robots.go
	mux.HandleFunc("GET /style.css", s.stylesheet)                 // style.go
	mux.HandleFunc("POST /subscribe", s.subscribe)                 // subscribe.go
	mux.HandleFunc("GET /confirm", s.confirmPage)                  // confirm.go
	mux.HandleFunc("POST /confirm", s.confirm)                     // confirm.go
	mux.HandleFunc("GET /unsubscribe", s.unsubscribePage)          // unsubscribe.go
	mux.HandleFunc("POST /unsubscribe", s.unsubscribe)             // unsubscribe.go
	mux.HandleFunc("GET /", s.notFound)                            // notfound.go
}
