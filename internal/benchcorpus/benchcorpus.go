// Package benchcorpus makes the posts the benchmarks index and serve:
// posts of about a thousand words of real prose, in runs taken from the Go
// blog corpus in testdata/, and the searches a subscriber might type. Only
// tests use it.
package benchcorpus

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
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
//
// With MAILBAG_BENCH_TEXT set (required for a MAILBAG_BENCH_LANG other
// than English), the runs come from that file instead, real prose in the
// language (scripts/bench-text makes one from Debian's translated manual
// pages), and each post stops at postBytes, as many bytes as an English
// post of Words words has: a Japanese "word" between spaces is a phrase.
func WritePosts(tb testing.TB, dir string, n int, text func(file []byte) string) {
	tb.Helper()
	words := corpusWords(tb, text)
	limit := 1 << 30
	if _, file := Language(tb); file != "" {
		words, limit = fileWords(tb, file), postBytes
	}
	rng := rand.New(rand.NewPCG(1, 2))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var body strings.Builder
		for w := 0; w < Words && body.Len() < limit; {
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

// postBytes is about the size of the body of an English post of Words
// words, in bytes.
const postBytes = 6_500

// Language returns the language of the benchmarks' posts,
// MAILBAG_BENCH_LANG ("en" unless it is set), and for another language
// the file of its prose, MAILBAG_BENCH_TEXT, which it then requires.
func Language(tb testing.TB) (lang, file string) {
	tb.Helper()
	lang, file = os.Getenv("MAILBAG_BENCH_LANG"), os.Getenv("MAILBAG_BENCH_TEXT")
	if lang == "" {
		lang = "en"
	}
	if lang == "en" {
		return lang, file // English's prose is the Go blog's, unless a file is given
	}
	if file == "" {
		tb.Fatalf("MAILBAG_BENCH_LANG=%s needs MAILBAG_BENCH_TEXT, a file of prose in it (scripts/bench-text %s)", lang, lang)
	}
	return lang, file
}

// fileWords returns the words of a file of prose, in order.
func fileWords(tb testing.TB, file string) []string {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	words := strings.Fields(string(data))
	if len(words) < 100_000 && utf8.RuneCount(data) < 1_000_000 {
		tb.Fatalf("%s has only %d words", file, len(words))
	}
	return words
}

// QueriesOf returns the searches a subscriber might type in the
// benchmarks' language: Queries over the Go blog's prose; over the prose
// of a file (MAILBAG_BENCH_TEXT, English's too), made from it the same
// way for every language, so that languages compare:
// words of the middle of the frequency list (as "garbage collector" is
// in the Go blog), and phrases of two words often together. Either way,
// "common" are phrases that many posts hold (commonPhrases); text is
// WritePosts's.
func QueriesOf(tb testing.TB, text func(file []byte) string) map[string][]string {
	tb.Helper()
	lang, file := Language(tb)
	if file == "" {
		out := maps.Clone(Queries)
		out["common"] = commonPhrases(corpusWords(tb, text), false)
		return out
	}
	words := fileWords(tb, file)
	count := map[string]int{}
	pairs := map[string]int{}
	for i, w := range words {
		if !isWord(w) {
			continue
		}
		count[w]++
		if i+1 < len(words) && isWord(words[i+1]) {
			pairs[w+" "+words[i+1]]++
		}
	}
	byCount := func(m map[string]int) []string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int { return cmp.Or(m[b]-m[a], strings.Compare(a, b)) })
		return keys
	}
	top, topPairs := byCount(count), byCount(pairs)
	out := map[string][]string{}
	for i := 50; i < 64 && i+1 < len(top); i += 2 {
		out["words"] = append(out["words"], top[i]+" "+top[i+1])
	}
	for i := 10; i < 14 && i < len(topPairs); i++ {
		out["phrases"] = append(out["phrases"], strconv.Quote(topPairs[i]))
		a, b, _ := strings.Cut(topPairs[i], " ")
		out["nowhere"] = append(out["nowhere"], strconv.Quote(b+" "+a+" "+b))
	}
	out["common"] = commonPhrases(words, lang == "ja" || lang == "zh" || lang == "ko")
	return out
}

// commonPhrases returns, quoted, phrases that many posts hold: of the
// most frequent runs of three and of four words (isWord's) in words,
// every twentieth of the first 200 of each; where the words are Chinese,
// Japanese or Korean (cjk), whose "words" between spaces are phrases,
// runs of four and six of their characters instead.
func commonPhrases(words []string, cjk bool) []string {
	var out []string
	for _, n := range []int{3, 4} {
		count := map[string]int{}
		if cjk {
			n = 2 * (n - 1) // 4 and 6 characters
			for _, w := range words {
				rs := []rune(w)
				for i := 0; i+n <= len(rs); i++ {
					if !slices.ContainsFunc(rs[i:i+n], func(r rune) bool {
						return !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
					}) {
						count[string(rs[i:i+n])]++
					}
				}
			}
		} else {
			for i := 0; i+n <= len(words); i++ {
				if !slices.ContainsFunc(words[i:i+n], func(w string) bool { return !isWord(w) }) {
					count[strings.ToLower(strings.Join(words[i:i+n], " "))]++
				}
			}
		}
		top := slices.SortedFunc(maps.Keys(count), func(a, b string) int { return cmp.Or(count[b]-count[a], strings.Compare(a, b)) })
		for i := 0; i < 200 && i < len(top); i += 20 {
			out = append(out, strconv.Quote(top[i]))
		}
	}
	return out
}

// isWord reports whether w is a word for the benchmarks' searches: of
// letters alone, 4 to 12 of them, not all capitals.
func isWord(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
		n++
	}
	return n >= 4 && n <= 12 && strings.ToUpper(w) != w
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
