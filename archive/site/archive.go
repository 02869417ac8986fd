package site

import "net/http"

// archive is every answer by year, /archive/, or those with one tag,
// /tags/TAG/.
func (s *Site) archive(w http.ResponseWriter, r *http.Request) {
	sn := s.cache.get()
	list := sn.list
	d := pageData{Tag: r.PathValue("tag")}
	if d.Tag != "" {
		list = sn.byTag[d.Tag]
		if len(list) == 0 {
			s.notFound(w, r)
			return
		}
	}
	for _, p := range list {
		y := p.Date.Year()
		if n := len(d.Years); n == 0 || d.Years[n-1].Year != y {
			d.Years = append(d.Years, yearGroup{Year: y})
		}
		g := &d.Years[len(d.Years)-1]
		g.Posts = append(g.Posts, linkOf(p))
	}
	d.modified = sn.made
	s.render(w, r, archivePage, d)
}
