package archive

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mailbag/internal/benchcorpus"
)

// benchPosts is the number of posts the benchmarks index.
const benchPosts = 10_000

// writeBenchPosts writes n benchmark posts to dir (see benchcorpus).
func writeBenchPosts(tb testing.TB, dir string, n int) {
	tb.Helper()
	benchcorpus.WritePosts(tb, dir, n, plainTextOf)
}

// plainTextOf is the plain text of a post file; "" when it is not a post.
func plainTextOf(file []byte) string {
	p, err := Parse(file, time.UTC)
	if err != nil {
		return ""
	}
	return PlainText(p.Body)
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

// benchQueries are searches a subscriber might type, by kind.
var benchQueries = benchcorpus.Queries

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
	if _, err := x.Sync(posts); err != nil { // where the hits' texts are
		b.Fatal(err)
	}
	for _, kind := range []string{"words", "phrases", "abuse"} {
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
				switch {
				case kind == "abuse" && (err == nil || errors.Is(err, ErrBadQuery)):
					// answered, or refused with a reason
				case err != nil || res.Total == 0 || len(res.Hits[0].Fragments) == 0:
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

// BenchmarkImport measures what `mailbag import` does with 10,000 Jekyll
// posts of about 1,000 words: read, convert and write each into an empty
// posts/, then bring the search index up to date, as the command does.
// Compare posts/s with BenchmarkReindex.
//
//	go test ./archive -run '^$' -bench 'Import|Reindex' -benchtime 1x
func BenchmarkImport(b *testing.B) {
	src := filepath.Join(b.TempDir(), "_posts")
	writeBenchPosts(b, src, benchPosts)
	for b.Loop() {
		b.StopTimer()
		root := b.TempDir()
		posts := &Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
		b.StartTimer()
		imported := 0
		err := posts.Import(src, func(r ImportResult) {
			if r.Outcome == Imported {
				imported++
			}
		})
		if err != nil || imported != benchPosts {
			b.Fatalf("imported %d, %v", imported, err)
		}
		x, _, err := OpenIndex(filepath.Join(root, "index"), posts)
		if err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
	b.ReportMetric(float64(benchPosts*b.N)/b.Elapsed().Seconds(), "posts/s")
}
