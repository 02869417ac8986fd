package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// phraseIndex indexes posts (file name → body; the title is "Post" unless
// titles has one) and
// syncs, so that searches read the posts' files.
func phraseIndex(t *testing.T, bodies map[string]string, titles map[string]string) *Index {
	t.Helper()
	root := t.TempDir()
	posts := &Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	for name, body := range bodies {
		title := titles[name]
		if title == "" {
			title = "Post"
		}
		writePost(t, posts.Dir, "2020-01-01-"+name+".md", "---\ntitle: "+title+"\ndate: 2020-01-01\n---\n"+body+"\n")
	}
	x, _, err := OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// exactPhrase is what bleve's phrase search finds for text: the slugs of
// the first page and the number of hits.
func exactPhrase(t *testing.T, x *Index, text string, page int) ([]string, int) {
	t.Helper()
	parsed, err := ParseQuery(text)
	if err != nil {
		t.Fatal(err)
	}
	req := bleve.NewSearchRequestOptions(parsed, DefaultPerPage, (page-1)*DefaultPerPage, false)
	res, err := x.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, h := range res.Hits {
		slugs = append(slugs, h.ID)
	}
	return slugs, int(res.Total)
}

func slugsOf(res *Results) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Slug)
	}
	return out
}

// A phrase is found by reading the posts that have its words: the same
// hits, in the same order, as bleve's phrase search, its words in order
// and next to each other (or as far apart as its stop words make them).
func TestPhraseSearchReadsThePosts(t *testing.T) {
	x := phraseIndex(t, map[string]string{
		"in-body":   "The standard library is large, and the standard library is good.",
		"once":      "We read the standard library once.",
		"reversed":  "A library standard, nothing more.",
		"apart":     "A standard set by the library board.",
		"in-title":  "Nothing here about it.",
		"state-art": "The state of the art moves on.",
		"state-gap": "The state in the art world.",
	}, map[string]string{"in-title": "Standard library news"})
	for _, c := range []struct {
		query string
		want  []string
	}{
		{`"standard library"`, []string{"in-title", "in-body", "once"}},
		{`body:"standard library"`, []string{"in-body", "once"}},
		{`"library standard"`, []string{"reversed"}},
		{`"state of the art"`, []string{"state-art", "state-gap"}}, // stop words are gaps any word fills, as in bleve
		{`"state art"`, nil},
		{`"board library"`, nil},
	} {
		res := search(t, x, c.query)
		got := slugsOf(res)
		want, total := exactPhrase(t, x, c.query, 1)
		if !slices.Equal(got, want) || res.Total != total || res.Approximate {
			t.Errorf("%s: %q (%d hits, approximate %v), bleve's phrase search finds %q (%d)", c.query, got, res.Total, res.Approximate, want, total)
		}
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s finds %q, want %q", c.query, got, c.want)
		}
	}
	if res := search(t, x, `"standard library"`); len(res.Hits) == 0 || !strings.Contains(res.Hits[len(res.Hits)-1].Fragments[0], "<mark>standard</mark> <mark>library</mark>") {
		t.Errorf("the fragment does not mark the phrase: %+v", res.Hits)
	}
}

// Where many posts have the phrase's words, only as many are read as fill
// the page: the hits have the phrase, and their number is an estimate,
// said to be one. A deep page is bleve's phrase search again, exact.
func TestPhraseSearchEstimatesWhenMany(t *testing.T) {
	bodies := map[string]string{}
	for i := range 300 {
		filler := strings.Repeat("words ", i%17)
		if i%2 == 0 {
			bodies[fmt.Sprintf("p%03d", i)] = "Read the standard library today. " + filler
		} else {
			bodies[fmt.Sprintf("p%03d", i)] = "A standard way to use a library. " + filler
		}
	}
	x := phraseIndex(t, bodies, nil)
	res := search(t, x, `"standard library"`)
	want, total := exactPhrase(t, x, `"standard library"`, 1)
	if !slices.Equal(slugsOf(res), want) {
		t.Errorf("first page %q, bleve's phrase search %q", slugsOf(res), want)
	}
	if !res.Approximate || res.Total < total*2/3 || res.Total > total*3/2 {
		t.Errorf("Total %d (approximate %v), want an estimate near %d", res.Total, res.Approximate, total)
	}
	deep, err := x.Search(context.Background(), Query{Text: `"standard library"`, Page: 12})
	if err != nil {
		t.Fatal(err)
	}
	want, total = exactPhrase(t, x, `"standard library"`, 12)
	if !slices.Equal(slugsOf(deep), want) || deep.Total != total || deep.Approximate {
		t.Errorf("page 12: %q (%d, approximate %v), bleve's phrase search %q (%d)", slugsOf(deep), deep.Total, deep.Approximate, want, total)
	}
}

// A phrase rare among the posts that have its words is left to bleve's
// phrase search after maxPhraseReads posts: exact, and found.
func TestPhraseSearchFallsBackWhenRare(t *testing.T) {
	bodies := map[string]string{"the-one": "Once, the standard library. " + strings.Repeat("filler ", 300)}
	for i := range maxPhraseReads + 50 {
		bodies[fmt.Sprintf("p%03d", i)] = "A standard way to use a library; the library is standard."
	}
	x := phraseIndex(t, bodies, nil)
	res := search(t, x, `"standard library"`)
	if got := slugsOf(res); !slices.Equal(got, []string{"the-one"}) || res.Total != 1 || res.Approximate {
		t.Errorf("found %q (%d, approximate %v), want the one post that has the phrase", got, res.Total, res.Approximate)
	}
}
