package importer

import (
	"bytes"
	"fmt"
	goldenfile "mailbag/internal/golden"

	"mailbag/archive"
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
	posts := &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts"), Location: time.UTC}
	got := map[string]string{}
	if err := Import(posts, src, Options{}, func(r Result) {
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

// TestImportKeepsLinksAndMeaning: a Jekyll post's permalink and a Hugo
// post's url and aliases become its old addresses (which the site
// redirects); categories become tags; highlight, post_url, link and raw
// Liquid tags are converted, the others named by line; code blocks are
// left alone.
func TestImportKeepsLinksAndMeaning(t *testing.T) {
	src := t.TempDir()
	writePost(t, filepath.Join(src, "_posts"), "2018-06-20-toe.md", "---\ntitle: Toe\npermalink: /blog/2018/06/20/toe.html\ncategories: [Product Management, career]\ntags: [career]\n---\n"+
		"See [the older one]({% post_url 2017-01-02-older %}) and [again]({% link _posts/2017-01-02-older.md %}).\n\n"+
		"{% highlight go linenos %}\nfunc main() {}\n{% endhighlight %}\n\n"+
		"{% include ad.html %}\n\n{% raw %}{{ not liquid }}{% endraw %}\n\n"+
		"```\n{% include in-code.html %}\n```\n")
	writePost(t, filepath.Join(src, "content"), "hugo.md", "---\ntitle: Hugo\ndate: 2019-01-01\nurl: /hugo-post/\naliases: [old/hugo, /older/hugo.html, \"https://elsewhere.example/x\"]\ncategories: golang\n---\n{{< youtube abc >}}\n")
	writePost(t, filepath.Join(src, "_posts"), "2019-02-02-pattern.md", "---\ntitle: Pattern\npermalink: /:categories/:title/\n---\nHi.\n")
	posts := &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts"), Location: time.UTC}
	notes := map[string][]string{}
	if err := Import(posts, src, Options{}, func(r Result) {
		if r.Outcome != Imported {
			t.Errorf("%s: %s %s", r.Source, r.Outcome, r.Reason)
		}
		notes[filepath.Base(r.Source)] = r.Notes
	}); err != nil {
		t.Fatal(err)
	}
	toe, err := posts.Find("toe")
	if err != nil {
		t.Fatal(err)
	}
	if !slicesEqual(toe.Aliases, []string{"/blog/2018/06/20/toe.html"}) || !slicesEqual(toe.Tags, []string{"career", "product-management"}) {
		t.Errorf("toe: aliases %q, tags %q", toe.Aliases, toe.Tags)
	}
	body := string(toe.Body)
	for _, want := range []string{"[the older one](/2017/01/02/older/)", "[again](/2017/01/02/older/)", "```go\nfunc main() {}\n```\n", "{{ not liquid }}", "{% include ad.html %}", "```\n{% include in-code.html %}\n```"} {
		if !strings.Contains(body, want) {
			t.Errorf("the body has no %q:\n%s", want, body)
		}
	}
	if n := notes["2018-06-20-toe.md"]; len(n) != 1 || !strings.Contains(n[0], "line 13: {% include ad.html %} (include) is not run") {
		t.Errorf("notes of toe: %q", n)
	}
	hugo, err := posts.Find("hugo")
	if err != nil {
		t.Fatal(err)
	}
	if !slicesEqual(hugo.Aliases, []string{"/hugo-post/", "/old/hugo", "/older/hugo.html"}) || !slicesEqual(hugo.Tags, []string{"golang"}) {
		t.Errorf("hugo: aliases %q, tags %q", hugo.Aliases, hugo.Tags)
	}
	if n := notes["hugo.md"]; len(n) != 1 || !strings.Contains(n[0], "{{< youtube abc >}} (youtube)") {
		t.Errorf("notes of hugo: %q", n)
	}
	if n := notes["2019-02-02-pattern.md"]; len(n) != 1 || !strings.Contains(n[0], `permalink "/:categories/:title/" is not a path`) {
		t.Errorf("notes of pattern: %q", n)
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func writePost(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// golden compares got with testdata/name (see package golden).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestImportCorpusGolden(t *testing.T) {
	posts := &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts"), Location: london(t)}
	var report bytes.Buffer
	counts := map[Outcome]int{}
	record := func(r Result) {
		counts[r.Outcome]++
		src, _ := filepath.Rel("../../testdata/corpora/posts", r.Source)
		switch r.Outcome {
		case Skipped:
			fmt.Fprintf(&report, "skipped %s: %s\n", src, r.Reason)
		default:
			fmt.Fprintf(&report, "%s %s -> %s\n", r.Outcome, src, filepath.Base(r.Path))
		}
	}
	if err := Import(posts, "../../testdata/corpora/posts", Options{}, record); err != nil {
		t.Fatal(err)
	}
	golden(t, "import-go-blog.txt", report.Bytes())
	if counts[Imported] != 274 || counts[Skipped] != 62 {
		t.Errorf("imported %d, skipped %d; want 274 and 62", counts[Imported], counts[Skipped])
	}

	// Dates in every format the corpus uses come out in the seed's.
	for slug, want := range map[string]string{
		"3years":                "date: '2012-11-10 00:00:00'", // YYYY-MM-DD
		"survey2024-h1-results": "date: '2024-04-09 00:00:00'", // 2024-4-09
		"11years":               "date: '2020-11-10 12:01:00'", // RFC 3339, UTC, in winter (GMT)
		"toolchain":             "date: '2023-08-14 13:00:01'", // RFC 3339, UTC, in summer (BST)
	} {
		p, err := posts.Find(slug)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(p.Path)
		if !bytes.Contains(data, []byte("\n"+want+"\n")) {
			t.Errorf("%s: no %q in\n%s", slug, want, data[:200])
		}
	}
	p, err := posts.Find("3years")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p.Path)
	golden(t, "3years.md", data)

	// Again: nothing new, nothing duplicated.
	before, _ := os.ReadDir(posts.Dir)
	counts = map[Outcome]int{}
	if err := Import(posts, "../../testdata/corpora/posts", Options{}, func(r Result) { counts[r.Outcome]++ }); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadDir(posts.Dir)
	if counts[AlreadyImported] != 274 || counts[Imported] != 0 || len(after) != len(before) {
		t.Errorf("second import: %v; %d files before, %d after", counts, len(before), len(after))
	}
}

// String is an Outcome as the golden report of an import writes it.
func (o Outcome) String() string {
	switch o {
	case Imported:
		return "imported"
	case AlreadyImported:
		return "unchanged"
	case Skipped:
		return "skipped"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}
