package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"mailbag/archive/search"
	"mailbag/publish"
	"mailbag/questions"
)

// relatedCount is how many related past answers show and answer list.
const relatedCount = 5

func newAnswerCmd(a *app) *cobra.Command {
	var editFlag, noEdit bool
	cmd := &cobra.Command{
		Use:   "answer ID [ID...]",
		Short: "Write a draft answering questions, in your editor",
		Long: `Write drafts/<slug>.md answering question ID from the draft.md template (the
question quoted, with the asker's name and address removed, room for your
answer, your sign-off, and past answers on the subject in a note that
publishing removes), then open it in $VISUAL, else $EDITOR, else vi.

Several IDs make one draft that answers them all. A question that already
has a draft opens that draft: nothing is overwritten. The editor opens when
you are at a terminal (or with --edit); otherwise, or with --no-edit, the
draft is written and its path printed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseIDs(args)
			if err != nil {
				return err
			}
			return a.withQueue(cmd.Context(), func(n *newsletter, q *questions.Queue) error {
				return a.answer(cmd.Context(), n, q, ids, editFlag, noEdit)
			})
		},
	}
	cmd.Flags().BoolVar(&editFlag, "edit", false, "open the editor even when not at a terminal")
	cmd.Flags().BoolVar(&noEdit, "no-edit", false, "write the draft and print its path; do not open the editor")
	cmd.MarkFlagsMutuallyExclusive("edit", "no-edit")
	return cmd
}

// answer finds or writes the draft answering ids, and opens it in the
// editor when asked to or at a terminal.
func (a *app) answer(ctx context.Context, n *newsletter, q *questions.Queue, ids []int64, editFlag, noEdit bool) error {
	t, err := n.templates()
	if err != nil {
		return err
	}
	drafts := n.drafts()
	drafts.Templates = t
	if err := drafts.CheckTemplate(); err != nil {
		return err
	}
	path, err := drafts.ForQuestions(ids)
	if err != nil {
		return err
	}
	if path == "" {
		path, err = a.newDraft(ctx, n, q, drafts, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Wrote %s\n", a.rel(n, path))
	} else {
		fmt.Fprintf(a.stdout, "Question %d already has a draft: %s\n", ids[0], a.rel(n, path))
	}
	if noEdit || !(editFlag || isTerminal(a.stdin)) {
		fmt.Fprintf(a.stdout, "Edit it, then: mailbag publish %s\n", a.rel(n, path))
		return nil
	}
	if err := edit(ctx, path, a.stdin, raw(a.stdout), raw(a.stderr)); err != nil {
		return err
	}
	return a.reportDraft(ctx, n, q, path)
}

// newDraft writes a new draft for the questions ids.
func (a *app) newDraft(ctx context.Context, n *newsletter, q *questions.Queue, drafts *publish.Drafts, ids []int64) (string, error) {
	qs, err := q.Thread(ctx, ids)
	if err != nil {
		return "", err
	}
	related, err := a.related(ctx, n, qs[0])
	if err != nil {
		return "", err
	}
	return drafts.Create(qs, related)
}

// related finds past answers like question question, its own answer left out.
func (a *app) related(ctx context.Context, n *newsletter, question *questions.Question) ([]search.Hit, error) {
	x, err := a.openIndex(ctx, n)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	hits, err := x.Related(ctx, question.Subject+" "+question.Text, relatedCount+1)
	// An answered question's own answer is not a past answer to it.
	hits = slices.DeleteFunc(hits, func(h search.Hit) bool { return h.Slug == question.AnswerSlug })
	return hits[:min(len(hits), relatedCount)], err
}

// reportDraft says, after the editor, whether the draft can be published.
func (a *app) reportDraft(ctx context.Context, n *newsletter, q *questions.Queue, path string) error {
	p := &publish.Publisher{Drafts: n.drafts(), Posts: n.posts, Queue: q}
	draft, err := p.Check(ctx, path)
	if err != nil {
		if errors.Is(err, publish.ErrDraft) {
			fmt.Fprintf(a.stdout, "Draft saved, not ready yet: %v\n", err)
			return nil
		}
		return err
	}
	fmt.Fprintf(a.stdout, "Draft ready: mailbag publish %s\n", a.rel(n, path))
	a.noteSlug(draft)
	return nil
}

// parseIDs reads question numbers from the command line.
func parseIDs(args []string) ([]int64, error) {
	ids := make([]int64, 0, len(args))
	for _, s := range args {
		id, other, err := parseRef(s)
		if err != nil {
			return nil, err
		}
		if other {
			return nil, usageError{fmt.Errorf("%s is mail that is not a question (`mailbag show %s` shows it; `mailbag reopen %s` makes it one)", s, s, s)}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// parseRef reads a question number (12) or other mail's (m12, other
// true) from the command line.
func parseRef(s string) (id int64, other bool, err error) {
	digits, other := strings.CutPrefix(strings.ToLower(s), "m")
	id, err = strconv.ParseInt(digits, 10, 64)
	if err != nil || id <= 0 || strings.HasPrefix(digits, "+") {
		return 0, false, usageError{fmt.Errorf("%q is not a question number (see `mailbag questions`) or other mail's (m12: see `mailbag questions --status ignored`)", s)}
	}
	return id, other, nil
}

// called returns what the commands call q: "question 12", or "mail m12".
func called(q *questions.Question) string {
	if q.Status == questions.StatusIgnored {
		return "mail " + ref(q)
	}
	return "question " + ref(q)
}

// ref returns how the commands name q: its number, or m and its number for
// other mail.
func ref(q *questions.Question) string {
	if q.Status == questions.StatusIgnored {
		return fmt.Sprintf("m%d", q.ID)
	}
	return strconv.FormatInt(q.ID, 10)
}
