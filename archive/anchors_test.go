package archive

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCorpusAnchorsResolve: every in-post link to an anchor (#name) in
// the corpus's posts finds a heading with that id: headings get stable
// ids, or the {#id} their author gave them.
func TestCorpusAnchorsResolve(t *testing.T) {
	href := regexp.MustCompile(`href="#([^"]+)"`)
	id := regexp.MustCompile(` id="([^"]+)"`)
	id2 := regexp.MustCompile(`<a name="([^"]+)"`)
	links := 0
	for _, path := range corpusPosts(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(data, time.UTC)
		if err != nil {
			continue
		}
		out, err := RenderHTML(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, m := range id.FindAllStringSubmatch(string(out), -1) {
			ids[m[1]] = true
		}
		for _, m := range id2.FindAllStringSubmatch(string(out), -1) {
			ids[m[1]] = true
		}
		for _, m := range href.FindAllStringSubmatch(string(out), -1) {
			a, _ := url.PathUnescape(m[1])
			if strings.HasPrefix(a, "TOC_") {
				continue // made by the Go blog's own table of contents, in no post's text
			}
			links++
			if !ids[a] {
				t.Errorf("%s: #%s leads nowhere", path, a)
			}
		}
	}
	if links < 20 {
		t.Errorf("only %d anchor links in the corpus", links)
	}
}
