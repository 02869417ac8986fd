package terms

import (
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// PairsName is the type of the analyzer of the body's pairs of common
// words, as registered with bleve: of each two terms of the language's
// analyzer (NameFor) next to each other (stop words between them count as gaps any word fills),
// where both are common in the archive, a term of the two and how many
// words apart they are ("standard 1 library"; "state 3 art" for "state of
// the art"). Its configuration "common" lists the common terms, chosen
// when the index is built and kept in its mapping, and "language" the
// language of the words (as Language returns it).
//
// A phrase of two common words is then one term, found exactly and at
// once, where a phrase search over the words' positions read those of
// most posts (63 / 197 ms p50 / p99 at 100,000 posts, docs/benchmarks.md);
// a longer phrase, or one with a word that is not common, finds few posts
// by its pairs and rare words, whose texts are then read. Pairs of every
// two words made phrases as quick but the reindex five times slower: the
// index's dictionaries held every distinct pair.
const PairsName = "mailbag_pairs"

func init() {
	registry.RegisterAnalyzer(PairsName, func(config map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		lang, ok := config["language"].(string)
		if !ok {
			lang = "en" // an index made before languages
		}
		a, err := cache.AnalyzerNamed(NameFor(lang))
		if err != nil {
			return nil, err
		}
		words, ok := a.(Analyzer)
		if !ok {
			return nil, fmt.Errorf("search: the analyzer of %q is not mailbag's", lang)
		}
		common := map[string]bool{}
		list, _ := config["common"].([]any)
		for _, t := range list {
			if s, ok := t.(string); ok {
				common[s] = true
			}
		}
		return Pairs{words: words.Plain(), common: common}, nil
	})
}

// Pairs is an analyzer of type PairsName.
type Pairs struct {
	words  Analyzer
	common map[string]bool
}

// Common reports whether term is one of the common terms that pairs are
// made of.
func (p Pairs) Common(term string) bool { return p.common[term] }

// PairTerm returns the term of the pair of a and b, gap words apart.
func PairTerm(a, b []byte, gap int) string {
	return string(a) + " " + strconv.Itoa(gap) + " " + string(b)
}

// Analyze returns the pairs of common words of text, each spanning its
// two words' bytes.
func (p Pairs) Analyze(text []byte) analysis.TokenStream {
	words := p.words.Analyze(text)
	var out analysis.TokenStream
	var buf []byte
	for i := 1; i < len(words); i++ {
		a, b := words[i-1], words[i]
		if !p.common[string(a.Term)] || !p.common[string(b.Term)] {
			continue
		}
		from := len(buf)
		buf = append(buf, a.Term...)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(b.Position-a.Position), 10)
		buf = append(buf, ' ')
		buf = append(buf, b.Term...)
		out = append(out, &analysis.Token{Term: buf[from:len(buf):len(buf)], Start: a.Start, End: b.End, Position: len(out) + 1, Type: analysis.AlphaNumeric})
	}
	return out
}
