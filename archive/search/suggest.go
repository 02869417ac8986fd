package search

import (
	"context"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"mailbag/archive/search/terms"
)

// suggest returns "did you mean" for a query that found nothing: the query with
// each plain word that is in no post replaced by the index's word nearest
// to it (one or two letters off, the most common first); "" when there is
// nothing better to offer. Words with field names, operators, quotes or
// patterns are kept as they are.
func (x *Index) suggest(ctx context.Context, text string) string {
	analyzer := x.analyzer()
	v, err := x.view()
	if err != nil {
		return ""
	}
	defer v.Close()
	if n, err := v.docs(); err != nil || n == 0 {
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
		if v.docCount("title", term) > 0 || v.docCount("body", term) > 0 {
			continue
		}
		for fuzziness := 1; fuzziness <= 2; fuzziness++ {
			if best := nearest(v, term, fuzziness); best != "" {
				words[i], changed = x.written(ctx, best, w), true
				break
			}
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(words, " ")
}

// written returns term as the best post with it writes it, lower-cased:
// of its forms there, the one nearest to what the reader typed (the
// term's own on a tie); the term itself where none is found. The index's
// terms are folded ("ecole" for "école") and, in most languages, stemmed
// ("ecol"): no word to offer a reader.
func (x *Index) written(ctx context.Context, term, typed string) string {
	q := query.NewTermQuery(term)
	q.SetField("body")
	req := bleve.NewSearchRequestOptions(q, 1, 0, false)
	req.Fields = hitFields
	_, hits, err := x.search(ctx, req)
	if err != nil || len(hits) == 0 {
		return term
	}
	best, bestDistance := term, -1
	typed = strings.ToLower(typed)
	for _, w := range x.analyzer().Words(x.text(x.hits(hits)[0]), map[string]bool{term: true}) {
		w = strings.ToLower(w)
		if d := distance(w, typed); bestDistance < 0 || d < bestDistance || d == bestDistance && w == term {
			best, bestDistance = w, d
		}
	}
	return best
}

// distance returns how many letters must be added, removed or changed to
// make a into b (Levenshtein's distance, over runes).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	row := make([]int, len(rb)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		prev := row[0]
		row[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			prev, row[j] = row[j], min(row[j]+1, row[j-1]+1, prev+cost)
		}
	}
	return row[len(rb)]
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

// nearest returns the body's most common term within fuzziness of term; "" for
// none.
func nearest(v view, term string, fuzziness int) string {
	found, err := v.near("body", term, fuzziness)
	if err != nil {
		return ""
	}
	best, most := "", uint64(0)
	for _, e := range found {
		if terms.Exact(e.term) {
			continue // an accented word's exact form: its term is there too
		}
		if e.count > most || e.count == most && e.term < best {
			best, most = e.term, e.count
		}
	}
	return best
}
