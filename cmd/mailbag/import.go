package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"mailbag/archive"
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
			var counts [3]int
			err = n.posts.Import(args[0], func(r archive.ImportResult) {
				counts[r.Outcome]++
				switch r.Outcome {
				case archive.Imported:
					fmt.Fprintf(a.stdout, "imported  %s -> %s\n", r.Source, a.rel(n, r.Path))
				case archive.AlreadyImported:
					fmt.Fprintf(a.stdout, "unchanged %s (already %s)\n", r.Source, a.rel(n, r.Path))
				case archive.Skipped:
					fmt.Fprintf(a.stdout, "skipped   %s: %s\n", r.Source, r.Reason)
				}
			})
			if err != nil {
				return err
			}
			total := counts[0] + counts[1] + counts[2]
			fmt.Fprintf(a.stdout, "%s: %d imported, %d already there, %d skipped\n",
				plural(total, "file"), counts[archive.Imported], counts[archive.AlreadyImported], counts[archive.Skipped])
			if total == 0 {
				return fmt.Errorf("import %s: no Markdown files (.md, .markdown) found", args[0])
			}
			if counts[archive.Skipped] == total {
				return fmt.Errorf("import %s: no file could be imported", args[0])
			}
			if counts[archive.Imported] > 0 {
				x, err := a.openIndex(cmd.Context(), n)
				if err != nil {
					return err
				}
				return x.Close()
			}
			return nil
		},
	}
}

// plural is "1 file", "2 files".
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
