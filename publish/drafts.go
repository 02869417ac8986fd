package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"

	"mailbag/archive"
	"mailbag/archive/search"
	"mailbag/internal/atomicfile"
	"mailbag/internal/visible"
	"mailbag/questions"
	"mailbag/templates"
)

// Drafts is the folder of answers being written (drafts/ in a home).
type Drafts struct {
	// Dir is the folder.
	Dir string
	// Location is the newsletter's time zone; nil means UTC.
	Location *time.Location
	// Templates holds draft.md.
	Templates *templates.Set
	// Signoff ends every answer (the newsletter.signoff setting).
	Signoff string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Posts, when set, are the published posts: a question whose subject
	// is a post's title (a reader's reply to the list mail) does not give
	// its draft that title or slug.
	Posts *archive.Posts
}

// ByQuestion maps each question a draft answers to the draft's path.
func (d *Drafts) ByQuestion() (map[int64]string, error) {
	list, err := d.List()
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, dr := range list {
		if dr.Post == nil {
			continue
		}
		for _, id := range dr.Post.Questions {
			out[id] = dr.Path
		}
	}
	return out, nil
}

// RepliesTo returns the published post that a question with subject
// replies to: the one whose title the subject is, as a reader answering
// the list mail keeps it (ingest takes the "Re:" off); nil for none.
func RepliesTo(posts *archive.Posts, subject string) *archive.Post {
	if posts == nil || strings.TrimSpace(subject) == "" {
		return nil
	}
	p, err := posts.FindNamed(archive.Slugify(subject))
	if err != nil || !strings.EqualFold(strings.Join(strings.Fields(p.Title), " "), strings.Join(strings.Fields(subject), " ")) {
		return nil
	}
	return p
}

// Draft is one draft file.
type Draft struct {
	Path string
	// Post is the draft read as a post; nil when it does not read, and
	// Err says why.
	Post     *archive.Post
	Err      error
	Modified time.Time
	// Words counts the words of the answer: the body without the quoted
	// question, notes and the placeholder.
	Words int
}

func (d *Drafts) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// List reads every draft, the most recently edited first. A draft that does
// not read is listed with its error.
func (d *Drafts) List() ([]Draft, error) {
	entries, err := os.ReadDir(d.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: list drafts: %w", err)
	}
	var out []Draft
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") || filepath.Ext(e.Name()) != ".md" {
			continue
		}
		out = append(out, d.read(filepath.Join(d.Dir, e.Name())))
	}
	slices.SortFunc(out, func(a, b Draft) int { return b.Modified.Compare(a.Modified) })
	return out, nil
}

// read reads one draft file.
func (d *Drafts) read(path string) Draft {
	dr := Draft{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		dr.Err = err
		return dr
	}
	dr.Modified = fi.ModTime()
	data, err := os.ReadFile(path)
	if err != nil {
		dr.Err = err
		return dr
	}
	dr.Post, dr.Err = archive.Parse(data, d.Location)
	if dr.Post != nil {
		dr.Post.Path = path
		dr.Words = len(strings.Fields(answerText(dr.Post.Body, d.Signoff, d.placeholders())))
	}
	return dr
}

// comment matches an HTML comment, over lines.
var comment = regexp.MustCompile(`(?s)<!--.*?-->`)

// answerText returns a draft body without what the template put there: HTML
// comments, the placeholder, the quoted questions and the line introducing
// them ("I was sent this question ...:"), and the sign-off.
func answerText(body []byte, signoff string, placeholders []string) string {
	text := strings.TrimSpace(comment.ReplaceAllString(string(withoutNote(body)), ""))
	if so := strings.TrimSpace(signoff); so != "" {
		text = strings.TrimSuffix(text, so)
	}
	lines := strings.Split(text, "\n")
	var kept []string
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ">") || slices.Contains(placeholders, t) || strings.HasSuffix(t, ":") && nextIsQuote(lines[i+1:]) {
			continue
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n")
}

// noteStart begins the note of related past answers that a draft is
// written with (templates/draft.md); a line of "-->" alone ends it.
const noteStart = "<!-- related:"

// withoutNote returns body without the note of related past answers: the
// lines from one that starts with noteStart to the first line after it
// that is "-->" alone, or to the end when none is. The titles in the note
// are indented, so no title ends it, whatever it holds; the blank lines
// before it go too, and the body ends with one newline.
func withoutNote(body []byte) []byte {
	lines := bytes.SplitAfter(body, []byte("\n"))
	start := slices.IndexFunc(lines, func(l []byte) bool { return bytes.HasPrefix(l, []byte(noteStart)) })
	if start < 0 {
		return body
	}
	end := len(lines)
	for i := start + 1; i < len(lines); i++ {
		if string(bytes.TrimSpace(lines[i])) == "-->" {
			end = i + 1
			break
		}
	}
	before := bytes.TrimRight(bytes.Join(lines[:start], nil), " \t\n")
	after := bytes.Join(lines[end:], nil)
	out := append(append([]byte{}, before...), '\n')
	if len(bytes.TrimSpace(after)) > 0 {
		out = append(append(out, '\n'), after...)
	}
	return out
}

// inComment returns a title as the note shows it: on one line, with no
// "--" (which could end an HTML comment in the draft's preview).
func inComment(title string) string {
	title = strings.Join(strings.Fields(title), " ")
	for strings.Contains(title, "--") {
		title = strings.ReplaceAll(title, "--", "- -")
	}
	return title
}

// nextIsQuote reports whether the first non-blank line is quoted.
func nextIsQuote(lines []string) bool {
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			return strings.HasPrefix(t, ">")
		}
	}
	return false
}

// Find returns the path of the draft named by ref: a path, a file name in
// Dir, or a slug. The error wraps ErrNoDraft.
func (d *Drafts) Find(ref string) (string, error) {
	candidates := []string{ref, filepath.Join(d.Dir, ref), filepath.Join(d.Dir, ref+".md")}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: %s (`mailbag drafts` lists them)", ErrNoDraft, ref)
}

// ForQuestions returns the path of the draft that already answers any of
// ids, or "" when none does. Two different drafts for them is an error.
func (d *Drafts) ForQuestions(ids []int64) (string, error) {
	drafts, err := d.List()
	if err != nil {
		return "", err
	}
	found := ""
	for _, dr := range drafts {
		if dr.Post == nil {
			continue
		}
		for _, id := range ids {
			if slices.Contains(dr.Post.Questions, id) {
				if found != "" && found != dr.Path {
					return "", fmt.Errorf("publish: the questions %v are answered in two drafts, %s and %s: publish or delete one", ids, found, dr.Path)
				}
				found = dr.Path
			}
		}
	}
	return found, nil
}

// Placeholder returns the line a new draft holds where the answer goes,
// in the newsletter's language.
func (d *Drafts) Placeholder() string {
	if d.Templates == nil {
		return Placeholder
	}
	return d.Templates.Messages().T("draft_placeholder")
}

// redact does what the package's redact does, the name it removes marked
// in the newsletter's language ("[name]", "[nom]").
func (d *Drafts) redact(text, name, addr string) string {
	out := redact(text, name, addr)
	if d.Templates != nil {
		out = strings.ReplaceAll(out, nameMark, d.Templates.Messages().T("draft_name"))
	}
	return out
}

// placeholders returns the placeholder lines a draft may still hold: the
// language's, and English's (a draft made before the language changed).
func (d *Drafts) placeholders() []string {
	return slices.Compact([]string{d.Placeholder(), Placeholder})
}

// draftData is what draft.md is executed with.
type draftData struct {
	Title         string
	Date          string
	QuestionField string // 12, or [12, 15]
	Questions     []draftQuestion
	Placeholder   string
	Signoff       string
	Related       []relatedPost
}

type draftQuestion struct {
	ID      int64
	Subject string
	Text    string
	// FollowUps are the texts of the asker's follow-ups, oldest first.
	FollowUps []string
}

type relatedPost struct {
	Date, Title, Slug string
}

// Create writes a new draft answering qs, from the draft.md template: the
// questions quoted with their askers' names and addresses removed, each
// with its follow-ups after it (a follow-up in qs, questions.KindFollowUp,
// is quoted after its question, which must be in qs before it: the author
// deletes what is not to be quoted), and the related past answers in a
// note that publishing removes. It never overwrites a file: a slug in use
// gets a number. It returns the new path.
func (d *Drafts) Create(qs []*questions.Question, related []search.Hit) (string, error) {
	if len(qs) == 0 {
		return "", errors.New("publish: no question to answer")
	}
	if _, err := atomicfile.Clean(d.Dir); err != nil { // what an answer killed midway left
		return "", fmt.Errorf("publish: %w", err)
	}
	data := draftData{
		Date:        d.now().In(d.location()).Format(archive.DateLayout),
		Placeholder: d.Placeholder(),
		Signoff:     d.Signoff,
	}
	var ids []string
	for _, q := range qs {
		if q.Kind == questions.KindFollowUp {
			i := slices.IndexFunc(data.Questions, func(d draftQuestion) bool { return d.ID == q.Thread })
			if i < 0 {
				return "", fmt.Errorf("publish: follow-up %d comes before its question %d", q.ID, q.Thread)
			}
			data.Questions[i].FollowUps = append(data.Questions[i].FollowUps, d.redact(visible.Strip(q.Text), q.FromName, q.FromAddr))
			continue
		}
		if err := answerable(q, ""); err != nil {
			return "", err
		}
		// A reader's controls (escape sequences, bidirectional overrides)
		// have no place in a post, a title or a mail.
		text := d.redact(visible.Strip(q.Text), q.FromName, q.FromAddr)
		subject := d.redact(strings.Join(strings.Fields(visible.Strip(q.Subject)), " "), q.FromName, q.FromAddr)
		data.Questions = append(data.Questions, draftQuestion{ID: q.ID, Subject: subject, Text: text})
		ids = append(ids, strconv.FormatInt(q.ID, 10))
	}
	data.Title = data.Questions[0].Subject
	if data.Title == "" {
		data.Title = "Question " + ids[0]
	}
	if post := RepliesTo(d.Posts, data.Title); post != nil {
		data.Title = "More on “" + post.Title + "”" // a title, and a slug, of its own
	}
	data.QuestionField = ids[0]
	if len(ids) > 1 {
		data.QuestionField = "[" + strings.Join(ids, ", ") + "]"
	}
	for _, h := range related {
		data.Related = append(data.Related, relatedPost{Date: h.Date.Format("2006-01-02"), Title: inComment(h.Title), Slug: h.Slug})
	}
	var buf bytes.Buffer
	if err := d.Templates.Text("draft.md").Execute(&buf, data); err != nil {
		return "", fmt.Errorf("publish: draft template: %w", err)
	}
	if _, err := archive.Parse(buf.Bytes(), d.location()); err != nil {
		return "", fmt.Errorf("publish: the draft.md template makes a file that is not a post: %w", err)
	}
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return "", fmt.Errorf("publish: %w", err)
	}
	slug := archive.Slugify(data.Title)
	if slug == "" {
		slug = "question-" + ids[0]
	}
	for n := 1; ; n++ {
		name := slug
		if n > 1 {
			name = fmt.Sprintf("%s-%d", slug, n)
		}
		path := filepath.Join(d.Dir, name+".md")
		err := atomicfile.Create(path, buf.Bytes(), 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("publish: write draft: %w", err)
		}
		return path, nil
	}
}

func (d *Drafts) location() *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}

// TemplateFuncs are the functions draft.md may call: yaml (a string as a
// YAML scalar) and quote (a reader's text as a Markdown blockquote that
// renders as their text alone: see escapeMarkdown). The templates Set is
// loaded with them.
var TemplateFuncs = template.FuncMap{"yaml": yamlScalar, "quote": quoteReader}

// quoteReader quotes a reader's text as an inert Markdown blockquote.
func quoteReader(text string) string { return blockquote(escapeMarkdown(text)) }

// CheckTemplate runs draft.md on sample data: an override naming a field a
// draft does not have is found before a draft is written.
func (d *Drafts) CheckTemplate() error {
	full := draftData{Title: "T", Date: "2026-01-02 00:00:00", QuestionField: "1", Placeholder: Placeholder, Signoff: "S",
		Questions: []draftQuestion{{ID: 1, Subject: "S", Text: "T", FollowUps: []string{"F"}}, {ID: 2}}, Related: []relatedPost{{Date: "2026-01-01", Title: "T", Slug: "s"}}}
	return d.Templates.Check("draft.md", full, draftData{})
}

// yamlScalar writes s as a YAML scalar, quoted where YAML needs it.
func yamlScalar(s string) (string, error) {
	out, err := yaml.Marshal(s)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

// blockquote quotes text as Markdown: "> " before every line, ">" alone on
// blank ones.
func blockquote(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = ">"
		} else {
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}
