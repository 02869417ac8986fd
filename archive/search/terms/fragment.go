package terms

import (
	"bytes"
	"cmp"
	"html"
	"mailbag/internal/scratch"
	"slices"
	"strings"
	"unicode/utf8"
)

// A hit's fragment is made from the post's text, not kept in the index
// (which holds the body's terms, not its text nor their positions: much
// less to write and to keep): the passage of at most snippetBytes
// that shows the most of the query's words, from the start of a word to
// the end of one, each matching word in <mark>.

// snippetBytes is about how long a fragment is.
const snippetBytes = 240

// word is one word of a text the query looks for: its bytes and its term.
type word struct {
	Start, End int
	Term       string
}

// words finds the words of text that are terms, as the index's analyzer
// splits and makes them (eachWord, termOf, singular). Only the stretches of
// text that may hold one are split into words (stretches): splitting the
// whole of each hit's post was a quarter of a search's time.
func (a Analyzer) words(text string, terms map[string]bool) []word {
	var out []word
	if a.chain != nil {
		return a.chain.found([]byte(text), terms)
	}
	buf := lowerCopy(text)
	defer scratch.GiveBack(buf)
	lowered := *buf
	var starts startSet
	for t := range terms {
		markStart(&starts, t)
	}
	for _, st := range stretches(lowered, terms) {
		eachWord(lowered[st.from:st.to], func(start, end int) {
			start, end = start+st.from, end+st.from
			if !starts.may(lowered[start]) {
				return
			}
			if t := a.term(lowered[start:end]); terms[string(t)] {
				out = append(out, word{Start: start, End: end, Term: string(t)})
			}
		})
	}
	return out
}

// Words returns the words of text whose terms are among terms, as text
// writes them, in order.
func (a Analyzer) Words(text string, terms map[string]bool) []string {
	var out []string
	for _, w := range a.words(text, terms) {
		out = append(out, text[w.Start:w.End])
	}
	return out
}

// stretch is a part of a text, from white space (or its start) to white
// space (or its end): white space ends any word, so the text's words there
// are the stretch's.
type stretch struct{ from, to int }

// stretches returns the parts of lowered (a text with its ASCII letters in
// lower case), in order and apart, that hold every word whose term may be
// one of terms: those around each place where a term's start is, found by
// bytes.Index. A word of a term starts with the term's letters but a last
// y ("libraries", library) as far as they are ASCII; where that cannot be
// told (a term that starts beyond ASCII, a text with one of the two
// letters Unicode lower-cases into ASCII), the stretch is the whole text.
func stretches(lowered []byte, terms map[string]bool) []stretch {
	whole := []stretch{{0, len(lowered)}}
	if bytes.Contains(lowered, []byte("\u0130")) || bytes.Contains(lowered, []byte("\u212a")) { // İ and the Kelvin sign: i and k
		return whole
	}
	if Accented(lowered) { // "école" is the term "ecole", which bytes.Index does not find in it
		return whole
	}
	var found []stretch // where each term's start is
	for t := range terms {
		needle := strings.TrimSuffix(t, "y")
		if i := strings.IndexFunc(needle, func(r rune) bool { return r >= utf8.RuneSelf }); i >= 0 {
			needle = needle[:i]
		}
		if needle == "" || strings.ContainsAny(needle, " \t\n\r\f") {
			return whole
		}
		eachPlace(lowered, needle, func(at int) int {
			found = append(found, stretch{at, at + len(needle)})
			return at + len(needle)
		})
	}
	slices.SortFunc(found, func(a, b stretch) int { return a.from - b.from })
	var out []stretch
	for _, f := range found {
		if n := len(out); n > 0 && f.from < out[n-1].to {
			continue // in the last stretch: no white space is in a needle
		}
		out = append(out, stretch{spaceBefore(lowered, f.from), spaceAfter(lowered, f.to)})
	}
	return out
}

// spaceBefore returns where the stretch of text around i starts: after the white
// space before i, else at 0.
func spaceBefore(text []byte, i int) int {
	for i > 0 && !isSpace(text[i-1]) {
		i--
	}
	return i
}

// spaceAfter returns where the stretch of text around i ends: at the white space
// from i on, else at the end.
func spaceAfter(text []byte, i int) int {
	for i < len(text) && !isSpace(text[i]) {
		i++
	}
	return i
}

// isSpace reports whether c is ASCII white space, as regexp's \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'
}

// wordsBack returns where the nth word before offset at starts (0 when there
// are fewer).
func wordsBack(text string, at, n int) int {
	for ; n > 0 && at > 0; n-- {
		for at > 0 { // the gap before
			r, size := utf8.DecodeLastRuneInString(text[:at])
			if isWordRune(r) {
				break
			}
			at -= size
		}
		for at > 0 { // the word
			r, size := utf8.DecodeLastRuneInString(text[:at])
			if !isWordRune(r) {
				break
			}
			at -= size
		}
	}
	return at
}

// wordEnd returns the end of the last whole word that ends at or before limit
// (which may fall inside a word), after start; limit itself when none.
func wordEnd(text string, start, limit int) int {
	for limit > start && !utf8.RuneStart(text[limit]) {
		limit--
	}
	at := limit
	if r, _ := utf8.DecodeRuneInString(text[at:]); isWordRune(r) { // inside a word: go back to its start
		for at > start {
			r, size := utf8.DecodeLastRuneInString(text[:at])
			if !isWordRune(r) {
				break
			}
			at -= size
		}
	}
	for at > start { // and back over the gap
		r, size := utf8.DecodeLastRuneInString(text[:at])
		if isWordRune(r) {
			break
		}
		at -= size
	}
	if at == start {
		return limit
	}
	return at
}

// Fragment returns the passage of text that shows the most of terms, as HTML:
// escaped, the matching words in <mark>, "…" where the text goes on. With
// no match, it is the start of the text, and matched is false. In
// Chinese, Japanese and Korean the passage is chosen by the terms as the
// text writes them (cjkWindow).
func (a Analyzer) Fragment(text string, terms map[string]bool) (frag string, matched bool) {
	if text == "" {
		return "", false
	}
	var hits []word
	start := 0 // byte offset the fragment starts at
	if from, p, ok := a.cjkWindow(text, terms); ok {
		hits = joinOverlaps(a.words(text[p.from:p.to], terms))
		for i := range hits {
			hits[i].Start += p.from
			hits[i].End += p.from
		}
		start = from
	}
	if len(hits) == 0 {
		hits = joinOverlaps(a.words(text, terms))
		start = 0
		if len(hits) > 0 {
			start = bestStart(text, hits)
		}
	}
	end := windowEnd(text, start)
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	at := start
	for _, t := range hits {
		if t.Start < start || t.End > end {
			continue
		}
		b.WriteString(html.EscapeString(text[at:t.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[t.Start:t.End]))
		b.WriteString("</mark>")
		at = t.End
	}
	b.WriteString(html.EscapeString(text[at:end]))
	if end < len(text) {
		b.WriteString(" …")
	}
	return strings.TrimSpace(foldSpaces(b.String())), len(hits) > 0
}

// joinOverlaps returns words, in order, with those that overlap made one:
// Chinese and Japanese terms are pairs of characters, each sharing one
// with the next ("東京都" is 東京 and 京都), and a mark must not start
// inside the last.
func joinOverlaps(words []word) []word {
	out := words[:0:0]
	for _, w := range words {
		if n := len(out); n > 0 && w.Start < out[n-1].End {
			out[n-1].End = max(out[n-1].End, w.End)
			continue
		}
		out = append(out, w)
	}
	return out
}

// eachPlace calls found with each place lowered has needle, from the
// start; found returns where to look on from, past that place.
func eachPlace(lowered []byte, needle string, found func(at int) (next int)) {
	for at := 0; needle != ""; {
		i := bytes.Index(lowered[at:], []byte(needle))
		if i < 0 {
			return
		}
		at = found(at + i)
	}
}

// bestStart returns where the window of text that shows the most of
// hits starts: each window starts a few words before a match; the best
// has the most different words of the query, then the most matches. The
// windows move forward, so that each match enters and leaves once.
func bestStart(text string, hits []word) int {
	start, bestScore, in, left, right := 0, -1, map[string]int{}, 0, 0
	for _, h := range hits {
		from := wordsBack(text, h.Start, 3)
		for ; right < len(hits) && hits[right].End <= from+snippetBytes; right++ {
			in[hits[right].Term]++
		}
		for ; left < right && hits[left].Start < from; left++ {
			if in[hits[left].Term]--; in[hits[left].Term] == 0 {
				delete(in, hits[left].Term)
			}
		}
		if score := 1000*len(in) + (right - left); score > bestScore {
			start, bestScore = from, score
		}
	}
	return start
}

// windowEnd returns where a fragment of text from start ends: at the end
// of a word about snippetBytes on, or the text's end.
func windowEnd(text string, start int) int {
	if start+snippetBytes < len(text) {
		return wordEnd(text, start, start+snippetBytes)
	}
	return len(text)
}

// cjkWindow returns, in Chinese, Japanese or Korean, where a fragment's
// window starts (from) and the words around that window (p), whose
// analysis alone gives the fragment's marks. The window is chosen by
// where the text has the terms as written, its ASCII letters lowered: a
// term of plain runes is written as the index has it (though not every
// pair written across the edge of two words is a term). What it buys:
// a Japanese post with a phrase of common pairs (する, in most
// sentences) had nearly all its text analysed for one fragment;
// 「を指定するこ」, 1,429 posts, 43% of its search (BenchmarkSearch).
// ok is false where the window cannot be chosen so: another language, a
// term not plain, a text not composed, or no term as written.
func (a Analyzer) cjkWindow(text string, terms map[string]bool) (from int, p stretch, ok bool) {
	if a.chain == nil || !a.chain.cjk {
		return 0, stretch{}, false
	}
	for t := range terms {
		if !plainTerm(t) {
			return 0, stretch{}, false
		}
	}
	buf := lowerCopy(text) // composed, and its words where text's are, as text
	defer scratch.GiveBack(buf)
	lowered := *buf
	if !composed(lowered) {
		return 0, stretch{}, false
	}
	var written []word
	for t := range terms {
		eachPlace(lowered, t, func(at int) int {
			written = append(written, word{Start: at, End: at + len(t), Term: t})
			return at + len(t)
		})
	}
	if len(written) == 0 {
		return 0, stretch{}, false
	}
	slices.SortFunc(written, func(a, b word) int {
		return cmp.Or(a.Start-b.Start, a.End-b.End, strings.Compare(a.Term, b.Term))
	})
	from = bestStart(text, joinOverlaps(written))
	return from, wordsAround(lowered, from, windowEnd(text, from)), true
}

// foldSpaces returns s with each run of white space (isSpace) made one space.
func foldSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			b.WriteByte(s[i])
			continue
		}
		b.WriteByte(' ')
		for i+1 < len(s) && isSpace(s[i+1]) {
			i++
		}
	}
	return b.String()
}
