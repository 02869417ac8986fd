package archive

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"
)

// feedSize is how many answers the Atom feed carries.
const feedSize = 20

// atomFeed is an Atom feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  *atomPerson `xml:"author,omitempty"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title     string   `xml:"title"`
	ID        string   `xml:"id"`
	Link      atomLink `xml:"link"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Content   atomHTML `xml:"content"`
}

type atomHTML struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// absolute is the full URL of a path on the site.
func (s *Site) absolute(path string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + path
}

func (s *Site) feed(w http.ResponseWriter, r *http.Request) {
	list := s.snapshot()
	f := atomFeed{Title: s.cfg.Title, ID: s.absolute("/"), Links: []atomLink{{Rel: "self", Href: s.absolute("/feed.xml")}, {Href: s.absolute("/")}}}
	if s.cfg.Author != "" {
		f.Author = &atomPerson{Name: s.cfg.Author}
	}
	var modified time.Time
	if len(list) > 0 {
		modified = list[0].Date
		f.Updated = modified.Format(time.RFC3339)
	} else {
		f.Updated = time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	for _, p := range list[:min(feedSize, len(list))] {
		body, err := s.body(p)
		if err != nil {
			s.log.Error("render post", "slug", p.Slug, "err", err)
		}
		u := s.absolute(PostURL(p))
		f.Entries = append(f.Entries, atomEntry{
			Title: p.Title, ID: u, Link: atomLink{Href: u},
			Published: p.Date.Format(time.RFC3339), Updated: p.Date.Format(time.RFC3339),
			Content: atomHTML{Type: "html", Body: string(body)},
		})
	}
	s.sendXML(w, r, "application/atom+xml; charset=utf-8", f, modified)
}

type urlSet struct {
	XMLName xml.Name  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []siteURL `xml:"url"`
}

type siteURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

func (s *Site) sitemap(w http.ResponseWriter, r *http.Request) {
	list := s.snapshot()
	set := urlSet{URLs: []siteURL{{Loc: s.absolute("/")}, {Loc: s.absolute("/archive/")}}}
	for _, p := range list {
		set.URLs = append(set.URLs, siteURL{Loc: s.absolute(PostURL(p)), LastMod: p.Date.Format("2006-01-02")})
	}
	var modified time.Time
	if len(list) > 0 {
		modified = list[0].Date
	}
	s.sendXML(w, r, "application/xml; charset=utf-8", set, modified)
}

func (s *Site) sendXML(w http.ResponseWriter, r *http.Request, contentType string, v any, modified time.Time) {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		s.log.Error("write XML", "err", err)
		http.Error(w, "The document could not be made.", http.StatusInternalServerError)
		return
	}
	s.send(w, r, contentType, append([]byte(xml.Header), out...), modified, 0)
}

func (s *Site) robots(w http.ResponseWriter, r *http.Request) {
	body := "User-agent: *\nAllow: /\nSitemap: " + s.absolute("/sitemap.xml") + "\n"
	s.send(w, r, "text/plain; charset=utf-8", []byte(body), time.Time{}, 0)
}
