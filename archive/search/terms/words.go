package terms

import (
	"bytes"
	"mailbag/internal/scratch"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// How the archive splits text into words and makes them terms. The index's
// analyzer (analysis.go) and the fragments of hits (snippet.go) use the
// same two functions, so a fragment marks exactly the words a search found.

// eachWord calls fn with the byte offsets of each word of text, in order.
// A word is a run of letters, digits, combining marks and _, with an
// apostrophe inside it where a letter follows ("manager's", "don't"); each
// Han ideograph and each hiragana is a word of its own, as Unicode's word
// segmentation (UAX #29) has them. Everything else separates words.
func eachWord(text []byte, fn func(start, end int)) {
	start := -1
	end := func(i int) {
		if start >= 0 {
			fn(start, i)
			start = -1
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case asciiWordByte[c]:
				if start < 0 {
					start = i
				}
			case c == '\'' && start >= 0 && letterAt(text, i+1):
			default:
				end(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana):
			end(i)
			fn(i, i+size)
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case (r == '’' || r == '＇') && start >= 0 && letterAt(text, i+size):
		default:
			end(i)
		}
		i += size
	}
	end(len(text))
}

// asciiWordByte marks the ASCII bytes that are part of words.
var asciiWordByte = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	return t
}()

// isWordRune reports whether r is part of a word: a letter, a digit, a
// combining mark, _.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWordByte[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// letterAt reports whether a letter starts at text[i].
func letterAt(text []byte, i int) bool {
	if i >= len(text) {
		return false
	}
	if c := text[i]; c < utf8.RuneSelf {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	r, _ := utf8.DecodeRune(text[i:])
	return unicode.IsLetter(r)
}

// termOf returns the term of a word as the index has it, before stop words and
// plurals: lower case, without an English possessive ("Manager's" is
// "manager"). lowered is the word with its ASCII letters already in lower
// case (a word of ASCII letters is its own term, and no copy is made).
func termOf(lowered []byte) []byte {
	if nonASCII(lowered) {
		lowered = norm.NFC.Bytes(bytes.ToLower(lowered))
	}
	for _, s := range possessives {
		if bytes.HasSuffix(lowered, s) {
			return lowered[:len(lowered)-len(s)]
		}
	}
	return lowered
}

// possessives are the endings of English possessives, with each apostrophe
// eachWord keeps inside a word.
var possessives = [][]byte{[]byte("'s"), []byte("’s"), []byte("＇s")}

// lowerASCII lower-cases the ASCII letters of b in place.
func lowerASCII(b []byte) {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// nonASCII reports whether b has a byte outside ASCII, where lower-casing
// needs more than lowerASCII.
func nonASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// lowerCopy returns a borrowed copy of text with its ASCII letters in lower
// case; give it back with scratch.GiveBack.
func lowerCopy(text string) *[]byte {
	b := scratch.Borrow(len(text))
	copy(*b, text)
	lowerASCII(*b)
	return b
}

// composed reports whether text is composed (Unicode NFC), as
// norm.NFC.IsNormal does, but faster: a text whose every rune is stable
// (stableRunes) is composed; another is given to norm. norm's IsNormal
// took 8 ns a byte of Japanese, this 1.5 (BenchmarkAnalyzers
// "composed"); it was a third of each Japanese hit's fragment.
func composed(text []byte) bool {
	stable := stableRunes()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if r >= 1<<16 || stable[r/64]&(1<<(r%64)) == 0 {
			return norm.NFC.IsNormal(text)
		}
		i += size
	}
	return true
}

// stableRunes returns the runes of the Basic Multilingual Plane that are
// composed alone and that no rune before them composes with (NFC's quick
// check says yes, combining class 0), one bit each: a text of them alone
// is composed.
var stableRunes = sync.OnceValue(func() *[1 << 10]uint64 {
	var out [1 << 10]uint64
	for r := rune(0); r < 1<<16; r++ {
		s := string(r)
		if p := norm.NFC.PropertiesString(s); utf8.ValidRune(r) && p.CCC() == 0 && p.BoundaryBefore() && norm.NFC.IsNormalString(s) {
			out[r/64] |= 1 << (r % 64)
		}
	}
	return &out
})
