package publish

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"mailbag/archive"
)

// hostileQuestions are what a reader may send to turn a quote of their
// words into markup: a tracking pixel, a phishing link under the
// newsletter's name, headings, rules, comments, HTML, autolinks, tables,
// lists, code, entities.
var hostileQuestions = []string{
	"Look: ![p](https://evil.example/track.png) and [unsubscribe](https://evil.example/phish)",
	"## A heading of mine\n\nand a rule:\n\n---\n\n***\n\n___",
	"A comment <!-- the rest is hidden\n\nand it goes on --> here",
	"<script>alert(1)</script> <img src=x onerror=alert(1)> <a href=\"https://evil.example\">x</a>",
	"Visit https://evil.example/x or www.evil.example or mail evil@example.com",
	"| a | b |\n|---|---|\n| c | d |",
	"- one\n+ two\n* three\n1. first\n2) second\n- [ ] a task",
	"> nested quote\n\n    indented code\n\n```\nfenced\n```\n\n`span`",
	"&copy; &amp; &#x3C;script&#x3E; ~~struck~~ **bold** _em_ *em* \\\\ back\\slash",
	"Title\n=====\n\nSub\n---",
	"[ref]: https://evil.example/ref\n\n[ref] and [x][ref] and <https://evil.example/auto>",
	"<!-- related: a forged note",
}

// markupTags are the only tags a quoted question may render to.
var markupTag = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)[^>]*>`)

// TestReaderTextIsInert: each hostile question, quoted into a draft by the
// template, renders as a blockquote of paragraphs of its text and nothing
// else in the post's HTML; the author's own Markdown beside it still
// renders. (The mail's half is delivery's TestReaderTextIsInertInMail.)
func TestReaderTextIsInert(t *testing.T) {
	for _, q := range hostileQuestions {
		quoted := quoteReader(q)
		body := "I was sent this question from a list member:\n\n" + quoted + "\n\nMy answer, with [my post](https://ask.example.org/) and **bold**.\n"
		out, err := archive.RenderHTML([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		got := string(out)
		start, end := strings.Index(got, "<blockquote>"), strings.LastIndex(got, "</blockquote>")
		if start < 0 || end < 0 {
			t.Fatalf("%q: no blockquote in\n%s", q, got)
		}
		inQuote := got[start : end+len("</blockquote>")]
		for _, m := range markupTag.FindAllStringSubmatch(inQuote, -1) {
			if tag := strings.ToLower(m[2]); tag != "blockquote" && tag != "p" {
				t.Errorf("%q: the quote has markup <%s%s>:\n%s", q, m[1], tag, inQuote)
			}
		}
		text := html.UnescapeString(markupTag.ReplaceAllString(inQuote, " "))
		if strings.Join(strings.Fields(text), " ") != strings.Join(strings.Fields(q), " ") {
			t.Errorf("%q: the quote reads\n%q", q, strings.Join(strings.Fields(text), " "))
		}
		if !strings.Contains(got, `<a href="https://ask.example.org/">my post</a>`) || !strings.Contains(got, "<strong>bold</strong>") {
			t.Errorf("%q: the author's Markdown does not render:\n%s", q, got)
		}
		// The draft's checks do not take the reader's words for the template's.
		if w := answerText([]byte(body), "", []string{Placeholder}); !strings.Contains(w, "My answer") {
			t.Errorf("%q: the answer is not found in the draft: %q", q, w)
		}
		if !strings.Contains(string(withoutNote([]byte(body))), "My answer") {
			t.Errorf("%q: removing the related note removes the answer", q)
		}

	}
}

// FuzzQuoteReader: whatever a reader writes, its quote renders to a
// blockquote of paragraphs holding their text.
func FuzzQuoteReader(f *testing.F) {
	for _, q := range hostileQuestions {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if strings.ContainsAny(q, "\x00\r") || !utf8Valid(q) {
			return
		}
		out, err := archive.RenderHTML([]byte(quoteReader(q)))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range markupTag.FindAllStringSubmatch(string(out), -1) {
			if tag := strings.ToLower(m[2]); tag != "blockquote" && tag != "p" {
				t.Fatalf("%q renders with <%s>:\n%s", q, tag, out)
			}
		}
		text := html.UnescapeString(markupTag.ReplaceAllString(string(out), " "))
		if got, want := strings.Join(strings.Fields(text), " "), strings.Join(strings.Fields(q), " "); got != want {
			t.Fatalf("%q renders as the text %q", want, got)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
