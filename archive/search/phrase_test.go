package search

import (
	"context"
	"fmt"
	"mailbag/archive"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
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

func slugsOf(res *Results) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Slug)
	}
	return out
}

// A phrase is its words in order and next to each other (or as far apart
// as its stop words make them, as in bleve's phrase search), in the title
// or the body.
func TestPhraseSearch(t *testing.T) {
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
		if res.Total != len(c.want) {
			t.Errorf("%s: %d hits, want %d", c.query, res.Total, len(c.want))
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

// withPhrase returns the slugs of the posts whose bodies hold the phrase
// "standard library" as written, sorted: what a search must find.
func withPhrase(bodies map[string]string) []string {
	var out []string
	for name, body := range bodies {
		if strings.Contains(strings.ToLower(body), "standard library") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// allPages returns the slugs of every hit of text, page after page,
// sorted, and the total the first page gave.
func allPages(t *testing.T, x *Index, text string) ([]string, int) {
	t.Helper()
	var out []string
	total := -1
	for page := 1; ; page++ {
		res, err := x.Search(context.Background(), Query{Text: text, Page: page, PerPage: maxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		if total < 0 {
			total = res.Total
		}
		out = append(out, slugsOf(res)...)
		if len(res.Hits) < maxPerPage {
			break
		}
	}
	slices.Sort(out)
	return out, total
}

// Where many posts have the phrase's words and many the phrase, every one
// that has it is found, on whichever page, and counted exactly.
func TestPhraseCountIsExact(t *testing.T) {
	bodies := map[string]string{}
	for i := range 300 {
		filler := strings.Repeat("words ", i%17)
		if i%2 == 0 {
			bodies[fmt.Sprintf("p%03d", i)] = "Read the standard library today. " + filler
		} else {
			bodies[fmt.Sprintf("p%03d", i)] = "A standard way to use a library. " + filler
		}
	}
	bodies["zebra"] = "A zebra standard library, once."
	x := phraseIndex(t, bodies, nil)
	got, total := allPages(t, x, `"standard library"`)
	want := withPhrase(bodies)
	if !slices.Equal(got, want) || total != len(want) {
		t.Errorf("found %d posts (total %d), want the %d that have the phrase", len(got), total, len(want))
	}
	// Longer phrases, and one with a rare word, are read in the posts
	// their pairs and rare words find: every one, counted exactly.
	for phrase, n := range map[string]int{`"read the standard library"`: 150, `"standard library today"`: 150,
		`"zebra standard library"`: 1, `"use a library"`: 150, `"library today words"`: 141} {
		if got, total := allPages(t, x, phrase); len(got) != n || total != n {
			t.Errorf("%s: found %d posts (total %d), want %d", phrase, len(got), total, n)
		}
	}
}

// A phrase written once, in an old post, whose words are each in over a
// thousand others, is found: the one post, counted as one.
func TestPhraseFoundAtAnyDepth(t *testing.T) {
	bodies := map[string]string{"the-one": "Once, the standard library. " + strings.Repeat("filler ", 300)}
	for i := range 1200 {
		bodies[fmt.Sprintf("p%04d", i)] = "A standard way to use a library; the library is standard."
	}
	x := phraseIndex(t, bodies, nil)
	res := search(t, x, `"standard library"`)
	if got := slugsOf(res); !slices.Equal(got, []string{"the-one"}) || res.Total != 1 {
		t.Errorf("found %q (total %d), want the one post that has the phrase", got, res.Total)
	}
	if res := search(t, x, `"library standard"`); res.Total != 0 {
		t.Errorf(`"library standard" finds %d posts, want none`, res.Total)
	}
}

// A phrase of three common words or more is its pairs in a row: a post
// with each pair elsewhere is not found, a post with the phrase is, stop
// words keeping their places; where both pairs are in most posts, the
// phrase is their triple, one term.
func TestPhraseOfCommonWordsIsExact(t *testing.T) {
	bodies := map[string]string{
		"the-one": "Once, the standard library today. " + strings.Repeat("filler ", 30),
		"gapped":  "Once, the standard library of today. " + strings.Repeat("filler ", 30),
		"zebra":   "A zebra, standard library today; the standard library of today.",
	}
	for i := range 400 {
		bodies[fmt.Sprintf("p%04d", i)] = "The standard library, and a library today; of today the library."
	}
	x := phraseIndex(t, bodies, nil)
	// Its two pairs are in most posts: the phrase is one term, a triple.
	if parts, exact := phraseParts(x.analyzer().Analyze([]byte("standard library today")), x.pairs()); !exact || len(parts) != 1 {
		t.Errorf("standard library today: %d terms, exact %v; want one triple", len(parts), exact)
	}
	for phrase, want := range map[string][]string{
		`"standard library today"`:    {"the-one", "zebra"},
		`"standard library of today"`: {"gapped", "zebra"},
		`"library today standard"`:    nil,
	} {
		got, total := allPages(t, x, phrase)
		if !slices.Equal(got, want) || total != len(want) {
			t.Errorf("%s: found %q (total %d), want %q", phrase, got, total, want)
		}
	}
	// With a word that is not common too.
	for phrase, want := range map[string][]string{
		`"zebra standard library today"`:    {"zebra"},
		`"zebra standard library of today"`: nil,
		`"today zebra"`:                     nil,
	} {
		got, total := allPages(t, x, phrase)
		if !slices.Equal(got, want) || total != len(want) {
			t.Errorf("%s: found %q (total %d), want %q", phrase, got, total, want)
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

// A "phrase" of one word is that word.
func TestOneWordPhraseIsAWord(t *testing.T) {
	x := phraseIndex(t, map[string]string{"a": "The library.", "b": "A standard.", "c": "Libraries galore."}, nil)
	got := slugsOf(search(t, x, `"library" -body:"standard"`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("found %q, want a and c", got)
	}
}

// An index that grew from nothing (an import into a new home) pairs no
// words; its Merge at the end of the import chooses the common words from
// the archive it now holds, and phrases stay exact either way.
func TestMergeChoosesCommonWords(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	if err := os.MkdirAll(posts.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	x, _, err := OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var added []*archive.Post
	for i := range commonRefresh + 200 {
		body := "A standard way to use a library."
		if i == 7 {
			body = "Once, the standard library."
		}
		name := fmt.Sprintf("2020-01-01-p%04d.md", i)
		writePost(t, posts.Dir, name, "---\ntitle: Post\ndate: 2020-01-01\n---\n"+body+"\n")
		p, err := posts.ReadFile(filepath.Join(posts.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		added = append(added, p)
	}
	if err := x.Add(added...); err != nil {
		t.Fatal(err)
	}
	if x.pairs().Common("standard") {
		t.Fatal("an index made empty has common words")
	}
	if res := search(t, x, `"standard library"`); res.Total != 1 {
		t.Errorf("before Merge: %d hits, want 1", res.Total)
	}
	if err := x.Merge(); err != nil {
		t.Fatal(err)
	}
	if !x.pairs().Common("standard") || !x.pairs().Common("library") {
		t.Error("Merge did not choose the common words of the archive it holds")
	}
	if res := search(t, x, `"standard library"`); res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Slug != "p0007" {
		t.Errorf("after Merge: %+v, want the one post", res.Hits)
	}
}

// In Japanese, whose terms are pairs of characters and have no pairs of
// their own, a phrase is found exactly all the same: a post with each of
// its pairs of characters, but not in a row, is not found; a phrase that
// many posts hold is one term, the run of its pairs of characters.
func TestJapanesePhraseIsExact(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC, Language: "ja"}
	kinds := []string{"東京タワーに行きました。", "東京と京タワーの話です。", "東京の大きなタワーを見ました。"}
	for i := range 60 {
		writePost(t, posts.Dir, fmt.Sprintf("2020-01-01-p%02d.md", i), "---\ntitle: 旅行\ndate: 2020-01-01\n---\n"+kinds[i%3]+"\n")
	}
	writePost(t, posts.Dir, "2020-01-02-title.md", "---\ntitle: 東京タワーの夜\ndate: 2020-01-02\n---\n夜の話です。\n")
	x, _, err := OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// Its pairs of characters in a row are in a third of the posts: the
	// phrase is one term, a run.
	if parts, exact := phraseParts(x.analyzer().Analyze([]byte("東京タワー")), x.pairs()); !exact || len(parts) != 1 {
		t.Errorf("東京タワー: %d terms, exact %v; want one run", len(parts), exact)
	}
	// A phrase one term longer than the longest run: a run, and the run
	// that ends at its last term, where that term alone is in more posts.
	parts, _ := phraseParts(x.analyzer().Analyze([]byte("東京タワーに行")), x.pairs())
	var fields []string
	for _, p := range parts {
		fields = append(fields, p.(*query.TermQuery).Field())
	}
	if !slices.Equal(fields, []string{"body_pairs", "body_pairs"}) {
		t.Errorf("東京タワーに行: terms of %q, want two runs (body_pairs)", fields)
	}
	for q, want := range map[string]int{`"東京タワー"`: 21, `"京タワー"`: 41, `body:"東京タワー"`: 20, `"タワーの話"`: 20, `+タワー -"東京タワー"`: 40, `"東京タワーに行"`: 20} {
		if got, total := allPages(t, x, q); len(got) != want || total != want {
			t.Errorf("%s: found %d posts (total %d), want %d", q, len(got), total, want)
		}
	}
}

// A phrase's hits, page after page, are the posts that hold it in the
// order bleve ranks the posts that may (those of equal score as bleve
// orders them), with bleve's scores, in one shard and spread over two.
func TestPhraseHitsInBlevesOrder(t *testing.T) {
	one, posts := seedIndex(t)
	two := spreadIndex(t, posts)
	for name, x := range map[string]*Index{"one shard": one, "two shards": two} {
		if _, err := x.Sync(posts); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`"type parameters"`, `"the go command"`, `"standard library" -module`, `"in the" go`} {
			inBlevesOrder(t, name, x, q)
		}
	}
	// Posts alike score alike.
	bodies := map[string]string{}
	for i := range 40 {
		bodies[fmt.Sprintf("p%02d", i)] = "The quiet harbour keeps its boats when the harbour master sleeps."
	}
	inBlevesOrder(t, "posts alike", phraseIndex(t, bodies, nil), `"quiet harbour keeps its boats"`)
}

// inBlevesOrder checks the pages of a search of q in x against the order
// bleve ranks the posts its relaxed query finds.
func inBlevesOrder(t *testing.T, name string, x *Index, q string) {
	t.Helper()
	ctx := context.Background()
	if !x.texts.allPlaced {
		t.Fatalf("%s: the places file does not have every post", name)
	}
	var got []Hit
	for page := 1; ; page++ {
		res, err := x.Search(ctx, Query{Text: q, Page: page, PerPage: 7})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.Hits...)
		if len(res.Hits) < 7 {
			if len(got) != res.Total {
				t.Errorf("%s, %s: %d hits over the pages, total %d", name, q, len(got), res.Total)
			}
			break
		}
	}
	if len(got) < 8 {
		t.Fatalf("%s, %s: %d hits, want more than a page", name, q, len(got))
	}
	parsed, err := parseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	relaxed, _ := relax(parsed, x.analyzer(), x.pairs(), false)
	_, ranked, err := x.search(ctx, bleve.NewSearchRequestOptions(relaxed, x.size(), 0, false))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, h := range got {
		found[h.Slug] = true
	}
	var want []Hit
	for _, m := range ranked {
		if found[m.ID] {
			want = append(want, Hit{Slug: m.ID, Score: m.Score})
		}
	}
	for i := range got {
		if i >= len(want) || got[i].Slug != want[i].Slug || got[i].Score != want[i].Score {
			t.Errorf("%s, %s: hit %d is %s (%g), bleve ranks %v there", name, q, i, got[i].Slug, got[i].Score, want[min(i, len(want)-1)])
			return
		}
	}
}
