// Package terms is how text becomes the index's terms, and back: the
// analyzer of titles and bodies in the newsletter's language (English:
// words, lower case, possessives and stop words dropped, plurals made
// singular; another: bleve's rules for it, languages.go; in every one,
// Unicode's composition and Latin accents folded), the pairs of common
// words, a phrase found in a text without indexing it, and the fragment
// of a text that shows a query's terms.
package terms

import (
	"bytes"
	"mailbag/internal/scratch"
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

// Name is the analyzer of the title and the body, as registered with
// bleve: words as
// eachWord finds them, lower case, possessives dropped ("manager's"),
// English stop words dropped, and plurals made singular ("managers" is
// "manager"), nothing more. Porter's stemmer made "production" and
// "productivity" into "product", "management" into "manager"'s stem and
// "general" into "generics"', so a search for "product manager" found posts
// about management and production; the minimal stemmer keeps words apart
// that readers keep apart, and keeps the index's words readable, so that
// fuzzy and wildcard terms and "did you mean" work on them.
const Name = "mailbag_en"

func init() {
	registry.RegisterAnalyzer(Name, func(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		stop, err := cache.TokenMapNamed(en.StopName)
		if err != nil {
			return nil, err
		}
		return Analyzer{stop: stop, exact: true}, nil
	})
}

// New returns the analyzer Name, made without an index.
func New() Analyzer {
	stop, err := registry.NewCache().TokenMapNamed(en.StopName)
	if err != nil {
		panic(err) // bleve's English stop words, built in
	}
	return Analyzer{stop: stop}
}

// Analyzer is the analyzer Name. It does in one pass over the text
// what a tokenizer and four token filters did in five, with one copy of
// the text for all its terms: bleve's Unicode word segmentation alone took
// a fifth of a reindex's time.
type Analyzer struct {
	stop  analysis.TokenMap // English's stop words
	chain *chain            // another language's rules (languages.go); nil for English
	// exact adds the exact forms of accented words (Exact): the analyzer
	// as bleve has it, for the index's titles and bodies and the words
	// of queries; mailbag's own reading of texts goes without (Plain).
	exact bool
}

// Plain returns the analyzer without the exact forms of accented words:
// one term a word, as phrases, fragments and answers read texts.
func (a Analyzer) Plain() Analyzer {
	a.exact = false
	return a
}

// Analyze returns the terms of text, each with its place among the words
// and its bytes in text; as bleve has the analyzer, with the exact forms
// of its accented words (Exact).
func (a Analyzer) Analyze(text []byte) analysis.TokenStream {
	if a.exact {
		return withExact(text, a.Plain().Analyze(text))
	}
	if a.chain != nil {
		return a.chain.analyze(text)
	}
	lowered := bytes.Clone(text)
	lowerASCII(lowered)
	tokens := make([]analysis.Token, 0, len(text)/8+1)
	position := 0
	eachWord(lowered, func(start, end int) {
		position++ // stop words keep their places: a phrase does not jump them
		term := a.term(lowered[start:end])
		if len(term) == 0 {
			return
		}
		tokens = append(tokens, analysis.Token{
			Term: term, Start: start, End: end, Position: position, Type: analysis.AlphaNumeric,
		})
	})
	out := make(analysis.TokenStream, len(tokens))
	for i := range tokens {
		out[i] = &tokens[i]
	}
	return out
}

// term returns the English term of a word (its ASCII letters in lower
// case already): lower case, composed, without a possessive, singular,
// without accents; nil for a stop word.
func (a Analyzer) term(lowered []byte) []byte {
	term := termOf(lowered)
	if len(term) == 0 || a.stop[string(term)] {
		return nil
	}
	return fold(singular(term))
}

// HasPhrase reports whether text holds phrase (tokens of this analyzer)
// where the tokens of Analyze(text) would hold it, without making them: a
// phrase search checks the whole text of many posts.
func (a Analyzer) HasPhrase(text string, phrase analysis.TokenStream) bool {
	if len(phrase) == 0 {
		return false
	}
	if a.chain != nil && a.chain.initial {
		return a.chain.hasPhrase([]byte(text), phrase)
	}
	if a.chain != nil {
		terms := make([]string, len(phrase))
		for i, t := range phrase {
			terms[i] = string(t.Term)
		}
		return holds(a.chain.only([]byte(text), terms), phrase)
	}
	buf := lowerCopy(text)
	defer scratch.GiveBack(buf)
	lowered := *buf
	first, last := phrase[0], phrase[len(phrase)-1]
	span := last.Position - first.Position + 1
	// The terms of the last span positions, each at its position modulo
	// span, with the position it is of.
	terms := make([][]byte, span)
	at := make([]int, span)
	var starts startSet
	for _, t := range phrase {
		markStart(&starts, t.Term)
	}
	position, found := 0, false
	eachWord(lowered, func(start, end int) {
		position++
		if found || !starts.may(lowered[start]) { // not a term of the phrase: as a stop word
			return
		}
		term := a.term(lowered[start:end])
		if len(term) == 0 {
			return
		}
		terms[position%span], at[position%span] = term, position
		if !bytes.Equal(term, last.Term) {
			return
		}
		from := position - span + 1 // where the phrase's first term is, if it holds
		for _, p := range phrase {
			want := from + p.Position - first.Position
			if want < 1 || at[want%span] != want || !bytes.Equal(terms[want%span], p.Term) {
				return
			}
		}
		found = true
	})
	return found
}

// holds reports whether tokens hold phrase: its terms at the same
// distances from each other; where tokens share a place, the last of
// them counts. Tokens in the order of their places, as analyzers give
// them, are looked through as they are; the map of every place to its
// term that it made first was a seventh of a French phrase's checks.
func holds(tokens, phrase analysis.TokenStream) bool {
	if !slices.IsSortedFunc(tokens, func(a, b *analysis.Token) int { return a.Position - b.Position }) {
		return holdsUnsorted(tokens, phrase)
	}
	first := phrase[0]
	// termAt returns the term at place, looking from tokens[i] on.
	termAt := func(i, place int) []byte {
		var term []byte
		for ; i < len(tokens) && tokens[i].Position <= place; i++ {
			if tokens[i].Position == place {
				term = tokens[i].Term
			}
		}
		return term
	}
	for i, t := range tokens {
		if !bytes.Equal(t.Term, first.Term) {
			continue
		}
		found := true
		for _, p := range phrase[1:] {
			if term := termAt(i, t.Position+p.Position-first.Position); term == nil || !bytes.Equal(term, p.Term) {
				found = false
				break
			}
		}
		if found {
			return true
		}
	}
	return false
}

// holdsUnsorted is holds of tokens in any order.
func holdsUnsorted(tokens, phrase analysis.TokenStream) bool {
	first := phrase[0]
	at := map[int]string{}
	for _, t := range tokens {
		at[t.Position] = string(t.Term)
	}
	for _, t := range tokens {
		if !bytes.Equal(t.Term, first.Term) {
			continue
		}
		found := true
		for _, p := range phrase[1:] {
			if at[t.Position+p.Position-first.Position] != string(p.Term) {
				found = false
				break
			}
		}
		if found {
			return true
		}
	}
	return false
}

// startSet is the first bytes of some terms, to pass over at once most
// words of a text that are none of them: a word (lower-cased as ASCII)
// whose term is one of them starts with the same byte, unless it starts
// with a letter beyond ASCII, which termOf lower-cases.
type startSet [256]bool

// markStart adds the first byte of term to s.
func markStart[T string | []byte](s *startSet, term T) {
	if len(term) > 0 {
		s[term[0]] = true
	}
}

// may reports whether a word starting with c may be one of the terms.
func (s *startSet) may(c byte) bool {
	return c >= utf8.RuneSelf || s[c]
}

// singular returns the singular of an English plural (lower case), much as
// Lucene's minimal English stemmer makes it (after Harman, 1991): "-ies" is
// "-y" (not after a or e), "-aes" and "-ies" after a or e stay, any other
// "-s" goes (not after u or s: "status", "class"); words of three letters or
// fewer stay. Unlike Lucene's, "-oes" and "-ees" lose their s: "toes" is
// "toe", "trees" "tree"; and "news" stays, not "new". Other words come back as they are; a plural ending
// "-ies" is made singular in place.
func singular(w []byte) []byte {
	n := len(w)
	if n < 4 || w[n-1] != 's' || string(w) == "news" {
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
