package search

import (
	"context"
	"errors"
	"fmt"
	"mailbag/archive"
	"mailbag/archive/importer"
	"mailbag/archive/search/related"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// corpusIndex is shared by the read-only search tests: building it takes a
// second or two.
var corpusIndex struct {
	once sync.Once
	x    *Index
	err  error
}

func sharedIndex(t *testing.T) *Index {
	t.Helper()
	corpusIndex.once.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			corpusIndex.err = err
			return
		}
		posts := &archive.Posts{Dir: filepath.Join(dir, "posts"), Location: london(t)}
		for _, src := range []string{"../../testdata/seed", "../../testdata/corpora/posts/go-blog"} {
			if err := importer.Import(posts, src, importer.Options{}, func(importer.Result) {}); err != nil {
				corpusIndex.err = err
				return
			}
		}
		list, _, err := posts.List()
		if err != nil {
			corpusIndex.err = err
			return
		}
		corpusIndex.x, corpusIndex.err = Rebuild(filepath.Join(dir, "index"), list, Locale{Location: posts.Location})
	})
	if corpusIndex.err != nil {
		t.Fatal(corpusIndex.err)
	}
	return corpusIndex.x
}

const seedSlug = "a-product-manager-stepped-on-my-toe"

func search(t *testing.T, x *Index, text string) *Results {
	t.Helper()
	res, err := x.Search(context.Background(), Query{Text: text})
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	return res
}

func TestSearchFindsTheSeed(t *testing.T) {
	x := sharedIndex(t)
	for _, q := range []string{
		"product manager",
		"toes",                            // stemmed: the title says "toe"
		`"stepped on my toe"`,             // a phrase, stop words and all
		`"product direction"`,             // a phrase from the body
		"title:toe",                       // one field
		`+manager +"technical direction"`, // both required
	} {
		t.Run(q, func(t *testing.T) {
			res := search(t, x, q)
			if res.Total == 0 || res.Hits[0].Slug != seedSlug {
				t.Fatalf("first hit of %q is not the seed: %+v", q, res.Hits)
			}
			h := res.Hits[0]
			if h.Title != "A product manager stepped on my toe" {
				t.Errorf("Title = %q", h.Title)
			}
			if got := h.Date.Format(archive.DateLayout); got != "2018-06-20 00:00:00" || h.Date.Location().String() != "Europe/London" {
				t.Errorf("Date = %v", h.Date)
			}
			if len(h.Fragments) == 0 || !strings.Contains(strings.Join(h.Fragments, " "), "<mark>") {
				t.Errorf("no highlighted fragment: %q", h.Fragments)
			}
		})
	}
}

func TestSearchPhraseIsNotAnyOrder(t *testing.T) {
	x := sharedIndex(t)
	if res := search(t, x, `"toe my on stepped"`); res.Total != 0 {
		t.Errorf("a phrase in the wrong order found %d posts", res.Total)
	}
}

func TestSearchMustNot(t *testing.T) {
	x := sharedIndex(t)
	all := search(t, x, "manager")
	without := search(t, x, "manager -toe")
	if without.Total != all.Total-1 || len(without.Hits) == 0 {
		t.Errorf("manager: %d, manager -toe: %d; want one fewer", all.Total, without.Total)
	}
	for _, h := range without.Hits {
		if h.Slug == seedSlug {
			t.Errorf("-toe still found the seed")
		}
	}
}

func TestSearchTagsAndDates(t *testing.T) {
	x := sharedIndex(t)
	res := search(t, x, "tag:birthday")
	if res.Total == 0 {
		t.Fatal("tag:birthday found nothing")
	}
	found := false
	for _, h := range res.Hits {
		found = found || h.Slug == "3years"
	}
	if !found {
		t.Errorf("tag:birthday did not find 3years (Go turns three): %+v", res.Hits)
	}
	res = search(t, x, `+manager +date:<"2012-01-01"`) // one post of 2011 has it, five later ones too
	if len(res.Hits) == 0 {
		t.Error(`+manager +date:<"2012-01-01" found nothing: the loop below would pass on nothing`)
	}
	for _, h := range res.Hits {
		if h.Date.Year() > 2011 {
			t.Errorf("date:<2012-01-01 found %s of %v", h.Slug, h.Date)
		}
	}
}

func TestSearchPaging(t *testing.T) {
	x := sharedIndex(t)
	p1, err := x.Search(context.Background(), Query{Text: "go", PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := x.Search(context.Background(), Query{Text: "go", Page: 2, PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	if p1.Total < 10 || p1.Total != p2.Total || len(p1.Hits) != 5 || len(p2.Hits) != 5 {
		t.Fatalf("page 1: %d of %d, page 2: %d of %d", len(p1.Hits), p1.Total, len(p2.Hits), p2.Total)
	}
	if p1.Pages() != (p1.Total+4)/5 {
		t.Errorf("Pages = %d for %d hits", p1.Pages(), p1.Total)
	}
	seen := map[string]bool{}
	for _, h := range append(p1.Hits, p2.Hits...) {
		if seen[h.Slug] {
			t.Errorf("%s on both pages", h.Slug)
		}
		seen[h.Slug] = true
	}
	last, err := x.Search(context.Background(), Query{Text: "go", Page: 90})
	if err != nil || len(last.Hits) != 0 || last.Total != p1.Total {
		t.Fatalf("page past the end: %v, %v", last, err)
	}
	// Pages are bounded: none starts beyond the thousandth hit, whatever
	// number is asked for (the largest once made bleve panic).
	for _, page := range []int{101, 1000, math.MaxInt} {
		if _, err := x.Search(context.Background(), Query{Text: "go", Page: page}); !errors.Is(err, ErrBadQuery) {
			t.Errorf("page %d: %v, want ErrBadQuery", page, err)
		}
	}
}

func TestSearchTitleCountsMore(t *testing.T) {
	dir := t.TempDir()
	posts := []*archive.Post{
		{Title: "Notes on time off", Slug: "in-body", Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			Body: []byte("A sabbatical, a sabbatical! Planning a sabbatical.")},
		{Title: "Planning a long sabbatical well", Slug: "in-title", Date: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC),
			Body: []byte("Some words about time off and other things, and more words besides.")},
	}
	x, err := Rebuild(filepath.Join(dir, "index"), posts, Locale{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	res := search(t, x, "sabbatical")
	if res.Total != 2 || res.Hits[0].Slug != "in-title" {
		t.Errorf("hits = %+v, want in-title first", res.Hits)
	}
}

func TestSearchEscapesFragments(t *testing.T) {
	dir := t.TempDir()
	posts := []*archive.Post{{Title: `<img src=x onerror=alert(1)> evil`, Slug: "evil", Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		Body: []byte("Hello <script>alert('evil')</script> world & more evil.")}}
	x, err := Rebuild(filepath.Join(dir, "index"), posts, Locale{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, q := range []string{"evil", "img", "world"} {
		res := search(t, x, q)
		if res.Total != 1 {
			t.Fatalf("%q: %d hits", q, res.Total)
		}
		for _, f := range res.Hits[0].Fragments {
			if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(f, "<mark>", ""), "</mark>", ""), "<") {
				t.Errorf("%q: fragment not escaped: %q", q, f)
			}
		}
	}
}

func TestBadQueries(t *testing.T) {
	x := sharedIndex(t)
	tests := []struct{ q, want string }{
		{"", "the query is empty"},
		{"   ", "the query is empty"},
		{`"unclosed`, "cannot read"},
		{"title:", "cannot read"},
		{"+", "cannot read"},
		{"author:jim", `unknown field "author"`},
		{"mangaer~5", "fuzziness must be 1 or 2"},
		{"mangaer~10000000000000000000", "fuzziness must be 1 or 2"},
		{`/[a-/`, "bad regular expression"},
		{`/$0000/`, "must start with at least 2 letters or digits"},
		{"*", "must start with at least 2 letters or digits"},
		{"*a* *e* *i* *o*", "must start with at least 2 letters or digits"},
		{"a*", "must start with at least 2 letters or digits"},
		{"/.*/ /.*/ /.*/ /.*/", "must start with at least 2 letters or digits"},
		{"/(ab|cd).*/", "must start with at least 2 letters or digits"},
		{"a*a*a*a*", "too broad"},
		{"x*" + strings.Repeat("y", 40), "too broad"},
		{"/" + strings.Repeat("a", 40) + "/", "longer than 32 characters"},
		{"ab* bc* cd* de* ef*", "more than 4 wildcard"},
		{"ab~1 cd~1 ef~1 gh~1 ij~1", "more than 4 wildcard"},
		{strings.Repeat("word ", 60), "longer than 256 bytes"},
		{"caf\xe9", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			_, err := x.Search(context.Background(), Query{Text: tt.q})
			if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Search(%q) = %v, want ErrBadQuery saying %q", tt.q, err, tt.want)
			}
		})
	}
}

func TestRelated(t *testing.T) {
	x := sharedIndex(t)
	hits, err := x.Related(context.Background(), "My product manager keeps making technical decisions for the team. How do I push back without a fight? (title:nothing \"unclosed", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 5 || hits[0].Slug != seedSlug {
		t.Errorf("Related = %+v, want 5 with the seed first", hits)
	}
	if hits, err := x.Related(context.Background(), "   ", 5); err != nil || len(hits) != 0 {
		t.Errorf("Related(blank) = %v, %v", hits, err)
	}
}

// A word in more than one post in twenty (and more than 500) relates
// nothing: related posts leave it out, and what the question says besides
// decides; a question of only such words has none.
func TestRelatedLeavesOutCommonWords(t *testing.T) {
	var posts []*archive.Post
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 600 {
		title := fmt.Sprintf("Go note %d", i)
		if i%100 == 0 {
			title = fmt.Sprintf("Fuzzing in Go, part %d", i/100)
		}
		posts = append(posts, &archive.Post{Title: title, Date: day.Add(time.Duration(i) * time.Hour), Slug: fmt.Sprintf("p%d", i), Body: []byte("Text.")})
	}
	x, err := Rebuild(filepath.Join(t.TempDir(), "index"), posts, Locale{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	hits, err := x.Related(context.Background(), "Go fuzzing text", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 6 {
		t.Errorf("related to %q: %d posts, want the 6 about fuzzing alone", "Go fuzzing text", len(hits))
	}
	if hits, err := x.Related(context.Background(), "Go text", 10); err != nil || len(hits) != 0 {
		t.Errorf("related to %q = %d posts, %v; want none: the words are in every post", "Go text", len(hits), err)
	}
	if n := related.CommonIn(100_000); n != 5000 {
		t.Errorf("related.CommonIn(100,000) = %d, want 5,000", n)
	}
}
