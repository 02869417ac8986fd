package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Outcome is what happened to one file in an import.
type Outcome int

// The outcomes of importing a file.
const (
	Imported        Outcome = iota // written to posts/
	AlreadyImported                // posts/ already holds the same post
	Skipped                        // not imported; Reason says why
)

func (o Outcome) String() string {
	switch o {
	case Imported:
		return "imported"
	case AlreadyImported:
		return "unchanged"
	case Skipped:
		return "skipped"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// ImportResult is the result of importing one file.
type ImportResult struct {
	// Source is the file imported.
	Source string
	// Outcome is what happened to it.
	Outcome Outcome
	// Path is the post file in posts/ (Imported, AlreadyImported).
	Path string
	// Reason says why the file was skipped, as a phrase: "no title".
	Reason string
}

// Import brings in existing posts from src: one Markdown file (.md,
// .markdown), or every such file in a folder and its subfolders, as Jekyll
// (_posts/) and Hugo (content/) keep them. Each file's date is written back
// in DateLayout, its slug taken from its front matter, else its file name
// (YYYY-MM-DD-slug or plain; the folder name for a Hugo page bundle's
// index.md), else its title. Importing the same files again adds nothing.
//
// report is called for each file, in order, imported or not. The error is
// for a failure to read src or to write posts/; a file that is not a post
// is skipped and reported, and the import goes on.
func (s *Posts) Import(src string, report func(ImportResult)) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("archive: import: %w", err)
	}
	if !info.IsDir() {
		if !isMarkdown(src) {
			return fmt.Errorf("archive: import %s: not a Markdown file (.md or .markdown)", src)
		}
		r, err := s.importFile(src)
		if err != nil {
			return err
		}
		report(r)
		return nil
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("archive: import: %w", err)
		}
		if d.IsDir() {
			if path != src && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !isMarkdown(path) {
			return nil
		}
		r, err := s.importFile(path)
		if err != nil {
			return err
		}
		report(r)
		return nil
	})
}

func isMarkdown(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".md" || ext == ".markdown"
}

// importFile imports one file; the error is for a failure to write posts/.
func (s *Posts) importFile(src string) (ImportResult, error) {
	skip := func(reason string) (ImportResult, error) {
		return ImportResult{Source: src, Outcome: Skipped, Reason: reason}, nil
	}
	name := filepath.Base(src)
	if strings.HasPrefix(name, "_index.") {
		return skip("a Hugo section page (_index), not a post")
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return skip(err.Error())
	}
	if bytes.HasPrefix(data, []byte("+++")) {
		return skip("TOML front matter (+++) is not supported; convert it to YAML (---)")
	}
	p, err := Parse(data, s.Location)
	if err != nil {
		return skip(err.Error())
	}
	if v := p.frontValue("draft"); v == "true" {
		return skip("a draft (draft: true)")
	}
	if v := p.frontValue("published"); v == "false" {
		return skip("not published (published: false)")
	}
	date, slug := SplitFileName(importStem(src), s.Location)
	if p.Date.IsZero() {
		p.Date = date
	}
	if p.Slug == "" {
		p.Slug = slug
	}
	if p.Slug == "" {
		p.Slug = Slugify(p.Title)
	}
	if err := p.Check(); err != nil {
		return skip(strings.ReplaceAll(err.Error(), "\n", ", "))
	}
	// Marshal here, not in Write, to tell "already there" from "new".
	out, err := p.Marshal()
	if err != nil {
		return skip(err.Error())
	}
	target := filepath.Join(s.Dir, p.FileName())
	if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, out) {
		return ImportResult{Source: src, Outcome: AlreadyImported, Path: target}, nil
	}
	if err := s.Write(p); err != nil {
		if errors.Is(err, ErrExists) {
			other, _ := s.namedPath(p.Slug)
			return skip(fmt.Sprintf("a different post with slug %q is already in posts/ (%s)", p.Slug, filepath.Base(other)))
		}
		return ImportResult{}, fmt.Errorf("archive: import %s: %w", src, err)
	}
	return ImportResult{Source: src, Outcome: Imported, Path: p.Path}, nil
}

// importStem is the name a file's slug comes from: its own, or for a Hugo
// page bundle (folder/index.md) the folder's.
func importStem(path string) string {
	if s := stem(path); s != "index" {
		return s
	}
	return filepath.Base(filepath.Dir(path))
}

// frontValue is the text of a scalar front matter field not otherwise
// known, "" when absent.
func (p *Post) frontValue(key string) string {
	if p.doc == nil || len(p.doc.Content) == 0 {
		return ""
	}
	m := p.doc.Content[0]
	if i := fieldIndex(m, key); i >= 0 {
		return scalarText(m.Content[i+1])
	}
	return ""
}
