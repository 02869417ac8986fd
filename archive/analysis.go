package archive

import (
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
)

// analyzerName is the analyzer of the title and the body: Unicode words,
// possessives dropped ("manager's"), lower case, English stop words
// dropped, and plurals made singular ("managers" is "manager"), nothing
// more. Porter's stemmer made "production" and "productivity" into
// "product", "management" into "manager"'s stem and "general" into
// "generics"', so a search for "product manager" found posts about
// management and production; the minimal stemmer keeps words apart that
// readers keep apart, and keeps the index's words readable, so that fuzzy
// and wildcard terms and "did you mean" work on them.
const analyzerName = "mailbag_en"

// pluralName is the token filter that makes English plurals singular.
const pluralName = "mailbag_plural"

// queryDateParser reads the dates of date: ranges in queries: the formats
// posts' dates are written in (ParseDate). A date without a zone comes
// back in the placeholder zone floating, and Search reads its wall time in
// the newsletter's zone; one with a zone is kept as it is.
const queryDateParser = "mailbag_date"

// floating marks a query date written without a zone.
var floating = time.FixedZone("mailbag-floating", 0)

type dateParser struct{}

func (dateParser) ParseDateTime(s string) (time.Time, string, error) {
	t, err := ParseDate(s, floating)
	return t, "", err
}

func init() {
	registry.RegisterDateTimeParser(queryDateParser, func(map[string]any, *registry.Cache) (analysis.DateTimeParser, error) {
		return dateParser{}, nil
	})
	query.QueryDateTimeParser = queryDateParser
	registry.RegisterTokenFilter(pluralName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return pluralFilter{}, nil
	})
	registry.RegisterAnalyzer(analyzerName, func(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		tokenizer, err := cache.TokenizerNamed(unicode.Name)
		if err != nil {
			return nil, err
		}
		var filters []analysis.TokenFilter
		for _, name := range []string{en.PossessiveName, lowercase.Name, en.StopName, pluralName} {
			f, err := cache.TokenFilterNamed(name)
			if err != nil {
				return nil, err
			}
			filters = append(filters, f)
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tokenizer, TokenFilters: filters}, nil
	})
}

// pluralFilter makes English plurals singular, much as Lucene's minimal
// English stemmer does (after Harman, 1991): "-ies" is "-y" (not after a
// or e), "-aes" and "-ies" after a or e stay, any other "-s" goes (not
// after u or s: "status", "class"); words of three letters or fewer stay.
// Unlike Lucene's, "-oes" and "-ees" lose their s: "toes" is "toe",
// "trees" "tree".
type pluralFilter struct{}

func (pluralFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = singular(t.Term)
	}
	return in
}

// singular is the singular of an English plural (lower case); other words
// come back as they are.
func singular(w []byte) []byte {
	n := len(w)
	if n < 4 || w[n-1] != 's' {
		return w
	}
	switch w[n-2] {
	case 'u', 's':
		return w
	case 'e':
		if n > 4 && w[n-3] == 'i' && w[n-4] != 'a' && w[n-4] != 'e' {
			return append(w[:n-3], 'y')
		}
		if c := w[n-3]; c == 'i' || c == 'a' {
			return w
		}
	}
	return w[:n-1]
}
