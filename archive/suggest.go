package archive

import (
	"strings"
	"unicode"

	index "github.com/blevesearch/bleve_index_api"
)

// suggest is "did you mean" for a query that found nothing: the query with
// each plain word that is in no post replaced by the index's word nearest
// to it (one or two letters off, the most common first); "" when there is
// nothing better to offer. Words with field names, operators, quotes or
// patterns are kept as they are.
func (x *Index) suggest(text string) string {
	analyzer := x.idx.Mapping().AnalyzerNamed(analyzerName)
	r, err := x.reader()
	if err != nil {
		return ""
	}
	defer r.Close()
	fuzzy, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return ""
	}
	if n, err := r.DocCount(); err != nil || n == 0 {
		return ""
	}
	words := strings.Fields(text)
	changed := false
	for i, w := range words {
		if !plainWord(w) {
			continue
		}
		tokens := analyzer.Analyze([]byte(w))
		if len(tokens) != 1 {
			continue // a stop word, or more than one word
		}
		term := string(tokens[0].Term)
		if hasTerm(r, term) {
			continue
		}
		for fuzziness := 1; fuzziness <= 2; fuzziness++ {
			if best := nearest(r, fuzzy, term, fuzziness); best != "" {
				words[i], changed = best, true
				break
			}
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(words, " ")
}

// plainWord reports whether w is a plain word of a query: letters and
// digits only.
func plainWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// hasTerm reports whether some post has term in its title or body.
func hasTerm(r index.IndexReader, term string) bool {
	return docCount(r, "title", term) > 0 || docCount(r, "body", term) > 0
}

// nearest is the body's most common term within fuzziness of term; "" for
// none.
func nearest(r index.IndexReader, fuzzy index.IndexReaderFuzzy, term string, fuzziness int) string {
	dict, err := fuzzy.FieldDictFuzzy("body", term, fuzziness, "")
	if err != nil {
		return ""
	}
	found, err := collect(r, "body", dict, func(string) bool { return true })
	if err != nil {
		return ""
	}
	best, most := "", uint64(0)
	for _, e := range found {
		if e.count > most || e.count == most && e.term < best {
			best, most = e.term, e.count
		}
	}
	return best
}
