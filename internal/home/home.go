// Package home is the newsletter home: the folder `mailbag init` makes, the
// layout of its files, and finding it from the current folder upwards, as
// git finds a repository.
//
//	mailbag.toml   settings (package config)
//	posts/         published answers, YYYY-MM-DD-slug.md
//	drafts/        answers being written
//	templates/     optional overrides of the built-in templates
//	.mailbag/      state: mailbag.db, mail/, index/
package home

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"mailbag/internal/atomicfile"
	"mailbag/internal/config"
)

// ErrNoHome means no newsletter home was found.
var ErrNoHome = errors.New("home: not inside a newsletter home")

// ErrExists means a newsletter home is already there.
var ErrExists = errors.New("home: a newsletter home already exists")

// Home is a newsletter home folder.
type Home struct {
	// Dir is the folder, absolute.
	Dir string
}

// Settings returns the path of mailbag.toml.
func (h Home) Settings() string { return filepath.Join(h.Dir, config.FileName) }

// Posts returns the folder of published posts.
func (h Home) Posts() string { return filepath.Join(h.Dir, "posts") }

// Drafts returns the folder of drafts.
func (h Home) Drafts() string { return filepath.Join(h.Dir, "drafts") }

// Templates returns the folder of template overrides.
func (h Home) Templates() string { return filepath.Join(h.Dir, "templates") }

// State returns the folder of state no person edits: .mailbag/.
func (h Home) State() string { return filepath.Join(h.Dir, ".mailbag") }

// Index returns the folder of the search index.
func (h Home) Index() string { return filepath.Join(h.State(), "index") }

// Mail returns the folder where every raw message ingested is kept.
func (h Home) Mail() string { return filepath.Join(h.State(), "mail") }

// Database returns the path of the state database.
func (h Home) Database() string { return filepath.Join(h.State(), "mailbag.db") }

// Find returns the home at dir or in the nearest folder above it that has
// a mailbag.toml. The error wraps ErrNoHome when there is none.
func Find(dir string) (Home, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Home{}, fmt.Errorf("home: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, config.FileName)); err == nil {
			return Home{Dir: d}, nil
		}
		if filepath.Dir(d) == d {
			return Home{}, fmt.Errorf("%w: no %s in %s or any folder above it", ErrNoHome, config.FileName, abs)
		}
	}
}

// Open returns the home at exactly dir. The error wraps ErrNoHome when dir
// has no mailbag.toml.
func Open(dir string) (Home, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Home{}, fmt.Errorf("home: %w", err)
	}
	if _, err := os.Stat(filepath.Join(abs, config.FileName)); err != nil {
		return Home{}, fmt.Errorf("%w: %s has no %s", ErrNoHome, abs, config.FileName)
	}
	return Home{Dir: abs}, nil
}

// Init makes a new home in dir (created if need be; it may hold other
// files): the default settings, the folders, and a .gitignore that keeps the
// state out of git (it holds readers' addresses). The error wraps ErrExists
// when dir already has a mailbag.toml or state in .mailbag/; nothing is then changed.
func Init(dir string) (Home, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Home{}, fmt.Errorf("home: %w", err)
	}
	h := Home{Dir: abs}
	if _, err := os.Lstat(h.Settings()); err == nil {
		return Home{}, fmt.Errorf("%w: %s is there", ErrExists, h.Settings())
	}
	if entries, err := os.ReadDir(h.State()); err == nil && len(entries) > 0 {
		return Home{}, fmt.Errorf("%w: %s holds state", ErrExists, h.State())
	}
	for _, d := range []string{h.Dir, h.Posts(), h.Drafts(), h.State()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return Home{}, fmt.Errorf("home: init: %w", err)
		}
	}
	if err := os.Chmod(h.State(), 0o700); err != nil {
		return Home{}, fmt.Errorf("home: init: %w", err)
	}
	ignore := filepath.Join(h.Dir, ".gitignore")
	if err := atomicfile.Create(ignore, []byte("# mailbag state: rebuilt or private; never commit it\n/.mailbag/\n"), 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
		return Home{}, fmt.Errorf("home: init: %w", err)
	}
	// The settings go last: a home without them is not a home, so an
	// interrupted init can simply be run again.
	if err := atomicfile.Create(h.Settings(), config.DefaultFile, 0o644); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Home{}, fmt.Errorf("%w: %s is there", ErrExists, h.Settings())
		}
		return Home{}, fmt.Errorf("home: init: %w", err)
	}
	return h, nil
}
