package terms

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// PairsName is the type of the analyzer of the body's pairs of common
// words, as registered with bleve. Of each two terms of the language's
// analyzer (NameFor) next to each other (stop words between them count
// as gaps any word fills), where both are common in the archive, a pair
// is a term of the two and how many words apart they are ("standard 1
// library"; "state 3 art" for "state of the art"). The index is given a
// body's pairs as Pairs.Read writes them, one a line, and the analyzer
// reads them back (Analyze): the body is read once for its terms, its
// pairs and its codes (Read). Its configuration "common" lists the
// common terms, "frequent" the frequent pairs (below), both chosen when
// the index is built and kept in its mapping, and "language" the
// language of the words (as Language returns it).
//
// A phrase of two common words is then one term, found exactly and at
// once, where a phrase search over the words' positions read those of
// most posts (63 / 197 ms p50 / p99 at 100,000 posts, docs/benchmarks.md);
// a longer phrase, or one with a word that is not common, finds few posts
// by its pairs and rare words, which are then checked (Codes, else their
// texts). Pairs of every two words made phrases as quick but the reindex
// five times slower: the index's dictionaries held every distinct pair.
//
// Where two pairs in a row are both frequent in the archive, their three
// words are a term too (TripleTerm), and a phrase of those three words is
// that one term. Without it, such a phrase found every post with both
// pairs, and each was checked: a German translator's name, in 1,276 of
// 10,000 posts, found about 4,000 and took 28–36 ms at the 99th
// percentile over HTTP; 3.5 ms as a triple.
//
// Chinese, Japanese and Korean, whose terms are pairs of characters
// (Bigrams), have no pairs: two pairs of characters next to each other
// overlap, and their pair was three characters, in most posts that have
// the two. A Japanese post had 780 pairs beside its 648 terms, and a
// reindex of 10,000 posts ran at 186 posts/s with them, 471 without
// (BenchmarkReindex); its phrases find the posts with all their pairs of
// characters, which are checked: 2.9 / 6.0 ms p50 / p99 in
// BenchmarkSearch, 1.6 / 3.5 ms with the pairs (docs/benchmarks.md).
// They have runs instead (RunTerm, Run): two to MaxRun terms in a row
// that are in one post in five of the archive, listed in "frequent", are
// a term too, so that a phrase that many posts hold is one term; each
// post holding 「ファイル」, 9,950 of 10,000, was checked: 24.6 ms p99
// over HTTP, 9.6 ms as a run.
const PairsName = "mailbag_pairs"

// maxCommon is how many common terms can have a code (two bytes); those
// after, if a list were ever longer, are not common.
const maxCommon = 1<<16 - 1

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
		list, _ := config["common"].([]any)
		common := make([]string, 0, len(list))
		for _, t := range list {
			if s, ok := t.(string); ok {
				common = append(common, s)
			}
		}
		list, _ = config["frequent"].([]any)
		frequent := make([]string, 0, len(list))
		for _, t := range list {
			if s, ok := t.(string); ok {
				frequent = append(frequent, s)
			}
		}
		return NewPairs(words, common).WithFrequent(frequent), nil
	})
}

// Pairs is an analyzer of type PairsName.
type Pairs struct {
	words    Analyzer
	common   map[string]uint16 // each common term's code: 1 for the first listed
	frequent map[string]bool   // the pairs (PairTerm) that make triples
	none     bool              // the terms are pairs of characters, which have no pairs
}

// NewPairs returns the pairs of the common terms of words' language
// (words' own analyzer, without the exact forms of accented words).
func NewPairs(words Analyzer, common []string) Pairs {
	p := Pairs{words: words.Plain(), common: make(map[string]uint16, len(common)), none: words.chain != nil && words.chain.cjk}
	for i, t := range common[:min(len(common), maxCommon)] {
		p.common[t] = uint16(i + 1)
	}
	return p
}

// WithFrequent returns p making triples of two frequent pairs in a row
// (PairTerm's terms); in a language whose terms are pairs of characters,
// which have no pairs, the frequent runs of its terms (RunTerm's).
func (p Pairs) WithFrequent(pairs []string) Pairs {
	p.frequent = make(map[string]bool, len(pairs))
	for _, t := range pairs {
		p.frequent[t] = true
	}
	return p
}

// Common reports whether term is one of the common terms, which have
// codes (Codes).
func (p Pairs) Common(term string) bool { return p.common[term] != 0 }

// Run reports whether terms, at places in a row, are a frequent run that
// Read gives (appendRuns): two to MaxRun of them, in a language whose
// terms are pairs of characters, each run of them from the first frequent.
func (p Pairs) Run(terms ...[]byte) bool {
	if !p.none || len(terms) < 2 || len(terms) > MaxRun {
		return false
	}
	for k := 2; k <= len(terms); k++ {
		if !p.frequent[RunTerm(terms[:k]...)] {
			return false
		}
	}
	return true
}

// Runs reports whether p makes runs of terms (Run) rather than pairs.
func (p Pairs) Runs() bool { return p.none }

// Paired reports whether the terms a and b next to each other make a
// pair: both common, in a language whose terms are not pairs of
// characters.
func (p Pairs) Paired(a, b string) bool { return !p.none && p.Common(a) && p.Common(b) }

// Frequent reports whether pair (PairTerm's) makes triples.
func (p Pairs) Frequent(pair string) bool { return p.frequent[pair] }

// PairTerm returns the term of the pair of a and b, gap words apart.
func PairTerm(a, b []byte, gap int) string {
	return string(a) + " " + strconv.Itoa(gap) + " " + string(b)
}

// TripleTerm returns the term of the words a, b and c, b gap1 words after
// a and c gap2 after b: "state 3 art 1 go".
func TripleTerm(a, b, c []byte, gap1, gap2 int) string {
	return PairTerm(a, b, gap1) + " " + strconv.Itoa(gap2) + " " + string(c)
}

// Body is what the index is given of a body, read once (Pairs.Read):
// its terms, as the index's analyzer of titles and bodies makes them;
// its pairs of common words, one a line, as the index's field of pairs
// is given them; and its Codes, nil where it has none (a word at the
// place of another, or more places than Codes holds) or no word is
// common. bleve made the terms again from the text, 13% of the
// processor time of a reindex of French posts (BenchmarkReindex's
// profile); given them, a reindex takes 5% less of it in French, 3% in
// English (docs/benchmarks.md).
type Body struct {
	Terms Packed
	Pairs string
	Codes Codes
}

// Read returns what the index keeps of a body's words (Body).
func (p Pairs) Read(text []byte) Body {
	words := p.words.Analyze(text)
	var codes Codes
	var buf []byte
	if n := len(words); n > 0 && len(p.common) > 0 && 2*words[n-1].Position <= maxCodes {
		codes = make(Codes, 2*words[n-1].Position)
	}
	prev, prevEnd := -1, 0 // where in buf the last pair written is, when it is a frequent pair ending at the word before
	for i, w := range words {
		code := p.common[string(w.Term)]
		if codes != nil {
			if w.Position < 1 || i > 0 && w.Position <= words[i-1].Position || 2*w.Position > len(codes) {
				codes = nil // a word at another's place
			} else {
				binary.LittleEndian.PutUint16(codes[2*(w.Position-1):], code)
			}
		}
		if i == 0 || code == 0 || p.none || !p.Common(string(words[i-1].Term)) {
			prev = -1
			continue
		}
		a := words[i-1]
		start := len(buf)
		buf = append(buf, a.Term...)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(w.Position-a.Position), 10)
		buf = append(buf, ' ')
		buf = append(buf, w.Term...)
		end := len(buf)
		frequent := p.frequent[string(buf[start:end])]
		if frequent && prev >= 0 {
			// The triple: the last pair's line, then this pair's gap and word.
			first := buf[prev:prevEnd]
			buf = append(buf, '\n')
			buf = append(buf, first...)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(w.Position-a.Position), 10)
			buf = append(buf, ' ')
			buf = append(buf, w.Term...)
		}
		buf = append(buf, '\n')
		prev = -1
		if frequent {
			prev, prevEnd = start, end
		}
	}
	if p.none {
		buf = p.appendRuns(buf, words)
	}
	return Body{Terms: Pack(withExact(text, words)), Pairs: string(buf), Codes: codes}
}

// MaxRun is the most terms in a row that a run has (RunTerm).
const MaxRun = 5

// RunTerm returns the term of terms at places in a row: a pair's
// (PairTerm) for two, a triple's (TripleTerm) for three, and so on.
func RunTerm(terms ...[]byte) string {
	var b []byte
	for i, t := range terms {
		if i > 0 {
			b = append(b, " 1 "...)
		}
		b = append(b, t...)
	}
	return string(b)
}

// appendRuns appends to buf, one a line, the frequent runs of words (a
// language whose terms are pairs of characters): each run of two to
// MaxRun terms at places in a row that is frequent. A run is frequent
// only where the run of one term fewer at its start is.
func (p Pairs) appendRuns(buf []byte, words analysis.TokenStream) []byte {
	if len(p.frequent) == 0 {
		return buf
	}
	var run []byte
	for i := range words {
		run = append(run[:0], words[i].Term...)
		for k := 1; k < MaxRun && i+k < len(words) && words[i+k].Position == words[i].Position+k; k++ {
			run = append(run, " 1 "...)
			run = append(run, words[i+k].Term...)
			if !p.frequent[string(run)] {
				break
			}
			buf = append(buf, run...)
			buf = append(buf, '\n')
		}
	}
	return buf
}

// Analyze returns the pairs that Read wrote, one a line.
func (p Pairs) Analyze(pairs []byte) analysis.TokenStream {
	var out analysis.TokenStream
	for start := 0; start < len(pairs); {
		end := bytes.IndexByte(pairs[start:], '\n')
		if end < 0 {
			end = len(pairs) - start
		}
		if end > 0 {
			out = append(out, &analysis.Token{Term: pairs[start : start+end : start+end], Start: start, End: start + end, Position: len(out) + 1, Type: analysis.AlphaNumeric})
		}
		start += end + 1
	}
	return out
}

// maxCodes bounds a body's codes: a body of more words than that (a
// megabyte of codes, half a million words) has none, and its phrases are
// checked in its text.
const maxCodes = 1 << 20

// Codes is a body's common terms at their places, two bytes a place,
// little-endian: the term's code (its place in the list of common terms,
// from 1), or 0 for any other word. A phrase of common words is checked
// in them (Holds) in a microsecond where reading the body's text to check
// it took 75 µs (a German manual page of 6,500 bytes).
type Codes []byte

// Coded is a phrase of common terms as Codes has them: each term's code
// and its place after the first term's.
type Coded []codedTerm

type codedTerm struct {
	code   uint16
	offset int
}

// Code returns phrase (terms of the pairs' words analyzer) as Codes has
// it; ok is false where one of its terms is not common.
func (p Pairs) Code(phrase analysis.TokenStream) (c Coded, ok bool) {
	if len(phrase) == 0 {
		return nil, false
	}
	c = make(Coded, len(phrase))
	for i, t := range phrase {
		c[i].code = p.common[string(t.Term)]
		c[i].offset = t.Position - phrase[0].Position
		if c[i].code == 0 || c[i].offset < 0 {
			return nil, false
		}
	}
	return c, true
}

// Holds reports whether the body of codes holds phrase: its terms at the
// same distances from each other, as Analyzer.HasPhrase finds it in the
// body's text.
//
// The phrase's first terms at places in a row are looked for as bytes
// (bytes.Index), the rest checked where they are found: a Japanese
// phrase that a third of the posts hold, each post's codes looked at
// place by place, took a quarter of its search (BenchmarkSearch).
func (codes Codes) Holds(phrase Coded) bool {
	if len(phrase) == 0 {
		return false
	}
	n := len(codes) / 2
	span := 0
	for _, t := range phrase {
		span = max(span, t.offset)
	}
	var buf [16]byte
	first := buf[:0] // the codes of the first terms in a row, as bytes
	run := 0
	for run < len(phrase) && phrase[run].offset == run && len(first) < len(buf) {
		first = binary.LittleEndian.AppendUint16(first, phrase[run].code)
		run++
	}
	at := func(place int) uint16 { return binary.LittleEndian.Uint16(codes[2*place:]) }
	for from := 0; ; {
		i := bytes.Index(codes[from:2*n], first)
		if i < 0 {
			return false
		}
		if (from+i)%2 != 0 { // across two places
			from += i + 1
			continue
		}
		place := (from + i) / 2
		if place+span >= n {
			return false
		}
		holds := true
		for _, t := range phrase[run:] {
			if at(place+t.offset) != t.code {
				holds = false
				break
			}
		}
		if holds {
			return true
		}
		from += i + 2
	}
}
