package site

import (
	"net/http"
	"strconv"
)

// perPage is how many posts a page of the home page lists.
const perPage = 20

// homePath returns the path of page n of the home page.
func homePath(n int) string {
	if n <= 1 {
		return "/"
	}
	return "/page/" + strconv.Itoa(n) + "/"
}

// home serves the latest answers, perPage a page: / and /page/N/; / with
// a WordPress short link's query (?p=ID) an imported post has as an alias
// redirects to that post.
func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get()
	if id := r.URL.Query().Get("p"); id != "" && r.PathValue("n") == "" {
		// WordPress's short link to a post, /?p=ID, kept as an alias.
		if p, ok := snap.alias("/?p=" + id); ok {
			http.Redirect(w, r, p.URLPath(), http.StatusMovedPermanently)
			return
		}
	}
	page := 1
	if v := r.PathValue("n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			s.notFound(w, r)
			return
		}
		page = n
	}
	pages := max((snap.posts.len()+perPage-1)/perPage, 1)
	if page > pages {
		s.notFound(w, r)
		return
	}
	d := pageData{Page: page, Pages: pages}
	for i := (page - 1) * perPage; i < min(page*perPage, snap.posts.len()); i++ {
		d.Posts = append(d.Posts, linkOf(snap.posts.at(i)))
	}
	if page > 1 {
		d.Prev = homePath(page - 1)
	}
	if page < pages {
		d.Next = homePath(page + 1)
	}
	d.modified = snap.made
	s.render(w, r, homePage, d)
}
