package main

import (
	"context"
	"fmt"
	"mailbag/archive/search"
	"time"

	"github.com/spf13/cobra"
)

func newReindexCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index from posts/",
		Long: `Rebuild the search index from the files in posts/. The old index stays in use
until the new one is complete; with mailbag serve running, serve rebuilds
it and goes on answering searches meanwhile. Post files that cannot be read
are named and left out, and the command then exits non-zero.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := a.open()
			if err != nil {
				return err
			}
			start := time.Now()
			res, err := a.reindex(cmd.Context(), n)
			if err != nil {
				return err
			}
			took := time.Since(start)
			fmt.Fprintf(a.stdout, "indexed %s in %v (%.0f posts/s)\n",
				plural(res.Indexed, "post"), took.Round(time.Millisecond), float64(res.Indexed)/took.Seconds())
			for _, p := range res.Problems {
				fmt.Fprintf(a.stderr, "left out: %s\n", oneLine(p))
			}
			if len(res.Problems) > 0 {
				return fmt.Errorf("reindex: %s left out (listed above)", plural(len(res.Problems), "post file"))
			}
			return nil
		},
	}
}

// reindex has a running serve rebuild its index, or, with none, rebuilds
// the index under its lock.
func (a *app) reindex(ctx context.Context, n *newsletter) (search.SyncResult, error) {
	c, lock, err := a.reachIndex(ctx, n, indexWait)
	if err != nil {
		return search.SyncResult{}, err
	}
	if c != nil {
		return c.Rebuild(ctx)
	}
	defer lock.Release()
	posts, problems, err := n.posts.Headers()
	if err != nil {
		return search.SyncResult{}, err
	}
	x, err := search.Rebuild(n.home.Index(), posts, search.Locale{Location: n.cfg.Location, Language: n.cfg.Newsletter.Language})
	if err != nil {
		return search.SyncResult{}, err
	}
	return search.SyncResult{Indexed: len(posts), Problems: problems}, x.Close()
}
