package search

import (
	"context"
	"fmt"
	"mailbag/archive"
	"mailbag/archive/search/terms"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
)

// phraseIndex indexes posts (file name → body; the title is "Post" unless
// titles has one) and
// syncs, so that searches read the posts' files.
func phraseIndex(t *testing.T, bodies map[string]string, titles map[string]string) *Index {
	t.Helper()
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
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

// allPhraseHits is what a search for text finds when it reads every post
// that has the phrases' words (no bound, no early stop): the slugs of the
// page asked for and the number of hits.
func allPhraseHits(t *testing.T, x *Index, text string, page int) ([]string, int) {
	t.Helper()
	parsed, err := parseQuery(text)
	if err != nil {
		t.Fatal(err)
	}
	analyzer := x.analyzer()
	relaxed, _ := relax(parsed, analyzer, false)
	req := bleve.NewSearchRequestOptions(relaxed, 10_000, 0, false)
	req.Fields = hitFields
	_, matches, err := x.search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, h := range x.hits(matches) {
		// HasPhrase agrees with the tokens (terms' FuzzHasPhrase); here it
		// reads every hit, however many.
		a, body := analyzer.(terms.Analyzer), x.text(h)
		inTitle := func(phrase analysis.TokenStream) bool { return a.HasPhrase(h.Title, phrase) }
		inBody := func(phrase analysis.TokenStream) bool { return a.HasPhrase(body, phrase) }
		if phraseHolds(parsed, analyzer, inTitle, inBody) != no {
			slugs = append(slugs, h.Slug)
		}
	}
	from, to := min((page-1)*defaultPerPage, len(slugs)), min(page*defaultPerPage, len(slugs))
	return slugs[from:to], len(slugs)
}

func slugsOf(res *Results) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Slug)
	}
	return out
}

// A phrase is found by reading the posts that have its words: its words
// in order and next to each other (or as far apart as its stop words make
// them, as in bleve's phrase search), in the title or the body; in bleve's
// order of the posts with the words.
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
		want, total := allPhraseHits(t, x, c.query, 1)
		if !slices.Equal(got, want) || res.Total != total || res.Approximate {
			t.Errorf("%s: %q (%d hits, approximate %v), reading every post finds %q (%d)", c.query, got, res.Total, res.Approximate, want, total)
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
// said to be one. A deeper page reads on, to the bound.
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
	want, total := allPhraseHits(t, x, `"standard library"`, 1)
	if !slices.Equal(slugsOf(res), want) {
		t.Errorf("first page %q, reading every post %q", slugsOf(res), want)
	}
	if !res.Approximate || res.Total < total*2/3 || res.Total > total*3/2 {
		t.Errorf("Total %d (approximate %v), want an estimate near %d", res.Total, res.Approximate, total)
	}
	deep, err := x.Search(context.Background(), Query{Text: `"standard library"`, Page: 12})
	if err != nil {
		t.Fatal(err)
	}
	want, total = allPhraseHits(t, x, `"standard library"`, 12)
	if !slices.Equal(slugsOf(deep), want) || len(want) == 0 {
		t.Errorf("page 12: %q, reading every post %q (%d)", slugsOf(deep), want, total)
	}
}

// A phrase rare among the posts that have its words is found if it is
// among the first maxPhraseReads of them; past that, the search says that
// its count is an estimate rather than claim there is none.
func TestPhraseSearchReadsToABound(t *testing.T) {
	for _, c := range []struct {
		others int
		found  bool
	}{{maxPhraseReads - 10, true}, {maxPhraseReads + 50, false}} {
		bodies := map[string]string{"the-one": "Once, the standard library. " + strings.Repeat("filler ", 300)}
		for i := range c.others {
			bodies[fmt.Sprintf("p%03d", i)] = "A standard way to use a library; the library is standard."
		}
		x := phraseIndex(t, bodies, nil)
		res := search(t, x, `"standard library"`)
		got := slugsOf(res)
		switch {
		case c.found && (!slices.Equal(got, []string{"the-one"}) || res.Total != 1 || res.Approximate):
			t.Errorf("%d others: found %q (%d, approximate %v), want the one post that has the phrase", c.others, got, res.Total, res.Approximate)
		case !c.found && (len(got) != 0 || !res.Approximate):
			t.Errorf("%d others: found %q (approximate %v), want nothing, approximate", c.others, got, res.Approximate)
		}
	}
}

// Phrases in larger queries hold as bleve read them: required, optional,
// excluded, one of several, in the title.
func TestPhrasesInQueries(t *testing.T) {
	x := phraseIndex(t, map[string]string{
		"phrase-go":    "The standard library of Go.",
		"phrase":       "The standard library.",
		"words-go":     "Go has a library that is standard.",
		"other-phrase": "Error handling in practice.",
		"title-phrase": "Nothing in the body.",
		"neither":      "Something else entirely, with go.",
	}, map[string]string{"title-phrase": "The standard library"})
	for _, c := range []struct {
		query string
		want  []string
	}{
		{`+"standard library" +go`, []string{"phrase-go"}},
		{`"standard library" go`, []string{"phrase-go", "phrase", "title-phrase", "words-go", "neither"}},
		{`+go -"standard library"`, []string{"words-go", "neither"}},
		{`-body:"standard library" +library`, []string{"words-go", "title-phrase"}},
		{`"standard library" "error handling"`, []string{"phrase-go", "phrase", "title-phrase", "other-phrase"}},
		{`title:"standard library"`, []string{"title-phrase"}},
		{`+body:"standard library" +body:"of go"`, []string{"phrase-go"}},
		{`-"standard library"`, []string{"words-go", "other-phrase", "neither"}},
		{`-body:"standard library"`, []string{"words-go", "other-phrase", "neither", "title-phrase"}},
	} {
		got := slugsOf(search(t, x, c.query))
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s finds %q, want %q", c.query, got, c.want)
		}
	}
}

// A "phrase" of one word is that word: bleve answers it from the index,
// exact, with no post read to check it (nor an estimate).
func TestOneWordPhraseIsAWord(t *testing.T) {
	x := phraseIndex(t, map[string]string{"a": "The library.", "b": "A standard.", "c": "Libraries galore."}, nil)
	parsed, err := parseQuery(`"library" -body:"standard"`)
	if err != nil {
		t.Fatal(err)
	}
	if _, some := relax(parsed, x.analyzer(), false); some {
		t.Error("one-word phrases were left for mailbag to check in the posts")
	}
	got := slugsOf(search(t, x, `"library" -body:"standard"`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("found %q, want a and c", got)
	}
}
