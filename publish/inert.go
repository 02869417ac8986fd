package publish

import (
	"strings"
)

// A reader's text is quoted into a draft so that it renders as the text
// they wrote and nothing more: no image, link, heading, rule, list, table,
// emphasis, HTML or comment of theirs becomes markup in the post, on the
// site or in the mail. Every character Markdown (CommonMark with GitHub's
// extensions, as archive renders it) could take for markup is escaped with
// a backslash, which CommonMark allows before any ASCII punctuation: those
// that are markup anywhere, those that are markup at the start of a line,
// and those that would make a bare address into a link. The author's own
// Markdown around it is left alone.

// inlineMarkup are the characters escaped wherever they are: code, emphasis
// and strikethrough, links and images, HTML and comments, entities,
// table cells, e-mail autolinks, and the escape character itself.
const inlineMarkup = "\\`*_[]<>!&|~@"

// escapeMarkdown returns text with every character Markdown could read
// as markup escaped, line by line (lines trimmed: indentation would be a
// code block).
func escapeMarkdown(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, line := range lines {
		lines[i] = escapeLine(strings.TrimSpace(line))
	}
	return strings.Join(lines, "\n")
}

// escapeLine escapes one trimmed line.
func escapeLine(line string) string {
	var b strings.Builder
	b.Grow(len(line) + 8)
	lineStart := true // only digits so far: "12." starts a list
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case strings.IndexByte(inlineMarkup, c) >= 0,
			i == 0 && strings.IndexByte("#-+=:", c) >= 0,   // heading, list, rule, setext underline, definition
			lineStart && i > 0 && (c == '.' || c == ')'),   // an ordered list's number
			c == ':' && strings.HasPrefix(line[i:], "://"), // a bare URL, which GFM links
			c == '.' && i >= 3 && strings.EqualFold(line[i-3:i], "www"):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		lineStart = lineStart && c >= '0' && c <= '9'
	}
	return b.String()
}
