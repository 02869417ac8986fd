package site

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailbag/archive"
	"mailbag/archive/search"
)

// aliasSite returns a site of one post (file, its text) in a new folder
// root, its server, and a client that does not follow redirects.
func aliasSite(t *testing.T, file, text string) (root string, s *Site, srv *httptest.Server, noFollow *http.Client) {
	t.Helper()
	root = t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: london(t)}
	writePost(t, posts.Dir, file, text)
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	s, srv = testSite(t, posts, x)
	noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return root, s, srv, noFollow
}

// TestOldAddressesRedirect: a post's old addresses (from an import's
// permalink, url or aliases) answer with a permanent redirect to its page
// on serve, and a build writes a page at each that sends readers on; no
// redirect shadows a page of the site, and nothing else moves.
func TestOldAddressesRedirect(t *testing.T) {
	root, s, srv, noFollow := aliasSite(t, "2018-06-20-toe.md", "---\ntitle: Toe\ndate: 2018-06-20\npermalink: /blog/2018/06/20/toe.html\naliases: [old/toe/, /2018/06/20/the-toe/, /archive/]\n---\n\nAbout toes.\n")
	for path, want := range map[string]string{
		"/blog/2018/06/20/toe.html":   "/2018/06/20/toe/",
		"/old/toe/":                   "/2018/06/20/toe/",
		"/old/toe":                    "/2018/06/20/toe/",
		"/2018/06/20/the-toe/":        "/2018/06/20/toe/",
		"/archive/":                   "", // the site's own page
		"/blog/2018/06/20/other.html": "", // not an alias: 404
	} {
		resp, err := noFollow.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case want != "" && (resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want):
			t.Errorf("%s: %d to %q, want 301 to %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		case want == "" && resp.StatusCode == http.StatusMovedPermanently:
			t.Errorf("%s: redirected to %s", path, resp.Header.Get("Location"))
		}
	}

	out := filepath.Join(root, "public")
	if _, err := s.Build(out); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"blog/2018/06/20/toe.html", "old/toe/index.html", "2018/06/20/the-toe/index.html"} {
		b, err := os.ReadFile(filepath.Join(out, file))
		if err != nil || !strings.Contains(string(b), `<meta http-equiv="refresh" content="0; url=/2018/06/20/toe/">`) ||
			!strings.Contains(string(b), `<link rel="canonical" href="https://ask.example.org/2018/06/20/toe/">`) {
			t.Errorf("%s: %v\n%s", file, err, b)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "archive", "index.html")); strings.Contains(string(b), "http-equiv") {
		t.Error("a redirect page replaced the archive page")
	}
}

// A WordPress short link an imported post keeps (/?p=ID) redirects on
// serve; build writes the short links as an nginx map, since no file
// answers a query.
func TestShortLinksRedirect(t *testing.T) {
	root, s, srv, noFollow := aliasSite(t, "2013-06-07-basic-post.md", "---\ntitle: Basic\ndate: 2013-06-07\naliases: [/blog/basic-post.html, '/?p=4']\n---\n\nBasic.\n")
	for path, want := range map[string]string{"/?p=4": "/2013/06/07/basic-post/", "/?p=5": "", "/?p=4x": "", "/page/2/?p=4": ""} {
		resp, err := noFollow.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("%s: %d to %q, want %q", path, resp.StatusCode, got, want)
		}
	}
	out := filepath.Join(root, "public")
	if _, err := s.Build(out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, ShortLinksFile))
	if err != nil || string(b) != "4 /2013/06/07/basic-post/;\n" {
		t.Errorf("%s: %q, %v", ShortLinksFile, b, err)
	}
	if _, err := os.Stat(filepath.Join(out, "?p=4")); err == nil {
		t.Error("build wrote a folder named ?p=4")
	}
}
