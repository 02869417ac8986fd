package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEditorOpensAtThePlaceholder: an editor that takes +N (vi here, a
// stand-in on PATH) opens the draft at the line where the answer goes;
// one that does not gets the file alone.
func TestEditorOpensAtThePlaceholder(t *testing.T) {
	dir := t.TempDir()
	draft := filepath.Join(dir, "draft.md")
	if err := os.WriteFile(draft, []byte("---\ntitle: x\n---\n\n> the question\n\n[Write your answer here.]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := filepath.Join(dir, "args")
	for _, name := range []string{"vi", "code"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\necho \"$@\" > "+args+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	for editor, want := range map[string]string{"vi": "+7 " + draft, "code --wait": "--wait " + draft} {
		t.Setenv("VISUAL", editor)
		if err := edit(context.Background(), draft, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(args); strings.TrimSpace(string(got)) != want {
			t.Errorf("%s got %q, want %q", editor, got, want)
		}
	}
}
