package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive"
)

func newReindexCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index from posts/",
		Long: `Rebuild the search index from the files in posts/. The old index stays in use
until the new one is complete. Post files that cannot be read are named and
left out, and the command then exits non-zero.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := a.open()
			if err != nil {
				return err
			}
			start := time.Now()
			posts, problems, err := n.posts.List()
			if err != nil {
				return err
			}
			x, err := archive.Rebuild(n.home.Index(), posts, n.cfg.Location)
			if err != nil {
				return err
			}
			if err := x.Close(); err != nil {
				return err
			}
			took := time.Since(start)
			fmt.Fprintf(a.stdout, "indexed %s in %v (%.0f posts/s)\n",
				plural(len(posts), "post"), took.Round(time.Millisecond), float64(len(posts))/took.Seconds())
			for _, p := range problems {
				fmt.Fprintf(a.stderr, "left out: %s\n", oneLine(p))
			}
			if len(problems) > 0 {
				return fmt.Errorf("reindex: %s left out (listed above)", plural(len(problems), "post file"))
			}
			return nil
		},
	}
}
