package site

import (
	"context"
	"errors"
	htmltemplate "html/template"
	"mailbag/archive/search"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// A search costs more than any other page: at most maxSearches run at
// once, and one that finds no place within searchWait is answered "busy"
// (503, Retry-After), so that a flood of searches leaves the cores to the
// other pages. Each search also has a deadline in the index.
var (
	maxSearches = 2 * runtime.GOMAXPROCS(0)
	searchWait  = time.Second
)

// searchSlot waits for a place among the searches running, at most
// searchWait, and returns what gives it back. ok is false when none came:
// the request was given up, or the site is busy (Retry-After is set; the
// caller says so).
func (s *Site) searchSlot(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	select {
	case s.searches <- struct{}{}:
		return func() { <-s.searches }, true
	case <-time.After(searchWait):
		w.Header().Set("Retry-After", "2")
	case <-r.Context().Done():
	}
	return nil, false
}

// search serves the search page, /search?q=...&page=N: hits with highlighted
// fragments, a page at a time; "did you mean" when nothing is found.
func (s *Site) search(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get() // the index in step with posts/
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := pageData{Query: echo(q), Page: pageNumber(r), PrevText: s.words().T("better_matches"), NextText: s.words().T("more_results")}
	if q == "" {
		s.render(w, r, searchPage, d)
		return
	}
	release, ok := s.searchSlot(w, r)
	if !ok {
		d.Problem, d.status = s.words().T("search_busy"), http.StatusServiceUnavailable
		s.render(w, r, searchPage, d)
		return
	}
	defer release()
	res, err := s.o.Index.Search(r.Context(), search.Query{Text: q, Page: d.Page})
	switch {
	case errors.Is(err, search.ErrBadQuery):
		d.Problem = s.words().T("search_unreadable", strings.TrimPrefix(err.Error(), search.ErrBadQuery.Error()+": "))
		d.status = statusOf(err)
		s.render(w, r, searchPage, d)
		return
	case errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "2")
		d.Problem, d.status = s.words().T("search_slow"), http.StatusServiceUnavailable
		s.render(w, r, searchPage, d)
		return
	case err != nil:
		s.log.Error("search", "query", echo(q), "err", err)
		http.Error(w, s.words().T("err_search"), statusOf(err))
		return
	}
	d.Total, d.Pages, d.First = res.Total, max(res.Pages(), 1), (res.Page-1)*res.PerPage+1
	if s.o.Searches != nil && res.Page == 1 {
		s.o.Searches.Record(limitKey(clientAddr(r, s.o.TrustedProxies)).String(), q, res.Total)
	}
	if res.Suggestion != "" {
		d.Suggestion, d.SuggestionURL = res.Suggestion, "/search?q="+url.QueryEscape(res.Suggestion)
	}
	d.TooCommon = res.TooCommon
	for _, h := range res.Hits {
		p, _, ok := snap.bySlug(h.Slug)
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
	if d.Page < res.Pages() && d.Page < search.MaxPages(res.PerPage) {
		d.Next = link(d.Page + 1)
	}
	s.render(w, r, searchPage, d)
}
