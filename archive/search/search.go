package search

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"mailbag/archive"
	"mailbag/archive/search/related"
	"mailbag/internal/parallel"
)

// titleBoost is how much more a match in the title counts than one in the
// body.
const titleBoost = 3

// defaultPerPage is the number of hits on a page of results.
const defaultPerPage = 10

// maxPerPage bounds PerPage, so that one request cannot ask for everything.
const maxPerPage = 100

// Query is one search of the archive.
type Query struct {
	// Text is the query: words, "a phrase", +must, -mustnot, word~1
	// (fuzzy), pre* (wildcard), and title:, body:, tag: or date: before a
	// term to search one field (date:>"2020-01-01" for a range). Words
	// without a field search the title and the body, the title counting
	// more.
	Text string
	// Page is the page of results, from 1; 0 means 1.
	Page int
	// PerPage is the number of hits a page; 0 means 10, and
	// more than 100 means 100.
	PerPage int
}

// Results is one page of the hits of a search, best first.
type Results struct {
	// Total is the number of hits on all pages.
	Total int
	// Page and PerPage are those of the query, defaults applied.
	Page, PerPage int
	// Hits are this page's hits.
	Hits []Hit
	// Took is how long the search took.
	Took time.Duration
	// Suggestion is, when nothing was found, the query with its
	// misspelt words put right from the index's words ("did you mean");
	// "" when there is none.
	Suggestion string
	// TooCommon says, when nothing was found, that every word searched
	// for is one the index keeps no term for: a word too common to mean
	// anything alone ("the", or the phrase "to be"), which no search finds.
	TooCommon bool
}

// Pages returns the number of pages of results.
func (r *Results) Pages() int {
	return (r.Total + r.PerPage - 1) / r.PerPage
}

// Hit is one post found.
type Hit struct {
	Slug  string
	Title string
	Date  time.Time
	Score float64
	// Fragments are short passages of the body around the matches (or the
	// title, where only it matched), as HTML: the text escaped, matches in
	// <mark> elements.
	Fragments []string

	file            string // the post's file name in the posts folder
	textAt, textLen int64  // where the index's texts file has its text (texts.go)
	codesLen        int64  // how long its codes are, after the text (terms.Codes)
}

// hitFields are the stored fields a search reads of its hits; a phrase's
// search reads their codes' length too (phraseHitFields).
var (
	hitFields       = []string{"title", "date", "file", "text_at", "text_len"}
	phraseHitFields = append(slices.Clip(hitFields), "codes_len")
)

// Limits on a query: each wildcard or regular expression becomes an
// automaton run over the whole term dictionary, and its cost grows quickly
// with its size, so that one long pattern could keep the site's search busy
// for seconds.
const (
	// maxQueryLen is the longest query text, in bytes.
	maxQueryLen = 256
	// maxPatternLen is the longest wildcard or regular expression, in bytes.
	maxPatternLen = 32
	// maxWildcards is how many * and ? a wildcard pattern may have.
	maxWildcards = 3
	// maxPatterns is how many wildcard, regular expression and fuzzy
	// terms a query may have.
	maxPatterns = 4
)

// fieldNames maps the field names a query may use to those in the index.
var fieldNames = map[string]string{
	"title": "title",
	"body":  "body",
	"tag":   "tags",
	"tags":  "tags",
	"date":  "date",
}

// parseQuery parses the text of a query (see Query.Text) into a bleve
// query over the title and body. The error wraps ErrBadQuery and says what
// is wrong in words meant for the person who typed the query.
func parseQuery(text string) (query.Query, error) {
	switch {
	case strings.TrimSpace(text) == "":
		return nil, fmt.Errorf("%w: the query is empty", ErrBadQuery)
	case len(text) > maxQueryLen:
		return nil, fmt.Errorf("%w: the query is longer than %d bytes", ErrBadQuery, maxQueryLen)
	case !utf8.ValidString(text):
		return nil, fmt.Errorf("%w: the query is not valid UTF-8 text", ErrBadQuery)
	}
	q, err := bleve.NewQueryStringQuery(text).Parse()
	if err != nil {
		return nil, fmt.Errorf("%w: cannot read %q: %s", ErrBadQuery, text, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	patterns := 0
	q, err = expandFields(q, &patterns)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadQuery, text, err)
	}
	if v, ok := q.(query.ValidatableQuery); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrBadQuery, text, err)
		}
	}
	return q, nil
}

// expandFields rewrites the parsed query tree in place: a term without a
// field becomes "in the title (boosted) or in the body", and user field
// names become index field names. Unknown fields and terms bleve would
// reject at search time are errors.
//
// patterns counts the wildcard, regular expression and fuzzy terms seen.
func expandFields(q query.Query, patterns *int) (query.Query, error) {
	switch q := q.(type) {
	case *query.BooleanQuery:
		for _, part := range []*query.Query{&q.Must, &q.Should, &q.MustNot} {
			if *part == nil {
				continue
			}
			n, err := expandFields(*part, patterns)
			if err != nil {
				return nil, err
			}
			*part = n
		}
		return q, nil
	case *query.ConjunctionQuery:
		return q, expandAll(q.Conjuncts, patterns)
	case *query.DisjunctionQuery:
		return q, expandAll(q.Disjuncts, patterns)
	case query.FieldableQuery:
		if err := checkTerm(q, patterns); err != nil {
			return nil, err
		}
		if q.Field() == "" {
			return titleOrBody(q)
		}
		name, ok := fieldNames[q.Field()]
		if !ok {
			return nil, fmt.Errorf("unknown field %q (use title:, body:, tag: or date:)", q.Field())
		}
		q.SetField(name)
		return q, nil
	}
	return q, nil
}

func expandAll(qs []query.Query, patterns *int) error {
	for i, c := range qs {
		n, err := expandFields(c, patterns)
		if err != nil {
			return err
		}
		qs[i] = n
	}
	return nil
}

// checkTerm catches what bleve would only reject once searching, and what
// would cost it too much; patterns counts the costly terms.
func checkTerm(q query.FieldableQuery, patterns *int) error {
	switch q := q.(type) {
	case *query.WildcardQuery, *query.RegexpQuery:
		*patterns++
	case *query.MatchQuery:
		if q.Fuzziness > 0 {
			*patterns++
		}
	}
	if *patterns > maxPatterns {
		return fmt.Errorf("more than %d wildcard, regular expression or fuzzy terms", maxPatterns)
	}
	switch q := q.(type) {
	case *query.MatchQuery:
		if q.Fuzziness < 0 || q.Fuzziness > 2 {
			return fmt.Errorf("fuzziness must be 1 or 2 (word~1, word~2)")
		}
	case *query.WildcardQuery:
		if len(q.Wildcard) > maxPatternLen || strings.Count(q.Wildcard, "*")+strings.Count(q.Wildcard, "?") > maxWildcards {
			return fmt.Errorf("wildcard %q is too broad (at most %d * or ? and %d characters)", q.Wildcard, maxWildcards, maxPatternLen)
		}
		if _, ok := wildcardPrefix(q.Wildcard); !ok {
			return fmt.Errorf("%v, not %q", errNoPrefix, q.Wildcard)
		}
	case *query.RegexpQuery:
		if len(q.Regexp) > maxPatternLen {
			return fmt.Errorf("regular expression /%s/ is longer than %d characters", q.Regexp, maxPatternLen)
		}
		re, err := regexp.Compile(q.Regexp)
		if err != nil {
			return fmt.Errorf("bad regular expression /%s/: %v", q.Regexp, err)
		}
		if lit, _ := re.LiteralPrefix(); !hasLiteralPrefix(lit) {
			return fmt.Errorf("%v, not /%s/", errNoPrefix, q.Regexp)
		}
	}
	return nil
}

// titleOrBody makes "q in the title, boosted, or q in the body" of a query
// without a field.
func titleOrBody(q query.FieldableQuery) (query.Query, error) {
	boost := 1.0
	if b, ok := q.(query.BoostableQuery); ok {
		boost = b.Boost()
	}
	inTitle, err := copyQuery(q)
	if err != nil {
		return nil, err
	}
	inTitle.SetField("title")
	if b, ok := inTitle.(query.BoostableQuery); ok {
		b.SetBoost(boost * titleBoost)
	}
	q.SetField("body")
	return query.NewDisjunctionQuery([]query.Query{inTitle, q}), nil
}

// copyQuery copies the leaf queries the query string syntax makes.
func copyQuery(q query.FieldableQuery) (query.FieldableQuery, error) {
	switch q := q.(type) {
	case *query.MatchQuery:
		return clone(q), nil
	case *query.MatchPhraseQuery:
		return clone(q), nil
	case *query.WildcardQuery:
		return clone(q), nil
	case *query.RegexpQuery:
		return clone(q), nil
	case *query.NumericRangeQuery:
		return clone(q), nil
	case *query.DateRangeStringQuery:
		return clone(q), nil
	}
	return nil, fmt.Errorf("cannot search title and body with %T", q)
}

// clone returns a shallow copy: enough for the leaf queries, whose boost and
// field setters replace rather than modify what they point to.
func clone[T any](q *T) *T {
	c := *q
	return &c
}

// hits reads the stored fields of bleve's hits.
func (x *Index) hits(matches bsearch.DocumentMatchCollection) []Hit {
	out := make([]Hit, 0, len(matches))
	for _, h := range matches {
		hit := Hit{Slug: h.ID, Score: h.Score}
		hit.Title, _ = h.Fields["title"].(string)
		hit.file, _ = h.Fields["file"].(string)
		if at, ok := h.Fields["text_at"].(float64); ok {
			n, _ := h.Fields["text_len"].(float64)
			codes, _ := h.Fields["codes_len"].(float64)
			hit.textAt, hit.textLen, hit.codesLen = int64(at), int64(n), int64(codes)
		}
		if s, ok := h.Fields["date"].(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				hit.Date = t.In(x.loc)
			}
		}
		out = append(out, hit)
	}
	return out
}

// URLPath returns the path of the hit's page on the site, as Post.URLPath.
func (h Hit) URLPath() string {
	return (&archive.Post{Date: h.Date, Slug: h.Slug}).URLPath()
}

// Related returns up to n posts most like text (a reader's question), best
// first: any of its words, in titles (counting more) and bodies, English
// word forms matched, less the words too common to relate anything. Query
// syntax in text has no meaning here. Hits have no fragments.
func (x *Index) Related(ctx context.Context, text string, n int) ([]Hit, error) {
	x.swap.RLock()
	defer x.swap.RUnlock()
	words := strings.Fields(text)
	if len(words) == 0 || n <= 0 {
		return nil, nil
	}
	tokens := x.analyzer().Analyze([]byte(strings.Join(words[:min(len(words), related.MaxWords)], " ")))
	v, err := x.view()
	if err != nil {
		return nil, fmt.Errorf("archive: related posts: %w", err)
	}
	defer v.Close()
	total, err := v.docs()
	if err != nil {
		return nil, fmt.Errorf("archive: related posts: %w", err)
	}
	// What bleve's match query of the text in each field is, each word
	// a term query, less the words too common to relate anything.
	var qs []query.Query
	for _, f := range []string{"title", "body"} {
		boost := 1.0
		if f == "title" {
			boost = titleBoost
		}
		var tqs []query.Query
		df := map[string]uint64{}
		for _, t := range tokens {
			term := string(t.Term)
			if _, ok := df[term]; !ok {
				df[term] = v.docCount(f, term)
			}
			if df[term] > related.CommonIn(total) {
				continue
			}
			tq := query.NewTermQuery(term)
			tq.SetField(f)
			tq.SetBoost(boost)
			tqs = append(tqs, tq)
		}
		if len(tqs) > 0 {
			d := query.NewDisjunctionQuery(tqs)
			d.SetMin(1)
			d.SetBoost(boost)
			qs = append(qs, d)
		}
	}
	if len(qs) == 0 {
		return nil, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(qs), n, 0, false)
	req.Fields = hitFields
	_, hits, err := x.search(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("archive: related posts: %w", err)
	}
	return x.hits(hits), nil
}

// maxResults is how deep into the hits pages go: the page that starts
// beyond it is refused. Collecting hits costs in proportion to how deep
// the page is; nobody reads the hundredth page.
const maxResults = 1000

// MaxPages returns how many pages of perPage results Search gives at most.
func MaxPages(perPage int) int { return maxResults / perPage }

// searchDeadline bounds the time one search may take, whatever its query.
const searchDeadline = 2 * time.Second

// Search runs q and returns one page of hits with highlighted fragments.
// The error wraps ErrBadQuery when the query text cannot be understood or
// asks for too much (a page beyond maxResults, a pattern without a literal
// start), and context.DeadlineExceeded when it takes longer than
// searchDeadline.
func (x *Index) Search(ctx context.Context, q Query) (*Results, error) {
	parsed, err := parseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	page := max(q.Page, 1)
	per := q.PerPage
	if per <= 0 {
		per = defaultPerPage
	}
	per = min(per, maxPerPage)
	if page > MaxPages(per) {
		return nil, fmt.Errorf("%w: only the first %d pages of results are shown; add words to narrow the search", ErrBadQuery, MaxPages(per))
	}
	ctx, cancel := context.WithTimeout(ctx, searchDeadline)
	defer cancel()
	x.swap.RLock()
	defer x.swap.RUnlock()
	start := time.Now()
	out, texts, used, err := x.find(ctx, q.Text, parsed, page, per)
	if err != nil {
		return nil, err
	}
	if out.Total == 0 {
		out.Suggestion = x.suggest(ctx, q.Text)
		out.TooCommon = tooCommon(parsed, x.analyzer())
	}
	text := func(h Hit) string {
		if t, ok := texts[h.Slug]; ok {
			return t
		}
		return x.text(h)
	}
	words := queryTerms(parsed, x.analyzer()) // the phrases' words, which used has as pairs
	maps.Copy(words, queryTerms(used, x.analyzer()))
	// Each hit's file is read and its fragment made on every core: a third
	// of a search's time.
	an := x.analyzer()
	parallel.For(len(out.Hits), func(i int) {
		// The passage of the body that matches best; where only the
		// title matches, the title; else the start of the body.
		body, matched := an.Fragment(text(out.Hits[i]), words)
		if title, inTitle := an.Fragment(out.Hits[i].Title, words); !matched && inTitle {
			body = title
		}
		if body != "" {
			out.Hits[i].Fragments = []string{body}
		}
	})
	out.Took = time.Since(start)
	return out, nil
}

// find runs the parsed query and returns one page of its hits, without
// fragments; the texts of the posts it read to find them, by slug; and the
// query it ran, its patterns expanded and its phrases relaxed (phrase.go).
func (x *Index) find(ctx context.Context, text string, parsed query.Query, page, per int) (*Results, map[string]string, query.Query, error) {
	relaxed, phrases := relax(parsed, x.analyzer(), x.pairs(), false)
	expanded, err := x.expand(relaxed)
	if err != nil {
		return nil, nil, nil, err
	}
	if phrases {
		out, texts, err := x.searchPhrases(ctx, parsed, expanded, page, per)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("archive: search %q: %w", text, err)
		}
		return out, texts, expanded, nil
	}
	req := bleve.NewSearchRequestOptions(expanded, per, (page-1)*per, false)
	req.Fields = hitFields
	total, hits, err := x.search(ctx, req)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("archive: search %q: %w", text, err)
	}
	return &Results{Total: int(total), Page: page, PerPage: per, Hits: x.hits(hits)}, nil, expanded, nil
}

// queryTerms returns the index terms a query looks for (not those it must not
// have), as the analyzer makes them.
func queryTerms(q query.Query, a analysis.Analyzer) map[string]bool {
	terms := map[string]bool{}
	leaves(q, false, func(q query.Query) {
		switch q := q.(type) {
		case *query.MatchQuery:
			for _, t := range a.Analyze([]byte(q.Match)) {
				terms[string(t.Term)] = true
			}
		case *query.MatchPhraseQuery:
			for _, t := range a.Analyze([]byte(q.MatchPhrase)) {
				terms[string(t.Term)] = true
			}
		case *query.TermQuery:
			terms[q.Term] = true
		}
	})
	return terms
}

// tooCommon reports whether q searches for words, and each of them is
// one analyzer makes no term of (a stop word).
func tooCommon(q query.Query, analyzer analysis.Analyzer) bool {
	words, common := 0, 0
	leaves(q, true, func(q query.Query) {
		var text string
		switch q := q.(type) {
		case *query.MatchQuery:
			text = q.Match
		case *query.MatchPhraseQuery:
			text = q.MatchPhrase
		default:
			words++ // a pattern, a date, a tag: no stop word
			return
		}
		words++
		hasWord := strings.ContainsFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
		if hasWord && len(analyzer.Analyze([]byte(text))) == 0 {
			common++
		}
	})
	return words > 0 && common == words
}

// leaves calls fn with each query of q that is not made of others, in
// order; with those q excludes (must not) too where excluded is true.
func leaves(q query.Query, excluded bool, fn func(query.Query)) {
	switch q := q.(type) {
	case *query.BooleanQuery:
		parts := []query.Query{q.Must, q.Should}
		if excluded {
			parts = append(parts, q.MustNot)
		}
		for _, part := range parts {
			if part != nil {
				leaves(part, excluded, fn)
			}
		}
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			leaves(c, excluded, fn)
		}
	case *query.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			leaves(c, excluded, fn)
		}
	default:
		fn(q)
	}
}
