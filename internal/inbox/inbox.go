// Package inbox is mailbag's terminal interface for triage (`mailbag
// inbox`), with bubbletea: the new questions, the one selected in full with
// its follow-ups beside the past answers most like it, and keys to answer
// (alone or with other marked questions, in one post), reject with a
// reason, skip, search the archive and open a past answer. It keeps no
// state of its own: every action is the command's own (Source, which cmd
// fills), done in the state database at once, so a keypress's effect is
// never lost, and the list follows what `ingest --watch` stores.
package inbox

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"mailbag/archive/search"
	"mailbag/internal/visible"
	"mailbag/questions"
)

// Source is what the inbox reads and does, each the same code as the
// command line's.
type Source interface {
	// Questions are the new questions, oldest first (mailbag questions),
	// with at most textLimit bytes of each one's text (ingest's Previews).
	Questions(ctx context.Context, textLimit int) ([]*questions.Question, error)
	// FollowUps are a question's follow-ups, in order (mailbag show).
	FollowUps(ctx context.Context, id int64) ([]*questions.Question, error)
	// Related are past answers like a question (mailbag show).
	Related(ctx context.Context, q *questions.Question, n int) ([]search.Hit, error)
	// Search searches the archive (mailbag search).
	Search(ctx context.Context, query string) ([]search.Hit, error)
	// PostText is a past answer's text, to read.
	PostText(slug string) (string, error)
	// Reject sets a question aside (mailbag reject --reason).
	Reject(ctx context.Context, id int64, reason string) error
	// AnswerCommand is `mailbag answer IDS --edit`: it writes or opens the
	// draft in the author's editor, at the terminal the inbox gives it.
	AnswerCommand(ids []int64) *exec.Cmd
	// Drafts are the drafts (paths, as mailbag drafts lists them) that
	// answer each question, by question ID.
	Drafts() (map[int64]string, error)
}

// Options configure the inbox.
type Options struct {
	Source   Source
	Location *time.Location // dates are shown in it
	Now      func() time.Time
	// Refresh is how often the list is read again, to show what ingest
	// stored meanwhile (0: every 2 seconds).
	Refresh time.Duration
}

// relatedShown is how many past answers show beside a question.
const relatedShown = 3

// textShown is how much of a question's text (and of each follow-up's)
// the inbox reads and shows, in bytes: pages of it, and no more whatever
// a reader sends; `mailbag show` prints the rest.
const textShown = 16 << 10

// mode is what the keys do at the moment.
type mode int

const (
	listing   mode = iota // the questions
	rejecting             // typing a reason
	searching             // typing a search
	results               // a search's hits
	reading               // a past answer's text
)

// Model is the inbox's bubbletea model.
type Model struct {
	o      Options
	ctx    context.Context
	width  int
	height int

	questions []*questions.Question
	drafts    map[int64]string // the draft answering each question
	cursor    int
	textTop   int // the first row of the selected question shown (scrolling)
	marked    map[int64]bool
	skipped   map[int64]bool // moved to the end of the list for this session
	follow    []*questions.Question
	related   []search.Hit
	hits      []search.Hit // a search's
	hitCursor int
	text      string // what is being read
	readTop   int
	title     string
	mode      mode
	input     textinput.Model
	status    string
}

// New returns the inbox's model; ctx bounds what it asks of its source.
func New(ctx context.Context, o Options) Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Refresh == 0 {
		o.Refresh = 2 * time.Second
	}
	in := textinput.New()
	in.CharLimit = 200
	return Model{o: o, ctx: ctx, marked: map[int64]bool{}, skipped: map[int64]bool{}, input: in, width: 80, height: 24}
}

// Messages from the commands the model runs.
type (
	loadedMsg struct {
		questions []*questions.Question
		drafts    map[int64]string
		err       error
	}
	detailMsg struct {
		id      int64
		follow  []*questions.Question
		related []search.Hit
	}
	tickMsg     struct{}
	answeredMsg struct {
		id  int64 // the question the draft answers first
		err error
	}
	searchedMsg struct {
		hits []search.Hit
		err  error
	}
)

// Init loads the questions.
func (m Model) Init() tea.Cmd { return tea.Batch(m.load(), m.tick()) }

func (m Model) load() tea.Cmd {
	return func() tea.Msg {
		qs, err := m.o.Source.Questions(m.ctx, textShown)
		drafts, _ := m.o.Source.Drafts() // without them the list still shows
		return loadedMsg{qs, drafts, err}
	}
}

func (m Model) tick() tea.Cmd {
	return tea.Tick(m.o.Refresh, func(time.Time) tea.Msg { return tickMsg{} })
}

// detail reads the selected question's follow-ups and related answers.
func (m Model) detail() tea.Cmd {
	q := m.selected()
	if q == nil {
		return nil
	}
	return func() tea.Msg {
		follow, _ := m.o.Source.FollowUps(m.ctx, q.ID)
		related, _ := m.o.Source.Related(m.ctx, q, relatedShown)
		return detailMsg{q.ID, follow, related}
	}
}

func (m Model) selected() *questions.Question {
	if m.cursor < 0 || m.cursor >= len(m.questions) {
		return nil
	}
	return m.questions[m.cursor]
}

// Update handles a key or a command's result.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case loadedMsg:
		if msg.err != nil {
			m.status = "Cannot read the questions: " + msg.err.Error()
			return m, nil
		}
		m.drafts = msg.drafts
		return m.show(shown(msg.questions))
	case detailMsg:
		if q := m.selected(); q != nil && q.ID == msg.id {
			m.follow, m.related = shown(msg.follow), shownHits(msg.related)
		}
		return m, nil
	case tickMsg:
		return m, tea.Batch(m.load(), m.tick())
	case answeredMsg:
		drafts, _ := m.o.Source.Drafts()
		path := drafts[msg.id]
		switch {
		case msg.err != nil:
			m.status = "The draft is kept; the editor said: " + msg.err.Error()
		case path != "":
			m.status = fmt.Sprintf("Draft saved: %s. Publish it with mailbag publish %s", path, path)
		default:
			m.status = "Draft saved: publish it with mailbag publish (mailbag drafts lists them)."
		}
		m.marked = map[int64]bool{}
		return m, m.load()
	case searchedMsg:
		if msg.err != nil {
			m.status = msg.err.Error()
			m.mode = listing
			return m, nil
		}
		m.hits, m.hitCursor, m.mode = shownHits(msg.hits), 0, results
		if len(m.hits) == 0 {
			m.status, m.mode = "No past answer matches “"+m.input.Value()+"”.", listing
		}
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

// show takes a newly read list of questions, keeping the selection where
// the question still is.
func (m Model) show(qs []*questions.Question) (tea.Model, tea.Cmd) {
	var keep int64
	if q := m.selected(); q != nil {
		keep = q.ID
	}
	// Skipped questions go to the end, in their order.
	slices.SortStableFunc(qs, func(a, b *questions.Question) int {
		switch {
		case m.skipped[a.ID] == m.skipped[b.ID]:
			return 0
		case m.skipped[a.ID]:
			return 1
		}
		return -1
	})
	changed := len(qs) != len(m.questions)
	for i := 0; !changed && i < len(qs); i++ {
		changed = qs[i].ID != m.questions[i].ID || qs[i].FollowUps != m.questions[i].FollowUps
	}
	m.questions = qs
	m.cursor = max(0, min(m.cursor, len(qs)-1))
	for i, q := range qs {
		if q.ID == keep {
			m.cursor = i
		}
	}
	for id := range m.marked {
		if !slices.ContainsFunc(qs, func(q *questions.Question) bool { return q.ID == id }) {
			delete(m.marked, id)
		}
	}
	if !changed {
		return m, nil
	}
	m.follow, m.related = nil, nil
	return m, m.detail()
}

func (m Model) key(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch m.mode {
	case rejecting, searching:
		return m.typing(k)
	case results:
		return m.resultKey(k)
	case reading:
		return m.readingKey(k)
	}
	m.status = ""
	switch k.String() {
	case "q", "ctrl+c":
		return m, tea.Quit
	case "up", "k":
		return m.move(-1)
	case "down", "j":
		return m.move(1)
	case "pgdown", "J":
		m.textTop += max(1, m.height/3)
		return m, nil
	case "pgup", "K":
		m.textTop = max(0, m.textTop-max(1, m.height/3))
		return m, nil
	case " ", "m":
		if q := m.selected(); q != nil {
			m.marked[q.ID] = !m.marked[q.ID]
			if !m.marked[q.ID] {
				delete(m.marked, q.ID)
			}
			return m.move(1)
		}
	case "a":
		q := m.selected()
		if q == nil {
			return m, nil
		}
		ids := []int64{q.ID}
		for _, other := range m.questions {
			if m.marked[other.ID] && other.ID != q.ID {
				ids = append(ids, other.ID)
			}
		}
		return m, tea.ExecProcess(m.o.Source.AnswerCommand(ids), func(err error) tea.Msg { return answeredMsg{ids[0], err} })
	case "r":
		if m.selected() != nil {
			m.mode = rejecting
			m.input.SetValue("")
			m.input.Placeholder = "why (the asker is not told)"
			return m, m.input.Focus()
		}
	case "s":
		if q := m.selected(); q != nil {
			at := m.cursor
			m.skipped[q.ID] = true
			m.status = fmt.Sprintf("Skipped question %d: it waits at the end of the list.", q.ID)
			shown, _ := m.show(slices.Clone(m.questions))
			m = shown.(Model)
			m.cursor = min(at, len(m.questions)-1) // the next one takes its place
			m.follow, m.related = nil, nil
			return m, m.detail()
		}
	case "/":
		m.mode = searching
		m.input.SetValue("")
		m.input.Placeholder = "search the archive"
		return m, m.input.Focus()
	case "1", "2", "3":
		i := int(k.String()[0] - '1')
		if i < len(m.related) {
			m.hits = nil // Esc comes back to the list, not to an old search
			return m.open(m.related[i])
		}
	}
	return m, nil
}

func (m Model) move(by int) (tea.Model, tea.Cmd) {
	if len(m.questions) == 0 {
		return m, nil
	}
	next := max(0, min(len(m.questions)-1, m.cursor+by))
	if next == m.cursor {
		return m, nil
	}
	m.cursor, m.textTop = next, 0
	m.follow, m.related = nil, nil
	return m, m.detail()
}

// typing handles a key while a reason or a search is typed.
func (m Model) typing(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "esc":
		m.mode = listing
		m.input.Blur()
		return m, nil
	case "enter":
		value := strings.TrimSpace(m.input.Value())
		m.input.Blur()
		if m.mode == searching {
			if value == "" {
				m.mode = listing
				return m, nil
			}
			return m, func() tea.Msg {
				hits, err := m.o.Source.Search(m.ctx, value)
				return searchedMsg{hits, err}
			}
		}
		m.mode = listing
		q := m.selected()
		if q == nil {
			return m, nil
		}
		// Done now, in the database: the list read again shows it gone.
		if err := m.o.Source.Reject(m.ctx, q.ID, value); err != nil {
			m.status = err.Error()
			return m, nil
		}
		m.status = fmt.Sprintf("Rejected question %d. (mailbag reopen %d takes it back.)", q.ID, q.ID)
		return m, m.load()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return m, cmd
}

func (m Model) resultKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "esc", "q":
		m.mode = listing
	case "up", "k":
		m.hitCursor = max(0, m.hitCursor-1)
	case "down", "j":
		m.hitCursor = min(len(m.hits)-1, m.hitCursor+1)
	case "enter", "o":
		return m.open(m.hits[m.hitCursor])
	}
	return m, nil
}

func (m Model) readingKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	lines := strings.Count(m.text, "\n") + 1
	switch k.String() {
	case "esc", "q":
		m.mode = listing
		if m.hits != nil {
			m.mode = results
		}
	case "up", "k":
		m.readTop = max(0, m.readTop-1)
	case "down", "j", " ":
		m.readTop = min(max(0, lines-1), m.readTop+1)
	}
	return m, nil
}

// open shows a past answer's text.
func (m Model) open(h search.Hit) (tea.Model, tea.Cmd) {
	text, err := m.o.Source.PostText(h.Slug)
	if err != nil {
		m.status = err.Error()
		return m, nil
	}
	m.title = visible.Line(h.Title) + " · " + h.Date.In(m.o.Location).Format("2 January 2006")
	m.text, m.readTop, m.mode = visible.String(text), 0, reading
	return m, nil
}

var (
	bold    = lipgloss.NewStyle().Bold(true)
	faint   = lipgloss.NewStyle().Faint(true)
	reverse = lipgloss.NewStyle().Reverse(true)
	rule    = faint
)

// View draws the screen.
func (m Model) View() string {
	w, h := max(m.width, 20), max(m.height, 8)
	switch m.mode {
	case reading:
		return m.readingView(w, h)
	case results:
		return m.resultsView(w, h)
	}
	var b strings.Builder
	title := fmt.Sprintf("mailbag inbox: %d new", len(m.questions))
	if n := len(m.marked); n > 0 {
		title += fmt.Sprintf(", %d marked", n)
	}
	b.WriteString(bold.Render(cut(title, w)) + "\n")
	keys := "↑↓ move  PgUp/PgDn scroll  a answer  m/Space mark  r reject  s skip  / search  1-3 open  q quit"
	footer := []string{rule.Render(strings.Repeat("─", w))}
	switch m.mode {
	case rejecting:
		footer = append(footer, "Reject: "+m.input.View(), faint.Render("Enter to reject, Esc to leave it"))
	case searching:
		footer = append(footer, "Search: "+m.input.View(), faint.Render("Enter to search, Esc to leave it"))
	default:
		if m.status != "" {
			footer = append(footer, cut(visible.Line(m.status), w))
		}
		footer = append(footer, faint.Render(wrapKeys(keys, w)))
	}
	body := h - 1 - strings.Count(strings.Join(footer, "\n"), "\n") - 1
	if len(m.questions) == 0 {
		b.WriteString("\nNo new questions. (`mailbag ingest` fetches them; this list follows it.)\n")
		b.WriteString(strings.Repeat("\n", max(0, body-2)))
		b.WriteString(strings.Join(footer, "\n"))
		return b.String()
	}
	listRows := min(len(m.questions), max(3, body/3))
	top := max(0, min(m.cursor-listRows/2, len(m.questions)-listRows))
	now := m.o.Now()
	for i := top; i < top+listRows; i++ {
		q := m.questions[i]
		mark := "  "
		if m.marked[q.ID] {
			mark = "* "
		}
		line := fmt.Sprintf("%s%4d %4s  %s", mark, q.ID, age(now.Sub(q.Received)), oneLine(q.Subject))
		if m.drafts[q.ID] != "" {
			line += bold.Render(" [draft]")
		}
		if first := preview(q.Text); first != "" {
			line += faint.Render(" — " + first)
		}
		if q.FollowUps > 0 {
			line = fmt.Sprintf("%s %s", cut(line, w-4), bold.Render(fmt.Sprintf("+%d", q.FollowUps)))
		}
		line = cut(line, w)
		if i == m.cursor {
			line = reverse.Render(padRight(line, w))
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(rule.Render(strings.Repeat("─", w)) + "\n")
	b.WriteString(m.questionView(w, body-listRows-1))
	b.WriteString(strings.Join(footer, "\n"))
	return b.String()
}

// questionView returns the selected question in full (as far as rows go), its
// follow-ups, and the past answers like it: beside it on a wide terminal,
// below on a narrow one.
func (m Model) questionView(w, rows int) string {
	q := m.selected()
	var related []string
	related = append(related, bold.Render("Past answers like it"))
	if len(m.related) == 0 {
		related = append(related, faint.Render("none found"))
	}
	for i, r := range m.related {
		related = append(related, fmt.Sprintf("%d %s", i+1, r.Title), faint.Render("  "+r.Date.In(m.o.Location).Format("2 Jan 2006")))
	}
	side := w >= 100
	textWidth := w
	if side {
		textWidth = w * 3 / 5
	}
	var lines []string
	lines = append(lines, bold.Render(cut(fmt.Sprintf("#%d %s", q.ID, q.Subject), textWidth)))
	lines = append(lines, faint.Render(cut(fmt.Sprintf("%s · %s", q.Sender(), q.Received.In(m.o.Location).Format("Mon 2 Jan 2006 15:04")), textWidth)))
	if path := m.drafts[q.ID]; path != "" {
		lines = append(lines, faint.Render(cut("Draft: "+path+" (a opens it)", textWidth)))
	}
	if q.Thread != 0 && q.Kind != questions.KindFollowUp {
		lines = append(lines, faint.Render(cut(fmt.Sprintf("Follows up question %d, answered or set aside (mailbag show %d)", q.Thread, q.ID), textWidth)))
	}
	for _, at := range q.Attachments {
		lines = append(lines, faint.Render(cut(fmt.Sprintf("Attached: %s (%s, %d KB)", at.Name, at.Type, (at.Size+1023)/1024), textWidth)))
	}
	lines = append(lines, "")
	lines = append(lines, wrap(reflow(q.Text), textWidth)...)
	lines = append(lines, more(q, textWidth)...)
	for i, f := range m.follow {
		lines = append(lines, "", bold.Render(fmt.Sprintf("Follow-up %d, %s", i+1, f.Received.In(m.o.Location).Format("2 Jan 15:04"))))
		lines = append(lines, wrap(reflow(f.Text), textWidth)...)
		lines = append(lines, more(f, textWidth)...)
	}
	if m.textTop > 0 { // scrolled: the header stays, the text moves
		head := min(3, len(lines))
		top := min(m.textTop, max(0, len(lines)-head-1))
		lines = append(lines[:head:head], lines[head+top:]...)
	}
	if side {
		if len(lines) > rows {
			lines = append(lines[:rows-1], overflow(q, textWidth))
		}
		left := lipgloss.NewStyle().Width(textWidth).Height(rows).Render(strings.Join(lines, "\n"))
		right := lipgloss.NewStyle().Width(w - textWidth - 2).PaddingLeft(2).Render(strings.Join(related, "\n"))
		return lipgloss.JoinHorizontal(lipgloss.Top, left, right) + "\n"
	}
	textRows := max(1, rows-len(related)-1)
	if len(lines) > textRows {
		lines = append(lines[:textRows-1], overflow(q, w))
	}
	for len(lines) < textRows {
		lines = append(lines, "")
	}
	for i := range related {
		related[i] = cut(related[i], w)
	}
	return strings.Join(lines, "\n") + "\n" + rule.Render(strings.Repeat("─", w)) + "\n" + strings.Join(related, "\n") + "\n"
}

func (m Model) resultsView(w, h int) string {
	var b strings.Builder
	b.WriteString(bold.Render(cut(fmt.Sprintf("Past answers for “%s”", m.input.Value()), w)) + "\n\n")
	for i, hit := range m.hits[:min(len(m.hits), h-4)] {
		line := cut(fmt.Sprintf("%s  %s", hit.Date.In(m.o.Location).Format("2006-01-02"), hit.Title), w)
		if i == m.hitCursor {
			line = reverse.Render(padRight(line, w))
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(strings.Repeat("\n", max(0, h-3-min(len(m.hits), h-4))))
	b.WriteString(faint.Render(wrapKeys("↑↓ move  Enter open  Esc back", w)))
	return b.String()
}

func (m Model) readingView(w, h int) string {
	lines := wrap(m.text, w)
	lines = lines[min(m.readTop, len(lines)):]
	lines = lines[:min(len(lines), h-3)]
	return bold.Render(cut(m.title, w)) + "\n\n" + strings.Join(lines, "\n") + strings.Repeat("\n", max(1, h-2-len(lines))) +
		faint.Render(wrapKeys("↑↓ scroll  Esc back", w))
}

// age returns a short age: 5m, 3h, 2d, 6w.
func age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", max(0, int(d.Minutes())))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	return fmt.Sprintf("%dw", int(d.Hours()/24/7))
}

// greeting matches a line that only greets ("Hi Olga,", "Dear Jim!",
// "Hello there"): a preview starts after it.
var greeting = regexp.MustCompile(`(?i)^(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|bonjour|salut|hallo|hola|ciao|olá|hej|привет|здравствуйте)\b[^.?]{0,40}[,!:]?$`)

// preview returns the first line of text worth showing: greetings skipped.
func preview(text string) string {
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" && !greeting.MatchString(l) {
			return l
		}
	}
	return ""
}

// oneLine returns the first line of text with spaces folded.
func oneLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.Join(strings.Fields(first), " ")
}

// cut shortens s (which may hold the inbox's own styles) to width cells,
// with an ellipsis, in one pass however long s is.
func cut(s string, width int) string {
	return ansi.Truncate(s, width, "…")
}

// shown returns copies of qs as the inbox shows them: what a reader
// wrote made safe to print (visible). The Source bounds the text.
func shown(qs []*questions.Question) []*questions.Question {
	out := make([]*questions.Question, len(qs))
	for i, q := range qs {
		c := *q
		c.Subject, c.Text = visible.Line(c.Subject), visible.String(c.Text)
		c.FromName, c.FromAddr, c.Reason = visible.Line(c.FromName), visible.Line(c.FromAddr), visible.Line(c.Reason)
		c.Attachments = slices.Clone(c.Attachments)
		for i := range c.Attachments {
			c.Attachments[i].Name, c.Attachments[i].Type = visible.Line(c.Attachments[i].Name), visible.Line(c.Attachments[i].Type)
		}
		out[i] = &c
	}
	return out
}

// shownHits returns copies of hits with their titles safe to print.
func shownHits(hits []search.Hit) []search.Hit {
	out := slices.Clone(hits)
	for i := range out {
		out[i].Title = visible.Line(out[i].Title)
	}
	return out
}

// more returns the line under a text the inbox did not read whole: how much
// is left and the command that prints it.
func more(q *questions.Question, width int) []string {
	if q.TextMore <= 0 {
		return nil
	}
	return []string{faint.Render(cut(moreText(q), width))}
}

// overflow returns the last row of a question longer than the screen.
func overflow(q *questions.Question, width int) string {
	if q.TextMore > 0 {
		return faint.Render(cut("… "+moreText(q), width))
	}
	return faint.Render(cut(fmt.Sprintf("… mailbag show %d prints it all", q.ID), width))
}

func moreText(q *questions.Question) string {
	return fmt.Sprintf("%d KB more: mailbag show %d", (q.TextMore+1023)/1024, q.ID)
}

func padRight(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-lipgloss.Width(s)))
}

// listItem matches the first line of a list item: "- ", "* ", "1. ",
// "2) ".
var listItem = regexp.MustCompile(`^\s*([-*•]|\d{1,3}[.)])\s`)

// reflow joins the lines of text that a mail program wrapped (at 72
// characters, say) back into the paragraphs they were, for wrap to fit
// the terminal: a paragraph is lines of plain text up to a blank line.
// Quoted lines (">"), list items, indented lines (code, a table) and
// short lines that end a sentence before a short next one (an address, a
// signature) keep their own lines.
func reflow(text string) string {
	lines := strings.Split(text, "\n")
	var out []string
	joinable := func(l string) bool {
		return strings.TrimSpace(l) != "" && !strings.HasPrefix(l, ">") && !strings.HasPrefix(l, " ") &&
			!strings.HasPrefix(l, "\t") && !listItem.MatchString(l)
	}
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		if i > 0 && joinable(l) && len(out) > 0 {
			prev := out[len(out)-1]
			// A wrapped line is long: a short one ended where its writer
			// ended it.
			if (joinable(prev) || listItem.MatchString(prev)) && len([]rune(lines[i-1])) >= 50 {
				out[len(out)-1] = prev + " " + strings.TrimSpace(l)
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// wrap breaks text into lines of at most width cells, at spaces.
func wrap(text string, width int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = cut(word, width)
			case lipgloss.Width(line)+1+lipgloss.Width(word) <= width:
				line += " " + word
			default:
				out = append(out, line)
				line = cut(word, width)
			}
		}
		out = append(out, line)
	}
	return out
}

// wrapKeys fits the key help (keys two spaces apart) in width, on as
// many lines as it takes.
func wrapKeys(keys string, width int) string {
	var lines []string
	line := ""
	for _, k := range strings.Split(keys, "  ") {
		if line != "" && lipgloss.Width(line)+2+lipgloss.Width(k) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += "  "
		}
		line += k
	}
	return strings.Join(append(lines, line), "\n")
}
