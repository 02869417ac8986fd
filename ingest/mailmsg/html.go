package mailmsg

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText turns an HTML mail body into plain text: block elements become
// line breaks, scripts, styles and the head are dropped, and so is quoted
// reply history (blockquote elements and the quote containers of Gmail,
// Outlook, Yahoo and Apple Mail).
func htmlText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	var b strings.Builder
	atMarker := false // a list item's marker was the last thing written
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			words := strings.Fields(n.Data)
			if len(words) == 0 {
				if n.Data != "" && !strings.HasSuffix(b.String(), "\n") {
					b.WriteByte(' ')
				}
				return
			}
			if isSpace(n.Data[0]) && !atMarker {
				b.WriteByte(' ')
			}
			atMarker = false
			b.WriteString(strings.Join(words, " "))
			if isSpace(n.Data[len(n.Data)-1]) {
				b.WriteByte(' ')
			}
			return
		case html.ElementNode:
			if skipElement(n) {
				return
			}
			if n.DataAtom == atom.Br {
				b.WriteByte('\n')
				return
			}
		}
		block := n.Type == html.ElementNode && isBlock(n.DataAtom)
		switch {
		case n.Type == html.ElementNode && n.DataAtom == atom.Li:
			// One item a line, the marker before it: no blank line
			// between items, nor after the marker.
			if !strings.HasSuffix(b.String(), "\n") {
				b.WriteString("\n")
			}
			b.WriteString(listMarker(n))
			atMarker = true
		case block && !atMarker:
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteString("\n")
		}
	}
	walk(doc)
	return tidyLines(b.String())
}

// skipElement reports elements whose content is not the reader's new text.
func skipElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Blockquote, atom.Template:
		return true
	}
	for _, a := range n.Attr {
		switch {
		case a.Key == "class" && hasAnyClass(a.Val, "gmail_quote", "gmail_extra", "yahoo_quoted", "moz-cite-prefix", "OutlookMessageHeader"):
			return true
		case a.Key == "id" && (a.Val == "divRplyFwdMsg" || a.Val == "appendonsend" || strings.HasPrefix(a.Val, "yahoo_quoted")):
			return true
		case a.Key == "type" && a.Val == "cite":
			return true
		}
	}
	return false
}

func hasAnyClass(attr string, classes ...string) bool {
	for _, c := range strings.Fields(attr) {
		for _, want := range classes {
			if c == want {
				return true
			}
		}
	}
	return false
}

// listMarker returns how a list item starts as text: "- ", or "3. " in an
// ordered list, as the reader saw it.
func listMarker(li *html.Node) string {
	if li.Parent == nil || li.Parent.DataAtom != atom.Ol {
		return "- "
	}
	n := 1
	for s := li.PrevSibling; s != nil; s = s.PrevSibling {
		if s.Type == html.ElementNode && s.DataAtom == atom.Li {
			n++
		}
	}
	return strconv.Itoa(n) + ". "
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Table, atom.H1, atom.H2,
		atom.H3, atom.H4, atom.H5, atom.H6, atom.Pre, atom.Hr, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Dd, atom.Dt, atom.Dl:
		return true
	}
	return false
}

// tidyLines trims each line and keeps at most one blank line in a row.
func tidyLines(s string) string {
	var out []string
	blank := true // no blank lines at the start
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, line)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
