package archive

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const seedPath = "../testdata/seed/2018-06-20-a-product-manager-stepped-on-my-toe.md"

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSeedRoundTrip(t *testing.T) {
	data, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data, london(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if p.Title != "A product manager stepped on my toe" {
		t.Errorf("Title = %q", p.Title)
	}
	if want := time.Date(2018, 6, 20, 0, 0, 0, 0, london(t)); !p.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", p.Date, want)
	}
	if !bytes.HasPrefix(p.Body, []byte("\nI was sent this question from a list member:\n")) {
		t.Errorf("Body starts %q", p.Body[:40])
	}
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Errorf("Marshal differs from the file:\n%s", out[:200])
	}
}

func TestPostsReadSeed(t *testing.T) {
	s := &Posts{Dir: filepath.Dir(seedPath), Location: london(t)}
	p, err := s.Find("a-product-manager-stepped-on-my-toe")
	if err != nil {
		t.Fatal(err)
	}
	if p.FileName() != filepath.Base(seedPath) {
		t.Errorf("FileName = %q, want %q", p.FileName(), filepath.Base(seedPath))
	}
	if _, err := s.Find("no-such-post"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(no-such-post) = %v, want ErrNotFound", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", "line 1: no front matter"},
		{"no front matter", "# Hello\n", "line 1: no front matter"},
		{"unterminated", "---\ntitle: x\n\nbody\n", "line 1: unterminated front matter"},
		{"bad yaml", "---\ntitle: x\ndate: a: b\n---\n", "line 3: front matter is not valid YAML: mapping values are not allowed"},
		{"not a mapping", "---\n- a\n- b\n---\n", "line 2: front matter is not a list of `key: value` lines"},
		{"bad date", "---\ntitle: x\ndate: yesterday\n---\n", `line 3: date "yesterday" is not a date`},
		{"list title", "---\ntitle: [a, b]\n---\n", "line 2: title is not a single line of text"},
		{"bad slug", "---\ntitle: x\nslug: Hello World\n---\n", `line 3: slug "Hello World" is not lower-case`},
		{"bad question", "---\nquestion: twelve\n---\n", `line 2: question: "twelve" is not a question ID`},
		{"duplicate key", "---\ntitle: x\ntitle: y\n---\n", `line 3: "title" is set twice`},
		{"tags map", "---\ntags: {a: b}\n---\n", "line 2: tags: not a list of words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), time.UTC)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse = %v, want a *FormatError", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse error = %q, want it to start %q", err, tt.want)
			}
		})
	}
}

func TestCheckNamesEveryProblem(t *testing.T) {
	p, err := Parse([]byte("---\nsummary: hi\n---\nbody\n"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Check()
	for _, want := range []string{"no title", "no date", "no slug"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check() = %v, want it to say %q", err, want)
		}
	}
}

func TestMarshalKeepsUnknownFieldsAndNormalisesDate(t *testing.T) {
	in := "---\ntitle: Go turns three\ndate: 2012-11-10\nby:\n- Russ Cox\ntags:\n- community\n- birthday\nsummary: Happy 3rd birthday, Go!\n---\n\nBody.\n"
	p, err := Parse([]byte(in), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Tags, []string{"community", "birthday"}) {
		t.Errorf("Tags = %q", p.Tags)
	}
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "---\ntitle: Go turns three\ndate: '2012-11-10 00:00:00'\nby:\n- Russ Cox\ntags:\n- community\n- birthday\nsummary: Happy 3rd birthday, Go!\n---\n\nBody.\n"
	if string(out) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", out, want)
	}
}

func TestMarshalNewPost(t *testing.T) {
	p := &Post{
		Title:     "Why: a question?",
		Date:      time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC),
		Slug:      "why-a-question",
		Tags:      []string{"work"},
		Questions: []int64{12, 15},
		Body:      []byte("\nAnswer.\n"),
	}
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "---\ntitle: 'Why: a question?'\ndate: '2026-11-25 09:30:00'\ntags:\n- work\nquestion: [12, 15]\n---\n\nAnswer.\n"
	if string(out) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", out, want)
	}
	back, err := Parse(out, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if back.Title != p.Title || !back.Date.Equal(p.Date) || !slices.Equal(back.Questions, p.Questions) {
		t.Errorf("Parse(Marshal(p)) = %+v, want %+v", back, p)
	}
}

func TestParseDate(t *testing.T) {
	loc := london(t)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2018-06-20 00:00:00", time.Date(2018, 6, 20, 0, 0, 0, 0, loc)},
		{"2018-06-20", time.Date(2018, 6, 20, 0, 0, 0, 0, loc)},
		{"2024-4-09", time.Date(2024, 4, 9, 0, 0, 0, 0, loc)},
		{"2019-08-01T00:00:00Z", time.Date(2019, 8, 1, 1, 0, 0, 0, loc)},
		{"2019-08-01T10:00:00+02:00", time.Date(2019, 8, 1, 9, 0, 0, 0, loc)},
		{"2016-05-03 10:00:00 +0100", time.Date(2016, 5, 3, 10, 0, 0, 0, loc)},
		{"2016-05-03 10:00", time.Date(2016, 5, 3, 10, 0, 0, 0, loc)},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, loc)
		if err != nil || !got.Equal(tt.want) || got.Location() != loc {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "June 2018", "2018-13-01", "2018-06-20 25:00:00"} {
		if _, err := ParseDate(bad, loc); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"A product manager stepped on my toe", "a-product-manager-stepped-on-my-toe"},
		{"I'm  lost -- what now?", "im-lost-what-now"},
		{"Go 1.22 is released!", "go-1-22-is-released"},
		{"Über café", "über-café"},
		{"¿Qué?", "qué"},
		{"!!!", ""},
		{strings.Repeat("word ", 30), strings.TrimSuffix(strings.Repeat("word-", 16), "-")},
		{strings.Repeat("x", 100), strings.Repeat("x", 80)},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitFileName(t *testing.T) {
	date, slug := SplitFileName("2018-06-20-a-product-manager-stepped-on-my-toe", time.UTC)
	if slug != "a-product-manager-stepped-on-my-toe" || !date.Equal(time.Date(2018, 6, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("SplitFileName = %v, %q", date, slug)
	}
	date, slug = SplitFileName("Go Maps In Action", time.UTC)
	if slug != "go-maps-in-action" || !date.IsZero() {
		t.Errorf("SplitFileName = %v, %q", date, slug)
	}
}

// TestTitleIsBounded: a title becomes the mail's Subject, whose lines must
// stay within 998 octets: one over maxTitle characters is a problem named.
func TestTitleIsBounded(t *testing.T) {
	if err := CheckTitle(strings.Repeat("é", maxTitle)); err != nil {
		t.Errorf("a title of %d characters: %v", maxTitle, err)
	}
	long := strings.Repeat("x", 3000)
	err := CheckTitle(long)
	if err == nil || !strings.Contains(err.Error(), "the title is 3000 characters long: at most 200") {
		t.Errorf("a 3,000-character title: %v", err)
	}
	if p, err := Parse([]byte("---\ntitle: "+long+"\ndate: 2020-01-01\n---\nBody.\n"), time.UTC); err != nil || p.Check() == nil {
		t.Errorf("a post with a 3,000-character title: %v; its Check passed", err)
	}
	if err := CheckTitle("  "); err == nil {
		t.Error("a blank title passed")
	}
}

// TestHeadersReadTheStartOfFiles: Headers, which reads only the start of
// a long post's file, gives each post as ReadFile does but for its body,
// where the front matter is short, longer than the start read, closed on
// the start's last line or a line cut by it; and the same error for a
// broken one.
func TestHeadersReadTheStartOfFiles(t *testing.T) {
	posts := &Posts{Dir: t.TempDir(), Location: london(t)}
	body := "\n" + strings.Repeat("A long body of words. ", 400) + "\n"
	aliases := func(n int) string { // an aliases line of n bytes or so
		return "aliases: [" + strings.TrimSuffix(strings.Repeat("/old/x/, ", n/9), ", ") + "]\n"
	}
	files := map[string]string{
		"2024-01-01-short.md":      "---\ntitle: Short\ntags: [go]\n---\nA short body.\n",
		"2024-01-02-long-body.md":  "---\ntitle: Long body\nquestion: [3, 4]\n---\n" + body,
		"2024-01-03-long-front.md": "---\ntitle: Long front matter\n" + aliases(2*headBytes) + "---\n" + body,
		"2024-01-04-crlf-bom.md":   "\ufeff---\r\ntitle: CRLF and BOM\r\n---\r\n" + body,
	}
	// The closing line ends exactly at the start read, and one byte later
	// (its "---" read, its end of line not).
	front := "---\ntitle: At the edge\n"
	pad := aliases(headBytes - len(front) - len("---\n") - 40)
	pad = pad[:len(pad)-2] + strings.Repeat(" ", headBytes-len(front)-len(pad)-len("---\n")) + "]\n"
	files["2024-01-05-edge.md"] = front + pad + "---\n" + body
	files["2024-01-06-cut.md"] = front + pad[:len(pad)-2] + " ]\n" + "---\n" + body
	for name, content := range files {
		writePost(t, posts.Dir, name, content)
	}
	if c := files["2024-01-05-edge.md"]; strings.Index(c, "\n---\n")+len("\n---\n") != headBytes {
		t.Fatalf("the edge post's front matter ends at %d, not %d", strings.Index(c, "\n---\n")+len("\n---\n"), headBytes)
	}
	full, problems, err := posts.List()
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	heads, problems, err := posts.Headers()
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	if len(heads) != len(files) || len(full) != len(files) {
		t.Fatalf("%d headers, %d posts, of %d files", len(heads), len(full), len(files))
	}
	for i, h := range heads {
		p := full[i]
		if h.Body != nil || h.Title != p.Title || !h.Date.Equal(p.Date) || h.Slug != p.Slug || h.Path != p.Path ||
			!slices.Equal(h.Tags, p.Tags) || !slices.Equal(h.Questions, p.Questions) || !slices.Equal(h.Aliases, p.Aliases) || h.file != p.file {
			t.Errorf("%s: header %+v\npost %+v", filepath.Base(p.Path), h, p)
		}
	}
	// Broken front matter longer than the start, a line of "----" whose
	// "---" ends the start, an empty file: the error ReadFile gives.
	for name, content := range map[string]string{
		"2024-01-07-broken.md": "---\ntitle: Broken\n" + aliases(2*headBytes) + "date: [\n---\n" + body,
		"2024-01-08-dashes.md": front + pad[:len(pad)-2] + " ]\n" + "----\n---\n" + body,
		"2024-01-09-empty.md":  "",
	} {
		path := filepath.Join(posts.Dir, name)
		writePost(t, posts.Dir, name, content)
		_, want := posts.ReadFile(path)
		_, got := posts.readHeader(path)
		if want == nil || got == nil || got.Error() != want.Error() {
			t.Errorf("%s: readHeader: %v; ReadFile: %v", name, got, want)
		}
	}
}

func writePost(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
