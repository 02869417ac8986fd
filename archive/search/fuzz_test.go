package search

import (
	"context"
	"errors"
	"fmt"
	"mailbag/archive"
	"testing"
	"time"
)

// FuzzParseQuery: any query text either parses or gives ErrBadQuery, and a
// query that parses runs, quickly, without an error.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"product manager", `"stepped on my toe"`, "+a -b", "title:toe^2", "tag:go",
		`date:>"2020-01-01"`, "manag*", "mangaer~1", "/ma.*r/", "42", "a:b:c", `"`, "(", "body:>5",
	} {
		f.Add(s)
	}
	x, err := Rebuild(f.TempDir()+"/index", []*archive.Post{{
		Title: "A product manager stepped on my toe", Slug: "seed",
		Date: time.Date(2018, 6, 20, 0, 0, 0, 0, time.UTC), Tags: []string{"work"},
		Body: []byte("Product managers and devs tend to work very closely together."),
	}}, Locale{})
	if err != nil {
		f.Fatal(err)
	}
	defer x.Close()
	f.Fuzz(func(t *testing.T, text string) {
		// A query that takes seconds on a one-post index would let anyone
		// tie up the site's search: that is a failure too.
		done := make(chan error, 1)
		go func() {
			if _, err := parseQuery(text); err != nil {
				if !errors.Is(err, ErrBadQuery) {
					err = fmt.Errorf("parseQuery: not ErrBadQuery: %w", err)
				}
				done <- err
				return
			}
			_, err := x.Search(context.Background(), Query{Text: text})
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, ErrBadQuery) {
				t.Fatalf("%q: %v", text, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%q: still running after 2s", text)
		}
	})
}
