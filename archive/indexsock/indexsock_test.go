package indexsock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
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
	x, _, err := search.OpenIndex(filepath.Join(dir, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	addr, err := Address(dir)
	if err != nil {
		t.Fatal(err)
	}
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
	res, err := c.Search(ctx, search.Query{Text: "otters"})
	if err != nil || res.Total != 1 || res.Hits[0].Slug != "otters" || len(res.Hits[0].Fragments) == 0 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	if _, err := c.Search(ctx, search.Query{Text: "title:"}); !errors.Is(err, search.ErrBadQuery) || strings.Contains(err.Error(), "search: bad search query: search: bad") {
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
	if res, err := c.Search(ctx, search.Query{Text: "beavers OR otters"}); err != nil || res.Total != 2 {
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

// A home whose socket path is too long for the kernel gets a socket in a
// folder only its user may enter, never an abstract one; a folder that
// others may enter, or another user's, is refused with what to do.
func TestLongHomeSocketIsPrivate(t *testing.T) {
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	long := filepath.Join(t.TempDir(), strings.Repeat("a-long-folder-name/", 8), ".mailbag")
	addr, err := Address(long)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(addr, "@") || filepath.Dir(addr) != filepath.Join(run, "mailbag") {
		t.Fatalf("Address = %q, want a file in %s", addr, filepath.Join(run, "mailbag"))
	}
	if fi, err := os.Stat(filepath.Dir(addr)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the socket's folder: %v, %v; want mode 0700", fi.Mode(), err)
	}
	if again, _ := Address(long); again != addr {
		t.Errorf("Address again = %q, want %q: commands must find serve", again, addr)
	}
	if other, _ := Address(long + "2"); other == addr {
		t.Errorf("two homes share the socket %q", addr)
	}
	ln, err := Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if fi, err := os.Stat(addr); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the socket file: %v, %v; want mode 0600", fi.Mode(), err)
	}

	if err := os.Chmod(filepath.Dir(addr), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Address(long); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("a folder others may enter: %v, want a refusal saying chmod 700", err)
	}
	link := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", link)
	if err := os.Symlink(run, filepath.Join(link, "mailbag")); err != nil {
		t.Fatal(err)
	}
	if _, err := Address(long); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("a link in place of the folder: %v, want a refusal", err)
	}
}

// dialAs is set in the environment of this test binary run again as
// another user: it then dials the socket named and says what it got.
const dialAs = "MAILBAG_TEST_DIAL_SOCKET"

func TestMain(m *testing.M) {
	if addr := os.Getenv(dialAs); addr != "" {
		c, err := Dial(addr)
		if err == nil {
			_, err = c.Search(context.Background(), search.Query{Text: "otters"})
		}
		fmt.Println("search:", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serve answers only its own user: a process of another user that
// reaches the socket (here made world-writable on purpose) is hung up
// on, whatever the file's mode (SO_PEERCRED).
func TestOtherUsersRefused(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("this test runs a process as another user: run it as root (CI does)")
		}
		t.Skip("needs root, to run a process as another user")
	}
	dir, err := os.MkdirTemp("", "sock")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	posts := &archive.Posts{Dir: filepath.Join(dir, "posts"), Location: time.UTC}
	x, _, err := search.OpenIndex(filepath.Join(dir, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	addr := filepath.Join(dir, socketName)
	ln, err := Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(addr, 0o666); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, Options{Index: x, Posts: posts}) }()
	defer func() { cancel(); <-done }()

	self, err := os.ReadFile(os.Args[0]) // a copy the other user may run
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "dial.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(uid uint32) string {
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Env = append(os.Environ(), dialAs+"="+addr)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the dialling process: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := run(0); !strings.Contains(out, "search: <nil>") {
		t.Fatalf("serve's own user: %q, want an answer", out)
	}
	out := run(65534)
	if !strings.HasPrefix(out, "search: ") || strings.Contains(out, "search: <nil>") {
		t.Errorf("another user: %q, want no answer", out)
	}
}

// TestSyncReplyKeepsWhatSyncSaid: a sync's result reaches the command as
// the server's Sync gave it, the problems and the model's error too.
func TestSyncReplyKeepsWhatSyncSaid(t *testing.T) {
	res := search.SyncResult{Indexed: 2, Removed: 1, Generation: 7,
		Problems: []error{errors.New("a.md: line 1: unterminated front matter")},
		Model:    errors.New("learn the archive's model of meaning: disk full")}
	data, err := json.Marshal(syncReplyOf(res))
	if err != nil {
		t.Fatal(err)
	}
	var r syncReply
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	got := r.result()
	if got.Indexed != 2 || got.Removed != 1 || got.Generation != 7 || len(got.Problems) != 1 ||
		got.Problems[0].Error() != res.Problems[0].Error() || got.Model == nil || got.Model.Error() != res.Model.Error() {
		t.Errorf("sent %+v, received %+v", res, got)
	}
	if r := syncReplyOf(search.SyncResult{}).result(); r.Model != nil || r.Problems != nil {
		t.Errorf("a sync with nothing to say: %+v", r)
	}
}
