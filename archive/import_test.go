package archive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestImportKinds(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{
		// Jekyll: the date only in the file name.
		"_posts/2016-05-03-jekyll-post.markdown": "---\ntitle: From Jekyll\nlayout: post\n---\nHello.\n",
		// Hugo: a page bundle, a section page, a draft, slug in front matter.
		"content/posts/bundle-post/index.md": "---\ntitle: A bundle\ndate: 2021-02-03T10:00:00+01:00\n---\nHi.\n",
		"content/posts/_index.md":            "---\ntitle: Posts\n---\n",
		"content/posts/draft.md":             "---\ntitle: Not yet\ndate: 2021-01-01\ndraft: true\n---\n",
		"content/posts/named.md":             "---\ntitle: Named\ndate: 2021-01-02\nslug: my-own-slug\n---\n",
		"content/posts/toml.md":              "+++\ntitle = \"TOML\"\n+++\n",
		"_posts/2016-05-04-unpublished.md":   "---\ntitle: Hidden\npublished: false\n---\n",
		// No slug-worthy file name: the title gives it.
		"misc/¿¿¿.md": "---\ntitle: What is a slug?\ndate: 2020-01-01\n---\n",
		// Two files wanting one slug.
		"a/same.md":       "---\ntitle: Same one\ndate: 2020-02-02\n---\nFirst.\n",
		"b/same.md":       "---\ntitle: Same two\ndate: 2020-02-02\n---\nSecond.\n",
		".git/ignored.md": "---\ntitle: In git\ndate: 2020-02-02\n---\n",
		"notes.txt":       "not Markdown",
	}
	for name, content := range files {
		writePost(t, filepath.Join(src, filepath.Dir(name)), filepath.Base(name), content)
	}
	posts := &Posts{Dir: filepath.Join(t.TempDir(), "posts"), Location: time.UTC}
	got := map[string]string{}
	if err := posts.Import(src, func(r ImportResult) {
		rel, _ := filepath.Rel(src, r.Source)
		got[rel] = r.Outcome.String() + " " + filepath.Base(r.Path) + r.Reason
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"_posts/2016-05-03-jekyll-post.markdown": "imported 2016-05-03-jekyll-post.md",
		"content/posts/bundle-post/index.md":     "imported 2021-02-03-bundle-post.md",
		"content/posts/_index.md":                "skipped .a Hugo section page (_index), not a post",
		"content/posts/draft.md":                 "skipped .a draft (draft: true)",
		"content/posts/named.md":                 "imported 2021-01-02-my-own-slug.md",
		"content/posts/toml.md":                  "skipped .TOML front matter (+++) is not supported; convert it to YAML (---)",
		"_posts/2016-05-04-unpublished.md":       "skipped .not published (published: false)",
		"misc/¿¿¿.md":                            "imported 2020-01-01-what-is-a-slug.md",
		"a/same.md":                              "imported 2020-02-02-same.md",
		"b/same.md":                              `skipped .a different post with slug "same" is already in posts/ (2020-02-02-same.md)`,
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("reported %d files, want %d: %q", len(got), len(want), got)
	}
	// The unknown field is kept; the bundle's date is in the newsletter's zone.
	data, err := os.ReadFile(filepath.Join(posts.Dir, "2016-05-03-jekyll-post.md"))
	if err != nil || !strings.Contains(string(data), "layout: post\n") || !strings.Contains(string(data), "date: '2016-05-03 00:00:00'\n") {
		t.Errorf("jekyll post written as %q (%v)", data, err)
	}
	data, _ = os.ReadFile(filepath.Join(posts.Dir, "2021-02-03-bundle-post.md"))
	if !strings.Contains(string(data), "date: '2021-02-03 09:00:00'\n") {
		t.Errorf("bundle post written as %q", data)
	}
}
