package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCreateRefusesAnExistingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "post.md")
	if err := Create(path, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Create(path, []byte("second"), 0o644); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Create = %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Errorf("file holds %q, want the first content", got)
	}
	assertOnly(t, dir, "post.md")
}

func TestCreateIntoAMissingFolderFails(t *testing.T) {
	err := Create(filepath.Join(t.TempDir(), "no", "such", "file"), []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Create = %v, want fs.ErrNotExist", err)
	}
}

// assertOnly checks that dir holds exactly the file name: no temporary
// file is left behind.
func assertOnly(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %q, want only %q", names, name)
	}
}

// TestCreateAll: new files are written whole; one whose path is taken is
// reported and the file there left alone; no temporary file is left.
func TestCreateAll(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "b.md"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	errs, err := CreateAll([]File{
		{Path: filepath.Join(dir, "a.md"), Data: []byte("post a"), Perm: 0o644},
		{Path: filepath.Join(dir, "b.md"), Data: []byte("post b"), Perm: 0o644},
		{Path: filepath.Join(dir, "c.md"), Data: []byte("post c"), Perm: 0o600},
	})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || !errors.Is(errs[1], fs.ErrExist) || errs[2] != nil {
		t.Errorf("errs = %v", errs)
	}
	for name, want := range map[string]string{"a.md": "post a", "b.md": "old", "c.md": "post c"} {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != want {
			t.Errorf("%s holds %q, want %q", name, got, want)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "c.md")); fi.Mode().Perm() != 0o600 {
		t.Errorf("c.md mode %v", fi.Mode().Perm())
	}
	if err := syncEach([]string{filepath.Join(dir, "a.md")}); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d files left, want 3", len(entries))
	}
	// A folder that is not there fails them all.
	if _, err := CreateAll([]File{{Path: filepath.Join(dir, "no", "d.md"), Data: []byte("x"), Perm: 0o644}}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("into a missing folder: %v", err)
	}
}

// Clean removes the temporary files of processes that died writing, and
// an older version's an hour old; those of running processes, a fresh
// one of an older version and files that only look alike stay.
func TestClean(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := dead.Process.Pid
	files := map[string]bool{ // name: removed
		fmt.Sprintf(".2026-01-01-a.md.tmp-%d-123", deadPID):      true,
		fmt.Sprintf(".2026-01-01-a.md.tmp-%d-456", os.Getpid()):  false,
		fmt.Sprintf(".2026-01-01-a.md.tmp-%d-789", os.Getppid()): false,
		".2026-01-01-b.md.tmp4242":                               true, // an hour old, below
		".2026-01-01-c.md.tmp5151":                               false,
		".notes.tmpl":                                            false,
		"2026-01-01-d.md":                                        false,
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, ".2026-01-01-b.md.tmp4242"), old, old); err != nil {
		t.Fatal(err)
	}
	n, err := Clean(dir)
	if err != nil || n != 2 {
		t.Errorf("Clean = %d, %v; want 2 removed", n, err)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := errors.Is(err, fs.ErrNotExist); gone != removed {
			t.Errorf("%s: removed %v, want %v", name, gone, removed)
		}
	}
	if n, err := Clean(filepath.Join(dir, "none")); n != 0 || err != nil {
		t.Errorf("Clean of a folder not there = %d, %v", n, err)
	}
}

// A failed write names the file asked for, not its temporary file.
func TestWriteErrorNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "post.md")
	err := writeError(path, &fs.PathError{Op: "write", Path: filepath.Join(filepath.Dir(path), ".post.md.tmp-1-2"), Err: syscall.ENOSPC})
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != path || !errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("writeError = %v", err)
	}
}
