package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"mailbag/archive/search"
	"mailbag/internal/inbox"
	"mailbag/questions"
)

func newInboxCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "inbox",
		Short: "Triage the new questions in a terminal interface",
		Long: `Triage the new questions in a terminal interface: the list of them (age,
subject, first line, follow-ups), the selected one in full with its
follow-ups beside the three past answers most like it, and keys: a answers
it (and the questions marked with m, in one post) in your editor, as
mailbag answer does, and comes back; r rejects it with a reason; s skips it
for now; / searches the archive; 1-3 open a past answer; q quits. Every
action is done in the state database at once, as the command would; the
list follows what ingest --watch stores. It needs a terminal (80x24 is
enough; narrower works).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !isTerminal(a.stdin) || !isTerminal(a.stdout) {
				return errors.New("inbox: not at a terminal: use mailbag questions, show, answer and reject instead")
			}
			return a.withDB(cmd.Context(), func(n *newsletter, db *sql.DB) error {
				return a.inbox(cmd.Context(), n, db)
			})
		},
	}
}

func (a *app) inbox(ctx context.Context, n *newsletter, db *sql.DB) error {
	q, err := questions.NewQueue(ctx, db, a.now)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return a.runInbox(ctx, inboxSource{a: a, n: n, q: q, self: self}, n.cfg.Location)
}

// runInbox runs the inbox on src at the terminal until it is quit or ctx
// is done.
func (a *app) runInbox(ctx context.Context, src inbox.Source, loc *time.Location) error {
	m := inbox.New(ctx, inbox.Options{Source: src, Location: loc, Now: a.now})
	in, _ := a.stdin.(*os.File)
	out, _ := raw(a.stdout).(*os.File)
	_, err := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen()).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// inboxSource is the inbox's Source: the commands' own code.
type inboxSource struct {
	a    *app
	n    *newsletter
	q    *questions.Queue
	self string // this binary, for answer
}

func (s inboxSource) Questions(ctx context.Context, textLimit int) ([]*questions.Question, error) {
	return s.q.Previews(ctx, questions.StatusNew, textLimit)
}

func (s inboxSource) FollowUps(ctx context.Context, id int64) ([]*questions.Question, error) {
	return s.q.FollowUps(ctx, id)
}

func (s inboxSource) Related(ctx context.Context, question *questions.Question, n int) ([]search.Hit, error) {
	hits, err := s.a.related(ctx, s.n, question)
	return hits[:min(n, len(hits))], err
}

func (s inboxSource) Search(ctx context.Context, query string) ([]search.Hit, error) {
	x, err := s.a.openIndex(ctx, s.n)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	res, err := x.Search(ctx, search.Query{Text: query, PerPage: 20})
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

func (s inboxSource) PostText(slug string) (string, error) {
	return s.n.posts.Text(slug)
}

func (s inboxSource) Reject(ctx context.Context, id int64, reason string) error {
	return s.q.Reject(ctx, id, reason)
}

func (s inboxSource) AnswerCommand(ids []int64) *exec.Cmd {
	args := []string{"--home", s.n.home.Dir, "answer", "--edit"}
	for _, id := range ids {
		args = append(args, strconv.FormatInt(id, 10))
	}
	return exec.Command(s.self, args...)
}

func (s inboxSource) Drafts() (map[int64]string, error) {
	drafts, err := s.n.drafts().ByQuestion()
	for id, path := range drafts {
		drafts[id] = s.a.rel(s.n, path)
	}
	return drafts, err
}
