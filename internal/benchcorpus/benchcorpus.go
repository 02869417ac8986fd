// Package benchcorpus makes the posts the benchmarks index and serve:
// posts of about a thousand words of real prose, in runs taken from the Go
// blog corpus in testdata/, and the searches a subscriber might type. Only
// tests use it.
package benchcorpus

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Words is the size of a post's body, in words.
const Words = 1_000

// Queries are searches a subscriber might type, by kind. Phrases cost
// more: bleve must check the positions of both words in every post that
// has both.
var Queries = map[string][]string{
	"words": {
		"garbage collector", "generics", "error handling", "modules", "go test",
		"concurrency patterns", "interface", "performance profiling", "release",
		"+module -proxy", "title:go", "fuzzing", "security vulnerability", "slices maps",
	},
	"phrases": {`"type parameters"`, `"garbage collector"`, `"standard library"`, `"go command"`},
	// nowhere are phrases of common words in no post: every post with
	// their words is looked at and none holds them.
	"nowhere": {`"library standard"`, `"collector garbage"`, `"command go type"`, `"parameters type standard"`},
	// abuse are what a hostile searcher sends: every word, patterns that
	// match everything, many fuzzy terms, deep pages.
	"abuse": {"/.*/ /.*/ /.*/ /.*/", "*", "*a* *e* *i* *o*", "th* wh* an* co*", "go~2 test~2 type~2 func~2",
		"/th.*/ /wh.*/ /co.*/ /pr.*/", "a b c d e f g h i j k l m n o p", "go OR test OR type OR func OR package",
		`"the go" "of the" "in the"`, "go*"},
}

// corpusWords returns the words of the Go blog corpus under testdata (the
// repository's, found from dir upwards) in order, as a source of realistic
// text; text turns a post file into its plain text.
func corpusWords(tb testing.TB, text func(file []byte) string) []string {
	tb.Helper()
	paths, _ := filepath.Glob(filepath.Join(testdata(tb), "corpora/posts/go-blog/*.md"))
	var words []string
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		words = append(words, strings.Fields(text(data))...)
	}
	if len(words) < 100_000 {
		tb.Fatalf("corpus has only %d words", len(words))
	}
	return words
}

// testdata finds the repository's testdata folder above the test's.
func testdata(tb testing.TB) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "testdata", "corpora")); err == nil {
			return filepath.Join(dir, "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no testdata/corpora above the test's folder")
		}
		dir = parent
	}
}

// WritePosts writes n posts of about Words words each to dir, made of runs
// of real text from the corpus, with Markdown paragraphs; text turns a post
// file into its plain text (archive's Parse and PlainText). The same n
// gives the same posts.
func WritePosts(tb testing.TB, dir string, n int, text func(file []byte) string) {
	tb.Helper()
	words := corpusWords(tb, text)
	rng := rand.New(rand.NewPCG(1, 2))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var body strings.Builder
		for w := 0; w < Words; {
			run := 20 + rng.IntN(60)
			at := rng.IntN(len(words) - run)
			body.WriteString(strings.Join(words[at:at+run], " "))
			body.WriteString("\n\n")
			w += run
		}
		at := rng.IntN(len(words) - 6)
		title := strings.Join(words[at:at+2+rng.IntN(5)], " ")
		for len(title) > 100 { // a title is a mail's subject: at most 200 characters
			_, size := utf8.DecodeLastRuneInString(title)
			title = title[:len(title)-size]
		}
		date := start.Add(time.Duration(i) * 7 * time.Hour)
		slug := fmt.Sprintf("post-%05d", i)
		content := fmt.Sprintf("---\ntitle: %q\ndate: '%s'\ntags: [t%d]\n---\n\n%s", title, date.Format("2006-01-02 15:04:05"), i%50, body.String())
		name := filepath.Join(dir, date.Format("2006-01-02")+"-"+slug+".md")
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// Count returns how many posts a benchmark of the archive at scale writes:
// MAILBAG_BENCH_POSTS, 10,000 unless it is set (the issues' figures are at
// 10,000 and 100,000).
func Count(tb testing.TB) int {
	tb.Helper()
	v := os.Getenv("MAILBAG_BENCH_POSTS")
	if v == "" {
		return 10_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("MAILBAG_BENCH_POSTS=%q: want a number of posts", v)
	}
	return n
}
