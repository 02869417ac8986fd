package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"mailbag/archive"
	"mailbag/archive/importer"
)

func newImportCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "import PATH",
		Short: "Bring in existing posts (Jekyll or Hugo Markdown)",
		Long: `Bring in existing posts: one Markdown file with YAML front matter, or every
.md and .markdown file in a folder and its subfolders (Jekyll's _posts/,
Hugo's content/). Dates are rewritten in mailbag's format; each file is
reported as imported or skipped with its reason. Importing the same files
again adds nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := a.open()
			if err != nil {
				return err
			}
			return a.importPosts(cmd.Context(), n, args[0])
		},
	}
}

// importChunk is how many imported posts are handed to the index at once,
// and importQueue how many such chunks may wait for it.
const (
	importChunk = 1000
	importQueue = 4
)

// importMergeFrom is how many posts an import adds before it ends by
// merging the index's segments (search.Index.Merge): fewer leave a few
// small segments, bleve's to merge.
const importMergeFrom = 5000

// drain takes what is waiting in chunks, without waiting.
func drain(chunks chan []*archive.Post) []*archive.Post {
	var out []*archive.Post
	for {
		select {
		case more, ok := <-chunks:
			if !ok {
				return out
			}
			out = append(out, more...)
		default:
			return out
		}
	}
}

// importPosts imports the posts at src, listing each file, with a
// progress bar on a terminal, and indexes the imported ones as the import
// goes on: each chunk while the next is converted and written.
func (a *app) importPosts(ctx context.Context, n *newsletter, src string) error {
	x, err := a.openIndex(ctx, n)
	if err != nil {
		return err
	}
	defer x.Close()
	// Each Add takes every chunk handed over since the last began, so the
	// index works in few large updates (its batches pipelined within each)
	// while the next files are converted and written.
	chunks := make(chan []*archive.Post, importQueue)
	indexed := make(chan error, 1)
	go func() {
		var err error
		for posts := range chunks {
			posts = append(posts, drain(chunks)...)
			if err == nil {
				err = x.Add(posts...)
			}
		}
		indexed <- err
	}()
	var bar *progressBar
	if isTerminal(a.stderr) {
		bar = newProgressBar(raw(a.stderr), "files imported", 500)
	}
	var counts [3]int
	var pending []*archive.Post
	done := 0
	err = importer.Import(n.posts, src, func(r importer.Result) {
		counts[r.Outcome]++
		done++
		switch r.Outcome {
		case importer.Imported:
			fmt.Fprintf(a.stdout, "imported  %s -> %s\n", r.Source, a.rel(n, r.Path))
			for _, note := range r.Notes {
				fmt.Fprintf(a.stdout, "          note: %s\n", note)
			}
			if pending = append(pending, r.Post); len(pending) == importChunk {
				chunks <- pending
				pending = nil
			}
		case importer.AlreadyImported:
			fmt.Fprintf(a.stdout, "unchanged %s (already %s)\n", r.Source, a.rel(n, r.Path))
		case importer.Skipped:
			fmt.Fprintf(a.stdout, "skipped   %s: %s\n", r.Source, r.Reason)
		}
		bar.update(done, r.Total)
	})
	if len(pending) > 0 {
		chunks <- pending
	}
	close(chunks)
	bar.end()
	if ierr := <-indexed; err == nil && ierr != nil {
		err = fmt.Errorf("import: index the imported posts: %w", ierr)
	}
	if err != nil {
		return err
	}
	if counts[importer.Imported] >= importMergeFrom {
		if err := x.Merge(); err != nil {
			return fmt.Errorf("import: merge the search index: %w", err)
		}
	}
	total := counts[0] + counts[1] + counts[2]
	fmt.Fprintf(a.stdout, "%s: %d imported, %d already there, %d skipped\n",
		plural(total, "file"), counts[importer.Imported], counts[importer.AlreadyImported], counts[importer.Skipped])
	if total == 0 {
		return fmt.Errorf("import %s: no Markdown files (.md, .markdown) found", src)
	}
	if counts[importer.Skipped] == total {
		return fmt.Errorf("import %s: no file could be imported", src)
	}
	return nil
}

// plural returns "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// rel shows a path inside the home relative to it.
func (a *app) rel(n *newsletter, path string) string {
	if r, err := filepath.Rel(n.home.Dir, path); err == nil {
		return r
	}
	return path
}
