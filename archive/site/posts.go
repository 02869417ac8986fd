package site

import (
	htmltemplate "html/template"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mailbag/archive"
	"mailbag/archive/search/related"
)

// refreshEvery bounds how often the site looks for changed post files: a
// post edited by hand is on the site within about this long. Commands that
// change posts through serve's socket make it look at once (Changed).
const refreshEvery = 500 * time.Millisecond

// snapshot is the posts as the site saw them at one moment. It never
// changes once made, but for the rendered bodies it fills in as pages are
// asked for: a body is cached in the snapshot its post came from, so a
// rendering finished after a refresh can never land in the newer one.
type snapshot struct {
	made    time.Time // when the site saw the posts so: every page's Last-Modified
	gen     uint64    // the index's generation then
	posts   postTable // newest first
	bySlugs []int32   // the posts' indexes, in the order of their slugs
	// byTag are the posts by the slug of each of their tags (tagSlug),
	// tagName the tag's name as the newest post writes it.
	byTag   map[string][]int32
	tagName map[string]string
	// byAlias are the posts' old addresses (Post.Aliases) without their
	// last slash, in order, and the newest post's first for each.
	byAlias []aliasOf
	titles  *related.Titles // the posts' titles, for each page's related answers

	mu   sync.Mutex
	html map[string]htmltemplate.HTML // rendered bodies, by slug
	// pages are post pages made whole, by slug, pageBytes of them
	// together (madePage).
	pages     map[string]madePage
	pageBytes int
}

// madePage is a page as sent: its bytes and their ETag.
type madePage struct {
	body []byte
	etag string
}

// aliasOf is one of a post's old addresses.
type aliasOf struct {
	path span // without its last slash
	post int32
}

// bySlug returns the post with slug, and its index in posts.
func (snap *snapshot) bySlug(slug string) (p *archive.Post, i int, ok bool) {
	j, ok := slices.BinarySearchFunc(snap.bySlugs, slug, func(k int32, slug string) int { return strings.Compare(snap.posts.slug(int(k)), slug) })
	if !ok {
		return nil, 0, false
	}
	i = int(snap.bySlugs[j])
	return snap.posts.at(i), i, true
}

// alias returns the post whose old address is path (with or without its last
// slash): the newest that has it, passing over one whose own page is at
// path.
func (snap *snapshot) alias(path string) (p *archive.Post, ok bool) {
	key := strings.TrimSuffix(path, "/")
	j, _ := slices.BinarySearchFunc(snap.byAlias, key, func(a aliasOf, key string) int { return strings.Compare(snap.posts.str(a.path), key) })
	for ; j < len(snap.byAlias) && snap.posts.str(snap.byAlias[j].path) == key; j++ {
		if p := snap.posts.at(int(snap.byAlias[j].post)); p.URLPath() != path {
			return p, true
		}
	}
	return nil, false
}

// tagSlug returns the slug of a tag's page, /tags/SLUG/: "Product Management"
// and "product-management" share one; "" for a tag with no letters or
// digits, which has no page.
func tagSlug(tag string) string { return archive.Slugify(tag) }

func newSnapshot(list []*archive.Post, posts *archive.Posts, made time.Time, gen uint64) *snapshot {
	loc := posts.Location
	snap := &snapshot{made: made, gen: gen, posts: newPostTable(list, loc), bySlugs: make([]int32, len(list)),
		byTag: map[string][]int32{}, tagName: map[string]string{}, html: map[string]htmltemplate.HTML{}, pages: map[string]madePage{}}
	t := &snap.posts
	titles := make([]string, t.len())
	for i := range t.len() {
		titles[i] = t.str(t.rows[i].title)
		snap.bySlugs[i] = int32(i)
		for _, sp := range t.tags(i) {
			tag := t.str(sp)
			slug := tagSlug(tag)
			if l := snap.byTag[slug]; slug == "" || len(l) > 0 && l[len(l)-1] == int32(i) {
				continue // no page, or a tag of the post's with the same slug
			}
			snap.byTag[slug] = append(snap.byTag[slug], int32(i))
			if _, ok := snap.tagName[slug]; !ok {
				snap.tagName[slug] = tag
			}
		}
		for _, sp := range t.aliases(i) {
			if key := strings.TrimSuffix(t.str(sp), "/"); key != "" {
				snap.byAlias = append(snap.byAlias, aliasOf{path: span{off: sp.off, len: uint32(len(key))}, post: int32(i)})
			}
		}
	}
	slices.SortFunc(snap.bySlugs, func(a, b int32) int { return strings.Compare(t.slug(int(a)), t.slug(int(b))) })
	slices.SortStableFunc(snap.byAlias, func(a, b aliasOf) int { return strings.Compare(t.str(a.path), t.str(b.path)) })
	snap.titles = related.NewTitles(titles, posts.Language)
	return snap
}

// maxRendered is how many rendered bodies a snapshot keeps: the pages
// read most stay made, and the memory they take stays bounded at any size
// of archive.
const maxRendered = 256

// body returns a post's rendered HTML, read from its file (the snapshot holds
// the posts without their bodies) and kept for the snapshot's life.
func (snap *snapshot) body(posts *archive.Posts, p *archive.Post) (htmltemplate.HTML, error) {
	snap.mu.Lock()
	h, ok := snap.html[p.Slug]
	snap.mu.Unlock()
	if ok {
		return h, nil
	}
	md, err := posts.Body(p)
	if err != nil {
		return "", err
	}
	out, err := archive.RenderHTML(md)
	if err != nil {
		return "", err
	}
	h = htmltemplate.HTML(out) // sanitized by RenderHTML
	snap.mu.Lock()
	if len(snap.html) >= maxRendered {
		clear(snap.html)
	}
	snap.html[p.Slug] = h
	snap.mu.Unlock()
	return h, nil
}

// maxPageBytes bounds the post pages a snapshot keeps made, in bytes.
//
// The pages after a send are the burst: BenchmarkBurst asks for 2,000
// random pages of 10,000 posts at 64 connections. Made on each request
// (its body rendered anew for all but the last 256), serve answered 5,700
// requests/s, p99 102 ms, an eighth of what nginx answers serving the
// same pages built; kept whole, 30,000 to 36,500 requests/s, p99 9 to
// 12 ms, 0.64 to 0.73 of nginx. 32 MB holds some 3,000 pages of 1,000
// words.
const maxPageBytes = 32 << 20

// page returns the post page kept for slug.
func (snap *snapshot) page(slug string) (madePage, bool) {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	pg, ok := snap.pages[slug]
	return pg, ok
}

// keepPage keeps pg as slug's page and returns the page kept; to make
// room, pages picked at random go.
func (snap *snapshot) keepPage(slug string, pg madePage) madePage {
	body := pg.body
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if old, ok := snap.pages[slug]; ok {
		return old
	}
	for k, v := range snap.pages { // a map's order is random
		if snap.pageBytes+len(body) <= maxPageBytes {
			break
		}
		delete(snap.pages, k)
		snap.pageBytes -= len(v.body)
	}
	if len(body) <= maxPageBytes {
		snap.pages[slug] = pg
		snap.pageBytes += len(body)
	}
	return pg
}

// lastModified returns the Last-Modified of a snapshot made at now after prev:
// HTTP dates are whole seconds, so each snapshot's is a second later than
// the last one's at least, or a page changed within the same second would
// get a 304 for ever.
func lastModified(prev *snapshot, now time.Time) time.Time {
	t := now.Truncate(time.Second)
	if prev != nil && !t.After(prev.made) {
		t = prev.made.Add(time.Second)
	}
	return t
}

// postCache keeps the current snapshot, brought up to date with posts/ at
// most once a second.
type postCache struct {
	site    *Site
	cur     atomic.Pointer[snapshot]
	stale   atomic.Bool // Changed was called: look again at once
	mu      sync.Mutex  // held by the one refreshing; guards checked
	checked time.Time
	// watched is set while Watch runs: the snapshot is then refreshed by
	// Watch when posts/ changes, never on a request's path; kick asks
	// Watch to look now.
	watched atomic.Bool
	kick    chan struct{}
}

// get returns the current snapshot, refreshed first when a second has
// passed since the last look: the index is synced (a stat of each file),
// and the list reloaded when the index changed, by this sync or by another
// command (publish, import, reindex through serve).
//
// While one request refreshes, the others are answered from the snapshot
// they find: nobody waits on a refresh but the one making it.
func (c *postCache) get() *snapshot {
	cur := c.cur.Load()
	if cur != nil && c.watched.Load() {
		return cur
	}
	if cur != nil && !c.mu.TryLock() {
		return cur
	}
	if cur == nil {
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	return c.look()
}

// refresh looks at posts/ now (see look), waiting for a look under way.
func (c *postCache) refresh() *snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.look()
}

// look brings the snapshot up to date, under c.mu, when it is stale or
// half a second old: the index is synced (a stat of each file), and the
// list reloaded when the index changed, by this sync or by another command
// (publish, import, reindex through serve).
func (c *postCache) look() *snapshot {
	cur := c.cur.Load()
	if cur != nil && !c.stale.Load() && c.site.now().Sub(c.checked) < refreshEvery {
		return cur
	}
	c.stale.Store(false)
	c.checked = c.site.now()
	s := c.site
	res, err := s.o.Index.Sync(s.o.Posts)
	if err != nil {
		s.log.Error("sync the search index", "err", err)
	}
	if res.Model != nil {
		s.log.Warn("past answers are weighed by the archive's model of meaning as it was", "err", res.Model)
	}
	if cur != nil && (err != nil || res.Generation == cur.gen) {
		return cur
	}
	list, problems, err := s.o.Posts.Headers()
	if err != nil {
		s.log.Error("list posts", "err", err)
		if cur == nil {
			cur = newSnapshot(nil, s.o.Posts, c.checked, 0)
		}
		return cur
	}
	for _, p := range problems {
		s.log.Warn("post left out of the site", "problem", p.Error())
	}
	cur = newSnapshot(list, s.o.Posts, lastModified(cur, c.checked), res.Generation)
	c.cur.Store(cur)
	return cur
}
