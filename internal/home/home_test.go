package home

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"mailbag/internal/config"
)

func TestInitAndFind(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ask")
	h, err := Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{h.Posts(), h.Drafts(), h.State()} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
	if _, err := config.Load(h.Settings()); err != nil {
		t.Errorf("the new settings do not load: %v", err)
	}
	deep := filepath.Join(h.Posts(), "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	found, err := Find(deep)
	if err != nil || found.Dir != h.Dir {
		t.Errorf("Find(%s) = %v, %v; want %s", deep, found, err, h.Dir)
	}
	if _, err := Find(t.TempDir()); !errors.Is(err, ErrNoHome) {
		t.Errorf("Find(empty) = %v, want ErrNoHome", err)
	}
}

func TestInitRefusesAnExistingHome(t *testing.T) {
	dir := t.TempDir()
	if _, err := Init(dir); err != nil {
		t.Fatal(err)
	}
	const mine = "[newsletter]\ntitle = \"Mine\"\n"
	if err := os.WriteFile(filepath.Join(dir, config.FileName), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(dir); !errors.Is(err, ErrExists) {
		t.Fatalf("second Init = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, config.FileName)); string(got) != mine {
		t.Errorf("settings were changed: %q", got)
	}
}

func TestInitAgainAfterAnInterruptedInit(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".mailbag"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(dir); err != nil {
		t.Errorf("Init after an interrupted init = %v", err)
	}
}
