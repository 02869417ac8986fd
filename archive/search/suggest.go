package search

import (
	"strings"
	"unicode"
)

// suggest returns "did you mean" for a query that found nothing: the query with
// each plain word that is in no post replaced by the index's word nearest
// to it (one or two letters off, the most common first); "" when there is
// nothing better to offer. Words with field names, operators, quotes or
// patterns are kept as they are.
func (x *Index) suggest(text string) string {
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

// nearest returns the body's most common term within fuzziness of term; "" for
// none.
func nearest(v view, term string, fuzziness int) string {
	found, err := v.near("body", term, fuzziness)
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
