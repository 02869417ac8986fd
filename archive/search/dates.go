package search

import (
	"mailbag/archive"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
)

// queryDateParser reads the dates of date: ranges in queries: the formats
// posts' dates are written in (ParseDate). A date without a zone comes
// back in the placeholder zone floating, and Search reads its wall time in
// the newsletter's zone; one with a zone is kept as it is.
const queryDateParser = "mailbag_date"

// floating marks a query date written without a zone.
var floating = time.FixedZone("mailbag-floating", 0)

// dateParser is queryDateParser's parser.
type dateParser struct{}

// ParseDateTime reads s as ParseDate does, in the zone floating when it
// has none.
func (dateParser) ParseDateTime(s string) (time.Time, string, error) {
	t, err := archive.ParseDate(s, floating)
	return t, "", err
}

func init() {
	registry.RegisterDateTimeParser(queryDateParser, func(map[string]any, *registry.Cache) (analysis.DateTimeParser, error) {
		return dateParser{}, nil
	})
	query.QueryDateTimeParser = queryDateParser
}
