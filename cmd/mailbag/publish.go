package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive"
	"mailbag/ingest"
	"mailbag/publish"
)

func newPublishCmd(a *app) *cobra.Command {
	var dateFlag string
	cmd := &cobra.Command{
		Use:   "publish DRAFT",
		Short: "Publish a draft: posts/, the search index, questions answered",
		Long: `Publish DRAFT (a path, a file name in drafts/, or a slug): check it (a title,
an answer written, no placeholder left), date it now (or --date), write
posts/YYYY-MM-DD-slug.md, index it, mark the questions it answers answered,
and remove the draft. Every problem is named at once. Nothing is
overwritten; if it is interrupted, publishing the same draft again finishes
the job.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withQueue(cmd.Context(), func(n *newsletter, q *ingest.Queue) error {
				return a.publish(cmd.Context(), n, q, args[0], dateFlag)
			})
		},
	}
	cmd.Flags().StringVar(&dateFlag, "date", "", "the post's date ('YYYY-MM-DD HH:MM:SS', YYYY-MM-DD or RFC 3339); default now")
	return cmd
}

// publish publishes the draft ref, dated dateFlag or now.
func (a *app) publish(ctx context.Context, n *newsletter, q *ingest.Queue, ref, dateFlag string) error {
	var date time.Time
	if dateFlag != "" {
		var err error
		if date, err = archive.ParseDate(dateFlag, n.cfg.Location); err != nil {
			return usageError{fmt.Errorf("--date: %w", err)}
		}
	}
	// Check before opening the index: a draft that is not ready
	// should not wait on it.
	p := &publish.Publisher{Drafts: n.drafts(), Posts: n.posts, Queue: q}
	path, err := p.Drafts.Find(ref)
	if err != nil {
		return err
	}
	draft, err := p.Check(ctx, path)
	if err != nil {
		return err
	}
	a.noteSlug(draft)
	x, err := a.openIndex(ctx, n)
	if err != nil {
		return err
	}
	defer x.Close()
	p.Index = x
	post, err := p.Publish(ctx, path, date)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Published %s, at %s\n", a.rel(n, post.Path), n.list().URL(post))
	fmt.Fprintf(a.stdout, "Next: mailbag send --test YOUR-ADDRESS %s to see it in your inbox, then mailbag send %s\n", post.Slug, post.Slug)
	return nil
}

// noteSlug says when a draft's slug (from its file name, or set) is not
// what its title makes: the title changed since the draft was written, and
// the post's address will keep the old words unless slug: is set.
func (a *app) noteSlug(draft *archive.Post) {
	if fromTitle := archive.Slugify(draft.Title); fromTitle != "" && fromTitle != draft.Slug {
		fmt.Fprintf(a.stdout, "Its slug (in its address) is %s, not %s as its title now makes: set slug: %s in the draft to use that.\n", draft.Slug, fromTitle, fromTitle)
	}
}
