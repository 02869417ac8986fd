package site

import (
	"encoding/xml"
	"net/http"
)

// urlSet is a sitemap (sitemaps.org, 0.9).
type urlSet struct {
	XMLName xml.Name  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []siteURL `xml:"url"`
}

type siteURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemap lists the home, the archive and every answer, /sitemap.xml.
func (s *Site) sitemap(w http.ResponseWriter, r *http.Request) {
	sn := s.cache.get()
	list := sn.list
	set := urlSet{URLs: []siteURL{{Loc: s.absolute("/")}, {Loc: s.absolute("/archive/")}}}
	for _, p := range list {
		set.URLs = append(set.URLs, siteURL{Loc: s.absolute(p.URLPath()), LastMod: p.Date.Format("2006-01-02")})
	}
	s.sendXML(w, r, "application/xml; charset=utf-8", set, sn.made)
}
