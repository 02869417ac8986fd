package site

import (
	"encoding/xml"
	"net/http"
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

// feed serves the Atom feed of the latest answers, /feed.xml.
func (s *Site) feed(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get()
	f := atomFeed{Title: s.o.Title, ID: s.absolute("/"), Links: []atomLink{{Rel: "self", Href: s.absolute("/feed.xml")}, {Href: s.absolute("/")}}}
	if s.o.Author != "" {
		f.Author = &atomPerson{Name: s.o.Author}
	}
	if snap.posts.len() > 0 {
		f.Updated = snap.posts.date(0).Format(time.RFC3339)
	} else {
		f.Updated = time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	for i := range min(feedSize, snap.posts.len()) {
		p := snap.posts.at(i)
		body, err := snap.body(s.o.Posts, p)
		if err != nil {
			s.log.Error("render post", "slug", p.Slug, "err", err)
		}
		u := s.absolute(p.URLPath())
		f.Entries = append(f.Entries, atomEntry{
			Title: p.Title, ID: u, Link: atomLink{Href: u},
			Published: p.Date.Format(time.RFC3339), Updated: p.Date.Format(time.RFC3339),
			Content: atomHTML{Type: "html", Body: string(body)},
		})
	}
	s.sendXML(w, r, "application/atom+xml; charset=utf-8", f, snap.made)
}

// sendXML sends v as an XML document.
func (s *Site) sendXML(w http.ResponseWriter, r *http.Request, contentType string, v any, modified time.Time) {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		s.log.Error("write XML", "err", err)
		http.Error(w, s.words().T("err_document"), http.StatusInternalServerError)
		return
	}
	s.send(w, r, contentType, append([]byte(xml.Header), out...), modified, 0)
}
