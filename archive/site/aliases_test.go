package site

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailbag/archive"
	"mailbag/archive/search"
)

// TestOldAddressesRedirect: a post's old addresses (from an import's
// permalink, url or aliases) answer with a permanent redirect to its page
// on serve, and a build writes a page at each that sends readers on; no
// redirect shadows a page of the site, and nothing else moves.
func TestOldAddressesRedirect(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: london(t)}
	writePost(t, posts.Dir, "2018-06-20-toe.md", "---\ntitle: Toe\ndate: 2018-06-20\npermalink: /blog/2018/06/20/toe.html\naliases: [old/toe/, /2018/06/20/the-toe/, /archive/]\n---\n\nAbout toes.\n")
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	s, srv := testSite(t, posts, x)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
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
