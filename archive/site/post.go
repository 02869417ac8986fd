package site

import (
	"bytes"
	"net/http"
)

// relatedCount is how many related answers a post's page lists.
const relatedCount = 5

// post serves one answer's page, /YYYY/MM/DD/slug/, with the newer and older
// answers and related ones.
func (s *Site) post(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get()
	p, i, ok := snap.bySlug(r.PathValue("slug"))
	if !ok || p.URLPath() != r.URL.Path {
		s.notFound(w, r)
		return
	}
	if pg, ok := snap.page(p.Slug); ok {
		s.sendMade(w, r, "text/html; charset=utf-8", pg, snap.made)
		return
	}
	d := pageData{Post: linkOf(p), modified: snap.made}
	body, err := snap.body(s.o.Posts, p)
	if err != nil {
		s.log.Error("render post", "slug", p.Slug, "err", err)
	}
	d.Body = body
	if i > 0 {
		l := linkOf(snap.posts.at(i - 1))
		d.Newer = &l
	}
	if i+1 < snap.posts.len() {
		l := linkOf(snap.posts.at(i + 1))
		d.Older = &l
	}
	// The title's words in other titles: searching bodies too costs
	// milliseconds a page at 10,000 posts, and a build makes every page.
	for _, j := range snap.titles.Like(p.Title, relatedCount+1) {
		if j != i && len(d.Related) < relatedCount {
			d.Related = append(d.Related, linkOf(snap.posts.at(j)))
		}
	}
	var buf bytes.Buffer
	if !s.execute(w, &buf, postPage, d) {
		return
	}
	pg := madePage{body: buf.Bytes(), etag: etagOf(buf.Bytes())}
	if err == nil && !s.o.Static { // a build makes each page once
		pg.body = bytes.Clone(pg.body) // the buffer has room to spare
		pg = snap.keepPage(p.Slug, pg)
	}
	s.sendMade(w, r, "text/html; charset=utf-8", pg, snap.made)
}
