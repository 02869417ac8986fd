package archive

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchPosts is the number of posts the benchmarks index.
const benchPosts = 10_000

// benchWords is the size of a benchmark post's body, in words.
const benchWords = 1_000

// corpusWords returns the words of the Go blog corpus in order, as a source
// of realistic text (word frequencies, lengths).
func corpusWords(tb testing.TB) []string {
	tb.Helper()
	paths, _ := filepath.Glob("../testdata/corpora/posts/go-blog/*.md")
	var words []string
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		p, err := Parse(data, time.UTC)
		if err != nil {
			continue
		}
		words = append(words, strings.Fields(PlainText(p.Body))...)
	}
	if len(words) < 100_000 {
		tb.Fatalf("corpus has only %d words", len(words))
	}
	return words
}

// writeBenchPosts writes n posts of about benchWords words each to dir,
// made of runs of real text from the corpus, with Markdown paragraphs.
func writeBenchPosts(tb testing.TB, dir string, n int) {
	tb.Helper()
	words := corpusWords(tb)
	rng := rand.New(rand.NewPCG(1, 2))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var body strings.Builder
		for w := 0; w < benchWords; {
			run := 20 + rng.IntN(60)
			at := rng.IntN(len(words) - run)
			body.WriteString(strings.Join(words[at:at+run], " "))
			body.WriteString("\n\n")
			w += run
		}
		at := rng.IntN(len(words) - 6)
		title := strings.Join(words[at:at+2+rng.IntN(5)], " ")
		date := start.Add(time.Duration(i) * 7 * time.Hour)
		slug := fmt.Sprintf("post-%05d", i)
		content := fmt.Sprintf("---\ntitle: %q\ndate: '%s'\ntags: [t%d]\n---\n\n%s", title, date.Format(DateLayout), i%50, body.String())
		name := filepath.Join(dir, date.Format("2006-01-02")+"-"+slug+".md")
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkReindex measures what `mailbag reindex` does at 10,000 posts of
// about 1,000 words: read and parse every file, then build the index.
//
//	go test ./archive -run '^$' -bench Reindex -benchtime 1x
func BenchmarkReindex(b *testing.B) {
	root := b.TempDir()
	posts := &Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writeBenchPosts(b, posts.Dir, benchPosts)
	b.ResetTimer()
	for b.Loop() {
		list, problems, err := posts.List()
		if err != nil || len(problems) > 0 || len(list) != benchPosts {
			b.Fatalf("List: %d posts, %v, %v", len(list), problems, err)
		}
		x, err := Rebuild(filepath.Join(root, "index"), list, time.UTC)
		if err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
	b.ReportMetric(float64(benchPosts*b.N)/b.Elapsed().Seconds(), "posts/s")
}

// benchQueries are searches a subscriber might type, by kind. Phrases cost
// more: bleve must check the positions of both words in every post that
// has both.
var benchQueries = map[string][]string{
	"words": {
		"garbage collector", "generics", "error handling", "modules", "go test",
		"concurrency patterns", "interface", "performance profiling", "release",
		"+module -proxy", "title:go", "fuzzing", "security vulnerability", "slices maps",
	},
	"phrases": {`"type parameters"`, `"garbage collector"`, `"standard library"`, `"go command"`},
}

// BenchmarkSearch measures searches with highlighted fragments at 10,000
// posts, and reports the median and 99th percentile latency of each kind of
// query.
//
//	go test ./archive -run '^$' -bench Search -benchtime 2000x
func BenchmarkSearch(b *testing.B) {
	root := b.TempDir()
	posts := &Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writeBenchPosts(b, posts.Dir, benchPosts)
	list, _, err := posts.List()
	if err != nil {
		b.Fatal(err)
	}
	x, err := Rebuild(filepath.Join(root, "index"), list, time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	for _, kind := range []string{"words", "phrases"} {
		b.Run(kind, func(b *testing.B) {
			queries := benchQueries[kind]
			var took []time.Duration
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				t0 := time.Now()
				res, err := x.Search(b.Context(), Query{Text: q})
				took = append(took, time.Since(t0))
				if err != nil || res.Total == 0 || len(res.Hits[0].Fragments) == 0 {
					b.Fatalf("%q: %v, %v", q, res, err)
				}
			}
			slices.Sort(took)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
			b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
		})
	}
}
