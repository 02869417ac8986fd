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
// stay within 998 octets: one over MaxTitle characters is a problem named.
func TestTitleIsBounded(t *testing.T) {
	if err := CheckTitle(strings.Repeat("é", MaxTitle)); err != nil {
		t.Errorf("a title of %d characters: %v", MaxTitle, err)
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
