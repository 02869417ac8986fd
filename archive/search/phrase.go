package search

import (
	"context"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"mailbag/archive/search/terms"
	"mailbag/internal/parallel"
)

// The index keeps no positions of the body's words: with them, a phrase
// search read the positions of every post with the phrase's words, most
// posts for common words (63 / 197 ms p50 / p99 at 100,000 posts), and
// the index was larger (1,366 MB at 100,000 posts; 1,214 MB with the
// pairs). A phrase in the body is found in two steps instead. bleve
// finds the posts that have the phrase's pairs of common words
// (terms.PairsName) and its other words (relax): few posts, since a pair
// of common words is rare and so is a word that is not common. mailbag
// then checks every one of them, on every core, keeping those where the
// phrase holds (phraseHolds): a phrase of common words in the post's
// codes (terms.Codes), another in its text. The hits and their count are
// exact. A phrase of two common words is its pair, one term: bleve alone
// answers it. Titles keep their positions: a phrase in the title is
// bleve's.
//
// The codes buy the phrase of common words that many posts have: a
// German translator's name, in 1,276 of 10,000 posts, whose about 4,000
// posts with both its pairs were each read, took 305–317 ms (p99 of
// BenchmarkSearch's phrases in no post: 274 ms), with codes 39 ms.
// Keeping the pairs' positions made it 3 ms, but a reindex of 100,000
// posts peaked at 608 MB, over its 500. Where both its pairs are
// frequent, such a phrase is now one term, their triple
// (terms.TripleTerm): 3.0 ms in BenchmarkSearch, 3.5 ms over HTTP; a
// phrase of common words whose pairs are not both frequent finds fewer
// than one post in twenty (docs/benchmarks.md).

// relax returns q with each phrase in the body replaced by what bleve can
// find without positions (phraseParts): the conjunction of its pairs and
// other words where the phrase must hold, nothing where it must not (the
// posts are checked after, by phraseHolds); a word, or a pair of two
// common words, as it is, exact. Composite queries are copied, so that q
// stays as it was; some says whether there was a phrase left to check.
func relax(q query.Query, analyzer analysis.Analyzer, pairs terms.Pairs, negated bool) (out query.Query, some bool) {
	all := func(qs []query.Query, negated bool) []query.Query {
		out := make([]query.Query, len(qs))
		for i, c := range qs {
			var changed bool
			out[i], changed = relax(c, analyzer, pairs, negated)
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
		parts, exact := phraseParts(phrase, pairs)
		switch {
		case exact: // a word, or a pair of common words: bleve's alone
			if b, ok := parts[0].(query.BoostableQuery); ok {
				b.SetBoost(q.Boost())
			}
			return parts[0], false
		case negated:
			return query.NewMatchNoneQuery(), true
		}
		c := query.NewConjunctionQuery(parts)
		c.SetBoost(q.Boost())
		return c, true
	}
	return q, false
}

// phraseParts returns the terms that every post holding phrase has: the
// triples of its frequent pairs in a row, its other pairs of common words
// next to each other, and its other words; and whether holding them is
// holding the phrase (a word alone, two common words, or three that are
// a triple).
func phraseParts(phrase analysis.TokenStream, pairs terms.Pairs) (parts []query.Query, exact bool) {
	term := func(field, t string) {
		tq := query.NewTermQuery(t)
		tq.SetField(field)
		parts = append(parts, tq)
	}
	if pairs.Runs() {
		return runParts(phrase, pairs)
	}
	// pair[i] is the pair of the words i-1 and i, where they make one.
	pair := make([]string, len(phrase))
	for i := 1; i < len(phrase); i++ {
		a, b := phrase[i-1], phrase[i]
		if pairs.Paired(string(a.Term), string(b.Term)) {
			pair[i] = terms.PairTerm(a.Term, b.Term, b.Position-a.Position)
		}
	}
	inTriple := make([]bool, len(phrase)) // pair[i] is in a triple
	triples := 0
	for i := 1; i+1 < len(phrase); i++ {
		if pair[i] != "" && pair[i+1] != "" && pairs.Frequent(pair[i]) && pairs.Frequent(pair[i+1]) {
			a, b, c := phrase[i-1], phrase[i], phrase[i+1]
			term("body_pairs", terms.TripleTerm(a.Term, b.Term, c.Term, b.Position-a.Position, c.Position-b.Position))
			inTriple[i], inTriple[i+1] = true, true
			triples++
		}
	}
	paired := make([]bool, len(phrase))
	for i := 1; i < len(phrase); i++ {
		if pair[i] != "" {
			if !inTriple[i] {
				term("body_pairs", pair[i])
			}
			paired[i-1], paired[i] = true, true
		}
	}
	for i, t := range phrase {
		if !paired[i] {
			term("body", string(t.Term))
		}
	}
	return parts, len(phrase) == 1 || len(phrase) == 2 && paired[0] || len(phrase) == 3 && triples == 1
}

// runParts is phraseParts in a language whose terms are pairs of
// characters, which has frequent runs of them (terms.Pairs.Run) instead
// of pairs: from its start, the longest frequent run of the phrase's
// terms at places in a row, then the next after it; for a term that
// starts no run, the longest run that ends at it, over terms the run
// before has; and the terms in no run. Holding them is holding the phrase
// where it is one term, or one run. The run that ends at a term is in
// fewer posts than the term: the posts with the runs of "を指定するこ"
// (を指定する, 指定するこ) are 2,051 of 10,000 Japanese manual pages,
// with its first run and its last term alone 5,846, for 1,429 that hold
// it, each checked (BenchmarkServe's search-common, docs/benchmarks.md).
func runParts(phrase analysis.TokenStream, pairs terms.Pairs) (parts []query.Query, exact bool) {
	term := func(field, t string) {
		tq := query.NewTermQuery(t)
		tq.SetField(field)
		parts = append(parts, tq)
	}
	// run returns the run of the k terms from i, if they are a frequent
	// run at places in a row.
	run := func(i, k int) (string, bool) {
		ts := make([][]byte, k)
		for m := range k {
			ts[m] = phrase[i+m].Term
			if phrase[i+m].Position != phrase[i].Position+m {
				return "", false
			}
		}
		return terms.RunTerm(ts...), pairs.Run(ts...)
	}
	runs := 0
	for i := 0; i < len(phrase); {
		k := min(terms.MaxRun, len(phrase)-i)
		for ; k >= 2; k-- {
			if t, ok := run(i, k); ok {
				term("body_pairs", t)
				runs++
				break
			}
		}
		if k < 2 {
			k = 1
			t, ok := "", false
			for j := max(0, i-terms.MaxRun+1); j < i && !ok; j++ {
				t, ok = run(j, i-j+1)
			}
			if ok {
				term("body_pairs", t)
				runs++
			} else {
				term("body", string(phrase[i].Term))
			}
		}
		i += k
	}
	return parts, len(phrase) == 1 || len(parts) == 1 && runs == 1
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

// phrase is a phrase of a query, analysed once for every post checked:
// its terms, and their codes where they are all common (terms.Codes).
type phrase struct {
	text   string // as the reader wrote it
	tokens analysis.TokenStream
	coded  terms.Coded
	common bool
}

// phrasesOf analyses each phrase of q (by its text) with analyzer.
func phrasesOf(q query.Query, analyzer analysis.Analyzer, pairs terms.Pairs) map[string]phrase {
	out := map[string]phrase{}
	leaves(q, true, func(q query.Query) {
		if q, ok := q.(*query.MatchPhraseQuery); ok {
			p := phrase{text: q.MatchPhrase, tokens: analyzer.Analyze([]byte(q.MatchPhrase))}
			p.coded, p.common = pairs.Code(p.tokens)
			out[q.MatchPhrase] = p
		}
	})
	return out
}

// phraseHolds judges a post that the relaxed query found against the
// phrases of the query as the reader wrote it (q, its phrases analysed in
// phrases): title and body say whether the post's title and body hold a
// phrase. Clauses are read as bleve reads them: where a query has
// required clauses, the optional ones do not decide.
func phraseHolds(q query.Query, phrases map[string]phrase, title, body func(phrase) bool) truth {
	each := func(qs []query.Query) []truth {
		out := make([]truth, len(qs))
		for i, c := range qs {
			out[i] = phraseHolds(c, phrases, title, body)
		}
		return out
	}
	switch q := q.(type) {
	case *query.BooleanQuery:
		t := yes
		if q.Must != nil {
			t = phraseHolds(q.Must, phrases, title, body)
		} else if q.Should != nil {
			t = phraseHolds(q.Should, phrases, title, body)
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
		p := phrases[q.MatchPhrase]
		if len(p.tokens) == 0 {
			return unknown
		}
		switch q.Field() {
		case "title":
			return verdict(title(p))
		case "body":
			return verdict(body(p))
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
// expanded) and keeps every post it finds where q's phrases hold,
// checking each post on every core: a phrase of common words in the
// post's codes (terms.Codes), any other in its text; a phrase in the
// title is bleve's to find (titlesHolding). It returns the page of per
// hits asked for, ranked as bleve ranks them, without fragments, and the
// texts it read of that page's hits. bleve gives the slugs and scores of
// the posts it finds alone (scan), where the places file knows where
// their texts are (texts.go); their stored fields otherwise.
//
// Why scan and not a search request for every hit: bleve's collector
// kept each hit, sorted them all, and mailbag sorted them again to merge
// the shards, where only a page is ranked. A phrase that 4,878 of
// 10,000 German posts hold ("general public license version"): 7.3 /
// 10.5 ms p50 / p90 in process, 4.5 / 7.5 with scan; BenchmarkServe's
// search-common p99 11.2 → 7.6 ms (docs/benchmarks.md).
func (x *Index) searchPhrases(ctx context.Context, q, relaxed query.Query, page, per int) (*Results, map[string]string, error) {
	a, pairs := x.analyzer(), x.pairs()
	phrases := phrasesOf(q, a, pairs)
	inTitle, err := x.titlesHolding(ctx, q, phrases)
	if err != nil {
		return nil, nil, err
	}
	hits, err := x.scan(ctx, relaxed)
	if err != nil {
		return nil, nil, err
	}
	if !x.locate(hits) {
		// An index made before the places file: the hits' stored fields
		// say where their texts are.
		req := bleve.NewSearchRequestOptions(relaxed, x.size(), 0, false)
		req.Fields = phraseHitFields
		_, matches, err := x.search(ctx, req)
		if err != nil {
			return nil, nil, err
		}
		hits = x.hits(matches)
	}
	bodies := make([]*string, len(hits)) // the texts read
	holds := make([]bool, len(hits))
	parallel.For(len(hits), func(i int) {
		text := func() string {
			if bodies[i] == nil {
				t := x.text(hits[i])
				bodies[i] = &t
			}
			return *bodies[i]
		}
		title := func(p phrase) bool { return inTitle[p.text][hits[i].Slug] }
		body := func(p phrase) bool {
			if p.common {
				if holds, ok := x.codesHold(hits[i], p.coded); ok {
					return holds
				}
			}
			return a.HasPhrase(text(), p.tokens)
		}
		holds[i] = phraseHolds(q, phrases, title, body) != no
	})
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	// How many hold the phrases, and the page's hits: the best page*per
	// of them, best first (those of equal score in the order found), each
	// post once (one indexed again between the shards' reads is in both).
	out := &Results{Page: page, PerPage: per}
	seen := make(map[string]bool, len(hits))
	var best []int // of hits
	for i, h := range hits {
		if !holds[i] || seen[h.Slug] {
			continue
		}
		seen[h.Slug] = true
		out.Total++
		at := sort.Search(len(best), func(j int) bool { return hits[best[j]].Score < h.Score })
		if at < page*per {
			best = slices.Insert(best, at, i)
			best = best[:min(len(best), page*per)]
		}
	}
	texts := map[string]string{}
	for _, i := range best[min((page-1)*per, len(best)):] {
		out.Hits = append(out.Hits, hits[i])
		if bodies[i] != nil {
			texts[hits[i].Slug] = *bodies[i]
		}
	}
	if err := x.fill(ctx, out.Hits); err != nil {
		return nil, nil, err
	}
	return out, texts, nil
}

// size returns how many posts the index holds, as many as a search can
// find: a search asking for that many is given every hit.
func (x *Index) size() int {
	n := 0
	for _, s := range x.shards {
		if c, err := s.DocCount(); err == nil {
			n += int(c)
		}
	}
	return max(n, 1)
}

// titlesHolding returns, for each phrase of q searched in the title (by
// its text, as phrases has it), the slugs of the posts whose title holds
// it: bleve finds a phrase in the title exactly, by its words' positions.
func (x *Index) titlesHolding(ctx context.Context, q query.Query, phrases map[string]phrase) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	var err error
	leaves(q, true, func(leaf query.Query) {
		p, ok := leaf.(*query.MatchPhraseQuery)
		if !ok || p.Field() != "title" || out[p.MatchPhrase] != nil || len(phrases[p.MatchPhrase].tokens) == 0 || err != nil {
			return
		}
		var hits []Hit
		if hits, err = x.scan(ctx, p); err != nil {
			return
		}
		slugs := make(map[string]bool, len(hits))
		for _, h := range hits {
			slugs[h.Slug] = true
		}
		out[p.MatchPhrase] = slugs
	})
	return out, err
}

// fill reads the stored fields of hits found by their slug and score
// alone: title, date and file.
func (x *Index) fill(ctx context.Context, hits []Hit) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Slug
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = hitFields
	_, matches, err := x.search(ctx, req)
	if err != nil {
		return err
	}
	stored := map[string]Hit{}
	for _, h := range x.hits(matches) {
		stored[h.Slug] = h
	}
	for i, h := range hits {
		if s, ok := stored[h.Slug]; ok {
			hits[i].Title, hits[i].Date, hits[i].file = s.Title, s.Date, s.file
		}
	}
	return nil
}
