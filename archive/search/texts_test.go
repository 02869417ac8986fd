package search

import (
	"context"
	"fmt"
	"mailbag/archive"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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

// The places file says where each post's text is: every post of a new
// index, and a post indexed again at its new text; a record cut short
// ends it, and then not every post has a place.
func TestPlacesFile(t *testing.T) {
	x := phraseIndex(t, map[string]string{"a": "The standard library.", "b": "Another post."}, nil)
	places, all := readPlaces(x.dir)
	if !all || len(places) != 2 {
		t.Fatalf("a new index's places: %v (all %v), want a and b", places, all)
	}
	text := func(p textPlace) string {
		buf := make([]byte, p.n)
		if !x.readTexts(buf, p.at) {
			t.Fatalf("no text at %+v", p)
		}
		return string(buf)
	}
	if got := text(places["a"]); got != "The standard library." {
		t.Errorf("a's place has %q", got)
	}
	dir := x.texts.dir
	writePost(t, dir, "2020-01-01-a.md", "---\ntitle: Post\ndate: 2020-01-01\n---\nNow a library that is standard.\n")
	if _, err := x.Sync(&archive.Posts{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	for name, places := range map[string]map[string]textPlace{"the file": func() map[string]textPlace { p, _ := readPlaces(x.dir); return p }(), "the index": x.texts.places} {
		if got := text(places["a"]); got != "Now a library that is standard." {
			t.Errorf("after a was indexed again, its place in %s has %q", name, got)
		}
	}
	file := filepath.Join(x.dir, placesName)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data[:len(data)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	if places, all := readPlaces(x.dir); all || len(places) != 2 {
		t.Errorf("with its last record cut short: %d places (all %v), want the 2 before it and not all", len(places), all)
	}
}

// An index made before the places file, or whose file is gone, checks
// its phrases by the hits' stored fields, and finds what it found with
// it.
func TestPhrasesWithoutPlaces(t *testing.T) {
	bodies := map[string]string{}
	for i := range 60 {
		bodies[fmt.Sprintf("p%03d", i)] = []string{"Read the standard library today.", "A standard way to use a library.", "The library today, standard."}[i%3]
	}
	x := phraseIndex(t, bodies, map[string]string{"p001": "The standard library"})
	queries := []string{`"standard library"`, `"read the standard library"`, `"library today"`, `-"standard library" +library`, `title:"standard library"`, `"use a library" "library today"`}
	found := func() map[string][]string {
		out := map[string][]string{}
		for _, q := range queries {
			got, total := allPages(t, x, q)
			if total != len(got) {
				t.Errorf("%s: total %d for %d posts", q, total, len(got))
			}
			out[q] = got
		}
		return out
	}
	if !x.locate([]Hit{{Slug: "p000"}}) {
		t.Fatal("a new index does not know where its texts are")
	}
	with := found()
	if err := os.Remove(filepath.Join(x.dir, placesName)); err != nil {
		t.Fatal(err)
	}
	x.openTexts()
	if x.locate([]Hit{{Slug: "p000"}}) {
		t.Fatal("with its places file gone, the index still knows where its texts are")
	}
	if without := found(); !maps.EqualFunc(with, without, slices.Equal) {
		t.Errorf("without the places file, found %v; with it, %v", without, with)
	}
	if len(with[`"standard library"`]) != 21 || len(with[`title:"standard library"`]) != 1 {
		t.Errorf(`"standard library" found %d posts, want 21; in the title %d, want 1`, len(with[`"standard library"`]), len(with[`title:"standard library"`]))
	}
}

// FuzzPlaces: any places file reads without a panic, each place within
// what an int64 holds and never negative, and it says it has every post
// only where it begins as a new index's does and is read to its end.
func FuzzPlaces(f *testing.F) {
	seed := writtenPlaces(f)
	f.Add(seed)
	f.Add(seed[:len(seed)-1])
	f.Add([]byte(placesMagic + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, placesName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		places, all := readPlaces(dir)
		if all && !strings.HasPrefix(string(data), placesMagic) {
			t.Errorf("%q: every post placed, without the magic line", data)
		}
		for slug, p := range places {
			if p.at < 0 || p.n < 0 || p.codes < 0 {
				t.Errorf("%q: %q at %+v", data, slug, p)
			}
		}
	})
}

// writtenPlaces returns the places file a text writer makes of two posts.
func writtenPlaces(f *testing.F) []byte {
	dir := f.TempDir()
	w, err := openTextWriter(dir)
	if err != nil {
		f.Fatal(err)
	}
	w.add("a", "The standard library.", []byte{1, 0, 2, 0})
	w.add("b", "Another.", nil)
	if err := w.close(); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, placesName))
	if err != nil {
		f.Fatal(err)
	}
	return data
}
