package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeTour runs the README's five-minute tour as written, line by
// line in one shell, as a new user on a fresh machine: `go install`, then
// the commands with the binary on PATH, in a HOME of their own whose
// ~/blog/_posts holds the seed post; $EDITOR changes nothing.
func TestReadmeTour(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## A five-minute tour\n\n```sh\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no tour block")
	}
	var lines []string
	comment := regexp.MustCompile(`\s+# .*$`)
	for _, l := range strings.Split(string(m[1]), "\n") {
		if l = strings.TrimSpace(comment.ReplaceAllString(l, "")); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) < 8 || !strings.HasPrefix(lines[0], "go install ") {
		t.Fatalf("the tour is not what this test knows: %q", lines)
	}
	home := t.TempDir()
	posts := filepath.Join(home, "blog", "_posts")
	if err := os.MkdirAll(posts, 0o755); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile("../../testdata/seed/2018-06-20-a-product-manager-stepped-on-my-toe.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(posts, "2018-06-20-a-product-manager-stepped-on-my-toe.md"), seed, 0o644); err != nil {
		t.Fatal(err)
	}
	zipFolder(t, "../../archive/importer/testdata/substack", filepath.Join(home, "substack-export.zip"))
	bin := filepath.Join(home, "go", "bin")
	// The build and module caches stay the machine's: a new HOME would
	// build everything again, and prove nothing more.
	caches, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cache := strings.Fields(string(caches))
	cmd := exec.Command("sh", "-e", "-x", "-c", strings.Join(lines, "\n"))
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "HOME="+home, "GOBIN="+bin, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"EDITOR=true", "MAILBAG_HOME=", "GOCACHE="+cache[0], "GOMODCACHE="+cache[1])
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the tour failed: %v\n%s", err, out)
	}
	for _, want := range []string{"mailbag ", "1 file: 1 imported", "14 items: 5 imported", "1 answer matches “product manager”", "stepped on my toe", `"total": 1`, "indexed 6 posts"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the tour printed no %q:\n%s", want, out)
		}
	}
}
