package main

import (
	"context"
	"fmt"
	"mailbag/questions"
	"strings"

	"github.com/spf13/cobra"
)

func newShowCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a question and related past answers",
		Long: `Show question ID: its subject, when it came, who sent it (for your eyes only),
its text, the asker's follow-ups in order (their replies to it, to its
acknowledgement or to the notice that it was answered), and up to five past
answers on the same subject.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			return a.withQueue(cmd.Context(), func(n *newsletter, q *questions.Queue) error {
				return a.show(cmd.Context(), n, q, ids[0])
			})
		},
	}
}

// show prints question id and the past answers related to it.
func (a *app) show(ctx context.Context, n *newsletter, q *questions.Queue, id int64) error {
	qq, err := q.Get(ctx, id)
	if err != nil {
		return err
	}
	w := a.stdout
	fmt.Fprintf(w, "Question %d (%s)\n", qq.ID, qq.Status)
	if qq.Reason != "" {
		fmt.Fprintf(w, "Why:      %s\n", qq.Reason)
	}
	fmt.Fprintf(w, "Subject:  %s\n", qq.Subject)
	fmt.Fprintf(w, "Received: %s\n", qq.Received.In(n.cfg.Location).Format("Mon 2 Jan 2006 15:04"))
	fmt.Fprintf(w, "From:     %s (private: never published)\n", qq.Sender())
	if qq.AnswerSlug != "" {
		fmt.Fprintf(w, "Answered: %s\n", qq.AnswerSlug)
	}
	fmt.Fprintf(w, "\n%s\n", indent(qq.Text, "    "))
	follow, err := q.FollowUps(ctx, qq.ID)
	if err != nil {
		return err
	}
	for i, f := range follow {
		fmt.Fprintf(w, "\nFollow-up %d of %d (question %d), received %s:\n\n%s\n", i+1, len(follow), f.ID,
			f.Received.In(n.cfg.Location).Format("Mon 2 Jan 2006 15:04"), indent(f.Text, "    "))
	}
	related, err := a.related(ctx, n, qq)
	if err != nil {
		return err
	}
	if len(related) == 0 {
		fmt.Fprintln(w, "\nNo related past answers.")
		return nil
	}
	fmt.Fprintln(w, "\nRelated past answers:")
	for _, h := range related {
		fmt.Fprintf(w, "  %s  %s  (%s)\n", h.Date.Format("2006-01-02"), h.Title, h.Slug)
	}
	return nil
}

func indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
