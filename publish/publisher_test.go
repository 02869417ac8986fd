package publish

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/internal/sqlitedb"
	"mailbag/questions"
	"mailbag/templates"
)

// fixture is a home's worth of publishing: a queue with questions, drafts,
// posts.
type fixture struct {
	p   *Publisher
	q   *questions.Queue
	now time.Time
}

func newFixture(t *testing.T, texts ...string) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlitedb.Open(filepath.Join(dir, "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	q, err := questions.NewQueue(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		if _, err := db.Exec(`INSERT INTO questions (message_key, status, received, subject, body, from_name, from_addr, mailbox, uidvalidity, uid, created)
			VALUES (?, 'new', '2026-11-24T10:00:00Z', ?, ?, 'Ana Lima', 'ana@example.net', 'INBOX', 1, ?, '2026-11-24T10:00:00Z')`,
			i, "Question "+text, text, i+1); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{q: q, now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	f.p = &Publisher{
		Drafts: &Drafts{Dir: filepath.Join(dir, "drafts"), Signoff: "All the best,\n\n-- Jim", Now: func() time.Time { return f.now }, Templates: loadTemplates(t, "")},
		Posts:  &archive.Posts{Dir: filepath.Join(dir, "posts")},
		Queue:  q,
	}
	return f
}

// draft writes a draft answering question 1, with an answer in it.
func (f *fixture) draft(t *testing.T) string {
	t.Helper()
	question, err := f.q.Get(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	path, err := f.p.Drafts.Create([]*questions.Question{question}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	data = []byte(strings.Replace(string(data), Placeholder, "The answer.", 1))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPublishAgainAfterACrash: a crash after the post was written but
// before the draft was removed leaves both; publishing again, later,
// finishes the job without a second post.
func TestPublishAgainAfterACrash(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "How?")
	path := f.draft(t)
	saved, _ := os.ReadFile(path)
	post, err := f.p.Publish(ctx, path, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, saved, 0o644); err != nil { // the draft, as a crash left it
		t.Fatal(err)
	}
	f.now = f.now.Add(26 * time.Hour) // a day later: the date would differ
	again, err := f.p.Publish(ctx, path, time.Time{})
	if err != nil {
		t.Fatalf("publishing again: %v", err)
	}
	if again.Path != post.Path {
		t.Errorf("published again as %s, first as %s", again.Path, post.Path)
	}
	entries, _ := os.ReadDir(f.p.Posts.Dir)
	if len(entries) != 1 {
		t.Errorf("%d files in posts/, want 1", len(entries))
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the draft is still there: %v", err)
	}
	if question, _ := f.q.Get(ctx, 1); question.Status != questions.StatusAnswered || question.AnswerSlug != post.Slug {
		t.Errorf("question 1: %+v", question)
	}
}

func TestPublishRefusesToOverwriteADifferentPost(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "How?")
	path := f.draft(t)
	other := &archive.Post{Title: "Another answer", Slug: strings.TrimSuffix(filepath.Base(path), ".md"),
		Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Body: []byte("\nSomething else.\n")}
	if err := f.p.Posts.Write(other); err != nil {
		t.Fatal(err)
	}
	_, err := f.p.Publish(ctx, path, time.Time{})
	if !errors.Is(err, archive.ErrExists) || !strings.Contains(err.Error(), "rename the draft, or set slug: in it") {
		t.Fatalf("Publish over a different post = %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the draft is gone: %v", err)
	}
	if question, _ := f.q.Get(ctx, 1); question.Status != questions.StatusNew {
		t.Errorf("question 1 is %s, want still new", question.Status)
	}
}

func TestDraftFromAnOverriddenTemplate(t *testing.T) {
	f := newFixture(t, "How?")
	overrides := t.TempDir()
	tmpl := "---\ntitle: {{yaml .Title}}\ndate: '{{.Date}}'\nquestion: {{.QuestionField}}\ntags: [mine]\n---\n\nDear reader,\n{{range .Questions}}\n{{quote .Text}}\n{{end}}\n{{.Placeholder}}\n"
	if err := os.WriteFile(filepath.Join(overrides, "draft.md"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	f.p.Drafts.Templates = loadTemplates(t, overrides)
	if err := f.p.Drafts.CheckTemplate(); err != nil {
		t.Fatal(err)
	}
	path := f.draft(t)
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "tags: [mine]\n") || !strings.Contains(string(data), "Dear reader,\n\n> How?\n") {
		t.Errorf("the draft does not come from the override:\n%s", data)
	}

	// An override naming a field drafts do not have is found by the check
	// answer runs at start, naming the file and line.
	if err := os.WriteFile(filepath.Join(overrides, "draft.md"), []byte("---\ntitle: x\n---\n{{range .Questions}}{{.Sender}}{{end}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.p.Drafts.Templates = loadTemplates(t, overrides)
	if err := f.p.Drafts.CheckTemplate(); err == nil || !strings.Contains(err.Error(), filepath.Join(overrides, "draft.md")+":4") {
		t.Errorf("CheckTemplate with an unknown field = %v", err)
	}
}

// The note of related past answers is removed by its structure, whatever
// the titles in it hold: a past title "Generics --> type parameters"
// (a reader chooses a draft's title) does not end the note early and
// publish the rest of it. An older draft whose note has such a title is
// cleaned the same way.
func TestRelatedNoteRemovedWhateverTitlesHold(t *testing.T) {
	f := newFixture(t, "How do generics work?")
	question, err := f.q.Get(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	related := []search.Hit{
		{Slug: "generics", Title: "Generics --> type parameters", Date: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{Slug: "secret", Title: "Notes --!> for the author only", Date: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)},
	}
	path, err := f.p.Drafts.Create([]*questions.Question{question}, related)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	data = []byte(strings.Replace(string(data), Placeholder, "The answer.", 1))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	post, err := f.p.Publish(context.Background(), path, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	body := string(post.Body)
	for _, leak := range []string{"type parameters", "(generics)", "author only", "secret", "related", "-->"} {
		if strings.Contains(body, leak) {
			t.Errorf("the post holds %q of the note:\n%s", leak, body)
		}
	}
	if !strings.Contains(body, "The answer.") || !strings.HasSuffix(strings.TrimSpace(body), "-- Jim") {
		t.Errorf("the post lost the answer or the sign-off:\n%s", body)
	}

	old := "Text.\n\nAll the best\n\n<!-- related: past answers on this; publishing removes this note\n  2024-01-02  Generics --> type parameters  (generics)\n-->\n"
	if got := string(withoutNote([]byte(old))); got != "Text.\n\nAll the best\n" {
		t.Errorf("an older draft's note: %q", got)
	}
}

// TestDraftInTheNewslettersLanguage: a French newsletter's draft has its
// fixed lines in French, the asker's name marked [nom], and the French
// placeholder, which publishing
// refuses as it refuses the English one (a draft made before the
// language changed); once written over, the draft is published.
func TestDraftInTheNewslettersLanguage(t *testing.T) {
	f := newFixture(t, "Je suis Ana Lima, cheffe d’équipe. Comment dire non ?")
	set, err := templates.Load(templates.Options{Funcs: TemplateFuncs, Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	f.p.Drafts.Templates = set
	question, err := f.q.Get(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	path, err := f.p.Drafts.Create([]*questions.Question{question}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "Ana") {
		t.Errorf("the asker's name is in the draft:\n%s", data)
	}
	for _, want := range []string{"Un abonné m’a envoyé cette question :", "[Écrivez votre réponse ici.]", "Je suis [nom], cheffe"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the French draft has no %q:\n%s", want, data)
		}
	}
	for _, placeholder := range []string{"[Écrivez votre réponse ici.]", Placeholder} {
		body := strings.Replace(string(data), "[Écrivez votre réponse ici.]", placeholder+"\n\nMa réponse.", 1)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := f.p.Check(context.Background(), path); err == nil || !strings.Contains(err.Error(), "placeholder line \""+placeholder) {
			t.Errorf("a draft with %q: %v, want the placeholder named", placeholder, err)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), "[Écrivez votre réponse ici.]", "Ma réponse.", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Check(context.Background(), path); err != nil {
		t.Errorf("the written draft: %v", err)
	}
}
