package site

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/internal/benchcorpus"
)

// benchSite serves a site of 10,000 posts of about 1,000 words.
func benchSite(b *testing.B) (*Site, http.Handler, *postTable, string) {
	b.Helper()
	root := b.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	benchcorpus.WritePosts(b, posts.Dir, 10_000, func(file []byte) string {
		p, err := archive.Parse(file, time.UTC)
		if err != nil {
			return ""
		}
		return archive.PlainText(p.Body)
	})
	x, _, err := search.OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { x.Close() })
	s, err := New(Options{Title: "Ask Jim", BaseURL: "https://ask.example.org", Posts: posts, Index: x, Templates: loadTemplates(b)})
	if err != nil {
		b.Fatal(err)
	}
	return s, s.Handler(), &s.cache.get().posts, root
}

// latencies runs each request once per loop and reports p50 and p99.
func latencies(b *testing.B, h http.Handler, paths func(i int) string) {
	var took []time.Duration
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("GET", paths(i), nil)
		rec := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		took = append(took, time.Since(t0))
		if rec.Code != 200 {
			b.Fatalf("%s: %d", req.URL, rec.Code)
		}
		i++
	}
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), "p99-ms")
	b.ReportMetric(float64(len(took))/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkSitePages measures a post's page and a search page, in the
// process (no network), at 10,000 posts: the first visit of each post
// renders its Markdown, later ones use the cache.
//
//	go test ./archive/site -run '^$' -bench SitePages -benchtime 3000x
func BenchmarkSitePages(b *testing.B) {
	_, h, posts, _ := benchSite(b)
	rng := rand.New(rand.NewPCG(5, 6))
	b.Run("post", func(b *testing.B) {
		latencies(b, h, func(int) string { return posts.at(rng.IntN(posts.len())).URLPath() })
	})
	b.Run("search", func(b *testing.B) {
		words := benchcorpus.Queries["words"]
		latencies(b, h, func(i int) string { return "/search?q=" + url.QueryEscape(words[i%len(words)]) })
	})
}

// BenchmarkBuild times `mailbag build` of 10,000 posts beside Hugo
// (Debian's hugo) building the same files with minimal layouts.
//
//	go test ./archive/site -run '^$' -bench Build -benchtime 1x
func BenchmarkBuild(b *testing.B) {
	site, _, _, root := benchSite(b)
	hugo, err := exec.LookPath("hugo")
	if err != nil {
		b.Skip("hugo is not installed (apt-get install hugo)")
	}
	hugoSite := filepath.Join(root, "hugo")
	for _, dir := range []string{"content/posts", "layouts/_default"} {
		if err := os.MkdirAll(filepath.Join(hugoSite, dir), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "posts", "*.md"))
	for _, f := range files {
		if err := os.Link(f, filepath.Join(hugoSite, "content/posts", filepath.Base(f))); err != nil {
			b.Fatal(err)
		}
	}
	for name, body := range map[string]string{
		"hugo.toml":                    "baseURL = 'https://ask.example.org/'\ntitle = 'Ask Jim'\ndisableKinds = ['taxonomy', 'term']\n",
		"layouts/_default/single.html": "<!DOCTYPE html><html lang=en><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n",
		"layouts/_default/list.html":   "<!DOCTYPE html><html lang=en><head><title>{{ .Title }}</title></head><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n",
	} {
		if err := os.WriteFile(filepath.Join(hugoSite, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		t0 := time.Now()
		if _, err := site.Build(filepath.Join(root, "public")); err != nil {
			b.Fatal(err)
		}
		ours := time.Since(t0)
		t0 = time.Now()
		out, err := exec.Command(hugo, "--source", hugoSite, "--destination", filepath.Join(root, "hugo-public"), "--quiet").CombinedOutput()
		if err != nil {
			b.Fatalf("hugo: %v\n%s", err, out)
		}
		theirs := time.Since(t0)
		b.ReportMetric(ours.Seconds(), "mailbag-s")
		b.ReportMetric(theirs.Seconds(), "hugo-s")
		b.ReportMetric(theirs.Seconds()/ours.Seconds(), "hugo/mailbag")
	}
}
