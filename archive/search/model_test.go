package search

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/archive/importer"
)

// TestSyncLearnsTheArchivesMeaning: a new archive too small to learn from
// has no model of meaning, and Answers weighs by words alone; once it has
// grown, Sync learns one, which Answers then reads; a model's file lost
// is learnt again; one that cannot be written is said, and not tried at
// every Sync; a damaged one is not used.
func TestSyncLearnsTheArchivesMeaning(t *testing.T) {
	root := t.TempDir()
	corpus, err := filepath.Glob("../../testdata/corpora/posts/go-blog/*.md")
	if err != nil || len(corpus) < 200 {
		t.Fatalf("the Go blog corpus: %d posts, %v", len(corpus), err)
	}
	bring := func(files []string) {
		t.Helper()
		src := t.TempDir()
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			writePost(t, src, filepath.Base(f), string(data))
		}
		if err := importer.Import(posts(root), src, importer.Options{}, func(importer.Result) {}); err != nil {
			t.Fatal(err)
		}
	}
	bring(corpus[:20])
	dir := filepath.Join(root, "index")
	x, _, err := OpenIndex(dir, posts(root))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	file := filepath.Join(dir, modelName)
	if _, err := os.Stat(file); !os.IsNotExist(err) || x.model() != nil {
		t.Fatalf("20 posts have a model of meaning (%v)", err)
	}
	question := "Is the default random number generator safe enough to make tokens with, and why did its package change?"
	if _, err := x.Answers(context.Background(), question, 3); err != nil {
		t.Fatal(err)
	}

	bring(corpus[20:])
	if _, err := x.Sync(posts(root)); err != nil {
		t.Fatal(err)
	}
	m := x.model()
	if m == nil || m.From != len(corpus) || m.Len() < 1000 {
		t.Fatalf("after %d posts, the model: %+v", len(corpus), m)
	}
	hits, err := x.Answers(context.Background(), question, 3)
	if err != nil || len(hits) == 0 || hits[0].Slug != "chacha8rand" && hits[0].Slug != "randv2" {
		t.Errorf("with a model, the question finds %v, %v", hits, err)
	}

	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(posts(root)); err != nil || x.model() == nil {
		t.Errorf("a lost model is not learnt again: %v", err)
	}

	// A model that cannot be written: Sync says so, the index is up to
	// date, and it is not tried again at every Sync.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(file+".new", "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := x.Sync(posts(root))
	if err != nil || res.Model == nil || !strings.Contains(res.Model.Error(), "model of meaning") {
		t.Errorf("a model that cannot be written: %+v, %v", res, err)
	}
	if res, err := x.Sync(posts(root)); err != nil || res.Model != nil {
		t.Errorf("tried again at once: %+v, %v", res, err)
	}
	if err := os.RemoveAll(file + ".new"); err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(file, []byte("mailbag meaning 1\nnot a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if x.model() != nil {
		t.Error("a damaged model is read")
	}
	if _, err := x.Answers(context.Background(), question, 3); err != nil {
		t.Errorf("with a damaged model: %v", err)
	}
}

// posts is the posts folder of a home at root.
func posts(root string) *archive.Posts {
	return &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
}
