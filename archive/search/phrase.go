package search

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"mailbag/archive/search/terms"
	"mailbag/internal/parallel"
)

// The index keeps no positions of the body's words: they were two thirds
// of its size and a third of the time to make it (at 10,000 posts, 80 MB
// and 9.6 s with them, 27 MB and 7.1 s without). A search with a phrase
// in the body ("standard library") is made in two steps instead. bleve
// finds the posts that have the phrase's words (relax), best first, and
// mailbag reads them in that order, keeping those where the phrase holds
// (phraseHolds: its words in its order), until the page is full and one
// more is found. bleve's phrase search ranked a phrase as it ranks its
// words, so the order is the same. Where more posts have the words than
// were read, the number of hits is an estimate (Results.Approximate), as
// it is when maxPhraseReads posts were read without filling the page.
// Titles keep their positions: a phrase in the title is bleve's.

const (
	// phraseWindow is how many posts with the phrase's words are asked
	// of bleve, and read, at a time.
	phraseWindow = 50
	// maxPhraseReads is how many posts are read at most for one search:
	// the bound on what a phrase of common words may cost.
	maxPhraseReads = 500
	// minPhraseChunk is how many posts are read at once at least.
	minPhraseChunk = 8
)

// relax returns q with each phrase in the body replaced by what bleve can find
// without positions: the conjunction of its words where the phrase must
// hold, nothing where it must not, its word for a phrase of one (the posts are checked after, by
// phraseHolds). Composite queries are copied, so that q stays as it was;
// some says whether there was a phrase to replace.
func relax(q query.Query, analyzer analysis.Analyzer, negated bool) (out query.Query, some bool) {
	all := func(qs []query.Query, negated bool) []query.Query {
		out := make([]query.Query, len(qs))
		for i, c := range qs {
			var changed bool
			out[i], changed = relax(c, analyzer, negated)
			some = some || changed
		}
		return out
	}
	switch q := q.(type) {
	case *query.BooleanQuery:
		b := clone(q)
		for _, part := range []struct {
			q   *query.Query
			neg bool
		}{{&b.Must, negated}, {&b.Should, negated}, {&b.MustNot, !negated}} {
			if *part.q != nil {
				*part.q = all([]query.Query{*part.q}, part.neg)[0]
			}
		}
		if b.Must == nil && b.Should == nil && b.MustNot != nil {
			// Only "not": every post but those, as bleve reads it, even
			// where what is excluded is a phrase, now nothing to bleve.
			b.Must = query.NewMatchAllQuery()
		}
		return b, some
	case *query.ConjunctionQuery:
		c := clone(q)
		c.Conjuncts = all(q.Conjuncts, negated)
		return c, some
	case *query.DisjunctionQuery:
		d := clone(q)
		d.Disjuncts = all(q.Disjuncts, negated)
		return d, some
	case *query.MatchPhraseQuery:
		phrase := analyzer.Analyze([]byte(q.MatchPhrase))
		if q.Field() != "body" || len(phrase) == 0 {
			return q, false
		}
		words := make([]query.Query, len(phrase))
		for i, t := range phrase {
			tq := query.NewTermQuery(string(t.Term))
			tq.SetField("body")
			words[i] = tq
		}
		switch {
		case len(words) == 1: // a word: bleve's alone, exact
			words[0].(*query.TermQuery).SetBoost(q.Boost())
			return words[0], false
		case negated:
			return query.NewMatchNoneQuery(), true
		}
		c := query.NewConjunctionQuery(words)
		c.SetBoost(q.Boost())
		return c, true
	}
	return q, false
}

// truth is a query's verdict on a post from its phrases alone: the
// other terms are bleve's to judge (unknown), and bleve found the post.
type truth int

const (
	unknown truth = iota
	yes
	no
)

func and(a, b truth) truth {
	switch {
	case a == no || b == no:
		return no
	case a == yes && b == yes:
		return yes
	}
	return unknown
}

func not(a truth) truth {
	switch a {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

// atLeast returns the verdict on "at least n of these".
func atLeast(n int, ts []truth) truth {
	var y, u int
	for _, t := range ts {
		switch t {
		case yes:
			y++
		case unknown:
			u++
		}
	}
	switch {
	case y >= n:
		return yes
	case y+u >= n:
		return unknown
	}
	return no
}

// phraseHolds judges a post that the relaxed query found against the
// phrases of the query as the reader wrote it (q): title and body say
// whether the post's title and body hold a phrase (of analyzer's tokens).
// Clauses are read as bleve reads them: where a query has required
// clauses, the optional ones do not decide.
func phraseHolds(q query.Query, analyzer analysis.Analyzer, title, body func(phrase analysis.TokenStream) bool) truth {
	each := func(qs []query.Query) []truth {
		out := make([]truth, len(qs))
		for i, c := range qs {
			out[i] = phraseHolds(c, analyzer, title, body)
		}
		return out
	}
	switch q := q.(type) {
	case *query.BooleanQuery:
		t := yes
		if q.Must != nil {
			t = phraseHolds(q.Must, analyzer, title, body)
		} else if q.Should != nil {
			t = phraseHolds(q.Should, analyzer, title, body)
		}
		if q.MustNot != nil {
			t = and(t, not(atLeast(1, each([]query.Query{q.MustNot}))))
		}
		return t
	case *query.ConjunctionQuery:
		return atLeast(len(q.Conjuncts), each(q.Conjuncts))
	case *query.DisjunctionQuery:
		return atLeast(max(int(q.Min), 1), each(q.Disjuncts))
	case *query.MatchPhraseQuery:
		phrase := analyzer.Analyze([]byte(q.MatchPhrase))
		if len(phrase) == 0 {
			return unknown
		}
		switch q.Field() {
		case "title":
			return verdict(title(phrase))
		case "body":
			return verdict(body(phrase))
		}
	}
	return unknown
}

func verdict(b bool) truth {
	if b {
		return yes
	}
	return no
}

// searchPhrases runs relaxed (q with its body phrases relaxed, patterns
// expanded) and keeps, in bleve's order, the hits where q's phrases hold,
// reading posts a window at a time on every core, until the page (of per
// hits) is full and one more is found, or maxPhraseReads posts were read.
// It returns the page, without fragments, and the texts of its hits.
func (x *Index) searchPhrases(ctx context.Context, q, relaxed query.Query, page, per int) (*Results, map[string]string, error) {
	a := x.analyzer().(terms.Analyzer)
	need := page*per + 1
	var found []Hit
	texts := map[string]string{}
	read, total := 0, 0
	// The first window is what the page needs, and a little more: a common
	// phrase is in most posts with its words, and bleve reads the stored
	// fields of every hit it returns.
	window := need + 2
	for from := 0; len(found) < need && read < maxPhraseReads && (from == 0 || from < total); from, window = from+window, phraseWindow {
		req := bleve.NewSearchRequestOptions(relaxed, min(window, maxPhraseReads-read), from, false)
		req.Fields = hitFields
		n, matches, err := x.search(ctx, req)
		if err != nil {
			return nil, nil, err
		}
		total = int(n)
		hits := x.hits(matches)
		// The posts are read a few more at a time than the page still
		// needs, on every core: most have the phrase when it is common.
		for len(hits) > 0 && len(found) < need {
			n := min(len(hits), max(need-len(found)+2, minPhraseChunk))
			bodies := make([]string, n)
			holds := make([]bool, n)
			parallel.For(n, func(i int) {
				bodies[i] = x.text(hits[i])
				title := func(phrase analysis.TokenStream) bool { return a.HasPhrase(hits[i].Title, phrase) }
				body := func(phrase analysis.TokenStream) bool { return a.HasPhrase(bodies[i], phrase) }
				holds[i] = phraseHolds(q, a, title, body) != no
			})
			for i, h := range hits[:n] {
				read++
				if holds[i] {
					texts[h.Slug] = bodies[i]
					if found = append(found, h); len(found) == need {
						break
					}
				}
			}
			hits = hits[n:]
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
	}
	out := &Results{Total: len(found), Page: page, PerPage: per}
	if read < total {
		// Of the posts with the phrases' words, read were read and
		// len(found) had the phrases: as many in the rest, in proportion.
		out.Total = max(len(found), total*len(found)/max(read, 1))
		out.Approximate = true
	}
	out.Hits = found[min((page-1)*per, len(found)):min(page*per, len(found))]
	return out, texts, nil
}
