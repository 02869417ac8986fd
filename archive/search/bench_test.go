package search

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"mailbag/archive"
	"mailbag/archive/importer"
	"mailbag/archive/search/related"
	"mailbag/internal/benchcorpus"
)

// benchPosts is the number of posts the benchmarks index.
const benchPosts = 10_000

// writeBenchPosts writes n benchmark posts to dir (see benchcorpus).
func writeBenchPosts(tb testing.TB, dir string, n int) {
	tb.Helper()
	benchcorpus.WritePosts(tb, dir, n, plainTextOf)
}

// benchHeaders writes n benchmark posts to a new posts folder and lists
// them without their bodies.
func benchHeaders(b *testing.B, n int) (*archive.Posts, []*archive.Post) {
	b.Helper()
	posts := &archive.Posts{Dir: filepath.Join(b.TempDir(), "posts"), Location: time.UTC}
	writeBenchPosts(b, posts.Dir, n)
	list, _, err := posts.Headers()
	if err != nil || len(list) != n {
		b.Fatalf("Headers: %d posts, %v", len(list), err)
	}
	return posts, list
}

// plainTextOf is the plain text of a post file; "" when it is not a post.
func plainTextOf(file []byte) string {
	p, err := archive.Parse(file, time.UTC)
	if err != nil {
		return ""
	}
	return archive.PlainText(p.Body)
}

// BenchmarkReindex measures what `mailbag reindex` does at 10,000 posts of
// about 1,000 words, as the command does it: list the posts without their
// bodies, then build the index, under the command's memory limit. It
// reports the processor time too, which moves less than the wall clock.
//
//	go test ./archive/search -run '^$' -bench Reindex -benchtime 1x
//	MAILBAG_BENCH_LANG=fr MAILBAG_BENCH_TEXT=/tmp/fr.txt go test ./archive/search -run '^$' -bench Reindex -benchtime 1x
func BenchmarkReindex(b *testing.B) {
	lang, _ := benchcorpus.Language(b)
	root := b.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writeBenchPosts(b, posts.Dir, benchPosts)
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(commandMemoryLimit))
	}
	cpu := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		list, problems, err := posts.Headers()
		if err != nil || len(problems) > 0 || len(list) != benchPosts {
			b.Fatalf("Headers: %d posts, %v, %v", len(list), problems, err)
		}
		x, err := Rebuild(filepath.Join(root, "index"), list, Locale{Language: lang})
		if err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
	b.ReportMetric(float64(benchPosts*b.N)/b.Elapsed().Seconds(), "posts/s")
	b.ReportMetric((cpuTime(b)-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime returns the processor time the process has used, its own and
// the kernel's for it: less moved than the wall clock by what else the
// machine runs.
func cpuTime(tb testing.TB) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// commandMemoryLimit is the memory limit the mailbag command sets where
// GOMEMLIMIT does not (cmd/mailbag's memoryLimit).
const commandMemoryLimit = 300 << 20

// benchQueries are searches a subscriber might type, by kind.
var benchQueries = benchcorpus.Queries

// BenchmarkSearch measures searches with highlighted fragments at 10,000
// posts, and reports the median and 99th percentile latency of each kind of
// query, in the benchmarks' language (benchcorpus.Language).
//
//	go test ./archive/search -run '^$' -bench Search -benchtime 2000x
//	MAILBAG_BENCH_LANG=de MAILBAG_BENCH_TEXT=/tmp/de.txt go test ./archive/search -run '^$' -bench Search -benchtime 2000x
func BenchmarkSearch(b *testing.B) {
	root := b.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writeBenchPosts(b, posts.Dir, benchPosts)
	list, _, err := posts.List()
	if err != nil {
		b.Fatal(err)
	}
	lang, _ := benchcorpus.Language(b)
	x, err := Rebuild(filepath.Join(root, "index"), list, Locale{Language: lang})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Sync(posts); err != nil { // where the hits' texts are
		b.Fatal(err)
	}
	queries := benchcorpus.QueriesOf(b, plainTextOf)
	queries["abuse"] = benchQueries["abuse"]
	for _, kind := range []string{"words", "phrases", "nowhere", "common", "abuse"} {
		b.Run(kind, func(b *testing.B) {
			queries := queries[kind]
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
				case kind == "nowhere" && (err != nil || res.Total != 0 && lang == "en"):
					// (stemmed, "Option diese Option" holds in a post
					// with "Optionen, die … Optionen")
					b.Fatalf("%q: %v, %v; want no hits", q, res, err)
				case kind == "nowhere":
				case err == nil && res.Total == 0 && len(x.analyzer().Analyze([]byte(q))) == 0:
					// stop words alone ("dann wird"), which the index has not
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

// BenchmarkRelatedTitles measures a post page's related answers at
// MAILBAG_BENCH_POSTS posts (10,000 unless set): Titles.Like, as the site
// asks it, beside bleve doing the same (what the site did before: a
// disjunction of the title's terms over the index's titles, common words
// left out) on the same random titles. It reports how long NewTitles takes,
// each way's p50 and p99, and how far the two agree: the share of 2,000
// random titles whose first related answer is the same, and of bleve's
// five related answers that Like gives too.
//
//	go test ./archive/search -run '^$' -bench RelatedTitles -benchtime 2000x
//	MAILBAG_BENCH_POSTS=100000 go test ./archive/search -run '^$' -bench RelatedTitles -benchtime 2000x -timeout 30m
func BenchmarkRelatedTitles(b *testing.B) {
	n := benchcorpus.Count(b)
	_, list := benchHeaders(b, n)
	archive.SortPosts(list)
	titles := make([]string, len(list))
	bySlug := make(map[string]int, len(list))
	for i, p := range list {
		titles[i] = p.Title
		bySlug[p.Slug] = i
	}
	t0 := time.Now()
	t := related.NewTitles(titles, "")
	made := time.Since(t0)
	x, err := Rebuild(filepath.Join(b.TempDir(), "index"), list, Locale{})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	// bleveLike is the search the site made before Titles.
	bleveLike := func(text string) ([]int, error) {
		v, err := x.view()
		if err != nil {
			return nil, err
		}
		defer v.Close()
		var terms []query.Query
		for _, tok := range x.analyzer().Analyze([]byte(text)) {
			if v.docCount("title", string(tok.Term)) > related.CommonIn(uint64(n)) {
				continue
			}
			tq := query.NewTermQuery(string(tok.Term))
			tq.SetField("title")
			terms = append(terms, tq)
		}
		if len(terms) == 0 {
			return nil, nil
		}
		_, hits, err := x.search(b.Context(), bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(terms), 6, 0, false))
		var out []int
		for _, h := range hits {
			out = append(out, bySlug[h.ID])
		}
		return out, err
	}
	// How far the two agree, on a page's five related answers (the post
	// itself left out) for 2,000 random titles: the same first answer,
	// and how many of bleve's five Like has too.
	others := func(self int, answers []int) []int {
		answers = slices.DeleteFunc(slices.Clone(answers), func(j int) bool { return j == self })
		return answers[:min(len(answers), 5)]
	}
	rng := rand.New(rand.NewPCG(1, 2))
	sameFirst, shared, total := 0, 0, 0
	for range 2000 {
		i := rng.IntN(len(titles))
		want, err := bleveLike(titles[i])
		if err != nil {
			b.Fatal(err)
		}
		want, got := others(i, want), others(i, t.Like(titles[i], 6))
		if len(want) > 0 && len(got) > 0 && want[0] == got[0] {
			sameFirst++
		}
		for _, j := range want {
			total++
			if slices.Contains(got, j) {
				shared++
			}
		}
	}
	for _, way := range []string{"titles", "bleve"} {
		b.Run(way, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			var took []time.Duration
			for b.Loop() {
				title := titles[rng.IntN(len(titles))]
				t0 := time.Now()
				if way == "titles" {
					t.Like(title, 6)
				} else if _, err := bleveLike(title); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
			b.ReportMetric(us(took[len(took)/2]), "p50-us")
			b.ReportMetric(us(took[len(took)*99/100]), "p99-us")
			b.ReportMetric(float64(made)/float64(time.Millisecond), "NewTitles-ms")
			b.ReportMetric(100*float64(sameFirst)/2000, "same-first-%")
			b.ReportMetric(100*float64(shared)/float64(max(total, 1)), "same-five-%")
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
		posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
		b.StartTimer()
		imported := 0
		err := importer.Import(posts, src, importer.Options{}, func(r importer.Result) {
			if r.Outcome == importer.Imported {
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

// BenchmarkBareBleve is the yardstick for BenchmarkReindex, BenchmarkSearch
// and cmd/mailbag's BenchmarkServe: bleve alone, as its documentation
// starts, on the same posts (MAILBAG_BENCH_POSTS, 10,000 unless set) and
// the same queries: the default mapping (standard analyzer, every field
// stored with term vectors), batches of 1,000, query string queries of 10
// hits without highlighting, in the process (no HTTP, no fragments). It
// reports the rate of indexing, the index's size on disk, the most heap
// in use while indexing (sampled), and each kind of query's p50 and p99.
//
//	go test ./archive -run '^$' -bench BareBleve -benchtime 1x
//	MAILBAG_BENCH_POSTS=100000 go test ./archive -run '^$' -bench BareBleve -benchtime 1x -timeout 60m
func BenchmarkBareBleve(b *testing.B) {
	n := benchcorpus.Count(b)
	posts, list := benchHeaders(b, n)
	type doc struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "bleve")
		peak := heapPeak()
		t0 := time.Now()
		idx, err := bleve.New(dir, bleve.NewIndexMapping())
		if err != nil {
			b.Fatal(err)
		}
		for chunk := range slices.Chunk(list, 1000) {
			batch := idx.NewBatch()
			for _, p := range chunk {
				body, err := posts.Body(p)
				if err != nil {
					b.Fatal(err)
				}
				if err := batch.Index(p.Slug, doc{p.Title, archive.PlainText(body)}); err != nil {
					b.Fatal(err)
				}
			}
			if err := idx.Batch(batch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)/time.Since(t0).Seconds(), "index-posts/s")
		b.ReportMetric(float64(peak())/(1<<20), "index-heap-peak-MB")
		b.ReportMetric(float64(dirSize(b, dir))/(1<<20), "index-MB")
		for _, kind := range []string{"words", "phrases"} {
			queries := benchQueries[kind]
			var took []time.Duration
			for i := range 30 * len(queries) {
				t := time.Now()
				res, err := idx.Search(bleve.NewSearchRequest(bleve.NewQueryStringQuery(queries[i%len(queries)])))
				took = append(took, time.Since(t))
				if err != nil || res.Total == 0 {
					b.Fatalf("%q: %v, %v", queries[i%len(queries)], res, err)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2])/1e6, kind+"-p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100])/1e6, kind+"-p99-ms")
		}
		idx.Close()
	}
}

// heapPeak samples the heap in use every 50 ms until the function it
// returns is called, which returns the most seen.
func heapPeak() func() uint64 {
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var most uint64
		var m runtime.MemStats
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			most = max(most, m.HeapInuse)
			select {
			case <-stop:
				done <- most
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		return <-done
	}
}

// dirSize is the size of the files under dir.
func dirSize(tb testing.TB, dir string) int64 {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			size += info.Size()
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return size
}
