package inbox

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"mailbag/archive/search"
	"mailbag/questions"
)

// fake is a Source of a few questions, recording what was done.
type fake struct {
	questions []*questions.Question
	rejected  map[int64]string
	drafts    map[int64]string
}

func (f *fake) Questions(_ context.Context, textLimit int) ([]*questions.Question, error) {
	var out []*questions.Question
	for _, q := range f.questions {
		if _, gone := f.rejected[q.ID]; !gone {
			c := *q
			if len(c.Text) > textLimit {
				c.Text, c.TextMore = c.Text[:textLimit], int64(len(c.Text)-textLimit)
			}
			out = append(out, &c)
		}
	}
	return out, nil
}
func (f *fake) FollowUps(context.Context, int64) ([]*questions.Question, error) { return nil, nil }
func (f *fake) Related(context.Context, *questions.Question, int) ([]search.Hit, error) {
	return []search.Hit{{Slug: "toe", Title: "A product manager stepped on my toe", Date: time.Date(2018, 6, 20, 0, 0, 0, 0, time.UTC)}}, nil
}
func (f *fake) Search(context.Context, string) ([]search.Hit, error) {
	return []search.Hit{{Slug: "other", Title: "Another answer", Date: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}}, nil
}
func (f *fake) PostText(slug string) (string, error) { return "The text of " + slug + ".", nil }
func (f *fake) Reject(_ context.Context, id int64, reason string) error {
	f.rejected[id] = reason
	return nil
}
func (f *fake) AnswerCommand([]int64) *exec.Cmd   { return exec.Command("true") }
func (f *fake) Drafts() (map[int64]string, error) { return f.drafts, nil }

// step runs msg through the model, and the commands it returns (not the
// timer's, nor an editor) until none is left.
func step(m tea.Model, msgs ...tea.Msg) tea.Model {
	for len(msgs) > 0 {
		var cmd tea.Cmd
		m, cmd = m.Update(msgs[0])
		msgs = msgs[1:]
		if cmd == nil {
			continue
		}
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					if out, ok := c().(loadedMsg); ok {
						msgs = append(msgs, out)
					}
				}
			}
		case loadedMsg, detailMsg, searchedMsg:
			msgs = append(msgs, msg)
		}
	}
	return m
}

func keys(s ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range s {
		switch k {
		case "enter":
			out = append(out, tea.KeyMsg{Type: tea.KeyEnter})
		case "esc":
			out = append(out, tea.KeyMsg{Type: tea.KeyEsc})
		case "down":
			out = append(out, tea.KeyMsg{Type: tea.KeyDown})
		default:
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
	return out
}

// The inbox's keys do what they say: skip sends a question to the end,
// reject asks a reason and does it in the source, / searches, a number
// opens a past answer and Esc comes back to the list.
func TestInboxKeys(t *testing.T) {
	received := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &fake{rejected: map[int64]string{}, questions: []*questions.Question{
		{ID: 1, Subject: "First", Text: "One?", Received: received},
		{ID: 2, Subject: "Second", Text: "Two?", Received: received},
		{ID: 3, Subject: "Third", Text: "Three?", Received: received, FollowUps: 2},
	}}
	m := New(context.Background(), Options{Source: f, Now: func() time.Time { return received.Add(3 * time.Hour) }})
	var tm tea.Model = m
	tm = step(tm, tea.WindowSizeMsg{Width: 80, Height: 24}, loadedMsg{questions: f.questions})
	view := tm.View()
	for _, want := range []string{"mailbag inbox: 3 new", "   1   3h  First", "+2", "#1 First", "1 A product manager stepped on my toe", "q quit"} {
		if !strings.Contains(view, want) {
			t.Errorf("first view lacks %q:\n%s", want, view)
		}
	}

	tm = step(tm, keys("s")...) // First goes to the end
	if v := tm.View(); !strings.Contains(v, "#2 Second") || strings.Index(v, "First") < strings.Index(v, "Third") {
		t.Errorf("after skipping, question 2 is selected and 1 is last:\n%s", v)
	}

	tm = step(tm, keys("r", "spam", "enter")...)
	if f.rejected[2] != "spam" {
		t.Errorf("rejected %v, want question 2 for spam", f.rejected)
	}
	if v := tm.View(); !strings.Contains(v, "Rejected question 2") || !strings.Contains(v, "mailbag inbox: 2 new") {
		t.Errorf("after rejecting:\n%s", v)
	}

	tm = step(tm, keys("/", "toe", "enter")...)
	if v := tm.View(); !strings.Contains(v, "Past answers for “toe”") || !strings.Contains(v, "Another answer") {
		t.Errorf("search results:\n%s", v)
	}
	tm = step(tm, keys("esc", "1")...)
	if v := tm.View(); !strings.Contains(v, "The text of toe.") {
		t.Errorf("reading a past answer:\n%s", v)
	}
	tm = step(tm, keys("esc")...)
	if v := tm.View(); !strings.Contains(v, "mailbag inbox: 2 new") {
		t.Errorf("Esc from a past answer opened from the list comes back to the list:\n%s", v)
	}
}

// What a reader wrote never acts on the terminal: escape sequences, C1
// controls and bidirectional overrides in a subject, a name, a text or a
// follow-up are shown, not obeyed, in the list and the question.
func TestInboxShowsHostileTextInert(t *testing.T) {
	received := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &fake{rejected: map[int64]string{}, questions: []*questions.Question{
		{ID: 1, Subject: "Hi\x1b]0;pwned\x07\x1b]52;c;aGFja2Vk\x07", FromName: "Eve\x1b[2J", FromAddr: "eve@example.net",
			Text: "line one\x1b[8m hidden\x1b[0m\r\n\u009b31m red \u202eevil\x1b[1A\x1b[2Kfake", Received: received},
	}}
	var tm tea.Model = New(context.Background(), Options{Source: f, Now: func() time.Time { return received }})
	tm = step(tm, tea.WindowSizeMsg{Width: 120, Height: 30}, loadedMsg{questions: f.questions})
	view := tm.View()
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\x1b[8m", "\x1b[1A", "\x1b[2K", "\u009b", "\u202e", "\x07", "\r"} {
		if strings.Contains(view, bad) {
			t.Errorf("the view holds %q raw:\n%q", bad, view)
		}
	}
	for _, want := range []string{"Hi␛]0;pwned␇", "Eve␛[2J", "<U+202E>evil"} {
		if !strings.Contains(view, want) {
			t.Errorf("the view lacks %q, shown:\n%s", want, view)
		}
	}
}

// A question of a megabyte shows its start and how much more there is,
// with the command that prints it.
func TestInboxBoundsLongQuestion(t *testing.T) {
	received := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &fake{rejected: map[int64]string{}, questions: []*questions.Question{
		{ID: 7, Subject: "Long", Text: strings.Repeat("word ", 200_000) + strings.Repeat("x", 50_000), Received: received},
	}}
	var tm tea.Model = New(context.Background(), Options{Source: f, Now: func() time.Time { return received }})
	qs, _ := f.Questions(context.Background(), textShown)
	tm = step(tm, tea.WindowSizeMsg{Width: 80, Height: 40}, loadedMsg{questions: qs})
	view := tm.View()
	want := fmt.Sprintf("%d KB more: mailbag show 7", (1_050_000-textShown+1023)/1024)
	if !strings.Contains(view, want) {
		t.Errorf("the view lacks %q:\n%s", want, view)
	}
}

// BenchmarkInboxMegabyteQuestions loads 100 new questions of 1 MB each
// (as ingest's Previews gives them) and draws the first screen.
func BenchmarkInboxMegabyteQuestions(b *testing.B) {
	received := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &fake{rejected: map[int64]string{}}
	for i := range 100 {
		f.questions = append(f.questions, &questions.Question{ID: int64(i + 1), Subject: "Big", Text: strings.Repeat("a", 1<<20), Received: received})
	}
	for b.Loop() {
		qs, _ := f.Questions(context.Background(), textShown)
		var tm tea.Model = New(context.Background(), Options{Source: f, Now: func() time.Time { return received }})
		tm = step(tm, tea.WindowSizeMsg{Width: 120, Height: 40}, loadedMsg{questions: qs})
		_ = tm.View()
	}
}

// The files a question came with are listed under its sender, their
// names shown safely.
func TestInboxListsAttachments(t *testing.T) {
	received := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := &fake{rejected: map[int64]string{}, questions: []*questions.Question{
		{ID: 4, Subject: "Our template", Text: "I attached it.", Received: received,
			Attachments: []questions.Attachment{{Name: "template.pdf", Type: "application/pdf", Size: 120_000}, {Name: "x\x1b[2J.png", Type: "image/png", Size: 10}}},
	}}
	var tm tea.Model = New(context.Background(), Options{Source: f, Now: func() time.Time { return received }})
	tm = step(tm, tea.WindowSizeMsg{Width: 100, Height: 30}, loadedMsg{questions: f.questions})
	view := tm.View()
	if !strings.Contains(view, "Attached: template.pdf (application/pdf, 118 KB)") || !strings.Contains(view, "Attached: x␛[2J.png") || strings.Contains(view, "\x1b[2J") {
		t.Errorf("the view:\n%s", view)
	}
}

// The list previews a question's first words past its greeting, marks a
// question that has a draft, and the question names the draft; after a,
// the status line says which draft the editor wrote; PgDn scrolls the
// selected question and moving to another starts it at the top.
func TestInboxReadsLikeAMailProgram(t *testing.T) {
	received := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var long strings.Builder
	for i := range 60 {
		fmt.Fprintf(&long, "Paragraph %d of a long question.\n\n", i)
	}
	f := &fake{rejected: map[int64]string{}, drafts: map[int64]string{1: "drafts/on-toil.md"}, questions: []*questions.Question{
		{ID: 1, Subject: "On toil", Text: "Hi Olga,\n\nHow much toil is too much?", Received: received},
		{ID: 2, Subject: "A long one", Text: "Dear Jim!\n" + long.String(), Received: received},
	}}
	var tm tea.Model = New(context.Background(), Options{Source: f, Now: func() time.Time { return received }})
	tm = step(tm, tea.WindowSizeMsg{Width: 100, Height: 30}, loadedMsg{questions: f.questions, drafts: f.drafts})
	view := tm.View()
	for _, want := range []string{"On toil [draft] — How much toil is too much?", "A long one — Paragraph 0 of a long question.", "Draft: drafts/on-toil.md", "PgUp/PgDn scroll", "m/Space mark"} {
		if !strings.Contains(view, want) {
			t.Errorf("the view lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "— Hi Olga") {
		t.Errorf("the preview is the greeting:\n%s", view)
	}
	tm = step(tm, answeredMsg{id: 1})
	if v := tm.View(); !strings.Contains(v, "Draft saved: drafts/on-toil.md. Publish it with mailbag publish drafts/on-toil.md") {
		t.Errorf("after a, the status line:\n%s", v)
	}
	tm = step(tm, keys("down")...)
	if v := tm.View(); !strings.Contains(v, "Paragraph 1 of a long question.") {
		t.Fatalf("question 2 from its top:\n%s", v)
	}
	tm = step(tm, tea.KeyMsg{Type: tea.KeyPgDown}, tea.KeyMsg{Type: tea.KeyPgDown})
	v := tm.View()
	if strings.Contains(v, "Paragraph 1 of a long question.") || !strings.Contains(v, "#2 A long one") {
		t.Errorf("after PgDn twice, the text moved on and the header stayed:\n%s", v)
	}
	tm = step(tm, keys("k")...)
	tm = step(tm, keys("down")...)
	if v := tm.View(); !strings.Contains(v, "Paragraph 1 of a long question.") {
		t.Errorf("back on question 2, it starts at its top again:\n%s", v)
	}
}

// Mail wrapped at 72 characters reads as paragraphs on a wide terminal:
// the paragraphs are joined and wrapped to the width; quotes, list items,
// indented lines and a signature keep their lines.
func TestReflow(t *testing.T) {
	in := "We run a small team of five engineers and the on-call rotation is\n" +
		"getting heavy: every second week someone is paged at night, and\n" +
		"people are tired.\n" +
		"\n" +
		"What we tried:\n" +
		"- a follow-the-sun rotation with our partner team in another time\n" +
		"  zone, which failed\n" +
		"- fewer alerts\n" +
		"\n" +
		"> You said in your last post that toil should be under half of the\n" +
		"> time.\n" +
		"\n" +
		"    kubectl get pods\n" +
		"\n" +
		"Thanks,\n" +
		"Olga\n"
	want := "We run a small team of five engineers and the on-call rotation is getting heavy: every second week someone is paged at night, and people are tired.\n" +
		"\n" +
		"What we tried:\n" +
		"- a follow-the-sun rotation with our partner team in another time\n" +
		"  zone, which failed\n" +
		"- fewer alerts\n" +
		"\n" +
		"> You said in your last post that toil should be under half of the\n" +
		"> time.\n" +
		"\n" +
		"    kubectl get pods\n" +
		"\n" +
		"Thanks,\n" +
		"Olga\n"
	if got := reflow(in); got != want {
		t.Errorf("reflow:\n%s\nwant:\n%s", got, want)
	}
}
