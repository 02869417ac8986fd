package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/internal/benchcorpus"
	"mailbag/internal/home"
)

// benchImportPosts is how many posts BenchmarkImportCommand imports.
const benchImportPosts = 10_000

// BenchmarkImportCommand runs the mailbag binary as an author does:
// `mailbag import` of 10,000 Jekyll posts of about 1,000 words into a new
// home (posts written and indexed), then `mailbag reindex` of that home.
// Each reports posts/s, from the command's start to its end.
//
//	go test ./cmd/mailbag -run '^$' -bench ImportCommand -benchtime 2x
func BenchmarkImportCommand(b *testing.B) {
	bin := binary(b)
	src := filepath.Join(b.TempDir(), "_posts")
	benchcorpus.WritePosts(b, src, benchImportPosts, func(file []byte) string {
		p, err := archive.Parse(file, time.UTC)
		if err != nil {
			return ""
		}
		return archive.PlainText(p.Body)
	})
	homes := b.TempDir()
	var h home.Home
	run := func(b *testing.B, args ...string) {
		cmd := exec.Command(bin, append([]string{"--home", h.Dir}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("mailbag %v: %v\n%s", args, err, out[max(0, len(out)-2000):])
		}
	}
	b.Run("import", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dir, err := os.MkdirTemp(homes, "home")
			if err != nil {
				b.Fatal(err)
			}
			if h, err = home.Init(dir); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			run(b, "import", src)
		}
		b.ReportMetric(float64(benchImportPosts*b.N)/b.Elapsed().Seconds(), "posts/s")
	})
	b.Run("reindex", func(b *testing.B) {
		for b.Loop() {
			run(b, "reindex")
		}
		b.ReportMetric(float64(benchImportPosts*b.N)/b.Elapsed().Seconds(), "posts/s")
	})
}
