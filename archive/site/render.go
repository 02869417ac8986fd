package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	htmltemplate "html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"mailbag/archive"
	"mailbag/templates"
)

// The page templates, each parsed inside site/layout.html with
// site/list.html.
const (
	homePage     = "site/home.html"
	postPage     = "site/post.html"
	archivePage  = "site/archive.html"
	searchPage   = "site/search.html"
	askPage      = "site/ask.html"
	notFoundPage = "site/notfound.html"
	messagePage  = "site/message.html"
	styleSheet   = "site/style.css"
)

// postLink is a post as the page templates list it.
type postLink struct {
	Title, URL string
	Date       time.Time
	Tags       []tagLink
}

// tagLink is a tag and its page; URL is "" for a tag that has none.
type tagLink struct {
	Name, URL string
}

func linkOf(p *archive.Post) postLink {
	l := postLink{Title: p.Title, URL: p.URLPath(), Date: p.Date}
	for _, t := range p.Tags {
		tl := tagLink{Name: t}
		if slug := tagSlug(t); slug != "" {
			tl.URL = archivePath(slug, 1)
		}
		l.Tags = append(l.Tags, tl)
	}
	return l
}

// hitLink is a search hit as the search page shows it.
type hitLink struct {
	postLink
	Fragments []htmltemplate.HTML
}

// yearGroup is one year of the archive.
type yearGroup struct {
	Year  int
	Posts []postLink
}

// yearLink is a year of a list, and where on which page it starts.
type yearLink struct {
	Year int
	URL  string
}

// pageData is what every page template gets; each page uses its part.
type pageData struct {
	Site  Info
	Query string

	Posts       []postLink
	Page, Pages int
	Prev, Next  string
	// PrevText and NextText label the pager's links; "" means Newer and
	// Older.
	PrevText, NextText string
	// Suggestion is "did you mean", and SuggestionURL its search.
	Suggestion, SuggestionURL string
	// TooCommon says that every word searched for is too common to be
	// searched for (search.Results.TooCommon).
	TooCommon    bool
	Years        []yearGroup
	YearLinks    []yearLink
	Tag          string
	Post         postLink
	Body         htmltemplate.HTML
	Newer, Older *postLink
	Related      []postLink
	Problem      string
	Total, First int
	Hits         []hitLink
	// The ask page: the reader's question, the past answers that answer
	// it, and the mailto: link that sends it.
	Question, MailTo string
	Answers          []postLink

	// The message page (subscribe, confirm, unsubscribe): a heading, lines,
	// and a form of one button posting Token to Action.
	Heading               string
	Lines                 []string
	Action, Token, Button string

	status   int
	modified time.Time
	noStore  bool // pages about one subscriber: never cached
}

// checkTemplates runs every page template on a filled and an empty sample.
func (s *Site) checkTemplates() error {
	l := postLink{Title: "T", URL: "/u/", Date: time.Unix(0, 0), Tags: []tagLink{{Name: "t", URL: "/tags/t/"}, {Name: "+"}}}
	full := pageData{Site: s.info, Query: "q", Posts: []postLink{l}, Page: 1, Pages: 2, Prev: "/", Next: "/",
		Years: []yearGroup{{Year: 2020, Posts: []postLink{l}}}, YearLinks: []yearLink{{Year: 2020, URL: "/archive/#y2020"}}, Tag: "t", Post: l, Body: "b", Newer: &l, Older: &l,
		Related: []postLink{l}, Problem: "p", Total: 1, First: 1, PrevText: "p", NextText: "n", Suggestion: "s", SuggestionURL: "/s", Hits: []hitLink{{postLink: l, Fragments: []htmltemplate.HTML{"f"}}},
		Heading: "h", Lines: []string{"l"}, Action: "/a", Token: "t", Button: "b", Question: "q", MailTo: "mailto:a@b.c?subject=q", Answers: []postLink{l}}
	full.Site.Links = []NavLink{{Title: "L", URL: "/l/"}}
	for _, page := range []string{homePage, postPage, archivePage, searchPage, askPage, notFoundPage, messagePage} {
		if err := s.o.Templates.Check(page, full, pageData{Site: s.info}); err != nil {
			return err
		}
	}
	s.o.Templates.File(styleSheet)
	return nil
}

// words returns the fixed words of the site's language.
func (s *Site) words() *templates.Messages { return s.o.Templates.Messages() }

// render executes page into a buffer and sends it, with an ETag (and
// Last-Modified, when d.modified is set: the moment the site last saw the
// posts change, so that an edit changes it) so that a browser's conditional
// GET gets a 304.
func (s *Site) render(w http.ResponseWriter, r *http.Request, page string, d pageData) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledPage {
			buf.Reset()
			pageBuffers.Put(buf)
		}
	}()
	if !s.execute(w, buf, page, d) {
		return
	}
	if d.noStore {
		w.Header().Set("Cache-Control", "no-store")
	}
	s.send(w, r, "text/html; charset=utf-8", buf.Bytes(), d.modified, d.status)
}

// execute executes page with d into buf; on failure it logs why, answers
// 500 and returns false.
func (s *Site) execute(w http.ResponseWriter, buf *bytes.Buffer, page string, d pageData) bool {
	d.Site = s.info
	if err := s.o.Templates.HTML(page).Execute(buf, d); err != nil {
		s.log.Error("render page", "page", page, "err", err)
		http.Error(w, s.words().T("err_page"), http.StatusInternalServerError)
		return false
	}
	return true
}

// pageBuffers are the buffers pages are made in, kept for the next:
// growing a new one for every page was a fifth of what a post's page
// allocated. Those grown past maxPooledPage are let go.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledPage = 1 << 20

// send writes body with an ETag, through http.ServeContent (conditional
// GET, HEAD) for a 200, or plainly for another status.
func (s *Site) send(w http.ResponseWriter, r *http.Request, contentType string, body []byte, modified time.Time, status int) {
	w.Header().Set("Content-Type", contentType)
	if status != 0 && status != http.StatusOK {
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	s.sendMade(w, r, contentType, madePage{body: body, etag: etagOf(body)}, modified)
}

// sendMade sends a page whose ETag is known, through http.ServeContent.
func (s *Site) sendMade(w http.ResponseWriter, r *http.Request, contentType string, pg madePage, modified time.Time) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("ETag", pg.etag)
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-cache") // revalidate: cheap with the ETag
	}
	http.ServeContent(w, r, "", modified, bytes.NewReader(pg.body))
}

// etagOf returns the ETag of body: a hash of it, quoted.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// pageNumber reads ?page=N, 1 when absent or bad.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxPageNumber)
}

// maxPageNumber bounds the page numbers of requests: a page beyond the
// last is answered as one, however large the number asked for.
const maxPageNumber = 1_000_000

// maxEcho is the most of a visitor's input a page shows back, in bytes
// (the longest search archive takes): a page answering a huge request is
// not huge.
const maxEcho = 256

// echo returns at most maxEcho bytes of input, ending where a character
// ends.
func echo(input string) string {
	if len(input) <= maxEcho {
		return input
	}
	return strings.ToValidUTF8(input[:maxEcho], "") // a character cut in two goes
}
