package search

import (
	"bufio"
	"context"
	"errors"
	"mailbag/archive"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones, whatever the machine has: in the test binary only
)

// TestRelevanceSet: each query of testdata/relevance.txt finds the posts
// it should among its first hits.
func TestRelevanceSet(t *testing.T) {
	x := sharedIndex(t)
	f, err := os.Open("testdata/relevance.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		q, want, _ := strings.Cut(line, "\t")
		slugs := strings.Fields(want)
		res, err := x.Search(context.Background(), Query{Text: q, PerPage: len(slugs) + 2})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Slug)
		}
		for _, s := range slugs {
			if !slices.Contains(got, s) {
				t.Errorf("%q: %s is not among the first hits %q", q, s, got)
			}
		}
		n++
	}
	if n < 10 {
		t.Errorf("only %d queries in the relevance set", n)
	}
}

// TestSearchReadsPatternsLikeTheIndex: the README's examples work:
// wildcards in any case, a misspelling with ~1; "product manager" finds
// neither "management" nor "production" alone.
func TestSearchReadsPatternsLikeTheIndex(t *testing.T) {
	x := sharedIndex(t)
	total := func(q string) int {
		t.Helper()
		res, err := x.Search(context.Background(), Query{Text: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		return res.Total
	}
	if lower, upper := total("manag*"), total("Manag*"); lower == 0 || lower != upper {
		t.Errorf("manag* finds %d, Manag* %d", lower, upper)
	}
	if fuzzy, exact := total("mangaer~1"), total("manager"); fuzzy < exact || exact == 0 {
		t.Errorf("mangaer~1 finds %d, manager %d", fuzzy, exact)
	}
	if n := total("Managers~1"); n < total("manager") {
		t.Errorf("Managers~1 finds %d", n)
	}
	for _, q := range []string{"+product +manager", "\"product manager\""} {
		res, err := x.Search(context.Background(), Query{Text: q, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			t.Errorf("%q finds nothing: the check below would pass on nothing", q)
		}
		for _, h := range res.Hits {
			if h.Slug == "vuln" {
				t.Errorf("%q finds %s (%q), which is about management", q, h.Slug, h.Title)
			}
		}
	}
}

// TestSearchDeadline: a search whose time is up stops with the
// context's error.
func TestSearchDeadline(t *testing.T) {
	x := sharedIndex(t)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := x.Search(ctx, Query{Text: "go test"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a search out of time: %v", err)
	}
}

// TestDateRangeInTheNewslettersZone: a post of 1 January at 00:30 in
// Tokyo is on 1 January for date:>=, whatever UTC says (31 December
// there); the hit's date is in that zone too.
func TestDateRangeInTheNewslettersZone(t *testing.T) {
	dir := t.TempDir()
	tokyo, err := time.LoadLocation("Asia/Tokyo") // time/tzdata is in the test binary
	if err != nil {
		t.Fatal(err)
	}
	posts := []*archive.Post{{Title: "New year", Slug: "new-year", Date: time.Date(2024, 1, 1, 0, 30, 0, 0, tokyo), Body: []byte("Fireworks.")}}
	x, err := Rebuild(dir, posts, Locale{Location: tokyo})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for q, want := range map[string]int{`date:>="2024-01-01"`: 1, `date:<"2024-01-01"`: 0, `date:>="2024-01-01" fireworks`: 1} {
		res, err := x.Search(context.Background(), Query{Text: q})
		if err != nil || res.Total != want {
			t.Errorf("%s: %v, %v; want %d", q, res, err, want)
			continue
		}
		if want > 0 && res.Hits[0].Date.Format("2006-01-02 15:04") != "2024-01-01 00:30" {
			t.Errorf("%s: the hit is dated %v", q, res.Hits[0].Date)
		}
	}
}

// TestDidYouMean: a misspelt query that finds nothing offers the index's
// words nearest to it; one that finds something, or has nothing near, does
// not.
func TestDidYouMean(t *testing.T) {
	x := sharedIndex(t)
	for q, want := range map[string]string{
		"colector":           "collector",
		"mangaer":            "manager",
		"generis programing": "generic programming",
		"garbage collector":  "",
		"zzqxv":              "",
		"title:mangaer":      "",
	} {
		res, err := x.Search(context.Background(), Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Suggestion != want {
			t.Errorf("%q: suggestion %q, want %q (%d hits)", q, res.Suggestion, want, res.Total)
		}
	}
}

// TestTooCommon: a search whose every word is too common to be a term
// (stop words, quoted or not, in a field or not) finds nothing and says
// so; one with a word that is a term, a pattern, or no word at all does
// not.
func TestTooCommon(t *testing.T) {
	x := sharedIndex(t)
	for q, want := range map[string]bool{
		`"to be"`:          true,
		"the of and":       true,
		"title:the":        true,
		`"to be" -the`:     true,
		"to be garbage":    false,
		`"to be" zzqxv`:    false, // a word no post has: found nothing, but not too common
		"th* the":          false,
		"!!! ...":          false,
		`"the go command"`: false,
	} {
		res, err := x.Search(context.Background(), Query{Text: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if res.TooCommon != want {
			t.Errorf("%q: TooCommon %v, want %v (%d hits)", q, res.TooCommon, want, res.Total)
		}
	}
}

// asked is a question of testdata/asked-*.txt and the slugs of the posts
// that answer it, separated by spaces, or "none".
type asked struct{ question, want string }

// readAsked reads a set of testdata/asked-*.txt: a question and what
// answers it a line, comments and blank lines left out.
func readAsked(t *testing.T, file string) []asked {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []asked
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		question, want, _ := strings.Cut(line, "\t")
		out = append(out, asked{question, want})
	}
	return out
}

// askedFigures asks Answers each question of a set of testdata/asked-*.txt
// and returns the share of answered questions whose answer is among
// those shown, and the share of the others for which nothing is shown.
// The misses are logged; -v logs each candidate's cover too.
func askedFigures(t *testing.T, x *Index, file string) (found, quiet float64, answered, none int) {
	t.Helper()
	var right, silent int
	for _, q := range readAsked(t, file) {
		question, want := q.question, q.want
		hits, err := x.Answers(context.Background(), question, 3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Slug)
		}
		if testing.Verbose() {
			covers, err := x.covers(context.Background(), question)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range covers {
				t.Logf("%.2f %.2f %.2f %s\t%s", c.score(), c.near, c.cover, c.hit.Slug, question)
			}
		}
		if want == "none" {
			none++
			if len(got) == 0 {
				silent++
			} else {
				t.Logf("%s: shown %q for %q, which the archive does not answer", file, got, question)
			}
			continue
		}
		answered++
		if slices.ContainsFunc(strings.Fields(want), func(s string) bool { return slices.Contains(got, s) }) {
			right++
		} else {
			t.Logf("%s: shown %q for %q, none of %s", file, got, question, want)
		}
	}
	return float64(right) / float64(answered), float64(silent) / float64(none), answered, none
}

// TestAskedNamePosts: every answer the questions set names is a post of
// the archive, by its slug as the index has it; a name no post has could
// never be among those shown, and would count a miss whatever Answers did.
func TestAskedNamePosts(t *testing.T) {
	x := sharedIndex(t)
	slugs := map[string]bool{}
	for page := 1; ; page++ {
		res, err := x.Search(context.Background(), Query{Text: `date:>"1900-01-01"`, Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			break
		}
		for _, h := range res.Hits {
			slugs[h.Slug] = true
		}
	}
	for _, file := range []string{"testdata/asked-tune.txt", "testdata/asked-held.txt"} {
		for _, q := range readAsked(t, file) {
			for _, slug := range strings.Fields(q.want) {
				if slug != "none" && !slugs[slug] {
					t.Errorf("%s names %q, which is no post's slug", file, slug)
				}
			}
		}
	}
}

// TestAnswersForQuestions: on the held-back half of the questions set
// (testdata/asked-held.txt: nothing is tuned on it), Answers shows the
// right past answer for at least 59% of the questions the archive
// answers and nothing for 90% of the others: 25 of 42 and 21 of 23 when
// the numbers were last set (answers.go; 23 and 17 by the words' cover
// alone). The aim, not met yet, is 80% of the first. The tuned half's
// figures are logged beside.
func TestAnswersForQuestions(t *testing.T) {
	x := sharedIndex(t)
	tf, tq, _, _ := askedFigures(t, x, "testdata/asked-tune.txt")
	found, quiet, answered, none := askedFigures(t, x, "testdata/asked-held.txt")
	t.Logf("tuned half: right answer shown for %.0f%%, nothing shown for %.0f%%", 100*tf, 100*tq)
	t.Logf("held-back half (%d answered, %d not): right answer shown for %.0f%%, nothing shown for %.0f%%", answered, none, 100*found, 100*quiet)
	if answered < 40 || none < 20 {
		t.Errorf("the held-back half has %d answered and %d unanswered questions; it needs 40 and 20", answered, none)
	}
	if found < 0.59 || quiet < 0.9 {
		t.Errorf("held-back half: right answer shown for %.0f%% (want 59%% at least), nothing shown for %.0f%% (want 90%%)", 100*found, 100*quiet)
	}
}
