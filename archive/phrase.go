package archive

import (
	"context"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// A search for one phrase ("standard library") is made in two steps.
// bleve's phrase search reads the positions of the phrase's words in every
// post that has them all, which took 350 ms at 100,000 posts for words
// common in the archive, bare bleve as long. Instead, bleve finds the posts
// that have all the words, and mailbag reads them, best first, keeping
// those that have the words as the phrase has them, until the page is full
// and one more is found. The order is that of bleve's phrase search, which
// scores a phrase as it scores its words (but for a post with the phrase
// in its title and only the words in its body, which ranks a little higher
// here). Where more posts have the words than were read, the number of
// hits is an estimate (Results.Approximate). A phrase rare among the posts
// that have its words falls back to bleve's phrase search after
// maxPhraseReads posts, as do deep pages.

const (
	// phraseWindow is how many posts with the phrase's words are asked
	// of bleve at a time.
	phraseWindow = 50
	// maxPhraseReads is how many posts are read at most for one search.
	maxPhraseReads = 200
	// maxPhraseDepth is the deepest hit a page may ask for, beyond which
	// bleve's phrase search is used.
	maxPhraseDepth = 100
)

// lonePhrase finds the phrase of a query that is one phrase and nothing
// else, as ParseQuery makes it: in the body (body:"...") or in the title
// or the body (a phrase without a field); title is nil for the first.
func lonePhrase(q query.Query) (body, title *query.MatchPhraseQuery, ok bool) {
	b, isBool := q.(*query.BooleanQuery)
	if !isBool || b.Must != nil || b.MustNot != nil {
		return nil, nil, false
	}
	d, isOr := b.Should.(*query.DisjunctionQuery)
	if !isOr || len(d.Disjuncts) != 1 {
		return nil, nil, false
	}
	switch c := d.Disjuncts[0].(type) {
	case *query.MatchPhraseQuery:
		return c, nil, c.Field() == "body"
	case *query.DisjunctionQuery:
		if len(c.Disjuncts) != 2 {
			return nil, nil, false
		}
		t, inTitle := c.Disjuncts[0].(*query.MatchPhraseQuery)
		b, inBody := c.Disjuncts[1].(*query.MatchPhraseQuery)
		return b, t, inTitle && inBody && t.Field() == "title" && b.Field() == "body"
	}
	return nil, nil, false
}

// searchPhrase searches for the phrase of body (and title, when not nil)
// in two steps, and returns a page of hits, without fragments, and the
// texts of the posts it read, by slug. ok is false where bleve's phrase
// search must answer instead: a phrase of one word, a deep page, a phrase
// rare among the posts with its words, an index that does not know where
// the posts' files are (one made by Rebuild and not yet synced).
func (x *Index) searchPhrase(ctx context.Context, body, title *query.MatchPhraseQuery, page, per int) (out *Results, texts map[string]string, ok bool, err error) {
	analyzer := x.idx.Mapping().AnalyzerNamed(analyzerName)
	phrase := analyzer.Analyze([]byte(body.MatchPhrase))
	need := page*per + 1
	if len(phrase) < 2 || need > maxPhraseDepth || !x.hasTexts() {
		return nil, nil, false, nil
	}
	words := make([]query.Query, len(phrase))
	for i, t := range phrase {
		tq := query.NewTermQuery(string(t.Term))
		tq.SetField("body")
		words[i] = tq
	}
	all := query.NewConjunctionQuery(words)
	all.SetBoost(body.Boost())
	var candidates query.Query = all
	if title != nil {
		candidates = query.NewDisjunctionQuery([]query.Query{title, all})
	}
	var found []Hit
	texts = map[string]string{}
	read, total := 0, 0
	for from := 0; ; from += phraseWindow {
		req := bleve.NewSearchRequestOptions(candidates, phraseWindow, from, false)
		req.Fields = []string{"title", "date"}
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, nil, false, err
		}
		total = int(res.Total)
		for _, h := range x.hits(res.Hits) {
			if read == maxPhraseReads {
				return nil, nil, false, nil
			}
			read++
			text := x.text(h.Slug)
			if hasPhrase(analyzer.Analyze([]byte(h.Title)), phrase) || hasPhrase(analyzer.Analyze([]byte(text)), phrase) {
				texts[h.Slug] = text
				if found = append(found, h); len(found) == need {
					break
				}
			}
		}
		if len(found) == need || from+phraseWindow >= total {
			break
		}
	}
	out = &Results{Total: len(found), Page: page, PerPage: per}
	if len(found) == need && read < total {
		// Of the posts with the phrase's words, read were read and
		// len(found) had the phrase: as many in the rest, in proportion.
		out.Total = max(need, total*len(found)/read)
		out.Approximate = true
	}
	out.Hits = found[min((page-1)*per, len(found)):min(page*per, len(found))]
	return out, texts, true, nil
}

// hasPhrase reports whether text (a token stream) holds phrase's terms in
// its order and at its distances (a stop word in a phrase, dropped by the
// analyzer, leaves a gap that any word fills, as in bleve's phrase search).
func hasPhrase(text, phrase analysis.TokenStream) bool {
	for i, t := range text {
		if string(t.Term) != string(phrase[0].Term) {
			continue
		}
		j, match := i, true
		for _, p := range phrase[1:] {
			want := t.Position + p.Position - phrase[0].Position
			for j < len(text) && text[j].Position < want {
				j++
			}
			if j == len(text) || text[j].Position != want || string(text[j].Term) != string(p.Term) {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
