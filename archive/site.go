package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	htmltemplate "html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"mailbag/templates"
)

// SiteConfig describes the newsletter to the site's pages.
type SiteConfig struct {
	Title   string
	BaseURL string // where the site lives: links in the feed and sitemap
	Author  string
	Address string // where readers send questions
	// ServerURL is where a `mailbag serve` answers searches and
	// subscriptions, for pages served elsewhere (a static build); "" means
	// the site that serves the page.
	ServerURL string
	// Static says the pages are built as files: without a ServerURL they
	// have no search or subscribe form.
	Static bool
	// Templates is the home's folder of template overrides; "" for none.
	Templates string
}

// SearchAction is where the search form goes; "" leaves the form out.
func (c SiteConfig) SearchAction() string { return c.action("/search") }

// SubscribeAction is where the subscribe form goes; "" leaves it out.
func (c SiteConfig) SubscribeAction() string { return c.action("/subscribe") }

func (c SiteConfig) action(path string) string {
	if c.Static && c.ServerURL == "" {
		return ""
	}
	return strings.TrimRight(c.ServerURL, "/") + path
}

// sitePages are the pages, each parsed with site/layout.html and
// site/list.html.
var sitePages = []string{"site/home.html", "site/post.html", "site/archive.html", "site/search.html", "site/notfound.html"}

// perPage is how many posts a page of the home page lists.
const perPage = 20

// refreshEvery bounds how often the site looks for changed post files.
const refreshEvery = time.Second

// Site is the read-only archive site: the latest answers, one page per
// answer, the archive by year, tags, search with highlighted fragments, an
// Atom feed, a sitemap. It notices posts published, edited or removed
// without a restart. Every page is sent with an ETag and, where it has one,
// a Last-Modified date, for conditional GET.
type Site struct {
	cfg   SiteConfig
	posts *Posts
	index *Index
	log   *slog.Logger
	pages map[string]*htmltemplate.Template
	style []byte

	mu      sync.RWMutex // guards what follows
	list    []*Post      // newest first
	bySlug  map[string]*Post
	pos     map[string]int // index in list, by slug
	byTag   map[string][]*Post
	html    map[string]htmltemplate.HTML // rendered bodies, by slug
	checked time.Time
	loaded  bool
}

// NewSite returns the site of posts, searching index; log receives
// problems (nil discards them). It parses every template at once: a broken
// override is an error here, not on a reader's request.
func NewSite(cfg SiteConfig, posts *Posts, index *Index, log *slog.Logger) (*Site, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Site{cfg: cfg, posts: posts, index: index, log: log, pages: map[string]*htmltemplate.Template{}}
	layout, err := templates.HTML(cfg.Templates, "site/layout.html", nil)
	if err != nil {
		return nil, err
	}
	list, err := templates.Source(cfg.Templates, "site/list.html")
	if err != nil {
		return nil, err
	}
	for _, name := range sitePages {
		src, err := templates.Source(cfg.Templates, name)
		if err != nil {
			return nil, err
		}
		t, err := htmltemplate.Must(layout.Clone()).Parse(string(list))
		if err == nil {
			t, err = t.Parse(string(src))
		}
		if err != nil {
			return nil, err
		}
		s.pages[name] = t
	}
	if s.style, err = templates.Source(cfg.Templates, "site/style.css"); err != nil {
		return nil, err
	}
	return s, nil
}

// Register adds the site's routes to mux.
func (s *Site) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /page/{n}/{$}", s.home)
	mux.HandleFunc("GET /{year}/{month}/{day}/{slug}/{$}", s.post)
	mux.HandleFunc("GET /archive/{$}", s.archive)
	mux.HandleFunc("GET /tags/{tag}/{$}", s.archive)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /feed.xml", s.feed)
	mux.HandleFunc("GET /sitemap.xml", s.sitemap)
	mux.HandleFunc("GET /robots.txt", s.robots)
	mux.HandleFunc("GET /style.css", s.stylesheet)
	mux.HandleFunc("GET /", s.notFound)
}

// SecurityHeaders wraps h with the headers every response of the site
// carries: a Content-Security-Policy that allows nothing but the site's own
// style sheet and forms, no sniffing, no framing, no referrer to others.
func SecurityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// refresh brings the site up to date with posts/ at most once a second:
// the index is synced (a stat of each file), and the list reloaded when
// anything changed.
func (s *Site) refresh() {
	s.mu.RLock()
	fresh := s.loaded && time.Since(s.checked) < refreshEvery
	s.mu.RUnlock()
	if fresh {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded && time.Since(s.checked) < refreshEvery {
		return
	}
	s.checked = time.Now()
	res, err := s.index.Sync(s.posts)
	if err != nil {
		s.log.Error("sync the search index", "err", err)
	}
	if s.loaded && res.Indexed == 0 && res.Removed == 0 {
		return
	}
	list, problems, err := s.posts.List()
	if err != nil {
		s.log.Error("list posts", "err", err)
		return
	}
	for _, p := range problems {
		s.log.Warn("post left out of the site", "problem", p.Error())
	}
	s.list, s.bySlug, s.byTag = list, make(map[string]*Post, len(list)), map[string][]*Post{}
	s.pos = make(map[string]int, len(list))
	s.html = map[string]htmltemplate.HTML{}
	for i, p := range list {
		s.bySlug[p.Slug] = p
		s.pos[p.Slug] = i
		for _, t := range p.Tags {
			s.byTag[t] = append(s.byTag[t], p)
		}
	}
	s.loaded = true
}

// snapshot returns the current posts, newest first.
func (s *Site) snapshot() []*Post {
	s.refresh()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.list
}

// PostURL is the path of a post's page: /YYYY/MM/DD/slug/.
func PostURL(p *Post) string {
	return p.Date.Format("/2006/01/02/") + p.Slug + "/"
}

// postLink is a post as the page templates list it.
type postLink struct {
	Title, URL string
	Date       time.Time
	Tags       []string
}

func linkOf(p *Post) postLink {
	return postLink{Title: p.Title, URL: PostURL(p), Date: p.Date, Tags: p.Tags}
}

func linksOf(posts []*Post) []postLink {
	out := make([]postLink, len(posts))
	for i, p := range posts {
		out[i] = linkOf(p)
	}
	return out
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

// pageData is what every page template gets; each page uses its part.
type pageData struct {
	Site  SiteConfig
	Query string

	Posts        []postLink
	Page, Pages  int
	Prev, Next   string
	Years        []yearGroup
	Tag          string
	Post         postLink
	Body         htmltemplate.HTML
	Newer, Older *postLink
	Related      []postLink
	Problem      string
	Total, First int
	Hits         []hitLink
	status       int
	modified     time.Time
}

// render executes page into a buffer and sends it, with an ETag (and
// Last-Modified, when d.modified is set) so that a browser's conditional
// GET gets a 304.
func (s *Site) render(w http.ResponseWriter, r *http.Request, page string, d pageData) {
	d.Site = s.cfg
	var buf bytes.Buffer
	if err := s.pages[page].Execute(&buf, d); err != nil {
		s.log.Error("render page", "page", page, "err", err)
		http.Error(w, "The page could not be made.", http.StatusInternalServerError)
		return
	}
	s.send(w, r, "text/html; charset=utf-8", buf.Bytes(), d.modified, d.status)
}

// send writes body with an ETag, through http.ServeContent (conditional
// GET, HEAD) for a 200, or plainly for another status.
func (s *Site) send(w http.ResponseWriter, r *http.Request, contentType string, body []byte, modified time.Time, status int) {
	w.Header().Set("Content-Type", contentType)
	if status != 0 && status != http.StatusOK {
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	sum := sha256.Sum256(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	w.Header().Set("Cache-Control", "no-cache") // revalidate: cheap with the ETag
	http.ServeContent(w, r, "", modified, bytes.NewReader(body))
}

// pageNumber reads ?page=N, 1 when absent or bad.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// homePage is the path of page n of the home page.
func homePage(n int) string {
	if n <= 1 {
		return "/"
	}
	return "/page/" + strconv.Itoa(n) + "/"
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	list := s.snapshot()
	page := 1
	if v := r.PathValue("n"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			s.notFound(w, r)
			return
		}
		page = n
	}
	pages := max((len(list)+perPage-1)/perPage, 1)
	if page > pages {
		s.notFound(w, r)
		return
	}
	d := pageData{Page: page, Pages: pages, Posts: linksOf(list[(page-1)*perPage : min(page*perPage, len(list))])}
	if page > 1 {
		d.Prev = homePage(page - 1)
	}
	if page < pages {
		d.Next = homePage(page + 1)
	}
	if len(list) > 0 {
		d.modified = list[0].Date
	}
	s.render(w, r, "site/home.html", d)
}

func (s *Site) post(w http.ResponseWriter, r *http.Request) {
	list := s.snapshot()
	s.mu.RLock()
	p, ok := s.bySlug[r.PathValue("slug")]
	i := s.pos[r.PathValue("slug")]
	s.mu.RUnlock()
	if !ok || PostURL(p) != r.URL.Path {
		s.notFound(w, r)
		return
	}
	d := pageData{Post: linkOf(p), modified: p.Date}
	body, err := s.body(p)
	if err != nil {
		s.log.Error("render post", "slug", p.Slug, "err", err)
	}
	d.Body = body
	if i > 0 && i < len(list) && list[i] == p {
		l := linkOf(list[i-1])
		d.Newer = &l
	}
	if i+1 < len(list) && list[i] == p {
		l := linkOf(list[i+1])
		d.Older = &l
	}
	// The title's words in other titles: searching bodies too costs
	// milliseconds a page at 10,000 posts, and a build makes every page.
	related, err := s.index.RelatedTitles(r.Context(), p.Title, relatedCount+1)
	if err != nil {
		s.log.Error("related posts", "slug", p.Slug, "err", err)
	}
	s.mu.RLock()
	for _, h := range related {
		if q, ok := s.bySlug[h.Slug]; ok && q != p && len(d.Related) < relatedCount {
			d.Related = append(d.Related, linkOf(q))
		}
	}
	s.mu.RUnlock()
	s.render(w, r, "site/post.html", d)
}

// relatedCount is how many related answers a post's page lists.
const relatedCount = 5

// body is a post's rendered HTML, made once.
func (s *Site) body(p *Post) (htmltemplate.HTML, error) {
	s.mu.RLock()
	h, ok := s.html[p.Slug]
	s.mu.RUnlock()
	if ok {
		return h, nil
	}
	out, err := RenderHTML(p.Body)
	if err != nil {
		return "", err
	}
	h = htmltemplate.HTML(out) // goldmark's output: raw HTML in the post is escaped
	s.mu.Lock()
	s.html[p.Slug] = h
	s.mu.Unlock()
	return h, nil
}

func (s *Site) archive(w http.ResponseWriter, r *http.Request) {
	list := s.snapshot()
	d := pageData{Tag: r.PathValue("tag")}
	if d.Tag != "" {
		s.mu.RLock()
		list = s.byTag[d.Tag]
		s.mu.RUnlock()
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
	if len(list) > 0 {
		d.modified = list[0].Date
	}
	s.render(w, r, "site/archive.html", d)
}

func (s *Site) search(w http.ResponseWriter, r *http.Request) {
	s.snapshot() // the index in step with posts/
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := pageData{Query: q, Page: pageNumber(r)}
	if q == "" {
		s.render(w, r, "site/search.html", d)
		return
	}
	res, err := s.index.Search(r.Context(), Query{Text: q, Page: d.Page})
	if errors.Is(err, ErrBadQuery) {
		d.Problem = "That search could not be read: " + strings.TrimPrefix(err.Error(), ErrBadQuery.Error()+": ") + "."
		d.status = http.StatusBadRequest
		s.render(w, r, "site/search.html", d)
		return
	}
	if err != nil {
		s.log.Error("search", "query", q, "err", err)
		http.Error(w, "The search failed; try again.", http.StatusServiceUnavailable)
		return
	}
	d.Total, d.Pages, d.First = res.Total, max(res.Pages(), 1), (res.Page-1)*res.PerPage+1
	for _, h := range res.Hits {
		hl := hitLink{postLink: postLink{Title: h.Title, Date: h.Date, URL: h.Date.Format("/2006/01/02/") + h.Slug + "/"}}
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
	s.render(w, r, "site/search.html", d)
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "site/notfound.html", pageData{status: http.StatusNotFound})
}

func (s *Site) stylesheet(w http.ResponseWriter, r *http.Request) {
	s.send(w, r, "text/css; charset=utf-8", s.style, time.Time{}, 0)
}
