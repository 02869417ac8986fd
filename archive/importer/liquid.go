package importer

import (
	"bytes"
	"fmt"
	"mailbag/archive"
	"regexp"
	"strings"
	"time"
)

// Jekyll posts carry Liquid tags, which only Jekyll runs. Import converts
// the common ones into Markdown and names every other one, so that no tag
// is left to show as literal text unnoticed:
//
//   - {% highlight go %} ... {% endhighlight %} becomes a fenced code block;
//   - {% post_url 2010-07-21-name %} and {% link _posts/2010-07-21-name.md %}
//     become the path of that post on this site;
//   - {% raw %} and {% endraw %} go, their content kept as it is.

// liquidTag matches one Liquid tag, {% name args %}, and Hugo's
// shortcodes, {{< name >}} and {{% name %}}.
var liquidTag = regexp.MustCompile(`\{%-?\s*([a-zA-Z_]+)([^%]*?)-?%\}|\{\{[<%]\s*/?\s*([a-zA-Z_][\w-]*)[^}]*?[>%]\}\}`)

// fence matches the line that opens or closes a fenced code block.
var fence = regexp.MustCompile("^\\s{0,3}(```+|~~~+)")

// convertLiquid converts the Liquid tags of a Jekyll post's body it knows
// and returns notes naming, by line of the file (the body starts after
// skip lines), the tags it left as they are. loc is the newsletter's time
// zone, for the dates of post_url's names.
func convertLiquid(body []byte, skip int, loc *time.Location) (out []byte, notes []string) {
	if !bytes.Contains(body, []byte("{%")) && !bytes.Contains(body, []byte("{{<")) && !bytes.Contains(body, []byte("{{%")) {
		return body, nil
	}
	lines := strings.SplitAfter(string(body), "\n")
	var b strings.Builder
	inFence, inHighlight, inRaw := "", false, false
	for i, line := range lines {
		n := skip + i + 1
		trimmed := strings.TrimSpace(line)
		if m := fence.FindStringSubmatch(line); m != nil && !inHighlight {
			switch {
			case inFence == "":
				inFence = m[1][:1]
			case strings.HasPrefix(m[1], inFence):
				inFence = ""
			}
			b.WriteString(line)
			continue
		}
		if inFence != "" {
			b.WriteString(line)
			continue
		}
		var lineNotes []string
		converted := liquidTag.ReplaceAllStringFunc(line, func(tag string) string {
			m := liquidTag.FindStringSubmatch(tag)
			name, args := m[1], strings.TrimSpace(m[2])
			switch {
			case inRaw && name != "endraw":
				return tag
			case name == "raw":
				inRaw = true
				return ""
			case name == "endraw":
				inRaw = false
				return ""
			case name == "highlight":
				inHighlight = true
				lang, _, _ := strings.Cut(args, " ")
				return "```" + lang
			case name == "endhighlight":
				inHighlight = false
				return "```"
			case name == "post_url" || name == "link":
				if path, ok := postPath(args, loc); ok {
					return path
				}
			}
			if m[3] != "" {
				name = m[3]
			}
			lineNotes = append(lineNotes, fmt.Sprintf("line %d: %s (%s) is not run: left as text", n, strings.TrimSpace(tag), name))
			return tag
		})
		notes = append(notes, lineNotes...)
		// A highlight tag alone on its line leaves the fence alone on it.
		if strings.HasPrefix(trimmed, "{%") && strings.TrimSpace(converted) != "" && strings.HasPrefix(strings.TrimSpace(converted), "```") {
			converted = strings.TrimSpace(converted) + "\n"
		}
		b.WriteString(converted)
	}
	return []byte(b.String()), notes
}

// postPath returns the path on this site of the Jekyll post that post_url or
// link names: "2010-07-21-name" or "_posts/2010-07-21-name.md".
func postPath(name string, loc *time.Location) (string, bool) {
	name = strings.Trim(strings.TrimSpace(name), `"'`)
	name = name[strings.LastIndexByte(name, '/')+1:]
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".md"), ".markdown")
	date, slug := archive.SplitFileName(name, loc)
	if date.IsZero() || slug == "" {
		return "", false
	}
	return (&archive.Post{Date: date, Slug: slug}).URLPath(), true
}
