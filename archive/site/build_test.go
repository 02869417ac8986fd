package site

import (
	"errors"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mailbag/archive"
	"mailbag/archive/importer"
	"mailbag/archive/search"
)

func TestBuild(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: london(t)}
	if err := importer.Import(posts, "../../testdata/seed", importer.Options{}, func(importer.Result) {}); err != nil {
		t.Fatal(err)
	}
	writePost(t, posts.Dir, "2019-05-05-older.md", "---\ntitle: An older answer\ndate: 2019-05-05\ntags: [career]\n---\n\nAbout managers.\n")
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
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
	if err := CheckBuildDir(other); !errors.Is(err, errNotEmpty) {
		t.Errorf("CheckBuildDir(a folder of notes) = %v", err)
	}
}

// TestBuildLinksResolve: every link and image of a static build of the
// real posts (the seed and the Go blog corpus, with their tags, anchors
// and old addresses) leads to a file of the build, and every #anchor to an
// id in its page.
func TestBuildLinksResolve(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: london(t)}
	for _, src := range []string{"../../testdata/seed", "../../testdata/corpora/posts/go-blog"} {
		if err := importer.Import(posts, src, importer.Options{}, func(importer.Result) {}); err != nil {
			t.Fatal(err)
		}
	}
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	site, err := New(Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Static: true, Posts: posts, Index: x, Templates: loadTemplates(t)})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "public")
	if _, err := site.Build(out); err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	sitePath := regexp.MustCompile(`^/($|[?#]|page/|archive/|tags/|\d{4}/\d{2}/\d{2}/|feed\.xml|sitemap|style\.css|404\.html|search)`)
	ids := regexp.MustCompile(`\sid="([^"]+)"|<a name="([^"]+)"`)
	pageIDs := map[string]map[string]bool{} // by file
	idsOf := func(file string) map[string]bool {
		if m, ok := pageIDs[file]; ok {
			return m
		}
		b, _ := os.ReadFile(file)
		m := map[string]bool{}
		for _, g := range ids.FindAllStringSubmatch(string(b), -1) {
			m[g[1]+g[2]] = true
		}
		pageIDs[file] = m
		return m
	}
	checked := 0
	err = filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := html.UnescapeString(m[1])
			if strings.HasPrefix(target, "https://ask.example.org/") {
				target = strings.TrimPrefix(target, "https://ask.example.org")
			}
			var file string
			switch {
			case strings.HasPrefix(target, "#"):
				file = path
			case strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "//") && !sitePath.MatchString(target):
				continue // a post's own link to a page of the site it came from (go.dev/doc/...)
			case strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "//"):
				p, _, _ := strings.Cut(target, "?")
				p, _, _ = strings.Cut(p, "#")
				p, _ = url.PathUnescape(p)
				file = filepath.Join(out, filepath.FromSlash(p))
				if strings.HasSuffix(p, "/") {
					file = filepath.Join(file, "index.html")
				}
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s links to %s: no such file in the build", strings.TrimPrefix(path, out), target)
					continue
				}
			default:
				continue // elsewhere on the web, or mailto:
			}
			checked++
			if _, frag, ok := strings.Cut(target, "#"); ok && frag != "" && strings.HasSuffix(file, ".html") {
				if f, _ := url.PathUnescape(frag); !idsOf(file)[f] && !strings.HasPrefix(f, "TOC_") {
					t.Errorf("%s links to %s: no id %q there", strings.TrimPrefix(path, out), target, f)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 1000 {
		t.Errorf("only %d links checked", checked)
	}
}
