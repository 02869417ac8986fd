package importer

import (
	"archive/zip"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mailbag/archive"
)

// importAll imports src into posts and returns the results by outcome:
// the imported posts' files by slug, and each skipped item's reason by
// source.
func importAll(t *testing.T, posts *archive.Posts, src, from string) (imported map[string]string, skipped map[string]string, results []Result) {
	t.Helper()
	imported, skipped = map[string]string{}, map[string]string{}
	err := Import(posts, src, Options{From: from}, func(r Result) {
		results = append(results, r)
		switch r.Outcome {
		case Imported:
			data, err := os.ReadFile(r.Path)
			if err != nil {
				t.Fatal(err)
			}
			imported[r.Post.Slug] = string(data)
		case Skipped:
			skipped[r.Source] = r.Reason
		}
	})
	if err != nil {
		t.Fatalf("Import %s: %v", src, err)
	}
	return imported, skipped, results
}

// zipFolder writes the files under dir into a new zip, under top (a
// folder in the zip, or "").
func zipFolder(t *testing.T, dir, top string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		w, err := zw.Create(filepath.ToSlash(filepath.Join(top, rel)))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		w.Write(data)
		return err
	})
	if err != nil || zw.Close() != nil || f.Close() != nil {
		t.Fatal(err)
	}
	return out
}

func newPosts(t *testing.T) *archive.Posts {
	return &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts"), Location: time.UTC}
}

// checkAgain imports src again into posts: nothing is added.
func checkAgain(t *testing.T, posts *archive.Posts, src string) {
	t.Helper()
	_, _, results := importAll(t, posts, src, "")
	for _, r := range results {
		if r.Outcome == Imported {
			t.Errorf("imported again: %s", r.Source)
		}
	}
}

// Substack's export (Ghost's migration tools' sample, testdata/NOTICE):
// the published posts, their HTML as Markdown, /p/SLUG kept; drafts,
// threads and posts without their text skipped, each saying why; the zip
// the same as the folder.
func TestImportSubstack(t *testing.T) {
	posts := newPosts(t)
	imported, skipped, results := importAll(t, posts, "testdata/substack", "")
	for _, slug := range []string{"plain-text", "text-with-image", "linked-image", "text-with-footnotes", "podcast"} {
		if _, ok := imported[slug]; !ok {
			t.Errorf("%s not imported (skipped: %v)", slug, skipped)
		}
	}
	if len(imported) != 5 {
		t.Errorf("imported %d posts, want 5", len(imported))
	}
	plain := imported["plain-text"]
	for _, want := range []string{"title: Plain Text\n", "date: '2019-07-26 20:48:19'", "aliases:\n- /p/plain-text\n", "*Lorem ipsum dolor sit amet.*", "## Lorem Ipsum", "Dolore magna aliqua."} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain-text lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "<p") || strings.Contains(plain, "class=") {
		t.Errorf("plain-text keeps HTML:\n%s", plain)
	}
	if !strings.Contains(imported["podcast"], "https://example.com/my-audio/file.mp3") {
		t.Errorf("the podcast lost its audio's address:\n%s", imported["podcast"])
	}
	wantSkipped := map[string]string{
		"615243.embedded-tweet":  "a draft on Substack",
		"364758.more-plain-text": "a draft on Substack",
		"789683.thread":          "a Substack discussion thread",
		"345678.list-with-image": "posts/345678.list-with-image.html, is not in the export",
	}
	for id, reason := range wantSkipped {
		found := false
		for src, why := range skipped {
			if strings.Contains(src, id) && strings.Contains(why, reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s not skipped as %q: %v", id, reason, skipped)
		}
	}
	var hosts []string
	for _, r := range results {
		hosts = append(hosts, r.Images...)
	}
	if !slices.Contains(hosts, "dummysite.substack.com") || !slices.Contains(hosts, "example.com") {
		t.Errorf("image hosts %v", hosts)
	}
	checkAgain(t, posts, "testdata/substack")
	checkAgain(t, posts, zipFolder(t, "testdata/substack", "export-abc"))
}

// Ghost's JSON exports: a sample from Ghost's migration tools (HTML and
// Lexical bodies) and one written here in version 5's shape with
// Mobiledoc (a Markdown card, sections and cards), Lexical, a page, a
// draft and posts for members only.
func TestImportGhost(t *testing.T) {
	posts := newPosts(t)
	imported, _, _ := importAll(t, posts, "testdata/ghost/assetscraper.json", "")
	if len(imported) != 3 || !strings.Contains(imported["post-1"], "tags:\n- news\n") || !strings.Contains(imported["post-1"], "aliases:\n- /post-1/\n") ||
		!strings.Contains(imported["post-3-lexical"], "![](https://example.com/images/lexical-image.jpg)") {
		t.Errorf("sample: %d posts\n%s", len(imported), imported)
	}
	imported, skipped, _ := importAll(t, posts, "testdata/ghost/written.json", "")
	for slug, wants := range map[string][]string{
		"threads-and-variables": {"date: '2019-03-04 05:06:07'", "Why do **threads** clobber", "`go test -race`", "tags:\n- concurrency\n"},
		"ein-uberblick":         {"title: Ein Überblick über Go", "## Ein Überblick", "[die Doku](https://go.dev/doc/)", "**schreib**", "- eins", "```go\nfmt.Println(\"héllo\")\n```"},
		"reponse-courte":        {"## Réponse courte", "**toujours**", "[l'autre réponse](/une-autre-reponse/)", "1. un", "*deux*", "![une photo](/content/images/2024/05/photo.jpg)", "| a | b |", "tags:\n- français\n"},
	} {
		for _, want := range wants {
			if !strings.Contains(imported[slug], want) {
				t.Errorf("%s lacks %q:\n%s", slug, want, imported[slug])
			}
		}
	}
	if strings.Contains(imported["threads-and-variables"], "internal") {
		t.Errorf("an internal tag was kept:\n%s", imported["threads-and-variables"])
	}
	for slug, reason := range map[string]string{"about": "a Ghost page", "half-written": "not published on Ghost (status draft)",
		"paid-only": "for members only on Ghost (visibility paid)", "members-only": "visibility members"} {
		found := false
		for src, why := range skipped {
			found = found || strings.Contains(src, `"`+slug+`"`) && strings.Contains(why, reason)
		}
		if !found {
			t.Errorf("%s not skipped as %q: %v", slug, reason, skipped)
		}
	}
	checkAgain(t, posts, "testdata/ghost/written.json")
}

// WordPress's WXR: the sample Ghost's migration tools test with, and one
// written here (WXR 1.1, a classic post's paragraphs and shortcodes, the
// block editor's HTML, a password-protected and a private post, a post
// with no date, a menu item).
func TestImportWordPress(t *testing.T) {
	posts := newPosts(t)
	imported, skipped, _ := importAll(t, posts, "testdata/wordpress/sample.xml", "")
	basic := imported["basic-post"]
	for _, want := range []string{"title: Basic Post", "date: '2013-06-07 03:00:44'", "\n- /blog/basic-post.html\n", "\n- /?p=4\n", "## My excerpt in content", "tags:\n- has-images\n- programming\n- company-news\n"} {
		if !strings.Contains(basic, want) {
			t.Errorf("basic-post lacks %q:\n%s", want, basic)
		}
	}
	if len(imported) != 2 || len(skipped) != 3 {
		t.Errorf("imported %d, skipped %v", len(imported), skipped)
	}
	imported, skipped, results := importAll(t, posts, "testdata/wordpress/written.xml", "")
	cafe := imported["pourquoi-mon-cafe"]
	for _, want := range []string{"Une question d'un lecteur.", "La tasse est **fine**.  \nLe lait est froid.", "![une tasse](https://lea.example.org/wp-content/uploads/2015/02/tasse.jpg)",
		"func main() {\n\n\tboire()\n}", "[l'autre réponse](/2014/01/01/the/)", "[citation needed]", "tags:\n- café\n", "\n- /2015/02/03/pourquoi-mon-cafe/\n", "\n- /?p=42\n"} {
		if !strings.Contains(cafe, want) {
			t.Errorf("café lacks %q:\n%s", want, cafe)
		}
	}
	if strings.Contains(cafe, "[caption") || strings.Contains(cafe, "uncategorized") {
		t.Errorf("café keeps a shortcode or Uncategorized:\n%s", cafe)
	}
	if p := imported["東京の朝"]; !strings.Contains(p, "朝の東京。") || !strings.Contains(p, "- /2021/03/04/東京の朝/\n") {
		t.Errorf("a post whose slug WordPress percent-encodes: %v", slices.Collect(maps.Keys(imported)))
	}
	if g := imported["gutenberg-post"]; !strings.Contains(g, "Written in the block editor.") || !strings.Contains(g, "- one\n- two") || !strings.Contains(g, "date: '2020-01-02 03:04:05'") {
		t.Errorf("gutenberg-post:\n%s", g)
	}
	for id, reason := range map[string]string{"44": "password-protected", "45": "status private", "46": "a WordPress nav_menu_item", "47": "no date"} {
		found := false
		for src, why := range skipped {
			found = found || strings.Contains(src, "item "+id+" ") && strings.Contains(why, reason)
		}
		if !found {
			t.Errorf("item %s not skipped as %q: %v", id, reason, skipped)
		}
	}
	noted := false
	for _, r := range results {
		noted = noted || slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "[caption]") })
	}
	if !noted {
		t.Error("the [caption] shortcode taken out is not noted")
	}
	checkAgain(t, posts, "testdata/wordpress/written.xml")
}

// Buttondown's export (Ghost's migration tools' sample): an email written
// as Markdown stays as it is, one written in the "fancy" editor becomes
// Markdown; /archive/SLUG/ kept.
func TestImportButtondown(t *testing.T) {
	posts := newPosts(t)
	imported, _, _ := importAll(t, posts, "testdata/buttondown", "")
	plain, fancy := imported["plain-post"], imported["fancy-post"]
	for _, want := range []string{"title: This is a Plain Post", "date: '2023-01-02 16:55:00'", "\n- /archive/plain-post/\n", "## Lorem ipsum dolor sit amet.", "[^1]: Footnote 1", "```css"} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain-post lacks %q:\n%s", want, plain)
		}
	}
	for _, want := range []string{"## Lorem ipsum dolor sit amet.", "**adipiscing**", "![Landscape photo](https://example.com/image.jpg)", "> Lorem Ipsum"} {
		if !strings.Contains(fancy, want) {
			t.Errorf("fancy-post lacks %q:\n%s", want, fancy)
		}
	}
	if strings.Contains(fancy, "buttondown-editor-mode") || strings.Contains(fancy, "<p>") || strings.Contains(fancy, "widgets.js") {
		t.Errorf("fancy-post keeps HTML:\n%s", fancy)
	}
	checkAgain(t, posts, zipFolder(t, "testdata/buttondown", ""))
}

// What an import cannot read is refused saying what it is not, and a
// platform named that does not exist is refused; --from reads a file
// whatever its name.
func TestImportTellsExports(t *testing.T) {
	for src, want := range map[string]string{
		"testdata/substack":                       Substack,
		"testdata/buttondown":                     Buttondown,
		"testdata/ghost/written.json":             Ghost,
		"testdata/wordpress/sample.xml":           WordPress,
		"../../testdata/corpora/posts":            Jekyll,
		"testdata/substack/posts/../../3years.md": Jekyll,
	} {
		if got, err := Detect(src); got != want || err != nil {
			t.Errorf("Detect(%s) = %s, %v; want %s", src, got, err, want)
		}
	}
	other := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(other, []byte("just text"), 0o644)
	if err := Import(newPosts(t), other, Options{}, func(Result) {}); err == nil || !strings.Contains(err.Error(), "none of the exports mailbag reads") {
		t.Errorf("a text file: %v", err)
	}
	if err := Import(newPosts(t), other, Options{From: "medium"}, func(Result) {}); err == nil || !strings.Contains(err.Error(), `"medium" is not an export mailbag reads`) {
		t.Errorf("--from medium: %v", err)
	}
	if err := Import(newPosts(t), other, Options{From: Ghost}, func(Result) {}); err == nil || !strings.Contains(err.Error(), "not a Ghost JSON export") {
		t.Errorf("--from ghost on text: %v", err)
	}
}

// An export of 5,000 posts (WordPress's, written here) imports whole, and
// again adds nothing.
func TestImportLargeExport(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><link>https://big.example.org</link>`)
	for i := range 5000 {
		fmt.Fprintf(&b, "<item><title>Question %d: ça marche ?</title><link>https://big.example.org/q/%d/</link><content:encoded><![CDATA[Answer %d.\n\nSecond <em>paragraph</em>.]]></content:encoded><wp:post_id>%d</wp:post_id><wp:post_date_gmt>%s</wp:post_date_gmt><wp:post_name>question-%d</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>\n",
			i, i, i, i+1, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format(time.DateTime), i)
	}
	b.WriteString("</channel></rss>\n")
	src := filepath.Join(t.TempDir(), "big.xml")
	os.WriteFile(src, []byte(b.String()), 0o644)
	posts := newPosts(t)
	imported, skipped, _ := importAll(t, posts, src, "")
	if len(imported) != 5000 || len(skipped) != 0 {
		t.Fatalf("imported %d, skipped %d", len(imported), len(skipped))
	}
	if p := imported["question-4999"]; !strings.Contains(p, "title: 'Question 4999: ça marche ?'") || !strings.Contains(p, "Second *paragraph*.") {
		t.Errorf("question-4999:\n%s", p)
	}
	checkAgain(t, posts, src)
}

// The readers of other platforms' bodies take anything without panicking:
// Lexical and Mobiledoc JSON, WordPress's classic text, HTML.
func FuzzPlatformBodies(f *testing.F) {
	for _, seed := range []string{
		`{"root":{"type":"root","children":[{"type":"paragraph","children":[{"type":"text","text":"a","format":3}]}]}}`,
		`{"version":"0.3.1","markups":[["a",["href","x"]]],"cards":[["markdown",{"markdown":"*x*"}]],"sections":[[1,"p",[[0,[0],1,"t"]]],[10,0],[3,"ul",[[[0,[],0,"i"]]]]]}`,
		"a\n\nb [caption]x[/caption] <pre>\n\n</pre>", `<p class="button-wrapper"><a href="/subscribe">x</a></p><img src="/a.png">`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lexicalMarkdown(s)
		mobiledocMarkdown(s)
		html, _ := autop(s)
		toMarkdown(withoutClasses(html, substackWidgets), "https://example.org")
	})
}

// Ghost's older exports: the "data" at the top, a page marked page: true,
// dates in milliseconds since 1970.
func TestImportOlderGhost(t *testing.T) {
	src := filepath.Join(t.TempDir(), "ghost-1.json")
	os.WriteFile(src, []byte(`{"meta":{"version":"1.25.0"},"data":{"posts":[
		{"id":"1","title":"Old post","slug":"old-post","html":"<p>Old text.</p>","status":"published","page":false,"published_at":1530000000000},
		{"id":"2","title":"About","slug":"about","html":"<p>Us.</p>","status":"published","page":true,"published_at":1530000000000}]}}`), 0o644)
	imported, skipped, _ := importAll(t, newPosts(t), src, "")
	if p := imported["old-post"]; !strings.Contains(p, "date: '2018-06-26 08:00:00'") || !strings.Contains(p, "Old text.") || len(skipped) != 1 {
		t.Errorf("imported %v, skipped %v", imported, skipped)
	}
}
