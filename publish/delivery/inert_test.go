package delivery

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"mailbag/archive"
	"mailbag/publish"
)

// markupTag finds the tags of rendered HTML.
var markupTag = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)[^>]*>`)

// TestReaderTextIsInertInMail: a hostile question quoted into a draft by
// the template (publish's quote) renders in the mail's HTML as a
// blockquote of paragraphs and nothing else, and the text part shows the
// reader's words as written, without escapes.
func TestReaderTextIsInertInMail(t *testing.T) {
	quote := publish.TemplateFuncs["quote"].(func(string) string)
	for _, q := range []string{
		"Look: ![p](https://evil.example/track.png) and [unsubscribe](https://evil.example/phish)",
		"<script>alert(1)</script> <img src=x onerror=alert(1)> <a href=\"https://evil.example\">x</a>",
		"Visit https://evil.example/x or www.evil.example or mail evil@example.com",
		"[ref]: https://evil.example/ref\n\n[ref] and [x][ref] and <https://evil.example/auto>",
		"&copy; &amp; &#x3C;script&#x3E; ~~struck~~ **bold** _em_ *em* \\\\ back\\slash",
	} {
		body := "I was sent this question from a list member:\n\n" + quote(q) + "\n\nMy answer.\n"
		post := &archive.Post{Title: "T", Slug: "t", Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Body: []byte(body)}
		r, err := Render(post, RenderOptions{Newsletter: testNewsletter, Key: []byte("key"), Templates: loadTemplates(t, "")})
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{`src="https://evil`, `href="https://evil`, "<script", "<img"} {
			if strings.Contains(r.html, bad) {
				t.Errorf("%q: the mail's HTML has %q", q, bad)
			}
		}
		mq := r.html[strings.Index(r.html, "<blockquote"):]
		mq = mq[:strings.Index(mq, "</blockquote>")]
		for _, m := range markupTag.FindAllStringSubmatch(mq, -1) {
			if tag := strings.ToLower(m[2]); tag != "blockquote" && tag != "p" {
				t.Errorf("%q: the mail's quote has markup <%s%s>", q, m[1], tag)
			}
		}
		if firstLine := strings.SplitN(q, "\n", 2)[0]; strings.TrimSpace(firstLine) != "" && !strings.Contains(r.text, "> "+strings.TrimSpace(firstLine)) {
			t.Errorf("%q: the text part does not show the reader's words as written:\n%s", q, r.text)
		}
	}
}
