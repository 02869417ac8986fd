package publish

import (
	"regexp"
	"strings"
	"unicode"
)

// signoffLines is how many lines at the end of a question are searched for a
// sign-off with the asker's name.
const signoffLines = 4

// redact removes the asker from a question's text before it is quoted in a
// draft: the sentence that holds their address, their full name anywhere
// (as "[name]"), short closing lines that carry their first or last name
// ("Thanks, Jane", "-- J. Doe", "Jane"), and the valediction left above
// them ("Thanks,"). Without a name, an address such as priya.sharma@…
// gives one. It does not find other people's names, nor the asker's name
// spelled otherwise; the author reads the draft.
func redact(text, name, addr string) string {
	if strings.TrimSpace(name) == "" {
		name = nameFromAddress(addr)
	}
	if addr != "" {
		sentence := regexp.MustCompile(`(?i)[^.!?\n]*(mailto:)?` + regexp.QuoteMeta(addr) + `[^.!?\n]*[.!?]?`)
		text = sentence.ReplaceAllString(text, "")
	}
	parts := nameParts(name)
	if len(parts) > 1 {
		full := regexp.MustCompile(`(?i)\b` + strings.Join(quoteAll(parts), `\s+`) + `\b`)
		text = full.ReplaceAllString(text, "[name]")
	}
	if len(parts) == 0 {
		return strings.TrimSpace(text)
	}
	lines := strings.Split(strings.TrimRight(text, "\n "), "\n")
	seen, dropped := 0, false
	// From the bottom up, through the closing lines only: the first line
	// of the reader's own text ends the search.
	for i := len(lines) - 1; i >= 0 && seen < signoffLines; i-- {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			continue
		case isSignoff(line, parts):
			lines = append(lines[:i], lines[i+1:]...)
			dropped = true
		case !valediction.MatchString(line) && line != "--":
			seen = signoffLines // stop
		}
		seen++
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t")
	}
	text = strings.TrimSpace(strings.Join(lines, "\n"))
	if dropped {
		text = dropValediction(text)
	}
	return text
}

// valediction matches a closing line such as "Thanks," or "Best regards,".
var valediction = regexp.MustCompile(`(?i)^(many )?(thanks|thank you|cheers|best|best regards|regards|kind regards|warm regards|all the best|cordialement|merci|danke|grüße|saludos|gracias|obrigad[oa])[,!.]?$`)

// dropValediction removes a closing line left at the end once the name
// under it is gone.
func dropValediction(text string) string {
	i := strings.LastIndexByte(text, '\n')
	if valediction.MatchString(strings.TrimSpace(text[i+1:])) {
		return strings.TrimSpace(text[:max(i, 0)])
	}
	return text
}

// nameParts returns the words of a name long enough to look for: "Jane Doe" ->
// Jane, Doe. Initials and particles are left out.
func nameParts(name string) []string {
	var parts []string
	for _, f := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) {
		if len([]rune(f)) >= 3 {
			parts = append(parts, f)
		}
	}
	return parts
}

// nameFromAddress returns the name an address spells out as first.last (or
// with _ or - between, and 2 or 3 words of letters), "" for any other.
func nameFromAddress(addr string) string {
	local, _, _ := strings.Cut(addr, "@")
	local, _, _ = strings.Cut(local, "+")
	words := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(words) < 2 || len(words) > 3 {
		return ""
	}
	for _, w := range words {
		if len([]rune(w)) < 2 || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			return ""
		}
	}
	return strings.Join(words, " ")
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = regexp.QuoteMeta(s)
	}
	return out
}

// isSignoff reports whether a short closing line names the asker.
func isSignoff(line string, parts []string) bool {
	words := strings.Fields(line)
	if len(words) > 4 || strings.HasSuffix(line, "?") {
		return false
	}
	if strings.Contains(line, "[name]") {
		return true
	}
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		for _, p := range parts {
			if strings.EqualFold(w, p) {
				return true
			}
		}
	}
	return false
}
