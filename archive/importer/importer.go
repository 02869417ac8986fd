// Package importer brings existing posts into a newsletter's posts/:
// Jekyll and Hugo Markdown, converting what only their site generators
// read (Liquid tags, Jekyll's categories, Hugo's page bundles), and the
// exports of Substack, Ghost, WordPress and Buttondown, their HTML turned
// into Markdown; it keeps the old addresses as aliases the site
// redirects.
package importer

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mailbag/archive"
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

// Result is the result of importing one file.
type Result struct {
	// Source is the file imported.
	Source string
	// Outcome is what happened to it.
	Outcome Outcome
	// Path is the post file in posts/ (Imported, AlreadyImported).
	Path string
	// Post is the post as written (Imported), to index it; it cannot be
	// marshalled again (its front matter as read is dropped).
	Post *archive.Post
	// Reason says why the file was skipped, as a phrase: "no title".
	Reason string
	// Notes are what the author should know of an imported file: Liquid
	// tags left as they are, a permalink that gives no redirect.
	Notes []string
	// Images are the hosts an imported post's images are on: they stay
	// there, linked.
	Images []string
	// Total is how many files the import looks at, this one among them.
	Total int
}

// chunkSize is how many files are converted (on every core) and then
// written (with two flushes of the disk for them all) at a time.
const chunkSize = 1000

// Options say what an import reads.
type Options struct {
	// From names the export's platform (one of Platforms); empty, Import
	// tells it from src.
	From string
}

// Import brings in existing posts from src: Markdown (Jekyll, Hugo), a
// Substack export (its zip or folder: posts.csv and posts/*.html), a Ghost
// JSON export, a WordPress WXR file or a Buttondown export (zip or
// folder of emails), told from what src holds unless o.From names it.
//
// Markdown is one file (.md, .markdown), or every such file in a folder
// and its subfolders, as Jekyll (_posts/) and Hugo (content/) keep them.
// Each file's date is written back in DateLayout, its slug taken from its
// front matter, else its file name (YYYY-MM-DD-slug or plain; the folder
// name for a Hugo page bundle's index.md), else its title. Jekyll's
// categories become tags; its permalink, and Hugo's url and aliases, stay
// in the front matter as the post's old addresses (Post.Aliases), which
// the site redirects; the common Liquid tags are converted and the others
// named in the result's Notes (see convertLiquid).
//
// Another platform's published posts become posts, their HTML turned into
// Markdown, with their titles, dates, tags and old addresses (aliases);
// drafts, pages, attachments and posts for paying or signed-in readers
// only are skipped, each with its reason. Images stay where they are,
// linked (Result.Images). Importing the same export again adds nothing.
//
// report is called for each file or item, in order, imported or not. The
// error is for a failure to read src or to write posts/; an item that is
// not a post is skipped and reported, and the import goes on.
func Import(s *archive.Posts, src string, o Options, report func(Result)) error {
	from := strings.ToLower(o.From)
	if from == "" {
		var err error
		if from, err = Detect(src); err != nil {
			return fmt.Errorf("importer: import: %w", err)
		}
	}
	if !slices.Contains(Platforms, from) {
		return fmt.Errorf("importer: import: %q is not an export mailbag reads; name one of %s", o.From, strings.Join(Platforms, ", "))
	}
	if from == Jekyll || from == Hugo {
		return importMarkdown(s, src, report)
	}
	entries, site, err := readExport(from, src)
	if err != nil {
		return fmt.Errorf("importer: import %s: %w", src, err)
	}
	return importItems(s, len(entries), func(i int) converted { return convertEntry(s, entries[i], site) }, report)
}

// readExport reads the items of another platform's export, and the old
// site's base URL where the export says it.
func readExport(from, src string) ([]entry, string, error) {
	switch from {
	case Substack:
		return readSubstack(src)
	case Ghost:
		return readGhost(src)
	case WordPress:
		return readWordPress(src)
	}
	return readButtondown(src)
}

// importMarkdown imports Jekyll's and Hugo's Markdown (see Import).
func importMarkdown(s *archive.Posts, src string, report func(Result)) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("importer: import: %w", err)
	}
	var sources []string
	if !info.IsDir() {
		if !isMarkdown(src) {
			return fmt.Errorf("importer: import %s: not a Markdown file (.md or .markdown)", src)
		}
		sources = []string{src}
	} else if sources, err = markdownFiles(src); err != nil {
		return err
	}
	return importItems(s, len(sources), func(i int) converted { return convert(s, sources[i]) }, report)
}

// importItems converts n items (conv converts one) and writes the new
// posts, a chunk at a time, reporting each.
func importItems(s *archive.Posts, n int, conv func(i int) converted, report func(Result)) error {
	if _, err := atomicfile.Clean(s.Dir); err != nil { // what an import killed midway left
		return fmt.Errorf("importer: import: %w", err)
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("importer: import: %w", err)
	}
	taken, err := namedSlugs(s)
	if err != nil {
		return err
	}
	for start := 0; start < n; start += chunkSize {
		results, err := importChunk(s, start, min(start+chunkSize, n), conv, taken)
		if err != nil {
			return err
		}
		for _, r := range results {
			r.Total = n
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
			return fmt.Errorf("importer: import: %w", err)
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
func namedSlugs(s *archive.Posts) (map[string]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("importer: import: %w", err)
	}
	taken := make(map[string]string, len(entries))
	for _, e := range entries {
		if archive.IsPostFile(e.Name()) {
			if _, slug := archive.SplitFileName(archive.FileStem(e.Name()), s.Location); slug != "" {
				taken[slug] = e.Name()
			}
		}
	}
	return taken, nil
}

// converted is a source file made into a post, not written yet.
type converted struct {
	result Result
	post   *archive.Post
	data   []byte
}

// importChunk converts items from to to (convertItem converts one) on
// every core, then writes the new posts at once; taken maps the slugs in posts/ to their file names and
// gains the new ones.
func importChunk(s *archive.Posts, from, to int, convertItem func(i int) converted, taken map[string]string) ([]Result, error) {
	conv := make([]converted, to-from)
	parallel.For(len(conv), func(i int) { conv[i] = convertItem(from + i) })
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
					c.result = Result{Source: c.result.Source, Outcome: AlreadyImported, Path: target}
					continue
				}
			}
			c.result = Result{Source: c.result.Source, Outcome: Skipped,
				Reason: fmt.Sprintf("a different post with slug %q is already in posts/ (%s)", c.post.Slug, other)}
			continue
		}
		taken[c.post.Slug] = name
		files = append(files, atomicfile.File{Path: target, Data: c.data, Perm: 0o644})
		written = append(written, i)
	}
	errs, err := atomicfile.CreateAll(files)
	if err != nil {
		return nil, fmt.Errorf("importer: import: %w", err)
	}
	for k, i := range written {
		c := &conv[i]
		if errs[k] != nil { // written meanwhile by another process
			c.result = Result{Source: c.result.Source, Outcome: Skipped, Reason: fmt.Sprintf("%s appeared in posts/ meanwhile", filepath.Base(files[k].Path))}
			continue
		}
		// The body is kept for the index, which would otherwise read the
		// file again.
		c.post.Written(files[k].Path)
		c.result = Result{Source: c.result.Source, Outcome: Imported, Path: c.post.Path, Post: c.post, Notes: c.result.Notes, Images: c.result.Images}
	}
	results := make([]Result, len(conv))
	for i := range conv {
		results[i] = conv[i].result
	}
	return results, nil
}

// convert reads one source file and makes it a post in mailbag's format,
// or a skipped result saying why not.
func convert(s *archive.Posts, src string) converted {
	skip := func(reason string) converted {
		return converted{result: Result{Source: src, Outcome: Skipped, Reason: reason}}
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
	p, err := archive.Parse(data, s.Location)
	if err != nil {
		return skip(err.Error())
	}
	if v := p.FrontValue("draft"); v == "true" {
		return skip("a draft (draft: true)")
	}
	if v := p.FrontValue("published"); v == "false" {
		return skip("not published (published: false)")
	}
	date, slug := archive.SplitFileName(importStem(src), s.Location)
	if p.Date.IsZero() {
		p.Date = date
	}
	if p.Slug == "" {
		p.Slug = slug
	}
	if p.Slug == "" {
		p.Slug = archive.Slugify(p.Title)
	}
	if err := p.Check(); err != nil {
		return skip(strings.ReplaceAll(err.Error(), "\n", ", "))
	}
	for _, c := range p.FrontList("categories") {
		if tag := archive.Slugify(c); tag != "" && !slices.Contains(p.Tags, tag) {
			p.Tags = append(p.Tags, tag)
		}
	}
	var notes []string
	p.Body, notes = convertLiquid(p.Body, bytes.Count(data[:len(data)-len(p.Body)], []byte("\n")), s.Location)
	for _, key := range []string{"permalink", "url"} {
		if v := p.FrontValue(key); v != "" {
			if _, ok := archive.AliasPath(v); !ok {
				notes = append(notes, fmt.Sprintf("%s %q is not a path on a site: no redirect from it", key, v))
			}
		}
	}
	out, err := p.Marshal()
	if err != nil {
		return skip(err.Error())
	}
	return converted{result: Result{Source: src, Notes: notes}, post: p, data: out}
}

// importStem returns the name a file's slug comes from: its own, or for a Hugo
// page bundle (folder/index.md) the folder's.
func importStem(path string) string {
	if s := archive.FileStem(path); s != "index" {
		return s
	}
	return filepath.Base(filepath.Dir(path))
}
