package site

import (
	"errors"
	htmltemplate "html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mailbag/archive"
)

// search is the search page, /search?q=...&page=N: hits with highlighted
// fragments, a page at a time.
func (s *Site) search(w http.ResponseWriter, r *http.Request) {
	sn := s.cache.get() // the index in step with posts/
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := pageData{Query: q, Page: pageNumber(r)}
	if q == "" {
		s.render(w, r, searchPage, d)
		return
	}
	res, err := s.o.Index.Search(r.Context(), archive.Query{Text: q, Page: d.Page})
	if errors.Is(err, archive.ErrBadQuery) {
		d.Problem = "That search could not be read: " + strings.TrimPrefix(err.Error(), archive.ErrBadQuery.Error()+": ") + "."
		d.status = statusOf(err)
		s.render(w, r, searchPage, d)
		return
	}
	if err != nil {
		s.log.Error("search", "query", q, "err", err)
		http.Error(w, "The search failed; try again.", statusOf(err))
		return
	}
	d.Total, d.Pages, d.First = res.Total, max(res.Pages(), 1), (res.Page-1)*res.PerPage+1
	for _, h := range res.Hits {
		p, ok := sn.bySlug[h.Slug]
		if !ok {
			continue // removed since the index was synced
		}
		hl := hitLink{postLink: linkOf(p)}
		for _, f := range h.Fragments {
			hl.Fragments = append(hl.Fragments, htmltemplate.HTML(f)) // escaped by the index, <mark> around matches
		}
		d.Hits = append(d.Hits, hl)
	}
	link := func(page int) string {
		return "/search?q=" + url.QueryEscape(q) + "&page=" + strconv.Itoa(page)
	}
	if d.Page > 1 {
		d.Prev = link(d.Page - 1)
	}
	if d.Page < res.Pages() {
		d.Next = link(d.Page + 1)
	}
	s.render(w, r, searchPage, d)
}
