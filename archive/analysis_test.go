package archive

import "testing"

func TestSingular(t *testing.T) {
	for in, want := range map[string]string{
		"managers": "manager", "manager": "manager", "management": "management", "queries": "query",
		"stories": "story", "plays": "play", "boxes": "boxe", "goroutines": "goroutine", "generics": "generic",
		"class": "class", "bus": "bus", "status": "status", "is": "is", "gas": "gas", "toes": "toe",
		"shoes": "shoe", "trees": "tree", "products": "product", "production": "production",
		"series": "sery", // not a word, but the same for every "series", as in Lucene
	} {
		if got := string(singular([]byte(in))); got != want {
			t.Errorf("singular(%q) = %q, want %q", in, got, want)
		}
	}
}
