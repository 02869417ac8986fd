// Package site is the archive's whole web site: every route and page, one
// handler per file, the layout (parsed once, from the templates Set), the
// security headers, the one place errors become HTTP statuses, the server's
// timeouts and limits, and the static build.
//
// The pages: the latest answers (home.go), a page per answer (post.go), the
// archive by year and by tag (archive.go), search with highlighted
// fragments (search.go), an Atom feed (feed.go, RFC 4287), a sitemap
// (sitemap.go), robots.txt, the style sheet, and a page for what is not
// found. The subscriber pages — subscribe with double opt-in
// (subscribe.go), confirm (confirm.go), unsubscribe with the one-click POST
// of RFC 8058 (unsubscribe.go) — reach the subscriber list through
// Subscriptions, an interface this package declares and cmd fills: the site
// knows nothing of how subscribers are kept or mailed.
//
// Posts and the search index come from package archive; the site notices
// posts published, edited or removed without a restart. A GET never changes
// anything: link scanners in mail systems follow every link.
package site

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/templates"
)

// Options describe the newsletter to the site and give it what it serves.
type Options struct {
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

	Posts     *archive.Posts
	Index     Index
	Templates *templates.Set
	// Subscriptions is the subscriber list behind the subscribe, confirm
	// and unsubscribe pages; nil closes subscribing (the pages say so).
	Subscriptions Subscriptions
	// SubscribingClosed leaves the subscribe form off every page (no mail
	// can be sent to confirm); unsubscribing still works.
	SubscribingClosed bool
	// Links are more links for the header's navigation (the demo's page
	// of mail sent); nil for none.
	Links []NavLink
	// Searches, when set, is told of each search a reader makes: its
	// query and how many hits it had (the first page of results only, so
	// that paging is not counted again); archive/searchlog keeps them.
	Searches SearchLog
	// RemoteImages lets pages show images from other hosts (https), which
	// tells those hosts who reads what (serve.remote_images); else only
	// the site's own are shown.
	RemoteImages bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (serve.trusted_proxies); nil believes none.
	TrustedProxies []netip.Prefix
	// Log receives problems; nil discards them.
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Index is what the site needs of the search index: an *search.Index, or
// for a build while `mailbag serve` runs, the one serve holds.
type Index interface {
	Sync(posts *archive.Posts) (search.SyncResult, error)
	Search(ctx context.Context, q search.Query) (*search.Results, error)
	Answers(ctx context.Context, question string, n int) ([]search.Hit, error)
}

// SearchLog is what the site tells of readers' searches: a
// *searchlog.Log. visitor is the client's address (IPv6 by /64), for the
// log to bound what one visitor counts for; it is not to be stored.
type SearchLog interface {
	Record(visitor, query string, hits int)
}

// Site is the archive site. It is safe for concurrent use.
type Site struct {
	o     Options
	info  Info
	log   *slog.Logger
	now   func() time.Time
	limit *clientLimits
	cache postCache
	mux   *http.ServeMux
	cop   *http.CrossOriginProtection
	// searches holds a place for each search under way: at most
	// cap(searches) at once (search.go).
	searches chan struct{}
	// watch is the watching of posts/, started once by Load or Watch.
	watch struct {
		once    sync.Once
		changes <-chan struct{}
		stop    func()
	}
}

// New returns the site Options describe. It checks every page template
// against sample data, so that an override naming a field the pages do not
// have is an error here, not on a reader's request.
func New(o Options) (*Site, error) {
	s := &Site{o: o, log: o.Log, now: o.Now, searches: make(chan struct{}, maxSearches)}
	s.cache.kick = make(chan struct{}, 1)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.info = Info{Title: o.Title, BaseURL: o.BaseURL, Author: o.Author, Address: o.Address, ServerURL: o.ServerURL, Static: o.Static,
		Links: o.Links, noSubscribe: o.SubscribingClosed}
	s.cache.site = s
	s.limit = newClientLimits(postEvery, postBurst, s.now, o.TrustedProxies)
	if err := s.checkTemplates(); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.routes(s.mux)
	s.cop = http.NewCrossOriginProtection()
	for _, u := range []string{o.BaseURL, o.ServerURL} {
		if origin := originOf(u); origin != "" {
			if err := s.cop.AddTrustedOrigin(origin); err != nil {
				return nil, fmt.Errorf("site: %w", err)
			}
		}
	}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errCrossSite) }))
	return s, nil
}

// Handler returns the whole site: every route, with the security headers, a
// bound on what a request may send, and cross-site form posts refused
// (Sec-Fetch-Site, Origin). The one-click unsubscribe of mail providers
// (RFC 8058) comes from no browser and is not refused.
func (s *Site) Handler() http.Handler {
	return securityHeaders(http.MaxBytesHandler(s.cop.Handler(s.mux), maxRequestBody), s.o.RemoteImages)
}

// originOf returns the origin (scheme://host[:port]) of an http(s) URL; "" for
// anything else.
func originOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}

// Load reads the posts now, as the first request would otherwise, so that
// the site is ready when it starts listening, for the Watch that follows
// to keep up to date: posts/ is watched from before Load looks, so Watch
// sees what changes from then on and needs no look of its own.
func (s *Site) Load() {
	s.watching()
	s.cache.get()
	s.cache.watched.Store(true)
}

// watching starts watching posts/, once: what changes from then on is
// told on the channel.
func (s *Site) watching() <-chan struct{} {
	s.watch.once.Do(func() { s.watch.changes, s.watch.stop = watchDir(s.o.Posts.Dir, s.log) })
	return s.watch.changes
}

// Changed tells the site that posts or the index changed (a command
// published, imported or reindexed through serve): the next request looks
// at once, without waiting for the next look.
func (s *Site) Changed() {
	s.cache.stale.Store(true)
	select {
	case s.cache.kick <- struct{}{}:
	default: // a look is asked for already
	}
}

// Watch keeps the site's posts up to date while ctx lasts, off the
// requests' path: it looks at posts/ again when the folder changes (the
// kernel says so: no polling where it can, so an idle site uses no CPU)
// and when Changed is called; requests meanwhile get what was last seen.
// Without Watch, a request looks when half a second has passed since the
// last look.
func (s *Site) Watch(ctx context.Context) {
	changes := s.watching()
	defer s.watch.stop()
	if !s.cache.watched.Load() { // the first look, unless Load made it
		s.cache.get()
		s.cache.watched.Store(true)
	}
	defer s.cache.watched.Store(false)
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
		case <-s.cache.kick:
		}
		// Many changes come together (an import): take them as one.
		time.Sleep(watchSettle)
		drain(changes)
		drain(s.cache.kick)
		s.cache.stale.Store(true)
		s.cache.refresh()
	}
}

// watchSettle is how long Watch lets a change settle before looking.
const watchSettle = 50 * time.Millisecond

// drain empties c without waiting.
func drain(c <-chan struct{}) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// Info is what the pages say of the newsletter (the layout's .Site).
type Info struct {
	Title, BaseURL, Author, Address string
	ServerURL                       string
	Static                          bool
	Links                           []NavLink // more links for the navigation
	noSubscribe                     bool      // no form: subscribing is closed
}

// NavLink is a link of the header's navigation.
type NavLink struct {
	Title, URL string
}

// SearchAction returns where the search form goes; "" leaves the form out.
func (i Info) SearchAction() string { return i.action("/search") }

// AskAction returns the ask page, where its form goes; "" leaves it out.
func (i Info) AskAction() string { return i.action("/ask") }

// SubscribeAction returns where the subscribe form goes; "" leaves it out.
func (i Info) SubscribeAction() string {
	if i.noSubscribe {
		return ""
	}
	return i.action("/subscribe")
}

func (i Info) action(path string) string {
	if i.Static && i.ServerURL == "" {
		return ""
	}
	return strings.TrimRight(i.ServerURL, "/") + path
}

// absolute returns the full URL of a path on the site.
func (s *Site) absolute(path string) string {
	return strings.TrimRight(s.o.BaseURL, "/") + path
}
