package search

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"mailbag/archive/search/terms"
)

// Wildcards, regular expressions and fuzzy terms are not left to bleve,
// which runs each as an automaton over the whole term dictionary and
// searches every term it finds: "*" or /.*/ meant every word of the
// archive, seconds of work and hundreds of megabytes. Search expands them
// itself, against the dictionary, into the terms they match:
//
//   - a wildcard or regular expression needs a literal prefix of at least
//     minPatternPrefix letters or digits ("manag*", /colou?r/), and only
//     the dictionary's terms with that prefix are tried;
//   - it is read like the index's words: in any case ("Manag*" finds
//     "management");
//   - a fuzzy term is analysed like the index's words ("Mangaers~1" is
//     "mangaer~1") before its near terms are looked up;
//   - each expands to the maxExpansions most frequent terms it matches.

const (
	// minPatternPrefix is the least number of letters or digits a
	// wildcard or regular expression must start with.
	minPatternPrefix = 2
	// maxExpansions is how many terms a wildcard, regular expression or
	// fuzzy term stands for at most: the most frequent.
	maxExpansions = 50
)

// wildcardPrefix returns the literal start of a wildcard (before * or ?), lower
// case; ok is false when it is shorter than minPatternPrefix letters or
// digits.
func wildcardPrefix(w string) (prefix string, ok bool) {
	end := strings.IndexAny(w, "*?")
	if end < 0 {
		end = len(w)
	}
	return literalPrefix(w[:end])
}

// literalPrefix lower-cases a literal start, and says whether it is long
// enough: minPatternPrefix letters or digits at least, from the start.
func literalPrefix(s string) (string, bool) {
	n := 0
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		n++
	}
	return strings.ToLower(s), n >= minPatternPrefix
}

// hasLiteralPrefix reports whether a pattern's literal start is long
// enough.
func hasLiteralPrefix(lit string) bool {
	_, ok := literalPrefix(lit)
	return ok
}

// wildcardRegexp returns a wildcard as an anchored, case-blind regular
// expression.
func wildcardRegexp(w string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^(?i:")
	for _, r := range w {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(")$")
	return regexp.Compile(b.String())
}

// errNoPrefix is the friendly refusal of a pattern without a literal start.
var errNoPrefix = fmt.Errorf("a wildcard or regular expression must start with at least %d letters or digits (manag*, /colou?r/)", minPatternPrefix)

// expand rewrites the wildcard, regular expression and fuzzy terms of a
// parsed query (see parseQuery) into disjunctions of the index's terms
// they match. The error wraps ErrBadQuery for a pattern Search refuses.
func (x *Index) expand(q query.Query) (query.Query, error) {
	switch q := q.(type) {
	case *query.BooleanQuery:
		for _, part := range []*query.Query{&q.Must, &q.Should, &q.MustNot} {
			if *part == nil {
				continue
			}
			n, err := x.expand(*part)
			if err != nil {
				return nil, err
			}
			*part = n
		}
		return q, nil
	case *query.ConjunctionQuery:
		return q, x.expandAll(q.Conjuncts)
	case *query.DisjunctionQuery:
		return q, x.expandAll(q.Disjuncts)
	case *query.WildcardQuery:
		prefix, ok := wildcardPrefix(q.Wildcard)
		if !ok {
			return nil, fmt.Errorf("%w: %v, not %q", ErrBadQuery, errNoPrefix, q.Wildcard)
		}
		re, err := wildcardRegexp(q.Wildcard)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrBadQuery, q.Wildcard, err)
		}
		return x.termsLike(q.Field(), prefixOf(prefix), re, q.Boost())
	case *query.RegexpQuery:
		re, err := regexp.Compile("^(?i:" + q.Regexp + ")$")
		if err != nil {
			return nil, fmt.Errorf("%w: bad regular expression /%s/: %v", ErrBadQuery, q.Regexp, err)
		}
		plain, err := regexp.Compile(q.Regexp)
		if err != nil {
			return nil, fmt.Errorf("%w: bad regular expression /%s/: %v", ErrBadQuery, q.Regexp, err)
		}
		lit, _ := plain.LiteralPrefix()
		prefix, ok := literalPrefix(lit)
		if !ok {
			return nil, fmt.Errorf("%w: %v, not /%s/", ErrBadQuery, errNoPrefix, q.Regexp)
		}
		return x.termsLike(q.Field(), prefix, re, q.Boost())
	case *query.MatchQuery:
		if q.Fuzziness > 0 {
			return x.nearTerms(q)
		}
		return x.plainFirst(q)
	case *query.DateRangeQuery:
		q.Start.Time, q.End.Time = x.inZone(q.Start.Time), x.inZone(q.End.Time)
	}
	return q, nil
}

// inZone reads a query's date written without a zone in the newsletter's
// zone, as the posts' dates are: date:>"2020-01-01" is from midnight there.
func (x *Index) inZone(t time.Time) time.Time {
	if t.IsZero() || t.Location() != floating {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), x.loc)
}

func (x *Index) expandAll(qs []query.Query) error {
	for i, c := range qs {
		n, err := x.expand(c)
		if err != nil {
			return err
		}
		qs[i] = n
	}
	return nil
}

// prefixOf returns the part of a lower-cased literal start that the dictionary
// can be scanned by: its letters and digits.
func prefixOf(s string) string {
	for i, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return s[:i]
		}
	}
	return s
}

// plainFirst returns q, a word written without accents, so that the
// posts that write it so rank first: those with its term and none of its
// exact forms (terms.ExactForms) match twice. Where the word is written
// with accents, the exact form it asks for does that already
// (terms.withExact); where no post writes it with accents, q is as it is.
func (x *Index) plainFirst(q *query.MatchQuery) (query.Query, error) {
	if q.Field() != "body" && q.Field() != "title" {
		return q, nil
	}
	words := x.analyzer().Analyze([]byte(q.Match))
	if len(words) != 1 || terms.Accented([]byte(q.Match)) {
		return q, nil
	}
	term := string(words[0].Term)
	v, err := x.view()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	forms, err := v.terms(q.Field(), func(r index.IndexReader) (index.FieldDict, error) {
		return r.FieldDictPrefix(q.Field(), []byte(terms.ExactForms(term)))
	}, func(string) bool { return true })
	if err != nil || len(forms) == 0 {
		return q, err
	}
	plain := query.NewTermQuery(term)
	plain.SetField(q.Field())
	plain.SetBoost(q.Boost())
	only := query.NewBooleanQuery([]query.Query{plain}, nil, []query.Query{termsQuery(q.Field(), forms, 1)})
	return query.NewDisjunctionQuery([]query.Query{q, only}), nil
}

// dictEntry is a term of the dictionary and how many posts have it.
type dictEntry struct {
	term  string
	count uint64
}

// termsLike returns the query for the terms of field, starting with prefix,
// that re matches: the maxExpansions most frequent, each a term query with
// boost.
func (x *Index) termsLike(field, prefix string, re *regexp.Regexp, boost float64) (query.Query, error) {
	v, err := x.view()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	found, err := v.terms(field, func(r index.IndexReader) (index.FieldDict, error) {
		return r.FieldDictPrefix(field, []byte(prefix))
	}, re.MatchString)
	if err != nil {
		return nil, err
	}
	return termsQuery(field, found, boost), nil
}

// nearTerms returns the query for the terms of q's field within q's fuzziness
// of its words, analysed like the index's.
func (x *Index) nearTerms(q *query.MatchQuery) (query.Query, error) {
	analyzer := x.analyzer()
	v, err := x.view()
	if err != nil {
		return nil, err
	}
	defer v.Close()
	var parts []query.Query
	for _, tok := range analyzer.Analyze([]byte(q.Match)) {
		found, err := v.near(q.Field(), string(tok.Term), q.Fuzziness)
		if err != nil {
			return nil, err
		}
		parts = append(parts, termsQuery(q.Field(), found, q.Boost()))
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return query.NewConjunctionQuery(parts), nil
}

// termsQuery returns a disjunction of term queries on field for the most
// frequent of found; a query matching nothing when found is empty.
func termsQuery(field string, found []dictEntry, boost float64) query.Query {
	if len(found) == 0 {
		return query.NewMatchNoneQuery()
	}
	slices.SortFunc(found, func(a, b dictEntry) int {
		if a.count != b.count {
			return cmp.Compare(b.count, a.count)
		}
		return strings.Compare(a.term, b.term)
	})
	found = found[:min(len(found), maxExpansions)]
	terms := make([]query.Query, len(found))
	for i, e := range found {
		t := query.NewTermQuery(e.term)
		t.SetField(field)
		t.SetBoost(boost)
		terms[i] = t
	}
	return query.NewDisjunctionQuery(terms)
}
