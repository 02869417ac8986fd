package search

import (
	"context"
	"errors"
	"fmt"
	"mailbag/archive"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
)

// spreadFrom makes archives of n posts or more spread over the shards,
// for the rest of the test.
func spreadFrom(t *testing.T, n int) {
	t.Helper()
	old := shardFrom
	shardFrom = n
	t.Cleanup(func() { shardFrom = old })
}

// spreadIndex indexes posts spread over both shards, for the rest of the
// test.
func spreadIndex(t *testing.T, posts *archive.Posts) *Index {
	t.Helper()
	spreadFrom(t, 1)
	list, _, err := posts.List()
	if err != nil {
		t.Fatal(err)
	}
	x, err := Rebuild(filepath.Join(t.TempDir(), "index"), list, Locale{Location: posts.Location})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// shardSizes is how many posts each shard of x holds.
func shardSizes(t *testing.T, x *Index) []uint64 {
	t.Helper()
	var sizes []uint64
	for _, s := range x.shards {
		n, err := s.DocCount()
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// allHits is every hit of a search, page by page, and the total the
// first page gave.
func allHits(t *testing.T, x *Index, text string) ([]string, int) {
	t.Helper()
	var slugs []string
	total := -1
	for page := 1; ; page++ {
		res, err := x.Search(context.Background(), Query{Text: text, Page: page, PerPage: 7})
		if err != nil {
			t.Fatalf("%s, page %d: %v", text, page, err)
		}
		if total < 0 {
			total = res.Total
		}
		for _, h := range res.Hits {
			slugs = append(slugs, h.Slug)
		}
		if len(res.Hits) < 7 || page == MaxPages(7) {
			return slugs, total
		}
	}
}

// The seed corpus in one shard and spread over both: the same posts are
// found, as many, and the pages of a search follow on, each post once.
func TestShardsSearchAsOne(t *testing.T) {
	one, posts := seedIndex(t)
	if sizes := shardSizes(t, one); sizes[1] != 0 {
		t.Fatalf("a small archive's shards hold %v posts, want all in the first", sizes)
	}
	both := spreadIndex(t, posts)
	if sizes := shardSizes(t, both); sizes[0]+sizes[1] != 275 || sizes[0] < 130 || sizes[1] < 130 {
		t.Fatalf("spread shards hold %v posts, want about half of 275 each", sizes)
	}
	for _, q := range []string{
		"garbage collector", "generics", `"type parameters"`, `"standard library" -module`,
		"mangaer~1", "modul*", "title:go", "tag:release", "+error -handling",
		`date:>="2020-01-01"`, "gopher", "the",
	} {
		a, totalA := allHits(t, one, q)
		b, totalB := allHits(t, both, q)
		if totalA != totalB {
			t.Errorf("%s: %d hits in one shard, %d in two", q, totalA, totalB)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(b)))) != len(b) {
			t.Errorf("%s: pages over two shards repeat posts: %q", q, b)
		}
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%s: one shard finds %d posts, two find %d, not the same", q, len(a), len(b))
		}
	}
	if a, b := one.suggest(context.Background(), "generiks"), both.suggest(context.Background(), "generiks"); a != b || a == "" {
		t.Errorf(`suggest("generiks") = %q in one shard, %q in two`, a, b)
	}
	related, err := both.Related(context.Background(), "Go 1.18 is released with generics", 5)
	if err != nil || len(related) != 5 {
		t.Errorf("Related over two shards = %d hits, %v", len(related), err)
	}
}

// Posts added, edited, renamed and removed in an archive that grows past
// shardFrom: each post is in one shard, found once.
func TestShardsFollowThePosts(t *testing.T) {
	spreadFrom(t, 4)
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	dir := filepath.Join(root, "index")
	days := map[string]int{}
	post := func(day int, slug, words string) {
		days[slug] = day
		name := fmt.Sprintf("2020-01-%02d-%s.md", day, slug)
		writePost(t, posts.Dir, name, fmt.Sprintf("---\ntitle: %s\ndate: 2020-01-%02d\n---\nOtters %s.\n", slug, day, words))
	}
	// check syncs the index with the posts, as the next command does,
	// and looks for every post and for one word.
	check := func(word string, want []string, all ...string) []uint64 {
		t.Helper()
		x, _, err := OpenIndex(dir, posts)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		slugs, total := allHits(t, x, "otter")
		slices.Sort(slugs)
		slices.Sort(all)
		if !slices.Equal(slugs, all) || total != len(all) {
			t.Errorf("otter finds %q (%d), want %q", slugs, total, all)
		}
		if got := hitSlugs(t, x, word); !slices.Equal(got, want) {
			t.Errorf("%s finds %q, want %q", word, got, want)
		}
		return shardSizes(t, x)
	}
	post(1, "alpha", "swim")
	post(2, "beta", "sleep")
	if sizes := check("swim", []string{"alpha"}, "alpha", "beta"); sizes[1] != 0 {
		t.Errorf("two posts in shards of %v, want all in the first", sizes)
	}
	post(3, "gamma", "eat")
	post(4, "delta", "play")
	post(5, "epsilon", "dive")
	if sizes := check("dive", []string{"epsilon"}, "alpha", "beta", "gamma", "delta", "epsilon"); sizes[0]+sizes[1] != 5 || sizes[1] < 2 {
		t.Errorf("five posts in shards of %v, want them spread", sizes)
	}
	// alpha is edited, beta's file renamed to a new slug, gamma removed.
	post(1, "alpha", "float on their backs")
	if err := os.Rename(filepath.Join(posts.Dir, "2020-01-02-beta.md"), filepath.Join(posts.Dir, "2020-01-02-bravo.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(posts.Dir, "2020-01-03-gamma.md")); err != nil {
		t.Fatal(err)
	}
	if sizes := check("float", []string{"alpha"}, "alpha", "bravo", "delta", "epsilon"); sizes[0]+sizes[1] != 4 {
		t.Errorf("four posts in shards of %v", sizes)
	}
	// A post indexed again by Add (as publish does) goes to the shard with
	// fewer posts, and leaves the one it was in.
	var moved *archive.Post
	func() {
		x, _, err := OpenIndex(dir, posts)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sizes := shardSizes(t, x)
		fewer := slices.Index(sizes, slices.Min(sizes))
		res, err := x.shards[1-fewer].Search(bleve.NewSearchRequest(query.NewMatchAllQuery()))
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("the fuller shard: %v, %v", res, err)
		}
		post(days[res.Hits[0].ID], res.Hits[0].ID, "fly")
		list, _, err := posts.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if p.Slug == res.Hits[0].ID {
				moved = p
			}
		}
		if err := x.Add(moved); err != nil {
			t.Fatal(err)
		}
	}()
	if sizes := check("fly", []string{moved.Slug}, "alpha", "bravo", "delta", "epsilon"); sizes[0]+sizes[1] != 4 {
		t.Errorf("four posts in shards of %v", sizes)
	}
}

// An index of mailbag before shards, one bleve index in the folder, is
// rebuilt at open, and says why.
func TestOpenIndexRebuildsAnIndexWithoutShards(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writePost(t, posts.Dir, "2020-01-01-alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nOtters.\n")
	dir := filepath.Join(root, "index")
	old, err := bleve.New(dir, newMapping(nil, nil, 0, "en"))
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	if _, err := Open(dir, Locale{}); !errors.Is(err, ErrIndexOutdated) {
		t.Fatalf("Open(index without shards) = %v, want ErrIndexOutdated", err)
	}
	y, res, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if res.Indexed != 1 || !strings.Contains(res.Rebuilt, "older version") {
		t.Errorf("OpenIndex = %+v, want the post indexed, rebuilt for an older version", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old index's files are left: %v", err)
	}
}

// segments is how many segments each shard of x has.
func segments(t *testing.T, x *Index) []uint64 {
	t.Helper()
	var n []uint64
	for _, s := range x.shards {
		adv, err := s.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		got, err := segmentsOf(adv.(*scorch.Scorch))
		if err != nil {
			t.Fatal(err)
		}
		n = append(n, uint64(got))
	}
	return n
}

// TestMergeAfterAnImport: an import adds posts a chunk at a time, each a
// segment or more a shard; Merge leaves each shard in one (as a rebuild
// does with so few posts), every post found and the manifest whole.
func TestMergeAfterAnImport(t *testing.T) {
	spreadFrom(t, 1000)
	posts := &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts")}
	writePost(t, posts.Dir, "2020-01-01-first.md", "---\ntitle: First\ndate: 2020-01-01\n---\n\nThe first answer.\n")
	x, _, err := OpenIndex(filepath.Join(t.TempDir(), "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for chunk := range 3 {
		var added []*archive.Post
		for i := range 800 { // two batches a chunk
			name := fmt.Sprintf("2021-01-01-imported-%d-%03d.md", chunk, i)
			writePost(t, posts.Dir, name, fmt.Sprintf("---\ntitle: importer.Imported %d\ndate: 2021-01-01\n---\n\nAn answer about otters, number %d.\n", i, i))
			p, err := posts.ReadFile(filepath.Join(posts.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			added = append(added, p)
		}
		if err := x.Add(added...); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Merge(); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, x); !slices.Equal(got, []uint64{1, 1}) {
		t.Errorf("after Merge, segments a shard %v, want 1 each", got)
	}
	if sizes := shardSizes(t, x); sizes[0]+sizes[1] != 2401 {
		t.Errorf("shards hold %v posts, want 2,401", sizes)
	}
	if res, err := x.Search(context.Background(), Query{Text: "otters"}); err != nil || res.Total != 2400 {
		t.Errorf("the merged index finds %v posts (%v), want 2,400", res.Total, err)
	}
	if res, err := x.Sync(posts); err != nil || res.Indexed != 0 || res.Removed != 0 {
		t.Errorf("a sync after Merge = %+v, %v; want nothing to do", res, err)
	}
}

// TestMergedShardsOpenMerged: shards built aside, merged and closed at
// once, as a rebuild does, open again in the segments they were merged
// into: bleve writes down a merge's snapshot after the merge returns, and
// a shard closed before that opened in its segments from before it.
func TestMergedShardsOpenMerged(t *testing.T) {
	spreadFrom(t, 1000)
	posts := &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts")}
	for i := range 2400 { // five batches, spread over both shards
		writePost(t, posts.Dir, fmt.Sprintf("2021-01-01-otters-%04d.md", i), fmt.Sprintf("---\ntitle: Otters %d\ndate: 2021-01-01\n---\n\nAn answer about otters, number %d.\n", i, i))
	}
	list, _, err := posts.Headers()
	if err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		dir := filepath.Join(t.TempDir(), "index")
		if err := buildAside(dir, list, time.UTC, "en"); err != nil {
			t.Fatal(err)
		}
		shards, err := openShards(dir)
		if err != nil {
			t.Fatal(err)
		}
		x := &Index{shards: shards}
		got := segments(t, x)
		if err := closeShards(shards); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []uint64{1, 1}) {
			t.Fatalf("round %d: the rebuilt shards open in %v segments, want 1 each", round, got)
		}
	}
}
