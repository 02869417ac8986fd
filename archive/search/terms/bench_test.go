package terms

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"
)

// BenchmarkAnalyzers analyses a post's worth of prose (6,500 bytes, the
// next each time, as a reindex reads posts) in English, French, German
// and Japanese with mailbag's analyzer of each language and with bleve's
// own; reads them as the index does (Pairs.Read: terms with their exact
// forms, pairs and codes), alone and on every core at once; makes a hit's
// fragment of one for a two-word search; checks a post for a phrase of
// four words of another (HasPhrase; in another language than English,
// beside the way it did before, by the words starting as its terms do);
// and tells whether a post is composed (NFC), by composed and by norm.
// The prose is MAILBAG_BENCH_TEXTS/LANG.txt (scripts/bench-text LANG);
// without it, the benchmark skips.
//
//	for l in en fr de ja; do scripts/bench-text $l > /tmp/texts/$l.txt; done
//	MAILBAG_BENCH_TEXTS=/tmp/texts go test ./archive/search/terms -run '^$' -bench Analyzers -benchmem
func BenchmarkAnalyzers(b *testing.B) {
	dir := os.Getenv("MAILBAG_BENCH_TEXTS")
	if dir == "" {
		b.Skip("MAILBAG_BENCH_TEXTS names no folder of LANG.txt prose")
	}
	for _, lang := range []string{"en", "fr", "de", "ja"} {
		data, err := os.ReadFile(filepath.Join(dir, lang+".txt"))
		if err != nil || len(data) < 200_000 {
			b.Fatalf("%s: %v, or too little prose", lang, err)
		}
		text := data[100_000:106_500]
		var posts [][]byte
		for at := 0; at+6_500 <= len(data); at += 6_500 {
			posts = append(posts, data[at:at+6_500])
		}
		mine, err := For(lang)
		if err != nil {
			b.Fatal(err)
		}
		bleveName := lang
		if lang == "ja" {
			bleveName = "cjk"
		}
		theirs, err := registry.NewCache().AnalyzerNamed(bleveName)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(lang+"/mailbag", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				mine.Analyze(posts[i%len(posts)])
			}
		})
		b.Run(lang+"/bleve", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				theirs.Analyze(posts[i%len(posts)])
			}
		})
		var common []string
		for _, t := range mine.Analyze(posts[0]) {
			common = append(common, string(t.Term))
		}
		pairs := NewPairs(mine, common)
		b.Run(lang+"/read", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				pairs.Read(posts[i%len(posts)])
			}
		})
		// As the index reads posts: on every core at once.
		b.Run(lang+"/read-parallel", func(b *testing.B) {
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					pairs.Read(posts[int(next.Add(1))%len(posts)])
				}
			})
		})
		terms := map[string]bool{}
		for _, t := range mine.Analyze(text[3000:3030]) {
			terms[string(t.Term)] = true
		}
		b.Run(lang+"/fragment", func(b *testing.B) {
			for b.Loop() {
				mine.Fragment(string(text), terms)
			}
		})
		phrase := mine.Analyze(posts[1][:300])
		if len(phrase) > 5 {
			phrase = phrase[1:5] // four words of another post, likely not in these
		}
		b.Run(lang+"/phrase", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				mine.HasPhrase(string(posts[i%len(posts)]), phrase)
			}
		})
		if mine.chain != nil {
			var terms []string
			for _, t := range phrase {
				terms = append(terms, string(t.Term))
			}
			b.Run(lang+"/phrase-by-initials", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					holds(mine.chain.only(posts[i%len(posts)], terms), phrase)
				}
			})
		}
		b.Run(lang+"/composed", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				composed(posts[i%len(posts)])
			}
		})
		b.Run(lang+"/composed-by-norm", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				norm.NFC.IsNormal(posts[i%len(posts)])
			}
		})
	}
}
