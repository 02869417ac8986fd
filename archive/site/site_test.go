package site

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"mailbag/archive"
	"mailbag/archive/importer"
	"mailbag/archive/search"
	"mailbag/templates"
)

// loadTemplates is the built-in templates, as a home without overrides
// has them.
func loadTemplates(t testing.TB) *templates.Set {
	t.Helper()
	set, err := templates.Load(templates.Options{Funcs: map[string]any{"yaml": fmt.Sprint, "quote": fmt.Sprint}})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// london is the newsletter's time zone in the tests.
func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// writePost writes a post file by hand, as an author editing posts/ would.
func writePost(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixturePosts is the seed post and a few made for the test, indexed.
func fixturePosts(t *testing.T) (*archive.Posts, *search.Index) {
	t.Helper()
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: london(t)}
	if err := importer.Import(posts, "../../testdata/seed", importer.Options{}, func(importer.Result) {}); err != nil {
		t.Fatal(err)
	}
	writePost(t, posts.Dir, "2020-01-02-evil.md", "---\ntitle: '<script>alert(\"title\")</script> Evil'\ndate: 2020-01-02\ntags: [security]\n---\n\nHello <img src=x onerror=alert(1)> and [a link](javascript:alert(2)).\n")
	writePost(t, posts.Dir, "2019-05-05-older.md", "---\ntitle: An older answer on managers\ndate: 2019-05-05\ntags: [security, career]\n---\n\nAbout managers and toes.\n")
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return posts, x
}

// siteFixture serves a site of the seed post and a few made for the test.
func siteFixture(t *testing.T) (*httptest.Server, *archive.Posts) {
	t.Helper()
	posts, x := fixturePosts(t)
	s, err := New(Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Author: "Jim", Address: "ask@example.org",
		Posts: posts, Index: x, Templates: loadTemplates(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, posts
}

// testSite is the site of posts and x, served until the test ends.
func testSite(t *testing.T, posts *archive.Posts, x Index) (*Site, *httptest.Server) {
	t.Helper()
	s, err := New(Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Posts: posts, Index: x, Templates: loadTemplates(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

func get(t *testing.T, srv *httptest.Server, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestSiteRoutes(t *testing.T) {
	srv, _ := siteFixture(t)
	seedURL := "/2018/06/20/a-product-manager-stepped-on-my-toe/"
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{`<a href="` + seedURL + `">A product manager stepped on my toe</a>`, "<h1>Latest answers</h1>", `<main id="main">`, `<form class="subscribe" action="/subscribe" method="post">`, `<label for="email">`}},
		{seedURL, 200, []string{"<h1>A product manager stepped on my toe</h1>", "<blockquote>", "<em>own</em>", `<time datetime="2018-06-20">20 June 2018</time>`, `rel="next" href="/2019/05/05/older/"`, "Related answers"}},
		{"/2018/06/21/a-product-manager-stepped-on-my-toe/", 404, []string{"<h1>Not found</h1>"}},
		{"/2018/06/20/no-such-post/", 404, []string{"<h1>Not found</h1>"}},
		{"/archive/", 200, []string{`<h2 id="y2020">2020</h2>`, `<h2 id="y2018">2018</h2>`}},
		{"/tags/career/", 200, []string{"Answers tagged “career”", "An older answer"}},
		{"/tags/nothing/", 404, nil},
		{"/search?q=toes", 200, []string{"2 answers match “toes”.", "<mark>toe</mark>", `value="toes"`}},
		{"/search", 200, []string{"Type a few words"}},
		{"/search?q=title%3A", 400, []string{`role="alert"`, "That search could not be read"}},
		{"/robots.txt", 200, []string{"Sitemap: https://ask.example.org/sitemap.xml"}},
		{"/style.css", 200, []string{"prefers-color-scheme: dark"}},
		{"/nowhere", 404, []string{"<h1>Not found</h1>"}},
		{"/page/9/", 404, nil},
		{"/page/1/", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := get(t, srv, tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("no %q in\n%s", w, body)
				}
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
		})
	}
}

// TestSiteEscapesWhatPeopleWrote: a post's title and a search query are
// shown, never run; a post's raw HTML is kept only as far as the
// sanitizer allows (an image, without its onerror).
func TestSiteEscapesWhatPeopleWrote(t *testing.T) {
	srv, _ := siteFixture(t)
	for _, path := range []string{"/", "/2020/01/02/evil/", "/archive/", "/tags/security/", "/search?q=" + url.QueryEscape(`evil "<script>alert(3)</script>`), "/search?q=" + url.QueryEscape(`<script>alert(4)</script>:`)} {
		_, body := get(t, srv, path)
		for _, bad := range []string{"<script>", "javascript:", "onerror"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: %q reaches the page", path, bad)
			}
		}
	}
}

func TestSiteConditionalGET(t *testing.T) {
	srv, _ := siteFixture(t)
	for _, path := range []string{"/", "/2018/06/20/a-product-manager-stepped-on-my-toe/", "/feed.xml"} {
		resp, _ := get(t, srv, path)
		etag := resp.Header.Get("ETag")
		if etag == "" || resp.Header.Get("Last-Modified") == "" {
			t.Fatalf("%s: ETag %q, Last-Modified %q", path, etag, resp.Header.Get("Last-Modified"))
		}
		if resp, _ := get(t, srv, path, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: %d, want 304", path, resp.StatusCode)
		}
		if resp, _ := get(t, srv, path, "If-Modified-Since", time.Now().UTC().Format(http.TimeFormat)); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-Modified-Since: %d, want 304", path, resp.StatusCode)
		}
	}
}

// TestSiteConditionalGETAfterAnEdit: once a post's file is edited, a
// browser's conditional GET with what it had gets the new page, not a 304.
func TestSiteConditionalGETAfterAnEdit(t *testing.T) {
	srv, posts := siteFixture(t)
	const path = "/2019/05/05/older/"
	resp, body := get(t, srv, path)
	lastMod, etag := resp.Header.Get("Last-Modified"), resp.Header.Get("ETag")
	if !strings.Contains(body, "About managers and toes.") || lastMod == "" || etag == "" {
		t.Fatalf("before the edit: Last-Modified %q, ETag %q\n%s", lastMod, etag, body)
	}
	writePost(t, posts.Dir, "2019-05-05-older.md", "---\ntitle: An older answer on managers\ndate: 2019-05-05\ntags: [security, career]\n---\n\nAbout managers, toes and heels.\n")
	deadline := time.Now().Add(10 * time.Second)
	for _, h := range [][]string{{"If-Modified-Since", lastMod}, {"If-None-Match", etag}} {
		for {
			resp, body := get(t, srv, path, h...)
			if resp.StatusCode == http.StatusOK && strings.Contains(body, "toes and heels") {
				if resp.Header.Get("ETag") == etag || resp.Header.Get("Last-Modified") == lastMod {
					t.Errorf("%s: the edited page has the old ETag or Last-Modified", h[0])
				}
				break
			}
			if resp.StatusCode != http.StatusNotModified && resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", h[0], resp.StatusCode)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %q: still %d and the old page 10 s after the edit", h[0], h[1], resp.StatusCode)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestSiteCacheKeepsNoOldRendering: pages read while posts change, many at
// once, never show a rendering older than what the site last saw (run with
// -race: the post cache is shared by every request).
func TestSiteCacheKeepsNoOldRendering(t *testing.T) {
	srv, posts := siteFixture(t)
	const path = "/2019/05/05/older/"
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					// Not get: t.Fatal must not be called off the test's goroutine.
					resp, err := http.Get(srv.URL + path)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
	}
	for i := range 3 {
		want := fmt.Sprintf("Version %d of the answer.", i)
		writePost(t, posts.Dir, "2019-05-05-older.md", "---\ntitle: An older answer on managers\ndate: 2019-05-05\n---\n\n"+want+"\n")
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, body := get(t, srv, path); strings.Contains(body, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q not served within 10 s", want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Once served, it stays: no older rendering comes back.
		for range 20 {
			if _, body := get(t, srv, path); !strings.Contains(body, want) {
				t.Fatalf("after %q was served, an older rendering came back", want)
			}
		}
	}
	close(stop)
	wg.Wait()
}

func TestSiteFeedAndSitemap(t *testing.T) {
	srv, _ := siteFixture(t)
	_, body := get(t, srv, "/feed.xml")
	var feed atomFeed
	if err := xml.Unmarshal([]byte(body), &feed); err != nil {
		t.Fatalf("the feed is not XML: %v", err)
	}
	if len(feed.Entries) != 3 || feed.Entries[0].Title == "" || !strings.HasPrefix(feed.Entries[0].ID, "https://ask.example.org/2020/01/02/") {
		t.Errorf("feed = %+v", feed.Entries)
	}
	if c := feed.Entries[0].Content.Body; strings.Contains(c, "onerror") || strings.Contains(c, "javascript:") || !strings.Contains(c, `<img src="x">`) {
		t.Errorf("the feed's HTML is not the sanitized post: %q", c)
	}
	_, body = get(t, srv, "/sitemap.xml")
	var idx sitemapIndex
	if err := xml.Unmarshal([]byte(body), &idx); err != nil || len(idx.Sitemaps) != 1 || idx.Sitemaps[0].Loc != "https://ask.example.org/sitemaps/1.xml" {
		t.Fatalf("sitemap index: %+v, %v", idx, err)
	}
	_, body = get(t, srv, "/sitemaps/1.xml")
	var set urlSet
	if err := xml.Unmarshal([]byte(body), &set); err != nil || len(set.URLs) != 5 {
		t.Errorf("sitemap: %d URLs, %v", len(set.URLs), err)
	}
	for _, bad := range []string{"/sitemaps/2.xml", "/sitemaps/0.xml", "/sitemaps/1", "/sitemaps/x.xml"} {
		if resp, _ := get(t, srv, bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %s", bad, resp.Status)
		}
	}
}

// TestLargeArchivePaged: at thousands of answers, the archive and tag
// pages are pages of archivePerPage with the years to jump to, the
// sitemap is split in files of at most sitemapSize addresses (the
// protocol allows 50,000), and the feed holds feedSize entries.
func TestLargeArchivePaged(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	const n = 2*sitemapSize + 7
	if err := os.MkdirAll(posts.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		d := start.Add(time.Duration(i) * 13 * time.Hour)
		name := fmt.Sprintf("%s-p%05d.md", d.Format("2006-01-02"), i)
		if err := os.WriteFile(filepath.Join(posts.Dir, name), fmt.Appendf(nil, "---\ntitle: Post %d\ndate: %s\ntags: [all]\n---\n\nText %d.\n", i, d.Format(archive.DateLayout), i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	_, srv := testSite(t, posts, x)
	pages := (n + archivePerPage - 1) / archivePerPage
	for _, base := range []string{"/archive/", "/tags/all/"} {
		_, first := get(t, srv, base)
		if c := strings.Count(first, "<li>"); c != archivePerPage {
			t.Errorf("%s lists %d answers, want %d", base, c, archivePerPage)
		}
		if !strings.Contains(first, `<a rel="next" href="`+base+`page/2/">`) || !strings.Contains(first, `href="`+base+`page/`) {
			t.Errorf("%s: no pager", base)
		}
		if len(first) > 100<<10 {
			t.Errorf("%s is %d KB", base, len(first)>>10)
		}
		resp, last := get(t, srv, fmt.Sprintf("%spage/%d/", base, pages))
		if resp.StatusCode != http.StatusOK || strings.Count(last, "<li>") != n-(pages-1)*archivePerPage || !strings.Contains(last, "Post 0<") {
			t.Errorf("%s last page: %s", base, resp.Status)
		}
		if resp, _ := get(t, srv, fmt.Sprintf("%spage/%d/", base, pages+1)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s past the last page: %s", base, resp.Status)
		}
	}
	_, body := get(t, srv, "/sitemap.xml")
	var idx sitemapIndex
	if err := xml.Unmarshal([]byte(body), &idx); err != nil || len(idx.Sitemaps) != 3 {
		t.Fatalf("sitemap index: %d files, %v", len(idx.Sitemaps), err)
	}
	total := 0
	for i := range idx.Sitemaps {
		_, body := get(t, srv, sitemapPath(i+1))
		var set urlSet
		if err := xml.Unmarshal([]byte(body), &set); err != nil || len(set.URLs) > sitemapSize {
			t.Errorf("sitemap %d: %d URLs, %v", i+1, len(set.URLs), err)
		}
		total += len(set.URLs)
	}
	if total != n+2 {
		t.Errorf("the sitemaps list %d addresses, want %d", total, n+2)
	}
	_, body = get(t, srv, "/feed.xml")
	var feed atomFeed
	if err := xml.Unmarshal([]byte(body), &feed); err != nil || len(feed.Entries) != feedSize {
		t.Errorf("feed: %d entries, %v", len(feed.Entries), err)
	}
}

// TestSiteSeesNewPosts: a post published while the site runs appears
// without a restart.
func TestSiteSeesNewPosts(t *testing.T) {
	srv, posts := siteFixture(t)
	get(t, srv, "/") // loaded
	writePost(t, posts.Dir, "2026-11-25-fresh.md", "---\ntitle: A fresh answer\ndate: 2026-11-25\n---\n\nAbout giraffes.\n")
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, home := get(t, srv, "/")
		_, found := get(t, srv, "/search?q=giraffe")
		if strings.Contains(home, "A fresh answer") && strings.Contains(found, "1 answer matches") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new post did not appear within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := os.Remove(filepath.Join(posts.Dir, "2026-11-25-fresh.md")); err != nil {
		t.Fatal(err)
	}
	for {
		resp, _ := get(t, srv, "/2026/11/25/fresh/")
		if resp.StatusCode == http.StatusNotFound {
			break
		}
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("the removed post is still served")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSearchFloodLeavesPagesAnswering: while every search place is taken
// (a flood of costly searches), one more search is answered "busy" with
// Retry-After, and post pages still answer; a bad page number is bounded.
func TestSearchFloodLeavesPagesAnswering(t *testing.T) {
	posts, x := fixturePosts(t)
	s, srv := testSite(t, posts, x)
	defer func(w time.Duration) { searchWait = w }(searchWait)
	searchWait = 50 * time.Millisecond
	for range cap(s.searches) {
		s.searches <- struct{}{}
	}
	resp, body := get(t, srv, "/search?q=managers")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Many searches") {
		t.Errorf("a search with no place free: %s, Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
	}
	if resp, _ := get(t, srv, "/2020/01/02/evil/"); resp.StatusCode != http.StatusOK {
		t.Errorf("a post page during a flood: %s", resp.Status)
	}
	for range cap(s.searches) {
		<-s.searches
	}
	for _, page := range []string{"9223372036854775807", "99999999999999999999", "-1", "x"} {
		resp, body := get(t, srv, "/search?q=managers&page="+page)
		if resp.StatusCode >= 500 {
			t.Errorf("page=%s: %s\n%s", page, resp.Status, body)
		}
	}
}

// TestSearchPageSays: the search page's pager speaks of results, not of
// time, and a search that finds nothing offers a near spelling, or says
// that its words are too common to be searched for.
func TestSearchPageSays(t *testing.T) {
	srv, _ := siteFixture(t)
	if _, body := get(t, srv, "/search?q=managrs"); !strings.Contains(body, `Did you mean <a href="/search?q=managers">managers</a>?`) && !strings.Contains(body, `Did you mean <a href="/search?q=manager">manager</a>?`) {
		t.Errorf("no suggestion:\n%s", body)
	}
	tooCommon := "too common to be searched for"
	if _, body := get(t, srv, "/search?q=%22to+be%22"); !strings.Contains(body, tooCommon) {
		t.Errorf(`"to be": the page does not say its words are too common:\n%s`, body)
	}
	if _, body := get(t, srv, "/search?q=managrs"); strings.Contains(body, tooCommon) {
		t.Errorf("managrs: the page says its words are too common")
	}
}

// TestWatchSeesChangesWithoutRequests: with Watch running, a post written
// or removed by hand in posts/ is on the site soon after, the looking done
// off the requests' path (the kernel tells of the change).
func TestWatchSeesChangesWithoutRequests(t *testing.T) {
	posts, x := fixturePosts(t)
	s, srv := testSite(t, posts, x)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Watch(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for !s.cache.watched.Load() {
		if time.Now().After(deadline) {
			t.Fatal("Watch did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitHome := func(want string, present bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, home := get(t, srv, "/")
			if strings.Contains(home, want) == present {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 10 s the home page still has %q: %v", want, !present)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	writePost(t, posts.Dir, "2026-11-26-watched.md", "---\ntitle: A watched answer\ndate: 2026-11-26\n---\n\nAbout otters.\n")
	waitHome("A watched answer", true)
	if err := os.Remove(filepath.Join(posts.Dir, "2026-11-26-watched.md")); err != nil {
		t.Fatal(err)
	}
	waitHome("A watched answer", false)
}

// TestWatchAfterLoadLooksOnlyAtChanges: serve loads the site before it
// listens, then watches. The watching starts before Load looks, so that a
// post written before Watch runs is seen, and Watch makes no look of its
// own (at 100,000 posts a look is a second of CPU as the first visitors
// come).
func TestWatchAfterLoadLooksOnlyAtChanges(t *testing.T) {
	posts, x := fixturePosts(t)
	looks := &syncCounter{Index: x}
	s, srv := testSite(t, posts, looks)
	s.Load()
	later := time.Now().Add(time.Hour) // past any look's time: a look due by the clock would happen
	s.now = func() time.Time { return later }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Watch(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the site watched", func() bool { return s.cache.watched.Load() })
	writePost(t, posts.Dir, "2026-11-26-new.md", "---\ntitle: A new answer\ndate: 2026-11-26\n---\n\nAbout otters.\n")
	waitFor(t, "the new post on the home page", func() bool {
		_, home := get(t, srv, "/")
		return strings.Contains(home, "A new answer")
	})
	if n := looks.syncs.Load(); n != 2 {
		t.Errorf("%d looks at posts/, want 2: Load's and the one for the new post", n)
	}
}

// syncCounter is an index that counts its syncs: each of the site's looks
// at posts/ is one.
type syncCounter struct {
	Index
	syncs atomic.Int32
}

func (c *syncCounter) Sync(posts *archive.Posts) (search.SyncResult, error) {
	c.syncs.Add(1)
	return c.Index.Sync(posts)
}

// waitFor waits for cond, ten seconds at most.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s, still not %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Where hundreds of posts have a phrase's words and half the phrase, the
// page counts exactly those that have the phrase.
func TestSearchPageCountsAPhraseExactly(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	for i := range 300 {
		body := "A standard way to use a library."
		if i%2 == 0 {
			body = "Read the standard library today."
		}
		writePost(t, posts.Dir, fmt.Sprintf("2020-01-01-post-%03d.md", i), fmt.Sprintf("---\ntitle: Post %d\ndate: 2020-01-01\n---\n\n%s\n", i, body))
	}
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	_, srv := testSite(t, posts, x)
	_, body := get(t, srv, "/search?q=%22standard+library%22")
	if !strings.Contains(body, `150 answers match “&#34;standard library&#34;”`) || strings.Contains(body, "About ") {
		t.Errorf("the phrase's count is not the 150 posts that have it:\n%s", body)
	}
	_, body = get(t, srv, "/search?q=standard+library")
	if strings.Contains(body, "About ") || !strings.Contains(body, "300 answers match") {
		t.Errorf("a search of words counts every hit:\n%s", body)
	}
}

// TestRelatedAnswersFollowNewPosts: a post published after the site
// started is among the related answers of the pages whose titles it is
// like, once the site has seen it.
func TestRelatedAnswersFollowNewPosts(t *testing.T) {
	posts, x := fixturePosts(t)
	s, srv := testSite(t, posts, x)
	related := func(path string) string {
		t.Helper()
		_, page := get(t, srv, path)
		_, list, _ := strings.Cut(page, `<h2 id="related">Related answers</h2>`)
		list, _, _ = strings.Cut(list, "</section>")
		return list
	}
	const older, newer = "/2019/05/05/older/", "/2021/03/04/managers-again/"
	if list := related(older); strings.Contains(list, newer) {
		t.Fatalf("related answers name a post not yet written:\n%s", list)
	}
	writePost(t, posts.Dir, "2021-03-04-managers-again.md", "---\ntitle: Managers, again\ndate: 2021-03-04\n---\n\nMore on managers.\n")
	s.Changed()
	if list := related(older); !strings.Contains(list, `href="`+newer+`"`) {
		t.Errorf("%s: the new post on managers is not among its related answers:\n%s", older, list)
	}
	if list := related(newer); !strings.Contains(list, `href="`+older+`"`) {
		t.Errorf("%s: the older post on managers is not among its related answers:\n%s", newer, list)
	}
}

// TestRelatedLeavesOutThePostItself: a post's related answers are other
// posts like it, never the post itself, which its own title matches best.
func TestRelatedLeavesOutThePostItself(t *testing.T) {
	srv, _ := siteFixture(t)
	for _, path := range []string{"/2018/06/20/a-product-manager-stepped-on-my-toe/", "/2019/05/05/older/"} {
		_, page := get(t, srv, path)
		_, related, ok := strings.Cut(page, `<h2 id="related">Related answers</h2>`)
		if !ok {
			t.Errorf("%s: no related answers", path)
			continue
		}
		related, _, _ = strings.Cut(related, "</section>")
		if strings.Contains(related, `href="`+path+`"`) {
			t.Errorf("%s lists itself among its related answers:\n%s", path, related)
		}
		if !strings.Contains(related, `href="/`) {
			t.Errorf("%s: its related answers link nowhere:\n%s", path, related)
		}
	}
}

// A page answering a huge request shows back at most 256 bytes of it:
// a 900 KB search or question gets a page of a few KB.
func TestPagesEchoLittleOfHugeInput(t *testing.T) {
	srv, _ := siteFixture(t)
	for _, path := range []string{"/search?q=" + strings.Repeat("a", 900_000), "/ask?q=" + strings.Repeat("a", 900_000),
		"/search?q=" + strings.Repeat("%C3%A9", 100_000), "/ask?q=" + strings.Repeat("%C3%A9", 100_000)} {
		resp, body := get(t, srv, path)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%.20s…: status %d, want 400", path, resp.StatusCode)
		}
		if len(body) > 16<<10 || strings.Contains(body, strings.Repeat("a", 257)) || strings.Contains(body, strings.Repeat("é", 129)) || !utf8.ValidString(body) {
			t.Errorf("%.20s…: a page of %d bytes, echoing more than 256 bytes of the input", path, len(body))
		}
	}
}

// Pages load images from the site alone unless remote images are turned
// on (serve.remote_images): then from other hosts over https too.
func TestRemoteImagesOnlyWhenAllowed(t *testing.T) {
	posts, x := fixturePosts(t)
	for _, remote := range []bool{false, true} {
		s, err := New(Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Posts: posts, Index: x, Templates: loadTemplates(t), RemoteImages: remote})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		resp, _ := get(t, srv, "/")
		srv.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		var imgSrc string
		for _, d := range strings.Split(csp, ";") {
			if d = strings.TrimSpace(d); strings.HasPrefix(d, "img-src ") {
				imgSrc = d
			}
		}
		if want := map[bool]string{false: "img-src 'self' data:", true: "img-src 'self' data: https:"}[remote]; imgSrc != want {
			t.Errorf("remote images %v: %q, want %q", remote, imgSrc, want)
		}
	}
}

// TestSiteInTheNewslettersLanguage: with the newsletter in French or
// Japanese, the pages say so (<html lang>), and their fixed words, dates,
// counts and messages are in that language.
func TestSiteInTheNewslettersLanguage(t *testing.T) {
	for _, c := range []struct {
		lang string
		want map[string][]string // path -> what the page says
	}{
		{"fr", map[string][]string{
			"/":                      {`<html lang="fr">`, "Dernières réponses", "Archives", "Chercher dans les réponses", "Une question ? Écrivez à"},
			"/2019/05/05/older/":     {"5 mai 2019", "Réponses liées"},
			"/search?q=toe":          {"2 réponses correspondent à « toe »", "20 juin 2018", "Recherche"},
			"/search?q=nothingatall": {"0 réponse correspond à « nothingatall »"},
			"/ask":                   {"Poser une question", "Chercher des réponses"},
			"/no/such/page":          {"Page introuvable", "Les archives listent toutes les réponses."},
		}},
		{"ja", map[string][]string{
			"/":                  {`<html lang="ja">`, "最新の回答", "アーカイブ", "回答を検索"},
			"/2019/05/05/older/": {"2019年5月5日", "関連する回答"},
			"/search?q=toe":      {"「toe」に合う回答は"},
			"/ask":               {"質問する", "回答を探す"},
			"/no/such/page":      {"ページが見つかりません"},
		}},
	} {
		posts, x := fixturePosts(t)
		set, err := templates.Load(templates.Options{Funcs: map[string]any{"yaml": fmt.Sprint, "quote": fmt.Sprint}, Language: c.lang})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Author: "Jim", Address: "ask@example.org",
			Posts: posts, Index: x, Templates: set})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		for path, wants := range c.want {
			_, body := get(t, srv, path)
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s: no %q in\n%s", c.lang, path, w, body)
				}
			}
		}
		srv.Close()
	}
}
