package search

import (
	"context"
	"mailbag/archive"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A hit's text is read from the index's texts file, as the index made it:
// a search finds and shows a phrase with the posts' files gone, and after
// a post is indexed again, its new text.
func TestHitTextsFromTheIndex(t *testing.T) {
	x := phraseIndex(t, map[string]string{
		"a": "The standard library has a package for that.",
		"b": "A library that is standard elsewhere.",
	}, nil)
	dir := x.texts.dir
	search := func(q string) *Results {
		t.Helper()
		res, err := x.Search(context.Background(), Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	res := search(`"standard library"`)
	if res.Total != 1 || res.Hits[0].Slug != "a" || len(res.Hits[0].Fragments) == 0 || !strings.Contains(res.Hits[0].Fragments[0], "<mark>standard</mark> <mark>library</mark>") {
		t.Fatalf("with the posts' files gone, %q found %+v", `"standard library"`, res)
	}

	posts := &archive.Posts{Dir: dir}
	writePost(t, dir, "2020-01-01-b.md", "---\ntitle: Post\ndate: 2020-01-01\n---\nNow the standard library too.\n")
	if _, err := x.Sync(posts); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "2020-01-01-b.md"))
	if res := search(`"standard library"`); res.Total != 1 || res.Hits[0].Slug != "b" {
		t.Errorf("after b was indexed again (and a left the posts), %q found %+v", `"standard library"`, res)
	}
}

// A document's text that cannot be where it says (a damaged index) is read
// from the post's file instead, and never allocated as the document asks.
func TestStoredTextBounds(t *testing.T) {
	x := phraseIndex(t, map[string]string{"a": "Some text."}, nil)
	for _, h := range []Hit{{textAt: 0, textLen: maxTextLen + 1}, {textAt: -1, textLen: 4}, {textAt: 1 << 40, textLen: 4}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		text, ok := x.storedText(h)
		runtime.ReadMemStats(&after)
		if ok {
			t.Errorf("storedText(at %d, %d bytes) = %q, want none", h.textAt, h.textLen, text)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("storedText(at %d, %d bytes) allocated %d bytes", h.textAt, h.textLen, n)
		}
	}
}
