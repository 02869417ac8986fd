package terms

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

func TestSingular(t *testing.T) {
	for in, want := range map[string]string{
		"managers": "manager", "manager": "manager", "management": "management", "queries": "query",
		"stories": "story", "plays": "play", "boxes": "boxe", "goroutines": "goroutine", "generics": "generic",
		"class": "class", "bus": "bus", "status": "status", "is": "is", "gas": "gas", "toes": "toe",
		"shoes": "shoe", "trees": "tree", "products": "product", "production": "production",
		"series": "sery", // not a word, but the same for every "series", as in Lucene
		"news":   "news", // not "new"
	} {
		if got := string(singular([]byte(in))); got != want {
			t.Errorf("singular(%q) = %q, want %q", in, got, want)
		}
	}
}

// textAnalyzer is the index's analyzer, as the mapping finds it.
func textAnalyzer(t testing.TB) analysis.Analyzer {
	t.Helper()
	a, err := registry.NewCache().AnalyzerNamed(Name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type term struct {
	Term     string
	Position int
	Text     string // what of the text it was made of
}

func analyze(t testing.TB, text string) []term {
	var out []term
	for _, tok := range textAnalyzer(t).(Analyzer).Plain().Analyze([]byte(text)) {
		out = append(out, term{string(tok.Term), tok.Position, text[tok.Start:tok.End]})
	}
	return out
}

func TestAnalyzer(t *testing.T) {
	for _, c := range []struct {
		text string
		want []term
	}{
		{"The Manager's managers", []term{{"manager", 2, "Manager's"}, {"manager", 3, "managers"}}},
		{"don't stop_words; it's", []term{{"stop_word", 2, "stop_words"}}}, // "don't", "it" are stop words
		{"state of the art", []term{{"state", 1, "state"}, {"art", 4, "art"}}},
		{"go1.22 and 3.14", []term{{"go1", 1, "go1"}, {"22", 2, "22"}, {"3", 4, "3"}, {"14", 5, "14"}}},
		{"ÉCOLE’s Straße", []term{{"ecole", 1, "ÉCOLE’s"}, {"strasse", 2, "Straße"}}}, // accents folded
		{"cafe\u0301s", []term{{"cafe", 1, "cafe\u0301s"}}},                           // a combining accent is part of the word, and folded
		{"日本語のテキスト", []term{{"日", 1, "日"}, {"本", 2, "本"}, {"語", 3, "語"}, {"の", 4, "の"}, {"テキスト", 5, "テキスト"}}},
		{"'quoted' words' end", []term{{"quoted", 1, "quoted"}, {"word", 2, "words"}, {"end", 3, "end"}}},
		{"", nil},
	} {
		if got := analyze(t, c.text); !slices.Equal(got, c.want) {
			t.Errorf("Analyze(%q) =\n %+v\nwant\n %+v", c.text, got, c.want)
		}
	}
}

// As bleve has it, the analyzer gives a word written with accents its
// exact form too, after its term, at its place: "école" ranks the posts
// that write it so first, "ecole" finds them all. In other languages too,
// after elision and stemming.
func TestExactForms(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		want       []term
	}{
		{"en", "ÉCOLE’s résumés resume", []term{{"ecole", 1, "ÉCOLE’s"}, {"ecole\x00école", 1, "ÉCOLE’s"}, {"resume", 2, "résumés"}, {"resume\x00résumé", 2, "résumés"}, {"resume", 3, "resume"}}},
		{"en", "Straße naïve", []term{{"strasse", 1, "Straße"}, {"strasse\x00straße", 1, "Straße"}, {"naive", 2, "naïve"}, {"naive\x00naïve", 2, "naïve"}}},
		{"fr", "l'école des élèves", []term{{"ecol", 1, "l'école"}, {"ecol\x00écol", 1, "l'école"}, {"elev", 3, "élèves"}, {"elev\x00élèv", 3, "élèves"}}},
		{"de", "Die Übersetzung", []term{{"ubersetzung", 2, "Übersetzung"}, {"ubersetzung\x00übersetzung", 2, "Übersetzung"}}},
		{"ru", "москва", []term{{"москв", 1, "москва"}}},
	} {
		a, err := registry.NewCache().AnalyzerNamed(NameFor(c.lang))
		if err != nil {
			t.Fatal(err)
		}
		var got []term
		for _, tok := range a.Analyze([]byte(c.text)) {
			got = append(got, term{string(tok.Term), tok.Position, c.text[tok.Start:tok.End]})
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Analyze(%q) =\n %+v\nwant\n %+v", c.lang, c.text, got, c.want)
		}
	}
	if !Exact(ExactForms("ecole")+"école") || Exact("ecole") || Exact("москва") {
		t.Error("Exact does not tell an exact form from a term")
	}
}

// FuzzAnalyzer checks that the analyzer's tokens lie in the text, in
// order, and that the fragments of a hit (words) find exactly the words the
// index has: what a search found is what it marks. The exact forms bleve's
// analyzer adds each follow their term, at its place.
func FuzzAnalyzer(f *testing.F) {
	for _, s := range []string{"The Manager's managers", "日本語のテキスト", "cafe\u0301s", "a'b'c ’s '", "\xff\xfe ok", "x\u0301\u0301"} {
		f.Add(s)
	}
	withExact := textAnalyzer(f)
	a := withExact.(Analyzer).Plain()
	f.Fuzz(func(t *testing.T, text string) {
		tokens := a.Analyze([]byte(text))
		var prev *analysis.Token
		n := 0
		for _, tok := range withExact.Analyze([]byte(text)) {
			if Exact(string(tok.Term)) {
				if prev == nil || tok.Start != prev.Start || tok.End != prev.End || tok.Position != prev.Position {
					t.Fatalf("exact form %q not at its term's place in %q", tok.Term, text)
				}
				continue
			}
			if n >= len(tokens) || string(tok.Term) != string(tokens[n].Term) {
				t.Fatalf("bleve's analyzer has other terms than the plain one in %q", text)
			}
			prev, n = tok, n+1
		}
		if n != len(tokens) {
			t.Fatalf("bleve's analyzer has fewer terms than the plain one in %q", text)
		}
		terms := map[string]bool{}
		var indexed []string
		last := 0
		for _, tok := range tokens {
			if tok.Start < last || tok.End <= tok.Start || tok.End > len(text) || tok.Position < 1 {
				t.Fatalf("token %q at %d..%d (position %d) out of order in %q", tok.Term, tok.Start, tok.End, tok.Position, text)
			}
			last = tok.End
			terms[string(tok.Term)] = true
			indexed = append(indexed, string(tok.Term))
		}
		var found []string
		for _, w := range New().words(text, terms) {
			found = append(found, w.Term)
		}
		if !slices.Equal(found, indexed) {
			t.Fatalf("in %q the index has %q, fragments find %q", text, indexed, found)
		}
	})
}

// tokensHold reports whether text (a token stream) holds phrase's terms in
// its order and at its distances (a stop word in a phrase, dropped by the
// analyzer, leaves a gap that any word fills, as in bleve's phrase search):
// what the analyzer's HasPhrase finds without making the tokens.
func tokensHold(text, phrase analysis.TokenStream) bool {
	for i, t := range text {
		if string(t.Term) != string(phrase[0].Term) {
			continue
		}
		j, match := i, true
		for _, p := range phrase[1:] {
			want := t.Position + p.Position - phrase[0].Position
			for j < len(text) && text[j].Position < want {
				j++
			}
			if j == len(text) || text[j].Position != want || string(text[j].Term) != string(p.Term) {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// FuzzHasPhrase: the analyzer finds a phrase in a text exactly where the
// phrase's tokens are among the text's tokens at their distances.
func FuzzHasPhrase(f *testing.F) {
	f.Add("The standard library's packages, the Go command.", "standard library")
	f.Add("the go command and the go commands", "the go commands")
	f.Add("type parameters of types; Type Parameters", "types parameter")
	f.Add("a b c d e f g", "b of d")
	f.Add("Ünïcödé wörds and 漢字の文", "字の")
	f.Fuzz(func(t *testing.T, text, phrase string) {
		a := New()
		p := a.Analyze([]byte(phrase))
		if len(p) == 0 {
			return
		}
		if got, want := a.HasPhrase(text, p), tokensHold(a.Analyze([]byte(text)), p); got != want {
			t.Errorf("HasPhrase(%q, %q) = %v, the tokens say %v", text, phrase, got, want)
		}
	})
}
