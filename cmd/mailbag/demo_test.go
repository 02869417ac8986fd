package main

import (
	"io"
	"mailbag/internal/peers"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDemo runs `mailbag demo` (with args) until it prints the site's
// URL; stop interrupts it as Ctrl-C does and returns how it ended.
func startDemo(t *testing.T, args ...string) (site string, out *peers.Output, stop func() error) {
	t.Helper()
	out = &peers.Output{}
	cmd := exec.Command(binary(t), append([]string{"demo", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "MAILBAG_HOME=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	url := regexp.MustCompile(`(?m)^(http://127\.0\.0\.1:\d+)/$`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := url.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, func() error { cmd.Process.Signal(os.Interrupt); return <-done }
		}
		select {
		case err := <-done:
			t.Fatalf("the demo stopped: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URL within 60s:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDemo runs the demo headless: it prints its steps, what each
// command said, and the URL, serves the answers it published and the mail
// it sent, keeps the askers out of the answers, and removes its home when
// stopped.
func TestDemo(t *testing.T) {
	site, out, stop := startDemo(t)
	for _, want := range []string{"2. mailbag ingest: 5 messages over IMAP", "ingested: 3 new, 1 ignored, 0 failed, 1 follow-up",
		"sent 3, failed 0, remaining 0", "6 messages sent"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo did not say %q:\n%s", want, out.String())
		}
	}
	get := func(path string) string {
		resp, err := http.Get(site + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", path, resp.Status)
		}
		return string(b)
	}
	home := get("/")
	for _, want := range []string{"How do I give feedback to someone more senior than me?", "Should I take the manager role?", "A product manager stepped on my toe"} {
		if !strings.Contains(home, want) {
			t.Errorf("the home page has no %q", want)
		}
	}
	post := get(regexp.MustCompile(`href="(/\d{4}/\d\d/\d\d/how-do-i-give-feedback[^"]*)"`).FindStringSubmatch(home)[1])
	if !strings.Contains(post, "<blockquote>") || strings.Contains(post, "Priya") || strings.Contains(post, "priya@example.net") {
		t.Errorf("the answer page quotes wrongly or names the asker:\n%s", post)
	}
	if !strings.Contains(home, `<a href="/demo/mail/">Mail sent</a>`) {
		t.Errorf("the site does not link to the mail sent")
	}
	// The mail as a person reads it: decoded, not quoted-printable MIME.
	if mail := get("/demo/mail/"); strings.Count(mail, "<h2>") != 6 || !strings.Contains(mail, "List-Unsubscribe") ||
		!strings.Contains(mail, "Subject: Should I take the manager role?") || strings.Contains(mail, "=3D") {
		t.Errorf("the mail page shows %d messages, or not decoded:\n%.2000s", strings.Count(mail, "<h2>"), mail)
	}
	home1 := regexp.MustCompile(`a newsletter home in (\S+)`).FindStringSubmatch(out.String())[1]
	if err := stop(); err != nil {
		t.Errorf("the demo stopped with %v", err)
	}
	if _, err := os.Stat(home1); !os.IsNotExist(err) {
		t.Errorf("the demo home %s is still there: %v", home1, err)
	}
	if !strings.Contains(out.String(), "Stopped. The demo home "+home1+" is removed (--keep keeps it).") {
		t.Errorf("the demo did not say it removed its home:\n%s", out.String())
	}
}

// TestDemoKeep: with Keep, the demo's home is left for a look around, and
// the demo says where.
func TestDemoKeep(t *testing.T) {
	_, out, stop := startDemo(t, "--keep")
	dir := regexp.MustCompile(`a newsletter home in (\S+)`).FindStringSubmatch(out.String())[1]
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := stop(); err != nil {
		t.Errorf("the demo stopped with %v", err)
	}
	if !strings.Contains(out.String(), "Stopped. The demo home is kept in "+dir) {
		t.Errorf("the demo did not say where its home is:\n%s", out.String())
	}
	posts, err := filepath.Glob(filepath.Join(dir, "posts", "*.md"))
	if err != nil || len(posts) < 3 {
		t.Errorf("the kept home has %d posts, %v", len(posts), err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".mailbag", "mailbag.db")); err != nil {
		t.Errorf("the kept home has no state database: %v", err)
	}
}
