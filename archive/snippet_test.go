package archive

import (
	"strings"
	"testing"
)

// TestFragment: a fragment starts and ends on word boundaries, a few words
// before the best match, marks each matching word (plurals and case
// too), escapes the text, and says "…" where the text goes on.
func TestFragment(t *testing.T) {
	long := strings.Repeat("Filler words go here again and again. ", 20)
	text := long + "Ask your Managers <why> the manager's plan & the managers' roadmap differ. " + long
	frag, matched := fragment(text, map[string]bool{"manager": true, "roadmap": true})
	if !matched {
		t.Fatal("no match")
	}
	for _, want := range []string{"<mark>Managers</mark>", "<mark>manager&#39;s</mark>", "<mark>roadmap</mark>", "&lt;why&gt;", "&amp;"} {
		if !strings.Contains(frag, want) {
			t.Errorf("no %q in %q", want, frag)
		}
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(frag, "… "), " …")
	if !strings.HasPrefix(frag, "… ") || !strings.HasSuffix(frag, " …") || !strings.Contains(long, strings.Fields(inner)[0]+" ") {
		t.Errorf("not cut on words: %q", frag)
	}
	if last := strings.Fields(inner)[len(strings.Fields(inner))-1]; !strings.Contains(text, " "+last+" ") && !strings.Contains(text, " "+last) {
		t.Errorf("ends inside a word: %q", last)
	}
	if len(inner) > snippetBytes+200 { // marks and escapes add to it
		t.Errorf("%d bytes: %q", len(inner), frag)
	}
	// No match: the start of the text.
	if frag, matched := fragment("Plain words only, nothing more.", map[string]bool{"zebra": true}); matched || frag != "Plain words only, nothing more." {
		t.Errorf("no match: %q %v", frag, matched)
	}
	// One word longer than a fragment is cut, not lost.
	huge := strings.Repeat("x", 1000)
	if frag, _ := fragment(huge, map[string]bool{"y": true}); frag == "" || len(frag) > snippetBytes+10 {
		t.Errorf("a huge word: %d bytes", len(frag))
	}
}
