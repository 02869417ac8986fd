// Package related finds the past answers related to a text: the rules
// the search index's related answers keep too (MaxWords, CommonIn), and
// Titles, the posts whose titles share the most, and the rarest, of its
// words.
package related

import (
	"cmp"
	"mailbag/archive/search/terms"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// MaxWords bounds how many words of a question are looked up for its
// related answers.
const MaxWords = 80

// CommonIn returns how many of an archive's posts (total) may have a word
// for it to count in what relates posts (search's Related, Titles.Like): one in
// twenty, and never fewer than 500. A word in more says little of what a
// post is about, and costs most: at 100,000 posts, "go" in a title made
// bleve score tens of thousands of posts for a page's related answers.
func CommonIn(total uint64) uint64 {
	return max(500, total/20)
}

// Titles is the posts' titles as the index's terms, for the related
// answers of every page of the site: the posts whose titles share the most,
// and the rarest, of a title's words. The site makes one with each list of
// posts and asks it for each page; its arrays hold no pointers, so that
// Go's collector does not look inside them. It is safe for concurrent use.
//
// What it buys (BenchmarkRelatedTitles, 100,000 posts): 18 µs at the
// median and 137 µs at the 99th percentile, where bleve's search of the
// same terms in the index's titles took 213 and 1,378 µs (it scores every
// post with any of the words, at about 150 ns a post). That was a third
// of a post page's time when each page was made on each request; now a
// page is made once (archive/site's maxPageBytes), and it is a third of
// the first visit's, and of `mailbag build`'s time for every page.
type Titles struct {
	terms  string   // the titles' distinct terms, sorted, one after another
	ends   []uint32 // where each term ends in terms
	starts []uint32 // where each term's posts start in posts, and where the last's end
	posts  []int32  // the posts whose titles have each term, in the order given
	lens   []uint16 // how many terms each post's title has

	scratch sync.Pool      // of *titleScores, for Like
	words   terms.Analyzer // the index's analyzer of the posts' language
}

// NewTitles makes the Titles of a list of posts written in language (a
// BCP 47 tag, "" for English): titles[i] is the title of post i, read into
// terms as the index reads titles. The numbers Like returns are places in
// titles.
func NewTitles(titles []string, language string) *Titles {
	words, err := terms.For(terms.Language(language))
	if err != nil {
		words = terms.New() // every language terms.Language returns has an analyzer
	}
	// Each title's terms, once each, by a number given in the order met.
	ids := map[string]uint32{}
	var names []string
	var postIDs []uint32 // the terms of post 0, of post 1, ...
	bounds := make([]uint32, len(titles)+1)
	lens := make([]uint16, len(titles))
	for i, title := range titles {
		tokens := words.Analyze([]byte(title))
		lens[i] = uint16(min(len(tokens), math.MaxUint16))
		first := len(postIDs)
		for _, tok := range tokens {
			id, ok := ids[string(tok.Term)]
			if !ok {
				id = uint32(len(names))
				names = append(names, string(tok.Term))
				ids[names[id]] = id
			}
			if !slices.Contains(postIDs[first:], id) {
				postIDs = append(postIDs, id)
			}
		}
		bounds[i+1] = uint32(len(postIDs))
	}
	// The terms sorted; each post under each of its terms, in order.
	order := make([]uint32, len(names)) // the terms' numbers, sorted by term
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(names[a], names[b]) })
	rank := make([]uint32, len(names)) // where each term's number is in order
	t := &Titles{ends: make([]uint32, len(names)), starts: make([]uint32, len(names)+1), posts: make([]int32, len(postIDs)), lens: lens, words: words}
	var b strings.Builder
	for r, id := range order {
		rank[id] = uint32(r)
		b.WriteString(names[id])
		t.ends[r] = uint32(b.Len())
	}
	t.terms = b.String()
	for _, id := range postIDs {
		t.starts[rank[id]+1]++
	}
	for r := range order {
		t.starts[r+1] += t.starts[r]
	}
	next := slices.Clone(t.starts[:len(order)])
	for i := range titles {
		for _, id := range postIDs[bounds[i]:bounds[i+1]] {
			r := rank[id]
			t.posts[next[r]] = int32(i)
			next[r]++
		}
	}
	return t
}

// Len returns how many titles t holds.
func (t *Titles) Len() int { return len(t.lens) }

// term returns the r-th term in order.
func (t *Titles) term(r int) string {
	from := uint32(0)
	if r > 0 {
		from = t.ends[r-1]
	}
	return t.terms[from:t.ends[r]]
}

// postsWith returns the posts whose titles have term, in order.
func (t *Titles) postsWith(term string) []int32 {
	r := sort.Search(len(t.ends), func(r int) bool { return t.term(r) >= term })
	if r == len(t.ends) || t.term(r) != term {
		return nil
	}
	return t.posts[t.starts[r]:t.starts[r+1]]
}

// titleScores is Like's tally, a number for each post; those it touched
// are set back to zero after each use.
type titleScores struct {
	score   []float32
	matched []uint16
	touched []int32
}

// Like returns up to n posts whose titles are most like text (the title of
// a post, most often: the caller leaves the post itself out), best first:
// as bleve's TF-IDF scores a disjunction of text's terms, each post scores
// the sum, over the terms it shares with text, of the term's idf squared,
// divided by the square root of its title's length, times the share of
// text's terms it has. A term in more than commonIn titles is left out, as
// by Related; posts of equal score come in the order given.
//
// Why not bleve's own search of the titles: at 100,000 posts it took 213 /
// 1,378 µs (p50 / p99) where Like takes 18.4 / 137 µs, a third of a post
// page's time (BenchmarkRelatedTitles, docs/benchmarks.md). The two agree
// on the first related answer for 70.7% of titles, differing mostly in
// the order of posts of equal score.
func (t *Titles) Like(text string, n int) []int {
	words := strings.Fields(text)
	n = min(n, t.Len())
	if n <= 0 || len(words) == 0 {
		return nil
	}
	tokens := t.words.Analyze([]byte(strings.Join(words[:min(len(words), MaxWords)], " ")))
	s, _ := t.scratch.Get().(*titleScores)
	if s == nil || len(s.score) != t.Len() {
		s = &titleScores{score: make([]float32, t.Len()), matched: make([]uint16, t.Len())}
	}
	defer t.scratch.Put(s)
	total := float64(t.Len())
	clauses := 0
	for _, tok := range tokens {
		posts := t.postsWith(string(tok.Term))
		if len(posts) == 0 || uint64(len(posts)) > CommonIn(uint64(t.Len())) {
			continue
		}
		clauses++
		idf := 1 + math.Log(total/float64(len(posts)+1))
		w := float32(idf * idf)
		for _, p := range posts {
			if s.matched[p] == 0 {
				s.touched = append(s.touched, p)
			}
			s.score[p] += w
			s.matched[p]++
		}
	}
	type hit struct {
		post  int32
		score float32
	}
	best := make([]hit, 0, n+1)
	for _, p := range s.touched {
		h := hit{p, s.score[p] / float32(math.Sqrt(float64(max(t.lens[p], 1)))) * float32(s.matched[p]) / float32(clauses)}
		s.score[p], s.matched[p] = 0, 0
		at, _ := slices.BinarySearchFunc(best, h, func(a, b hit) int {
			return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.post, b.post))
		})
		if at < n {
			best = slices.Insert(best, at, h)[:min(len(best)+1, n)]
		}
	}
	s.touched = s.touched[:0]
	out := make([]int, len(best))
	for i, h := range best {
		out[i] = int(h.post)
	}
	return out
}
