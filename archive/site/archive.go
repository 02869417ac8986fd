package site

import (
	"net/http"
	"strconv"
)

// archivePerPage is how many answers a page of the archive (or of a tag)
// lists: pages stay small at any size of archive.
const archivePerPage = 200

// archivePath returns the path of page n of the archive, or of the answers
// tagged tag.
func archivePath(tag string, n int) string {
	base := "/archive/"
	if tag != "" {
		base = "/tags/" + tag + "/"
	}
	if n <= 1 {
		return base
	}
	return base + "page/" + strconv.Itoa(n) + "/"
}

// archive serves every answer, newest first, by year, archivePerPage a page:
// /archive/ and /archive/page/N/; or those with one tag, /tags/TAG/ and
// /tags/TAG/page/N/. Each page has the years of the whole list, each a
// link to the page it starts on.
func (s *Site) archive(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get()
	count, post := snap.posts.len(), func(k int) int { return k } // the list's length, and its k-th post's index
	slug := r.PathValue("tag")
	d := pageData{Page: 1}
	if slug != "" {
		tagged := snap.byTag[slug]
		if len(tagged) == 0 {
			s.notFound(w, r)
			return
		}
		count, post = len(tagged), func(k int) int { return int(tagged[k]) }
		d.Tag = snap.tagName[slug]
	}
	if v := r.PathValue("n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			s.notFound(w, r)
			return
		}
		d.Page = n
	}
	d.Pages = max((count+archivePerPage-1)/archivePerPage, 1)
	if d.Page > d.Pages {
		s.notFound(w, r)
		return
	}
	for k := range count {
		y := snap.posts.date(post(k)).Year()
		if n := len(d.YearLinks); n == 0 || d.YearLinks[n-1].Year != y {
			d.YearLinks = append(d.YearLinks, yearLink{Year: y, URL: archivePath(slug, k/archivePerPage+1) + "#y" + strconv.Itoa(y)})
		}
	}
	for k := (d.Page - 1) * archivePerPage; k < min(d.Page*archivePerPage, count); k++ {
		p := snap.posts.at(post(k))
		y := p.Date.Year()
		if n := len(d.Years); n == 0 || d.Years[n-1].Year != y {
			d.Years = append(d.Years, yearGroup{Year: y})
		}
		g := &d.Years[len(d.Years)-1]
		g.Posts = append(g.Posts, linkOf(p))
	}
	if d.Page > 1 {
		d.Prev = archivePath(slug, d.Page-1)
	}
	if d.Page < d.Pages {
		d.Next = archivePath(slug, d.Page+1)
	}
	d.modified = snap.made
	s.render(w, r, archivePage, d)
}
