package related

import (
	"fmt"
	"mailbag/archive/search/terms"
	"math"
	"slices"
	"strings"
	"testing"
)

// titlesOf is what Like returned, as titles.
func titlesOf(all []string, got []int) []string {
	var out []string
	for _, i := range got {
		out = append(out, all[i])
	}
	return out
}

// Like finds the titles that share a title's words as the index reads
// them (case, plurals, possessives, stop words), the rarest and the most
// shared first, shorter titles before longer ones with the same words, and
// equals in the order given.
func TestTitlesLike(t *testing.T) {
	all := []string{
		"My manager's decisions",               // 0
		"Managers and their decisions at work", // 1
		"Decisions",                            // 2
		"Working from home",                    // 3
		"How a manager makes decisions",        // 4
		"Otters",                               // 5
		"The decisions of otters",              // 6
		"Decisions, decisions",                 // 7
		"A manager",                            // 8
		"Product managers and the decisions they own at work", // 9
	}
	x := NewTitles(all, "")
	for _, tc := range []struct {
		text string
		n    int
		want []int
	}{
		// "manager" is in 5 titles, "decision" in 7: both words count more
		// than either; of those with both, the shortest first (two
		// terms, three, four), equals in order.
		{"The MANAGERS' decision", 4, []int{0, 1, 4, 9}},
		{"The MANAGERS' decision", 6, []int{0, 1, 4, 9, 8, 2}},
		// One word: the shortest titles first, equals in order.
		{"otter", 10, []int{5, 6}},
		{"otter", math.MaxInt, []int{5, 6}}, // however many are asked for
		{"decision", 4, []int{2, 0, 6, 7}},
		// Only stop words, or words no title has: nothing.
		{"the and of", 5, nil},
		{"beavers", 5, nil},
		{"", 5, nil},
		{"otters", 0, nil},
	} {
		if got := x.Like(tc.text, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("Like(%q, %d) = %q, want %q", tc.text, tc.n, titlesOf(all, got), titlesOf(all, tc.want))
		}
	}
	if x.Len() != len(all) {
		t.Errorf("Len() = %d, want %d", x.Len(), len(all))
	}
	if got := NewTitles(nil, "").Like("otters", 5); got != nil {
		t.Errorf("Like on no titles = %v", got)
	}
}

// A word in more than one title in twenty (and more than 500) relates
// nothing: Like leaves it out, and what the title says besides decides; a
// title of only such words has no related titles.
func TestTitlesLeaveOutCommonWords(t *testing.T) {
	var all []string
	for i := range 600 {
		title := fmt.Sprintf("Go note %d", i)
		if i%100 == 0 {
			title = fmt.Sprintf("Fuzzing in Go, part %d", i/100)
		}
		all = append(all, title)
	}
	x := NewTitles(all, "")
	if got := x.Like("Go fuzzing", 10); len(got) != 6 {
		t.Errorf("like %q: %q, want the 6 about fuzzing alone", "Go fuzzing", titlesOf(all, got))
	}
	if got := x.Like("Go", 10); len(got) != 0 {
		t.Errorf("like %q: %d titles, want none: the word is in every title", "Go", len(got))
	}
}

// likeSlowly is what Like says it does, done title by title.
func likeSlowly(all []string, text string, n int) []int {
	terms := func(s string) []string {
		var out []string
		for _, tok := range terms.New().Analyze([]byte(s)) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	has := make([][]string, len(all))
	df := map[string]int{}
	for i, title := range all {
		has[i] = terms(title)
		for _, term := range slices.Compact(slices.Sorted(slices.Values(has[i]))) {
			df[term]++
		}
	}
	words := strings.Fields(text)
	query := terms(strings.Join(words[:min(len(words), MaxWords)], " "))
	query = slices.DeleteFunc(query, func(term string) bool {
		return df[term] == 0 || uint64(df[term]) > CommonIn(uint64(len(all)))
	})
	type hit struct {
		post  int
		score float32
	}
	var hits []hit
	for i := range all {
		var sum float32
		matched := 0
		for _, term := range query {
			if slices.Contains(has[i], term) {
				idf := 1 + math.Log(float64(len(all))/float64(df[term]+1))
				sum += float32(idf * idf)
				matched++
			}
		}
		if matched > 0 {
			hits = append(hits, hit{i, sum / float32(math.Sqrt(float64(max(len(has[i]), 1)))) * float32(matched) / float32(len(query))})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	var out []int
	for _, h := range hits[:min(len(hits), max(n, 0))] {
		out = append(out, h.post)
	}
	return out
}

// FuzzTitles: Like answers as scoring every title one by one does, and
// every title with a word not too common is like itself.
func FuzzTitles(f *testing.F) {
	f.Add("Go fuzzing\nFuzzing in Go\nMy manager's decisions\nManagers\n\nthe and\nÉtés 東京 otters’ dams", 3)
	f.Add("a\nb\na b\nb a a", 2)
	f.Fuzz(func(t *testing.T, lines string, n int) {
		all := strings.Split(lines, "\n")
		if len(all) > 200 || n > 1000 {
			return
		}
		x := NewTitles(all, "")
		for i, title := range all {
			got := x.Like(title, n)
			if want := likeSlowly(all, title, n); !slices.Equal(got, want) {
				t.Fatalf("Like(%q, %d) = %v, want %v (titles %q)", title, n, got, want, all)
			}
			if n >= len(all) && len(likeSlowly(all, title, 1)) > 0 && !slices.Contains(got, i) {
				t.Fatalf("title %d %q is not like itself: %v", i, title, got)
			}
		}
	})
}
