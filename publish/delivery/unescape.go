package delivery

import "strings"

// unescapeQuotes takes the backslashes publish escapes a reader's text
// with (its inert.go) off the quoted lines
// of Markdown shown as plain text (the text part of a mail), so that a
// reader's words read there as they wrote them. Other lines, the author's,
// are left as they are.
func unescapeQuotes(md string) string {
	lines := strings.Split(md, "\n")
	for i, line := range lines {
		if !strings.HasPrefix(strings.TrimSpace(line), ">") {
			continue
		}
		var b strings.Builder
		for j := 0; j < len(line); j++ {
			if line[j] == '\\' && j+1 < len(line) && isASCIIPunct(line[j+1]) {
				j++
			}
			b.WriteByte(line[j])
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

// isASCIIPunct reports whether c is ASCII punctuation, which a backslash
// escapes in CommonMark.
func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}
