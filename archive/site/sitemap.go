package site

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// sitemapSize is how many addresses one sitemap file lists: the protocol
// allows 50,000; fewer keep each response small.
const sitemapSize = 10_000

// sitemapIndex is a sitemap index (sitemaps.org, 0.9): the sitemap files.
type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapRef `xml:"sitemap"`
}

type sitemapRef struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// urlSet is a sitemap file (sitemaps.org, 0.9).
type urlSet struct {
	XMLName xml.Name  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []siteURL `xml:"url"`
}

type siteURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapPath returns the path of sitemap file n, from 1.
func sitemapPath(n int) string { return "/sitemaps/" + strconv.Itoa(n) + ".xml" }

// sitemapFiles returns how many sitemap files the site has for posts answers:
// the home and the archive, then every answer.
func sitemapFiles(posts int) int { return (posts + 2 + sitemapSize - 1) / sitemapSize }

// sitemap serves the sitemap index, /sitemap.xml: every sitemap file.
func (s *Site) sitemap(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get()
	var idx sitemapIndex
	for n := 1; n <= sitemapFiles(snap.posts.len()); n++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapRef{Loc: s.absolute(sitemapPath(n)), LastMod: snap.made.UTC().Format("2006-01-02")})
	}
	s.sendXML(w, r, "application/xml; charset=utf-8", idx, snap.made)
}

// sitemapFile serves sitemap file N, /sitemaps/N.xml: sitemapSize of the
// addresses (the home, the archive, every answer, newest first).
func (s *Site) sitemapFile(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get()
	n, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("file"), ".xml"))
	if err != nil || !strings.HasSuffix(r.PathValue("file"), ".xml") || n < 1 || n > sitemapFiles(snap.posts.len()) {
		s.notFound(w, r)
		return
	}
	var set urlSet
	first := (n - 1) * sitemapSize // in the home, the archive, the answers
	for i := first; i < first+sitemapSize && i < snap.posts.len()+2; i++ {
		switch i {
		case 0:
			set.URLs = append(set.URLs, siteURL{Loc: s.absolute("/")})
		case 1:
			set.URLs = append(set.URLs, siteURL{Loc: s.absolute("/archive/")})
		default:
			p := snap.posts.at(i - 2)
			set.URLs = append(set.URLs, siteURL{Loc: s.absolute(p.URLPath()), LastMod: p.Date.Format("2006-01-02")})
		}
	}
	s.sendXML(w, r, "application/xml; charset=utf-8", set, snap.made)
}
