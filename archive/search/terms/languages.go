package terms

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"mailbag/internal/scratch"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/bg"
	"github.com/blevesearch/bleve/v2/analysis/lang/ca"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	"github.com/blevesearch/bleve/v2/analysis/lang/cs"
	"github.com/blevesearch/bleve/v2/analysis/lang/da"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/el"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/eu"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/analysis/lang/fi"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/ga"
	"github.com/blevesearch/bleve/v2/analysis/lang/gl"
	"github.com/blevesearch/bleve/v2/analysis/lang/hi"
	"github.com/blevesearch/bleve/v2/analysis/lang/hr"
	"github.com/blevesearch/bleve/v2/analysis/lang/hu"
	"github.com/blevesearch/bleve/v2/analysis/lang/hy"
	"github.com/blevesearch/bleve/v2/analysis/lang/id"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/lang/no"
	"github.com/blevesearch/bleve/v2/analysis/lang/pl"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/lang/ro"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/lang/tr"
	"github.com/blevesearch/bleve/v2/analysis/token/elision"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// The languages whose posts search analyses by their own rules: for each,
// bleve's analyzer of that language (its stop words, its stemmer, its
// normalisations) or, where bleve has only some of its parts (Catalan,
// Irish, Armenian), those. Chinese, Japanese and Korean share bleve's CJK
// analyzer: overlapping pairs of characters (bigrams), so that 東京 is
// one term and not 東 and 京. English keeps mailbag's own rules (Name).
var languages = map[string]languageParts{
	"ar": {analyzer: ar.AnalyzerName, prefixes: true}, "bg": {stop: bg.StopName},
	"ca": {elision: ca.ElisionName, stop: ca.StopName}, "ckb": {analyzer: ckb.AnalyzerName, prefixes: true},
	"cs": {stop: cs.StopName}, "da": {analyzer: da.AnalyzerName},
	"de": {analyzer: de.AnalyzerName}, "el": {stop: el.StopName},
	"es": {analyzer: es.AnalyzerName}, "eu": {stop: eu.StopName},
	"fa": {analyzer: fa.AnalyzerName, prefixes: true}, "fi": {analyzer: fi.AnalyzerName},
	"fr": {analyzer: fr.AnalyzerName}, "ga": {elision: ga.ElisionName, stop: ga.StopName},
	"gl": {stop: gl.StopName}, "hi": {analyzer: hi.AnalyzerName, prefixes: true},
	"hr": {analyzer: hr.AnalyzerName}, "hu": {analyzer: hu.AnalyzerName},
	"hy": {stop: hy.StopName}, "id": {stop: id.StopName},
	"it": {analyzer: it.AnalyzerName}, "nl": {analyzer: nl.AnalyzerName},
	"no": {analyzer: no.AnalyzerName}, "nb": {analyzer: no.AnalyzerName}, "nn": {analyzer: no.AnalyzerName},
	"pl": {analyzer: pl.AnalyzerName}, "pt": {analyzer: pt.AnalyzerName},
	"ro": {analyzer: ro.AnalyzerName}, "ru": {analyzer: ru.AnalyzerName},
	"sv": {analyzer: sv.AnalyzerName}, "tr": {analyzer: tr.AnalyzerName},
	"ja": {analyzer: cjk.AnalyzerName, prefixes: true}, "zh": {analyzer: cjk.AnalyzerName, prefixes: true}, "ko": {analyzer: cjk.AnalyzerName, prefixes: true},
}

// languageParts names bleve's parts of a language's analysis: its whole
// analyzer, or its elision and stop words alone.
type languageParts struct {
	analyzer, elision, stop string
	prefixes                bool // its rules change the starts of words too (Arabic's article, Hindi's normalisation, CJK's pairs)
}

// Language returns the language of a BCP 47 tag as search analyses it:
// "en" for English (and for ""), the tag's primary language for one of the
// languages above ("fr" for "fr-CA"), and "und" (undetermined) for any
// other, whose words are only lower-cased, composed and stripped of
// accents.
func Language(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	if primary == "en" || primary == "" {
		return "en"
	}
	if _, ok := languages[primary]; ok {
		return primary
	}
	return "und"
}

// Languages returns the languages search analyses by their own rules, English among them.
func Languages() []string {
	out := []string{"en"}
	for l := range languages {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Bigrams reports whether lang (as Language returns it) makes its words
// terms of two characters each: Chinese, Japanese and Korean.
func Bigrams(lang string) bool { return languages[lang].analyzer == cjk.AnalyzerName }

// NameFor returns the name of the analyzer of titles and bodies in lang
// (as Language returns it), as registered with bleve.
func NameFor(lang string) string {
	if lang == "en" {
		return Name
	}
	return "mailbag_" + lang
}

func init() {
	registry.RegisterAnalyzer(NameFor("und"), func(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		return newChain(cache, languageParts{})
	})
	for lang, parts := range languages {
		registry.RegisterAnalyzer(NameFor(lang), func(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
			return newChain(cache, parts)
		})
	}
}

// For returns the analyzer of titles and bodies in lang (as Language
// returns it), made without an index, Plain.
func For(lang string) (Analyzer, error) {
	a, err := registry.NewCache().AnalyzerNamed(NameFor(lang))
	if err != nil {
		return Analyzer{}, fmt.Errorf("search: the analyzer of %q: %w", lang, err)
	}
	return a.(Analyzer).Plain(), nil
}

// chain is how a language other than English makes its words terms:
// after lower case and Unicode's composition (NFC), its elision (French
// "l'école" is "école"), then its stop words, which are dropped; the word
// then loses its accents (folded), so that "ecole" finds "école" and the
// reverse; then the language's other filters, its stemmer among them.
// Folding before stemming gives the stemmer the same word, whether it was
// written with its accents or without.
type chain struct {
	elision []analysis.TokenFilter
	stop    []analysis.TokenFilter
	rest    []analysis.TokenFilter
	cjk     bool // tokens of Chinese, Japanese and Korean characters are typed for the bigram filter
	// initial says that a word's term starts with the word's first letter
	// (or the first after an elided article), accents folded: the
	// language's rules change the ends of words, not their starts.
	initial bool
	stems   *stems // the terms the rest has made of words
}

// newChain makes the chain of parts from bleve's registry.
func newChain(cache *registry.Cache, parts languageParts) (Analyzer, error) {
	c := &chain{initial: !parts.prefixes, stems: &stems{}}
	if parts.analyzer != "" {
		a, err := cache.AnalyzerNamed(parts.analyzer)
		if err != nil {
			return Analyzer{}, err
		}
		d, ok := a.(*analysis.DefaultAnalyzer)
		if !ok {
			return Analyzer{}, fmt.Errorf("search: bleve's analyzer %q is not made of filters", parts.analyzer)
		}
		c.cjk = parts.analyzer == cjk.AnalyzerName
		for _, f := range d.TokenFilters {
			switch f.(type) {
			case *lowercase.LowerCaseFilter:
			case *elision.ElisionFilter:
				c.elision = append(c.elision, someTokens{f, apostrophe})
			case *stop.StopTokensFilter:
				c.stop = append(c.stop, f)
			case *cjk.CJKWidthFilter:
				c.rest = append(c.rest, someTokens{f, widthForm})
			default:
				c.rest = append(c.rest, f)
			}
		}
	}
	for name, to := range map[string]*[]analysis.TokenFilter{parts.elision: &c.elision, parts.stop: &c.stop} {
		if name == "" {
			continue
		}
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			return Analyzer{}, err
		}
		if _, ok := f.(*elision.ElisionFilter); ok {
			f = someTokens{f, apostrophe}
		}
		*to = append(*to, f)
	}
	return Analyzer{chain: c, exact: true}, nil
}

// someTokens runs filter, which changes tokens in place and drops none,
// on the tokens that needs says may need it alone. bleve's filters read
// every token rune by rune: its width filter ("ＡＢＣ" is "ABC", "ｶﾀｶﾅ"
// "カタカナ") rebuilt every term from its runes, a Japanese post's
// analysis 532–560 µs where bleve's own analyzer took 424–437, 414–428
// after; its elision ("l'école" is "école") was 10% of a French post's
// analysis, 7% with the check of each token for an apostrophe
// (BenchmarkAnalyzers, go tool pprof).
type someTokens struct {
	filter analysis.TokenFilter
	needs  func(term []byte) bool
}

// Filter runs the filter on the tokens that may need it.
func (s someTokens) Filter(stream analysis.TokenStream) analysis.TokenStream {
	var some analysis.TokenStream
	for _, t := range stream {
		if s.needs(t.Term) {
			some = append(some, t)
		}
	}
	if len(some) > 0 {
		s.filter.Filter(some)
	}
	return stream
}

// apostrophe reports whether term has an apostrophe, straight or curly,
// where bleve's elision filter looks for an article before it.
func apostrophe(term []byte) bool {
	for i, c := range term {
		if c == '\'' || c == 0xe2 && i+2 < len(term) && term[i+1] == 0x80 && term[i+2] == 0x99 { // ’ is E2 80 99
			return true
		}
	}
	return false
}

// widthForm reports whether term may have a fullwidth or halfwidth form:
// a character of U+FF00–U+FFBF, whose UTF-8 is 0xEF then 0xBC to 0xBE.
func widthForm(term []byte) bool {
	for i := 0; i+1 < len(term); i++ {
		if term[i] == 0xef && term[i+1] >= 0xbc && term[i+1] <= 0xbe {
			return true
		}
	}
	return false
}

// analyze returns the terms of text by the chain.
func (c *chain) analyze(text []byte) analysis.TokenStream {
	return c.filter(c.words(text, nil))
}

// words returns the words of text, lower-cased and composed, at their
// places: those keep says yes to, or all where keep is nil.
func (c *chain) words(text []byte, keep func(word []byte) bool) analysis.TokenStream {
	if keep == nil {
		return c.wordsAt(text, nil)
	}
	return c.wordsAt(text, func(start, end int) bool { return keep(text[start:end]) })
}

// wordsAt is words, keep told where each word is in text.
func (c *chain) wordsAt(text []byte, keep func(start, end int) bool) analysis.TokenStream {
	tokens := make([]analysis.Token, 0, len(text)/8+1)
	// The terms, one after the other, each capped at its end: a filter
	// may change a term in place, never the next one. One allocation for
	// the text's words, where each word's copy was one (French's
	// analysis: BenchmarkAnalyzers fr).
	terms := make([]byte, 0, len(text))
	position := 0
	eachWord(text, func(start, end int) {
		position++
		if keep != nil && !keep(start, end) {
			return
		}
		typ := analysis.AlphaNumeric
		if c.cjk && cjkScript(text[start:end]) {
			typ = analysis.Ideographic
		}
		from := len(terms)
		terms = appendNormal(terms, text[start:end])
		tokens = append(tokens, analysis.Token{Term: terms[from:len(terms):len(terms)], Start: start, End: end, Position: position, Type: typ})
	})
	stream := make(analysis.TokenStream, len(tokens))
	for i := range tokens {
		stream[i] = &tokens[i]
	}
	return stream
}

// filter runs the chain's filters over stream, words lower-cased and
// composed, and returns the terms.
func (c *chain) filter(stream analysis.TokenStream) analysis.TokenStream {
	for _, f := range c.elision {
		stream = f.Filter(stream)
	}
	for _, f := range c.stop {
		stream = f.Filter(stream)
	}
	if !c.cjk && c.restOnce(stream) {
		return slices.DeleteFunc(stream, func(t *analysis.Token) bool { return len(t.Term) == 0 })
	}
	for _, f := range c.rest {
		stream = f.Filter(stream)
	}
	for _, t := range stream {
		t.Term = fold(t.Term)
	}
	return slices.DeleteFunc(stream, func(t *analysis.Token) bool { return len(t.Term) == 0 })
}

// found returns the words of text whose terms are among terms, as
// analyze makes them.
func (c *chain) found(text []byte, terms map[string]bool) []word {
	var tokens analysis.TokenStream
	if c.cjk {
		tokens = c.cjkFound(text, terms)
	} else {
		tokens = c.only(text, slices.Collect(maps.Keys(terms)))
	}
	var out []word
	for _, t := range tokens {
		if terms[string(t.Term)] {
			out = append(out, word{Start: t.Start, End: t.End, Term: string(t.Term)})
		}
	}
	return out
}

// only returns the terms of text that may be among terms, at their
// places. Where a term starts as its word does (initial), only the words
// starting with a term's first letter are analysed: a hit's fragment, and
// a phrase's check of each post that may hold it, analysed the whole of a
// post before, four times as long (BenchmarkAnalyzers); elsewhere, all.
func (c *chain) only(text []byte, terms []string) analysis.TokenStream {
	if !c.initial {
		return c.analyze(text)
	}
	var ascii [utf8.RuneSelf]bool // the terms' first letters, those of ASCII
	other := map[rune]bool{}      // and the others
	for _, t := range terms {
		if r, _ := utf8.DecodeRuneInString(t); r < utf8.RuneSelf {
			ascii[r] = true
		} else {
			other[r] = true
		}
	}
	first := func(r rune) bool {
		if r < utf8.RuneSelf {
			return ascii[r]
		}
		return other[r]
	}
	return c.filter(c.words(text, func(w []byte) bool {
		return first(initialOf(w)) || first(initialOf(afterApostrophe(w)))
	}))
}

// hasPhrase reports whether text holds phrase where the chain's tokens
// of text would hold it, for a chain whose terms start as their words do
// (initial): the words of text are found once, and only those that may
// be its anchor's (the term of the phrase whose first letter fewest of
// them start with) are analysed, with, where one is, the words at the
// phrase's other places beside it. Analysing every word that starts as
// one of the phrase's terms does (only) made a French phrase of four
// words, "distributing files that need", 6 ms in process, its checks
// 0.72 of it (BenchmarkSearch "common").
func (c *chain) hasPhrase(text []byte, phrase analysis.TokenStream) bool {
	type span struct{ start, end int }
	spans := make([]span, 0, len(text)/6+1)
	var firsts [256]int32 // how many words start with each byte, ASCII lowered
	key := func(word []byte) byte {
		if b := word[0]; b < utf8.RuneSelf || len(word) < 2 {
			return lowerByte(b)
		}
		return word[1] // a letter's last byte, which tells most of a script's letters apart
	}
	eachWord(text, func(start, end int) {
		spans = append(spans, span{start, end})
		firsts[key(text[start:end])]++
	})
	anchor := phrase[0]
	for _, t := range phrase[1:] {
		if firsts[key(t.Term)] < firsts[key(anchor.Term)] {
			anchor = t
		}
	}
	initial := initialOf(anchor.Term)
	termAt := func(i int) []byte {
		if i < 0 || i >= len(spans) {
			return nil
		}
		s := spans[i] // one token, as wordsAt makes it (c.initial: not cjk)
		tokens := c.filter(analysis.TokenStream{{Term: normalize(text[s.start:s.end]), Start: s.start, End: s.end, Position: 1, Type: analysis.AlphaNumeric}})
		if len(tokens) == 0 {
			return nil
		}
		return tokens[len(tokens)-1].Term
	}
	for i, s := range spans {
		w := text[s.start:s.end]
		if initialOf(w) != initial && initialOf(afterApostrophe(w)) != initial || !bytes.Equal(termAt(i), anchor.Term) {
			continue
		}
		holds := true
		for _, p := range phrase {
			if p != anchor && !bytes.Equal(termAt(i+p.Position-anchor.Position), p.Term) {
				holds = false
				break
			}
		}
		if holds {
			return true
		}
	}
	return false
}

// lowerByte returns b, an ASCII capital in lower case.
func lowerByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// cjkFound returns the terms of a Chinese, Japanese or Korean text that
// may be among terms, at their places: those of the parts of text that
// cjkParts finds, or of the whole text where they cannot be told. A
// Japanese hit's fragment took 244 µs when each word of its text was
// split twice to find its stretches of words with a term (and those of
// other letters all kept), 68 µs now (BenchmarkAnalyzers "ja/fragment");
// a page's fragments were 0.45 of the CPU of a phrase that many posts
// hold (BenchmarkSearch "common", 「マンドを実行」). Analysing the whole
// of each post before that was most of a Japanese search's time.
func (c *chain) cjkFound(text []byte, terms map[string]bool) analysis.TokenStream {
	parts, ok := cjkParts(text, terms)
	if !ok {
		return c.analyze(text)
	}
	var out analysis.TokenStream
	for _, p := range parts {
		for _, t := range c.filter(c.wordsAt(text[p.from:p.to], nil)) {
			t.Start += p.from
			t.End += p.from
			out = append(out, t)
		}
	}
	return out
}

// cjkParts returns the parts of text, in order and apart, whose words are
// all the words of text that can make one of terms; false where that
// cannot be told (a text with letters not composed). A part starts and
// ends where the words do, with no word on either side touching it, so
// that its pairs of characters are those the whole text makes there. A
// word of plain runes (plain) and ASCII has the terms its text has as
// written, its ASCII letters lowered: the parts are the words around
// each place where the text has a term so, and the words with a rune
// that is not plain, whatever their terms. A fragment of a Japanese
// post with an accent anywhere was made from the whole text before,
// most of an English word's search in Japanese manual pages.
func cjkParts(text []byte, terms map[string]bool) ([]stretch, bool) {
	if !composed(text) {
		return nil, false
	}
	buf := lowerCopy(string(text))
	defer scratch.GiveBack(buf)
	lowered := *buf
	var parts []stretch
	for t := range terms {
		if !plainTerm(t) {
			continue // its words have a rune that is not plain: parts below
		}
		eachPlace(lowered, t, func(at int) int {
			p := wordsAround(text, at, at+len(t))
			parts = append(parts, p)
			return p.to
		})
	}
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if plain(r) {
			i += size
			continue
		}
		p := wordsAround(text, i, i+size)
		parts = append(parts, p)
		i = max(p.to, i+size)
	}
	slices.SortFunc(parts, func(a, b stretch) int { return a.from - b.from })
	var out []stretch
	for _, p := range parts {
		if n := len(out); n > 0 && p.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, p.to)
			continue
		}
		out = append(out, p)
	}
	return out, true
}

// plain reports whether r, beyond ASCII, is as a term has it whatever
// the word around it: no case, no mark, no other width, no Latin letter
// that fold may change. Kana, ideographs, Hangul syllables and CJK
// punctuation are told by their blocks.
func plain(r rune) bool {
	switch {
	case 0x3041 <= r && r <= 0x3096, 0x309b <= r && r <= 0x30ff, // kana, but the combining voiced marks
		0x3400 <= r && r <= 0x4dbf, 0x4e00 <= r && r <= 0x9fff, // ideographs
		0xac00 <= r && r <= 0xd7a3,                             // Hangul syllables
		0x3000 <= r && r <= 0x3029, 0x3030 <= r && r <= 0x303f: // CJK punctuation, but the tone marks
		return true
	case 0xff00 <= r && r <= 0xffef, r == utf8.RuneError:
		return false
	}
	return unicode.SimpleFold(r) == r && !unicode.IsMark(r) && !unicode.Is(unicode.Latin, r) && foldLetters[r] == ""
}

// plainTerm reports whether term is of ASCII and plain runes alone.
func plainTerm(term string) bool {
	for _, r := range term {
		if r >= utf8.RuneSelf && !plain(r) {
			return false
		}
	}
	return term != ""
}

// wordsAround returns the part of text from the start of the word that
// from is in (or that ends at from) to the end of the word that to is in
// (or that starts at to), through any words touching them: a run of word
// runes and apostrophes, each end at a rune of neither or the text's end.
func wordsAround(text []byte, from, to int) stretch {
	for from > 0 {
		r, size := utf8.DecodeLastRune(text[:from])
		if !inWord(r) {
			break
		}
		from -= size
	}
	for to < len(text) {
		r, size := utf8.DecodeRune(text[to:])
		if !inWord(r) {
			break
		}
		to += size
	}
	return stretch{from, to}
}

// inWord reports whether r may be part of a word (eachWord): a word rune
// or an apostrophe.
func inWord(r rune) bool {
	return isWordRune(r) || r == '\'' || r == '’' || r == '＇' || unicode.In(r, unicode.Han, unicode.Hiragana)
}

// initialOf returns the first letter of word as a term starts with it:
// lower case, without its accents.
func initialOf(word []byte) rune {
	if len(word) > 0 && word[0] < utf8.RuneSelf {
		c := word[0]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c)
	}
	r, size := utf8.DecodeRune(word)
	if r == utf8.RuneError && size <= 1 {
		return r
	}
	if r < latinInitialsEnd {
		return latinInitials()[r]
	}
	return foldedInitial(word[:size])
}

// foldedInitial returns what a term starts with where its word starts
// with the one letter r.
func foldedInitial(r []byte) rune {
	f, _ := utf8.DecodeRune(fold(lower(r)))
	return f
}

// latinInitialsEnd is where the letters whose initials latinInitials
// keeps end: after Latin Extended-B.
const latinInitialsEnd = 0x250

// latinInitials returns foldedInitial of each rune before
// latinInitialsEnd, made once: a French word's initial was a quarter of
// a phrase's check of a post (BenchmarkAnalyzers "fr/phrase").
var latinInitials = sync.OnceValue(func() *[latinInitialsEnd]rune {
	var out [latinInitialsEnd]rune
	for r := range rune(latinInitialsEnd) {
		out[r] = foldedInitial(utf8.AppendRune(nil, r))
	}
	return &out
})

// afterApostrophe returns what follows the first apostrophe of word
// ("école" of "l'école"), or nothing.
func afterApostrophe(word []byte) []byte {
	straight, curly := bytes.IndexByte(word, '\''), -1
	if bytes.IndexByte(word, 0xe2) >= 0 { // the first byte of ’: most words have none
		curly = bytes.Index(word, []byte("’"))
	}
	switch {
	case straight >= 0 && (curly < 0 || straight < curly):
		return word[straight+1:]
	case curly >= 0:
		return word[curly+len("’"):]
	}
	return nil
}

// restOnce runs the rest of the chain (the stemmer, the folding) once for
// each distinct word of stream that the chain does not remember the term
// of (stems), and gives every token its word's term; false, with stream
// as it was, when a filter drops a word. The stemmer was nearly half of
// a French post's analysis, and a post says most of its words more than
// once, and most of them another post said: a French post's analysis
// took 288 µs with each word stemmed once a post, 192 µs with the words
// remembered across posts (BenchmarkAnalyzers, each time another post);
// German's 207 and 170 µs. A remembered word is looked up once a token,
// without a lock, its term copied into one buffer for the text's terms,
// where a map of the post's distinct words, a locked lookup and a copy of
// each term were: French 177–229 → 134–166 µs, German 140–178 → 104–135
// (BenchmarkAnalyzers, the two in turn). The bigrams of Chinese,
// Japanese and Korean are made of neighbours, and are not run so.
func (c *chain) restOnce(stream analysis.TokenStream) bool {
	known := make([]string, len(stream))  // each token's remembered term
	unknownAt := make([]int, len(stream)) // or 1 + where its word is in unknown
	var index map[string]int              // the words not remembered, to unknown
	var unknown analysis.TokenStream      // the distinct words not remembered
	size := 0                             // the bytes of the remembered terms
	for i, t := range stream {
		if term, ok := c.stems.get(t.Term); ok {
			known[i] = term
			size += len(term)
			continue
		}
		if index == nil {
			index = map[string]int{}
		}
		j, ok := index[string(t.Term)]
		if !ok {
			// A copy: a filter may rewrite a term in place, and stream
			// stays as it was should one drop a word.
			j = len(unknown)
			index[string(t.Term)] = j
			unknown = append(unknown, &analysis.Token{Term: bytes.Clone(t.Term), Position: j + 1, Type: t.Type})
		}
		unknownAt[i] = 1 + j
	}
	words := make([]string, len(unknown))
	for k, t := range unknown {
		words[k] = string(t.Term)
	}
	n := len(unknown)
	for _, f := range c.rest {
		if unknown = f.Filter(unknown); len(unknown) != n {
			return false
		}
	}
	made := make([][]byte, len(unknown))
	for k, t := range unknown {
		made[k] = fold(t.Term)
		c.stems.put(words[k], made[k])
	}
	buf := make([]byte, 0, size)
	for i, t := range stream {
		if j := unknownAt[i]; j > 0 {
			t.Term = made[j-1]
			continue
		}
		from := len(buf)
		buf = append(buf, known[i]...)
		t.Term = buf[from:len(buf):len(buf)]
	}
	return true
}

// stems remembers the terms the rest of a chain made of words (restOnce),
// up to maxStems words: a text's words found there are not stemmed again.
// It is safe for concurrent use: the index analyses posts on every core.
// Words are looked up without a lock, in a map that is never changed once
// published (known); new words wait in pending, under mu, until there are
// enough of them to publish a larger map.
type stems struct {
	known   atomic.Pointer[map[string]string]
	mu      sync.Mutex
	pending map[string]string
	n       int // the words remembered, known and pending
}

// maxStems bounds the words a chain remembers, a few megabytes at most:
// an archive writes some tens of thousands of distinct words. Past it,
// words are stemmed each time, as they were before: a stranger's
// searches can make the analysis slower, never change a term.
const maxStems = 1 << 16

// get returns the term of word, if remembered. A nil stems remembers
// nothing.
func (s *stems) get(word []byte) (string, bool) {
	if s == nil {
		return "", false
	}
	if known := s.known.Load(); known != nil {
		if term, ok := (*known)[string(word)]; ok {
			return term, true
		}
	}
	s.mu.Lock()
	term, ok := s.pending[string(word)]
	s.mu.Unlock()
	return term, ok
}

// put remembers the term of word, while there is room, publishing the
// words pending with the known ones once they are a quarter as many (64
// at least): each word is copied a few times in all.
func (s *stems) put(word string, term []byte) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n >= maxStems {
		return
	}
	known := s.known.Load()
	if _, ok := s.pending[word]; ok {
		return
	}
	if known != nil {
		if _, ok := (*known)[word]; ok {
			return
		}
	}
	if s.pending == nil {
		s.pending = map[string]string{}
	}
	s.pending[word] = string(term)
	s.n++
	size := 0
	if known != nil {
		size = len(*known)
	}
	if len(s.pending) < max(64, size/4) && s.n < maxStems {
		return
	}
	next := make(map[string]string, size+len(s.pending))
	if known != nil {
		maps.Copy(next, *known)
	}
	maps.Copy(next, s.pending)
	s.known.Store(&next)
	s.pending = nil
}

// withExact returns the terms of text (stream) with, after each term of
// a word written with accents, the term as the word writes it: its
// letters up to the term's length, accents kept, after the term and
// exactSep ("ecol\x00écol" beside "ecol" for "écoles"), at the same
// place. A search for "école" then asks for both and ranks the posts that
// write it so first; one for "ecole" finds them all, and the exact forms
// of "ecol", side by side in the index's dictionary (ExactForms), tell it
// the posts that write it without accents. A term whose word does not
// start as it does (a language's rules changed its start) gets none.
func withExact(text []byte, stream analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream // nil until a word has an exact form
	var word, terms []byte       // the word lower-cased and composed; the exact forms' terms
	var tokens []analysis.Token  // the exact forms' tokens
	for i, t := range stream {
		var exact []byte
		if w := text[t.Start:t.End]; Accented(w) {
			word = appendNormal(word[:0], w)
			if exact = exactPrefix(word, t.Term); exact == nil {
				exact = exactPrefix(afterApostrophe(word), t.Term) // "l'école"
			}
		}
		if exact == nil {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		if out == nil {
			out = append(make(analysis.TokenStream, 0, len(stream)+len(stream)/8+1), stream[:i]...)
			terms = make([]byte, 0, 2*(len(text)-t.Start)/8)
			tokens = make([]analysis.Token, 0, len(stream)/8+1)
		}
		// One buffer for the terms and one for the tokens, each term
		// capped at its end; what outgrows them goes to new ones, the
		// tokens and terms before staying where they are.
		from := len(terms)
		terms = append(append(append(terms, t.Term...), exactSep...), exact...)
		tokens = append(tokens, analysis.Token{Term: terms[from:len(terms):len(terms)], Start: t.Start, End: t.End, Position: t.Position, Type: t.Type})
		out = append(out, t, &tokens[len(tokens)-1])
	}
	if out == nil {
		return stream
	}
	return out
}

// exactPrefix returns the letters of word (lower case, composed) that
// fold to term, when they are not term itself: its exact form, a part of
// word; nil when word does not start with term's letters.
func exactPrefix(word, term []byte) []byte {
	folded := 0
	for i, r := range string(word) {
		if folded == len(term) {
			if i == 0 || bytes.Equal(word[:i], term) {
				return nil
			}
			return word[:i]
		}
		f := foldRune(r)
		if folded+len(f) > len(term) || string(term[folded:folded+len(f)]) != f {
			return nil
		}
		folded += len(f)
	}
	if folded == len(term) && !bytes.Equal(word, term) {
		return word
	}
	return nil
}

// foldRune returns fold of the letter r alone. The letters of Latin
// scripts are looked up: folding each letter of each accented word (an
// eighth of the words of French posts) was a quarter of their analysis
// (FuzzFoldRune checks the table against fold).
func foldRune(r rune) string {
	switch {
	case 0 <= r && r < utf8.RuneSelf:
		return asciiRunes[r : r+1]
	case 0 <= r && r < rune(len(foldedLatin)):
		return foldedLatin[r]
	}
	return string(fold([]byte(string(r))))
}

// asciiRunes has every ASCII character at its own place.
var asciiRunes = func() string {
	b := make([]byte, utf8.RuneSelf)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}()

// foldedLatin is fold of each character before U+0250: Latin-1 and the
// Latin Extended-A and -B letters.
var foldedLatin = func() []string {
	out := make([]string, 0x250)
	for r := range out {
		out[r] = string(fold([]byte(string(rune(r)))))
	}
	return out
}()

// exactSep is between a term and an exact form of it (withExact): a byte
// no word has.
const exactSep = "\x00"

// Exact reports whether term is the exact form of an accented word
// (withExact) rather than a word's term.
func Exact(term string) bool {
	return strings.Contains(term, exactSep)
}

// ExactForms returns what the exact forms of term start with in the
// index's dictionary: all of them, and only they.
func ExactForms(term string) string {
	return term + exactSep
}

// normalize returns word lower-cased and composed (NFC), a copy.
func normalize(word []byte) []byte {
	return appendNormal(nil, word)
}

// appendNormal appends word lower-cased and composed (NFC) to dst.
func appendNormal(dst, word []byte) []byte {
	start := len(dst)
	if !nonASCII(word) { // ASCII is composed; most words are
		dst = append(dst, word...)
		lowerASCII(dst[start:])
		return dst
	}
	dst = appendLower(dst, word)
	if composed(dst[start:]) {
		return dst
	}
	return append(dst[:start], norm.NFC.Bytes(dst[start:])...)
}

// lower returns word in lower case, a copy.
func lower(word []byte) []byte {
	return appendLower(nil, word)
}

// appendLower appends word in lower case to dst.
func appendLower(dst, word []byte) []byte {
	if !nonASCII(word) {
		start := len(dst)
		dst = append(dst, word...)
		lowerASCII(dst[start:])
		return dst
	}
	for i := 0; i < len(word); {
		r, size := utf8.DecodeRune(word[i:])
		if caseless(r) {
			dst = append(dst, word[i:i+size]...)
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += size
	}
	return dst
}

// caseless reports whether r is of a block of scripts without case:
// kana, ideographs and Hangul syllables, told apart without Unicode's
// tables, the letters of most Japanese, Chinese and Korean words.
func caseless(r rune) bool {
	return 0x3040 <= r && r <= 0x30ff || 0x3400 <= r && r <= 0x4dbf || 0x4e00 <= r && r <= 0x9fff || 0xac00 <= r && r <= 0xd7a3
}

// cjkScript reports whether word starts with a Chinese, Japanese or Korean
// character.
func cjkScript(word []byte) bool {
	r, _ := utf8.DecodeRune(word)
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// fold returns term without the accents of its Latin letters ("école" is
// "ecole", "straße" "strasse", "łódź" "lodz") and with Russian's ё as е;
// other scripts' marks stay (Russian й is not и). A term of ASCII comes
// back as it is.
func fold(term []byte) []byte {
	if !Accented(term) {
		return term
	}
	return foldAll(term)
}

// foldAll is fold, for every term.
func foldAll(term []byte) []byte {
	out := make([]byte, 0, len(term))
	var prev rune
	for _, r := range norm.NFD.String(string(term)) {
		if unicode.Is(unicode.Mn, r) && (prev < utf8.RuneSelf && unicode.IsLetter(prev) || unicode.Is(unicode.Latin, prev) || r == '\u0308' && (prev == 'е' || prev == 'Е')) {
			continue // prev stays the letter the marks are on
		}
		prev = r
		if s, ok := foldLetters[r]; ok {
			out = append(out, s...)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return norm.NFC.Bytes(out)
}

// Accented reports whether fold may change text: whether it has a Latin
// letter beyond ASCII, a combining mark, or Russian's ё. The words of
// most scripts have none: a Japanese post's terms went through Unicode's
// decomposition for nothing, a fifth of its reindex; and a text without
// them is searched as it is written ("école" is the term "ecole", which
// bytes.Index does not find in it).
func Accented(text []byte) bool {
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		i += size
		switch {
		case r <= 0x24f, 0x1e00 <= r && r <= 0x1eff, r == 'ё', r == 'Ё', 0x302a <= r && r <= 0x302f, r == 0x3099, r == 0x309a:
			return true // Latin letters, Russian's ё, the marks among the ideographs
		case 0x2e80 <= r && r < 0xa000, 0xac00 <= r && r < 0xd800:
			// Chinese, Japanese and Korean: no Latin, no marks once composed
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Latin, r):
			return true
		}
	}
	return false
}

// foldLetters are the Latin letters that Unicode does not decompose into a
// letter and marks, and what they fold to.
var foldLetters = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i", 'ħ': "h",
}
