package terms

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Of two common terms next to each other a pair is made, with how many
// words apart they are (stop words counted as gaps); none where either
// term is not common. The index is given them one a line, and reads them
// back.
func TestPairs(t *testing.T) {
	p := NewPairs(New(), []string{"standard", "library", "state", "art", "go"})
	for _, c := range []struct {
		text string
		want []string
	}{
		{"The standard library's packages", []string{"standard 1 library"}},
		{"state of the art", []string{"state 3 art"}},
		{"a standard way to use a library", nil},
		{"library", nil},
		{"", nil},
		{"Go, go, GO!", []string{"go 1 go", "go 1 go"}},
	} {
		var got []string
		for _, tok := range p.Analyze([]byte(p.Read([]byte(c.text)).Pairs)) {
			got = append(got, string(tok.Term))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: pairs %q, want %q", c.text, got, c.want)
		}
	}
	if PairTerm([]byte("state"), []byte("art"), 3) != "state 3 art" {
		t.Errorf("PairTerm = %q", PairTerm([]byte("state"), []byte("art"), 3))
	}
}

// A phrase of common words is in a body's codes where it is in its text;
// a phrase with a word that is not common has no codes.
func TestCodes(t *testing.T) {
	p := NewPairs(New(), []string{"standard", "library", "state", "art", "go", "command"})
	codes := p.Read([]byte("The state of the art: the Go command, and the standard library's go commands.")).Codes
	for _, c := range []struct {
		phrase string
		holds  bool
	}{
		{"state of the art", true},
		{"state art", false},
		{"state in an art", true}, // stop words are gaps any word fills
		{"go command", true},
		{"go commands", true},
		{"standard library go command", true},
		{"library standard", false},
		{"art go", false}, // "the" is between them
		{"art the go", true},
	} {
		coded, ok := p.Code(New().Analyze([]byte(c.phrase)))
		if !ok {
			t.Errorf("%q: no codes for a phrase of common words", c.phrase)
			continue
		}
		if got := codes.Holds(coded); got != c.holds {
			t.Errorf("%q: Holds = %v, want %v", c.phrase, got, c.holds)
		}
	}
	if _, ok := p.Code(New().Analyze([]byte("standard packages"))); ok {
		t.Error(`"standard packages" has codes, though "package" is not common`)
	}
}

// FuzzCodes: in every language, a phrase of common words is in a body's
// codes exactly where the analyzer finds it in the body's text; and the
// body's terms read with its codes are those the index's analyzer makes.
func FuzzCodes(f *testing.F) {
	for _, c := range [][3]string{
		{"en", "The standard library's packages, the Go command.", "standard library"},
		{"en", "the go command and the go commands", "the go commands"},
		{"fr", "L'École d’été à Paris : les élèves de l'école", "l'ecole d'ete"},
		{"de", "Die Übersetzung der Straße; UEBERSETZUNGEN und Strassen", "ubersetzung der strasse"},
		{"ja", "東京タワーの京都、ﾀﾜｰ と Go 言語", "東京タワー"},
		{"ru", "Я прочитал книгу о Москве. Книги и Ёлка", "книгу о москве"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, lang, text, phrase string) {
		a, p, ok := everyWordCommon(lang, text, phrase)
		if !ok {
			return
		}
		body := p.Read([]byte(text))
		indexed, err := registry.NewCache().AnalyzerNamed(NameFor(Language(lang)))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := termsOf(body.Terms.Tokens()), termsOf(indexed.Analyze([]byte(text))); !slices.Equal(got, want) {
			t.Fatalf("%s: %q: terms read with the codes\n%q\nthe index's analyzer\n%q", lang, text, got, want)
		}
		codes := body.Codes
		query := a.Analyze([]byte(phrase))
		coded, ok := p.Code(query)
		if !ok || codes == nil {
			return
		}
		if got, want := codes.Holds(coded), a.HasPhrase(text, query); got != want {
			t.Fatalf("%s: %q holds %q: codes say %v, the text %v", lang, text, phrase, got, want)
		}
	})
}

// tokenStrings writes each token whole: its term, bytes, place and type.
func tokenStrings(stream analysis.TokenStream) []string {
	out := make([]string, len(stream))
	for i, t := range stream {
		out[i] = fmt.Sprintf("%q %d-%d @%d %v", t.Term, t.Start, t.End, t.Position, t.Type)
	}
	return out
}

// FuzzPacked: the terms of a stream packed are its terms unpacked,
// whatever their bytes; bytes that are no packed stream unpack to what
// they can.
func FuzzPacked(f *testing.F) {
	f.Add("L'école d’été, ÉCOLE", []byte{3, 'a', 'b', 'c', 0, 3, 1, 0})
	f.Add("東京タワー and more", []byte{200, 1})
	f.Fuzz(func(t *testing.T, text string, junk []byte) {
		a, err := For("fr")
		if err != nil {
			t.Fatal(err)
		}
		stream := withExact([]byte(text), a.Analyze([]byte(text)))
		if got, want := termsOf(Pack(stream).Tokens()), termsOf(stream); !slices.Equal(got, want) {
			t.Fatalf("%q: unpacked\n%q\npacked\n%q", text, got, want)
		}
		Packed(junk).Tokens()
	})
}

// termsOf returns the terms of stream.
func termsOf(stream analysis.TokenStream) []string {
	out := make([]string, len(stream))
	for i, t := range stream {
		out[i] = string(t.Term)
	}
	return out
}

// Of two frequent pairs in a row a triple is made, with both gaps;
// none where a pair in the row is not frequent, or the run of common
// words breaks.
func TestTriples(t *testing.T) {
	p := NewPairs(New(), []string{"mario", "rossi", "go", "command", "state", "art"}).
		WithFrequent([]string{"mario 1 rossi", "rossi 1 mario", "go 1 command", "state 3 art"})
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Mario Rossi", []string{"mario 1 rossi"}},
		{"Rossi Mario Rossi", []string{"rossi 1 mario", "mario 1 rossi", "rossi 1 mario 1 rossi"}},
		{"Mario Rossi Mario Rossi", []string{"mario 1 rossi", "rossi 1 mario", "mario 1 rossi 1 mario", "mario 1 rossi", "rossi 1 mario 1 rossi"}},
		{"the go command state", []string{"go 1 command", "command 1 state"}},
		{"state of the art go", []string{"state 3 art", "art 1 go"}},
		{"go command, or a state of the art", []string{"go 1 command", "command 3 state", "state 3 art"}},
		{"Mario X Rossi", nil},
	} {
		var got []string
		for _, tok := range p.Analyze([]byte(p.Read([]byte(c.text)).Pairs)) {
			got = append(got, string(tok.Term))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: terms %q, want %q", c.text, got, c.want)
		}
	}
	if got := TripleTerm([]byte("state"), []byte("art"), []byte("go"), 3, 1); got != "state 3 art 1 go" {
		t.Errorf("TripleTerm = %q", got)
	}
}

// FuzzTriples: where every pair of a body is frequent, a phrase of three
// common words is its triple in the body's pairs exactly where the
// analyzer finds the phrase in the body's text.
func FuzzTriples(f *testing.F) {
	for _, c := range [][3]string{
		{"en", "Mario Rossi, Mario Rossi: the standard library of Go", "rossi mario rossi"},
		{"en", "state of the art go state art go", "state of the art go"},
		{"de", "Blättermann Mario Blättermann und Mario", "blättermann mario blättermann"},
		{"fr", "l'école d'été de l'école", "l'école d'été de"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, lang, text, phrase string) {
		a, p, ok := everyWordCommon(lang, text, phrase)
		if !ok {
			return
		}
		query := a.Analyze([]byte(phrase))
		if len(query) != 3 {
			return
		}
		frequent := strings.Split(p.Read([]byte(text)).Pairs, "\n")
		for i := 1; i < 3; i++ {
			frequent = append(frequent, PairTerm(query[i-1].Term, query[i].Term, query[i].Position-query[i-1].Position))
		}
		p = p.WithFrequent(frequent)
		triple := TripleTerm(query[0].Term, query[1].Term, query[2].Term, query[1].Position-query[0].Position, query[2].Position-query[1].Position)
		has := slices.Contains(strings.Split(p.Read([]byte(text)).Pairs, "\n"), triple)
		if want := a.HasPhrase(text, query); has != want {
			t.Fatalf("%s: %q: the triple %q is in its pairs: %v; the text holds %q: %v", lang, text, triple, has, phrase, want)
		}
	})
}

// everyWordCommon returns the analyzer of lang (as a fuzzer gives it) and
// the pairs of every term of text and phrase; ok is false where lang has
// no analyzer.
func everyWordCommon(lang, text, phrase string) (a Analyzer, p Pairs, ok bool) {
	a, err := For(Language(lang))
	if err != nil {
		return a, p, false
	}
	a = a.Plain()
	var common []string
	for _, tok := range a.Analyze([]byte(text + " " + phrase)) {
		common = append(common, string(tok.Term))
	}
	slices.Sort(common)
	return a, NewPairs(a, slices.Compact(common)), true
}

// Chinese, Japanese and Korean, whose terms are pairs of characters, have
// no pairs of them; their common terms have codes all the same, where a
// phrase of them is checked.
func TestNoPairsOfCharacterPairs(t *testing.T) {
	for lang, c := range map[string][2]string{
		"ja": {"東京タワーの京都、東京タワーと Go 言語", "東京タワー"},
		"zh": {"我在北京学习中文，北京很大。", "北京学习"},
		"ko": {"서울에서 한국어를 배웁니다. 서울은 큽니다.", "한국어를"},
	} {
		a, p, ok := everyWordCommon(lang, c[0], c[1])
		if !ok {
			t.Fatalf("%s: no analyzer", lang)
		}
		body := p.Read([]byte(c[0]))
		if body.Pairs != "" {
			t.Errorf("%s: %q has pairs %q", lang, c[0], body.Pairs)
		}
		phrase := a.Analyze([]byte(c[1]))
		if len(phrase) < 2 || p.Paired(string(phrase[0].Term), string(phrase[1].Term)) {
			t.Errorf("%s: %q is %d terms, the first two paired", lang, c[1], len(phrase))
		}
		coded, ok := p.Code(phrase)
		if !ok || body.Codes == nil || !body.Codes.Holds(coded) {
			t.Errorf("%s: the codes of %q do not hold %q", lang, c[0], c[1])
		}
	}
	a, p, _ := everyWordCommon("fr", "la bibliothèque standard", "bibliothèque standard")
	if p.Read([]byte("la bibliothèque standard")).Pairs == "" || !p.Paired(string(a.Analyze([]byte("bibliothèque"))[0].Term), string(a.Analyze([]byte("standard"))[0].Term)) {
		t.Error("French has no pairs")
	}
}

// FuzzRuns: in a language whose terms are pairs of characters, a phrase
// of two to MaxRun terms that is a frequent run (every run of it from its
// first term frequent) is among a body's runs exactly where the analyzer
// finds the phrase in the body's text.
func FuzzRuns(f *testing.F) {
	for _, c := range [][3]string{
		{"ja", "東京タワーの京都、東京と京タワー", "東京タワー"},
		{"ja", "ファイルを指定します。ファイル", "ファイルを"},
		{"zh", "我在北京学习中文，北京很大。", "北京学习"},
		{"ko", "서울에서 한국어를 배웁니다", "한국어를"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, lang, text, phrase string) {
		a, p, ok := everyWordCommon(lang, text, phrase)
		if !ok || !p.Runs() {
			return
		}
		query := a.Analyze([]byte(phrase))
		if len(query) < 2 || len(query) > MaxRun {
			return
		}
		terms := make([][]byte, len(query))
		var frequent []string
		for i, q := range query {
			if q.Position != query[0].Position+i {
				return
			}
			terms[i] = q.Term
			if i > 0 {
				frequent = append(frequent, RunTerm(terms[:i+1]...))
			}
		}
		p = p.WithFrequent(frequent)
		if !p.Run(terms...) {
			t.Fatalf("%q: not a run, with its runs frequent", phrase)
		}
		has := slices.Contains(strings.Split(p.Read([]byte(text)).Pairs, "\n"), RunTerm(terms...))
		if want := a.HasPhrase(text, query); has != want {
			t.Fatalf("%s: %q: the run of %q is in its runs: %v; the text holds it: %v", lang, text, phrase, has, want)
		}
	})
}
