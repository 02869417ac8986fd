package terms

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestFragment: a fragment starts and ends on word boundaries, a few words
// before the best match, marks each matching word (plurals and case
// too), escapes the text, and says "…" where the text goes on.
func TestFragment(t *testing.T) {
	long := strings.Repeat("Filler words go here again and again. ", 20)
	text := long + "Ask your Managers <why> the manager's plan & the managers' roadmap differ. " + long
	frag, matched := New().Fragment(text, map[string]bool{"manager": true, "roadmap": true})
	if !matched {
		t.Fatal("no match")
	}
	for _, want := range []string{"<mark>Managers</mark>", "<mark>manager&#39;s</mark>", "<mark>roadmap</mark>", "&lt;why&gt;", "&amp;"} {
		if !strings.Contains(frag, want) {
			t.Errorf("no %q in %q", want, frag)
		}
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(frag, "… "), " …")
	if !strings.HasPrefix(frag, "… ") || !strings.HasSuffix(frag, " …") || !strings.Contains(long, strings.Fields(inner)[0]+" ") {
		t.Errorf("not cut on words: %q", frag)
	}
	if last := strings.Fields(inner)[len(strings.Fields(inner))-1]; !strings.Contains(text, " "+last+" ") && !strings.Contains(text, " "+last) {
		t.Errorf("ends inside a word: %q", last)
	}
	if len(inner) > snippetBytes+200 { // marks and escapes add to it
		t.Errorf("%d bytes: %q", len(inner), frag)
	}
	// No match: the start of the text.
	if frag, matched := New().Fragment("Plain words only, nothing more.", map[string]bool{"zebra": true}); matched || frag != "Plain words only, nothing more." {
		t.Errorf("no match: %q %v", frag, matched)
	}
	// One word longer than a fragment is cut, not lost.
	huge := strings.Repeat("x", 1000)
	if frag, _ := New().Fragment(huge, map[string]bool{"y": true}); frag == "" || len(frag) > snippetBytes+10 {
		t.Errorf("a huge word: %d bytes", len(frag))
	}
}

// wordsEverywhere is words by splitting the whole text: what words finds
// looking only where the terms' letters are.
func wordsEverywhere(text string, terms map[string]bool) []word {
	var out []word
	lowered := []byte(text)
	lowerASCII(lowered)
	eachWord(lowered, func(start, end int) {
		if t := New().term(lowered[start:end]); terms[string(t)] {
			out = append(out, word{Start: start, End: end, Term: string(t)})
		}
	})
	return out
}

// FuzzWords: the words of a text that are a query's terms are found where
// the terms' letters are just as by splitting the whole text: plurals in
// -ies, possessives, words run together, letters beyond ASCII, and the two
// that lower-case into ASCII.
func FuzzWords(f *testing.F) {
	for _, c := range [][2]string{
		{"Libraries, a library's LIBRARY.\tlibrary-ish", "library"},
		{"go-to good ago GO\nGoing go's", "go"},
		{"Café CAFÉ cafés\u00a0café's", "café"},
		{"Cafe café re\u0301union réunion", "cafe reunion"},
		{"\u212aelvin and kelvin", "kelvin"},
		{"\u0130stanbul istanbul", "istanbul"},
		{"Ünïcödé wörds and 漢字の文", "字 wörds"},
		{"x y  z\f\fx's", "x y"},
		{"don't  stop' 'em", "don stop em"},
	} {
		f.Add(c[0], c[1])
	}
	a := textAnalyzer(f)
	f.Fuzz(func(t *testing.T, text, q string) {
		terms := map[string]bool{}
		for _, tok := range a.Analyze([]byte(q)) {
			terms[string(tok.Term)] = true
		}
		if got, want := New().words(text, terms), wordsEverywhere(text, terms); !slices.Equal(got, want) {
			t.Fatalf("in %q for %q: found %v, splitting the whole text finds %v", text, q, got, want)
		}
	})
}

// TestFoldSpaces: runs of white space are one space, other characters
// are kept.
func TestFoldSpaces(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"a":                 "a",
		" \t\na  b\r\n\fc ": " a b c ",
		"a\u00a0 b":         "a\u00a0 b",
	} {
		if got := foldSpaces(in); got != want {
			t.Errorf("foldSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzComposed: composed says whether a text is composed (NFC) just as
// norm does.
func FuzzComposed(f *testing.F) {
	for _, s := range []string{"東京タワー", "re\u0301union", "が", "か\u3099", "ﾀﾜｰ‐“引用”", "한국어", "\u1100\u1161", "Å", "A\u030a", "\U0001F600", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := composed([]byte(text)), norm.NFC.IsNormalString(text); got != want {
			t.Fatalf("%q: composed %v, norm says %v", text, got, want)
		}
	})
}

// A Japanese fragment is of the passage where the query's terms are most,
// as the text writes them, though a term of the query is in every
// sentence: here the one sentence with the whole phrase, far into the
// text.
func TestFragmentOfAPassage(t *testing.T) {
	a, err := For(Language("ja"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("設定を変更することができます。", 40) + "ここでファイルを指定することができます。" + strings.Repeat("変更することもできます。", 20)
	terms := map[string]bool{}
	for _, tok := range a.Analyze([]byte("を指定するこ")) {
		terms[string(tok.Term)] = true
	}
	frag, matched := a.Fragment(text, terms)
	if !matched || !strings.Contains(frag, "ファイル<mark>を指定するこ</mark>と") {
		t.Errorf("fragment %q, want the sentence with the phrase marked", frag)
	}
}

// FuzzFragmentPassage: in Chinese, Japanese and Korean, a fragment's
// window is in the passage analysed for it, whose words, analysed alone,
// are the words the whole text has there: its marks are the whole
// text's.
func FuzzFragmentPassage(f *testing.F) {
	for _, c := range [][2]string{
		{"東京で新しいプロジェクトを始めました。東京都の会議です。", "東京"},
		{"設定を変更することができます。ファイルを指定することができます。", "を指定するこ"},
		{"我明天要去北京参加会议。", "北京会议"},
		{"ﾀﾜｰ 東京タワー Tokyo tower 東京　タワー", "東京タワー tower"},
		{"서울에서 만나요. 서울 시청", "서울"},
	} {
		f.Add(c[0], c[1])
	}
	a, err := For(Language("ja"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text, q string) {
		terms := map[string]bool{}
		for _, tok := range a.Analyze([]byte(q)) {
			terms[string(tok.Term)] = true
		}
		from, p, ok := a.cjkWindow(text, terms)
		if !ok {
			return
		}
		if end := windowEnd(text, from); from < p.from || end > p.to {
			t.Fatalf("in %q for %q, the window %d–%d is not all in the passage %d–%d", text, q, from, end, p.from, p.to)
		}
		var want []word
		for _, w := range a.words(text, terms) {
			if w.Start >= p.from && w.End <= p.to {
				want = append(want, w)
			}
		}
		got := a.words(text[p.from:p.to], terms)
		for i := range got {
			got[i].Start += p.from
			got[i].End += p.from
		}
		if !slices.Equal(got, want) {
			t.Fatalf("in %q for %q, the passage %d–%d alone has %v, the whole text %v there", text, q, p.from, p.to, got, want)
		}
	})
}
