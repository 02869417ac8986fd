package importer

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"slices"
	"strings"
	"time"
)

// ghostExport is a Ghost JSON export, versions 2 to 5: {"db": [{"meta",
// "data"}]}, or its one element alone as some older versions write it.
type ghostExport struct {
	DB   []ghostDB `json:"db"`
	Data *ghostData
}

type ghostDB struct {
	Data ghostData `json:"data"`
}

type ghostData struct {
	Posts     []ghostPost `json:"posts"`
	Tags      []struct{ ID, Name, Slug string }
	PostsTags []struct {
		PostID    string `json:"post_id"`
		TagID     string `json:"tag_id"`
		SortOrder int    `json:"sort_order"`
	} `json:"posts_tags"`
}

type ghostPost struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Slug        string          `json:"slug"`
	HTML        string          `json:"html"`
	Mobiledoc   string          `json:"mobiledoc"`
	Lexical     string          `json:"lexical"`
	Status      string          `json:"status"`
	Type        string          `json:"type"`
	Page        json.RawMessage `json:"page"` // version 2: true for a page
	Visibility  string          `json:"visibility"`
	PublishedAt json.RawMessage `json:"published_at"`
	CreatedAt   json.RawMessage `json:"created_at"`
}

// readGhost reads a Ghost JSON export (Settings, Labs, Export your
// content): its published public posts, their HTML, else their Lexical or
// Mobiledoc rendered; its tags (not the internal #ones); the old address
// /SLUG/.
func readGhost(src string) ([]entry, string, error) {
	data, err := readFile(src)
	if err != nil {
		return nil, "", err
	}
	var x ghostExport
	if err := json.Unmarshal(data, &x); err != nil {
		return nil, "", fmt.Errorf("not a Ghost JSON export: %w", err)
	}
	var d *ghostData
	switch {
	case len(x.DB) > 0:
		d = &x.DB[0].Data
	case x.Data != nil:
		d = x.Data
	default:
		return nil, "", fmt.Errorf("no \"db\" or \"data\" in it: not a Ghost JSON export")
	}
	tagName := map[string]string{}
	for _, t := range d.Tags {
		tagName[t.ID] = t.Name
	}
	type tagAt struct {
		name  string
		order int
	}
	tags := map[string][]tagAt{}
	for _, pt := range d.PostsTags {
		if n := tagName[pt.TagID]; n != "" && !strings.HasPrefix(n, "#") {
			tags[pt.PostID] = append(tags[pt.PostID], tagAt{n, pt.SortOrder})
		}
	}
	var out []entry
	for _, p := range d.Posts {
		e := entry{source: fmt.Sprintf("post %q (%s)", p.Slug, p.ID), title: p.Title, slug: p.Slug}
		if p.Slug != "" {
			e.aliases = []string{"/" + p.Slug + "/"}
		}
		e.date = ghostTime(p.PublishedAt)
		if e.date.IsZero() {
			e.date = ghostTime(p.CreatedAt)
		}
		ts := tags[p.ID]
		slices.SortStableFunc(ts, func(a, b tagAt) int { return a.order - b.order })
		for _, t := range ts {
			e.tags = append(e.tags, t.name)
		}
		switch {
		case p.Type == "page" || string(p.Page) == "true" || string(p.Page) == "1":
			e.skip = "a Ghost page, not a post"
		case p.Status != "published":
			e.skip = fmt.Sprintf("not published on Ghost (status %s)", p.Status)
		case p.Visibility != "" && p.Visibility != "public":
			e.skip = fmt.Sprintf("for members only on Ghost (visibility %s)", p.Visibility)
		}
		switch {
		case e.skip != "":
		case strings.TrimSpace(p.HTML) != "":
			e.html = p.HTML
		case p.Lexical != "":
			e.markdown, err = lexicalMarkdown(strings.ReplaceAll(p.Lexical, "__GHOST_URL__", ""))
		case p.Mobiledoc != "":
			e.markdown, err = mobiledocMarkdown(strings.ReplaceAll(p.Mobiledoc, "__GHOST_URL__", ""))
		}
		if err != nil {
			e.skip, err = "its body does not read: "+err.Error(), nil
		}
		if strings.Contains(p.HTML+p.Lexical+p.Mobiledoc, "__GHOST_URL__") {
			e.html = strings.ReplaceAll(e.html, "__GHOST_URL__", "")
			e.notes = append(e.notes, "its links and images to the old Ghost site (/content/images/…) are now relative: copy those files, or they will not show")
		}
		out = append(out, e)
	}
	return out, "", nil
}

// readFile reads a file of up to maxExportFile.
func readFile(src string) ([]byte, error) {
	info, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxExportFile {
		return nil, fmt.Errorf("over 1 GB")
	}
	return os.ReadFile(src)
}

// ghostTime reads a Ghost date: an ISO 8601 string, "2006-01-02 15:04:05",
// or milliseconds since 1970 (version 2); zero when there is none.
func ghostTime(raw json.RawMessage) time.Time {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC()
			}
		}
		return time.Time{}
	}
	var ms int64
	if json.Unmarshal(raw, &ms) == nil && ms > 0 {
		return time.UnixMilli(ms).UTC()
	}
	return time.Time{}
}

// lexicalNode is a node of Ghost's Lexical document.
type lexicalNode struct {
	Type     string          `json:"type"`
	Tag      string          `json:"tag"`
	ListType string          `json:"listType"`
	Text     string          `json:"text"`
	Format   json.RawMessage `json:"format"` // text: bits of bold, italic, …; elsewhere a string
	URL      string          `json:"url"`
	Src      string          `json:"src"`
	AltText  string          `json:"altText"`
	Caption  string          `json:"caption"`
	Markdown string          `json:"markdown"`
	HTML     string          `json:"html"`
	Code     string          `json:"code"`
	Language string          `json:"language"`
	Children []lexicalNode   `json:"children"`
}

// segments are a body in parts: HTML to convert, or Markdown as it is.
type segments struct {
	parts []segment
	b     strings.Builder
}

type segment struct{ html, markdown string }

// WriteString adds HTML.
func (s *segments) WriteString(h string) { s.b.WriteString(h) }

// markdown adds Markdown as it is.
func (s *segments) markdown(md string) {
	s.flush()
	s.parts = append(s.parts, segment{markdown: md})
}

func (s *segments) flush() {
	if s.b.Len() > 0 {
		s.parts = append(s.parts, segment{html: s.b.String()})
		s.b.Reset()
	}
}

// Markdown returns the body as Markdown, its HTML converted.
func (s *segments) Markdown() (string, error) {
	s.flush()
	var out []string
	for _, p := range s.parts {
		if p.html == "" {
			out = append(out, strings.TrimSpace(p.markdown))
			continue
		}
		md, err := toMarkdown(p.html, "")
		if err != nil {
			return "", err
		}
		out = append(out, strings.TrimSpace(md))
	}
	return strings.Join(out, "\n\n"), nil
}

// lexicalMarkdown renders a Lexical document (Ghost 5) as Markdown: text,
// links, headings, lists, quotes, images, code, and the HTML and Markdown
// cards.
func lexicalMarkdown(doc string) (string, error) {
	var d struct{ Root lexicalNode }
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return "", err
	}
	var b segments
	var walk func(n lexicalNode)
	children := func(n lexicalNode) {
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk = func(n lexicalNode) {
		switch n.Type {
		case "root":
			children(n)
		case "paragraph":
			b.WriteString("<p>")
			children(n)
			b.WriteString("</p>\n")
		case "heading":
			tag := "h2"
			if len(n.Tag) == 2 && n.Tag[0] == 'h' && n.Tag[1] >= '1' && n.Tag[1] <= '6' {
				tag = n.Tag
			}
			b.WriteString("<" + tag + ">")
			children(n)
			b.WriteString("</" + tag + ">\n")
		case "quote", "aside":
			b.WriteString("<blockquote>")
			children(n)
			b.WriteString("</blockquote>\n")
		case "list":
			tag := "ul"
			if n.ListType == "number" {
				tag = "ol"
			}
			b.WriteString("<" + tag + ">")
			children(n)
			b.WriteString("</" + tag + ">\n")
		case "listitem":
			b.WriteString("<li>")
			children(n)
			b.WriteString("</li>")
		case "link", "autolink", "at-link":
			b.WriteString(`<a href="` + html.EscapeString(n.URL) + `">`)
			children(n)
			b.WriteString("</a>")
		case "text", "extended-text":
			var f int64
			json.Unmarshal(n.Format, &f)
			t := html.EscapeString(n.Text)
			if f&16 != 0 {
				t = "<code>" + t + "</code>"
			}
			if f&2 != 0 {
				t = "<em>" + t + "</em>"
			}
			if f&1 != 0 {
				t = "<strong>" + t + "</strong>"
			}
			b.WriteString(t)
		case "linebreak":
			b.WriteString("<br>")
		case "horizontalrule":
			b.WriteString("<hr>\n")
		case "image":
			b.WriteString(`<p><img src="` + html.EscapeString(n.Src) + `" alt="` + html.EscapeString(n.AltText) + `"></p>` + "\n")
		case "codeblock":
			b.WriteString(`<pre><code class="language-` + html.EscapeString(n.Language) + `">` + html.EscapeString(n.Code) + "</code></pre>\n")
		case "html":
			b.WriteString(n.HTML + "\n")
		case "markdown":
			b.markdown(n.Markdown)
		default:
			children(n)
		}
	}
	walk(d.Root)
	return b.Markdown()
}

// mobiledocMarkdown renders a Mobiledoc document (Ghost 1 to 4) as
// Markdown: its markup, list and image sections, and its Markdown, HTML,
// code, image and rule cards.
func mobiledocMarkdown(doc string) (string, error) {
	var d struct {
		Markups  [][]json.RawMessage `json:"markups"`
		Cards    [][]json.RawMessage `json:"cards"`
		Sections [][]json.RawMessage `json:"sections"`
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return "", err
	}
	markup := func(i int) (open, close string) {
		if i < 0 || i >= len(d.Markups) || len(d.Markups[i]) == 0 {
			return "", ""
		}
		var tag string
		json.Unmarshal(d.Markups[i][0], &tag)
		tag = strings.ToLower(tag)
		if !slices.Contains([]string{"a", "b", "strong", "i", "em", "code", "s", "u", "sub", "sup"}, tag) {
			return "", ""
		}
		attrs := ""
		if len(d.Markups[i]) > 1 {
			var kv []string
			json.Unmarshal(d.Markups[i][1], &kv)
			for j := 0; j+1 < len(kv); j += 2 {
				if kv[j] == "href" {
					attrs = ` href="` + html.EscapeString(kv[j+1]) + `"`
				}
			}
		}
		return "<" + tag + attrs + ">", "</" + tag + ">"
	}
	markers := func(raw json.RawMessage) string {
		var ms [][]json.RawMessage
		json.Unmarshal(raw, &ms)
		var b strings.Builder
		var open []string
		for _, m := range ms {
			if len(m) < 4 {
				continue
			}
			var opens []int
			var closed int
			var text string
			json.Unmarshal(m[1], &opens)
			json.Unmarshal(m[2], &closed)
			json.Unmarshal(m[3], &text) // an atom's value is not text: left out
			for _, o := range opens {
				s, c := markup(o)
				b.WriteString(s)
				open = append(open, c)
			}
			b.WriteString(html.EscapeString(text))
			for ; closed > 0 && len(open) > 0; closed-- {
				b.WriteString(open[len(open)-1])
				open = open[:len(open)-1]
			}
		}
		for len(open) > 0 {
			b.WriteString(open[len(open)-1])
			open = open[:len(open)-1]
		}
		return b.String()
	}
	var b segments
	for _, s := range d.Sections {
		if len(s) < 2 {
			continue
		}
		var kind int
		json.Unmarshal(s[0], &kind)
		switch kind {
		case 1: // markup section: [1, tag, markers]
			var tag string
			json.Unmarshal(s[1], &tag)
			tag = strings.ToLower(tag)
			if !slices.Contains([]string{"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "aside"}, tag) {
				tag = "p"
			}
			if tag == "aside" {
				tag = "blockquote"
			}
			if len(s) > 2 {
				b.WriteString("<" + tag + ">" + markers(s[2]) + "</" + tag + ">\n")
			}
		case 2: // image section: [2, src]
			var src string
			json.Unmarshal(s[1], &src)
			b.WriteString(`<p><img src="` + html.EscapeString(src) + `"></p>` + "\n")
		case 3: // list section: [3, tag, items]
			var tag string
			json.Unmarshal(s[1], &tag)
			if tag != "ol" {
				tag = "ul"
			}
			var items []json.RawMessage
			if len(s) > 2 {
				json.Unmarshal(s[2], &items)
			}
			b.WriteString("<" + tag + ">")
			for _, it := range items {
				b.WriteString("<li>" + markers(it) + "</li>")
			}
			b.WriteString("</" + tag + ">\n")
		case 10: // card section: [10, card index]
			var i int
			json.Unmarshal(s[1], &i)
			if i >= 0 && i < len(d.Cards) && len(d.Cards[i]) > 0 {
				mobiledocCard(&b, d.Cards[i])
			}
		}
	}
	return b.Markdown()
}

// mobiledocCard renders one Mobiledoc card, [name, payload], into b.
func mobiledocCard(b *segments, card []json.RawMessage) {
	var name string
	json.Unmarshal(card[0], &name)
	var p struct {
		Markdown, HTML, Code, Language, Src, Alt, Caption string
		CardName                                          string `json:"cardName"`
	}
	if len(card) > 1 {
		json.Unmarshal(card[1], &p)
	}
	switch name {
	case "markdown", "card-markdown":
		b.markdown(p.Markdown)
	case "html":
		b.WriteString(p.HTML + "\n")
	case "code":
		b.WriteString(`<pre><code class="language-` + html.EscapeString(p.Language) + `">` + html.EscapeString(p.Code) + "</code></pre>\n")
	case "image":
		b.WriteString(`<p><img src="` + html.EscapeString(p.Src) + `" alt="` + html.EscapeString(p.Alt) + `"></p>` + "\n")
	case "hr":
		b.WriteString("<hr>\n")
	}
}
