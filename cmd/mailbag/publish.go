package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive"
	"mailbag/publish"
	"mailbag/questions"
)

func newPublishCmd(a *app) *cobra.Command {
	var dateFlag, atFlag string
	cmd := &cobra.Command{
		Use:   "publish DRAFT",
		Short: "Publish a draft: posts/, the search index, questions answered",
		Long: `Publish DRAFT (a path, a file name in drafts/, or a slug): check it (a title,
an answer written, no placeholder left), date it now (or --date), write
posts/YYYY-MM-DD-slug.md, index it, mark the questions it answers answered,
and remove the draft. Every problem is named at once. Nothing is
overwritten; if it is interrupted, publishing the same draft again finishes
the job.

With --at TIME, the draft is checked now and published at TIME by
` + "`mailbag run`" + ` (mailbag schedule lists and cancels).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if atFlag != "" {
				if dateFlag != "" {
					return usageError{fmt.Errorf("--at and --date: a scheduled post is dated when it is published")}
				}
				return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
					return a.schedulePublish(cmd.Context(), n, db, args[0], atFlag)
				})
			}
			return a.withQueue(cmd.Context(), func(n *newsletter, q *questions.Queue) error {
				post, err := a.publish(cmd.Context(), n, q, args[0], dateFlag)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Published %s, at %s\n", a.rel(n, post.Path), n.list().URL(post))
				fmt.Fprintf(a.stdout, "Next: mailbag send --test YOUR-ADDRESS %s to see it in your inbox, then mailbag send %s\n", post.Slug, post.Slug)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&dateFlag, "date", "", "the post's date ('YYYY-MM-DD HH:MM:SS', YYYY-MM-DD or RFC 3339); default now")
	cmd.Flags().StringVar(&atFlag, "at", "", "publish at this time ('YYYY-MM-DD HH:MM:SS' in the newsletter's time zone, or RFC 3339), by mailbag run")
	return cmd
}

// publish publishes the draft ref, dated dateFlag or now, and returns
// the post; the caller says so (the command to the author, run in its
// log).
func (a *app) publish(ctx context.Context, n *newsletter, q *questions.Queue, ref, dateFlag string) (*archive.Post, error) {
	var date time.Time
	if dateFlag != "" {
		var err error
		if date, err = archive.ParseDate(dateFlag, n.cfg.Location); err != nil {
			return nil, usageError{fmt.Errorf("--date: %w", err)}
		}
	}
	// Check before opening the index: a draft that is not ready
	// should not wait on it.
	p, path, draft, err := a.readyDraft(ctx, n, q, ref)
	if err != nil {
		return nil, err
	}
	a.noteSlug(draft)
	x, err := a.openIndex(ctx, n)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	p.Index = x
	return p.Publish(ctx, path, date)
}

// readyDraft finds the draft ref and checks that it is ready to publish:
// the publisher, its path and the draft as a post.
func (a *app) readyDraft(ctx context.Context, n *newsletter, q *questions.Queue, ref string) (*publish.Publisher, string, *archive.Post, error) {
	p := &publish.Publisher{Drafts: n.drafts(), Posts: n.posts, Queue: q}
	path, err := p.Drafts.Find(ref)
	if err != nil {
		return nil, "", nil, err
	}
	draft, err := p.Check(ctx, path)
	if err != nil {
		return nil, "", nil, err
	}
	return p, path, draft, nil
}

// schedulePublish checks the draft ref now and schedules its publishing
// at the time at.
func (a *app) schedulePublish(ctx context.Context, n *newsletter, db *sql.DB, ref, at string) error {
	when, err := a.parseAt(n, at)
	if err != nil {
		return err
	}
	q, err := questions.NewQueue(ctx, db, a.now)
	if err != nil {
		return err
	}
	_, path, draft, err := a.readyDraft(ctx, n, q, ref)
	if err != nil {
		return err
	}
	s, err := publish.NewSchedule(ctx, db, a.now)
	if err != nil {
		return err
	}
	// The draft as the home has it (drafts/x.md), whatever folder run is in.
	j, err := s.Add(ctx, publish.JobPublish, a.rel(n, path), draft.Slug, when)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Scheduled %d: publish %s at %s, by mailbag run (mailbag schedule lists and cancels).\n",
		j.ID, a.rel(n, path), atText(when.In(n.cfg.Location), "Mon 2 Jan 2006 15:04 MST"))
	return nil
}

// parseAt reads an --at time: in the newsletter's time zone unless it says
// its own, and to come.
func (a *app) parseAt(n *newsletter, at string) (time.Time, error) {
	when, err := archive.ParseDate(at, n.cfg.Location)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--at: %w", err)}
	}
	if !when.After(a.now()) {
		return time.Time{}, usageError{fmt.Errorf("--at %s is not in the future (it is %s now)", at, a.now().In(n.cfg.Location).Format("2006-01-02 15:04:05 MST"))}
	}
	return when, nil
}

// noteSlug says when a draft's slug (from its file name, or set) is not
// what its title makes: the title changed since the draft was written, and
// the post's address will keep the old words unless slug: is set.
func (a *app) noteSlug(draft *archive.Post) {
	if fromTitle := archive.Slugify(draft.Title); fromTitle != "" && fromTitle != draft.Slug {
		a.say("Its slug (in its address) is %s, not %s as its title now makes: set slug: %s in the draft to use that.\n", draft.Slug, fromTitle, fromTitle)
	}
}
