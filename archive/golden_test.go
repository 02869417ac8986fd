package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	goldenfile "mailbag/internal/golden"
)

// golden compares got with testdata/name (see package golden).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func TestRenderSeedGolden(t *testing.T) {
	data, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	html, err := RenderHTML(p.Body)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "seed.html", html)
	golden(t, "seed.txt", []byte(PlainText(p.Body)+"\n"))
}

// TestRenderSanitizesRawHTML: raw HTML in a post (imported ones have it)
// is kept as far as the allow-list goes; what runs, restyles or hides is
// removed.
func TestRenderSanitizesRawHTML(t *testing.T) {
	md := "Hello <!-- inline note --><b onclick=\"x()\">there</b>.\n\n<div class=\"image\">\n  <img src=\"a.png\" onerror=\"alert(1)\">\n</div>\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1)) and [fine](https://go.dev/)\n\n<!-- a comment -->\n"
	html, err := RenderHTML([]byte(md))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "raw-html.html", html)
	for _, bad := range []string{"onclick", "onerror", "<script", "alert", "javascript:", "<!--", "a comment", "inline note"} {
		if bytes.Contains(html, []byte(bad)) {
			t.Errorf("rendered HTML contains %q:\n%s", bad, html)
		}
	}
	for _, good := range []string{`<a href="https://go.dev/">fine</a>`, "<b>there</b>", `<img src="a.png">`} {
		if !bytes.Contains(html, []byte(good)) {
			t.Errorf("%s was lost:\n%s", good, html)
		}
	}
}

// corpusPosts are the Markdown files of the Go blog corpus.
func corpusPosts(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../testdata/corpora/posts/go-blog", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (filepath.Ext(path) == ".md" || filepath.Ext(path) == ".markdown") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 274 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	return files
}

// TestCorpusRendersSafeHTML: the corpus's posts, raw HTML and all, render
// with nothing that runs or restyles the page.
func TestCorpusRendersSafeHTML(t *testing.T) {
	for _, path := range corpusPosts(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(data, time.UTC)
		if err != nil || p.Title == "" || p.Date.IsZero() {
			continue // the non-posts the import skips; TestImportCorpusGolden covers them
		}
		html, err := RenderHTML(p.Body)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		for _, bad := range []string{"<script", "<iframe", "<style", "<video", "<object", "<form", "javascript:", " style=\"width", "<!--"} {
			if bytes.Contains(html, []byte(bad)) {
				t.Errorf("%s: rendered HTML passes %q through", path, bad)
			}
		}
		if eventHandler.Match(html) {
			t.Errorf("%s: an event handler is passed through: %s", path, eventHandler.Find(html))
		}
		if text := PlainText(p.Body); len(p.Body) > 100 && len(text) < len(p.Body)/4 {
			t.Errorf("%s: plain text is %d bytes of a %d-byte body", path, len(text), len(p.Body))
		}
	}
}

// eventHandler matches an attribute that runs script: onclick=, onerror=.
var eventHandler = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)

// TestPlainTextNeedsNoAutolinks: the text of every corpus post is the same
// read without autolinks (as PlainText does, for speed) as with them.
func TestPlainTextNeedsNoAutolinks(t *testing.T) {
	for _, path := range corpusPosts(t) {
		md, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		md = append(md, "\n\nSee https://go.dev/blog, www.example.com. or <mailto:a@example.org> and ask@example.org!\n"...)
		if got, want := PlainText(md), plainText(markdown.Parser(), md); got != want {
			t.Errorf("%s: without autolinks\n%q\nwith them\n%q", path, got, want)
		}
	}
}
