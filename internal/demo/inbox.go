package demo

import (
	"context"
	"os/exec"
	"path/filepath"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/internal/home"
	"mailbag/internal/inbox"
	"mailbag/publish"
	"mailbag/questions"
	"mailbag/templates"
)

// inboxSource is the inbox's Source on the demo's home: the index the
// demo holds open, and a draft written here and opened in the editor.
type inboxSource struct {
	q      *questions.Queue
	x      *search.Index
	posts  *archive.Posts
	h      home.Home
	t      *templates.Set
	editor func(path string) *exec.Cmd
}

var _ inbox.Source = inboxSource{}

func (s inboxSource) Questions(ctx context.Context, textLimit int) ([]*questions.Question, error) {
	return s.q.Previews(ctx, questions.StatusNew, textLimit)
}

func (s inboxSource) FollowUps(ctx context.Context, id int64) ([]*questions.Question, error) {
	return s.q.FollowUps(ctx, id)
}

func (s inboxSource) Related(ctx context.Context, q *questions.Question, n int) ([]search.Hit, error) {
	return s.x.Related(ctx, q.Subject+" "+q.Text, n)
}

func (s inboxSource) Search(ctx context.Context, query string) ([]search.Hit, error) {
	res, err := s.x.Search(ctx, search.Query{Text: query, PerPage: 20})
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

func (s inboxSource) PostText(slug string) (string, error) {
	return s.posts.Text(slug)
}

func (s inboxSource) Reject(ctx context.Context, id int64, reason string) error {
	return s.q.Reject(ctx, id, reason)
}

// AnswerCommand writes the draft (or finds the one there is) and opens it
// in the author's editor, as `mailbag answer` does; the demo keeps the
// index, so it is done here rather than by the command.
func (s inboxSource) AnswerCommand(ids []int64) *exec.Cmd {
	drafts := &publish.Drafts{Dir: s.h.Drafts(), Signoff: "All the best,\n\n-- Jim", Templates: s.t}
	path, err := drafts.ForQuestions(ids)
	if err == nil && path == "" {
		var qs []*questions.Question
		if qs, err = s.q.Thread(context.Background(), ids); err == nil {
			path, err = drafts.Create(qs, nil)
		}
	}
	if err != nil {
		return exec.Command("sh", "-c", `echo "$1" >&2; exit 1`, "sh", err.Error())
	}
	return s.editor(path)
}

func (s inboxSource) Drafts() (map[int64]string, error) {
	drafts, err := (&publish.Drafts{Dir: s.h.Drafts(), Templates: s.t}).ByQuestion()
	for id, path := range drafts {
		drafts[id] = filepath.Join("drafts", filepath.Base(path))
	}
	return drafts, err
}
