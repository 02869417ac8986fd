package terms

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// TestLanguages: in each language, what a reader types finds the words a
// post writes, in their other forms: a search without accents finds
// accented words and the reverse, a word composed or decomposed
// (re\u0301union) is one, French elision goes ("l'école" is "école"), the
// language's stemmer joins a word's forms (книгу, книга), and Chinese and
// Japanese are read in pairs of characters, so that 東京 does not find
// 京都. Each text is a sentence as a post in that language writes it.
func TestLanguages(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		finds      []string // each finds the text
		missing    []string // each finds nothing of it
	}{
		{"fr", "L'école de mon fils organise une réunion des élèves en français, à Paris, jeudi.",
			[]string{"ecole", "école", "reunion", "re\u0301union", "eleve", "élèves", "francais", "français", "paris", "l'école"},
			[]string{"lyon"}},
		{"de", "Herr Müller geht jeden Tag die Straße entlang und liest ein großes Buch über die Übersetzung.",
			[]string{"muller", "müller", "strasse", "straße", "gross", "groß", "übersetzung", "ubersetzung", "übersetzungen", "bücher"},
			[]string{"kur"}},
		{"es", "Mi hermana enseña matemáticas en la universidad y publica sus investigaciones cada año.",
			[]string{"matematicas", "matemática", "universidades", "investigación", "ensena", "año"},
			[]string{"escuela"}},
		{"ru", "Я прочитал интересную книгу о Москве и рассказал о ней своим друзьям.",
			[]string{"книга", "книгу", "москва", "москве", "друзья", "интересные"},
			[]string{"петербург"}},
		{"it", "L'anno scorso l'università ha aperto una biblioteca più grande per gli studenti.",
			[]string{"universita", "università", "anno", "biblioteche", "studente"},
			[]string{"scuola"}},
		{"pl", "Łukasz czytał wczoraj książkę o historii Krakowa i polskich królach.",
			// bleve's Polish stemmer (Stempel) stems a word written without
			// its accents as another word: only its own forms find it.
			[]string{"łukasz", "książkę", "historia", "historii", "polski"},
			[]string{"warszawa"}},
		{"ja", "東京で新しいプロジェクトを始めました。",
			[]string{"東京", "プロジェクト", "新しい"},
			[]string{"京都", "北京"}},
		{"zh", "我明天要去北京参加会议。",
			[]string{"北京", "会议"},
			[]string{"东京", "京都"}},
		// The same sentence in more of the languages bleve analyses, with
		// the forms their stemmers join. Irregular plurals (Dutch kind,
		// kinderen; Swedish bok, böcker) stay apart, as do Turkish and
		// Hungarian bare forms their stemmers cut further (hayvan is
		// hayva) and Hungarian words written without accents.
		{"nl", "De kinderen lezen elke avond boeken over dieren in de bibliotheek.", []string{"boek", "dier", "bibliotheek", "lezen", "avond"}, []string{"school"}},
		{"sv", "Barnen läser böcker om djur på biblioteket varje kväll.", []string{"böckerna", "djur", "kvall", "barn"}, []string{"skola"}},
		{"pt", "As crianças leem livros sobre animais na biblioteca todas as noites.", []string{"criança", "criancas", "livro", "animal", "biblioteca"}, []string{"escola"}},
		{"da", "Børnene læser bøger om dyr på biblioteket hver aften.", []string{"bog", "bøger", "bibliotek", "aften", "borne"}, []string{"skole"}},
		{"no", "Barna leser bøker om dyr på biblioteket hver kveld.", []string{"bok", "bøker", "bibliotek", "kveld"}, []string{"skole"}},
		{"fi", "Lapset lukevat kirjoja eläimistä kirjastossa joka ilta.", []string{"kirja", "kirjasto", "elaimista", "eläimistä"}, []string{"koulu"}},
		{"tr", "Çocuklar her akşam kütüphanede hayvanlar hakkında kitaplar okuyor.", []string{"kitap", "kitaplar", "kutuphanede", "hayvanlar", "cocuklar"}, []string{"okul"}},
		{"ro", "Copiii citesc cărți despre animale la bibliotecă în fiecare seară.", []string{"carti", "cărțile", "animal", "biblioteca", "seara"}, []string{"scoala"}},
		{"hu", "A gyerekek minden este könyveket olvasnak az állatokról a könyvtárban.", []string{"könyv", "konyvek", "könyvtár", "állatokról", "gyerekek"}, []string{"iskola"}},
		{"cs", "Děti každý večer čtou v knihovně knihy o zvířatech.", []string{"knihovne", "knihy", "zvířatech", "deti", "vecer"}, []string{"skola"}},
		{"el", "Τα παιδιά διαβάζουν βιβλία για ζώα στη βιβλιοθήκη κάθε βράδυ.", []string{"βιβλία", "βιβλιοθήκη", "παιδιά"}, []string{"σχολείο"}},
		{"bg", "Децата четат книги за животни в библиотеката всяка вечер.", []string{"книги", "библиотеката", "животни"}, []string{"училище"}},
		{"ca", "Els nens llegeixen llibres sobre animals a la biblioteca de l'escola cada vespre.", []string{"escola", "biblioteca", "llibres", "animals", "l'escola"}, []string{"casa"}},
		{"ga", "Léann na páistí leabhair faoi ainmhithe i leabharlann na scoile gach oíche.", []string{"paisti", "leabhair", "leabharlann", "oiche", "scoile"}, []string{"baile"}},
		{"ko", "아이들은 매일 저녁 도서관에서 동물에 관한 책을 읽습니다.", []string{"도서관", "동물"}, []string{"학교"}},
		{"ar", "يقرأ الأطفال الكتب عن الحيوانات في المكتبة كل مساء.", []string{"كتب", "الكتب", "المكتبة", "مكتبة"}, []string{"مدرسة"}},
		{"hi", "बच्चे हर शाम पुस्तकालय में जानवरों के बारे में किताबें पढ़ते हैं।", []string{"पुस्तकालय", "किताबें", "जानवरों"}, []string{"विद्यालय"}},
		{"fa", "بچه\u200cها هر شب در کتابخانه کتاب\u200cهایی درباره حیوانات می\u200cخوانند.", []string{"کتابخانه", "حیوانات"}, []string{"مدرسه"}},
		{"id", "Anak-anak membaca buku tentang hewan di perpustakaan setiap malam.", []string{"buku", "hewan", "perpustakaan"}, []string{"sekolah"}},
		{"hr", "Djeca svake večeri čitaju knjige o životinjama u knjižnici.", []string{"knjige", "knjiga", "zivotinjama", "knjižnici"}, []string{"skola"}},
		{"eu", "Haurrek gauero animaliei buruzko liburuak irakurtzen dituzte liburutegian.", []string{"liburuak", "liburutegian", "animaliei"}, []string{"eskola"}},
		{"gl", "Os nenos len libros sobre animais na biblioteca todas as noites.", []string{"libros", "biblioteca", "animais", "noites"}, []string{"escola"}},
		{"ckb", "منداڵەکان هەموو ئێوارەیەک لە کتێبخانە کتێب دەخوێننەوە.", []string{"کتێبخانە", "کتێب"}, []string{"قوتابخانە"}},
		{"hy", "Երեխաները ամեն երեկո գրադարանում գրքեր են կարդում։", []string{"գրադարանում", "գրքեր"}, []string{"դպրոց"}},
		{"en", "The café's menu and the naïve résumé", []string{"cafe", "café", "naive", "resume", "re\u0301sume\u0301"}, []string{"news"}},
		{"en", "What's new in the news of the week", []string{"news", "new"}, []string{"newer"}},
	} {
		a, err := For(Language(c.lang))
		if err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, tok := range a.Analyze([]byte(c.text)) {
			have = append(have, string(tok.Term))
		}
		finds := func(q string) bool {
			toks := a.Analyze([]byte(q))
			if len(toks) == 0 {
				return false
			}
			for _, tok := range toks {
				if !slices.Contains(have, string(tok.Term)) {
					return false
				}
			}
			return true
		}
		for _, q := range c.finds {
			if !finds(q) {
				t.Errorf("%s: %q does not find %q (its terms %q)", c.lang, q, c.text, have)
			}
		}
		for _, q := range c.missing {
			if finds(q) {
				t.Errorf("%s: %q finds %q (its terms %q)", c.lang, q, c.text, have)
			}
		}
	}
}

// TestLanguageOfTags: a tag's primary language chooses the rules; a tag of
// a language without rules of its own is "und".
func TestLanguageOfTags(t *testing.T) {
	for tag, want := range map[string]string{"en": "en", "": "en", "en-GB": "en", "fr-CA": "fr", "pt_BR": "pt", "ja": "ja", "vi": "und", "nb": "nb"} {
		if got := Language(tag); got != want {
			t.Errorf("Language(%q) = %q, want %q", tag, got, want)
		}
	}
}

// FuzzChainWords: in another language, the words of a text that are a
// query's terms, and whether it holds a phrase, are found looking only at
// the words that start as the terms do (in Chinese, Japanese and Korean,
// the stretches of words with the terms' characters) just as by analysing
// the whole text: elided articles, accents, capitals, decomposed letters,
// pairs of characters.
func FuzzChainWords(f *testing.F) {
	for _, c := range [][3]string{
		{"fr", "L'École d’été à Paris : les élèves ÉTUDIENT l'anglais.", "ecole élève"},
		{"fr", "Réunion des élèves, re\u0301union des parents", "réunion des élèves"},
		{"de", "Die Übersetzung der Straße; UEBERSETZUNGEN und Strassen", "ubersetzung strasse"},
		{"ru", "Я прочитал книгу о Москве. Книги и Ёлка", "книга ёлка"},
		{"it", "L'università dell'anno scorso", "universita anno"},
		{"ja", "東京タワーの京都、ﾀﾜｰ と Go 言語", "京 タワー go"},
		{"zh", "北京和东京不是京都", "东京"},
		{"ko", "서울 특별시 서울역", "서울"},
		{"ja", "日 本 日本", "日"},
		{"ja", "カーネルV2、ｶｰﾈﾙとＬｉｎｕｘカーネル", "カーネルv2 カーネル linux ーネ"},
		{"ja", "K（ケルビン）とİstanbul、東京'タワー", "k istanbul 京'タ タワー"},
		{"ja", "procmailの設定、Café と SHADOW・Москва ｼｬﾄﾞｳ", "shadow cafe procmail москва シャドウ"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, lang, text, q string) {
		a, err := For(Language(lang))
		if err != nil || a.chain == nil {
			return
		}
		query := a.Analyze([]byte(q))
		terms := map[string]bool{}
		for _, tok := range query {
			terms[string(tok.Term)] = true
		}
		var want []word
		for _, tok := range a.Analyze([]byte(text)) {
			if terms[string(tok.Term)] {
				want = append(want, word{Start: tok.Start, End: tok.End, Term: string(tok.Term)})
			}
		}
		if got := a.words(text, terms); !slices.Equal(got, want) {
			t.Fatalf("%s: in %q for %q: %v, the whole text has %v", lang, text, q, got, want)
		}
		if len(query) > 0 {
			tokens := a.Analyze([]byte(text))
			if got, whole := a.HasPhrase(text, query), holds(tokens, query); got != whole {
				t.Fatalf("%s: %q holds %q: %v, the whole text says %v", lang, text, q, got, whole)
			}
			if sorted, any := holds(tokens, query), holdsUnsorted(tokens, query); sorted != any {
				t.Fatalf("%s: %q holds %q: %v looked through in order, %v by a map of its places", lang, text, q, sorted, any)
			}
		}
	})
}

// TestStemsOnEveryCore: texts analysed at once on every core, as the
// index reads posts, get the terms made anew for each, while the words
// they share are remembered and the remembered words published again
// and again (run with -race).
func TestStemsOnEveryCore(t *testing.T) {
	a, err := For("fr")
	if err != nil {
		t.Fatal(err)
	}
	shared := *a.chain
	shared.stems = &stems{}
	remembering, fresh := a, a
	remembering.chain = &shared
	freshChain := *a.chain
	freshChain.stems = nil
	fresh.chain = &freshChain
	// 3,000 words, each text 200 of them from a stretch of 600: more
	// than one publication's worth is new to every few texts.
	words := make([]string, 3000)
	for i := range words {
		words[i] = fmt.Sprintf("%sé%dnationales", strings.Repeat("É", i%3), i)
	}
	texts := make([]string, 64)
	for i := range texts {
		from := i * (len(words) - 600) / len(texts)
		var b strings.Builder
		for k := range 200 {
			b.WriteString(words[from+(k*7)%600] + " ")
		}
		texts[i] = b.String()
	}
	var wg sync.WaitGroup
	errs := make([]string, len(texts))
	for i, text := range texts {
		wg.Go(func() {
			got := tokenStrings(remembering.Analyze([]byte(text)))
			if want := tokenStrings(fresh.Analyze([]byte(text))); !slices.Equal(got, want) {
				errs[i] = fmt.Sprintf("text %d: remembered\n%q\nmade anew\n%q", i, got, want)
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Fatal(e)
		}
	}
	if known := shared.stems.known.Load(); known == nil || len(*known) < 1000 {
		t.Fatalf("the words were not published: %v", known)
	}
}

// FuzzTermsApart: each term of a text, exact forms too, ends where its
// buffer does, so that a filter's append to one (bleve's stemmers append)
// never writes over the next: the terms share buffers (wordsAt,
// restOnce, withExact).
func FuzzTermsApart(f *testing.F) {
	for _, c := range [][2]string{
		{"fr", "Les élèves ÉTUDIENT à Paris : l'école, des écoles en été"},
		{"de", "Die Übersetzungen der Straßen, UEBERSETZUNGEN und Strassen"},
		{"ru", "Я прочитал книгу о Москве. Книги и Ёлка"},
		{"ja", "東京タワーの京都、ﾀﾜｰ と Go 言語"},
		{"en", "The café's naïve résumés, the Go command"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		a, err := For(Language(lang))
		if err != nil {
			return
		}
		for _, stream := range []analysis.TokenStream{
			a.Analyze([]byte(text)),
			withExact([]byte(text), a.Analyze([]byte(text))),
		} {
			want := termsOf(stream)
			for _, tok := range stream {
				_ = append(tok.Term, 0xff)
			}
			if got := termsOf(stream); !slices.Equal(got, want) {
				t.Fatalf("%s %q: terms %q, after an append to each %q", lang, text, want, got)
			}
		}
	})
}

// FuzzStems: a text's terms are the same whether the chain remembers the
// terms of its words from other texts (and from itself, analysed again)
// or makes every one anew.
func FuzzStems(f *testing.F) {
	for _, c := range [][3]string{
		{"fr", "Les élèves étudient l'anglais à l'école.", "L'élève étudie ; les écoles, ÉCOLE, école."},
		{"de", "Die Übersetzungen der Straßen", "Übersetzung, Strasse und STRASSEN"},
		{"ru", "Я прочитал книгу о Москве", "Книги, книга, москва"},
		{"es", "Las canciones de los niños", "canción niño niños"},
		{"ja", "東京タワー", "東京"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, lang, other, text string) {
		a, err := For(Language(lang))
		if err != nil || a.chain == nil {
			return
		}
		a.Analyze([]byte(other))
		a.Analyze([]byte(text))
		fresh := *a.chain
		fresh.stems = nil
		b := a
		b.chain = &fresh
		if got, want := tokenStrings(a.Analyze([]byte(text))), tokenStrings(b.Analyze([]byte(text))); !slices.Equal(got, want) {
			t.Fatalf("%s: %q after %q: remembered\n%q\nmade anew\n%q", lang, text, other, got, want)
		}
	})
}

// TestFragmentOfPairs: a Chinese or Japanese hit's fragment marks the
// words a search found, whose terms are overlapping pairs of characters,
// once each.
func TestFragmentOfPairs(t *testing.T) {
	for _, c := range []struct{ lang, text, q, want string }{
		{"ja", "東京で新しいプロジェクトを始めました。東京都の会議です。", "東京", "<mark>東京</mark>で新しいプロジェクトを始めました。<mark>東京</mark>都の会議です。"},
		{"ja", "東京で新しいプロジェクトを始めました。", "プロジェクト", "東京で新しい<mark>プロジェクト</mark>を始めました。"},
		{"zh", "我明天要去北京参加会议。", "北京会议", "我明天要去<mark>北京</mark>参加<mark>会议</mark>。"},
	} {
		a, err := For(Language(c.lang))
		if err != nil {
			t.Fatal(err)
		}
		terms := map[string]bool{}
		for _, tok := range a.Analyze([]byte(c.q)) {
			terms[string(tok.Term)] = true
		}
		if got, _ := a.Fragment(c.text, terms); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.lang, c.q, got, c.want)
		}
	}
}

// A composed word that Accented says fold would not change, fold would
// not change: the quick answer is the slow one.
func FuzzAccented(f *testing.F) {
	for _, s := range []string{"東京タワー", "école", "Ångström", "ёлка", "서울", "が", "Ω", "\u212b", "\uf900", "e\u0301", "ǆ", "ḁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		word := normalize([]byte(s))
		if !Accented(word) && !bytes.Equal(foldAll(word), word) {
			t.Fatalf("Accented(%q) is false, but fold makes it %q", word, foldAll(word))
		}
	})
}

// Every character alone, and a Latin or Cyrillic one after a Latin e:
// Accented is false only where fold changes nothing. (A vowel sign of an
// Indic script written straight after a Latin letter, "eೀ", is left as
// it is, where the whole decomposition took a mark off it.)
func TestAccentedEveryRune(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		cases := []string{string(r)}
		if unicode.In(r, unicode.Latin, unicode.Cyrillic, unicode.Mn) {
			cases = append(cases, "e"+string(r))
		}
		for _, s := range cases {
			word := normalize([]byte(s))
			if !Accented(word) && !bytes.Equal(foldAll(word), word) {
				t.Fatalf("Accented(%q) is false, but fold makes it %q", word, foldAll(word))
			}
		}
	}
}

// FuzzFoldRune: a letter's fold looked up is its fold.
func FuzzFoldRune(f *testing.F) {
	for _, r := range "aÉéßłŁǅÿĳ\u0301ё東" {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, r rune) {
		if got, want := foldRune(r), string(fold([]byte(string(r)))); got != want {
			t.Fatalf("foldRune(%U) = %q, fold says %q", r, got, want)
		}
	})
}

// A chain whose filters are given only the tokens that may need them
// (someTokens: Japanese's width filter, the elision of French, Italian,
// Catalan and Irish) makes the terms those filters given every token
// make, at the same places.
func FuzzSomeTokens(f *testing.F) {
	for _, c := range [][2]string{
		{"ja", "ＡＢＣ１２３と半角ｱｲｳ"}, {"ja", "ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟ ｳﾞ"}, {"ja", "東京ﾀﾜｰに行った"}, {"ja", "\uff9eだけ ｰ\uff9f"}, {"ja", "ﾎﾟｲﾝﾄ ＯＫ ok"},
		{"fr", "L'École d’été : l'anglais, aujourd'hui, qu’il"}, {"it", "L'università dell'anno, un'altra"},
		{"ca", "L'home d'ahir"}, {"ga", "d'fhág an t-athair h-Éireann"}, {"fr", "'l' l’ ’ ''"},
	} {
		f.Add(c[0], c[1])
	}
	unwrapped := map[string]*chain{}
	for _, lang := range []string{"ja", "fr", "it", "ca", "ga"} {
		a, err := For(lang)
		if err != nil {
			f.Fatal(err)
		}
		raw := *a.chain
		n := 0
		unwrap := func(filters []analysis.TokenFilter) []analysis.TokenFilter {
			var out []analysis.TokenFilter
			for _, filter := range filters {
				if s, ok := filter.(someTokens); ok {
					filter = s.filter
					n++
				}
				out = append(out, filter)
			}
			return out
		}
		raw.elision, raw.rest = unwrap(a.chain.elision), unwrap(a.chain.rest)
		if n == 0 {
			f.Fatalf("%s's chain gives no filter only some tokens", lang)
		}
		unwrapped[lang] = &raw
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		raw, ok := unwrapped[lang]
		if !ok {
			return
		}
		a, _ := For(lang)
		got, want := a.chain.analyze([]byte(text)), raw.analyze([]byte(text))
		if len(got) != len(want) {
			t.Fatalf("%s %q: %d terms, bleve's filters on every token make %d", lang, text, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if !bytes.Equal(g.Term, w.Term) || g.Start != w.Start || g.End != w.End || g.Position != w.Position {
				t.Fatalf("%s %q: term %d is %q at %d..%d (%d), bleve's filters on every token make %q at %d..%d (%d)", lang, text, i, g.Term, g.Start, g.End, g.Position, w.Term, w.Start, w.End, w.Position)
			}
		}
	})
}

// Every character caseless says has no case lower-cases to itself.
func TestCaseless(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if caseless(r) {
			n++
			if unicode.ToLower(r) != r {
				t.Fatalf("caseless(%U), but it lower-cases to %U", r, unicode.ToLower(r))
			}
		}
	}
	if n != 0xc0+0x19c0+0x5200+11_172 { // kana, ideographs of the first block and its extension A, Hangul syllables
		t.Errorf("caseless says %d characters have no case; kana, ideographs and Hangul syllables are 38,948", n)
	}
}

// In a language of words between spaces, a text's terms are its words'
// terms, each word analysed alone: the terms of a text share one buffer
// (wordsAt), and no filter's change to one term reaches the next. Texts
// with a character that joins or parts words by what is around it (an
// apostrophe, a script without spaces) are left out.
func FuzzTermsOfEachWord(f *testing.F) {
	for _, c := range [][2]string{
		{"fr", "Les élèves ÉTUDIENT à Paris : des écoles en été, des réunions"},
		{"de", "Die Übersetzungen der Straßen, UEBERSETZUNGEN und Strassen"},
		{"ru", "Я прочитал книгу о Москве. Книги и Ёлка"},
		{"es", "Las canciones de los niños pequeños"},
		{"pl", "Łukasz Żółkiewski czytał książki"},
		{"sv", "Flickornas böcker och pojkarnas"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		a, err := For(Language(lang))
		if err != nil || a.chain == nil || a.chain.cjk || strings.ContainsFunc(text, joins) {
			return
		}
		var got, want []string
		for _, tok := range a.Analyze([]byte(text)) {
			got = append(got, string(tok.Term))
		}
		eachWord([]byte(text), func(start, end int) {
			for _, tok := range a.Analyze([]byte(text[start:end])) {
				want = append(want, string(tok.Term))
			}
		})
		if !slices.Equal(got, want) {
			t.Fatalf("%s %q: terms %q, its words' alone %q", lang, text, got, want)
		}
	})
}

// joins reports whether r is an apostrophe or of a script written
// without spaces: where it is, a word's terms depend on its neighbours.
func joins(r rune) bool {
	return r == '\'' || r == '’' || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
