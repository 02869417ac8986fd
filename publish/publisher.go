package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/internal/atomicfile"
	"mailbag/questions"
)

// Publisher publishes drafts into the archive.
type Publisher struct {
	Drafts *Drafts
	Posts  *archive.Posts
	// Index, when not nil, gets each published post at once; otherwise
	// the next command that searches brings it in.
	Index Indexer
	Queue *questions.Queue
}

// Indexer takes published posts into the search index: an
// *search.Index, or the one a running serve holds.
type Indexer interface {
	Add(posts ...*archive.Post) error
}

var _ Indexer = (*search.Index)(nil)

// Check reads the draft at path and reports, all at once, what keeps it
// from being published: an error wrapping ErrDraft that lists every
// problem. It returns the draft as a post, with its slug set.
func (p *Publisher) Check(ctx context.Context, path string) (*archive.Post, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	post, err := archive.Parse(data, p.Drafts.location())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDraft, path, err)
	}
	post.Path = path
	if post.Slug == "" {
		post.Slug = archive.Slugify(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	}
	var problems []string
	if err := archive.CheckTitle(post.Title); err != nil {
		problems = append(problems, err.Error())
	}
	if post.Slug == "" {
		problems = append(problems, "no slug (name the file, or set slug:)")
	}
	words := len(strings.Fields(answerText(post.Body, p.Drafts.Signoff, p.Drafts.placeholders())))
	placeholder := ""
	for _, ph := range p.Drafts.placeholders() {
		if bytes.Contains(post.Body, []byte(ph)) {
			placeholder = ph
		}
	}
	switch hasPlaceholder := placeholder != ""; {
	case hasPlaceholder && words == 0:
		problems = append(problems, "no answer is written: the body is as the template left it")
	case hasPlaceholder:
		problems = append(problems, fmt.Sprintf("the placeholder line %q is still there", placeholder))
	case words == 0:
		problems = append(problems, "no answer is written: the body has only the quoted question")
	}
	for _, id := range post.Questions {
		q, err := p.Queue.Get(ctx, id)
		switch {
		case errors.Is(err, questions.ErrNoQuestion):
			problems = append(problems, fmt.Sprintf("question %d does not exist", id))
		case err != nil:
			return nil, err
		default:
			if err := answerable(q, post.Slug); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s: %s", ErrDraft, path, strings.Join(problems, "; "))
	}
	return post, nil
}

// Publish publishes the draft named by ref (see Drafts.Find): it checks it,
// removes the note of related answers, dates it (date, or now when date is
// zero), writes it to posts/ without overwriting anything, indexes it, marks
// the questions it answers answered, and removes the draft, in that order. A
// crash at any point leaves the draft or the post, and publishing the same
// draft again finishes the job.
func (p *Publisher) Publish(ctx context.Context, ref string, date time.Time) (*archive.Post, error) {
	path, err := p.Drafts.Find(ref)
	if err != nil {
		return nil, err
	}
	if p.Posts.Holds(path) {
		return nil, fmt.Errorf("publish: %s: %w", path, ErrPublished)
	}
	if _, err := atomicfile.Clean(p.Posts.Dir); err != nil { // what a publish killed midway left
		return nil, fmt.Errorf("publish: %w", err)
	}
	post, err := p.Check(ctx, path)
	if err != nil {
		return nil, err
	}
	post.Body = withoutNote(post.Body)
	if date.IsZero() {
		date = p.Drafts.now()
	}
	post.Date = date.In(p.Drafts.location()).Truncate(time.Second)

	if old, err := p.Posts.FindNamed(post.Slug); err == nil {
		if !samePost(old, post) {
			return nil, fmt.Errorf("publish: %w: %s has the slug %q (rename the draft, or set slug: in it)", archive.ErrExists, old.Path, post.Slug)
		}
		post = old // published before a crash: finish the job
	} else if !errors.Is(err, archive.ErrNotFound) {
		return nil, err
	} else if err := p.Posts.Write(post); err != nil {
		return nil, err
	}
	if p.Index != nil {
		if err := p.Index.Add(post); err != nil {
			return nil, err
		}
	}
	for _, id := range post.Questions {
		if err := p.Queue.MarkAnswered(ctx, id, post.Slug); err != nil {
			return nil, err
		}
	}
	if err := os.Remove(path); err != nil {
		return nil, fmt.Errorf("publish: remove the draft: %w", err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return post, nil
}

// answerable says whether question q may be answered by the post slug
// ("" for a new draft): it must be new, or answered by that very post
// already (a publish run again after a crash finishes the job).
func answerable(q *questions.Question, slug string) error {
	switch {
	case q.Status == questions.StatusNew:
		return nil
	case q.Status == questions.StatusAnswered && slug != "" && q.AnswerSlug == slug:
		return nil
	case q.Status == questions.StatusAnswered:
		return fmt.Errorf("question %d is answered already, by the post %s", q.ID, q.AnswerSlug)
	}
	return fmt.Errorf("question %d is %s, not new (`mailbag reopen %d` first)", q.ID, q.Status, q.ID)
}

// samePost reports whether two posts are the same answer, whatever their
// dates.
func samePost(a, b *archive.Post) bool {
	return a.Title == b.Title && bytes.Equal(a.Body, b.Body) && slices.Equal(a.Questions, b.Questions)
}
