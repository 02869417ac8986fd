package site

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailbag/archive"
)

func TestBuild(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: london(t)}
	if err := posts.Import("../../testdata/seed", func(archive.ImportResult) {}); err != nil {
		t.Fatal(err)
	}
	writePost(t, posts.Dir, "2019-05-05-older.md", "---\ntitle: An older answer\ndate: 2019-05-05\ntags: [career]\n---\n\nAbout managers.\n")
	x, _, err := archive.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	out := filepath.Join(root, "public")
	for _, tt := range []struct {
		serverURL string
		forms     bool
	}{{"", false}, {"https://ask.example.org", true}} {
		site, err := New(Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", ServerURL: tt.serverURL, Static: true,
			Posts: posts, Index: x, Templates: loadTemplates(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckBuildDir(out); err != nil {
			t.Fatal(err)
		}
		stats, err := site.Build(out)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Files != 11 {
			t.Errorf("%d files, want 11", stats.Files)
		}
		for file, want := range map[string]string{
			"index.html": "An older answer",
			"2018/06/20/a-product-manager-stepped-on-my-toe/index.html": "<h1>A product manager stepped on my toe</h1>",
			"archive/index.html":     "<h2 id=\"y2019\">2019</h2>",
			"tags/career/index.html": "Answers tagged “career”",
			"feed.xml":               "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
			"sitemap.xml":            "https://ask.example.org/sitemaps/1.xml",
			"sitemaps/1.xml":         "https://ask.example.org/2019/05/05/older/",
			"robots.txt":             "Sitemap:",
			"style.css":              "color-scheme",
			"404.html":               "<h1>Not found</h1>",
		} {
			b, err := os.ReadFile(filepath.Join(out, file))
			if err != nil || !strings.Contains(string(b), want) {
				t.Errorf("%s: no %q (%v)", file, want, err)
			}
		}
		home, _ := os.ReadFile(filepath.Join(out, "index.html"))
		if got := strings.Contains(string(home), `action="https://ask.example.org/search"`) && strings.Contains(string(home), `action="https://ask.example.org/subscribe"`); got != tt.forms {
			t.Errorf("server URL %q: forms to it = %v, want %v", tt.serverURL, got, tt.forms)
		}
		if !tt.forms && strings.Contains(string(home), "<form") {
			t.Errorf("a static build without a server has a form")
		}
	}
	if _, err := os.Stat(out + ".new"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary build is left: %v", err)
	}
	// A folder of something else is not replaced.
	other := t.TempDir()
	writePost(t, other, "notes.txt", "mine")
	if err := CheckBuildDir(other); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("CheckBuildDir(a folder of notes) = %v", err)
	}
}
