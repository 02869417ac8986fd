package archive

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mailbag/internal/atomicfile"
	"mailbag/internal/parallel"
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
	// Post is the post as written (Imported), to index it; it cannot be
	// marshalled again (its front matter as read is dropped).
	Post *Post
	// Reason says why the file was skipped, as a phrase: "no title".
	Reason string
	// Notes are what the author should know of an imported file: Liquid
	// tags left as they are, a permalink that gives no redirect.
	Notes []string
	// Total is how many files the import looks at, this one among them.
	Total int
}

// importChunk is how many files are converted (on every core) and then
// written (with two flushes of the disk for them all) at a time.
const importChunk = 1000

// Import brings in existing posts from src: one Markdown file (.md,
// .markdown), or every such file in a folder and its subfolders, as Jekyll
// (_posts/) and Hugo (content/) keep them. Each file's date is written back
// in DateLayout, its slug taken from its front matter, else its file name
// (YYYY-MM-DD-slug or plain; the folder name for a Hugo page bundle's
// index.md), else its title. Jekyll's categories become tags; its
// permalink, and Hugo's url and aliases, stay in the front matter as the
// post's old addresses (Post.Aliases), which the site redirects; the
// common Liquid tags are converted and the others named in the result's
// Notes (see convertLiquid). Importing the same files again adds nothing.
//
// report is called for each file, in order, imported or not. The error is
// for a failure to read src or to write posts/; a file that is not a post
// is skipped and reported, and the import goes on.
func (s *Posts) Import(src string, report func(ImportResult)) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("archive: import: %w", err)
	}
	var sources []string
	if !info.IsDir() {
		if !isMarkdown(src) {
			return fmt.Errorf("archive: import %s: not a Markdown file (.md or .markdown)", src)
		}
		sources = []string{src}
	} else if sources, err = markdownFiles(src); err != nil {
		return err
	}
	if _, err := atomicfile.Clean(s.Dir); err != nil { // what an import killed midway left
		return fmt.Errorf("archive: import: %w", err)
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("archive: import: %w", err)
	}
	taken, err := s.namedSlugs()
	if err != nil {
		return err
	}
	for start := 0; start < len(sources); start += importChunk {
		chunk := sources[start:min(start+importChunk, len(sources))]
		results, err := s.importChunk(chunk, taken)
		if err != nil {
			return err
		}
		for _, r := range results {
			r.Total = len(sources)
			report(r)
		}
	}
	return nil
}

// markdownFiles lists the Markdown files in the folder src and its
// subfolders (hidden ones left out), in order.
func markdownFiles(src string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("archive: import: %w", err)
		}
		if d.IsDir() {
			if path != src && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && isMarkdown(path) {
			out = append(out, path)
		}
		return nil
	})
	return out, err
}

func isMarkdown(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".md" || ext == ".markdown"
}

// namedSlugs maps the slugs named by the post files in posts/ to their
// file names, read once for an import.
func (s *Posts) namedSlugs() (map[string]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("archive: import: %w", err)
	}
	taken := make(map[string]string, len(entries))
	for _, e := range entries {
		if isPostFile(e.Name()) {
			if _, slug := SplitFileName(stem(e.Name()), s.Location); slug != "" {
				taken[slug] = e.Name()
			}
		}
	}
	return taken, nil
}

// converted is a source file made into a post, not written yet.
type converted struct {
	result ImportResult
	post   *Post
	data   []byte
}

// importChunk converts the files of a chunk on every core, then writes the
// new ones at once; taken maps the slugs in posts/ to their file names and
// gains the new ones.
func (s *Posts) importChunk(sources []string, taken map[string]string) ([]ImportResult, error) {
	conv := make([]converted, len(sources))
	parallel.For(len(sources), func(i int) { conv[i] = s.convert(sources[i]) })
	var files []atomicfile.File
	var written []int
	for i := range conv {
		c := &conv[i]
		if c.post == nil {
			continue
		}
		name := c.post.FileName()
		target := filepath.Join(s.Dir, name)
		if other, ok := taken[c.post.Slug]; ok {
			if other == name {
				if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, c.data) {
					c.result = ImportResult{Source: c.result.Source, Outcome: AlreadyImported, Path: target}
					continue
				}
			}
			c.result = ImportResult{Source: c.result.Source, Outcome: Skipped,
				Reason: fmt.Sprintf("a different post with slug %q is already in posts/ (%s)", c.post.Slug, other)}
			continue
		}
		taken[c.post.Slug] = name
		files = append(files, atomicfile.File{Path: target, Data: c.data, Perm: 0o644})
		written = append(written, i)
	}
	errs, err := atomicfile.CreateAll(files)
	if err != nil {
		return nil, fmt.Errorf("archive: import: %w", err)
	}
	for k, i := range written {
		c := &conv[i]
		if errs[k] != nil { // written meanwhile by another process
			c.result = ImportResult{Source: c.result.Source, Outcome: Skipped, Reason: fmt.Sprintf("%s appeared in posts/ meanwhile", filepath.Base(files[k].Path))}
			continue
		}
		c.post.Path = files[k].Path
		if fi, err := os.Stat(c.post.Path); err == nil {
			c.post.file = fileInfo{size: fi.Size(), modTime: fi.ModTime().UnixNano()}
		}
		// The front matter as read is not needed any more; the body is,
		// by the index, which would otherwise read the file again.
		c.post.src = nil
		c.result = ImportResult{Source: c.result.Source, Outcome: Imported, Path: c.post.Path, Post: c.post, Notes: c.result.Notes}
	}
	results := make([]ImportResult, len(conv))
	for i := range conv {
		results[i] = conv[i].result
	}
	return results, nil
}

// convert reads one source file and makes it a post in mailbag's format,
// or a skipped result saying why not.
func (s *Posts) convert(src string) converted {
	skip := func(reason string) converted {
		return converted{result: ImportResult{Source: src, Outcome: Skipped, Reason: reason}}
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
	for _, c := range p.frontList("categories") {
		if tag := Slugify(c); tag != "" && !slices.Contains(p.Tags, tag) {
			p.Tags = append(p.Tags, tag)
		}
	}
	var notes []string
	p.Body, notes = convertLiquid(p.Body, bytes.Count(data[:len(data)-len(p.Body)], []byte("\n")), s.Location)
	for _, key := range []string{"permalink", "url"} {
		if v := p.frontValue(key); v != "" {
			if _, ok := AliasPath(v); !ok {
				notes = append(notes, fmt.Sprintf("%s %q is not a path on a site: no redirect from it", key, v))
			}
		}
	}
	out, err := p.Marshal()
	if err != nil {
		return skip(err.Error())
	}
	return converted{result: ImportResult{Source: src, Notes: notes}, post: p, data: out}
}

// importStem is the name a file's slug comes from: its own, or for a Hugo
// page bundle (folder/index.md) the folder's.
func importStem(path string) string {
	if s := stem(path); s != "index" {
		return s
	}
	return filepath.Base(filepath.Dir(path))
}

// frontList is a front matter field read as a list of words (a list, or
// a string split on spaces, as Jekyll reads categories); nil when absent.
func (p *Post) frontList(key string) []string {
	if p.src == nil || len(p.src.doc.Content) == 0 {
		return nil
	}
	m := p.src.doc.Content[0]
	if i := fieldIndex(m, key); i >= 0 {
		list, _ := stringList(m.Content[i+1])
		return list
	}
	return nil
}

// frontValue is the text of a scalar front matter field not otherwise
// known, "" when absent.
func (p *Post) frontValue(key string) string {
	if p.src == nil || len(p.src.doc.Content) == 0 {
		return ""
	}
	m := p.src.doc.Content[0]
	if i := fieldIndex(m, key); i >= 0 {
		return scalarText(m.Content[i+1])
	}
	return ""
}
