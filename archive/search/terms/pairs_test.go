package terms

import (
	"slices"
	"testing"
)

// Of two common terms next to each other a pair is made, with how many
// words apart they are (stop words counted as gaps); none where either
// term is not common.
func TestPairs(t *testing.T) {
	p := Pairs{words: New(), common: map[string]bool{"standard": true, "library": true, "state": true, "art": true, "go": true}}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"The standard library's packages", []string{"standard 1 library"}},
		{"state of the art", []string{"state 3 art"}},
		{"a standard way to use a library", nil},
		{"library", nil},
		{"", nil},
		{"Go, go, GO!", []string{"go 1 go", "go 1 go"}},
	} {
		var got []string
		for _, tok := range p.Analyze([]byte(c.text)) {
			got = append(got, string(tok.Term))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: pairs %q, want %q", c.text, got, c.want)
		}
	}
	if PairTerm([]byte("state"), []byte("art"), 3) != "state 3 art" {
		t.Errorf("PairTerm = %q", PairTerm([]byte("state"), []byte("art"), 3))
	}
}
