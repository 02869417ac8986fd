package indexsock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbag/archive"
)

// TestClientThroughTheSocket: a command's searches, syncs and rebuilds
// reach the index a serve holds, errors keeping their meaning.
func TestClientThroughTheSocket(t *testing.T) {
	dir := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(dir, "posts"), Location: time.UTC}
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(posts.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(posts.Dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2020-01-01-otters.md", "---\ntitle: On otters\ndate: 2020-01-01\n---\nOtters hold hands.\n")
	x, _, err := archive.OpenIndex(filepath.Join(dir, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	addr := Address(dir)
	if _, err := Dial(addr); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial with no serve = %v, want ErrNoServer", err)
	}
	ln, err := Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	changed := 0
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, Options{Index: x, Posts: posts, Changed: func() { changed++ }}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	c, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, archive.Query{Text: "otters"})
	if err != nil || res.Total != 1 || res.Hits[0].Slug != "otters" || len(res.Hits[0].Fragments) == 0 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	if _, err := c.Search(ctx, archive.Query{Text: "title:"}); !errors.Is(err, archive.ErrBadQuery) || strings.Contains(err.Error(), "archive: bad search query: archive: bad") {
		t.Errorf("a bad query = %v, want ErrBadQuery said once", err)
	}
	write("2020-02-02-beavers.md", "---\ntitle: On beavers\ndate: 2020-02-02\n---\nBeavers build dams.\n")
	if sync, err := c.Sync(posts); err != nil || sync.Indexed != 1 {
		t.Errorf("Sync = %+v, %v", sync, err)
	}
	if hits, err := c.Related(ctx, "beaver dams", 3); err != nil || len(hits) != 1 || hits[0].Slug != "beavers" {
		t.Errorf("Related = %+v, %v", hits, err)
	}
	if hits, err := c.Answers(ctx, "How do beavers build their dams?", 3); err != nil || len(hits) != 1 || hits[0].Slug != "beavers" {
		t.Errorf("Answers = %+v, %v", hits, err)
	}
	if hits, err := c.Answers(ctx, "Which sourdough starter makes the best bread?", 3); err != nil || len(hits) != 0 {
		t.Errorf("Answers to a question the archive does not answer = %+v, %v", hits, err)
	}
	if err := c.Merge(); err != nil {
		t.Errorf("Merge = %v", err)
	}
	if res, err := c.Search(ctx, archive.Query{Text: "beavers OR otters"}); err != nil || res.Total != 2 {
		t.Errorf("after Merge, Search = %+v, %v; want both posts", res, err)
	}
	write("2020-03-03-broken.md", "not a post")
	if rebuilt, err := c.Rebuild(ctx); err != nil || rebuilt.Indexed != 2 || len(rebuilt.Problems) != 1 {
		t.Errorf("Rebuild = %+v, %v", rebuilt, err)
	}
	if changed != 2 {
		t.Errorf("the site was told of %d changes, want 2", changed)
	}
}
