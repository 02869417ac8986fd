package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/internal/benchcorpus"
	"mailbag/internal/home"
)

// besideHome is a home of the Go blog's 275 posts, as an author who
// imported an archive has.
func besideHome(t *testing.T, bin string) home.Home {
	t.Helper()
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	run(t, bin, h, "import", "../../testdata/corpora/posts/go-blog")
	return h
}

// run runs the binary bin on home h and returns what it printed; it fails
// the test if the command fails.
func run(t *testing.T, bin string, h home.Home, args ...string) string {
	t.Helper()
	cmd, out := mailbag(bin, h, "", args...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("mailbag %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out.String()
}

// within fails the test unless ok becomes true within d.
func within(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// word is a word no post has, the nth of the test.
func word(n int) string {
	return fmt.Sprintf("zorblat%c%c", 'a'+n/26%26, 'a'+n%26)
}

// TestCommandsBesideServe: with `mailbag serve` running, as
// docs/operations.md deploys it, another process publishes, imports,
// edits, removes, reindexes, searches and builds, round after round; each
// change is on the running site, search included, within a second, and the
// site answers every request meanwhile.
func TestCommandsBesideServe(t *testing.T) {
	skipWhenShort(t)
	bin := binary(t)
	h := besideHome(t, bin)
	site := freeSite(t)
	startServe(t, bin, h, "", site)

	// Readers meanwhile: no request of theirs fails.
	var failures atomic.Int64
	stop := make(chan struct{})
	var readers sync.WaitGroup
	defer readers.Wait()
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
	}()
	readers.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			for _, path := range []string{"/", "/search?q=generics", "/archive/", "/feed.xml"} {
				resp, err := http.Get(site + path)
				if err != nil {
					failures.Add(1)
					t.Logf("GET %s: %v", path, err)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
					t.Logf("GET %s: %s", path, resp.Status)
				}
			}
		}
	})

	found := func(w string) func() bool {
		return func() bool { return strings.Contains(fetch(t, site+"/search?q="+w), "1 answer matches") }
	}
	gone := func(w, url string) func() bool {
		return func() bool {
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusNotFound && strings.Contains(fetch(t, site+"/search?q="+w), "0 answers match")
		}
	}
	var published []string // slugs this test published, still there
	postURL := func(slug string) string {
		p, err := (&archive.Posts{Dir: h.Posts()}).FindNamed(slug)
		if err != nil {
			t.Fatal(err)
		}
		return site + p.URLPath()
	}
	const rounds = 50
	for i := range rounds {
		w := word(i)
		want := w // what the terminal's search must find after the round
		switch i % 5 {
		case 0: // publish a draft
			slug := "round-" + w
			draft := fmt.Sprintf("---\ntitle: Round %d\ndate: '2026-11-01 10:00:00'\n---\n\nAn answer about %s.\n", i, w)
			if err := os.WriteFile(filepath.Join(h.Drafts(), slug+".md"), []byte(draft), 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, bin, h, "publish", slug)
			within(t, time.Second, "round "+w+": published", found(w))
			published = append(published, slug)
		case 1: // import a post from elsewhere
			dir := t.TempDir()
			post := fmt.Sprintf("---\ntitle: Imported %d\ndate: 2015-03-0%d\n---\n\nOld words about %s.\n", i, 1+i%9, w)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("2015-03-0%d-imported-%s.md", 1+i%9, w)), []byte(post), 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, bin, h, "import", dir)
			within(t, time.Second, "round "+w+": imported", found(w))
		case 2: // edit a published post by hand
			slug := published[len(published)-1]
			p, err := (&archive.Posts{Dir: h.Posts()}).FindNamed(slug)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(mustRead(t, p.Path)), "An answer about", "An answer, edited, about "+w+" and", 1)
			if err := os.WriteFile(p.Path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			within(t, time.Second, "round "+w+": edited", found(w))
		case 3: // remove a published post by hand
			slug := published[len(published)-1]
			url := postURL(slug)
			p, _ := (&archive.Posts{Dir: h.Posts()}).FindNamed(slug)
			if err := os.Remove(p.Path); err != nil {
				t.Fatal(err)
			}
			published = published[:len(published)-1]
			within(t, time.Second, "round "+w+": removed", gone(word(i-3), url))
			want = word(i - 2) // the import before
		case 4: // rebuild the index
			if out := run(t, bin, h, "reindex"); !strings.Contains(out, "indexed ") {
				t.Fatalf("reindex: %s", out)
			}
			want = word(i - 3)
			within(t, time.Second, "round "+w+": after reindex", found(want))
		}
		if out := run(t, bin, h, "search", want); !strings.Contains(out, "1 answer matches") {
			t.Fatalf("round %s: mailbag search %s: %s", w, want, out)
		}
		if i%10 == 9 {
			out := filepath.Join(t.TempDir(), "public")
			run(t, bin, h, "build", "--out", out)
			if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
				t.Fatalf("build: %v", err)
			}
		}
	}
	close(stop)
	readers.Wait()
	if n := failures.Load(); n > 0 {
		t.Errorf("%d requests to the site failed meanwhile", n)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIndexSurvivesSIGKILL kills `mailbag serve` while it rebuilds its
// index for a reindex, and a `mailbag reindex` of its own while it writes,
// at several moments: every time the next command finds an index it uses,
// or one it rebuilds by itself, saying so, and searches work.
func TestIndexSurvivesSIGKILL(t *testing.T) {
	skipWhenShort(t)
	bin := binary(t)
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	benchcorpus.WritePosts(t, h.Posts(), 3000, func(file []byte) string {
		p, err := archive.Parse(file, time.UTC)
		if err != nil {
			return ""
		}
		return archive.PlainText(p.Body)
	})
	run(t, bin, h, "reindex")
	searchWorks := func(what string) {
		t.Helper()
		if out := run(t, bin, h, "search", "garbage collector"); !strings.Contains(out, "answers match") {
			t.Fatalf("%s: search: %s", what, out)
		}
	}
	for i, after := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 1600 * time.Millisecond} {
		what := fmt.Sprintf("serve killed %v into a rebuild", after)
		site := freeSite(t)
		serve, out := mailbag(bin, h, "", "serve", "--addr", strings.TrimPrefix(site, "http://"))
		if err := serve.Start(); err != nil {
			t.Fatal(err)
		}
		within(t, 30*time.Second, "serve starts", func() bool { return strings.Contains(out.String(), site) })
		reindex, _ := mailbag(bin, h, "", "reindex")
		if err := reindex.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		serve.Process.Signal(syscall.SIGKILL)
		serve.Wait()
		reindex.Wait() // it fails or finishes: serve is gone
		t.Logf("%s; serve said:\n%s", what, out)
		searchWorks(what)
		if i == 0 {
			// serve starts again on what was left, and answers.
			again, out := mailbag(bin, h, "", "serve", "--addr", strings.TrimPrefix(site, "http://"))
			if err := again.Start(); err != nil {
				t.Fatal(err)
			}
			within(t, 30*time.Second, "serve starts again", func() bool { return strings.Contains(out.String(), site) })
			if !strings.Contains(fetch(t, site+"/search?q=generics"), "match") {
				t.Errorf("%s: the site does not search", what)
			}
			again.Process.Signal(syscall.SIGTERM)
			if err := again.Wait(); err != nil {
				t.Fatalf("serve after the kill: %v\n%s", err, out)
			}
		}
	}
	// serve killed while it writes 3,000 posts copied in by hand into its
	// live index, batch after batch.
	files, _ := filepath.Glob(filepath.Join(h.Posts(), "*.md"))
	for _, f := range files {
		if err := os.WriteFile(strings.TrimSuffix(f, ".md")+"-copy.md", mustRead(t, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	site := freeSite(t)
	serve, out := mailbag(bin, h, "", "serve", "--addr", strings.TrimPrefix(site, "http://"))
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	within(t, 30*time.Second, "serve starts", func() bool { return strings.Contains(out.String(), site) })
	go http.Get(site + "/") // the site syncs its index with posts/
	time.Sleep(700 * time.Millisecond)
	serve.Process.Signal(syscall.SIGKILL)
	serve.Wait()
	searchWorks("serve killed while it indexed posts added by hand")
	if out := run(t, bin, h, "search", "--json", "title:go"); !strings.Contains(out, `"total": `) {
		t.Fatalf("search --json: %s", out)
	}

	for _, after := range []time.Duration{200 * time.Millisecond, 800 * time.Millisecond, 1500 * time.Millisecond} {
		what := fmt.Sprintf("reindex killed %v in", after)
		reindex, out := mailbag(bin, h, "", "reindex")
		if err := reindex.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		reindex.Process.Signal(syscall.SIGKILL)
		reindex.Wait()
		t.Logf("%s: %s", what, out)
		searchWorks(what)
	}
}

// skipWhenShort skips a stress test (kills, many rounds) under -short:
// scripts/test -short runs everything else in about half the time. Under
// CI it always runs.
func skipWhenShort(t *testing.T) {
	t.Helper()
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("a stress test: not with -short")
	}
}
