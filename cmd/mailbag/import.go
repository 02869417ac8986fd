package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"mailbag/archive"
	"mailbag/archive/importer"
)

func newImportCmd(a *app) *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "import PATH",
		Short: "Bring in existing posts: Markdown, Substack, Ghost, WordPress, Buttondown",
		Long: `Bring in existing posts:

  - Markdown with YAML front matter: one file, or every .md and .markdown
    file in a folder and its subfolders (Jekyll's _posts/, Hugo's content/);
  - a Substack export, the zip or its folder (posts.csv, posts/*.html);
  - a Ghost JSON export (versions 2 to 5);
  - a WordPress export (WXR, Tools → Export);
  - a Buttondown export, the zip or its folder (emails.csv, emails/*.md).

The kind is told from PATH; --from names it. Published posts become posts,
their HTML turned into Markdown, with their titles, dates and tags; their
old addresses (Substack's /p/SLUG, Ghost's /SLUG/, WordPress's permalinks
and ?p=ID) redirect to the new pages. Drafts, pages, attachments and posts
for paying or signed-in readers only are skipped, each named with its
reason. Images stay where they are, linked; the hosts they are on are
listed. Importing the same export again adds nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from != "" && !slices.Contains(importer.Platforms, strings.ToLower(from)) {
				return usageError{fmt.Errorf("--from %s: name one of %s", from, strings.Join(importer.Platforms, ", "))}
			}
			n, err := a.open()
			if err != nil {
				return err
			}
			return a.importPosts(cmd.Context(), n, args[0], importer.Options{From: from})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the export's kind: "+strings.Join(importer.Platforms, ", ")+" (told from PATH unless given)")
	return cmd
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
func (a *app) importPosts(ctx context.Context, n *newsletter, src string, o importer.Options) error {
	if o.From == "" {
		from, err := importer.Detect(src)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		o.From = from
	}
	markdown := o.From == importer.Jekyll || o.From == importer.Hugo
	noun := "item"
	if markdown {
		noun = "file"
	}
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
		bar = newProgressBar(raw(a.stderr), noun+"s imported", 500)
	}
	var counts [3]int
	var pending []*archive.Post
	done := 0
	images := map[string]int{}
	err = importer.Import(n.posts, src, o, func(r importer.Result) {
		counts[r.Outcome]++
		done++
		switch r.Outcome {
		case importer.Imported:
			fmt.Fprintf(a.stdout, "imported  %s -> %s\n", r.Source, a.rel(n, r.Path))
			for _, note := range r.Notes {
				fmt.Fprintf(a.stdout, "          note: %s\n", note)
			}
			for _, host := range r.Images {
				images[host]++
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
	if len(images) > 0 {
		hosts := slices.Sorted(maps.Keys(images))
		slices.SortStableFunc(hosts, func(x, y string) int { return images[y] - images[x] })
		var list []string
		for _, h := range hosts {
			list = append(list, fmt.Sprintf("%s (%s)", h, plural(images[h], "post")))
		}
		fmt.Fprintf(a.stdout, "images stay where they are, linked: on %s\n", strings.Join(list, ", "))
	}
	total := counts[0] + counts[1] + counts[2]
	fmt.Fprintf(a.stdout, "%s: %d imported, %d already there, %d skipped\n",
		plural(total, noun), counts[importer.Imported], counts[importer.AlreadyImported], counts[importer.Skipped])
	switch {
	case total == 0 && markdown:
		return fmt.Errorf("import %s: no Markdown files (.md, .markdown) found", src)
	case total == 0:
		return fmt.Errorf("import %s: the %s export holds no posts", src, o.From)
	case counts[importer.Skipped] == total:
		return fmt.Errorf("import %s: no %s could be imported", src, noun)
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
